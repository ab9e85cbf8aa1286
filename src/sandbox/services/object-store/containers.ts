/** Swift containers: listing their objects, create/update (metadata, ACLs, quotas, versioning) and delete. */
import * as fs from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isTrue, SWIFT_BOOLEAN } from '../../core/booleans';
import { swiftError } from '../../core/errors';
import { pathParam } from '../../core/request';
import {
  K,
  MAX_CONTAINER_NAME,
  header,
  listingTime,
  metaFrom,
  swiftTimestamp,
  type ContainerDoc,
  type ObjectDoc,
} from './model';
import type { SwiftApi } from './swift';

const containerPath = (req: FastifyRequest): { account: string; container: string } => ({
  account: pathParam(req, 'account'),
  container: pathParam(req, 'container'),
});

/** GET/HEAD of a container: its headers and the listing of its objects (or of their versions). */
export function containerListing(api: SwiftApi): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  const {
    store,
    fail,
    query,
    authorize,
    authorizeListing,
    checkAccountName,
    containerDoc,
    objectDoc,
    containerHeaders,
    sendListing,
    page,
  } = api;
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const { account, container } = containerPath(req);
    checkAccountName(account);
    const c = containerDoc(account, container);
    if (c === undefined) {
      authorize(req, account, 'owner');
      throw fail(404);
    }
    authorizeListing(req, account, c);
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
        { kind: 'container', name: container },
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
    return sendListing(req, reply, names, json, { kind: 'container', name: container });
  };
}

export function registerContainerRoutes(app: FastifyInstance, api: SwiftApi): void {
  const {
    ctx,
    store,
    fail,
    authorize,
    checkAccountName,
    containerDoc,
    containerOr404,
    objectDoc,
    blobFile,
    ensureAccount,
    projectOfAccount,
  } = api;
  const containerGet = containerListing(api);
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
    const { account, container } = containerPath(req);
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
    const { account, container } = containerPath(req);
    checkAccountName(account);
    authorize(req, account, 'owner');
    const c = containerOr404(account, container);
    store.transaction(() =>
      store.update(K.container, { ...applyContainerHeaders(req, c), lastModified: swiftTimestamp(ctx.now()) }),
    );
    return reply.code(204).header('content-type', 'text/html; charset=UTF-8').send();
  });
  app.delete('/v1/:account/:container', async (req, reply) => {
    const { account, container } = containerPath(req);
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
}
