/**
 * Issue 10, item 1: the service runner executes code on the host, so only what
 * storm itself published runs, and nothing in a release pointer, a hint or an
 * artifact reaches a file outside the data directory. Each attack is performed
 * against a running sandbox (its runner included) with a canary beside it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarGzip } from '../../src/deploy/artifact';
import { type ReleasePointer, signReleasePointer } from '../../src/deploy/release';
import { floatingCidrFor } from '../../src/sandbox/core/floating-range';
import { call, issueToken, sandboxLogin, startTestSandbox, type TestSandbox } from '../sandbox/helpers';
import { testReleaseKey } from '../support/release-key';
import {
  RELEASE_KEY,
  bootWithUserData,
  type Canary,
  hintUserData,
  runnerEvents,
  sandboxRoot,
  serviceHint,
  treeOf,
  waitUntil,
} from './support';

let sb: TestSandbox;
let root: string;
let canary: Canary;
let account: string;
let adminToken: string;
let booted = 0;

const CONTAINER = 'storm-artifacts';
const APP = Buffer.from(
  "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), process.env.HOST);\n",
);

beforeAll(async () => {
  const r = sandboxRoot();
  root = r.root;
  canary = r.canary;
  sb = await startTestSandbox({ dataDir: r.dataDir, floatingCidr: floatingCidrFor(r.dataDir) });
  const admin = sandboxLogin(sb, 'admin');
  const issued = await issueToken(sb.url, admin.user, admin.password, admin.project);
  adminToken = issued.token;
  account = `${sb.url}/object-store/v1/AUTH_${issued.body.token.project.id}`;
  // Each attack boots its own server: more than the default 10 instances.
  const quota = await call(`${sb.url}/compute/v2.1/os-quota-sets/${issued.body.token.project.id}`, {
    method: 'PUT',
    token: adminToken,
    body: JSON.stringify({ quota_set: { instances: 40, cores: 80, ram: 40 * 2048 } }),
  });
  expect(quota.status).toBe(200);
  const c = await call(`${account}/${CONTAINER}`, {
    method: 'PUT',
    token: adminToken,
    headers: { 'x-container-read': '.r:*' },
  });
  expect(c.status).toBe(201);
});
afterAll(async () => {
  await sb.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const outsideDataDir = (): string[] => treeOf(root).filter((p) => p !== 'data' && !p.startsWith(`data${path.sep}`));

/** Publishes artifact + signed pointer as storm's deploy step does; returns the artifact URL. */
async function publish(
  name: string,
  artifact: Buffer,
  pointer: Record<string, unknown> = {},
  key = RELEASE_KEY.privateKey,
): Promise<string> {
  const url = `${account}/${CONTAINER}/${name}.tar.gz`;
  const put = await call(url, {
    method: 'PUT',
    token: adminToken,
    headers: { 'content-type': 'application/gzip' },
    body: artifact,
  });
  expect(put.status).toBe(201);
  const doc = {
    apiVersion: 'storm/v1',
    kind: 'Release',
    city: 'c',
    environment: 'e',
    service: name,
    template: name,
    version: '1.0.0',
    artifact: `${CONTAINER}/${name}.tar.gz`,
    sha256: createHash('sha256').update(artifact).digest('hex'),
    bytes: artifact.length,
    configSha256: '0'.repeat(64),
    ...pointer,
  };
  const p = await call(`${account}/${CONTAINER}/${name}.release.json`, {
    method: 'PUT',
    token: adminToken,
    headers: { 'content-type': 'application/json' },
    body: signReleasePointer(doc as unknown as ReleasePointer, key),
  });
  expect(p.status).toBe(201);
  return url;
}

async function boot(user: 'admin' | 'demo', hint: Record<string, unknown>): Promise<string> {
  booted += 1;
  return bootWithUserData(sb.url, sandboxLogin(sb, user), hintUserData(hint));
}

const eventsOf = (serverId: string) => runnerEvents(sb.dataDir).filter((e) => e.path === `/servers/${serverId}`);

async function errorOf(serverId: string): Promise<string> {
  await waitUntil(() => eventsOf(serverId).some((e) => e.method === 'ERROR'), 60_000);
  return eventsOf(serverId)
    .filter((e) => e.method === 'ERROR')
    .map((e) => e.message)
    .join('\n');
}

