import { describe, expect, it } from 'vitest';
import { floatingCidrFor, floatingRange } from '../../src/sandbox/core/floating-range';

describe('floating ranges', () => {
  it('derives a stable loopback /24 per data directory, never 127.0.0.x', () => {
    const a = floatingCidrFor('/srv/valladolid/.storm/sandbox');
    expect(a).toBe(floatingCidrFor('/srv/valladolid/.storm/sandbox'));
    expect(a).not.toBe(floatingCidrFor('/srv/agueda/.storm/sandbox'));
    for (const dir of ['/a', '/b', '/tmp/x/.storm/sandbox', '/root/.storm/sandbox']) {
      const m = /^127\.(\d+)\.(\d+)\.0\/24$/.exec(floatingCidrFor(dir));
      expect(m).not.toBeNull();
      expect(Number(m?.[1])).toBeGreaterThanOrEqual(42);
      expect(Number(m?.[1])).toBeLessThanOrEqual(254);
    }
  });

  it('puts the gateway on .1 and the pool on .10–.250, and refuses anything but a /24', () => {
    expect(floatingRange('127.42.0.0/24')).toEqual({
      cidr: '127.42.0.0/24',
      gateway: '127.42.0.1',
      pool: { start: '127.42.0.10', end: '127.42.0.250' },
    });
    expect(() => floatingRange('127.42.0.0/16')).toThrow(/\/24/);
  });
});
