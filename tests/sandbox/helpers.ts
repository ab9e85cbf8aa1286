/**
 * Shared by the core sandbox tests: an in-process sandbox on a free port with
 * a controllable clock, and small HTTP helpers.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { type SandboxLogins, readLogins } from '../../src/sandbox/core/logins';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server';

export interface TestSandbox {
  sandbox: Sandbox;
  url: string;
  dataDir: string;
  /** Moves the sandbox clock forward. */
  advance(ms: number): void;
  close(): Promise<void>;
}

export async function startTestSandbox(opts: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'storm-sbx-test-'));
  let offset = 0;
  const sandbox = await createSandbox({
    port: 0,
    statusDelayMs: 0,
    ...opts,
    dataDir,
    now: () => new Date(Date.now() + offset),
  });
  return {
    sandbox,
    url: sandbox.url,
    dataDir,
    advance: (ms) => {
      offset += ms;
    },
    close: () => sandbox.close(),
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/**
 * One HTTP exchange on a fresh connection (node:http, no keep-alive pool), so a
 * sandbox restarted on a recycled port never meets a stale pooled socket.
 */
export async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; token?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers['x-auth-token'] = init.token;
  if (typeof init.body === 'string' && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
    headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text === '' ? undefined : JSON.parse(text);
        } catch {
          json = undefined;
        }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers))
          if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode ?? 0, headers: h, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

export function passwordAuth(user: string, password: string, project?: string): string {
  const auth: Record<string, unknown> = {
    identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password } } },
  };
  if (project !== undefined) auth.scope = { project: { name: project, domain: { name: 'Default' } } };
  return JSON.stringify({ auth });
}

/** Issues a project-scoped token; returns the token and the token body. */
export async function issueToken(
  url: string,
  user: string,
  password: string,
  project: string = user,
): Promise<{
  token: string;
  body: {
    token: {
      project: { id: string };
      user: { id: string };
      catalog: { type: string; endpoints: { interface: string; url: string }[] }[];
    };
  };
}> {
  const a = await call(`${url}/identity/v3/auth/tokens`, {
    method: 'POST',
    body: passwordAuth(user, password, project),
  });
  if (a.status !== 201) throw new Error(`token issue for ${user}: ${a.status} ${a.text}`);
  return { token: a.headers.get('x-subject-token') ?? '', body: a.json as never };
}

/** A seeded user's login on this sandbox (`admin` in project admin, `demo` in project demo), with its random password. */
export function sandboxLogin(
  t: TestSandbox | Sandbox,
  user: 'admin' | 'demo',
): { user: string; password: string; project: string } {
  const logins = 'sandbox' in t ? t.sandbox.logins : t.logins;
  return { user, password: logins[user], project: user };
}

/** The passwords of the sandbox of a data directory run as its own process (`storm sandbox up`, ensureSandbox). */
export function loginsOf(dataDir: string): SandboxLogins {
  const logins = readLogins(dataDir);
  if (logins === undefined) throw new Error(`no sandbox logins in ${dataDir}`);
  return logins;
}

/** A project-scoped token of a seeded user. */
export async function loginToken(t: TestSandbox, user: 'admin' | 'demo'): Promise<string> {
  const l = sandboxLogin(t, user);
  return (await issueToken(t.url, l.user, l.password, l.project)).token;
}
