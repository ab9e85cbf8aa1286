/**
 * Issue 10, item 1: a web page cannot drive the sandbox through the browser
 * (DNS rebinding: a foreign Host header), no request body or crowd of requests
 * exhausts it, secrets in URLs stay out of its request log, and Glance's
 * web-download cannot be pointed at the host's own network.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAllowed, redactUrl } from '../../src/sandbox/server';
import { isPublicAddress } from '../../src/sandbox/core/egress';
import { call, loginToken, startTestSandbox, type TestSandbox } from '../sandbox/helpers';
import { type Canary, sandboxRoot } from './support';

let sb: TestSandbox;
let root: string;
let canary: Canary;
let demo: string;
let port: string;

beforeAll(async () => {
  const r = sandboxRoot();
  root = r.root;
  canary = r.canary;
  sb = await startTestSandbox({ dataDir: r.dataDir });
  demo = await loginToken(sb, 'demo');
  port = new URL(sb.url).port;
});
afterAll(async () => {
  await sb.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the Host header (DNS rebinding)', () => {
  it.each([
    ['evil.example', 'keystone JSON', '/identity/v3'],
    ['attacker.test', 'Nova JSON', '/compute/v2.1/servers'],
    ['127.0.0.1.nip.io', 'Swift HTML', '/object-store/v1/AUTH_x'],
  ])('refuses %s as host name (%s)', async (name, _style, p) => {
    const a = await call(`${sb.url}${p}`, { token: demo, headers: { host: `${name}:${port}` } });
    expect(a.status).toBe(400);
    expect(a.text).toContain('refused against DNS rebinding');
  });

  it('answers in the style of the service asked', async () => {
    const k = await call(`${sb.url}/identity/v3`, { headers: { host: `evil.example:${port}` } });
    expect(k.json).toMatchObject({ error: { code: 400, title: 'Bad Request' } });
    const n = await call(`${sb.url}/compute/v2.1/servers`, { token: demo, headers: { host: `evil.example:${port}` } });
    expect(n.json).toMatchObject({ badRequest: { code: 400 } });
    const g = await call(`${sb.url}/image/v2/images`, { token: demo, headers: { host: `evil.example:${port}` } });
    expect(g.headers.get('content-type')).toContain('text/html');
  });

  it('refuses a loopback address with another port, and a missing port', async () => {
    expect((await call(`${sb.url}/identity/v3`, { headers: { host: '127.0.0.1:1' } })).status).toBe(400);
    expect((await call(`${sb.url}/identity/v3`, { headers: { host: '127.0.0.1' } })).status).toBe(400);
  });

  it('accepts loopback names and addresses with its port', async () => {
    for (const name of ['127.0.0.1', 'localhost', '127.9.8.7', '[::1]', 'LOCALHOST'])
      expect((await call(`${sb.url}/identity/v3`, { headers: { host: `${name}:${port}` } })).status).toBe(200);
  });

  it('hostAllowed judges literal headers', () => {
    const url = 'http://127.0.0.1:8800';
    expect(hostAllowed('127.0.0.1:8800', '127.0.0.1', url)).toBe(true);
    expect(hostAllowed('localhost:8800', '127.0.0.1', url)).toBe(true);
    expect(hostAllowed('127.0.0.256:8800', '127.0.0.1', url)).toBe(false);
    expect(hostAllowed('localhost.evil.example:8800', '127.0.0.1', url)).toBe(false);
    expect(hostAllowed('10.0.0.5:8800', '127.0.0.1', url)).toBe(false);
    expect(hostAllowed('10.0.0.5:8800', '10.0.0.5', url)).toBe(true);
    expect(hostAllowed(undefined, '127.0.0.1', url)).toBe(false);
  });
});

describe('request size and concurrency', () => {
  it('refuses an API document over 1 MiB with 413 in the service style', async () => {
    const big = JSON.stringify({ server: { name: 'x'.repeat(1024 * 1024 + 10) } });
    const a = await call(`${sb.url}/compute/v2.1/servers`, { method: 'POST', token: demo, body: big });
    expect(a.status).toBe(413);
    expect(a.json).toMatchObject({ overLimit: { code: 413 } });
    const k = await call(`${sb.url}/identity/v3/auth/tokens`, { method: 'POST', body: big });
    expect(k.status).toBe(413);
  });

  it('takes an image upload over 1 MiB (uploads have their own 256 MiB limit)', async () => {
    const c = await call(`${sb.url}/image/v2/images`, {
      method: 'POST',
      token: demo,
      body: JSON.stringify({ name: 'big', disk_format: 'raw', container_format: 'bare' }),
    });
    const id = (c.json as { id: string }).id;
    const put = await call(`${sb.url}/image/v2/images/${id}/file`, {
      method: 'PUT',
      token: demo,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(2 * 1024 * 1024, 1),
    });
    expect(put.status).toBe(204);
  });

  it('answers 503 with Retry-After beyond 128 requests at once, and serves again once they end', async () => {
    const held = await startTestSandbox({ faults: 'identity:GET:/v3/projects:hang' });
    try {
      const token = await loginToken(held, 'admin');
      const hung = Array.from({ length: 128 }, () =>
        http
          .get(`${held.url}/identity/v3/projects`, { headers: { 'x-auth-token': token }, agent: false })
          .on('error', () => undefined),
      );
      // Let every hung request reach the server before the next one.
      await new Promise((r) => setTimeout(r, 1500));
      const over = await call(`${held.url}/identity/v3`);
      expect(over.status).toBe(503);
      expect(over.headers.get('retry-after')).toBe('1');
      for (const req of hung) req.destroy();
      await new Promise((r) => setTimeout(r, 500));
      expect((await call(`${held.url}/identity/v3`)).status).toBe(200);
    } finally {
      await held.close();
    }
  });
});

describe('the request log', () => {
  it('keeps no temp_url_sig, token or secret from a URL', async () => {
    const sig = 'deadbeefcafe0123456789abcdef0123456789ab';
    await call(`${sb.url}/object-store/v1/AUTH_x/c/o?temp_url_sig=${sig}&temp_url_expires=9999999999&filename=a.pdf`);
    await call(`${sb.url}/identity/v3/projects?token=tok-canary-1&app_secret=sec-canary-2`);
    await new Promise((r) => setTimeout(r, 200));
    const log = fs.readFileSync(path.join(sb.dataDir, 'requests.log'), 'utf8');
    expect(log).not.toContain(sig);
    expect(log).not.toContain('tok-canary-1');
    expect(log).not.toContain('sec-canary-2');
    expect(log).toContain('temp_url_sig=***&temp_url_expires=9999999999&filename=a.pdf');
  });

  it('redactUrl keeps everything but the secret values', () => {
    expect(redactUrl('/a/b?limit=2&marker=x')).toBe('/a/b?limit=2&marker=x');
    expect(redactUrl('/o?temp_url_sig=abc&temp_url_expires=1')).toBe('/o?temp_url_sig=***&temp_url_expires=1');
    expect(redactUrl('/o?Signature=abc&X-Amz-Credential=k')).toBe('/o?Signature=***&X-Amz-Credential=***');
    expect(redactUrl('/o?client_secret=abc&password')).toBe('/o?client_secret=***&password');
  });
});

describe("Glance's web-download", () => {
  async function importFrom(uri: string): Promise<{ status: number; text: string; id: string }> {
    const c = await call(`${sb.url}/image/v2/images`, {
      method: 'POST',
      token: demo,
      body: JSON.stringify({ name: 'wd', disk_format: 'raw', container_format: 'bare' }),
    });
    const id = (c.json as { id: string }).id;
    const a = await call(`${sb.url}/image/v2/images/${id}/import`, {
      method: 'POST',
      token: demo,
      body: JSON.stringify({ method: { name: 'web-download', uri } }),
    });
    return { status: a.status, text: a.text, id };
  }

  // Every one is refused before any connection: the addresses are judged, never contacted.
  it.each([
    () => `${sb.url}/identity/v3`,
    () => `http://localhost:${port}/identity/v3`,
    () => 'http://169.254.169.254/latest/meta-data/',
    () => 'http://10.0.0.1/x.img',
    () => 'http://192.168.1.1/x.img',
    () => 'http://[::1]:22/',
    () => 'http://[::ffff:127.0.0.1]/',
    () => 'http://0.0.0.0/',
    () => 'file:///etc/passwd',
  ])('refuses %# (loopback, link-local, private, other schemes) with 400 as Glance words it', async (uri) => {
    const a = await importFrom(uri());
    expect(a.status).toBe(400);
    expect(a.text).toContain('URI for web-download does not pass filtering');
    const img = await call(`${sb.url}/image/v2/images/${a.id}`, { token: demo });
    expect((img.json as { status: string }).status).toBe('queued');
    expect(canary.untouched()).toBe(true);
  });

  it('judges addresses: only public unicast passes', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.31.0.1',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:10.0.0.1',
      '0.0.0.0',
      '224.0.0.1',
    ])
      expect(isPublicAddress(ip), ip).toBe(false);
    for (const ip of ['8.8.8.8', '151.101.1.69', '2a00:1450:4007::200e', '::ffff:8.8.8.8'])
      expect(isPublicAddress(ip), ip).toBe(true);
  });
});
