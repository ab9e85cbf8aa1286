/**
 * Ideas, comments, votes and moderation. A voter is a random id the server
 * issues, signed with the deployment's key and kept in a cookie (API clients
 * send it back as X-Voter-Id); only the id's SHA-256 is stored, once per
 * idea, so a second vote from the same voter is refused, and an id the
 * server did not sign is refused rather than counted as a new voter.
 */
import * as crypto from 'node:crypto';
import { HttpError, field } from '../../_runtime/http';
import { sign, verify } from '../../_runtime/signing';

export const IDEA_STATUSES = ['submitted', 'accepted', 'rejected', 'done'] as const;
export type IdeaStatus = (typeof IDEA_STATUSES)[number];

export type IdeaLocation = { lat: number; lon: number; street?: string } | { street: string };

export interface IdeaComment {
  id: string;
  author: string;
  text: string;
  createdAt: string;
}

export interface Idea {
  id: string;
  title: string;
  description: string;
  parish: string;
  location: IdeaLocation;
  author: string;
  status: IdeaStatus;
  moderationNote?: string;
  createdAt: string;
  updatedAt: string;
  comments: IdeaComment[];
  voterHashes: string[];
  /** voterHash of the voter id of the browser that proposed it, so that person can see and delete it. */
  proposerHash?: string;
}

export interface ParticipaData {
  ideas: Idea[];
}

export type PublicIdea = Omit<Idea, 'voterHashes' | 'proposerHash'> & { votes: number };

export function publicIdea(i: Idea): PublicIdea {
  const { voterHashes, proposerHash: _proposer, ...rest } = i;
  return { ...rest, votes: voterHashes.length };
}

/** What one voter proposed and voted for (GDPR Art. 15: a citizen sees their own data). */
export function ideasOf(ideas: readonly Idea[], voterId: string): { proposed: Idea[]; voted: Idea[] } {
  const h = voterHash(voterId);
  return {
    proposed: ideas.filter((i) => i.proposerHash === h),
    voted: ideas.filter((i) => i.voterHashes.includes(h)),
  };
}

/** Deletes an idea this voter proposed, with its comments (Art. 17); 404 when it is not theirs. */
export function deleteOwnIdea(data: ParticipaData, ideaId: string, voterId: string): void {
  const h = voterHash(voterId);
  const index = data.ideas.findIndex((i) => i.id === ideaId && i.proposerHash === h);
  if (index < 0) throw new HttpError(404, 'no idea of yours with this id');
  data.ideas.splice(index, 1);
}

/** Takes this voter's vote off an idea; 404 when they did not vote for it. */
export function deleteOwnVote(idea: Idea, voterId: string): number {
  const h = voterHash(voterId);
  const index = idea.voterHashes.indexOf(h);
  if (index < 0) throw new HttpError(404, 'you have no vote on this idea');
  idea.voterHashes.splice(index, 1);
  return idea.voterHashes.length;
}

export function newId(): string {
  return crypto.randomBytes(6).toString('hex');
}

export function voterHash(voterId: string): string {
  return crypto.createHash('sha256').update(`participa-voter:${voterId}`).digest('hex');
}

const VOTER_PURPOSE = 'participa-voter-v1';

/** A new voter: the id votes are counted by, and the signed form the client keeps. */
export function issueVoterId(signingKey: string): { id: string; signed: string } {
  const id = crypto.randomBytes(18).toString('base64url');
  return { id, signed: sign(signingKey, VOTER_PURPOSE, id) };
}

/** The voter id inside a signed voter id this deployment issued; undefined for anything else. */
export function verifiedVoterId(signingKey: string, signed: string): string | undefined {
  if (signed.length > 200) return undefined;
  const id = verify(signingKey, VOTER_PURPOSE, signed);
  return id !== undefined && /^[A-Za-z0-9_-]{24}$/.test(id) ? id : undefined;
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).replace(',', '.'));
  return Number.isFinite(n) ? n : NaN;
}

export function locationFromBody(body: Record<string, unknown>): IdeaLocation {
  const lat = num(body.lat);
  const lon = num(body.lon);
  const street = field(body, 'street', { required: false, max: 200 });
  if (lat !== undefined || lon !== undefined) {
    if (
      lat === undefined ||
      lon === undefined ||
      Number.isNaN(lat) ||
      Number.isNaN(lon) ||
      Math.abs(lat) > 90 ||
      Math.abs(lon) > 180
    )
      throw new HttpError(400, 'lat and lon must both be given, as decimal degrees', { field: 'lat' });
    return street === undefined ? { lat, lon } : { lat, lon, street };
  }
  if (street === undefined) throw new HttpError(400, 'give a location: a street or lat and lon', { field: 'street' });
  return { street };
}

export function ideaFromBody(
  body: Record<string, unknown>,
  parishes: readonly string[],
  maxLength: number,
  now: Date,
): Idea {
  const parish = field(body, 'parish', { required: true, max: 80 }) as string;
  if (!parishes.includes(parish))
    throw new HttpError(400, `parish must be one of: ${parishes.join(', ')}`, { field: 'parish' });
  const at = now.toISOString();
  return {
    id: newId(),
    title: field(body, 'title', { required: true, max: 140 }) as string,
    description: field(body, 'description', { required: true, max: maxLength }) as string,
    parish,
    location: locationFromBody(body),
    author: field(body, 'author', { required: false, max: 80 }) ?? '',
    status: 'submitted',
    createdAt: at,
    updatedAt: at,
    comments: [],
    voterHashes: [],
  };
}

export function commentFromBody(body: Record<string, unknown>, now: Date): IdeaComment {
  return {
    id: newId(),
    author: field(body, 'author', { required: false, max: 80 }) ?? '',
    text: field(body, 'text', { required: true, max: 1000 }) as string,
    createdAt: now.toISOString(),
  };
}

/** Records a vote; 409 when this voter already voted for the idea or it is closed. */
export function castVote(idea: Idea, voterId: string): number {
  if (idea.status === 'rejected' || idea.status === 'done')
    throw new HttpError(409, `voting is closed for ideas that are ${idea.status}`);
  const h = voterHash(voterId);
  if (idea.voterHashes.includes(h)) throw new HttpError(409, 'you already voted for this idea', { alreadyVoted: true });
  idea.voterHashes.push(h);
  return idea.voterHashes.length;
}

export function moderate(idea: Idea, status: unknown, note: unknown, now: Date): Idea {
  if (typeof status !== 'string' || !(IDEA_STATUSES as readonly string[]).includes(status))
    throw new HttpError(400, `status must be one of: ${IDEA_STATUSES.join(', ')}`, { field: 'status' });
  if (note !== undefined && (typeof note !== 'string' || note.length > 1000))
    throw new HttpError(400, 'note must be a string of at most 1000 characters', { field: 'note' });
  idea.status = status as IdeaStatus;
  if (typeof note === 'string' && note.trim() !== '') idea.moderationNote = note.trim();
  idea.updatedAt = now.toISOString();
  return idea;
}

/** Public list: rejected ideas are left out; most votes first, then newest. */
export function rankIdeas(ideas: readonly Idea[], filter: { status?: string; parish?: string }): Idea[] {
  return ideas
    .filter((i) => i.status !== 'rejected' || filter.status === 'rejected')
    .filter((i) => filter.status === undefined || filter.status === '' || i.status === filter.status)
    .filter((i) => filter.parish === undefined || filter.parish === '' || i.parish === filter.parish)
    .sort(
      (a, b) =>
        b.voterHashes.length - a.voterHashes.length ||
        b.createdAt.localeCompare(a.createdAt) ||
        a.id.localeCompare(b.id),
    );
}
