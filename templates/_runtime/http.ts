/**
 * A tiny router over node:http: method + path pattern (`/plans/:id`), a
 * request context with query, cookies, language and a size-limited body
 * parser (JSON or HTML form), and response helpers.
 */
import * as http from 'node:http';
import { clientAddress, clientKey, servedOverHttps } from './client';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface RequestContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  url: URL;
  params: Record<string, string>;
  cookies: Record<string, string>;
  /** What rate limits count against: the client's IPv4 address or IPv6 /64 (see client.ts). */
  client: string;
  /** The visitor reached the site over HTTPS (directly or through a TLS proxy): cookies must be `Secure`. */
  secure: boolean;
  /** Parsed body: JSON object or form fields (form fields are strings). */
  body(): Promise<Record<string, unknown>>;
  /** True when the body is an HTML form rather than JSON. */
  isForm(): boolean;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

const MAX_BODY_BYTES = 256 * 1024;

export interface RouterOptions {
  /** Reverse proxies whose X-Forwarded-For is believed. */
  trustedProxies?: readonly string[];
  /** The site's public URL; https makes every cookie `Secure`. */
  publicUrl?: string;
}

export class Router {
  private readonly routes: Route[] = [];
  private readonly guards: ((ctx: RequestContext) => void)[] = [];

  constructor(private readonly options: RouterOptions = {}) {}

  /** A check every request passes before its handler (throw HttpError to refuse it). */
  use(guard: (ctx: RequestContext) => void): this {
    this.guards.push(guard);
    return this;
  }

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, segments: pattern.split('/').filter((s) => s !== ''), handler });
    return this;
  }
  get(pattern: string, handler: Handler): this {
    return this.on('GET', pattern, handler);
  }
  post(pattern: string, handler: Handler): this {
    return this.on('POST', pattern, handler);
  }

  /** Finds the route; `allowed` lists methods that match the path when the method does not. */
  match(
    method: string,
    pathname: string,
  ): { handler: Handler; params: Record<string, string> } | { allowed: string[] } {
    const parts = pathname.split('/').filter((s) => s !== '');
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (params === undefined) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET'))
        return { handler: route.handler, params };
      allowed.push(route.method);
    }
    return { allowed };
  }

  listener(onError: (ctx: RequestContext, err: unknown) => void): http.RequestListener {
    return (req, res) => {
      const url = new URL(req.url ?? '/', 'http://service.local');
      const method = req.method ?? 'GET';
      let parsed: Promise<Record<string, unknown>> | undefined;
      const ctx: RequestContext = {
        req,
        res,
        method,
        url,
        params: {},
        cookies: parseCookies(req.headers.cookie),
        client: clientKey(clientAddress(req, this.options.trustedProxies ?? [])),
        secure: servedOverHttps(req, this.options.publicUrl),
        body: () => (parsed ??= readBody(req)),
        isForm: () => (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'),
      };
      let found: ReturnType<Router['match']>;
      try {
        found = this.match(method, decodeURIComponent(url.pathname));
      } catch {
        onError(ctx, new HttpError(400, 'malformed path'));
        return;
      }
      if ('allowed' in found) {
        if (found.allowed.length > 0) res.setHeader('Allow', found.allowed.join(', '));
        onError(
          ctx,
          new HttpError(
            found.allowed.length > 0 ? 405 : 404,
            found.allowed.length > 0 ? 'method not allowed' : 'not found',
          ),
        );
        return;
      }
      ctx.params = found.params;
      Promise.resolve()
        .then(() => {
          for (const guard of this.guards) guard(ctx);
          return found.handler(ctx);
        })
        .catch((err: unknown) => onError(ctx, err));
    };
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const v = parts[i] as string;
    if (p.startsWith(':')) params[p.slice(1)] = v;
    else if (p !== v) return undefined;
  }
  return params;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (header === undefined) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // A cookie some other site set with bad escapes: ignore it.
    }
  }
  return out;
}

async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  if (text.trim() === '') return {};
  if (!type.startsWith('application/json')) throw new HttpError(415, 'send application/json or an HTML form');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpError(400, 'request body must be a JSON object');
  return value as Record<string, unknown>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
};

export function send(
  res: http.ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value, null, 2)}\n`, {
    'Cache-Control': 'no-store',
    ...headers,
  });
}

export function sendHtml(
  res: http.ServerResponse,
  status: number,
  page: string,
  headers: Record<string, string> = {},
): void {
  send(res, status, 'text/html; charset=utf-8', page, headers);
}

export function redirect(res: http.ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, Location: location, 'Content-Length': '0', ...headers });
  res.end();
}

/**
 * A Set-Cookie value. `secure` is required so no caller forgets it: pass
 * `ctx.secure`, so a cookie sent over HTTPS is never sent back over plain HTTP.
 */
export function cookie(
  name: string,
  value: string,
  options: { maxAgeSeconds?: number; httpOnly: boolean; secure: boolean; sameSite?: 'Lax' | 'Strict'; path?: string },
): string {
  const maxAge = options.maxAgeSeconds === undefined ? '' : `; Max-Age=${options.maxAgeSeconds}`;
  return `${name}=${encodeURIComponent(value)}; Path=${options.path ?? '/'}${maxAge}; SameSite=${options.sameSite ?? 'Lax'}${options.httpOnly ? '; HttpOnly' : ''}${options.secure ? '; Secure' : ''}`;
}

/** Reads a string field, trimmed; throws 400 naming the field when required and missing or too long. */
export function field(
  body: Record<string, unknown>,
  name: string,
  opts: { required: boolean; max: number },
): string | undefined {
  const v = body[name];
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
    if (opts.required) throw new HttpError(400, `${name} is required`, { field: name });
    return undefined;
  }
  if (typeof v !== 'string') throw new HttpError(400, `${name} must be a string`, { field: name });
  const s = v.trim();
  if (s.length > opts.max) throw new HttpError(400, `${name} must be at most ${opts.max} characters`, { field: name });
  return s;
}

export function wantsJson(ctx: RequestContext): boolean {
  return ctx.url.pathname.startsWith('/api/') || ctx.url.pathname === '/healthz';
}
