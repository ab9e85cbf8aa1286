/**
 * Attacks on the pilots' rate limits: one machine changing its IPv6 address
 * inside its /64 at every request, a client writing X-Forwarded-For itself,
 * and one address minting voter after voter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, buildTemplate, getJson, postJson, startApp, tempDataDir } from '../templates/app-process';

type Idea = { id: string; votes: number };

async function firstIdea(app: RunningApp): Promise<Idea> {
  return (await getJson<{ ideas: Idea[] }>(`${app.url}/api/ideas`)).body.ideas[0] as Idea;
}

describe('participa behind a reverse proxy (the test process plays the proxy on 127.0.0.1)', () => {
  let app: RunningApp;
  beforeAll(async () => {
    buildTemplate('participa');
    app = await startApp('participa', {
      dataDir: tempDataDir('sec-proxy'),
      config: { trustedProxies: ['127.0.0.1'] },
      env: { STORM_WRITE_LIMIT_PER_MINUTE: '3' },
    });
  });
  afterAll(async () => app?.stop());

  it('limits changes from every address of one IPv6 /64 together, and other networks apart', async () => {
    const idea = await firstIdea(app);
    const from = (address: string) =>
      postJson(`${app.url}/api/ideas/${idea.id}/votes`, {}, { 'x-forwarded-for': address });
    const statuses: number[] = [];
    for (const address of [
      '2001:db8:1:2::a',
      '2001:db8:1:2::b',
      '2001:db8:1:2::c',
      '2001:db8:1:2::d',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
    ])
      statuses.push((await from(address)).status);
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    const refused = await from('2001:db8:1:2:abcd::1');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: { message: expect.stringMatching(/too many changes/) } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await from('2001:db8:1:3::a')).status).toBe(201);
    expect((await from('198.51.100.7')).status).toBe(201);
    expect((await from('198.51.100.8')).status).toBe(201);
  });
});

describe('participa reached directly', () => {
  let app: RunningApp;
  beforeAll(async () => {
    buildTemplate('participa');
    app = await startApp('participa', {
      dataDir: tempDataDir('sec-direct'),
      config: { parameters: { newVotersPerAddressPerDay: 2 } },
      env: { STORM_WRITE_LIMIT_PER_MINUTE: '10' },
    });
  });
  afterAll(async () => app?.stop());

  it('ignores X-Forwarded-For written by a client that is not a trusted proxy', async () => {
    const idea = await firstIdea(app);
    const statuses: number[] = [];
    // Each request claims another address; all of them come from 127.0.0.1, and count there.
    for (let i = 0; i < 12; i++)
      statuses.push(
        (
          await postJson(
            `${app.url}/api/ideas/${idea.id}/comments`,
            { text: `c${i}` },
            { 'x-forwarded-for': `203.0.113.${i}` },
          )
        ).status,
      );
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
  });

  it('caps the new voters one address may become per day, while known voters still vote', async () => {
    await app.stop();
    app = await startApp('participa', {
      dataDir: app.dataDir,
      config: { parameters: { newVotersPerAddressPerDay: 2 } },
    });
    const ideas = (await getJson<{ ideas: Idea[] }>(`${app.url}/api/ideas`)).body.ideas;
    const [one, two] = ideas as [Idea, Idea];
    const first = await postJson(`${app.url}/api/ideas/${one.id}/votes`, {});
    const second = await postJson(`${app.url}/api/ideas/${one.id}/votes`, {});
    expect([first.status, second.status]).toEqual([201, 201]);
    const third = await postJson(`${app.url}/api/ideas/${one.id}/votes`, {});
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({
      error: { reason: 'too-many-voters', message: expect.stringMatching(/too many new voters .* \(at most 2\)/) },
    });
    expect((await getJson<Idea>(`${app.url}/api/ideas/${one.id}`)).body.votes).toBe(one.votes + 2);
    const known = await postJson(
      `${app.url}/api/ideas/${two.id}/votes`,
      {},
      { 'x-voter-id': String(first.body.voterId) },
    );
    expect(known.status).toBe(201);
    const form = await fetch(`${app.url}/ideas/${one.id}/vote?lang=en`, { method: 'POST', redirect: 'manual' });
    expect(form.status).toBe(429);
    expect(await form.text()).toContain('Too many new voters voted from your network today.');
  });
});
