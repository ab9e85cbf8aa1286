/** Glance images: list (filters, sort, pages), show, create, JSON-patch update, delete, deactivate/reactivate and tags. */
import * as fs from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthInfo } from '../../core/context';
import { glanceError } from '../../core/errors';
import { afterMarker, parseLimit } from '../../core/paging';
import { firstValue, queryValues, rawQuery, pathParam } from '../../core/request';
import { UUID_PATTERN, isUuid } from '../../core/ids';
import {
  IMAGE_KIND,
  IMAGE_MEMBER_KIND,
  type ImageVisibility,
  type ImageDoc,
  DISK_FORMATS,
  CONTAINER_FORMATS,
  VISIBILITIES,
  READ_ONLY,
  CORE_FIELDS,
  PAGE_DEFAULT,
  PAGE_MAX,
  glanceTime,
  canSee,
} from './model';
import type { GlanceApi } from './glance';

export function applyField(doc: ImageDoc, key: string, value: unknown, auth: AuthInfo): void {
  const bad = (why: string): never => {
    throw glanceError(400, `Provided object does not match schema 'image': ${why}`);
  };
  switch (key) {
    case 'name':
      if (value !== null && typeof value !== 'string') bad(`${JSON.stringify(value)} is not of type 'null', 'string'`);
      if (typeof value === 'string' && value.length > 255) bad(`'${value}' is too long`);
      doc.name = value as string | null;
      return;
    case 'visibility':
      if (!VISIBILITIES.includes(value as ImageVisibility))
        bad(`'${String(value)}' is not one of ['community', 'public', 'private', 'shared']`);
      doc.visibility = value as ImageVisibility;
      return;
    case 'protected':
    case 'os_hidden':
      if (typeof value !== 'boolean') bad(`${JSON.stringify(value)} is not of type 'boolean'`);
      doc[key] = value as boolean;
      return;
    case 'container_format':
      if (value !== null && !CONTAINER_FORMATS.includes(value as string))
        bad(`'${String(value)}' is not one of [None, ${CONTAINER_FORMATS.map((f) => `'${f}'`).join(', ')}]`);
      doc.container_format = value as string | null;
      return;
    case 'disk_format':
      if (value !== null && !DISK_FORMATS.includes(value as string))
        bad(`'${String(value)}' is not one of [None, ${DISK_FORMATS.map((f) => `'${f}'`).join(', ')}]`);
      doc.disk_format = value as string | null;
      return;
    case 'min_disk':
    case 'min_ram':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
        bad(`${JSON.stringify(value)} is not of type 'integer'`);
      doc[key] = value as number;
      return;
    case 'tags':
      if (!Array.isArray(value) || !value.every((t) => typeof t === 'string'))
        bad(`${JSON.stringify(value)} is not of type 'array'`);
      doc.tags = [...new Set(value as string[])];
      return;
    case 'owner':
      if (!auth.isAdmin && value !== auth.projectId) throw glanceError(403, "Attribute 'owner' is reserved.");
      doc.owner = String(value);
      return;
    default:
      // Extra properties are free-form strings (Glance stores them as text).
      if (value !== null && typeof value !== 'string') bad(`${JSON.stringify(value)} is not of type 'string'`);
      doc[key] = value;
  }
}

