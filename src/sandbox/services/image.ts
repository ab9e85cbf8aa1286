/**
 * Image v2 (Glance): seeded public images, list filters, create → upload
 * (queued → active with checksum and hashes), json-patch updates, tags,
 * members, deactivate/reactivate, delete and the JSON schemas. Image bytes
 * live in files under <data>/blobs/images; errors are Glance's HTML pages.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthInfo, SandboxContext, SandboxService } from '../core/context';
import { glanceError } from '../core/errors';
import { afterMarker, parseLimit } from '../core/paging';
import { firstValue, queryValues, rawQuery } from '../core/request';
import { writeFileAtomic } from '../core/files';
import { EgressError, checkDestination, egressGet } from '../core/egress';
import { UUID_PATTERN, isUuid } from '../core/ids';
import { pathInside } from '../core/paths';
import { projectIdByName } from './identity';

export const IMAGE_KIND = 'image.image';
export const IMAGE_MEMBER_KIND = 'image.member';

export type ImageStatus =
  'queued' | 'saving' | 'uploading' | 'importing' | 'active' | 'deactivated' | 'killed' | 'deleted' | 'pending_delete';
export type ImageVisibility = 'public' | 'private' | 'shared' | 'community';

/** An image as Glance answers it; extra properties sit beside the core fields. */
export interface ImageDoc {
  id: string;
  name: string | null;
  status: ImageStatus;
  visibility: ImageVisibility;
  protected: boolean;
  os_hidden: boolean;
  owner: string;
  container_format: string | null;
  disk_format: string | null;
  min_disk: number;
  min_ram: number;
  size: number | null;
  virtual_size: number | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  tags: string[];
  created_at: string;
  updated_at: string;
  [property: string]: unknown;
}

interface MemberDoc {
  id: string;
  image_id: string;
  member_id: string;
  status: 'pending' | 'accepted' | 'rejected';
  created_at: string;
  updated_at: string;
}

const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'];
const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'];
const VISIBILITIES: readonly ImageVisibility[] = ['public', 'private', 'shared', 'community'];
/** Fields a client may not write (Glance answers 403 "Attribute '<x>' is read-only."). */
const READ_ONLY = new Set([
  'id',
  'status',
  'owner_id',
  'size',
  'virtual_size',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'created_at',
  'updated_at',
  'file',
  'self',
  'schema',
  'direct_url',
  'locations',
  'stores',
]);
/** Fields Glance reserves and rejects in create (403 "Attribute '<x>' is reserved."). */
const CORE_FIELDS = new Set([
  'name',
  'visibility',
  'protected',
  'os_hidden',
  'container_format',
  'disk_format',
  'min_disk',
  'min_ram',
  'tags',
  'owner',
]);

const PAGE_DEFAULT = 25;
const PAGE_MAX = 1000;
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export interface ImageOptions {
  /** Directory for image bytes. */
  blobDir: string;
  /** web-download may fetch loopback, link-local and private addresses (off unless the operator allows it). */
  allowPrivateImports: boolean;
}

/** Largest image web-download fetches (the same as an upload's body limit). */
export const MAX_IMAGE_BYTES = 256 * 1024 * 1024;

/** A seeded or uploaded image, by id, for Nova's imageRef checks. */
export function imageById(ctx: SandboxContext, id: string): ImageDoc | undefined {
  return ctx.store.get<ImageDoc>(IMAGE_KIND, id);
}

function glanceTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Whether the caller's project may see (and so boot or copy) an image, as Glance
 * answers Nova and Cinder: a `shared` image only for the owner and its members.
 */
export function imageVisibleTo(ctx: SandboxContext, auth: AuthInfo, img: ImageDoc): boolean {
  return canSee(auth, img, ctx.store.list<MemberDoc>(IMAGE_MEMBER_KIND, { projectId: auth.projectId }));
}

