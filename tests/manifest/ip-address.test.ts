import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  cidrsOverlap,
  hasHostBits,
  networkOf,
  parseCidr,
  parseIpv4,
  parseIpv6,
} from '../../src/manifest/ip-address';

const c = (text: string) => {
  const parsed = parseCidr(text);
  if (parsed === undefined) throw new Error(`bad test CIDR ${text}`);
  return parsed;
};

describe('ip-address', () => {
  it('parses IPv4 strictly', () => {
    expect(parseIpv4('10.0.0.1')).toBe(0x0a000001n);
    expect(parseIpv4('256.0.0.1')).toBeUndefined();
    expect(parseIpv4('01.0.0.1')).toBeUndefined();
    expect(parseIpv4('1.2.3')).toBeUndefined();
  });

  it('parses IPv6 with :: and embedded IPv4', () => {
    expect(parseIpv6('::')).toBe(0n);
    expect(parseIpv6('::1')).toBe(1n);
    expect(parseIpv6('2001:db8::')).toBe(0x20010db8n << 96n);
    expect(parseIpv6('::ffff:10.0.0.1')).toBe((0xffffn << 32n) | 0x0a000001n);
    expect(parseIpv6('1::2::3')).toBeUndefined();
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeUndefined();
  });

  it('parses CIDRs and tells host bits', () => {
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('::/0')?.version).toBe(6);
    expect(hasHostBits(c('10.0.0.5/24'))).toBe(true);
    expect(networkOf(c('10.0.0.5/24'))).toBe('10.0.0.0/24');
    expect(networkOf(c('2001:db8::1/32'))).toBe('2001:db8::/32');
  });

  it('answers containment and overlap', () => {
    expect(cidrContains(c('10.0.0.0/16'), c('10.0.5.0/24'))).toBe(true);
    expect(cidrContains(c('10.0.0.0/16'), c('10.1.5.0/24'))).toBe(false);
    expect(cidrsOverlap(c('10.0.1.0/24'), c('10.0.1.128/25'))).toBe(true);
    expect(cidrsOverlap(c('10.0.1.0/24'), c('10.0.2.0/24'))).toBe(false);
    expect(cidrsOverlap(c('0.0.0.0/0'), c('::/0'))).toBe(false);
  });
});
