/**
 * fetch with the TLS settings real clouds need: a private CA (`cacert`), a client certificate
 * (`cert`/`key`) and, for tests only, no verification (`insecure`). Node's global fetch takes
 * none of these per request (its undici dispatcher is not public in Node 20), so this speaks
 * node:http/node:https and answers with a standard Response (streamed body), so callers keep
 * the fetch API. Failures are HttpFetchError with the socket's or TLS library's code.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';

export interface TlsSettings {
  /** PEM text of the certificate authorities to trust instead of the system's. */
  ca?: string;
  /** PEM text of a client certificate and its key (mutual TLS). */
  cert?: string;
  key?: string;
  /** Skip verification of the server's certificate (never by default). */
  insecure?: boolean;
  /** The name to ask for (SNI) and verify the certificate against, when the URL names an address. */
  servername?: string;
}

export interface HttpFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  tls?: TlsSettings;
}

/** Why a request got no answer: the code says whether it was the network, TLS or a timeout. */
export class HttpFetchError extends Error {
  constructor(
    message: string,
    /** ECONNREFUSED, ENOTFOUND, TimeoutError, AbortError, or a TLS code such as SELF_SIGNED_CERT_IN_CHAIN. */
    readonly code: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'HttpFetchError';
  }

  /** The server's certificate was refused (unknown CA, expired, wrong name) or it refused ours. */
  get tls(): TlsProblem | undefined {
    return tlsProblem(this.code);
  }
}

export type TlsProblem = 'unknown-ca' | 'expired' | 'wrong-name' | 'client-certificate' | 'handshake';

const UNKNOWN_CA = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

export function tlsProblem(code: string): TlsProblem | undefined {
  if (UNKNOWN_CA.has(code)) return 'unknown-ca';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return 'expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return 'wrong-name';
  if (/CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA$/.test(code)) return 'client-certificate';
  if (/^ERR_SSL_|^EPROTO$|^ERR_TLS_/.test(code)) return 'handshake';
  return undefined;
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

export function httpFetch(url: string, init: HttpFetchInit = {}): Promise<Response> {
  const target = new URL(url);
  const isHttps = target.protocol === 'https:';
  if (!isHttps && target.protocol !== 'http:')
    return Promise.reject(new HttpFetchError(`unsupported URL scheme ${target.protocol}`, 'ERR_INVALID_URL', url));
  const method = (init.method ?? 'GET').toUpperCase();
  const tls = init.tls ?? {};
  const options: https.RequestOptions = {
    method,
    headers: {
      ...init.headers,
      ...(init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) }),
    },
    ...(init.signal === undefined ? {} : { signal: init.signal }),
    // A connection per request: Node 20's global agent keeps sockets alive, and one the server closed
    // while storm was busy elsewhere (tofu runs for minutes) fails the next request with ECONNRESET.
    agent: false,
  };
  if (isHttps) {
    if (tls.ca !== undefined) options.ca = tls.ca;
    if (tls.cert !== undefined) options.cert = tls.cert;
    if (tls.key !== undefined) options.key = tls.key;
    options.rejectUnauthorized = tls.insecure !== true;
    if (tls.servername !== undefined) options.servername = tls.servername;
  }
  return new Promise<Response>((resolve, reject) => {
    const fail = (err: unknown): void => {
      const e = err as NodeJS.ErrnoException & { reason?: unknown };
      const reason = init.signal?.reason as { name?: string } | undefined;
      const code =
        e.name === 'AbortError' || e.code === 'ABORT_ERR'
          ? reason?.name === 'TimeoutError'
            ? 'TimeoutError'
            : 'AbortError'
          : (e.code ?? e.name ?? 'Error');
      reject(new HttpFetchError(`${method} ${url}: ${e.message ?? String(err)}`, code, url));
    };
    const req = (isHttps ? https : http).request(target, options, (res) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
      }
      const status = res.statusCode ?? 502;
      const empty = method === 'HEAD' || NULL_BODY_STATUS.has(status);
      if (empty) res.resume();
      res.on('error', () => undefined); // surfaced to the reader of the body stream
      resolve(
        new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
          status,
          statusText: res.statusMessage ?? '',
          headers,
        }),
      );
    });
    req.on('error', fail);
    req.end(init.body);
  });
}