/** Whether a project may see an image (Glance's visibility rules). */
function canSee(auth: AuthInfo, img: ImageDoc, members: readonly MemberDoc[]): boolean {
  if (auth.isAdmin || img.owner === auth.projectId) return true;
  switch (img.visibility) {
    case 'public':
    case 'community':
      return true;
    case 'private':
      return false;
    case 'shared':
      return members.some((m) => m.image_id === img.id && m.member_id === auth.projectId && m.status !== 'rejected');
  }
}

/**
 * A 64 KiB stand-in disk image: a qcow2 header (magic, version 3, 64 KiB
 * clusters, the virtual size) so tools that peek at the format see a plausible
 * image, then zeros.
 */
function qcow2Stub(virtualSize: number): Buffer {
  const buf = Buffer.alloc(64 * 1024);
  buf.write('QFI\xfb', 0, 'latin1');
  buf.writeUInt32BE(3, 4); // version
  buf.writeUInt32BE(16, 20); // cluster_bits
  buf.writeBigUInt64BE(BigInt(virtualSize), 24);
  buf.writeUInt32BE(104, 100); // header_length (v3)
  return buf;
}

interface SeedImage {
  name: string;
  virtualSize: number;
  minDisk: number;
  minRam: number;
  properties: Record<string, string>;
}

const SEED_IMAGES: SeedImage[] = [
  {
    name: 'debian-12',
    virtualSize: 2 * GiB,
    minDisk: 2,
    minRam: 512,
    properties: {
      os_distro: 'debian',
      os_version: '12',
      os_type: 'linux',
      os_admin_user: 'debian',
      architecture: 'x86_64',
      hw_disk_bus: 'virtio',
      hw_vif_model: 'virtio',
      hw_qemu_guest_agent: 'yes',
      hypervisor_type: 'qemu',
    },
  },
  {
    name: 'ubuntu-24.04',
    virtualSize: 3.5 * GiB,
    minDisk: 4,
    minRam: 1024,
    properties: {
      os_distro: 'ubuntu',
      os_version: '24.04',
      os_type: 'linux',
      os_admin_user: 'ubuntu',
      architecture: 'x86_64',
      hw_disk_bus: 'virtio',
      hw_vif_model: 'virtio',
      hw_qemu_guest_agent: 'yes',
      hypervisor_type: 'qemu',
    },
  },
  {
    name: 'cirros-0.6',
    virtualSize: 112 * MiB,
    minDisk: 1,
    minRam: 64,
    properties: {
      os_distro: 'cirros',
      os_version: '0.6.2',
      os_type: 'linux',
      os_admin_user: 'cirros',
      architecture: 'x86_64',
      hw_disk_bus: 'virtio',
      hw_vif_model: 'virtio',
      hypervisor_type: 'qemu',
    },
  },
];

function digests(data: Buffer): { size: number; checksum: string; hash: string } {
  return {
    size: data.length,
    checksum: createHash('md5').update(data).digest('hex'),
    hash: createHash('sha512').update(data).digest('hex'),
  };
}

export function createImageService(opts: ImageOptions): SandboxService {
  // The id is a UUID by the time it gets here; pathInside still refuses any other name.
  const blobPath = (id: string): string => pathInside(opts.blobDir, 'image id', id);
  return {
    type: 'image',
    name: 'glance',
    prefix: '/image',
    endpointPath: () => '/image',
    seed: (ctx) => {
      const owner = projectIdByName(ctx, 'admin') ?? '';
      const now = glanceTime(ctx.now());
      for (const s of SEED_IMAGES) {
        const id = ctx.newId();
        const data = qcow2Stub(s.virtualSize);
        const d = digests(data);
        writeFileAtomic(blobPath(id), data);
        const doc: ImageDoc = {
          ...s.properties,
          id,
          name: s.name,
          status: 'active',
          visibility: 'public',
          protected: false,
          os_hidden: false,
          owner,
          container_format: 'bare',
          disk_format: 'qcow2',
          min_disk: s.minDisk,
          min_ram: s.minRam,
          size: d.size,
          virtual_size: s.virtualSize,
          checksum: d.checksum,
          os_hash_algo: 'sha512',
          os_hash_value: d.hash,
          tags: [],
          created_at: now,
          updated_at: now,
          stores: 'fs',
        };
        ctx.store.insert(IMAGE_KIND, doc, owner);
      }
    },
    register: (app, ctx) => registerGlance(app, ctx, blobPath, opts),
  };
}

