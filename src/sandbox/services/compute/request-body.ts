/**
 * Readers for Nova/Cinder request bodies: the `{"<resource>": {...}}` envelope
 * and typed fields, refusing bad input with the services' 400 wording.
 */
import { badRequest } from './api-fault.js';

/** The body must be a JSON object holding `key` as an object, or Nova/Cinder answer 400. */
export function requireEnvelope(body: unknown, key: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(
      'The server could not comply with the request since it is either malformed or otherwise incorrect.',
    );
  }
  const inner = (body as Record<string, unknown>)[key];
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) {
    throw badRequest(
      `Invalid input for field/attribute ${key}. Value: ${inner === undefined ? 'None' : JSON.stringify(inner)}. '${key}' is a required property`,
    );
  }
  return inner as Record<string, unknown>;
}

export function optionalString(obj: Record<string, unknown>, key: string, field: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    throw badRequest(
      `Invalid input for field/attribute ${field}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'string'`,
    );
  return v;
}

export function stringMap(obj: Record<string, unknown>, key: string): Record<string, string> | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw badRequest(
      `Invalid input for field/attribute ${key}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'object'`,
    );
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val !== 'string') {
      throw badRequest(
        `Invalid input for field/attribute ${key}. Value: ${JSON.stringify(v)}. ${JSON.stringify(val)} is not of type 'string'`,
      );
    }
    out[k] = val;
  }
  return out;
}
