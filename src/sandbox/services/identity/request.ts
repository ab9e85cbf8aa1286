/**
 * Keystone's wording for the errors its routes share, and its readers for JSON
 * bodies and query filters.
 */
import { KEYSTONE_BOOLEAN, parseBoolean } from '../../core/booleans';
import { SandboxHttpError, errorShorthands, keystoneError } from '../../core/errors';

export const unauthorized = (): SandboxHttpError =>
  keystoneError(401, 'Unauthorized', 'The request you have made requires authentication.');
const keystone = errorShorthands('keystone');
export const forbidden = (action: string): SandboxHttpError =>
  keystone.forbidden(`You are not authorized to perform the requested action: identity:${action}.`);
/** Keystone's ForbiddenAction with its own wording of the action (not a policy name). */
export const forbiddenAction = (action: string): SandboxHttpError =>
  keystone.forbidden(`You are not authorized to perform the requested action: ${action}`);
export const notFound = (what: string, id: string): SandboxHttpError =>
  keystone.notFound(`Could not find ${what}: ${id}.`);
/** Keystone's bare NotFound, whose message is the whole sentence. */
export const notFoundMessage = (message: string): SandboxHttpError => keystone.notFound(message);
export const { badRequest } = keystone;

/** The 409 Keystone answers when a name is taken, after its "Conflict occurred attempting to store" prefix. */
export const conflictOnStore = (what: string, detail: string): SandboxHttpError =>
  keystone.conflict(`Conflict occurred attempting to store ${what} - ${detail}.`);

export type Body = Record<string, unknown>;

export function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function requireObject(v: unknown, where: string): Body {
  if (!isObject(v)) throw badRequest(`'${where}' is a required property`);
  return v;
}

export function optionalString(body: Body, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw badRequest(`Invalid input for field '${key}': ${JSON.stringify(v)} is not of type 'string'`);
  return v;
}

export function optionalBoolean(body: Body, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean')
    throw badRequest(`Invalid input for field '${key}': ${JSON.stringify(v)} is not of type 'boolean'`);
  return v;
}

/** A list filter such as `?enabled=`: every text but the false words is true. */
export function parseBool(text: string): boolean {
  return parseBoolean(text, KEYSTONE_BOOLEAN) ?? true;
}

/** Keystone's ForbiddenNotSecurity: a 403 whose message is the whole reason (an enabled domain, an immutable role…). */
export const forbiddenNotSecurity = (message: string): SandboxHttpError => keystone.forbidden(message);

/** Keystone's ValidationError for a reference to something that does not exist. */
export const validationError = (attribute: string, target: string): SandboxHttpError =>
  badRequest(
    `Expecting to find ${attribute} in ${target}. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`,
  );

/** The string tags of a body (`tags`), the others dropped. */
export function stringTags(body: Body): string[] {
  return Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : [];
}

/** Every attribute of a body but the listed ones: Keystone stores them as `extra` and answers them back. */
export function extraOf(body: Body, known: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // defineProperty, not assignment: a tenant's "__proto__" attribute stays a plain attribute, never a prototype.
  for (const [k, v] of Object.entries(body))
    if (!known.includes(k) && k !== 'links')
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}