function registerGlance(
  app: FastifyInstance,
  ctx: SandboxContext,
  blobPath: (id: string) => string,
  opts: ImageOptions,
): void {
  const { store } = ctx;
  const auth = (req: FastifyRequest): AuthInfo => ctx.authenticate(req, 'glance');
  const params = (req: FastifyRequest): Record<string, string> => req.params as Record<string, string>;
  const members = (): MemberDoc[] => store.list<MemberDoc>(IMAGE_MEMBER_KIND);

  const view = (img: ImageDoc): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(img)) if (!k.startsWith('_')) out[k] = v;
    out.self = `/v2/images/${img.id}`;
    out.file = `/v2/images/${img.id}/file`;
    out.schema = '/v2/schemas/image';
    return out;
  };
  const visibleImage = (req: FastifyRequest, a: AuthInfo): ImageDoc => {
    const id = params(req).id ?? '';
    const img = store.get<ImageDoc>(IMAGE_KIND, id);
    if (img === undefined || !canSee(a, img, members())) throw glanceError(404, `No image found with ID ${id}`);
    return img;
  };
  const ownedImage = (req: FastifyRequest, a: AuthInfo, action: string): ImageDoc => {
    const img = visibleImage(req, a);
    if (!a.isAdmin && img.owner !== a.projectId)
      throw glanceError(403, `You are not authorized to ${action} this image.`);
    return img;
  };

  const versions = (): Record<string, unknown> => ({
    versions: [
      '2.16',
      '2.15',
      '2.14',
      '2.13',
      '2.12',
      '2.11',
      '2.10',
      '2.9',
      '2.8',
      '2.7',
      '2.6',
      '2.5',
      '2.4',
      '2.3',
      '2.2',
      '2.1',
      '2.0',
    ].map((v, i) => ({
      id: `v${v}`,
      status: i === 0 ? 'CURRENT' : 'SUPPORTED',
      links: [{ rel: 'self', href: `${ctx.publicUrl}/image/v2/` }],
    })),
  });
  app.get('/', async (_req, reply) => reply.code(300).send(versions()));
  app.get('/versions', async () => versions());

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
      const kind = o.op;
      const p = typeof o.path === 'string' ? o.path : '';
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

  const setStatus = (req: FastifyRequest, status: 'active' | 'deactivated'): void => {
    const a = auth(req);
    if (!a.isAdmin)
      throw glanceError(
        403,
        `You are not authorized to complete ${status === 'active' ? 'reactivate' : 'deactivate'} action.`,
      );
    const img = visibleImage(req, a);
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
    const tag = params(req).tag ?? '';
    if (!img.tags.includes(tag))
      store.transaction(() =>
        store.update(IMAGE_KIND, { ...img, tags: [...img.tags, tag], updated_at: glanceTime(ctx.now()) }),
      );
    return reply.code(204).send();
  });
  app.delete('/v2/images/:id/tags/:tag', async (req, reply) => {
    const img = ownedImage(req, auth(req), 'modify');
    const tag = params(req).tag ?? '';
    if (!img.tags.includes(tag)) throw glanceError(404, `Tag ${tag} not found.`);
    store.transaction(() =>
      store.update(IMAGE_KIND, { ...img, tags: img.tags.filter((t) => t !== tag), updated_at: glanceTime(ctx.now()) }),
    );
    return reply.code(204).send();
  });

  // --- members (image sharing) ---
  const memberView = (m: MemberDoc) => ({
    created_at: m.created_at,
    image_id: m.image_id,
    member_id: m.member_id,
    schema: '/v2/schemas/member',
    status: m.status,
    updated_at: m.updated_at,
  });
  const memberOf = (imageId: string, memberId: string): MemberDoc | undefined =>
    store.get<MemberDoc>(IMAGE_MEMBER_KIND, `${imageId}:${memberId}`);
  app.get('/v2/images/:id/members', async (req) => {
    const a = auth(req);
    const img = visibleImage(req, a);
    const list = members().filter(
      (m) => m.image_id === img.id && (a.isAdmin || img.owner === a.projectId || m.member_id === a.projectId),
    );
    return { members: list.map(memberView), schema: '/v2/schemas/members' };
  });
  app.post('/v2/images/:id/members', async (req) => {
    const a = auth(req);
    const img = ownedImage(req, a, 'share');
    if (img.visibility !== 'shared') throw glanceError(403, `Only shared images have members.`);
    const memberId = (req.body as { member?: unknown } | undefined)?.member;
    if (typeof memberId !== 'string' || memberId === '') throw glanceError(400, 'Member to be added not specified');
    if (memberOf(img.id, memberId) !== undefined) throw glanceError(409, `Member ${memberId} already exists.`);
    const now = glanceTime(ctx.now());
    const m: MemberDoc = {
      id: `${img.id}:${memberId}`,
      image_id: img.id,
      member_id: memberId,
      status: 'pending',
      created_at: now,
      updated_at: now,
    };
    store.transaction(() => store.insert(IMAGE_MEMBER_KIND, m, memberId));
    return memberView(m);
  });
  app.get('/v2/images/:id/members/:member', async (req) => {
    const a = auth(req);
    const img = visibleImage(req, a);
    const m = memberOf(img.id, params(req).member ?? '');
    if (m === undefined || !(a.isAdmin || img.owner === a.projectId || m.member_id === a.projectId))
      throw glanceError(404, `Member ${params(req).member ?? ''} not found`);
    return memberView(m);
  });
  app.put('/v2/images/:id/members/:member', async (req) => {
    const a = auth(req);
    const img = visibleImage(req, a);
    const m = memberOf(img.id, params(req).member ?? '');
    if (m === undefined) throw glanceError(404, `Member ${params(req).member ?? ''} not found`);
    if (!a.isAdmin && m.member_id !== a.projectId)
      throw glanceError(403, 'You are not permitted to modify the status of this member.');
    const status = (req.body as { status?: unknown } | undefined)?.status;
    if (status !== 'pending' && status !== 'accepted' && status !== 'rejected')
      throw glanceError(400, `Status must be one of ('pending', 'accepted', 'rejected')`);
    const next: MemberDoc = { ...m, status, updated_at: glanceTime(ctx.now()) };
    store.transaction(() => store.update(IMAGE_MEMBER_KIND, next));
    return memberView(next);
  });
  app.delete('/v2/images/:id/members/:member', async (req, reply) => {
    const a = auth(req);
    const img = ownedImage(req, a, 'unshare');
    const m = memberOf(img.id, params(req).member ?? '');
    if (m === undefined) throw glanceError(404, `Member ${params(req).member ?? ''} not found`);
    store.transaction(() => store.delete(IMAGE_MEMBER_KIND, m.id));
    return reply.code(204).send();
  });

  // --- schemas ---
  app.get('/v2/schemas/image', async () => imageSchema());
  app.get('/v2/schemas/images', async () => ({
    name: 'images',
    properties: {
      images: { type: 'array', items: imageSchema() },
      first: { type: 'string' },
      next: { type: 'string' },
      schema: { type: 'string' },
    },
    links: [
      { rel: 'first', href: '{first}' },
      { rel: 'next', href: '{next}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  }));
  app.get('/v2/schemas/member', async () => memberSchema());
  app.get('/v2/schemas/members', async () => ({
    name: 'members',
    properties: { members: { type: 'array', items: memberSchema() }, schema: { type: 'string' } },
    links: [{ rel: 'describedby', href: '{schema}' }],
  }));
}

function applyField(doc: ImageDoc, key: string, value: unknown, auth: AuthInfo): void {
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

function virtualSizeOf(diskFormat: string | null, data: Buffer): number | null {
  if (diskFormat === 'raw' || diskFormat === 'iso') return data.length;
  if (diskFormat === 'qcow2' && data.length >= 32 && data.toString('latin1', 0, 4) === 'QFI\xfb')
    return Number(data.readBigUInt64BE(24));
  return null;
}

function sortImages(images: ImageDoc[], sort: string | undefined, keys: string[], dirs: string[]): ImageDoc[] {
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

function imageSchema(): Record<string, unknown> {
  const str = (description: string): Record<string, unknown> => ({
    type: ['null', 'string'],
    readOnly: true,
    description,
  });
  return {
    name: 'image',
    properties: {
      id: {
        type: 'string',
        description: 'An identifier for the image',
        pattern: '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$',
      },
      name: { type: ['null', 'string'], description: 'Descriptive name for the image', maxLength: 255 },
      status: {
        type: 'string',
        readOnly: true,
        description: 'Status of the image',
        enum: [
          'queued',
          'saving',
          'active',
          'killed',
          'deleted',
          'uploading',
          'importing',
          'pending_delete',
          'deactivated',
        ],
      },
      visibility: {
        type: 'string',
        description: 'Scope of image accessibility',
        enum: ['community', 'public', 'private', 'shared'],
      },
      protected: { type: 'boolean', description: 'If true, image will not be deletable.' },
      os_hidden: { type: 'boolean', description: 'If true, image will not appear in default image list response.' },
      checksum: str('md5 hash of image contents.'),
      os_hash_algo: str('Algorithm to calculate the os_hash_value'),
      os_hash_value: str('Hexdigest of the image contents using the algorithm specified by the os_hash_algo'),
      owner: { type: ['null', 'string'], description: 'Owner of the image', maxLength: 255 },
      size: { type: ['null', 'integer'], readOnly: true, description: 'Size of image file in bytes' },
      virtual_size: { type: ['null', 'integer'], readOnly: true, description: 'Virtual size of image in bytes' },
      container_format: {
        type: ['null', 'string'],
        description: 'Format of the container',
        enum: [null, ...CONTAINER_FORMATS],
      },
      disk_format: { type: ['null', 'string'], description: 'Format of the disk', enum: [null, ...DISK_FORMATS] },
      created_at: { type: 'string', readOnly: true, description: 'Date and time of image registration' },
      updated_at: { type: 'string', readOnly: true, description: 'Date and time of the last image modification' },
      tags: {
        type: 'array',
        description: 'List of strings related to the image',
        items: { type: 'string', maxLength: 255 },
      },
      direct_url: {
        type: 'string',
        readOnly: true,
        description: 'URL to access the image file kept in external store',
      },
      min_ram: { type: 'integer', description: 'Amount of ram (in MB) required to boot image.' },
      min_disk: { type: 'integer', description: 'Amount of disk space (in GB) required to boot image.' },
      self: { type: 'string', readOnly: true, description: 'An image self url' },
      file: { type: 'string', readOnly: true, description: 'An image file url' },
      stores: { type: 'string', readOnly: true, description: 'Store in which image data resides.' },
      schema: { type: 'string', readOnly: true, description: 'An image schema url' },
      locations: { type: 'array', description: 'A set of URLs to access the image file kept in external store' },
      os_distro: { type: 'string', description: 'Common name of operating system distribution', is_base: false },
      os_version: {
        type: 'string',
        description: 'Operating system version as specified by the distributor',
        is_base: false,
      },
      architecture: { type: 'string', description: 'Operating system architecture', is_base: false },
    },
    additionalProperties: { type: 'string' },
    links: [
      { rel: 'self', href: '{self}' },
      { rel: 'enclosure', href: '{file}' },
      { rel: 'describedby', href: '{schema}' },
    ],
  };
}

function memberSchema(): Record<string, unknown> {
  return {
    name: 'member',
    properties: {
      created_at: { type: 'string', description: 'Date and time of image member creation' },
      image_id: { type: 'string', description: 'An identifier for the image' },
      member_id: { type: 'string', description: 'An identifier for the image member (tenantId)' },
      status: {
        type: 'string',
        description: 'The status of this image member',
        enum: ['pending', 'accepted', 'rejected'],
      },
      updated_at: { type: 'string', description: 'Date and time of last modification of image member' },
      schema: { type: 'string', readOnly: true },
    },
  };
}
