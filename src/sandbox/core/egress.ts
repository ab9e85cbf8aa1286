/**
 * The sandbox's own outbound requests on a tenant's behalf (Glance's
 * web-download). A URL a tenant names must not make the sandbox reach into the
 * host's own network — the sandbox's APIs, other local services, a cloud
 * metadata endpoint — so loopback, link-local, private and other special
 * addresses are refused unless the operator allows them. The address is
 * checked when the name is resolved for the connection itself (a second lookup
 * cannot rebind it), and every redirect is checked again.
 */
import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';

/** A refused destination or an answer too large: the message says which. */
export class EgressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EgressError';
  }
}

function ipv4Number(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

const V4_SPECIAL: readonly [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

/** Whether an address is an ordinary public one (not loopback, link-local, private, shared, multicast or reserved). */
export function isPublicAddress(ip: string): boolean {
  if (net.isIPv4(ip)) {
    const n = ipv4Number(ip);
    return !V4_SPECIAL.some(([base, bits]) => {
      const size = 2 ** (32 - bits);
      const start = ipv4Number(base);
      return n >= start && n < start + size;
    });
  }
  if (!net.isIPv6(ip)) return false;
  const lower = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1] !== undefined) return isPublicAddress(mapped[1]);
  if (lower === '::' || lower === '::1') return false;
  const first = parseInt(lower.split(':')[0] || '0', 16);
  // fc00::/7 unique local, fe80::/10 link-local, ff00::/8 multicast, 2001:db8::/32 documentation.
  if ((first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00) return false;
  if (lower.startsWith('2001:db8:')) return false;
  // Anything outside 2000::/3 is not global unicast.
  return (first & 0xe000) === 0x2000;
}

export interface EgressOptions {
  /** Let the sandbox fetch loopback, link-local and private addresses (an operator's explicit choice). */
  allowPrivate: boolean;
  maxBytes: number;
  timeoutMs: number;
}

/** Resolves a host the way the connection will, refusing any address that is not public (when not allowed). */
async function checkedAddresses(host: string, allowPrivate: boolean): Promise<string[]> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const addresses =
    net.isIP(bare) !== 0 ? [bare] : (await dns.promises.lookup(bare, { all: true })).map((a) => a.address);
  if (!allowPrivate) {
    const refused = addresses.find((a) => !isPublicAddress(a));
    if (refused !== undefined)
      throw new EgressError(`${host} is ${refused}, a loopback, link-local or private address`);
  }
  return addresses;
}

/** Refuses a URL whose scheme is not http(s) or whose host is not public (when not allowed); resolves the name. */
export async function checkDestination(url: string, allowPrivate: boolean): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EgressError(`${url} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new EgressError(`${parsed.protocol} is not http or https`);
  if (parsed.username !== '' || parsed.password !== '') throw new EgressError('credentials in the URL are refused');
  await checkedAddresses(parsed.hostname, allowPrivate);
  return parsed;
}

/** GET url, following up to 5 redirects, each destination checked at connection time; the body is capped. */
export async function egressGet(url: string, opts: EgressOptions): Promise<{ status: number; body: Buffer }> {
  let current = await checkDestination(url, opts.allowPrivate);
  for (let hop = 0; hop <= 5; hop += 1) {
    const answer = await getOnce(current, opts);
    if (answer.location === undefined) return answer;
    current = await checkDestination(new URL(answer.location, current).toString(), opts.allowPrivate);
  }
  throw new EgressError(`more than 5 redirects from ${url}`);
}

function getOnce(url: URL, opts: EgressOptions): Promise<{ status: number; body: Buffer; location?: string }> {
  const lookup: net.LookupFunction = (hostname, options, callback) => {
    checkedAddresses(hostname, opts.allowPrivate).then(
      (addresses) => {
        const address = addresses[0] ?? '';
        const family = net.isIPv6(address) ? 6 : 4;
        if ((options as dns.LookupOptions).all === true) callback(null, [{ address, family }]);
        else callback(null, address, family);
      },
      (e: Error) => callback(e as NodeJS.ErrnoException, '', 4),
    );
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { lookup, timeout: opts.timeoutMs, agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        res.resume();
        resolve({ status, body: Buffer.alloc(0), location });
        return;
      }
      const declared = Number(res.headers['content-length'] ?? 'NaN');
      if (declared > opts.maxBytes) {
        req.destroy();
        reject(new EgressError(`the answer is ${declared} bytes, more than the ${opts.maxBytes} allowed`));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (c: Buffer) => {
        total += c.length;
        if (total > opts.maxBytes) {
          req.destroy();
          reject(new EgressError(`the answer is more than the ${opts.maxBytes} bytes allowed`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new EgressError(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
  });
}
