/**
 * What every Nova route starts with: the caller's token, the negotiated
 * microversion, and small readers for path/query parameters.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthInfo, SandboxContext } from '../../core/context.js';
import { negotiate, type Microversion, type MicroversionPolicy } from './microversion.js';
import { forbidden } from './api-fault.js';

export const NOVA_VERSIONS: MicroversionPolicy = {
  service: 'compute',
  min: { major: 2, minor: 1 },
  max: { major: 2, minor: 93 },
  legacyHeader: 'X-OpenStack-Nova-API-Version',
};

export interface NovaCall {
  ctx: SandboxContext;
  auth: AuthInfo;
  v: Microversion;
}

/**
 * The token first (keystonemiddleware answers 401 before Nova sees the
 * request, so a 401 carries no version headers), then the microversion, whose
 * headers go on every later answer, errors included.
 */
export function beginNova(ctx: SandboxContext, req: FastifyRequest, reply: FastifyReply): NovaCall {
  const auth = ctx.authenticate(req, 'nova');
  const v = negotiate(req, reply, NOVA_VERSIONS);
  const call = { ctx, auth, v };
  calls.set(req, call);
  return call;
}

const calls = new WeakMap<FastifyRequest, NovaCall>();

/** The call begun for a request (for hooks that run after the handler). */
export function callOf(req: FastifyRequest): NovaCall | undefined {
  return calls.get(req);
}

export function pathParam(req: FastifyRequest, name: string): string {
  return (req.params as Record<string, string>)[name] ?? '';
}

/** Query parameters as strings (first value when repeated), plus all values by key. */
export function queryParams(req: FastifyRequest): { one: Record<string, string>; all: Record<string, string[]> } {
  const one: Record<string, string> = {};
  const all: Record<string, string[]> = {};
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    const values = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
    if (values.length === 0) continue;
    all[k] = values;
    one[k] = values[0] ?? '';
  }
  return { one, all };
}

export function requireNovaAdmin(call: NovaCall, rule: string): void {
  if (!call.auth.isAdmin) throw forbidden(`Policy doesn't allow ${rule} to be performed.`);
}

/** Nova's timestamps: `2026-11-29T01:06:06Z` (seconds). */
export function novaTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** Nova's row timestamps (keypair created_at, service updated_at): `2026-11-29T01:06:04.434000`. */
export function novaMicroTime(d: Date): string {
  return `${d.toISOString().slice(0, 23)}000`;
}

/** `OS-SRV-USG:launched_at`: whole seconds with six zero decimals, `2026-11-29T01:06:07.000000`. */
export function novaLaunchTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}.000000`;
}

export function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'True', 'yes', 'on'].includes(value);
}
