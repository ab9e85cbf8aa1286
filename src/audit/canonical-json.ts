/**
 * Canonical JSON for hashing: object keys sorted by code unit, no whitespace,
 * `undefined` members dropped. Two writers that hold the same record produce the
 * same bytes, so the same hash, whatever order they built the object in.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) out[key] = sortKeys(member);
    }
    return out;
  }
  return value;
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 of the canonical JSON of a value: the hash of a manifest, a config or a plan. */
export function hashOf(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
