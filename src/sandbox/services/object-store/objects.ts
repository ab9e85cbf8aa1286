/** Swift objects: read (ranges, conditional GETs, versions), write and copy, metadata updates and delete. */
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isTrue, SWIFT_BOOLEAN } from '../../core/booleans';
import { swiftError } from '../../core/errors';
import { containerListing } from './containers';
import {
  K,
  MAX_OBJECT_NAME,
  PASSTHROUGH_HEADERS,
  guessType,
  header,
  httpDate,
  metaFrom,
  swiftTimestamp,
  type ContainerDoc,
  type ObjectDoc,
} from './model';
import type { SwiftApi } from './swift';
import { objectVersions } from './versions';

export function registerObjectRoutes(app: FastifyInstance, api: SwiftApi): void {
  const {
    ctx,
    store,
    fail,
    query,
    projectOfAccount,
    authorize,
    checkAccountName,
    containerDoc,
    objectDoc,
    blobFile,
    objectPath,
    objectHeaders,
  } = api;
  const containerGet = containerListing(api);
  const { archive, dropObject, versionKey, putObject, deleteVersioned } = objectVersions(api);
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
        dropObject(fresh, o);
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
