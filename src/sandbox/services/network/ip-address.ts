/**
 * IPv4/IPv6 address arithmetic for Neutron's IPAM: addresses are BigInts so
 * both families share one code path (an IPv6 /64 does not fit a double).
 */

export type IpVersion = 4 | 6;

export interface IpAddress {
  version: IpVersion;
  value: bigint;
}

export interface Cidr {
  version: IpVersion;
  /** Network address (host bits zero). */
  network: bigint;
  prefix: number;
}

const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const pieces = s.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] ?? '';
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
      out.push(parseInt(piece, 16));
    }
    return out;
  };
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

export function parseIp(text: string): IpAddress | undefined {
  if (typeof text !== 'string') return undefined;
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { version: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { version: 4, value };
}

function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

export function formatIp(address: IpAddress): string {
  if (address.version === 6) return formatIpv6(address.value);
  const v = address.value;
  return [24n, 16n, 8n, 0n].map((shift) => String((v >> shift) & 0xffn)).join('.');
}

/** The canonical text of an address (e.g. IPv6 compressed, lower case), or undefined if invalid. */
export function normalizeIp(text: string): string | undefined {
  const ip = parseIp(text);
  return ip ? formatIp(ip) : undefined;
}

export type CidrParse =
  { ok: true; cidr: Cidr } | { ok: false; reason: 'invalid' | 'host-bits-set'; suggestion?: string };

/** Parses "a.b.c.d/n"; host bits set is reported separately because Neutron suggests the right network. */
export function parseCidr(text: string): CidrParse {
  if (typeof text !== 'string') return { ok: false, reason: 'invalid' };
  const [addr, prefixText, extra] = text.split('/');
  if (addr === undefined || extra !== undefined) return { ok: false, reason: 'invalid' };
  const ip = parseIp(addr);
  if (!ip) return { ok: false, reason: 'invalid' };
  const bits = BITS[ip.version];
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return { ok: false, reason: 'invalid' };
  const network = ip.value & maskOf(ip.version, prefix);
  if (network !== ip.value) {
    return { ok: false, reason: 'host-bits-set', suggestion: formatCidr({ version: ip.version, network, prefix }) };
  }
  return { ok: true, cidr: { version: ip.version, network, prefix } };
}

function maskOf(version: IpVersion, prefix: number): bigint {
  const bits = BigInt(BITS[version]);
  const all = (1n << bits) - 1n;
  return (all >> BigInt(prefix)) ^ all;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ version: cidr.version, value: cidr.network })}/${cidr.prefix}`;
}

export function lastAddress(cidr: Cidr): bigint {
  return cidr.network | (~maskOf(cidr.version, cidr.prefix) & ((1n << BigInt(BITS[cidr.version])) - 1n));
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  return ip.version === cidr.version && ip.value >= cidr.network && ip.value <= lastAddress(cidr);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

export interface IpRange {
  start: bigint;
  end: bigint;
}

/**
 * Neutron's default allocation pools: every host address of the CIDR except
 * the network address, the IPv4 broadcast address and the gateway.
 */
export function defaultAllocationPools(cidr: Cidr, gateway: bigint | undefined): IpRange[] {
  const bits = BITS[cidr.version];
  const last = lastAddress(cidr);
  if (cidr.prefix >= bits - 1) return [{ start: cidr.network, end: last }];
  const first = cidr.network + 1n;
  const end = cidr.version === 4 ? last - 1n : last;
  if (gateway === undefined || gateway < first || gateway > end) return [{ start: first, end }];
  const pools: IpRange[] = [];
  if (gateway > first) pools.push({ start: first, end: gateway - 1n });
  if (gateway < end) pools.push({ start: gateway + 1n, end });
  return pools;
}
