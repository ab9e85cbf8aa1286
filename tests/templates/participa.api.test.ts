import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningApp,
  adminToken,
  buildTemplate,
  getJson,
  postJson,
  repoRoot,
  startApp,
  tempDataDir,
} from './app-process';

type IdeaList = { count: number; ideas: { id: string; votes: number; status: string; voterHashes?: unknown }[] };

describe('participa API', () => {
  let app: RunningApp;
  const dataDir = tempDataDir('participa');
  const version = /^version:\s*(\S+)/m.exec(
    fs.readFileSync(path.join(repoRoot, 'templates/participa/template.yaml'), 'utf8'),
  )?.[1];
  let voterA = '';
  let ideaId = '';

  beforeAll(async () => {
    buildTemplate('participa');
    app = await startApp('participa', { dataDir });
  });
  afterAll(async () => app?.stop());

  it('answers /healthz', async () => {
    const r = await getJson(`${app.url}/healthz`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: 'ok',
      service: 'participa',
      version,
      checks: { storage: { status: 'ok' } },
    });
  });

  it('lists the seeded ideas, most voted first, without voter data', async () => {
    const r = await getJson<IdeaList>(`${app.url}/api/ideas`);
    expect(r.body.count).toBe(5);
    const votes = r.body.ideas.map((i) => i.votes);
    expect(votes).toEqual([...votes].sort((a, b) => b - a));
    expect(r.body.ideas.every((i) => i.voterHashes === undefined)).toBe(true);
    const fermentelos = await getJson<IdeaList>(`${app.url}/api/ideas?parish=Fermentelos`);
    expect(fermentelos.body.count).toBe(2);
  });

  it('accepts an idea with a location and refuses one without', async () => {
    const none = await postJson(`${app.url}/api/ideas`, {
      title: 'Bancos',
      description: 'Mais bancos',
      parish: 'Fermentelos',
    });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ error: { field: 'street' } });
    const half = await postJson(`${app.url}/api/ideas`, {
      title: 'Bancos',
      description: 'Mais bancos',
      parish: 'Fermentelos',
      lat: 40.56,
    });
    expect(half.status).toBe(400);
    const created = await postJson(`${app.url}/api/ideas`, {
      title: 'Parque infantil sombreado',
      description: 'Cobrir o parque infantil junto ao mercado com toldos para o verão.',
      parish: 'Águeda e Borralha',
      lat: 40.5771,
      lon: -8.4432,
      author: 'Ana',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'submitted', votes: 0, location: { lat: 40.5771, lon: -8.4432 } });
    ideaId = String(created.body.id);
  });

  it('counts one vote per voter, issuing each new voter a signed id', async () => {
    const first = await postJson(`${app.url}/api/ideas/${ideaId}/votes`, {});
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ votes: 1 });
    voterA = String(first.body.voterId);
    expect(voterA).toMatch(/^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{43}$/);
    const again = await postJson(`${app.url}/api/ideas/${ideaId}/votes`, {}, { 'x-voter-id': voterA });
    expect(again.status).toBe(409);
    expect(again.body.voterId).toBeUndefined();
    const second = await postJson(`${app.url}/api/ideas/${ideaId}/votes`, {});
    expect(second.body).toMatchObject({ votes: 2 });
    expect(second.body.voterId).not.toBe(voterA);
  });

  it('shows a citizen what they proposed and voted for, and deletes either at their request (GDPR Art. 15, 17)', async () => {
    const proposed = await postJson(`${app.url}/api/ideas`, {
      title: 'Bebedouro no parque',
      description: 'Um bebedouro junto ao parque infantil.',
      parish: 'Fermentelos',
      street: 'Rua do Parque',
    });
    expect(proposed.status).toBe(201);
    const me = String(proposed.body.voterId);
    const own = String(proposed.body.id);
    expect((await postJson(`${app.url}/api/ideas/${ideaId}/votes`, {}, { 'x-voter-id': me })).status).toBe(201);
    const mine = await getJson<{ proposed: { id: string }[]; voted: { id: string }[] }>(`${app.url}/api/me`, {
      headers: { 'x-voter-id': me },
    });
    expect(mine.body.proposed.map((i) => i.id)).toEqual([own]);
    expect(mine.body.voted.map((i) => i.id)).toEqual([ideaId]);
    expect(JSON.stringify(mine.body)).not.toMatch(/proposerHash|voterHashes/);
    expect((await getJson(`${app.url}/api/me`)).status).toBe(401);
    // Someone else's id deletes nothing of mine.
    const other = { 'x-voter-id': voterA };
    expect((await getJson(`${app.url}/api/me/ideas/${own}`, { method: 'DELETE', headers: other })).status).toBe(404);
    const before = (await getJson<{ votes: number }>(`${app.url}/api/ideas/${ideaId}`)).body.votes;
    const unvote = await getJson<{ votes: number }>(`${app.url}/api/me/votes/${ideaId}`, {
      method: 'DELETE',
      headers: { 'x-voter-id': me },
    });
    expect(unvote.body.votes).toBe(before - 1);
    expect(
      (await getJson(`${app.url}/api/me/ideas/${own}`, { method: 'DELETE', headers: { 'x-voter-id': me } })).status,
    ).toBe(200);
    expect((await getJson(`${app.url}/api/ideas/${own}`)).status).toBe(404);
    expect((await getJson(`${app.url}/api/me`, { headers: { 'x-voter-id': me } })).body).toEqual({
      proposed: [],
      voted: [],
    });
  });

  it('takes comments', async () => {
    const c = await postJson(`${app.url}/api/ideas/${ideaId}/comments`, {
      text: 'Boa ideia, no verão não se pode lá estar.',
      author: 'Luís',
    });
    expect(c.status).toBe(201);
    expect((await postJson(`${app.url}/api/ideas/${ideaId}/comments`, { text: '' })).status).toBe(400);
    const idea = await getJson<{ comments: { text: string }[] }>(`${app.url}/api/ideas/${ideaId}`);
    expect(idea.body.comments.map((x) => x.text)).toEqual(['Boa ideia, no verão não se pode lá estar.']);
  });

  it('lets only moderators change the status; rejected ideas leave the public list and close voting', async () => {
    expect((await postJson(`${app.url}/api/ideas/${ideaId}/status`, { status: 'accepted' })).status).toBe(401);
    const auth = { authorization: `Bearer ${adminToken(dataDir)}` };
    expect((await postJson(`${app.url}/api/ideas/${ideaId}/status`, { status: 'approved' }, auth)).status).toBe(400);
    const rejected = await postJson(
      `${app.url}/api/ideas/${ideaId}/status`,
      { status: 'rejected', note: 'Já previsto no orçamento de 2027.' },
      auth,
    );
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', moderationNote: 'Já previsto no orçamento de 2027.' });
    expect((await getJson<IdeaList>(`${app.url}/api/ideas`)).body.ideas.map((i) => i.id)).not.toContain(ideaId);
    expect((await getJson<IdeaList>(`${app.url}/api/ideas?status=rejected`)).body.ideas.map((i) => i.id)).toEqual([
      ideaId,
    ]);
    expect((await postJson(`${app.url}/api/ideas/${ideaId}/votes`, {})).status).toBe(409);
    expect((await postJson(`${app.url}/api/ideas/${ideaId}/status`, { status: 'accepted' }, auth)).body).toMatchObject({
      status: 'accepted',
    });
  });

  it('keeps ideas, votes and who voted across a restart of the process', async () => {
    await app.stop();
    app = await startApp('participa', { dataDir });
    const idea = await getJson<{ votes: number; comments: unknown[] }>(`${app.url}/api/ideas/${ideaId}`);
    expect(idea.body).toMatchObject({ votes: 2 });
    expect(idea.body.comments).toHaveLength(1);
    expect((await postJson(`${app.url}/api/ideas/${ideaId}/votes`, {}, { 'x-voter-id': voterA })).status).toBe(409);
  });

  it('votes from the browser form with a voter cookie, once', async () => {
    const first = await fetch(`${app.url}/ideas/${ideaId}/vote`, { method: 'POST', redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`/ideas/${ideaId}?notice=voted`);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/^voter=/);
    const second = await fetch(`${app.url}/ideas/${ideaId}/vote`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie },
    });
    expect(second.headers.get('location')).toBe(`/ideas/${ideaId}?notice=already-voted`);
    const page = await (await fetch(`${app.url}/ideas/${ideaId}?lang=pt`)).text();
    expect(page).toContain('<html lang="pt">');
    expect(page).toContain('3 votos');
  });

  it('lets moderators sign in with the admin token and set statuses from the moderation page', async () => {
    const form = (fields: Record<string, string>, cookie?: string): RequestInit => ({
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams(fields),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie === undefined ? {} : { cookie }) },
    });
    expect(await (await fetch(`${app.url}/moderation?lang=en`)).text()).toMatch(
      /<label for="m-token">Moderator key<\/label\s*>/,
    );
    const wrong = await fetch(`${app.url}/moderation/login`, form({ token: 'not-the-token' }));
    expect(wrong.headers.get('location')).toBe('/moderation?wrong=1');
    const ok = await fetch(`${app.url}/moderation/login`, form({ token: adminToken(dataDir) }));
    const cookie = (ok.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(ok.headers.get('set-cookie')).toMatch(/Path=\/moderation; .*HttpOnly/);
    const page = await (await fetch(`${app.url}/moderation?lang=en`, { headers: { cookie } })).text();
    expect(page).toContain(`action="/moderation/ideas/${ideaId}/status"`);
    const set = await fetch(
      `${app.url}/moderation/ideas/${ideaId}/status`,
      form({ status: 'done', note: 'Feito em 2026.' }, cookie),
    );
    expect(set.status).toBe(303);
    expect((await getJson(`${app.url}/api/ideas/${ideaId}`)).body).toMatchObject({
      status: 'done',
      moderationNote: 'Feito em 2026.',
    });
    expect((await fetch(`${app.url}/moderation/ideas/${ideaId}/status`, form({ status: 'accepted' }))).status).toBe(
      401,
    );
  });

  it('speaks the language of a city that replicates it (Thessaloniki: Greek, then English)', async () => {
    await app.stop();
    app = await startApp('participa', {
      dataDir,
      config: {
        city: { name: 'thessaloniki', displayName: 'Δήμος Θεσσαλονίκης' },
        languages: ['el', 'en'],
        parameters: { parishes: ['Kentro', 'Toumba'] },
      },
    });
    const page = await (await fetch(`${app.url}/propose`)).text();
    expect(page).toContain('<html lang="el">');
    expect(page).toContain('Προτείνετε μια ιδέα');
    expect(page).toContain('<option value="Toumba">Toumba</option>');
    expect(page).not.toContain('Português');
    const en = await (await fetch(`${app.url}/?lang=en`)).text();
    expect(en).toContain('Ideas for the city');
  });
});

describe('participa write guard', () => {
  let app: RunningApp;
  beforeAll(async () => {
    buildTemplate('participa');
    app = await startApp('participa', {
      dataDir: tempDataDir('participa-guard'),
      env: { STORM_WRITE_LIMIT_PER_MINUTE: '3' },
    });
  });
  afterAll(async () => app?.stop());

  it('refuses votes a page on another site makes the browser send', async () => {
    const [idea] = (await getJson<IdeaList>(`${app.url}/api/ideas`)).body.ideas;
    const r = await fetch(`${app.url}/ideas/${idea!.id}/vote`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(r.status).toBe(403);
    expect((await getJson<{ votes: number }>(`${app.url}/api/ideas/${idea!.id}`)).body.votes).toBe(idea!.votes);
  });

  it('limits changes per address and minute, saying when to retry', async () => {
    const [idea] = (await getJson<IdeaList>(`${app.url}/api/ideas`)).body.ideas;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await postJson(`${app.url}/api/ideas/${idea!.id}/votes`, {})).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    const r = await postJson(`${app.url}/api/ideas/${idea!.id}/votes`, {});
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${app.url}/api/ideas`)).status).toBe(200);
  });
});
