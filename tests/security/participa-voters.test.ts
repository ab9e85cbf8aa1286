/**
 * Attacks on participa's "one vote per person": votes with voter ids the
 * server did not issue (made up, altered, or signed by another deployment),
 * and the secret that signs them leaking into the artifact or to other users.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningApp,
  buildTemplate,
  getJson,
  postJson,
  repoRoot,
  startApp,
  tempDataDir,
} from '../templates/app-process';

type Idea = { id: string; votes: number };

describe('participa voter ids', () => {
  let app: RunningApp;
  let other: RunningApp;
  let idea: Idea;
  const votes = async (): Promise<number> => (await getJson<Idea>(`${app.url}/api/ideas/${idea.id}`)).body.votes;

  beforeAll(async () => {
    buildTemplate('participa');
    app = await startApp('participa', { dataDir: tempDataDir('sec-participa') });
    other = await startApp('participa', { dataDir: tempDataDir('sec-participa-other') });
    idea = (await getJson<{ ideas: Idea[] }>(`${app.url}/api/ideas`)).body.ideas[0] as Idea;
  });
  afterAll(async () => {
    await app?.stop();
    await other?.stop();
  });

  it('refuses a made-up X-Voter-Id with a 400 that says why, and counts nothing', async () => {
    const before = await votes();
    for (const forged of ['voter-a-0123456789abcdef', 'AAAAAAAAAAAAAAAAAAAAAAAA.BBBB', '', 'x'.repeat(500)]) {
      const r = await postJson(`${app.url}/api/ideas/${idea.id}/votes`, {}, { 'x-voter-id': forged });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: { field: 'x-voter-id', reason: 'voter-not-issued' } });
      expect(String((r.body.error as { message: string }).message)).toMatch(
        /X-Voter-Id header holds a voter id this site did not issue .* the vote was not counted/,
      );
      expect(r.headers.get('set-cookie')).toBeNull();
    }
    expect(await votes()).toBe(before);
  });

  it('refuses an issued id whose signature was altered, and one signed by another deployment', async () => {
    const issued = String((await postJson(`${other.url}/api/ideas/${idea.id}/votes`, {})).body.voterId);
    expect(issued).toMatch(/\./);
    const before = await votes();
    const foreign = await postJson(`${app.url}/api/ideas/${idea.id}/votes`, {}, { 'x-voter-id': issued });
    expect(foreign.status).toBe(400);
    const mine = String((await postJson(`${app.url}/api/ideas/${idea.id}/votes`, {})).body.voterId);
    const last = mine.at(-1) === 'A' ? 'B' : 'A';
    const altered = await postJson(
      `${app.url}/api/ideas/${idea.id}/votes`,
      {},
      { 'x-voter-id': `${mine.slice(0, -1)}${last}` },
    );
    expect(altered.status).toBe(400);
    // The id part swapped for another: the signature no longer matches.
    const swapped = `${'A'.repeat(24)}${mine.slice(24)}`;
    expect((await postJson(`${app.url}/api/ideas/${idea.id}/votes`, {}, { 'x-voter-id': swapped })).status).toBe(400);
    expect(await votes()).toBe(before + 1);
    expect((await postJson(`${app.url}/api/ideas/${idea.id}/votes`, {}, { 'x-voter-id': mine })).status).toBe(409);
  });

  it('refuses a forged voter cookie from the browser form, clears it and counts nothing', async () => {
    const before = await votes();
    const r = await fetch(`${app.url}/ideas/${idea.id}/vote?lang=en`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: 'voter=voter-a-0123456789abcdef' },
    });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain(
      'Your browser sent a voter id this site did not issue, so the vote did not count.',
    );
    expect(r.headers.get('set-cookie')).toMatch(/^voter=; Path=\/; Max-Age=0; SameSite=Lax; HttpOnly/);
    expect(await votes()).toBe(before);
  });

  it('keeps the signing key in the data directory, 0600, never in the artifact', async () => {
    const keyFile = path.join(app.dataDir, 'signing-key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = fs.readFileSync(keyFile, 'utf8').trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toBe(fs.readFileSync(path.join(other.dataDir, 'signing-key'), 'utf8').trim());
    const artifactFiles = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? artifactFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const root = path.join(repoRoot, 'templates', 'participa');
    for (const f of [...artifactFiles(path.join(root, 'dist')), ...artifactFiles(path.join(root, 'seed'))])
      expect(fs.readFileSync(f, 'utf8')).not.toContain(key);
  });

  it('uses a signing key the operator names, so instances sharing it accept each other’s voters', async () => {
    const shared = path.join(tempDataDir('sec-participa-key'), 'voter-key');
    fs.writeFileSync(shared, 'an-operator-chosen-key-0123456789abcdef\n', { mode: 0o600 });
    const a = await startApp('participa', { dataDir: tempDataDir('sec-a'), config: { signingKeyFile: shared } });
    const b = await startApp('participa', { dataDir: tempDataDir('sec-b'), config: { signingKeyFile: shared } });
    try {
      const id = String((await postJson(`${a.url}/api/ideas/${idea.id}/votes`, {})).body.voterId);
      const r = await postJson(`${b.url}/api/ideas/${idea.id}/votes`, {}, { 'x-voter-id': id });
      expect(r.status).toBe(201);
      expect(r.body.voterId).toBeUndefined();
      expect(fs.existsSync(path.join(a.dataDir, 'signing-key'))).toBe(false);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('does not start with a signing key other users can read, and says how to fix it', async () => {
    const dataDir = tempDataDir('sec-loose');
    fs.writeFileSync(path.join(dataDir, 'signing-key'), 'a-key-anyone-on-the-host-can-read-0123\n', { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, 'signing-key'), 0o644);
    await expect(startApp('participa', { dataDir })).rejects.toThrow(
      /signing key in .*signing-key can be read by other users \(mode 0644\); run: chmod 600/,
    );
  });
});
