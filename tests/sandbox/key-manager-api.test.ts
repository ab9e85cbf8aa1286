/**
 * Barbican over real HTTP against an in-process sandbox whose clock the test
 * moves: secrets with payloads (text and binary, at creation or by one PUT),
 * metadata, expiration, paging; containers and their secret references and
 * consumers; read ACLs; other projects; Barbican's error bodies; and no
 * payload in the request log.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_LOG_FILE } from '../../src/sandbox/server.js';
import { type Answer, call, issueToken, sandboxLogin, startTestSandbox, type TestSandbox } from './helpers.js';

let sb: TestSandbox;
let admin: string;
let demo: string;
let demoUserId: string;
const KM = '/key-manager/v1';
const PAYLOAD = 'not-for-the-log-4f1d2c';

async function api(
  method: string,
  p: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  // A DELETE with a body needs its length said (node sends it neither chunked nor sized by default).
  const sized = text === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(text)) };
  return call(`${sb.url}${p}`, { method, token, headers: sized, ...(text === undefined ? {} : { body: text }) });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (a: Answer): any => a.json;
const idOf = (ref: string): string => ref.split('/').pop() ?? '';

async function newSecret(token: string, body: Record<string, unknown> = {}): Promise<string> {
  const a = await api('POST', `${KM}/secrets`, token, body);
  expect(a.status, a.text).toBe(201);
  return json(a).secret_ref as string;
}

beforeAll(async () => {
  sb = await startTestSandbox();
  const a = sandboxLogin(sb, 'admin');
  const d = sandboxLogin(sb, 'demo');
  admin = (await issueToken(sb.url, a.user, a.password, a.project)).token;
  const issued = await issueToken(sb.url, d.user, d.password, d.project);
  demo = issued.token;
  demoUserId = issued.body.token.user.id;
});

afterAll(async () => {
  await sb?.close();
});

describe('secrets', () => {
  it('are in the catalog as key-manager, unversioned, with v1 below', async () => {
    const d = sandboxLogin(sb, 'demo');
    const issued = await issueToken(sb.url, d.user, d.password, d.project);
    const entry = issued.body.token.catalog.find((c) => c.type === 'key-manager');
    expect(entry?.endpoints.find((e) => e.interface === 'public')?.url).toBe(`${sb.url}/key-manager`);
    const versions = await call(`${sb.url}/key-manager/`);
    expect(versions.status).toBe(300);
    expect(json(versions).versions.values[0].id).toBe('v1');
  });

  it('stores a text payload at creation and gives it back in its content type', async () => {
    const ref = await newSecret(admin, {
      name: 'db-password',
      payload: PAYLOAD,
      payload_content_type: 'text/plain;charset=utf-8',
      secret_type: 'passphrase',
    });
    expect(ref).toMatch(new RegExp(`^${sb.url}${KM}/secrets/[0-9a-f-]{36}$`));
    const meta = await api('GET', `${KM}/secrets/${idOf(ref)}`, admin, undefined, { accept: 'application/json' });
    expect(meta.status).toBe(200);
    expect(json(meta)).toMatchObject({
      name: 'db-password',
      secret_ref: ref,
      secret_type: 'passphrase',
      status: 'ACTIVE',
      content_types: { default: 'text/plain' },
      expiration: null,
      algorithm: null,
      bit_length: null,
    });
    expect(json(meta).created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const payload = await api('GET', `${KM}/secrets/${idOf(ref)}/payload`, admin, undefined, { accept: 'text/plain' });
    expect(payload.status).toBe(200);
    expect(payload.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(payload.text).toBe(PAYLOAD);
    // The old style: GET of the secret with a non-JSON Accept is its payload.
    const old = await api('GET', `${KM}/secrets/${idOf(ref)}`, admin, undefined, { accept: 'text/plain' });
    expect(old.text).toBe(PAYLOAD);
    const wrong = await api('GET', `${KM}/secrets/${idOf(ref)}/payload`, admin, undefined, { accept: 'image/png' });
    expect(wrong.status).toBe(406);
  });

  it('takes a payload later by one PUT (text or base64 binary), never a second', async () => {
    const ref = await newSecret(admin, { name: 'later' });
    const id = idOf(ref);
    expect(json(await api('GET', `${KM}/secrets/${id}`, admin)).content_types).toBeUndefined();
    const noPayload = await api('GET', `${KM}/secrets/${id}/payload`, admin);
    expect(noPayload.status).toBe(404);
    const jsonPut = await api('PUT', `${KM}/secrets/${id}`, admin, '{}');
    expect(jsonPut.status).toBe(415);
    expect(json(jsonPut)).toEqual({
      code: 415,
      title: 'Unsupported Media Type',
      description: "Content-Type of 'application/json' is not supported for PUT.",
    });
    const put = await api('PUT', `${KM}/secrets/${id}`, admin, 'hello', { 'content-type': 'text/plain' });
    expect(put.status).toBe(204);
    const again = await api('PUT', `${KM}/secrets/${id}`, admin, 'bye', { 'content-type': 'text/plain' });
    expect(again.status).toBe(409);
    expect(json(again).description).toBe('Secret already has data, cannot modify it.');

    const bin = idOf(await newSecret(admin, { name: 'key' }));
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const putBin = await api('PUT', `${KM}/secrets/${bin}`, admin, bytes.toString('base64'), {
      'content-type': 'application/octet-stream',
      'content-encoding': 'base64',
    });
    expect(putBin.status).toBe(204);
    const got = await call(`${sb.url}${KM}/secrets/${bin}/payload`, {
      token: admin,
      headers: { accept: 'application/octet-stream' },
    });
    expect(Buffer.from(got.text, 'latin1').length).toBeGreaterThan(0);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');

    const created = await newSecret(admin, {
      payload: bytes.toString('base64'),
      payload_content_type: 'application/octet-stream',
      payload_content_encoding: 'base64',
    });
    const meta = await api('GET', `${KM}/secrets/${idOf(created)}`, admin);
    expect(json(meta).content_types).toEqual({ default: 'application/octet-stream' });
  });

  it('refuses what Barbican refuses, in its words', async () => {
    const noType = await api('POST', `${KM}/secrets`, admin, { payload: 'x' });
    expect(noType.status).toBe(400);
    expect(json(noType)).toMatchObject({ code: 400, title: 'Bad Request' });
    expect(json(noType).description).toMatch(
      /^Provided object does not match schema 'Secret': .*'payload_content_type'/,
    );
    const empty = await api('POST', `${KM}/secrets`, admin, { payload: '', payload_content_type: 'text/plain' });
    expect(empty.status).toBe(400);
    const noEncoding = await api('POST', `${KM}/secrets`, admin, {
      payload: 'AAEC',
      payload_content_type: 'application/octet-stream',
    });
    expect(noEncoding.status).toBe(400);
    const badType = await api('POST', `${KM}/secrets`, admin, { secret_type: 'banana' });
    expect(badType.status).toBe(400);
    const past = await api('POST', `${KM}/secrets`, admin, { expiration: '2001-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(json(past).description).toMatch(/expiration/);
    const big = await api('POST', `${KM}/secrets`, admin, {
      payload: 'x'.repeat(20001),
      payload_content_type: 'text/plain',
    });
    expect(big.status).toBe(413);
    const missing = await api('GET', `${KM}/secrets/00000000-0000-4000-8000-000000000000`, admin);
    expect(missing.status).toBe(404);
    expect(json(missing)).toEqual({ code: 404, title: 'Not Found', description: 'Secret not found.' });
  });

  it('expire: gone from reads and listings once the expiration passes', async () => {
    const soon = new Date(Date.now() + 60_000).toISOString().slice(0, 19);
    const ref = await newSecret(demo, { name: 'short-lived', expiration: soon });
    const meta = await api('GET', `${KM}/secrets/${idOf(ref)}`, demo);
    expect(json(meta).expiration).toBe(soon);
    sb.advance(61_000);
    expect((await api('GET', `${KM}/secrets/${idOf(ref)}`, demo)).status).toBe(404);
    const list = await api('GET', `${KM}/secrets?name=short-lived`, demo);
    expect(json(list).total).toBe(0);
  });

  it('list with limit, offset and filters, newest last, with next and previous', async () => {
    for (let i = 0; i < 5; i += 1) await newSecret(demo, { name: `page-${i % 2}`, algorithm: 'aes', bit_length: 256 });
    const first = await api('GET', `${KM}/secrets?limit=2&alg=aes`, demo);
    expect(json(first).total).toBe(5);
    expect(json(first).secrets).toHaveLength(2);
    expect(json(first).next).toBe(`${sb.url}${KM}/secrets?limit=2&offset=2`);
    expect(json(first).previous).toBeUndefined();
    const last = await api('GET', `${KM}/secrets?limit=2&offset=4&alg=aes`, demo);
    expect(json(last).secrets).toHaveLength(1);
    expect(json(last).previous).toBe(`${sb.url}${KM}/secrets?limit=2&offset=2`);
    const named = await api('GET', `${KM}/secrets?name=page-1`, demo);
    expect(json(named).total).toBe(2);
    expect(json(named).secrets.every((s: { name: string }) => s.name === 'page-1')).toBe(true);
  });

  it('keep user metadata', async () => {
    const id = idOf(await newSecret(demo, { name: 'with-meta' }));
    const put = await api('PUT', `${KM}/secrets/${id}/metadata`, demo, { metadata: { City: 'valladolid' } });
    expect(put.status).toBe(201);
    expect(json(put).metadata_ref).toBe(`${sb.url}${KM}/secrets/${id}/metadata`);
    expect(json(await api('GET', `${KM}/secrets/${id}/metadata`, demo)).metadata).toEqual({ city: 'valladolid' });
    expect((await api('POST', `${KM}/secrets/${id}/metadata`, demo, { key: 'tier', value: 'web' })).status).toBe(201);
    expect((await api('POST', `${KM}/secrets/${id}/metadata`, demo, { key: 'tier', value: 'x' })).status).toBe(409);
    const upd = await api('PUT', `${KM}/secrets/${id}/metadata/tier`, demo, { key: 'tier', value: 'db' });
    expect(json(upd)).toEqual({ key: 'tier', value: 'db' });
    expect((await api('DELETE', `${KM}/secrets/${id}/metadata/tier`, demo)).status).toBe(204);
    expect((await api('GET', `${KM}/secrets/${id}/metadata/tier`, demo)).status).toBe(404);
  });
});

describe('projects and ACLs', () => {
  it("another project's secret is refused (403), unlisted, and cannot be changed or deleted", async () => {
    const ref = await newSecret(admin, { name: 'admins-only', payload: PAYLOAD, payload_content_type: 'text/plain' });
    const id = idOf(ref);
    const get = await api('GET', `${KM}/secrets/${id}`, demo);
    expect(get.status).toBe(403);
    expect(json(get).description).toBe(
      'Secret retrieval attempt not allowed - please review your user/project privileges',
    );
    expect((await api('GET', `${KM}/secrets/${id}/payload`, demo)).status).toBe(403);
    expect((await api('DELETE', `${KM}/secrets/${id}`, demo)).status).toBe(403);
    expect((await api('PUT', `${KM}/secrets/${id}/acl`, demo, { read: { users: [demoUserId] } })).status).toBe(403);
    const list = await api('GET', `${KM}/secrets?name=admins-only`, demo);
    expect(json(list).total).toBe(0);
  });

  it('a read ACL shares a secret with a user of another project; project-access false keeps the creator', async () => {
    const id = idOf(await newSecret(admin, { name: 'shared', payload: PAYLOAD, payload_content_type: 'text/plain' }));
    expect(json(await api('GET', `${KM}/secrets/${id}/acl`, admin))).toEqual({ read: { 'project-access': true } });
    const put = await api('PUT', `${KM}/secrets/${id}/acl`, admin, {
      read: { users: [demoUserId], 'project-access': false },
    });
    expect(put.status).toBe(200);
    expect(json(put)).toEqual({ acl_ref: `${sb.url}${KM}/secrets/${id}/acl` });
    const acl = json(await api('GET', `${KM}/secrets/${id}/acl`, admin));
    expect(acl.read).toMatchObject({ 'project-access': false, users: [demoUserId] });
    const read = await api('GET', `${KM}/secrets/${id}/payload`, demo, undefined, { accept: 'text/plain' });
    expect(read.status).toBe(200);
    expect(read.text).toBe(PAYLOAD);
    expect(json(await api('GET', `${KM}/secrets?acl_only=true`, demo)).total).toBe(1);
    // The creator keeps access with project-access off; a PATCH changes only what it names.
    expect((await api('GET', `${KM}/secrets/${id}`, admin)).status).toBe(200);
    await api('PATCH', `${KM}/secrets/${id}/acl`, admin, { read: { 'project-access': true } });
    expect(json(await api('GET', `${KM}/secrets/${id}/acl`, admin)).read).toMatchObject({
      'project-access': true,
      users: [demoUserId],
    });
    expect((await api('DELETE', `${KM}/secrets/${id}/acl`, admin)).status).toBe(200);
    expect((await api('GET', `${KM}/secrets/${id}`, demo)).status).toBe(403);
    const bad = await api('PUT', `${KM}/secrets/${id}/acl`, admin, { write: { users: [] } });
    expect(bad.status).toBe(400);
  });
});

describe('containers', () => {
  it('certificate containers name their parts; wrong names, a missing certificate or a foreign secret are refused', async () => {
    const cert = await newSecret(demo, { payload: 'CERT', payload_content_type: 'text/plain' });
    const key = await newSecret(demo, { payload: 'KEY', payload_content_type: 'text/plain' });
    const foreign = await newSecret(admin, { payload: 'X', payload_content_type: 'text/plain' });
    const create = await api('POST', `${KM}/containers`, demo, {
      name: 'web-tls',
      type: 'certificate',
      secret_refs: [
        { name: 'certificate', secret_ref: cert },
        { name: 'private_key', secret_ref: key },
      ],
    });
    expect(create.status).toBe(201);
    const ref = json(create).container_ref as string;
    const got = json(await api('GET', `${KM}/containers/${idOf(ref)}`, demo));
    expect(got).toMatchObject({ name: 'web-tls', type: 'certificate', status: 'ACTIVE', container_ref: ref });
    expect(got.secret_refs).toEqual([
      { name: 'certificate', secret_ref: cert },
      { name: 'private_key', secret_ref: key },
    ]);
    const wrongName = await api('POST', `${KM}/containers`, demo, {
      type: 'certificate',
      secret_refs: [
        { name: 'certificate', secret_ref: cert },
        { name: 'cert2', secret_ref: key },
      ],
    });
    expect(wrongName.status).toBe(400);
    const noCert = await api('POST', `${KM}/containers`, demo, {
      type: 'certificate',
      secret_refs: [{ name: 'private_key', secret_ref: key }],
    });
    expect(noCert.status).toBe(400);
    const other = await api('POST', `${KM}/containers`, demo, {
      type: 'certificate',
      secret_refs: [{ name: 'certificate', secret_ref: foreign }],
    });
    expect(other.status).toBe(404);
    expect(json(other).description).toBe("Secret provided for 'certificate' doesn't exist.");
    expect((await api('GET', `${KM}/containers/${idOf(ref)}`, admin)).status).toBe(403);
    const add = await api('POST', `${KM}/containers/${idOf(ref)}/secrets`, demo, {
      name: 'intermediates',
      secret_ref: cert,
    });
    expect(add.status).toBe(400);
    expect(json(add).description).toBe("Only 'generic' containers can be modified.");
  });

  it('generic containers gain and lose secret references; consumers register; delete', async () => {
    const a = await newSecret(demo, { payload: 'A', payload_content_type: 'text/plain' });
    const b = await newSecret(demo, { payload: 'B', payload_content_type: 'text/plain' });
    const ref = json(
      await api('POST', `${KM}/containers`, demo, {
        name: 'bag',
        type: 'generic',
        secret_refs: [{ name: 'a', secret_ref: a }],
      }),
    ).container_ref as string;
    const id = idOf(ref);
    expect((await api('POST', `${KM}/containers/${id}/secrets`, demo, { name: 'b', secret_ref: b })).status).toBe(201);
    expect((await api('POST', `${KM}/containers/${id}/secrets`, demo, { name: 'b', secret_ref: b })).status).toBe(409);
    expect((await api('DELETE', `${KM}/containers/${id}/secrets`, demo, { name: 'a', secret_ref: a })).status).toBe(
      204,
    );
    expect((await api('DELETE', `${KM}/containers/${id}/secrets`, demo, { name: 'a', secret_ref: a })).status).toBe(
      404,
    );
    expect(json(await api('GET', `${KM}/containers/${id}`, demo)).secret_refs).toEqual([{ name: 'b', secret_ref: b }]);
    const consumer = { name: 'octavia', URL: 'https://lb.example/v2/lbaas/listeners/1' };
    const reg = await api('POST', `${KM}/containers/${id}/consumers`, demo, consumer);
    expect(reg.status).toBe(200);
    expect(json(reg).consumers).toEqual([consumer]);
    expect(json(await api('GET', `${KM}/containers/${id}/consumers`, demo)).total).toBe(1);
    expect((await api('DELETE', `${KM}/containers/${id}/consumers`, demo, consumer)).status).toBe(200);
    const list = json(await api('GET', `${KM}/containers?name=bag`, demo));
    expect(list.total).toBe(1);
    expect((await api('DELETE', `${KM}/containers/${id}`, demo)).status).toBe(204);
    const gone = await api('GET', `${KM}/containers/${id}`, demo);
    expect(gone.status).toBe(404);
    expect(json(gone).description).toBe('Secret container not found.');
  });
});

describe('the request log', () => {
  it('never holds a payload', () => {
    const log = fs.readFileSync(path.join(sb.dataDir, REQUEST_LOG_FILE), 'utf8');
    expect(log).toContain('/key-manager/v1/secrets');
    expect(log).not.toContain(PAYLOAD);
  });
});
