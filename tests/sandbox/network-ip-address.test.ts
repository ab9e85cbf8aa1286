import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  cidrsOverlap,
  defaultAllocationPools,
  formatIp,
  normalizeIp,
  parseCidr,
  parseIp,
} from '../../src/sandbox/services/network/ip-address.js';

const v4 = (text: string) => {
  const ip = parseIp(text);
  if (!ip) throw new Error(`bad ip ${text}`);
  return ip;
};
const cidr = (text: string) => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`bad cidr ${text}`);
  return parsed.cidr;
};

describe('ip-address', () => {
  it('parses and formats IPv4 and IPv6', () => {
    expect(formatIp(v4('10.0.0.1'))).toBe('10.0.0.1');
    expect(parseIp('256.0.0.1')).toBeUndefined();
    expect(parseIp('10.0.0')).toBeUndefined();
    expect(normalizeIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(normalizeIp('::')).toBe('::');
    expect(normalizeIp('fe80::1:0:0:1')).toBe('fe80::1:0:0:1');
    expect(normalizeIp('::ffff:10.0.0.1')).toBe('::ffff:a00:1');
    expect(normalizeIp('1::2::3')).toBeUndefined();
  });

  it('reports host bits with the recommended network', () => {
    expect(parseCidr('10.0.0.5/24')).toEqual({ ok: false, reason: 'host-bits-set', suggestion: '10.0.0.0/24' });
    expect(parseCidr('10.0.0.0/33')).toEqual({ ok: false, reason: 'invalid' });
    expect(parseCidr('fd00::/64').ok).toBe(true);
  });

  it('checks containment and overlap', () => {
    expect(cidrContains(cidr('10.0.0.0/24'), v4('10.0.0.255'))).toBe(true);
    expect(cidrContains(cidr('10.0.0.0/24'), v4('10.0.1.0'))).toBe(false);
    expect(cidrsOverlap(cidr('10.0.0.0/16'), cidr('10.0.5.0/24'))).toBe(true);
    expect(cidrsOverlap(cidr('10.0.0.0/24'), cidr('10.0.1.0/24'))).toBe(false);
    expect(cidrsOverlap(cidr('10.0.0.0/24'), cidr('fd00::/64'))).toBe(false);
  });

  it('builds Neutron default pools around the gateway', () => {
    const c = cidr('10.97.3.0/24');
    const fmt = (r: { start: bigint; end: bigint }) =>
      `${formatIp({ version: 4, value: r.start })}-${formatIp({ version: 4, value: r.end })}`;
    expect(defaultAllocationPools(c, v4('10.97.3.1').value).map(fmt)).toEqual(['10.97.3.2-10.97.3.254']);
    expect(defaultAllocationPools(c, v4('10.97.3.100').value).map(fmt)).toEqual([
      '10.97.3.1-10.97.3.99',
      '10.97.3.101-10.97.3.254',
    ]);
    expect(defaultAllocationPools(c, undefined).map(fmt)).toEqual(['10.97.3.1-10.97.3.254']);
  });
});
