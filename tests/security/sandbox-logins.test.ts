/**
 * Issue 10, item 1: the sandbox's logins are not devstack's public admin/admin
 * and demo/demo. Each data directory gets random passwords, kept 0600 in a 0700
 * directory, stable across restarts; a directory seeded before gets new ones and
 * its old tokens stop working.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOGINS_FILE } from '../../src/sandbox/core/logins';
import { SqliteStore } from '../../src/sandbox/core/store';
import { call, passwordAuth, sandboxLogin, startTestSandbox } from '../sandbox/helpers';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function newDataDir(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-sec-logins-'));
  roots.push(root);
  return path.join(root, 'data');
}

async function signIn(url: string, user: string, password: string): Promise<number> {
  return (await call(`${url}/identity/v3/auth/tokens`, { method: 'POST', body: passwordAuth(user, password, user) }))
    .status;
}

describe('sandbox logins', () => {
  it('refuses admin/admin and demo/demo; the generated passwords work', async () => {
    const sb = await startTestSandbox({ dataDir: newDataDir() });
    try {
      expect(await signIn(sb.url, 'admin', 'admin')).toBe(401);
      expect(await signIn(sb.url, 'demo', 'demo')).toBe(401);
      const admin = sandboxLogin(sb, 'admin');
      const demo = sandboxLogin(sb, 'demo');
      expect(admin.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(demo.password).not.toBe(admin.password);
      expect(await signIn(sb.url, 'admin', admin.password)).toBe(201);
      expect(await signIn(sb.url, 'demo', demo.password)).toBe(201);
    } finally {
      await sb.close();
    }
  });

  it('keeps them in <data>/logins.json, 0600 in a 0700 directory, the same after a restart', async () => {
    const dataDir = newDataDir();
    const first = await startTestSandbox({ dataDir });
    const password = sandboxLogin(first, 'admin').password;
    await first.close();
    const file = path.join(dataDir, LOGINS_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ admin: password });
    const again = await startTestSandbox({ dataDir });
    try {
      expect(sandboxLogin(again, 'admin').password).toBe(password);
      expect(await signIn(again.url, 'admin', password)).toBe(201);
    } finally {
      await again.close();
    }
  });

  it('gives two data directories different passwords', async () => {
    const a = await startTestSandbox({ dataDir: newDataDir() });
    const b = await startTestSandbox({ dataDir: newDataDir() });
    try {
      expect(sandboxLogin(a, 'admin').password).not.toBe(sandboxLogin(b, 'admin').password);
      expect(await signIn(b.url, 'admin', sandboxLogin(a, 'admin').password)).toBe(401);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('moves a data directory seeded with admin/admin to new passwords and ends its old tokens', async () => {
    const dataDir = newDataDir();
    const first = await startTestSandbox({ dataDir });
    const old = await call(`${first.url}/identity/v3/auth/tokens`, {
      method: 'POST',
      body: passwordAuth('admin', sandboxLogin(first, 'admin').password, 'admin'),
    });
    const oldToken = old.headers.get('x-subject-token') ?? '';
    await first.close();
    // As an older storm left it: no logins file (its users had the devstack passwords).
    fs.rmSync(path.join(dataDir, LOGINS_FILE));
    const store = new SqliteStore(dataDir);
    store.close();
    const again = await startTestSandbox({ dataDir });
    try {
      const fresh = sandboxLogin(again, 'admin').password;
      expect(fresh).not.toBe(sandboxLogin(first, 'admin').password);
      expect(await signIn(again.url, 'admin', fresh)).toBe(201);
      expect(await signIn(again.url, 'admin', 'admin')).toBe(401);
      const check = await call(`${again.url}/identity/v3/projects`, { token: oldToken });
      expect(check.status).toBe(401);
    } finally {
      await again.close();
    }
  });
});
