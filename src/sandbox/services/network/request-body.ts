/**
 * Validation and conversion of Neutron request bodies, with the error types and
 * wording Neutron's API layer uses: converter failures are `InvalidInput`,
 * validator failures and malformed bodies are `HTTPBadRequest`.
 */
import { errorShorthands, neutronError } from '../../core/errors.js';
import { normalizeIp } from './ip-address.js';
import { parseBooleanText, type Doc } from './list-query.js';

export type { Doc };

export function isObject(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const { badRequest } = errorShorthands('neutron');

export function invalidInput(message: string): Error {
  return neutronError(400, 'InvalidInput', `Invalid input for operation: ${message}`);
}

export function invalidAttribute(attr: string, reason: string): Error {
  return badRequest(`Invalid input for ${attr}. Reason: ${reason}.`);
}

/** Returns the resource object inside `{"<key>": {...}}`. */
export function envelope(body: unknown, key: string): Doc {
  const inner = isObject(body) ? body[key] : undefined;
  if (!isObject(inner)) throw badRequest(`Unable to find '${key}' in request body`);
  return inner;
}

export interface AttributeRules {
  /** Attributes the resource shows (and that may be named in filters). */
  readable: ReadonlySet<string>;
  post: ReadonlySet<string>;
  put: ReadonlySet<string>;
}

/** Rejects attributes the resource does not know, or that this method may not set. */
export function checkAttributes(body: Doc, rules: AttributeRules, method: 'POST' | 'PUT'): void {
  const allowed = method === 'POST' ? rules.post : rules.put;
  const unknown = Object.keys(body).filter((k) => !rules.readable.has(k) && !allowed.has(k));
  if (unknown.length > 0) throw badRequest(`Unrecognized attribute(s) '${unknown.join(', ')}'`);
  for (const key of Object.keys(body)) {
    if (allowed.has(key)) continue;
    if (method === 'POST') throw badRequest(`Attribute '${key}' not allowed in POST`);
    throw badRequest(`Cannot update read-only attribute ${key}`);
  }
}

export function has(body: Doc, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(body, key);
}

export function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
  if (typeof value === 'string') {
    const b = parseBooleanText(value);
    if (b !== undefined) return b;
  }
  throw invalidInput(`'${typeof value === 'string' ? value : JSON.stringify(value)}' cannot be converted to boolean.`);
}

export function boolField(body: Doc, key: string, fallback: boolean): boolean {
  return has(body, key) ? toBoolean(body[key]) : fallback;
}

export function stringField(body: Doc, key: string, fallback: string, maxLength = 255): string {
  if (!has(body, key)) return fallback;
  const value = body[key];
  if (typeof value !== 'string') throw invalidAttribute(key, `'${JSON.stringify(value)}' is not a valid string`);
  if (value.length > maxLength) throw invalidAttribute(key, `'${value}' exceeds maximum length of ${maxLength}`);
  return value;
}

export function toInteger(key: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  throw invalidInput(`'${typeof value === 'string' ? value : JSON.stringify(value)}' is not an integer`);
}

export function stringListField(body: Doc, key: string, fallback: string[]): string[] {
  if (!has(body, key)) return fallback;
  const value = body[key];
  if (value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw invalidAttribute(key, `'${JSON.stringify(value)}' is not a list`);
  }
  return [...(value as string[])];
}

export function ipField(key: string, value: unknown): string {
  const normalized = typeof value === 'string' ? normalizeIp(value) : undefined;
  if (normalized === undefined) {
    throw invalidAttribute(
      key,
      `'${typeof value === 'string' ? value : JSON.stringify(value)}' is not a valid IP address`,
    );
  }
  return normalized;
}
