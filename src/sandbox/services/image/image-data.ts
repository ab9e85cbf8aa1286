/** Image bytes: upload, stage, import (glance-direct, web-download), download, and the import/store info. */
import * as fs from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthInfo } from '../../core/context';
import { glanceError } from '../../core/errors';
import { writeFileAtomic } from '../../core/files';
import { EgressError, checkDestination, egressGet } from '../../core/egress';
import { IMAGE_KIND, type ImageDoc, MAX_IMAGE_BYTES, glanceTime, digests, virtualSizeOf } from './model';
import type { GlanceApi } from './glance';

export function registerImageDataRoutes(app: FastifyInstance, api: GlanceApi): void {
  const { ctx, store, opts, blobPath, auth, visibleImage, ownedImage } = api;
  const upload = (req: FastifyRequest, a: AuthInfo, finalStatus: 'active' | 'uploading'): ImageDoc => {
    const img = ownedImage(req, a, 'upload');
    if (img.status !== 'queued' && !(finalStatus === 'active' && img.status === 'uploading'))
      throw glanceError(409, `Image status transition from ${img.status} to saving is not allowed`);
    const data = Buffer.isBuffer(req.body)
      ? req.body
      : typeof req.body === 'string'
        ? Buffer.from(req.body)
        : Buffer.alloc(0);
    writeFileAtomic(blobPath(img.id), data);
    if (finalStatus === 'uploading') {
      const staged: ImageDoc = { ...img, status: 'uploading', updated_at: glanceTime(ctx.now()) };
      store.transaction(() => store.update(IMAGE_KIND, staged));
      return staged;
    }
    return activate(img, data);
  };
  const activate = (img: ImageDoc, data: Buffer): ImageDoc => {
    const d = digests(data);
    const next: ImageDoc = {
      ...img,
      status: 'active',
      size: d.size,
      virtual_size: virtualSizeOf(img.disk_format, data),
      checksum: d.checksum,
      os_hash_algo: 'sha512',
      os_hash_value: d.hash,
      updated_at: glanceTime(ctx.now()),
      stores: 'fs',
    };
    store.transaction(() => store.update(IMAGE_KIND, next));
    return next;
  };
  app.put('/v2/images/:id/file', async (req, reply) => {
    upload(req, auth(req), 'active');
    return reply.code(204).send();
  });
  app.put('/v2/images/:id/stage', async (req, reply) => {
    upload(req, auth(req), 'uploading');
    return reply.code(204).send();
  });
  app.post('/v2/images/:id/import', async (req, reply) => {
    const a = auth(req);
    const img = ownedImage(req, a, 'import');
    const method = (req.body as { method?: { name?: string; uri?: unknown } } | undefined)?.method;
    switch (method?.name) {
      case 'glance-direct':
        if (img.status !== 'uploading')
          throw glanceError(409, `Image status transition from ${img.status} to importing is not allowed`);
        activate(img, fs.readFileSync(blobPath(img.id)));
        return reply.code(202).send();
      case 'web-download': {
        const uri = method.uri;
        if (typeof uri !== 'string' || !/^https?:\/\//.test(uri))
          throw glanceError(400, 'URI for web-download does not pass filtering: ' + String(uri));
        try {
          await checkDestination(uri, opts.allowPrivateImports);
        } catch (e) {
          if (!(e instanceof EgressError)) throw e;
          ctx.log(`glance web-download of ${uri} refused: ${e.message}`);
          throw glanceError(400, `URI for web-download does not pass filtering: ${uri}`);
        }
        if (img.status !== 'queued')
          throw glanceError(409, `Image status transition from ${img.status} to importing is not allowed`);
        store.transaction(() =>
          store.update(IMAGE_KIND, { ...img, status: 'importing', updated_at: glanceTime(ctx.now()) }),
        );
        // Glance downloads in the background; the client polls until active (or queued again on failure).
        void webDownload(img.id, uri);
        return reply.code(202).send();
      }
      default:
        throw glanceError(
          400,
          `Import method ${String(method?.name)} is not supported by the sandbox (glance-direct, web-download).`,
        );
    }
  });
  const webDownload = async (id: string, uri: string): Promise<void> => {
    let data: Buffer | undefined;
    try {
      const res = await egressGet(uri, {
        allowPrivate: opts.allowPrivateImports,
        maxBytes: MAX_IMAGE_BYTES,
        timeoutMs: 60_000,
      });
      if (res.status >= 200 && res.status < 300) data = res.body;
      else ctx.log(`glance web-download of ${uri}: HTTP ${res.status}`);
    } catch (e) {
      ctx.log(`glance web-download of ${uri}: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      const current = store.get<ImageDoc>(IMAGE_KIND, id);
      if (current === undefined || current.status !== 'importing') return;
      if (data === undefined) {
        store.transaction(() =>
          store.update(IMAGE_KIND, { ...current, status: 'queued', updated_at: glanceTime(ctx.now()) }),
        );
        return;
      }
      writeFileAtomic(blobPath(id), data);
      activate(current, data);
    } catch (e) {
      // The sandbox closed while downloading: the image stays `importing`, as after a Glance crash.
      ctx.log(`glance web-download of ${uri} not recorded: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  app.get('/v2/info/import', async (req) => {
    auth(req);
    return {
      'import-methods': {
        description: 'Import methods available.',
        type: 'array',
        value: ['glance-direct', 'web-download'],
      },
    };
  });
  app.get('/v2/info/stores', async (req) => {
    auth(req);
    return { stores: [{ id: 'fs', default: true }] };
  });
  app.get('/v2/images/:id/file', async (req, reply) => {
    const img = visibleImage(req, auth(req));
    if (img.status === 'queued') return reply.code(204).send();
    if (img.status === 'deactivated' && !auth(req).isAdmin)
      throw glanceError(403, 'The requested image has been deactivated. Image data download is forbidden.');
    const data = fs.readFileSync(blobPath(img.id));
    reply.header('content-type', 'application/octet-stream');
    if (img.checksum !== null) reply.header('content-md5', img.checksum);
    return reply.send(data);
  });
}
