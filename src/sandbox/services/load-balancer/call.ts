/**
 * What every Octavia route starts with (the token, the caller's project) and the
 * errors and request-body checks as Octavia words them: WSME's
 * `{"faultcode", "faultstring", "debuginfo"}` with octavia/common/exceptions.py's sentences.
 */
import type { FastifyRequest } from 'fastify';
import type { AuthInfo, SandboxContext } from '../../core/context.js';
import { octaviaError, type SandboxHttpError } from '../../core/errors.js';
import { ENTITY_NAME, type EntityKind } from './model.js';

export interface Call {
  ctx: SandboxContext;
  auth: AuthInfo;
}

export type Body = Record<string, unknown>;

export function begin(ctx: SandboxContext, req: FastifyRequest): Call {
  return { ctx, auth: ctx.authenticate(req, 'octavia') };
}

export const badRequest = (message: string): SandboxHttpError => octaviaError(400, message);

export const notFound = (kind: EntityKind, id: string): SandboxHttpError =>
  octaviaError(404, `${ENTITY_NAME[kind]} ${id} not found.`);

export const forbidden = (): SandboxHttpError =>
  octaviaError(403, 'Policy does not allow this request to be performed.');

export const immutable = (lbId: string): SandboxHttpError =>
  octaviaError(409, `Load Balancer ${lbId} is immutable and cannot be updated.`);

export const conflict = (message: string): SandboxHttpError => octaviaError(409, message);

export const validationFailure = (detail: string): SandboxHttpError => badRequest(`Validation failure: ${detail}`);

/** Octavia's timestamps: seconds, no zone (`2026-12-07T22:11:37`). */
export function octaviaTime(d: Date): string {
  return d.toISOString().slice(0, 19);
}

// ---- request bodies, checked as WSME checks its types ------------------------------------------

function repr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export function invalidInput(field: string, value: unknown, reason: string): SandboxHttpError {
  return badRequest(`Invalid input for field/attribute ${field}. Value: '${repr(value)}'. ${reason}`);
}

function wrongType(field: string, value: unknown, expected: string): SandboxHttpError {
  const got = typeof value === 'number' ? (Number.isInteger(value) ? 'int' : 'float') : typeof value;
  return invalidInput(field, value, `Wrong type. Expected '<class '${expected}'>', got '<class '${got}'>'`);
}

/** The object under the body's root key (`{"loadbalancer": {...}}`). */
export function rootObject(body: unknown, key: string): Body {
  const inner = typeof body === 'object' && body !== null ? (body as Body)[key] : undefined;
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner))
    throw invalidInput(key, inner, 'Mandatory field missing.');
  return inner as Body;
}

export function has(obj: Body, key: string): boolean {
  return obj[key] !== undefined;
}

export function str(obj: Body, key: string, fallback: string, max = 255): string {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw wrongType(key, v, 'str');
  if (v.length > max) throw invalidInput(key, v, `Value should have a maximum character requirement of ${max}`);
  return v;
}

export function nullableStr(obj: Body, key: string, fallback: string | null, max = 255): string | null {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (v === null || v === '') return null;
  return str(obj, key, '', max);
}

export function requiredStr(obj: Body, key: string): string {
  const v = obj[key];
  if (v === undefined || v === null) throw invalidInput(key, v, 'Mandatory field missing.');
  return str(obj, key, '');
}

export function int(obj: Body, key: string, fallback: number, min: number, max: number): number {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw wrongType(key, v, 'int');
  if (n < min) throw invalidInput(key, v, `Value should be greater or equal to ${min}`);
  if (n > max) throw invalidInput(key, v, `Value should be lower or equal to ${max}`);
  return n;
}

export function requiredInt(obj: Body, key: string, min: number, max: number): number {
  if (obj[key] === undefined || obj[key] === null) throw invalidInput(key, obj[key], 'Mandatory field missing.');
  return int(obj, key, 0, min, max);
}

export function bool(obj: Body, key: string, fallback: boolean): boolean {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw wrongType(key, v, 'bool');
  return v;
}

export function oneOf(obj: Body, key: string, values: readonly string[], fallback?: string): string {
  const v = obj[key];
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  if (v === undefined || v === null) throw invalidInput(key, v, 'Mandatory field missing.');
  if (typeof v !== 'string' || !values.includes(v))
    throw invalidInput(key, v, `Value should be one of: ${[...values].sort().join(', ')}`);
  return v;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function optionalUuid(obj: Body, key: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || !UUID.test(v)) throw invalidInput(key, v, 'Value should be UUID format');
  return v.toLowerCase();
}

export function tags(obj: Body, fallback: string[]): string[] {
  const v = obj.tags;
  if (v === undefined || v === null) return fallback;
  if (!Array.isArray(v) || v.some((t) => typeof t !== 'string' || t.length > 255))
    throw invalidInput('tags', v, 'Value should be a list of strings of at most 255 characters');
  return [...new Set(v as string[])];
}

export function stringList(obj: Body, key: string, fallback: string[] | null): string[] | null {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (v === null) return null;
  if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) throw wrongType(key, v, 'list');
  return v as string[];
}

export function stringMap(obj: Body, key: string, fallback: Record<string, string>): Record<string, string> {
  const v = obj[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string'))
    throw wrongType(key, v, 'dict');
  return { ...(v as Record<string, string>) };
}