describe('the service runner', () => {
  it("runs storm's own service, never another project's (its user data is the tenant's to write)", async () => {
    const url = await publish('good', tarGzip([{ path: 'main.js', content: APP }]));
    const foreign = await boot('demo', serviceHint(url, { service: 'good' }));
    const own = await boot('admin', serviceHint(url, { service: 'good' }));
    expect(await waitUntil(() => eventsOf(own).some((e) => e.method === 'START'), 60_000)).toBe(true);
    // One more reconcile pass after storm's own server started: the foreign one was seen and skipped.
    await new Promise((r) => setTimeout(r, 1200));
    expect(eventsOf(foreign)).toEqual([]);
    expect(fs.existsSync(path.join(sb.dataDir, 'instances', foreign))).toBe(false);
  });

  it("refuses an artifact of another account even on storm's own server", async () => {
    const demo = await issueToken(sb.url, 'demo', sandboxLogin(sb, 'demo').password);
    const foreignUrl = `${sb.url}/object-store/v1/AUTH_${demo.body.token.project.id}/x/evil.tar.gz`;
    const own = await boot('admin', serviceHint(foreignUrl));
    await new Promise((r) => setTimeout(r, 1500));
    expect(eventsOf(own)).toEqual([]);
  });

  it('installs nothing without a release pointer, and refuses one signed by another key (item 4)', async () => {
    const artifact = tarGzip([{ path: 'main.js', content: APP }]);
    const url = `${account}/${CONTAINER}/nopointer.tar.gz`;
    const put = await call(url, { method: 'PUT', token: adminToken, body: artifact });
    expect(put.status).toBe(201);
    const bare = await boot('admin', serviceHint(url, { service: 'nopointer' }));
    expect(await errorOf(bare)).toContain('no release pointer has been published');
    const forged = await publish('forged', artifact, {}, testReleaseKey().privateKey);
    const id = await boot('admin', serviceHint(forged, { service: 'forged' }));
    expect(await errorOf(id)).toContain(
      "the release pointer's signature does not verify with this instance's release key",
    );
    await new Promise((r) => setTimeout(r, 1200));
    for (const server of [bare, id]) {
      expect(eventsOf(server).some((e) => e.method === 'START' || e.method === 'FETCH')).toBe(false);
      expect(fs.existsSync(path.join(sb.dataDir, 'instances', server, 'releases'))).toBe(false);
    }
  });

  it('refuses a release pointer whose version climbs out of the releases directory', async () => {
    for (const version of ['../../../../canary', '..', 'a/../../b']) {
      const name = `ver-${booted + 1}`;
      const url = await publish(name, tarGzip([{ path: 'main.js', content: APP }]), { version });
      const id = await boot('admin', serviceHint(url, { service: name }));
      expect(await errorOf(id)).toContain(`release pointer version ${JSON.stringify(version)} is refused`);
    }
    expect(canary.untouched()).toBe(true);
    expect(outsideDataDir()).toEqual(['canary', path.join('canary', 'secret.txt')]);
  });

  it('refuses an entry script outside the release', async () => {
    const url = await publish('entry', tarGzip([{ path: 'main.js', content: APP }]));
    for (const entry of ['../../../../canary/secret.txt', '/etc/passwd', 'a/./b.js']) {
      const id = await boot('admin', serviceHint(url, { service: 'entry', entry }));
      expect(await errorOf(id)).toContain(`entry ${JSON.stringify(entry)} must be a relative path inside the release`);
      expect(eventsOf(id).some((e) => e.method === 'START')).toBe(false);
    }
    expect(canary.untouched()).toBe(true);
  });

  it('refuses a gzip bomb: 200 KB that would unpack to 200 MiB', async () => {
    const member = zlib.gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 200 }, () => member));
    expect(bomb.length).toBeLessThan(300 * 1024);
    const url = await publish('bomb', bomb);
    const id = await boot('admin', serviceHint(url, { service: 'bomb' }));
    expect(await errorOf(id)).toContain('artifact unpacks to more than 134217728 bytes; refused');
    expect(fs.existsSync(path.join(sb.dataDir, 'instances', id, 'releases', '1.0.0'))).toBe(false);
  });

  it('refuses an artifact larger than its pointer says, and one larger than the download cap', async () => {
    const artifact = tarGzip([{ path: 'main.js', content: APP }]);
    const small = await publish('liar', artifact, { bytes: 10 });
    const a = await boot('admin', serviceHint(small, { service: 'liar' }));
    expect(await errorOf(a)).toContain('more than the 10 bytes allowed');
    const huge = await publish('huge', artifact, { bytes: 65 * 1024 * 1024 });
    const b = await boot('admin', serviceHint(huge, { service: 'huge' }));
    expect(await errorOf(b)).toContain('the sandbox runs artifacts of at most 67108864');
  });
});
