/**
 * A small HTTP client for the Nova/Cinder tests: logs in through Keystone,
 * calls the sandbox over real HTTP and validates every successful Nova and
 * Cinder answer against the OpenAPI files (violations are collected, and each
 * test file expects none).
 */
import { expect } from 'vitest';
import type { createSandbox } from '../../src/sandbox/server.js';
import { validateResponse, type SchemaViolation } from './openapi.js';

export type Sandbox = Awaited<ReturnType<typeof createSandbox>>;

export interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

export interface Session {
  token: string;
  projectId: string;
  userId: string;
}

export class ApiClient {
  readonly violations: SchemaViolation[] = [];

  constructor(private readonly sandbox: Sandbox) {}

  async call(
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (token) h['x-auth-token'] = token;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(`${this.sandbox.url}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    const announced = res.headers.get('openstack-api-version') ?? '';
    if (res.status < 300 && parsed !== undefined) {
      const [service, version] = announced.split(' ');
      if (path.startsWith('/compute/v2.1/') && service === 'compute' && version) {
        const v = validateResponse('compute', method, path.slice('/compute'.length), res.status, parsed, version);
        if (v) this.violations.push(v);
      } else if (path.startsWith('/volume/v3/') && service === 'volume' && version) {
        const v = validateResponse('volume', method, path.slice('/volume'.length), res.status, parsed, version);
        if (v) this.violations.push(v);
      }
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  /** A seeded user (admin or demo) in its own project, with the sandbox's random password. */
  loginAs(user: 'admin' | 'demo'): Promise<Session> {
    return this.login(user, this.sandbox.logins[user], user);
  }

  async login(user: string, password: string, project: string): Promise<Session> {
    const res = await this.call('POST', '/identity/v3/auth/tokens', undefined, {
      auth: {
        identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password } } },
        scope: { project: { name: project, domain: { name: 'Default' } } },
      },
    });
    expect(res.status).toBe(201);
    return {
      token: res.headers.get('x-subject-token') ?? '',
      projectId: res.body.token.project.id,
      userId: res.body.token.user.id,
    };
  }
}

export const nova = (path: string): string => `/compute/v2.1${path}`;
export const mv = (version: string): Record<string, string> => ({ 'OpenStack-API-Version': `compute ${version}` });
export const cinderMv = (version: string): Record<string, string> => ({ 'OpenStack-API-Version': `volume ${version}` });

export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() - start > timeoutMs)
      throw new Error(`condition not reached in ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
