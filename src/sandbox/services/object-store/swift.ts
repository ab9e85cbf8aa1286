/**
 * What every Swift route shares, built once per server: who the caller is and
 * what they may do (owner, ACL, temp URL), lookups that answer 404, the headers of
 * an account, a container or an object, and listings (prefix, delimiter, markers).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthInfo, SandboxContext } from '../../core/context';
import { isTrue, SWIFT_BOOLEAN } from '../../core/booleans';
import { SandboxHttpError, swiftError, swiftStatusError } from '../../core/errors';
import { parseLimit } from '../../core/paging';
import { pathInside } from '../../core/paths';
import { queryParams } from '../../core/request';
import { aclGrants, publicListing, publicRead } from './acl';
import {
  K,
  LISTING_LIMIT,
  STORAGE_POLICY,
  header,
  httpDate,
  swiftTimestamp,
  titleCase,
  type AccountDoc,
  type ContainerDoc,
  type ObjectDoc,
} from './model';
import { tempUrlValid } from './temp-url';

export type Access = 'read' | 'write' | 'owner';

export type SwiftApi = ReturnType<typeof swiftApi>;

export function swiftApi(ctx: SandboxContext, blobDir: string) {
  const { store } = ctx;
  const fail = swiftStatusError;

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
    if (container !== undefined && access !== 'owner' && tempUrlValid(ctx, req, account, container)) return auth;
    if (container !== undefined && access !== 'owner') {
      const referer = req.headers.referer;
      if (access === 'read' && (publicRead(container.read, referer) || aclGrants(container.read, auth))) return auth;
      if (access === 'write' && aclGrants(container.write, auth)) return auth;
    }
    throw unauthorizedOrForbidden(auth, account);
  };
  /** A container's listing: its owner, a public `.rlistings` container, or a read ACL that names the caller. */
  const authorizeListing = (req: FastifyRequest, account: string, c: ContainerDoc): void => {
    const auth = tokenOf(req);
    if (!isOwner(auth, account) && !(publicListing(c.read) || aclGrants(c.read, auth)))
      throw unauthorizedOrForbidden(auth, account);
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
  const listingFormat = (req: FastifyRequest): 'json' | 'xml' | 'plain' => {
    const format = query(req).format;
    if (format === 'json' || format === 'xml') return format;
    if (format === 'plain' || format === 'txt') return 'plain';
    const accept = header(req, 'accept') ?? '';
    if (accept.includes('application/json')) return 'json';
    return accept.includes('application/xml') || accept.includes('text/xml') ? 'xml' : 'plain';
  };
  /** A listing in the format asked for; `root` names the XML document (`<account name=…>` or `<container name=…>`). */
  const sendListing = (
    req: FastifyRequest,
    reply: FastifyReply,
    names: string[],
    json: unknown[],
    root: ListingRoot,
  ): FastifyReply => {
    reply.header('vary', 'Accept');
    const format = listingFormat(req);
    reply.header('content-type', LISTING_CONTENT_TYPE[format]);
    // HEAD always answers 204, as Swift does; an empty plain listing too.
    if (req.method === 'HEAD') return reply.code(204).header('content-length', '0').send();
    switch (format) {
      case 'json':
        return reply.code(200).send(JSON.stringify(json));
      case 'xml':
        return reply.code(200).send(xmlListing(root, json));
      case 'plain':
        if (names.length === 0) return reply.code(204).send();
        return reply.code(200).send(names.map((n) => `${n}\n`).join(''));
    }
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
      // Checked first: `limit=0` is a valid limit that lists nothing.
      if (out.length >= limit) break;
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
          continue;
        }
      }
      out.push(item);
    }
    return out;
  };
  const containerOr404 = (account: string, name: string): ContainerDoc => {
    const c = containerDoc(account, name);
    if (c === undefined) throw fail(404);
    return c;
  };
  const objectPath = (req: FastifyRequest): { account: string; container: string; name: string } => {
    const p = req.params as Record<string, string | undefined>;
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
  return {
    ctx,
    store,
    fail,
    query,
    projectOfAccount,
    authorize,
    authorizeListing,
    checkAccountName,
    containerDoc,
    containerOr404,
    objectDoc,
    blobFile,
    ensureAccount,
    containerHeaders,
    accountHeaders,
    sendListing,
    page,
    objectPath,
    objectHeaders,
  };
}

/** What an XML listing is of: an account's containers or a container's objects. */
export interface ListingRoot {
  kind: 'account' | 'container';
  name: string;
}

const LISTING_CONTENT_TYPE = {
  json: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  plain: 'text/plain; charset=utf-8',
} as const;

function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Swift's XML listing: one element per entry with its JSON fields as children; a subdir as `<subdir name=…>`. */
export function xmlListing(root: ListingRoot, entries: unknown[]): string {
  const entryTag = root.kind === 'account' ? 'container' : 'object';
  const body = entries.map((entry) => {
    const fields = entry as Record<string, unknown>;
    if (typeof fields.subdir === 'string') {
      const dir = xmlEscape(fields.subdir);
      return `<subdir name="${dir}"><name>${dir}</name></subdir>`;
    }
    const children = Object.entries(fields).map(([k, v]) => `<${k}>${xmlEscape(String(v))}</${k}>`);
    return `<${entryTag}>${children.join('')}</${entryTag}>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root.kind} name="${xmlEscape(root.name)}">${body.join('')}</${root.kind}>`;
}
