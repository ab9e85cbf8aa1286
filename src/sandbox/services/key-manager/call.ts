/**
 * What every Barbican route starts with (the token and the caller) and the
 * errors as Barbican words them: `{"code", "title", "description"}`, with the
 * sentences of barbican/api/controllers/*.py.
 */
import type { FastifyRequest } from 'fastify';
import type { AuthInfo, SandboxContext } from '../../core/context.js';
import { barbicanError, type SandboxHttpError } from '../../core/errors.js';

export interface Call {
  ctx: SandboxContext;
  auth: AuthInfo;
}

export type Body = Record<string, unknown>;

export function begin(ctx: SandboxContext, req: FastifyRequest): Call {
  return { ctx, auth: ctx.authenticate(req, 'barbican') };
}

/** Barbican's timestamps: naive UTC to the second (`2026-12-07T22:11:37`). */
export function barbicanTime(d: Date): string {
  return d.toISOString().slice(0, 19);
}

export const badRequest = (description: string): SandboxHttpError => barbicanError(400, description);

/** A request body that fails Barbican's JSON schema validation. */
export function invalid(schema: string, reason: string, property?: string): SandboxHttpError {
  const tail = property === undefined ? '' : ` Invalid property: '${property}'`;
  return badRequest(`Provided object does not match schema '${schema}': ${reason}.${tail}`);
}

/** What Barbican's policy check answers (`<operation> attempt not allowed - ...`). */
export const notAllowed = (operation: string): SandboxHttpError =>
  barbicanError(403, `${operation} attempt not allowed - please review your user/project privileges`);

export const secretNotFound = (): SandboxHttpError => barbicanError(404, 'Secret not found.');
export const containerNotFound = (): SandboxHttpError => barbicanError(404, 'Secret container not found.');

export function bodyObject(body: unknown, schema: string): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid(schema, `${JSON.stringify(body ?? null)} is not of type 'object'`);
  return body as Body;
}

export function optionalString(b: Body, key: string, schema: string, max = 255): string | null {
  const v = b[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw invalid(schema, `${JSON.stringify(v)} is not of type 'string'`, key);
  if (v.length > max) throw invalid(schema, `'${v.slice(0, 40)}' is too long`, key);
  return v;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id at the end of a secret or container reference (`<url>/v1/secrets/<uuid>`), or undefined. */
export function idFromRef(ref: string, collection: 'secrets' | 'containers'): string | undefined {
  const m = new RegExp(`/${collection}/([^/?#]+)/?$`).exec(ref);
  const id = m?.[1];
  return id !== undefined && UUID.test(id) ? id.toLowerCase() : undefined;
}

export function secretRef(ctx: SandboxContext, id: string): string {
  return `${ctx.publicUrl}/key-manager/v1/secrets/${id}`;
}

export function containerRef(ctx: SandboxContext, id: string): string {
  return `${ctx.publicUrl}/key-manager/v1/containers/${id}`;
}

/** offset/limit paging with Barbican's defaults (10, at most 100) and its `next`/`previous` links. */
export function page<T>(
  ctx: SandboxContext,
  collection: 'secrets' | 'containers',
  items: readonly T[],
  query: Record<string, string>,
): { items: T[]; links: Record<string, string> } {
  const num = (text: string | undefined, fallback: number): number => {
    const n = text === undefined ? NaN : Number(text);
    return Number.isInteger(n) && n >= 0 ? n : fallback;
  };
  const offset = num(query.offset, 0);
  const limit = Math.min(num(query.limit, 10), 100);
  const links: Record<string, string> = {};
  const href = (o: number): string => `${ctx.publicUrl}/key-manager/v1/${collection}?limit=${limit}&offset=${o}`;
  if (offset + limit < items.length) links.next = href(offset + limit);
  if (offset > 0) links.previous = href(Math.max(0, offset - limit));
  return { items: items.slice(offset, offset + limit), links };
}
