/**
 * Listings and requests. A business gets a random key when it lists a
 * service; only its SHA-256 is stored, and the key opens that listing's inbox.
 */
import * as crypto from 'node:crypto';
import { HttpError, field } from '../../_runtime/http';

export interface Listing {
  id: string;
  business: string;
  title: string;
  category: string;
  area: string;
  /** Price in the configured currency; undefined = on request. */
  price?: number;
  description: string;
  contactEmail: string;
  createdAt: string;
  keyHash: string;
}

export interface ServiceRequest {
  id: string;
  listingId: string;
  name: string;
  email: string;
  message: string;
  createdAt: string;
  /** SHA-256 of the follow-up token the citizen got, which shows them the answer. */
  followUpHash: string;
  answer?: string;
  answeredAt?: string;
}

export interface MarketData {
  listings: Listing[];
  requests: ServiceRequest[];
}

export type PublicListing = Omit<Listing, 'keyHash' | 'contactEmail'>;

export function publicListing(l: Listing): PublicListing {
  // The business's email is not published: citizens reach it through requests.
  const { keyHash: _k, contactEmail: _e, ...rest } = l;
  return rest;
}

export function hashKey(key: string): string {
  return crypto.createHash('sha256').update(key).digest('hex');
}

export function keyMatches(key: string | undefined, keyHash: string): boolean {
  if (key === undefined || key === '') return false;
  return crypto.timingSafeEqual(Buffer.from(hashKey(key), 'hex'), Buffer.from(keyHash, 'hex'));
}

export function newId(): string {
  return crypto.randomBytes(6).toString('hex');
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function email(body: Record<string, unknown>, name: string): string {
  const v = field(body, name, { required: true, max: 254 }) as string;
  if (!EMAIL.test(v)) throw new HttpError(400, `${name} must be an email address`, { field: name });
  return v;
}

function oneOf(body: Record<string, unknown>, name: string, allowed: readonly string[]): string {
  const v = field(body, name, { required: true, max: 80 }) as string;
  if (!allowed.includes(v)) throw new HttpError(400, `${name} must be one of: ${allowed.join(', ')}`, { field: name });
  return v;
}

export function listingFromBody(
  body: Record<string, unknown>,
  categories: readonly string[],
  areas: readonly string[],
  now: Date,
): { listing: Listing; key: string } {
  const rawPrice = body.price;
  let price: number | undefined;
  if (rawPrice !== undefined && rawPrice !== '' && rawPrice !== null) {
    price = typeof rawPrice === 'number' ? rawPrice : Number(String(rawPrice).replace(',', '.'));
    if (!Number.isFinite(price) || price < 0 || price > 1_000_000)
      throw new HttpError(400, 'price must be a number between 0 and 1000000', { field: 'price' });
    price = Math.round(price * 100) / 100;
  }
  const key = crypto.randomBytes(18).toString('base64url');
  const listing: Listing = {
    id: newId(),
    business: field(body, 'business', { required: true, max: 120 }) as string,
    title: field(body, 'title', { required: true, max: 120 }) as string,
    category: oneOf(body, 'category', categories),
    area: oneOf(body, 'area', areas),
    description: field(body, 'description', { required: true, max: 2000 }) as string,
    contactEmail: email(body, 'contactEmail'),
    createdAt: now.toISOString(),
    keyHash: hashKey(key),
  };
  if (price !== undefined) listing.price = price;
  return { listing, key };
}

/** A new request and the follow-up token (given once to the citizen; only its hash is kept). */
export function requestFromBody(
  body: Record<string, unknown>,
  listingId: string,
  now: Date,
): { request: ServiceRequest; followUp: string } {
  const followUp = crypto.randomBytes(18).toString('base64url');
  const request: ServiceRequest = {
    id: newId(),
    listingId,
    name: field(body, 'name', { required: true, max: 120 }) as string,
    email: email(body, 'email'),
    message: field(body, 'message', { required: true, max: 2000 }) as string,
    createdAt: now.toISOString(),
    followUpHash: hashKey(followUp),
  };
  return { request, followUp };
}

/** What a business sees of a request: everything but the citizen's follow-up hash. */
export function inboxRequest(r: ServiceRequest): Omit<ServiceRequest, 'followUpHash'> {
  const { followUpHash: _f, ...rest } = r;
  return rest;
}

function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

export function searchListings(
  listings: readonly Listing[],
  q: { q?: string; category?: string; area?: string },
): Listing[] {
  const words =
    q.q === undefined
      ? []
      : fold(q.q)
          .split(/\s+/)
          .filter((w) => w !== '');
  return listings
    .filter((l) => q.category === undefined || q.category === '' || l.category === q.category)
    .filter((l) => q.area === undefined || q.area === '' || l.area === q.area)
    .filter((l) => words.every((w) => fold(`${l.business} ${l.title} ${l.description}`).includes(w)))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
}

/** Requests older than the retention period are personal data we no longer need. */
export function pruneRequests(data: MarketData, retentionDays: number, now: Date): number {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  const before = data.requests.length;
  data.requests = data.requests.filter((r) => r.createdAt >= cutoff);
  return before - data.requests.length;
}
