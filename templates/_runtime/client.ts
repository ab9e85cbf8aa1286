/**
 * Who a request comes from and how it reached us: the key rate limits count
 * against (an IPv4 address, or the /64 an IPv6 address lies in — one
 * household or phone gets a whole /64, so counting single IPv6 addresses
 * would let it change address at every request), and whether the visitor
 * sees the site over HTTPS (so cookies that carry tokens get `Secure`).
 */
import type * as http from 'node:http';
import * as net from 'node:net';

/** An address without zone, brackets or IPv4-mapped prefix; '' when it is no IP address. */
export function plainAddress(address: string): string {
  let a = address.trim();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  a = a.toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
  if (mapped?.[1] !== undefined) a = mapped[1];
  return net.isIP(a) === 0 ? '' : a;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad becomes the last two). */
function ipv6Groups(address: string): number[] {
  let a = address;
  const quad = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (quad !== null) {
    const [b0, b1, b2, b3] = quad.slice(1).map(Number) as [number, number, number, number];
    a = `${a.slice(0, quad.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head = '', tail] = a.split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The rate-limit key of a client address: the IPv4 address itself, or the
 * IPv6 /64 written as `2001:db8:1:2::/64`; anything else is kept as given.
 */
export function clientKey(address: string): string {
  const a = plainAddress(address);
  if (a === '') return address;
  if (net.isIPv4(a)) return a;
  const g = ipv6Groups(a);
  return `${g
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`;
}

/**
 * The client's address: the TCP peer, unless the peer is one of the reverse
 * proxies the operator named — then the right-most X-Forwarded-For entry that
 * is not one of them (entries further left are whatever the client wrote).
 */
export function clientAddress(req: http.IncomingMessage, trustedProxies: readonly string[]): string {
  const peer = plainAddress(req.socket.remoteAddress ?? '');
  const trusted = new Set(trustedProxies.map(plainAddress).filter((a) => a !== ''));
  if (!trusted.has(peer)) return peer === '' ? 'unknown' : peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((h) => h.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = plainAddress(hops[i] as string);
    if (hop === '') break;
    if (!trusted.has(hop)) return hop;
  }
  return peer;
}

/**
 * Whether the visitor reached the site over HTTPS: a TLS socket, a public URL
 * the operator configured as https, or a TLS-terminating proxy's
 * X-Forwarded-Proto / Forwarded header. The headers are believed from anyone:
 * all they can do is add `Secure` to the cookies of whoever sends them.
 */
export function servedOverHttps(req: http.IncomingMessage, publicUrl: string | undefined): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted === true) return true;
  if (publicUrl !== undefined && publicUrl.toLowerCase().startsWith('https://')) return true;
  const xfp = req.headers['x-forwarded-proto'];
  const protos = (Array.isArray(xfp) ? xfp.join(',') : (xfp ?? '')).split(',').map((p) => p.trim().toLowerCase());
  if (protos.includes('https')) return true;
  return /(?:^|[;,\s])proto="?https"?(?:$|[;,\s])/i.test(String(req.headers.forwarded ?? ''));
}

/**
 * Counts events per key in fixed windows (e.g. changes per minute, new voters
 * per day); `take` says whether one more is allowed and counts it when it is.
 */
export class WindowLimiter {
  private windowStart: number;
  private counts = new Map<string, number>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.windowStart = now();
  }

  take(key: string): boolean {
    if (this.now() - this.windowStart >= this.windowMs) {
      this.windowStart = this.now();
      this.counts = new Map();
    }
    const n = this.counts.get(key) ?? 0;
    if (n >= this.limit) return false;
    this.counts.set(key, n + 1);
    return true;
  }

  /** Seconds until the current window ends (for Retry-After). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.windowStart + this.windowMs - this.now()) / 1000));
  }
}
