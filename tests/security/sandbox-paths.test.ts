/**
 * Issue 10, item 1: nothing a tenant sends reaches the host's file system. Each
 * test performs the attack against a running sandbox whose data directory has a
 * canary beside it, and checks the refusal and that the canary is untouched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, loginToken, startTestSandbox, type TestSandbox } from '../sandbox/helpers';
import { type Canary, sandboxRoot, treeOf } from './support';

let sb: TestSandbox;
let root: string;
let canary: Canary;
let demo: string;

beforeAll(async () => {
  const r = sandboxRoot();
  root = r.root;
  canary = r.canary;
  sb = await startTestSandbox({ dataDir: r.dataDir });
  demo = await loginToken(sb, 'demo');
});
afterAll(async () => {
  await sb.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const outsideDataDir = (): string[] => treeOf(root).filter((p) => p !== 'data' && !p.startsWith(`data${path.sep}`));

describe('Glance image ids', () => {
  const traversals = [
    '../../canary/secret.txt',
    '../canary/secret.txt',
    '..%2F..%2Fcanary%2Fsecret.txt',
    '/etc/passwd',
  ];

  it.each(traversals)('refuses to create an image with id %s (400, as Glance: ids are UUIDs)', async (id) => {
    const a = await call(`${sb.url}/image/v2/images`, {
      method: 'POST',
      token: demo,
      body: JSON.stringify({ id, name: 'x', disk_format: 'raw', container_format: 'bare' }),
    });
    expect(a.status).toBe(400);
    expect(a.headers.get('content-type')).toContain('text/html');
    expect(a.text).toContain('Provided object does not match schema &#x27;image&#x27;');
    expect(a.text).toContain('does not match &#x27;^([0-9a-fA-F]){8}-');
    expect(canary.untouched()).toBe(true);
  });

  it('refuses a non-string id the way Glance words it', async () => {
    const a = await call(`${sb.url}/image/v2/images`, {
      method: 'POST',
      token: demo,
      body: JSON.stringify({ id: 42, name: 'x' }),
    });
    expect(a.status).toBe(400);
    expect(a.text).toContain('42 is not of type &#x27;string&#x27;');
  });

  it('upload, download and delete through a traversal in the URL never leave the data directory', async () => {
    for (const id of ['..%2F..%2Fcanary%2Fsecret.txt', '%2E%2E%2F%2E%2E%2Fcanary%2Fsecret.txt']) {
      const put = await call(`${sb.url}/image/v2/images/${id}/file`, {
        method: 'PUT',
        token: demo,
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.from('overwritten'),
      });
      expect(put.status).toBe(404);
      const get = await call(`${sb.url}/image/v2/images/${id}/file`, { token: demo });
      expect(get.status).toBe(404);
      expect(get.text).not.toContain(canary.content.trim());
      const del = await call(`${sb.url}/image/v2/images/${id}`, { method: 'DELETE', token: demo });
      expect(del.status).toBe(404);
    }
    expect(canary.untouched()).toBe(true);
  });

  it('accepts a client-chosen UUID (either case), and its bytes stay inside the data directory', async () => {
    const id = 'B2173DD3-7AD6-4362-BAA6-A68BCE3565CB';
    const a = await call(`${sb.url}/image/v2/images`, {
      method: 'POST',
      token: demo,
      body: JSON.stringify({ id, name: 'mine', disk_format: 'raw', container_format: 'bare' }),
    });
    expect(a.status).toBe(201);
    const put = await call(`${sb.url}/image/v2/images/${id}/file`, {
      method: 'PUT',
      token: demo,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from('bytes'),
    });
    expect(put.status).toBe(204);
    expect(fs.readFileSync(path.join(sb.dataDir, 'blobs', 'images', id), 'utf8')).toBe('bytes');
    expect(outsideDataDir()).toEqual(['canary', path.join('canary', 'secret.txt')]);
  });
});

describe('Swift object names', () => {
  it('an object named like a path outside the data directory is stored as bytes inside it', async () => {
    const admin = await loginToken(sb, 'admin');
    const projects = await call(`${sb.url}/identity/v3/auth/projects`, { token: admin });
    const adminProject = (projects.json as { projects: { id: string; name: string }[] }).projects.find(
      (p) => p.name === 'admin',
    )!.id;
    const account = `${sb.url}/object-store/v1/AUTH_${adminProject}`;
    expect((await call(`${account}/c`, { method: 'PUT', token: admin })).status).toBe(201);
    for (const name of ['..%2F..%2F..%2Fcanary%2Fsecret.txt', '%2E%2E/%2E%2E/%2E%2E/canary/secret.txt']) {
      const put = await call(`${account}/c/${name}`, { method: 'PUT', token: admin, body: 'overwritten' });
      expect([201, 400, 412]).toContain(put.status);
      const get = await call(`${account}/c/${name}`, { token: admin });
      expect(get.text).not.toContain(canary.content.trim());
      await call(`${account}/c/${name}`, { method: 'DELETE', token: admin });
    }
    expect(canary.untouched()).toBe(true);
    expect(outsideDataDir()).toEqual(['canary', path.join('canary', 'secret.txt')]);
  });
});

describe('Cinder volume ids', () => {
  it('a traversal in a volume URL or body never reaches the host: 404s, a sandbox-chosen UUID, nothing outside the data directory', async () => {
    const projects = await call(`${sb.url}/identity/v3/auth/projects`, { token: demo });
    const demoProject = (projects.json as { projects: { id: string; name: string }[] }).projects.find(
      (p) => p.name === 'demo',
    )!.id;
    const cinder = `${sb.url}/volume/v3/${demoProject}`;
    for (const id of ['..%2F..%2Fcanary%2Fsecret.txt', '%2E%2E%2F%2E%2E%2Fcanary', '..%2F..%2F..%2Fcanary']) {
      expect((await call(`${cinder}/volumes/${id}`, { token: demo })).status).toBe(404);
      expect((await call(`${cinder}/volumes/${id}`, { method: 'DELETE', token: demo })).status).toBe(404);
      const extend = await call(`${cinder}/volumes/${id}/action`, {
        method: 'POST',
        token: demo,
        body: JSON.stringify({ 'os-extend': { new_size: 2 } }),
      });
      expect(extend.status).toBe(404);
    }
    // Cinder chooses volume ids itself: an `id` in the body is not one.
    const made = await call(`${cinder}/volumes`, {
      method: 'POST',
      token: demo,
      body: JSON.stringify({ volume: { id: '../../canary/secret.txt', size: 1, name: '../../canary' } }),
    });
    const id = (made.json as { volume?: { id: string } }).volume?.id;
    if (made.status === 202) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    else expect(made.status).toBe(400);
    expect(canary.untouched()).toBe(true);
    expect(outsideDataDir()).toEqual(['canary', path.join('canary', 'secret.txt')]);
  });
});
