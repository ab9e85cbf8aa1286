/** Swift's records as the sandbox stores them, its limits, and the header and time formats its answers use. */
import type { FastifyRequest } from 'fastify';
import * as path from 'node:path';

export const SWIFT_KINDS = {
  account: 'object.account',
  container: 'object.container',
  object: 'object.object',
  version: 'object.version',
} as const;
export const K = SWIFT_KINDS;

export const MAX_OBJECT_NAME = 1024;
export const MAX_CONTAINER_NAME = 256;
export const LISTING_LIMIT = 10000;
export const STORAGE_POLICY = 'Policy-0';

export interface AccountDoc {
  id: string;
  meta: Record<string, string>;
  /** Swift X-Timestamp of creation. */
  created: string;
}

export interface ContainerDoc {
  id: string;
  account: string;
  name: string;
  /** x-container-meta-* (lower-case key without prefix → value). */
  meta: Record<string, string>;
  read: string | null;
  write: string | null;
  versionsLocation: string | null;
  historyLocation: string | null;
  versionsEnabled: boolean | null;
  created: string;
  lastModified: string;
  objectCount: number;
  bytesUsed: number;
}

export interface ObjectDoc {
  id: string;
  account: string;
  container: string;
  name: string;
  bytes: number;
  hash: string;
  contentType: string;
  /** Swift X-Timestamp, e.g. 1764381973.00717 */
  timestamp: string;
  meta: Record<string, string>;
  /** content-disposition, content-encoding, x-delete-at... as sent. */
  headers: Record<string, string>;
  blob: string;
  /** Set while the container had X-Versions-Enabled when it was written. */
  versionId?: string;
  /** A delete marker among the versions (object versioning). */
  deleteMarker?: boolean;
}

export interface ObjectStoreOptions {
  blobDir: string;
}

export const PASSTHROUGH_HEADERS = [
  'content-disposition',
  'content-encoding',
  'x-delete-at',
  'cache-control',
  'content-language',
  'expires',
  'x-robots-tag',
];

export const MIME: Record<string, string> = {
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.js': 'application/javascript',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tgz': 'application/x-tar',
  '.tar': 'application/x-tar',
  '.csv': 'text/csv',
  '.yaml': 'application/x-yaml',
  '.yml': 'application/x-yaml',
  '.md': 'text/markdown',
};

/** Swift's X-Timestamp: seconds with five decimals. */
export function swiftTimestamp(d: Date): string {
  return (d.getTime() / 1000).toFixed(5);
}

/** The listing's last_modified: ISO without zone, microseconds. */
export function listingTime(ts: string): string {
  const d = new Date(Math.floor(Number(ts) * 1000));
  const micros = Math.round((Number(ts) % 1) * 1e6)
    .toString()
    .padStart(6, '0');
  return `${d.toISOString().slice(0, 19)}.${micros}`;
}

/** Last-Modified: an HTTP date, rounded up to the second as Swift does. */
export function httpDate(ts: string): string {
  return new Date(Math.ceil(Number(ts)) * 1000).toUTCString();
}

export function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function metaFrom(
  req: FastifyRequest,
  kind: 'account' | 'container' | 'object',
): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  const prefix = `x-${kind}-meta-`;
  const removePrefix = `x-remove-${kind}-meta-`;
  for (const [name, raw] of Object.entries(req.headers)) {
    // Swift's WSGI server reads headers through the CGI environ (HTTP_X_CONTAINER_META_A_B), so `_` and `-` in a
    // header name are the same character: X-Container-Meta-a_b is stored and answered as X-Container-Meta-A-B.
    const k = name.replace(/_/g, '-');
    const v = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
    if (k.startsWith(prefix)) {
      const key = k.slice(prefix.length);
      if (v === '') remove.push(key);
      else set[key] = v;
    } else if (k.startsWith(removePrefix)) remove.push(k.slice(removePrefix.length));
  }
  return { set, remove };
}

export function titleCase(key: string): string {
  return key
    .split('-')
    .map((p) => (p === '' ? p : p[0]?.toUpperCase() + p.slice(1)))
    .join('-');
}

export function guessType(name: string): string {
  return MIME[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}
