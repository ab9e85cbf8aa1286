/**
 * Errors as each real OpenStack service words them (shapes copied from
 * ../shared/openstack-api/real-zed/error-*.json). A route throws one of these;
 * the server turns it into the answer verbatim.
 */
import type { ErrorStyle } from './context';

export type HttpHeaders = Record<string, string>;

export class SandboxHttpError extends Error {
  readonly status: number;
  /** A JSON document, or a string sent as-is (Glance and Swift answer HTML/plain text). */
  readonly body: unknown;
  readonly headers: HttpHeaders;

  constructor(status: number, body: unknown, headers: HttpHeaders = {}) {
    super(
      typeof body === 'string'
        ? `${status}: ${body.slice(0, 200)}`
        : `${status}: ${JSON.stringify(body).slice(0, 200)}`,
    );
    this.name = 'SandboxHttpError';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Requested Range Not Satisfiable',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Error';
}

/** Keystone: {"error": {"code", "message", "title"}}. */
export function keystoneError(status: number, title: string, message: string): SandboxHttpError {
  return new SandboxHttpError(status, { error: { code: status, message, title } });
}

export type NovaErrorKind =
  | 'badRequest'
  | 'itemNotFound'
  | 'forbidden'
  | 'conflictingRequest'
  | 'overLimit'
  | 'computeFault'
  | 'notImplemented'
  | 'HTTPNotAcceptable'
  | 'unauthorized'
  | 'serviceUnavailable'
  | 'badMethod'
  | 'badMediaType';

/** Nova: {"<kind>": {"code", "message"}}. */
export function novaError(status: number, kind: NovaErrorKind, message: string): SandboxHttpError {
  return new SandboxHttpError(status, { [kind]: { code: status, message } });
}

/** Neutron: {"NeutronError": {"type", "message", "detail": ""}}. */
export function neutronError(status: number, type: string, message: string): SandboxHttpError {
  return new SandboxHttpError(status, { NeutronError: { type, message, detail: '' } });
}

export type CinderErrorKind =
  | 'badRequest'
  | 'itemNotFound'
  | 'forbidden'
  | 'conflictingRequest'
  | 'overLimit'
  | 'computeFault'
  | 'notImplemented'
  | 'serviceUnavailable'
  | 'badMethod'
  | 'badMediaType';

/** Cinder: {"<kind>": {"code", "message"}}; overLimit adds retryAfter and a Retry-After header. */
export function cinderError(status: number, kind: CinderErrorKind, message: string): SandboxHttpError {
  if (kind === 'overLimit') {
    return new SandboxHttpError(
      status,
      { overLimit: { code: status, message, retryAfter: '0' } },
      { 'retry-after': '0' },
    );
  }
  return new SandboxHttpError(status, { [kind]: { code: status, message } });
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&#x27;';
    }
  });
}

const HTML = 'text/html; charset=UTF-8';

/**
 * Designate: {"code", "type", "message", "request_id"}; the request id is the
 * one the answer carries in X-Openstack-Request-Id (the server fills it in).
 */
export function designateError(status: number, type: string, message: string): SandboxHttpError {
  return new SandboxHttpError(status, { code: status, type, message, request_id: '' });
}

/**
 * Barbican: pecan's JSON error hook, {"code", "title", "description"} (barbican/api/hooks.py).
 */
export function barbicanError(status: number, description: string): SandboxHttpError {
  return new SandboxHttpError(status, { code: status, title: reasonPhrase(status), description });
}

/**
 * Octavia answers through WSME: {"faultcode": "Client"|"Server", "faultstring", "debuginfo": null};
 * a 4xx is the client's fault, a 5xx the server's.
 */
export function octaviaError(status: number, message: string): SandboxHttpError {
  return new SandboxHttpError(status, {
    faultcode: status >= 500 ? 'Server' : 'Client',
    faultstring: message,
    debuginfo: null,
  });
}

/** Glance answers errors with webob's HTML page, not JSON. */
export function glanceError(status: number, message: string): SandboxHttpError {
  const title = `${status} ${reasonPhrase(status)}`;
  const body = `<html>\n <head>\n  <title>${title}</title>\n </head>\n <body>\n  <h1>${title}</h1>\n  ${escapeHtml(message)}<br /><br />\n\n\n\n </body>\n</html>`;
  return new SandboxHttpError(status, body, { 'content-type': HTML });
}

/** The short HTML page Swift's proxy answers; message is the paragraph. */
export function swiftError(status: number, message: string): SandboxHttpError {
  if (status === 413) return new SandboxHttpError(status, message, { 'content-type': 'text/plain; charset=UTF-8' });
  const title = reasonPhrase(status);
  return new SandboxHttpError(status, `<html><h1>${title}</h1><p>${escapeHtml(message)}</p></html>`, {
    'content-type': HTML,
  });
}

