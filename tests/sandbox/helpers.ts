/**
 * Shared by the core sandbox tests: an in-process sandbox on a free port with
 * a controllable clock, and small HTTP helpers.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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
  const sandbox = await createSandbox({ port: 0, statusDelayMs: 0, ...opts, dataDir, now: () => new Date(Date.now() + offset) });
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

export async function call(url: string, init: RequestInit & { token?: string } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.token !== undefined) headers.set('x-auth-token', init.token);
  if (init.body !== undefined && typeof init.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const res = await fetch(url, { ...init, headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function passwordAuth(user: string, password: string, project?: string): string {
  const auth: Record<string, unknown> = { identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password } } } };
  if (project !== undefined) auth.scope = { project: { name: project, domain: { name: 'Default' } } };
  return JSON.stringify({ auth });
}

/** Issues a project-scoped token; returns the token and the token body. */
export async function issueToken(url: string, user: string, password: string, project: string = user): Promise<{ token: string; body: { token: { project: { id: string }; user: { id: string }; catalog: { type: string; endpoints: { interface: string; url: string }[] }[] } } }> {
  const a = await call(`${url}/identity/v3/auth/tokens`, { method: 'POST', body: passwordAuth(user, password, project) });
  if (a.status !== 201) throw new Error(`token issue for ${user}: ${a.status} ${a.text}`);
  return { token: a.headers.get('x-subject-token') ?? '', body: a.json as never };
}
