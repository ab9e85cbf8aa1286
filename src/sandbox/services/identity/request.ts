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
