/**
 * Object Storage v1 (Swift) under /object-store/v1/AUTH_<project_id>:
 * account, containers (metadata, ACLs, quotas, legacy versioning), objects
 * (bytes on disk written atomically, metadata in SQLite), listings and
 * anonymous reads of public (.r:*) containers.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthInfo, SandboxContext, SandboxService } from '../core/context';
import { isTrue, SWIFT_BOOLEAN } from '../core/booleans';
import { SandboxHttpError, swiftError, swiftStatusError } from '../core/errors';
import { parseLimit } from '../core/paging';
import { queryParams } from '../core/request';
import { writeFileAtomic } from '../core/files';
import { pathInside } from '../core/paths';

export const SWIFT_KINDS = {
  account: 'object.account',
  container: 'object.container',
  object: 'object.object',
  version: 'object.version',
} as const;
const K = SWIFT_KINDS;

const MAX_OBJECT_NAME = 1024;
const MAX_CONTAINER_NAME = 256;
const LISTING_LIMIT = 10000;
const STORAGE_POLICY = 'Policy-0';

interface AccountDoc {
  id: string;
  meta: Record<string, string>;
  /** Swift X-Timestamp of creation. */
  created: string;
}

interface ContainerDoc {
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

interface ObjectDoc {
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

const PASSTHROUGH_HEADERS = [
  'content-disposition',
  'content-encoding',
  'x-delete-at',
  'cache-control',
  'content-language',
  'expires',
  'x-robots-tag',
];

const MIME: Record<string, string> = {
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
function swiftTimestamp(d: Date): string {
  return (d.getTime() / 1000).toFixed(5);
}

/** The listing's last_modified: ISO without zone, microseconds. */
function listingTime(ts: string): string {
  const d = new Date(Math.floor(Number(ts) * 1000));
  const micros = Math.round((Number(ts) % 1) * 1e6)
    .toString()
    .padStart(6, '0');
  return `${d.toISOString().slice(0, 19)}.${micros}`;
}

/** Last-Modified: an HTTP date, rounded up to the second as Swift does. */
function httpDate(ts: string): string {
  return new Date(Math.ceil(Number(ts)) * 1000).toUTCString();
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function metaFrom(
  req: FastifyRequest,
  kind: 'account' | 'container' | 'object',
): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  const prefix = `x-${kind}-meta-`;
  const removePrefix = `x-remove-${kind}-meta-`;
  for (const [k, raw] of Object.entries(req.headers)) {
    const v = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
    if (k.startsWith(prefix)) {
      const key = k.slice(prefix.length);
      if (v === '') remove.push(key);
      else set[key] = v;
    } else if (k.startsWith(removePrefix)) remove.push(k.slice(removePrefix.length));
  }
  return { set, remove };
}

function titleCase(key: string): string {
  return key
    .split('-')
    .map((p) => (p === '' ? p : p[0]?.toUpperCase() + p.slice(1)))
    .join('-');
}

/** Does a Keystone-style container ACL grant this token? (.r:* is handled by the caller.) */
function aclGrants(acl: string | null, auth: AuthInfo | undefined): boolean {
  if (acl === null || auth === undefined) return false;
  for (const raw of acl.split(',')) {
    const entry = raw.trim();
    if (entry === '' || entry.startsWith('.')) continue;
    const [project = '', user] = entry.includes(':') ? entry.split(':', 2) : [entry, '*'];
    const projectOk = project === '*' || project === auth.projectId || project === auth.projectName;
    const userOk = user === undefined || user === '*' || user === auth.userId || user === auth.userName;
    if (projectOk && userOk) return true;
  }
  return false;
}

function publicRead(acl: string | null): boolean {
  if (acl === null) return false;
  return acl.split(',').some((e) => {
    const t = e.trim();
    return t === '.r:*' || t === '.r:*.' || (t.startsWith('.r:') && !t.startsWith('.r:-'));
  });
}

function publicListing(acl: string | null): boolean {
  return acl !== null && acl.split(',').some((e) => e.trim() === '.rlistings');
}

function guessType(name: string): string {
  return MIME[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

export function createObjectStoreService(opts: ObjectStoreOptions): SandboxService {
  return {
    type: 'object-store',
    name: 'swift',
    prefix: '/object-store',
    endpointPath: (projectId) => `/object-store/v1/AUTH_${projectId}`,
    register: (app, ctx) => registerSwift(app, ctx, opts.blobDir),
  };
}

type Access = 'read' | 'write' | 'owner';

function registerSwift(app: FastifyInstance, ctx: SandboxContext, blobDir: string): void {
  const { store } = ctx;
  // Swift takes any body as raw bytes, whatever its Content-Type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const fail = swiftStatusError;
  const params = (req: FastifyRequest): Record<string, string> => req.params as Record<string, string>;
  const query = (req: FastifyRequest): Record<string, string | undefined> => queryParams(req).one;

  /** The token's identity, or undefined for an anonymous (or bad-token) request. */
  const tokenOf = (req: FastifyRequest): AuthInfo | undefined => {
    if (header(req, 'x-auth-token') === undefined) return undefined;
    try {
      return ctx.authenticate(req, 'swift');
    } catch {
      return undefined;
    }
  };
  const projectOfAccount = (account: string): string | undefined =>
    account.startsWith('AUTH_') ? account.slice(5) : undefined;
  const isOwner = (auth: AuthInfo | undefined, account: string): boolean => {
    if (auth === undefined) return false;
    if (auth.roles.includes('ResellerAdmin')) return true;
    return (
      auth.projectId === projectOfAccount(account) && (auth.roles.includes('admin') || auth.roles.includes('member'))
    );
  };
  const unauthorizedOrForbidden = (auth: AuthInfo | undefined, account: string): SandboxHttpError => {
    if (auth !== undefined) return fail(403);
    // Swift says 401 to anonymous callers (and bad tokens), naming the account realm.
    const e = swiftStatusError(401);
    return new SandboxHttpError(401, e.body, {
      ...e.headers,
      'www-authenticate': `Swift realm="${account}", Keystone uri="${ctx.publicUrl}/identity"`,
    });
  };
  const authorize = (
    req: FastifyRequest,
    account: string,
    access: Access,
    container?: ContainerDoc,
  ): AuthInfo | undefined => {
    const auth = tokenOf(req);
    if (isOwner(auth, account)) return auth;
    if (container !== undefined && access !== 'owner' && tempUrlValid(req, account, container)) return auth;
    if (container !== undefined && access !== 'owner') {
      if (access === 'read' && (publicRead(container.read) || aclGrants(container.read, auth))) return auth;
      if (access === 'write' && aclGrants(container.write, auth)) return auth;
    }
    throw unauthorizedOrForbidden(auth, account);
  };
  /**
   * Temp URLs (tempurl middleware): temp_url_sig is an HMAC of "METHOD\nexpires\npath"
   * with an account or container Temp-URL-Key (sha1/sha256/sha512, hex or
   * "<alg>:<base64>"). Clients sign the path they see, which here carries the
   * /object-store prefix; the bare /v1/... path is accepted too.
   */
  const tempUrlValid = (req: FastifyRequest, account: string, c: ContainerDoc): boolean => {
    const q = query(req);
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
      algHint ??
      (sig.length === 40 ? 'sha1' : sig.length === 64 ? 'sha256' : sig.length === 128 ? 'sha512' : undefined);
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
  };
  const checkAccountName = (account: string): void => {
    if (projectOfAccount(account) === undefined) throw fail(404);
  };
  const containerDoc = (account: string, name: string): ContainerDoc | undefined =>
    store.get<ContainerDoc>(K.container, `${account}/${name}`);
  const objectDoc = (c: ContainerDoc, name: string): ObjectDoc | undefined => {
    const o = store.get<ObjectDoc>(K.object, `${c.id}/${name}`);
    if (o === undefined) return undefined;
    const deleteAt = o.headers['x-delete-at'];
    if (deleteAt !== undefined && Number(deleteAt) * 1000 <= ctx.now().getTime()) return undefined;
    return o;
  };
  const blobFile = (blob: string): string => pathInside(blobDir, 'object blob', blob.slice(0, 2), blob);
  const ensureAccount = (account: string): AccountDoc => {
    const existing = store.get<AccountDoc>(K.account, account);
    if (existing !== undefined) return existing;
    return store.insert<AccountDoc>(
      K.account,
      { id: account, meta: {}, created: swiftTimestamp(ctx.now()) },
      projectOfAccount(account) ?? null,
    );
  };

  const containerHeaders = (reply: FastifyReply, c: ContainerDoc): void => {
    reply.header('x-container-object-count', String(c.objectCount));
    reply.header('x-container-bytes-used', String(c.bytesUsed));
    reply.header('x-timestamp', c.created);
    reply.header('last-modified', httpDate(c.lastModified));
    reply.header('x-storage-policy', STORAGE_POLICY);
    reply.header('accept-ranges', 'bytes');
    for (const [k, v] of Object.entries(c.meta)) reply.header(`X-Container-Meta-${titleCase(k)}`, v);
    if (c.read !== null) reply.header('x-container-read', c.read);
    if (c.write !== null) reply.header('x-container-write', c.write);
    if (c.versionsLocation !== null) reply.header('x-versions-location', c.versionsLocation);
    if (c.historyLocation !== null) reply.header('x-history-location', c.historyLocation);
    if (c.versionsEnabled !== null) reply.header('x-versions-enabled', c.versionsEnabled ? 'True' : 'False');
  };
  const accountHeaders = (reply: FastifyReply, account: string): ContainerDoc[] => {
    const acct = store.get<AccountDoc>(K.account, account);
    const containers = store.listByIdPrefix<ContainerDoc>(K.container, `${account}/`);
    const objects = containers.reduce((n, c) => n + c.objectCount, 0);
    const bytes = containers.reduce((n, c) => n + c.bytesUsed, 0);
    reply.header('x-account-container-count', String(containers.length));
    reply.header('x-account-object-count', String(objects));
    reply.header('x-account-bytes-used', String(bytes));
    reply.header(`x-account-storage-policy-${STORAGE_POLICY.toLowerCase()}-container-count`, String(containers.length));
    reply.header(`x-account-storage-policy-${STORAGE_POLICY.toLowerCase()}-object-count`, String(objects));
    reply.header(`x-account-storage-policy-${STORAGE_POLICY.toLowerCase()}-bytes-used`, String(bytes));
    reply.header('x-timestamp', acct?.created ?? swiftTimestamp(ctx.now()));
    reply.header('accept-ranges', 'bytes');
    for (const [k, v] of Object.entries(acct?.meta ?? {})) reply.header(`X-Account-Meta-${titleCase(k)}`, v);
    return containers;
  };
  const wantsJson = (req: FastifyRequest): 'json' | 'plain' => {
    const format = query(req).format;
    if (format === 'json') return 'json';
    if (format === 'plain' || format === 'txt') return 'plain';
    const accept = header(req, 'accept') ?? '';
    return accept.includes('application/json') ? 'json' : 'plain';
  };
  const sendListing = (req: FastifyRequest, reply: FastifyReply, names: string[], json: unknown[]): FastifyReply => {
    reply.header('vary', 'Accept');
    const asJson = wantsJson(req) === 'json';
    reply.header('content-type', asJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8');
    // HEAD always answers 204, as Swift does; an empty plain listing too.
    if (req.method === 'HEAD') return reply.code(204).header('content-length', '0').send();
    if (asJson) return reply.code(200).send(JSON.stringify(json));
    if (names.length === 0) return reply.code(204).send();
    return reply.code(200).send(names.map((n) => `${n}\n`).join(''));
  };
  const page = <T>(items: T[], nameOf: (x: T) => string, req: FastifyRequest): (T | { subdir: string })[] => {
    const q = query(req);
    const prefix = q.prefix ?? (q.path !== undefined ? (q.path === '' ? '' : `${q.path.replace(/\/$/, '')}/`) : '');
    const delimiter = q.delimiter ?? (q.path !== undefined ? '/' : undefined);
    const marker = q.marker;
    const endMarker = q.end_marker;
    const reverse = isTrue(q.reverse, SWIFT_BOOLEAN);
    const limitText = q.limit;
    const limit =
      parseLimit(limitText, () => swiftError(412, 'Value of limit must be a positive integer')) ?? LISTING_LIMIT;
    if (limit > LISTING_LIMIT) throw swiftError(412, `Maximum limit is ${LISTING_LIMIT}`);
    let sorted = items;
    if (reverse) sorted = [...items].reverse();
    const out: (T | { subdir: string })[] = [];
    const seenSubdirs = new Set<string>();
    for (const item of sorted) {
      const name = nameOf(item);
      if (!name.startsWith(prefix)) continue;
      if (marker !== undefined && (reverse ? name >= marker : name <= marker)) continue;
      if (endMarker !== undefined && (reverse ? name <= endMarker : name >= endMarker)) continue;
      if (delimiter !== undefined && delimiter !== '') {
        const rest = name.slice(prefix.length);
        const at = rest.indexOf(delimiter);
        if (at !== -1) {
          const subdir = prefix + rest.slice(0, at + delimiter.length);
          if (!seenSubdirs.has(subdir)) {
            seenSubdirs.add(subdir);
            if (q.path === undefined) out.push({ subdir });
          }
          if (out.length >= limit) break;
          continue;
        }
      }
      out.push(item);
      if (out.length >= limit) break;
    }
    return out;
  };

  // --- info (no auth) ---
  app.get('/info', async () => ({
    swift: {
      version: '2.30.0',
      strict_cors_mode: true,
      policies: [{ name: STORAGE_POLICY, aliases: STORAGE_POLICY, default: true }],
      allow_account_management: false,
      account_autocreate: true,
      max_file_size: 5368709122,
      max_meta_name_length: 128,
      max_meta_value_length: 256,
      max_meta_count: 90,
      max_meta_overall_size: 4096,
      max_header_size: 8192,
      max_object_name_length: MAX_OBJECT_NAME,
      container_listing_limit: LISTING_LIMIT,
      account_listing_limit: LISTING_LIMIT,
      max_account_name_length: 256,
      max_container_name_length: MAX_CONTAINER_NAME,
      extra_header_count: 0,
      valid_api_versions: ['v1', 'v1.0'],
    },
    keystoneauth: {},
    tempurl: {
      methods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
      allowed_digests: ['sha1', 'sha256', 'sha512'],
      incoming_remove_headers: ['x-timestamp'],
      outgoing_remove_headers: ['x-object-meta-*'],
    },
    versioned_writes: { allowed_flags: ['x-versions-location', 'x-history-location'] },
    container_quotas: {},
    account_quotas: {},
  }));
  app.get('/healthcheck', async (_req, reply) => reply.header('content-type', 'text/plain').send('OK'));

  // --- account ---
  const accountGet = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const account = params(req).account ?? '';
    checkAccountName(account);
    authorize(req, account, 'owner');
    const containers = accountHeaders(reply, account);
    const listed = page(containers, (c) => c.name, req);
    const names = listed.map((x) => ('subdir' in x ? x.subdir : x.name));
    const json = listed.map((x) =>
      'subdir' in x
        ? x
        : { name: x.name, count: x.objectCount, bytes: x.bytesUsed, last_modified: listingTime(x.lastModified) },
    );
    return sendListing(req, reply, names, json);
  };
  app.head('/v1/:account', accountGet);
  app.get('/v1/:account', accountGet);
  app.post('/v1/:account', async (req, reply) => {
    const account = params(req).account ?? '';
    checkAccountName(account);
    authorize(req, account, 'owner');
    const { set, remove } = metaFrom(req, 'account');
    store.transaction(() => {
      const acct = ensureAccount(account);
      const meta = { ...acct.meta, ...set };
      for (const k of remove) delete meta[k];
      store.update(K.account, { ...acct, meta });
    });
    return reply.code(204).header('content-type', 'text/html; charset=UTF-8').send();
  });

  // --- containers ---
  const containerOr404 = (account: string, name: string): ContainerDoc => {
    const c = containerDoc(account, name);
    if (c === undefined) throw fail(404);
    return c;
  };
  const containerGet = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const { account = '', container = '' } = params(req);
    checkAccountName(account);
    const c = containerDoc(account, container);
    if (c === undefined) {
      authorize(req, account, 'owner');
      throw fail(404);
    }
    const auth = tokenOf(req);
    if (!isOwner(auth, account) && !(publicListing(c.read) || aclGrants(c.read, auth)))
      throw unauthorizedOrForbidden(auth, account);
    containerHeaders(reply, c);
    const current = store
      .listByIdPrefix<ObjectDoc>(K.object, `${c.id}/`)
      .filter((o) => objectDoc(c, o.name) !== undefined);
    if (query(req).versions !== undefined) {
      // Every version, newest first per name; the current one is_latest.
      const all = [
        ...current.map((o) => ({ o, latest: true })),
        ...store.listByIdPrefix<ObjectDoc>(K.version, `${c.id}/`).map((o) => ({ o, latest: false })),
      ].sort((a, b) =>
        a.o.name === b.o.name
          ? Number(b.o.versionId ?? b.o.timestamp) - Number(a.o.versionId ?? a.o.timestamp)
          : a.o.name < b.o.name
            ? -1
            : 1,
      );
      const newest = new Set<string>();
      const json = all.map(({ o, latest }) => {
        const isLatest = latest || (!newest.has(o.name) && !current.some((x) => x.name === o.name));
        newest.add(o.name);
        return {
          bytes: o.bytes,
          hash: o.hash,
          name: o.name,
          content_type: o.contentType,
          last_modified: listingTime(o.timestamp),
          version_id: o.versionId ?? 'null',
          is_latest: isLatest,
        };
      });
      return sendListing(
        req,
        reply,
        all.map(({ o }) => o.name),
        json,
      );
    }
    const listed = page(current, (o) => o.name, req);
    const names = listed.map((x) => ('subdir' in x ? x.subdir : x.name));
    const json = listed.map((x) =>
      'subdir' in x
        ? x
        : {
            bytes: x.bytes,
            hash: x.hash,
            name: x.name,
            content_type: x.contentType,
            last_modified: listingTime(x.timestamp),
          },
    );
    return sendListing(req, reply, names, json);
  };
  const applyContainerHeaders = (req: FastifyRequest, c: ContainerDoc): ContainerDoc => {
    const { set, remove } = metaFrom(req, 'container');
    const meta = { ...c.meta, ...set };
    for (const k of remove) delete meta[k];
    const next: ContainerDoc = { ...c, meta };
    const read = header(req, 'x-container-read');
    if (read !== undefined) next.read = read === '' ? null : read;
    if (header(req, 'x-remove-container-read') !== undefined) next.read = null;
    const write = header(req, 'x-container-write');
    if (write !== undefined) next.write = write === '' ? null : write;
    if (header(req, 'x-remove-container-write') !== undefined) next.write = null;
    const versions = header(req, 'x-versions-location');
    const history = header(req, 'x-history-location');
    if (versions !== undefined && history !== undefined && versions !== '' && history !== '') {
      throw swiftError(400, 'Only one of X-Versions-Location or X-History-Location may be specified');
    }
    if (versions !== undefined) {
      next.versionsLocation = versions === '' ? null : versions;
      if (versions !== '') next.historyLocation = null;
    }
    if (history !== undefined) {
      next.historyLocation = history === '' ? null : history;
      if (history !== '') next.versionsLocation = null;
    }
    if (header(req, 'x-remove-versions-location') !== undefined) next.versionsLocation = null;
    if (header(req, 'x-remove-history-location') !== undefined) next.historyLocation = null;
    const enabled = header(req, 'x-versions-enabled');
    if (enabled !== undefined) next.versionsEnabled = isTrue(enabled, SWIFT_BOOLEAN);
    if (next.versionsEnabled === true && (next.versionsLocation !== null || next.historyLocation !== null)) {
      throw swiftError(
        400,
        'Cannot enable object versioning on a container that is already using the legacy versioned writes feature.',
      );
    }
    return next;
  };
  app.head('/v1/:account/:container', containerGet);
  app.get('/v1/:account/:container', containerGet);
  app.put('/v1/:account/:container', async (req, reply) => {
    const { account = '', container = '' } = params(req);
    checkAccountName(account);
    authorize(req, account, 'owner');
    if (container.length > MAX_CONTAINER_NAME)
      throw swiftError(400, `Container name length of ${container.length} longer than ${MAX_CONTAINER_NAME}`);
    if (container.includes('/')) throw swiftError(400, 'Container name cannot contain slashes');
    const ts = swiftTimestamp(ctx.now());
    const existing = containerDoc(account, container);
    store.transaction(() => {
      ensureAccount(account);
      const base: ContainerDoc = existing ?? {
        id: `${account}/${container}`,
        account,
        name: container,
        meta: {},
        read: null,
        write: null,
        versionsLocation: null,
        historyLocation: null,
        versionsEnabled: null,
        created: ts,
        lastModified: ts,
        objectCount: 0,
        bytesUsed: 0,
      };
      const next = applyContainerHeaders(req, base);
      next.lastModified = ts;
      if (existing === undefined) store.insert(K.container, next, projectOfAccount(account) ?? null);
      else store.update(K.container, next);
    });
    return reply
      .code(existing === undefined ? 201 : 202)
      .header('content-type', 'text/html; charset=UTF-8')
      .send();
  });
  app.post('/v1/:account/:container', async (req, reply) => {
    const { account = '', container = '' } = params(req);
    checkAccountName(account);
    authorize(req, account, 'owner');
    const c = containerOr404(account, container);
    store.transaction(() =>
      store.update(K.container, { ...applyContainerHeaders(req, c), lastModified: swiftTimestamp(ctx.now()) }),
    );
    return reply.code(204).header('content-type', 'text/html; charset=UTF-8').send();
  });
  app.delete('/v1/:account/:container', async (req, reply) => {
    const { account = '', container = '' } = params(req);
    checkAccountName(account);
    authorize(req, account, 'owner');
    const c = containerOr404(account, container);
    if (store.listByIdPrefix<ObjectDoc>(K.object, `${c.id}/`).some((o) => objectDoc(c, o.name) !== undefined))
      throw fail(409);
    if (store.listByIdPrefix<ObjectDoc>(K.version, `${c.id}/`).some((v) => v.deleteMarker !== true)) throw fail(409);
    const markers = store.listByIdPrefix<ObjectDoc>(K.version, `${c.id}/`);
    const expired = store.listByIdPrefix<ObjectDoc>(K.object, `${c.id}/`);
    store.transaction(() => {
      for (const o of expired) store.delete(K.object, o.id);
      for (const m of markers) store.delete(K.version, m.id);
      store.delete(K.container, c.id);
    });
    for (const o of expired) fs.rmSync(blobFile(o.blob), { force: true });
    return reply.code(204).header('content-type', 'text/html; charset=UTF-8').send();
  });

  // --- objects ---
  const objectPath = (req: FastifyRequest): { account: string; container: string; name: string } => {
    const p = params(req);
    return { account: p.account ?? '', container: p.container ?? '', name: p['*'] ?? '' };
  };
  const objectHeaders = (reply: FastifyReply, o: ObjectDoc): void => {
    reply.header('content-type', o.contentType);
    reply.header('etag', o.hash);
    reply.header('last-modified', httpDate(o.timestamp));
    reply.header('x-timestamp', o.timestamp);
    reply.header('accept-ranges', 'bytes');
    for (const [k, v] of Object.entries(o.meta)) reply.header(`X-Object-Meta-${titleCase(k)}`, v);
    for (const [k, v] of Object.entries(o.headers)) reply.header(k, v);
  };
  const objectGet = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const { account, container, name } = objectPath(req);
    checkAccountName(account);
    if (name === '') return containerGet(req, reply);
    const c = containerDoc(account, container);
    if (c === undefined) {
      authorize(req, account, 'owner');
      throw fail(404);
    }
    authorize(req, account, 'read', c);
    const wanted = query(req)['version-id'];
    let o = objectDoc(c, name);
    if (wanted !== undefined && wanted !== 'null' && o?.versionId !== wanted)
      o = store.get<ObjectDoc>(K.version, versionKey(c, name, wanted));
    if (o === undefined || o.deleteMarker === true) throw fail(404);
    objectHeaders(reply, o);
    if (o.versionId !== undefined) reply.header('x-object-version-id', o.versionId);
    const ifNoneMatch = header(req, 'if-none-match');
    if (
      ifNoneMatch !== undefined &&
      (ifNoneMatch === '*' || ifNoneMatch.split(',').some((t) => t.trim().replace(/"/g, '') === o.hash))
    )
      return reply.code(304).send();
    const ifMatch = header(req, 'if-match');
    if (
      ifMatch !== undefined &&
      ifMatch !== '*' &&
      !ifMatch.split(',').some((t) => t.trim().replace(/"/g, '') === o.hash)
    )
      throw fail(412);
    const data = fs.readFileSync(blobFile(o.blob));
    const range = header(req, 'range');
    const m = range === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    if (m !== null && !(m[1] === '' && m[2] === '')) {
      let start = m[1] === '' ? Math.max(0, data.length - Number(m[2])) : Number(m[1]);
      let end = m[1] === '' || m[2] === '' ? data.length - 1 : Math.min(Number(m[2]), data.length - 1);
      if (start >= data.length || start > end) {
        reply.header('content-range', `bytes */${data.length}`);
        throw swiftError(416, 'Requested Range Not Satisfiable');
      }
      start = Math.max(0, start);
      end = Math.max(start, end);
      reply.code(206).header('content-range', `bytes ${start}-${end}/${data.length}`);
      return req.method === 'HEAD' ? reply.send() : reply.send(data.subarray(start, end + 1));
    }
    if (req.method === 'HEAD') return reply.code(200).header('content-length', String(o.bytes)).send();
    return reply.code(200).send(data);
  };
  /** Moves the current object into the versions container, as legacy versioned_writes does. */
  const archive = (c: ContainerDoc, o: ObjectDoc, location: string): void => {
    const target = containerDoc(c.account, location);
    if (target === undefined) throw swiftError(412, `Versions container ${location} does not exist`);
    const name = `${o.name.length.toString(16).padStart(3, '0')}${o.name}/${o.timestamp}`;
    const copy: ObjectDoc = { ...o, id: `${target.id}/${name}`, container: target.name, name };
    const previous = store.get<ObjectDoc>(K.object, copy.id);
    if (previous !== undefined) store.update(K.object, copy);
    else store.insert(K.object, copy, projectOfAccount(c.account) ?? null);
    store.update(K.container, {
      ...target,
      objectCount: target.objectCount + (previous === undefined ? 1 : 0),
      bytesUsed: target.bytesUsed + o.bytes - (previous?.bytes ?? 0),
    });
  };
  // --- object versioning (X-Versions-Enabled): older versions and delete markers live in kind object.version ---
  const versionKey = (c: ContainerDoc, name: string, versionId: string): string => `${c.id}/${name}\u0000${versionId}`;
  const versionsOf = (c: ContainerDoc, name: string): ObjectDoc[] =>
    store
      .listByIdPrefix<ObjectDoc>(K.version, `${c.id}/${name}\u0000`)
      .sort((a, b) => Number(b.versionId) - Number(a.versionId));
  /** Keeps the current object as a non-current version (inside the caller's transaction). */
  const keepVersion = (c: ContainerDoc, o: ObjectDoc): void => {
    const versionId = o.versionId ?? o.timestamp;
    store.insert<ObjectDoc>(
      K.version,
      { ...o, id: versionKey(c, o.name, versionId), versionId },
      projectOfAccount(c.account) ?? null,
    );
  };
  /** A version id newer than every existing one of this object. */
  const nextVersionId = (c: ContainerDoc, name: string, ts: string): string => {
    const newest = versionsOf(c, name)[0]?.versionId;
    const current = store.get<ObjectDoc>(K.object, `${c.id}/${name}`)?.versionId;
    let v = Number(ts);
    for (const other of [newest, current]) if (other !== undefined && Number(other) >= v) v = Number(other) + 0.00001;
    return v.toFixed(5);
  };

  const putObject = (c: ContainerDoc, o: ObjectDoc, data: Buffer): { previousBlob: string | undefined } => {
    writeFileAtomic(blobFile(o.blob), data);
    let previousBlob: string | undefined;
    store.transaction(() => {
      const fresh = store.get<ContainerDoc>(K.container, c.id) ?? c;
      const previous = store.get<ObjectDoc>(K.object, o.id);
      const location = fresh.versionsLocation ?? fresh.historyLocation;
      let counts = { objectCount: fresh.objectCount + 1, bytesUsed: fresh.bytesUsed + o.bytes };
      if (fresh.versionsEnabled === true) o.versionId = nextVersionId(fresh, o.name, o.timestamp);
      if (previous !== undefined) {
        counts = { objectCount: fresh.objectCount, bytesUsed: fresh.bytesUsed + o.bytes - previous.bytes };
        if (fresh.versionsEnabled === true) keepVersion(fresh, previous);
        else if (location !== null) archive(fresh, previous, location);
        else previousBlob = previous.blob;
        store.update(K.object, o);
      } else store.insert(K.object, o, projectOfAccount(c.account) ?? null);
      const latest = store.get<ContainerDoc>(K.container, c.id) ?? fresh;
      store.update(K.container, { ...latest, ...counts });
    });
    return { previousBlob };
  };
  /**
   * DELETE with versioning: without version-id the current object becomes a
   * version and a delete marker is written; with version-id that version goes
   * (if it was the current one, the newest older non-marker version becomes current).
   */
  const deleteVersioned = (
    reply: FastifyReply,
    c: ContainerDoc,
    name: string,
    current: ObjectDoc | undefined,
    wanted: string | undefined,
  ): FastifyReply => {
    let freed: string | undefined;
    let answeredVersion: string | undefined;
    store.transaction(() => {
      const fresh = store.get<ContainerDoc>(K.container, c.id) ?? c;
      const dropCurrent = (o: ObjectDoc): void => {
        store.delete(K.object, o.id);
        const latest = store.get<ContainerDoc>(K.container, c.id) ?? fresh;
        store.update(K.container, {
          ...latest,
          objectCount: latest.objectCount - 1,
          bytesUsed: latest.bytesUsed - o.bytes,
        });
      };
      if (wanted === undefined) {
        if (current === undefined) throw fail(404);
        keepVersion(fresh, current);
        dropCurrent(current);
        const ts = swiftTimestamp(ctx.now());
        const markerId = nextVersionId(fresh, name, ts);
        store.insert<ObjectDoc>(
          K.version,
          {
            id: versionKey(fresh, name, markerId),
            account: c.account,
            container: c.name,
            name,
            bytes: 0,
            hash: 'd41d8cd98f00b204e9800998ecf8427e',
            contentType: 'application/x-deleted;swift_versions_deleted=1',
            timestamp: ts,
            meta: {},
            headers: {},
            blob: '',
            versionId: markerId,
            deleteMarker: true,
          },
          projectOfAccount(c.account) ?? null,
        );
        answeredVersion = markerId;
        return;
      }
      if (
        current !== undefined &&
        (current.versionId === wanted || (wanted === 'null' && current.versionId === undefined))
      ) {
        freed = current.blob;
        dropCurrent(current);
        const promote = versionsOf(fresh, name)[0];
        if (promote !== undefined && promote.deleteMarker !== true) {
          store.delete(K.version, promote.id);
          store.insert<ObjectDoc>(K.object, { ...promote, id: `${c.id}/${name}` }, projectOfAccount(c.account) ?? null);
          const latest = store.get<ContainerDoc>(K.container, c.id) ?? fresh;
          store.update(K.container, {
            ...latest,
            objectCount: latest.objectCount + 1,
            bytesUsed: latest.bytesUsed + promote.bytes,
          });
        }
        answeredVersion = wanted;
        return;
      }
      const version =
        wanted === undefined ? undefined : store.get<ObjectDoc>(K.version, versionKey(fresh, name, wanted));
      if (version === undefined) throw fail(404);
      store.delete(K.version, version.id);
      if (version.deleteMarker !== true) freed = version.blob;
      answeredVersion = wanted;
    });
    if (freed !== undefined && freed !== '') fs.rmSync(blobFile(freed), { force: true });
    if (answeredVersion !== undefined) reply.header('x-object-version-id', answeredVersion);
    return reply.code(204).header('content-type', 'text/html; charset=UTF-8').send();
  };
  app.head('/v1/:account/:container/*', objectGet);
  app.get('/v1/:account/:container/*', objectGet);
  app.put('/v1/:account/:container/*', async (req, reply) => {
    const { account, container, name } = objectPath(req);
    return putHandler(req, reply, account, container, name, header(req, 'x-copy-from'));
  });
  // COPY with a Destination header is PUT-with-X-Copy-From seen from the source (swiftclient uses it).
  app.addHttpMethod('COPY');
  app.route({
    method: 'COPY',
    url: '/v1/:account/:container/*',
    handler: async (req, reply) => {
      const { account, container, name } = objectPath(req);
      const destination = header(req, 'destination');
      if (destination === undefined) throw swiftError(412, 'You must provide a Destination header');
      const decoded = decodeURIComponent(destination.replace(/^\//, ''));
      const slash = decoded.indexOf('/');
      if (slash <= 0 || slash === decoded.length - 1)
        throw swiftError(412, 'Bad URL: the Destination header must be of the form <container name>/<object name>');
      const destAccount = header(req, 'destination-account') ?? account;
      return putHandler(
        req,
        reply,
        destAccount,
        decoded.slice(0, slash),
        decoded.slice(slash + 1),
        `/${container}/${name}`,
        account,
      );
    },
  });
  const putHandler = async (
    req: FastifyRequest,
    reply: FastifyReply,
    account: string,
    container: string,
    name: string,
    copyFrom: string | undefined,
    sourceAccount = account,
  ): Promise<FastifyReply> => {
    checkAccountName(account);
    if (name === '') {
      reply.code(405);
      throw swiftError(405, 'The method is not allowed for this resource.');
    }
    if (name.length > MAX_OBJECT_NAME)
      throw swiftError(400, `Object name length of ${name.length} longer than ${MAX_OBJECT_NAME}`);
    const c = containerDoc(account, container);
    if (c === undefined) {
      authorize(req, account, 'owner');
      throw fail(404);
    }
    authorize(req, account, 'write', c);
    let data: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let copiedFrom: ObjectDoc | undefined;
    if (copyFrom !== undefined) {
      const decoded = decodeURIComponent(copyFrom.replace(/^\//, ''));
      const slash = decoded.indexOf('/');
      const src = slash === -1 ? undefined : containerDoc(sourceAccount, decoded.slice(0, slash));
      if (src === undefined) throw fail(404);
      authorize(req, sourceAccount, 'read', src);
      copiedFrom = objectDoc(src, decoded.slice(slash + 1));
      if (copiedFrom === undefined) throw fail(404);
      data = fs.readFileSync(blobFile(copiedFrom.blob));
    }
    const quotaBytes = c.meta['quota-bytes'];
    const quotaCount = c.meta['quota-count'];
    const existing = objectDoc(c, name);
    if (quotaCount !== undefined && existing === undefined && c.objectCount + 1 > Number(quotaCount))
      throw swiftError(413, 'Upload exceeds quota.');
    if (quotaBytes !== undefined && c.bytesUsed - (existing?.bytes ?? 0) + data.length > Number(quotaBytes))
      throw swiftError(413, 'Upload exceeds quota.');
    const hash = createHash('md5').update(data).digest('hex');
    const expected = header(req, 'etag');
    if (expected !== undefined && expected.replace(/"/g, '').toLowerCase() !== hash)
      throw swiftError(
        422,
        'The request could not be processed because of a problem with the request body (ETag mismatch).',
      );
    const { set } = metaFrom(req, 'object');
    const headers: Record<string, string> = {};
    for (const h of PASSTHROUGH_HEADERS) {
      const v = header(req, h);
      if (v !== undefined) headers[h] = v;
    }
    const deleteAfter = header(req, 'x-delete-after');
    if (deleteAfter !== undefined)
      headers['x-delete-at'] = String(Math.floor(ctx.now().getTime() / 1000) + Number(deleteAfter));
    const sentType = header(req, 'content-type');
    const detect = isTrue(header(req, 'x-detect-content-type'), SWIFT_BOOLEAN);
    const contentType =
      copiedFrom !== undefined && sentType === undefined
        ? copiedFrom.contentType
        : sentType === undefined || sentType === '' || detect
          ? guessType(name)
          : sentType;
    const ts = swiftTimestamp(ctx.now());
    const o: ObjectDoc = {
      id: `${c.id}/${name}`,
      account,
      container,
      name,
      bytes: data.length,
      hash,
      contentType,
      timestamp: ts,
      meta: copiedFrom !== undefined ? { ...copiedFrom.meta, ...set } : set,
      headers,
      blob: `${randomUUID()}`,
    };
    const { previousBlob } = putObject(c, o, data);
    if (o.versionId !== undefined) reply.header('x-object-version-id', o.versionId);
    if (previousBlob !== undefined) fs.rmSync(blobFile(previousBlob), { force: true });
    if (copiedFrom !== undefined) {
      reply
        .header('x-copied-from', `${copiedFrom.container}/${copiedFrom.name}`)
        .header('x-copied-from-last-modified', httpDate(copiedFrom.timestamp));
      if (sourceAccount !== account) reply.header('x-copied-from-account', sourceAccount);
    }
    return reply
      .code(201)
      .header('etag', hash)
      .header('last-modified', httpDate(ts))
      .header('content-type', 'text/html; charset=UTF-8')
      .send();
  };
  app.post('/v1/:account/:container/*', async (req, reply) => {
    const { account, container, name } = objectPath(req);
    checkAccountName(account);
    const c = containerDoc(account, container);
    if (c === undefined) {
      authorize(req, account, 'owner');
      throw fail(404);
    }
    authorize(req, account, 'write', c);
    const o = objectDoc(c, name);
    if (o === undefined) throw fail(404);
    // POST replaces all user metadata, as Swift does (fast-post).
    const { set } = metaFrom(req, 'object');
    const headers = { ...o.headers };
    for (const h of PASSTHROUGH_HEADERS) {
      const v = header(req, h);
      if (v !== undefined) headers[h] = v;
    }
    const contentType = header(req, 'content-type');
    store.transaction(() =>
      store.update(K.object, { ...o, meta: set, headers, contentType: contentType ?? o.contentType }),
    );
    return reply.code(202).header('content-type', 'text/html; charset=UTF-8').send();
  });
  app.delete('/v1/:account/:container/*', async (req, reply) => {
    const { account, container, name } = objectPath(req);
    checkAccountName(account);
    const c = containerDoc(account, container);
    if (c === undefined) {
      authorize(req, account, 'owner');
      throw fail(404);
    }
    authorize(req, account, 'write', c);
    const o = objectDoc(c, name);
    const wanted = query(req)['version-id'];
    if (wanted !== undefined || c.versionsEnabled === true) return deleteVersioned(reply, c, name, o, wanted);
    let freed: string | undefined;
    store.transaction(() => {
      const fresh = store.get<ContainerDoc>(K.container, c.id) ?? c;
      if (o === undefined) {
        if (fresh.versionsLocation === null) throw fail(404);
      } else {
        if (fresh.historyLocation !== null) archive(fresh, o, fresh.historyLocation);
        else freed = o.blob;
        store.delete(K.object, o.id);
        const latest = store.get<ContainerDoc>(K.container, c.id) ?? fresh;
        store.update(K.container, {
          ...latest,
          objectCount: latest.objectCount - 1,
          bytesUsed: latest.bytesUsed - o.bytes,
        });
      }
      if (fresh.versionsLocation !== null) {
        // Stack mode: the newest archived version comes back.
        const vc = containerDoc(account, fresh.versionsLocation);
        const prefix = `${name.length.toString(16).padStart(3, '0')}${name}/`;
        const versions = vc === undefined ? [] : store.listByIdPrefix<ObjectDoc>(K.object, `${vc.id}/${prefix}`);
        const newest = versions[versions.length - 1];
        if (vc !== undefined && newest !== undefined) {
          store.delete(K.object, newest.id);
          store.update(K.container, { ...vc, objectCount: vc.objectCount - 1, bytesUsed: vc.bytesUsed - newest.bytes });
          const restored: ObjectDoc = { ...newest, id: `${c.id}/${name}`, container, name };
          store.insert(K.object, restored, projectOfAccount(account) ?? null);
          const latest = store.get<ContainerDoc>(K.container, c.id) ?? fresh;
          store.update(K.container, {
            ...latest,
            objectCount: latest.objectCount + 1,
            bytesUsed: latest.bytesUsed + restored.bytes,
          });
        } else if (o === undefined) throw fail(404);
      }
    });
    if (freed !== undefined) fs.rmSync(blobFile(freed), { force: true });
    return reply.code(204).header('content-type', 'text/html; charset=UTF-8').send();
  });
}
