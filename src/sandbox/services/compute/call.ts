/**
 * What every Nova route starts with: the caller's token, the negotiated
 * microversion, and Nova's spellings of the shared HTTP kit (core/request,
 * core/booleans, core/paging).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthInfo, SandboxContext } from '../../core/context.js';
import { negotiate, type Microversion, type MicroversionPolicy } from './microversion.js';
import { isTrue, NOVA_QUERY_BOOLEAN } from '../../core/booleans.js';
import { afterMarker, parseLimit, takeLimit } from '../../core/paging.js';
import { badRequest, forbidden } from './api-fault.js';

export { pathParam, queryParams } from '../../core/request.js';

export const NOVA_VERSIONS: MicroversionPolicy = {
  service: 'compute',
  min: { major: 2, minor: 1 },
  max: { major: 2, minor: 93 },
  legacyHeader: 'X-OpenStack-Nova-API-Version',
};

/** A JSON object as Nova routes build their answers. */
export type Json = Record<string, unknown>;

/** The root every Nova route hangs off. */
export const V = '/v2.1';

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

/** A Nova query flag (`all_tenants`, `all_projects`…). */
export function isTruthy(value: string | undefined): boolean {
  return isTrue(value, NOVA_QUERY_BOOLEAN);
}

/** Nova's query schema for `limit` (parameter_types.non_negative_integer) and its wording. */
export function novaLimit(text: string | undefined): number | undefined {
  return parseLimit(text, (t) =>
    badRequest(`Invalid input for query parameters limit. Value: ${t}. '${t}' does not match '^[0-9]*$'`),
  );
}

/** A page after `?marker=` (matched by `idOf`) of at most `?limit=` items; an unknown marker is a 400. */
export function novaPage<T>(items: readonly T[], one: Record<string, string>, idOf: (item: T) => string): T[] {
  return takeLimit(novaAfterMarker(items, one.marker, idOf), novaLimit(one.limit));
}

/** The items after `?marker=`; a marker that names nothing is a 400, as Nova's MarkerNotFound is. */
export function novaAfterMarker<T>(items: readonly T[], marker: string | undefined, idOf: (item: T) => string): T[] {
  return afterMarker(items, marker, idOf, (m) => badRequest(`marker [${m}] not found`));
}

/** A page from `?offset=` of at most `?limit=` items (server groups, volume attachments). */
export function novaOffsetPage<T>(items: readonly T[], one: Record<string, string>): T[] {
  const offset = Number(one.offset ?? 0);
  return takeLimit(offset > 0 ? items.slice(offset) : items, novaLimit(one.limit));
}