export function sortImages(images: ImageDoc[], sort: string | undefined, keys: string[], dirs: string[]): ImageDoc[] {
  const spec: { key: string; dir: number }[] = [];
  if (sort !== undefined) {
    for (const part of sort.split(',')) {
      const [key = '', dir = 'desc'] = part.split(':');
      if (dir !== 'asc' && dir !== 'desc') throw glanceError(400, `Invalid sort direction: ${dir}`);
      spec.push({ key: key.trim(), dir: dir === 'asc' ? 1 : -1 });
    }
  } else if (keys.length > 0) {
    keys.forEach((key, i) => spec.push({ key, dir: (dirs[i] ?? dirs[0] ?? 'desc') === 'asc' ? 1 : -1 }));
  } else {
    spec.push({ key: 'created_at', dir: -1 });
  }
  spec.push({ key: 'id', dir: spec[0]?.dir ?? -1 });
  const indexed = images.map((img, i) => ({ img, i }));
  indexed.sort((x, y) => {
    for (const { key, dir } of spec) {
      const a = x.img[key];
      const b = y.img[key];
      if (a === b) continue;
      if (a === null || a === undefined) return -dir;
      if (b === null || b === undefined) return dir;
      const c = typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1;
      if (c !== 0) return c * dir;
    }
    // Same timestamps (seeded together): newest insertion first, as Glance's created_at desc would be.
    return (y.i - x.i) * (spec[0]?.dir === 1 ? -1 : 1);
  });
  return indexed.map((x) => x.img);
}