/** The default paragraph Swift uses for a status, e.g. 404 "The resource could not be found." */
export function swiftDefaultMessage(status: number): string {
  switch (status) {
    case 401:
      return 'This server could not verify that you are authorized to access the document you requested.';
    case 403:
      return 'Access was denied to this resource.';
    case 404:
      return 'The resource could not be found.';
    case 409:
      return 'There was a conflict when trying to complete your request.';
    case 412:
      return 'A precondition for this request was not met.';
    case 413:
      return 'Upload exceeds quota.';
    case 503:
      return 'The server is currently unavailable. Please try again at a later time.';
    default:
      return 'The server has either erred or is incapable of performing the requested operation.';
  }
}

const GLANCE_401 =
  'This server could not verify that you are authorized to access the document you requested. Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.';

/**
 * The 401 a service answers for a missing/unknown/expired token, as its auth
 * middleware (keystonemiddleware) words it. identityUri is <public>/identity.
 */
export function unauthorizedError(style: ErrorStyle, identityUri: string, swiftAccount?: string): SandboxHttpError {
  const message = 'The request you have made requires authentication.';
  switch (style) {
    case 'keystone':
      return new SandboxHttpError(
        401,
        { error: { code: 401, message, title: 'Unauthorized' } },
        { 'www-authenticate': `Keystone uri="${identityUri}/v3"` },
      );
    case 'nova':
    case 'neutron':
    case 'cinder':
    case 'octavia':
    case 'designate':
    case 'barbican':
      return new SandboxHttpError(
        401,
        { error: { code: 401, title: 'Unauthorized', message } },
        { 'www-authenticate': `Keystone uri="${identityUri}"` },
      );
    case 'glance': {
      const e = glanceError(401, GLANCE_401);
      return new SandboxHttpError(401, e.body, { ...e.headers, 'www-authenticate': `Keystone uri="${identityUri}"` });
    }
    case 'swift': {
      const e = swiftError(401, swiftDefaultMessage(401));
      const realm = swiftAccount === undefined ? '' : `Swift realm="${swiftAccount}", `;
      return new SandboxHttpError(401, e.body, {
        ...e.headers,
        'www-authenticate': `${realm}Keystone uri="${identityUri}"`,
      });
    }
  }
}

/** A generic error (fault injection, 404 route, 500) in the given service's style. */
export function styledError(style: ErrorStyle, status: number, message: string): SandboxHttpError {
  switch (style) {
    case 'keystone':
      return keystoneError(status, reasonPhrase(status), message);
    case 'nova':
      return novaError(status, novaKindFor(status), message);
    case 'neutron':
      return neutronError(status, neutronTypeFor(status), message);
    case 'cinder':
      return cinderError(status, cinderKindFor(status), message);
    case 'glance':
      return glanceError(status, message);
    case 'swift':
      return swiftError(status, message);
    case 'octavia':
      return octaviaError(status, message);
    case 'designate':
      return designateError(status, designateTypeFor(status), message);
    case 'barbican':
      return barbicanError(status, message);
  }
}

function designateTypeFor(status: number): string {
  if (status === 400) return 'bad_request';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 503) return 'service_unavailable';
  return 'internal_server_error';
}

/** The four errors every route throws, in one service's style; each takes the message as that service words it. */
export interface ErrorShorthands {
  badRequest(message: string): SandboxHttpError;
  forbidden(message: string): SandboxHttpError;
  notFound(message: string): SandboxHttpError;
  conflict(message: string): SandboxHttpError;
}

export function errorShorthands(style: ErrorStyle): ErrorShorthands {
  const withStatus =
    (status: number) =>
    (message: string): SandboxHttpError =>
      styledError(style, status, message);
  return {
    badRequest: withStatus(400),
    forbidden: withStatus(403),
    notFound: withStatus(404),
    conflict: withStatus(409),
  };
}

/** Swift's answer for a status with the paragraph its proxy uses by default. */
export function swiftStatusError(status: number): SandboxHttpError {
  return swiftError(status, swiftDefaultMessage(status));
}

/** Nova's and Cinder's fault wrappers map a status to the envelope key this way (nova/api/openstack/wsgi.py). */
export function novaKindFor(status: number): NovaErrorKind {
  switch (status) {
    case 400:
      return 'badRequest';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'itemNotFound';
    case 405:
      return 'badMethod';
    case 409:
      return 'conflictingRequest';
    case 413:
    case 429:
      return 'overLimit';
    case 415:
      return 'badMediaType';
    case 501:
      return 'notImplemented';
    case 503:
      return 'serviceUnavailable';
    default:
      return 'computeFault';
  }
}

function cinderKindFor(status: number): CinderErrorKind {
  const kind = novaKindFor(status);
  return kind === 'unauthorized' || kind === 'HTTPNotAcceptable' ? 'computeFault' : kind;
}

function neutronTypeFor(status: number): string {
  if (status === 400) return 'HTTPBadRequest';
  if (status === 403) return 'HTTPForbidden';
  if (status === 404) return 'HTTPNotFound';
  if (status === 409) return 'HTTPConflict';
  if (status === 503) return 'HTTPServiceUnavailable';
  return 'HTTPInternalServerError';
}
