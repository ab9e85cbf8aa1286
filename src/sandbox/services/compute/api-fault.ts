/**
 * Nova and Cinder share one fault shape: `{"<kind>": {"code", "message"}}`,
 * where the kind follows the status (their wsgi Fault maps 400 badRequest,
 * 403 forbidden, 404 itemNotFound, 409 conflictingRequest, 413 overLimit,
 * anything else computeFault).
 */
import { SandboxHttpError } from '../../core/errors.js';

export type FaultKind = 'badRequest' | 'forbidden' | 'itemNotFound' | 'badMethod' | 'conflictingRequest' | 'overLimit' | 'computeFault';

export function faultKindFor(status: number): FaultKind {
  switch (status) {
    case 400:
      return 'badRequest';
    case 403:
      return 'forbidden';
    case 404:
      return 'itemNotFound';
    case 405:
      return 'badMethod';
    case 409:
      return 'conflictingRequest';
    case 413:
    case 429:
      return 'overLimit';
    default:
      return 'computeFault';
  }
}

export function apiFault(status: number, message: string, headers?: Record<string, string>): SandboxHttpError {
  return new SandboxHttpError(status, { [faultKindFor(status)]: { code: status, message } }, headers);
}

export const badRequest = (message: string): SandboxHttpError => apiFault(400, message);
export const notFound = (message: string): SandboxHttpError => apiFault(404, message);
export const forbidden = (message: string): SandboxHttpError => apiFault(403, message);
export const conflict = (message: string): SandboxHttpError => apiFault(409, message);

/** The body must be a JSON object holding `key` as an object, or Nova/Cinder answer 400. */
export function requireEnvelope(body: unknown, key: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('The server could not comply with the request since it is either malformed or otherwise incorrect.');
  }
  const inner = (body as Record<string, unknown>)[key];
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) {
    throw badRequest(`Invalid input for field/attribute ${key}. Value: ${inner === undefined ? 'None' : JSON.stringify(inner)}. '${key}' is a required property`);
  }
  return inner as Record<string, unknown>;
}

export function optionalString(obj: Record<string, unknown>, key: string, field: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(`Invalid input for field/attribute ${field}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'string'`);
  return v;
}

export function stringMap(obj: Record<string, unknown>, key: string): Record<string, string> | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw badRequest(`Invalid input for field/attribute ${key}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'object'`);
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val !== 'string') {
      throw badRequest(`Invalid input for field/attribute ${key}. Value: ${JSON.stringify(v)}. ${JSON.stringify(val)} is not of type 'string'`);
    }
    out[k] = val;
  }
  return out;
}