export function registerImageRoutes(app: FastifyInstance, api: GlanceApi): void {
  const { ctx, store, blobPath, auth, members, view, visibleImage, ownedImage } = api;
  app.get('/v2/images', async (req) => {
    const a = auth(req);
    const q = rawQuery(req);
    const one = (k: string): string | undefined => firstValue(q[k]);
    const all = (k: string): string[] => queryValues(q[k]);
    const visibility = one('visibility');
    if (visibility !== undefined && visibility !== 'all' && !VISIBILITIES.includes(visibility as ImageVisibility)) {
      throw glanceError(400, `Invalid visibility value: ${visibility}`);
    }
    const mem = members();
    const memberStatus = one('member_status') ?? 'accepted';
    const osHidden = one('os_hidden');
    const reserved = new Set([
      'limit',
      'marker',
      'sort',
      'sort_key',
      'sort_dir',
      'visibility',
      'member_status',
      'tag',
      'os_hidden',
      'size_min',
      'size_max',
      'created_at',
      'updated_at',
    ]);
    let images = store.list<ImageDoc>(IMAGE_KIND).filter((img) => canSee(a, img, mem));
    images = images.filter((img) => {
      if (visibility === undefined) {
        // Default listing: public, own, and shared with us (accepted); community only when asked for.
        if (img.visibility === 'community' && img.owner !== a.projectId) return false;
        if (img.visibility === 'shared' && img.owner !== a.projectId && !a.isAdmin) {
          return mem.some(
            (m) =>
              m.image_id === img.id &&
              m.member_id === a.projectId &&
              (memberStatus === 'all' || m.status === memberStatus),
          );
        }
      } else if (visibility !== 'all' && img.visibility !== visibility) return false;
      if (osHidden === undefined ? img.os_hidden : String(img.os_hidden) !== osHidden) return false;
      for (const t of all('tag')) if (!img.tags.includes(t)) return false;
      const sizeMin = one('size_min');
      const sizeMax = one('size_max');
      if (sizeMin !== undefined && (img.size ?? -1) < Number(sizeMin)) return false;
      if (sizeMax !== undefined && (img.size ?? Infinity) > Number(sizeMax)) return false;
      for (const [k, raw] of Object.entries(q)) {
        if (reserved.has(k) || raw === undefined) continue;
        const wanted = Array.isArray(raw) ? raw[0] : raw;
        const actual = img[k];
        if (k === 'name' || k === 'status' || k === 'id') {
          if (wanted?.startsWith('in:') === true) {
            if (!wanted.slice(3).split(',').includes(String(actual))) return false;
          } else if (String(actual) !== wanted) return false;
          continue;
        }
        if (actual === undefined || actual === null || String(actual) !== wanted) return false;
      }
      return true;
    });
    images = sortImages(images, one('sort'), all('sort_key'), all('sort_dir'));
    images = afterMarker(
      images,
      one('marker'),
      (img) => img.id,
      (m) => glanceError(400, `marker not found: ${m}`),
    );
    // Glance pages every list: 25 by default (limit_param_default), at most 1000 (api_limit_max).
    const limit = Math.min(
      parseLimit(one('limit'), () => glanceError(400, 'limit param must be an integer')) ?? PAGE_DEFAULT,
      PAGE_MAX,
    );
    let next: string | undefined;
    if (images.length > limit) {
      images = images.slice(0, limit);
      const last = images[images.length - 1];
      const rest = new URLSearchParams();
      for (const [k, v] of Object.entries(q))
        if (k !== 'marker' && v !== undefined) for (const x of Array.isArray(v) ? v : [v]) rest.append(k, x);
      if (last !== undefined) rest.set('marker', last.id);
      next = `/v2/images?${rest.toString()}`;
    }
    const body: Record<string, unknown> = {
      images: images.map(view),
      first: `/v2/images${req.url.includes('?') ? `?${req.url.split('?')[1] ?? ''}` : ''}`,
      schema: '/v2/schemas/images',
    };
    if (next !== undefined) body.next = next;
    return body;
  });

  app.get('/v2/images/:id', async (req) => view(visibleImage(req, auth(req))));

  app.post('/v2/images', async (req, reply) => {
    const a = auth(req);
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Buffer.isBuffer(body))
      throw glanceError(400, 'Body expected in request.');
    const b = body as Record<string, unknown>;
    if (b.id !== undefined && !isUuid(b.id))
      throw glanceError(
        400,
        typeof b.id === 'string'
          ? `Provided object does not match schema 'image': '${b.id}' does not match '${UUID_PATTERN}'`
          : `Provided object does not match schema 'image': ${JSON.stringify(b.id)} is not of type 'string'`,
      );
    const id = isUuid(b.id) ? b.id : ctx.newId();
    if (store.get(IMAGE_KIND, id) !== undefined) throw glanceError(409, `Image with identifier ${id} already exists!`);
    const now = glanceTime(ctx.now());
    const doc: ImageDoc = {
      id,
      name: null,
      status: 'queued',
      visibility: 'shared',
      protected: false,
      os_hidden: false,
      owner: a.projectId,
      container_format: null,
      disk_format: null,
      min_disk: 0,
      min_ram: 0,
      size: null,
      virtual_size: null,
      checksum: null,
      os_hash_algo: null,
      os_hash_value: null,
      tags: [],
      created_at: now,
      updated_at: now,
    };
    for (const [k, v] of Object.entries(b)) {
      if (k === 'id') continue;
      if (READ_ONLY.has(k)) throw glanceError(403, `Attribute '${k}' is read-only.`);
      applyField(doc, k, v, a);
    }
    if (doc.visibility === 'public' && !a.isAdmin)
      throw glanceError(403, 'You are not authorized to complete publicize_image action.');
    store.transaction(() => store.insert(IMAGE_KIND, doc, doc.owner));
    return reply.code(201).header('location', `${ctx.publicUrl}/image/v2/images/${id}`).send(view(doc));
  });

  app.patch('/v2/images/:id', async (req) => {
    const a = auth(req);
    const img = ownedImage(req, a, 'modify');
    const ops = req.body;
    if (!Array.isArray(ops)) throw glanceError(400, 'Request body must be a JSON array of operation objects.');
    const next: ImageDoc = { ...img, tags: [...img.tags] };
    for (const op of ops as unknown[]) {
      if (typeof op !== 'object' || op === null) throw glanceError(400, 'Operations must be JSON objects.');
      const o = op as Record<string, unknown>;
      // Glance reads two json-patch media types: v2.1 (RFC 6902, {"op": "replace", "path": "/name"}) and the older
      // v2.0 (draft 4, {"replace": "/name"}), which Tempest and older clients send.
      const draft4 = patchMediaType(req) === 'application/openstack-images-v2.0-json-patch';
      const named = draft4 ? ['add', 'remove', 'replace'].filter((k) => k in o) : [];
      const kind = draft4 ? (named.length === 1 ? named[0] : undefined) : o.op;
      const rawPath = draft4 && typeof kind === 'string' ? o[kind] : o.path;
      const p = typeof rawPath === 'string' ? rawPath : '';
      if (!p.startsWith('/'))
        throw glanceError(400, `Json path should start with a '/', end with no '/', no 2 subsequent '/' are allowed.`);
      const key = p.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
      if (READ_ONLY.has(key)) throw glanceError(403, `Attribute '${key}' is read-only.`);
      switch (kind) {
        case 'add':
        case 'replace':
          if (kind === 'replace' && !CORE_FIELDS.has(key) && !(key in next))
            throw glanceError(409, `Property ${key} does not exist.`);
          applyField(next, key, o.value, a);
          break;
        case 'remove':
          if (CORE_FIELDS.has(key)) throw glanceError(403, `Attribute '${key}' is reserved.`);
          if (!(key in next)) throw glanceError(409, `Property ${key} does not exist.`);
          delete next[key];
          break;
        default:
          throw glanceError(
            400,
            `Operation objects must contain exactly one member named "add", "remove", or "replace".`,
          );
      }
    }
    if (next.visibility === 'public' && img.visibility !== 'public' && !a.isAdmin)
      throw glanceError(403, 'You are not authorized to complete publicize_image action.');
    next.updated_at = glanceTime(ctx.now());
    store.transaction(() => store.update(IMAGE_KIND, next));
    return view(next);
  });

  app.delete('/v2/images/:id', async (req, reply) => {
    const a = auth(req);
    const img = ownedImage(req, a, 'delete');
    if (img.protected) throw glanceError(403, `Image ${img.id} is protected and cannot be deleted.`);
    store.transaction(() => {
      for (const m of members().filter((x) => x.image_id === img.id)) store.delete(IMAGE_MEMBER_KIND, m.id);
      store.delete(IMAGE_KIND, img.id);
    });
    fs.rmSync(blobPath(img.id), { force: true });
    return reply.code(204).send();
  });

  const setStatus = (req: FastifyRequest, status: 'active' | 'deactivated'): void => {
    const a = auth(req);
    const img = visibleImage(req, a);
    // Zed's default policy: an admin, or a member of the owning project.
    if (!a.isAdmin && img.owner !== a.projectId)
      throw glanceError(
        403,
        `You are not authorized to complete ${status === 'active' ? 'reactivate' : 'deactivate'} action.`,
      );
    if (img.status !== 'active' && img.status !== 'deactivated')
      throw glanceError(
        403,
        `Not allowed to ${status === 'active' ? 'reactivate' : 'deactivate'} an image in status '${img.status}'`,
      );
    store.transaction(() => store.update(IMAGE_KIND, { ...img, status, updated_at: glanceTime(ctx.now()) }));
  };
  app.post('/v2/images/:id/actions/deactivate', async (req, reply) => {
    setStatus(req, 'deactivated');
    return reply.code(204).send();
  });
  app.post('/v2/images/:id/actions/reactivate', async (req, reply) => {
    setStatus(req, 'active');
    return reply.code(204).send();
  });

  app.put('/v2/images/:id/tags/:tag', async (req, reply) => {
    const img = ownedImage(req, auth(req), 'modify');
    const tag = pathParam(req, 'tag');
    if (!img.tags.includes(tag))
      store.transaction(() =>
        store.update(IMAGE_KIND, { ...img, tags: [...img.tags, tag], updated_at: glanceTime(ctx.now()) }),
      );
    return reply.code(204).send();
  });
  app.delete('/v2/images/:id/tags/:tag', async (req, reply) => {
    const img = ownedImage(req, auth(req), 'modify');
    const tag = pathParam(req, 'tag');
    if (!img.tags.includes(tag)) throw glanceError(404, `Tag ${tag} not found.`);
    store.transaction(() =>
      store.update(IMAGE_KIND, { ...img, tags: img.tags.filter((t) => t !== tag), updated_at: glanceTime(ctx.now()) }),
    );
    return reply.code(204).send();
  });
}

/** The request's media type without parameters (`; charset=…`). */
function patchMediaType(req: FastifyRequest): string {
  const header = req.headers['content-type'] ?? '';
  return (header.split(';')[0] ?? '').trim().toLowerCase();
}
