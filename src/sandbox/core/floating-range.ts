/**
 * The loopback /24 a sandbox hands floating IPs from. Services in the sandbox
 * listen on their instance's floating IP, so two sandboxes on one machine (two
 * projects, parallel test files) must not share a range: a health check would
 * reach the other sandbox's service. A sandbox started for a data directory
 * takes a /24 derived from that directory's path (stable across restarts, and
 * recorded in the seed anyway); in-process sandboxes default to 127.42.0.0/24.
 */
import { createHash } from 'node:crypto';

export interface FloatingRange {
  cidr: string;
  gateway: string;
  pool: { start: string; end: string };
}

export const DEFAULT_FLOATING_CIDR = '127.42.0.0/24';

/** 127.A.B.0/24 with A in 42..254, chosen by the path: ~54,000 ranges, never 127.0.0.x. */
export function floatingCidrFor(dataDir: string): string {
  const h = createHash('sha256').update(dataDir).digest();
  const a = 42 + ((h[0] ?? 0) % 213);
  const b = h[1] ?? 0;
  return `127.${a}.${b}.0/24`;
}

/** Gateway .1 and pool .10–.250 of a /24 written as a.b.c.0/24. */
export function floatingRange(cidr: string): FloatingRange {
  const m = /^(\d+)\.(\d+)\.(\d+)\.0\/24$/.exec(cidr);
  if (m === null || [m[1], m[2], m[3]].some((o) => Number(o) > 255))
    throw new Error(`floating range must be a /24 like 127.42.0.0/24, not "${cidr}"`);
  const base = `${m[1]}.${m[2]}.${m[3]}`;
  return { cidr, gateway: `${base}.1`, pool: { start: `${base}.10`, end: `${base}.250` } };
}

/**
 * The loopback /24 beside a floating range where the service runner runs servers that have no
 * floating IP (load balancer members): 127.a.(b xor 128).0/24, so each sandbox's pair of ranges
 * is its own as far as the floating ranges are.
 */
export function internalCidrFor(floatingCidr: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.0\/24$/.exec(floatingCidr);
  if (m === null) throw new Error(`floating range must be a /24 like 127.42.0.0/24, not "${floatingCidr}"`);
  return `${m[1]}.${m[2]}.${Number(m[3]) ^ 128}.0/24`;
}
