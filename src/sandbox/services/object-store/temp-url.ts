/** Temp URLs: signed, expiring access to a container's objects without a token. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../core/context';
import { queryParams } from '../../core/request';
import { K, type AccountDoc, type ContainerDoc } from './model';

/**
 * Temp URLs (tempurl middleware): temp_url_sig is an HMAC of "METHOD\nexpires\npath"
 * with an account or container Temp-URL-Key (sha1/sha256/sha512, hex or
 * "<alg>:<base64>"). Clients sign the path they see, which here carries the
 * /object-store prefix; the bare /v1/... path is accepted too.
 */
export function tempUrlValid(ctx: SandboxContext, req: FastifyRequest, account: string, c: ContainerDoc): boolean {
  const q = queryParams(req).one;
  const { store } = ctx;
  const sig = q.temp_url_sig;
  const expiresText = q.temp_url_expires;
  if (sig === undefined || expiresText === undefined) return false;
  const expires = /^\d+$/.test(expiresText) ? Number(expiresText) : Math.floor(Date.parse(expiresText) / 1000);
  if (!Number.isFinite(expires) || expires * 1000 <= ctx.now().getTime()) return false;
  const acct = store.get<AccountDoc>(K.account, account);
  const keys = [
    acct?.meta['temp-url-key'],
    acct?.meta['temp-url-key-2'],
    c.meta['temp-url-key'],
    c.meta['temp-url-key-2'],
  ].filter((k): k is string => k !== undefined && k !== '');
  if (keys.length === 0) return false;
  const [algHint, b64] = sig.includes(':') ? sig.split(':', 2) : [undefined, undefined];
  const algorithm =
    algHint ?? (sig.length === 40 ? 'sha1' : sig.length === 64 ? 'sha256' : sig.length === 128 ? 'sha512' : undefined);
  if (algorithm !== 'sha1' && algorithm !== 'sha256' && algorithm !== 'sha512') return false;
  const full = (req.url.split('?')[0] ?? '').replace(/%2F/gi, '/');
  const prefix = q.temp_url_prefix;
  if (prefix !== undefined && !decodeURIComponent(full).includes(`/${c.name}/${prefix}`)) return false;
  const signedPaths =
    prefix === undefined
      ? [full, full.replace(/^\/object-store/, '')]
      : [`prefix:${full.slice(0, full.indexOf(`/${c.name}/`) + c.name.length + 2)}${prefix}`];
  if (prefix !== undefined) signedPaths.push(signedPaths[0]?.replace('prefix:/object-store', 'prefix:') ?? '');
  // GET signatures are good for HEAD too, as in Swift.
  const methods = req.method === 'HEAD' ? ['HEAD', 'GET', 'PUT'] : [req.method];
  for (const key of keys) {
    for (const method of methods) {
      for (const signed of signedPaths) {
        const mac = createHmac(algorithm, key).update(`${method}\n${expires}\n${signed}`).digest();
        const given = b64 !== undefined ? Buffer.from(b64, 'base64') : Buffer.from(sig, 'hex');
        if (given.length === mac.length && timingSafeEqual(given, mac)) return true;
      }
    }
  }
  return false;
}
