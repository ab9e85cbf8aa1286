/** Cinder volumes: create (blank, from an image, snapshot or volume), list with filters and pages, show, update, delete, metadata. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { CINDER_QUERY_BOOLEAN, isTrue } from '../../core/booleans.js';
import { afterMarker, parseLimit, takeLimit } from '../../core/paging.js';
import { badRequest, notFound } from '../compute/api-fault.js';
import { requireEnvelope, stringMap } from '../compute/request-body.js';
import { KIND, VOLUME_HOST, type VolumeDoc, type VolumeTypeDoc } from './model.js';
import { imageById, imageVisibleTo } from '../image.js';
import { snapshotsOfVolume, visibleSnapshot } from './snapshots.js';
import { beginVolumeDelete, isoMicro, volumeView, type VolumeView } from './volume-state.js';
import { type Call, params, query, begin, typeName, parseSize, nullableString, P } from './call.js';
import { enforceVolumeQuota } from './quotas.js';
import { volumeAction } from './volume-actions.js';
import { volumeLinks, renderVolume, visibleVolume } from './volume-view.js';
import { typeOr404, defaultType } from './volume-types.js';

export function matchesFilters(ctx: SandboxContext, view: VolumeView, q: Record<string, string>): boolean {
  const vol = view.volume;
  for (const [key, value] of Object.entries(q)) {
    switch (key) {
      case 'name':
        if (vol.name !== value) return false;
        break;
      case 'name~':
        if (!(vol.name ?? '').includes(value)) return false;
        break;
      case 'status':
        if (view.status !== value) return false;
        break;
      case 'availability_zone':
        if (vol.availability_zone !== value) return false;
        break;
      case 'bootable':
        if (String(vol.bootable) !== value.toLowerCase()) return false;
        break;
      case 'volume_type':
        if (vol.volume_type_id !== value && typeName(ctx, vol.volume_type_id) !== value) return false;
        break;
      case 'metadata': {
        let wanted: unknown;
        try {
          wanted = JSON.parse(value.replace(/'/g, '"'));
        } catch {
          throw badRequest(`Invalid filter metadata: ${value}`);
        }
        if (wanted && typeof wanted === 'object') {
          for (const [mk, mv] of Object.entries(wanted as Record<string, unknown>)) {
            if (vol.metadata[mk] !== String(mv)) return false;
          }
        }
        break;
      }
      default:
        break;
    }
  }
  return true;
}

/** Cinder's osapi_max_limit: no page is longer, and a full page links to the next. */
const MAX_LIMIT = 1000;

/** Attributes a volume list may be sorted by (Cinder accepts its volume columns). */
const SORT_KEYS: Record<string, (v: VolumeView) => string | number | null> = {
  id: (v) => v.volume.id,
  name: (v) => v.volume.name,
  description: (v) => v.volume.description,
  status: (v) => v.status,
  size: (v) => v.volume.size,
  availability_zone: (v) => v.volume.availability_zone,
  created_at: (v) => v.volume.created_at,
  updated_at: (v) => v.volume.updated_at,
  bootable: (v) => (v.volume.bootable ? 1 : 0),
  volume_type_id: (v) => v.volume.volume_type_id,
  project_id: (v) => v.volume.project_id,
  user_id: (v) => v.volume.user_id,
};

interface SortKey {
  key: string;
  descending: boolean;
}

/**
 * `sort=k1:asc,k2` or the older `sort_key`/`sort_dir` (not both), as Cinder's get_sort_params reads them; Cinder's
 * query then appends created_at and id (in the first key's direction) so that every order is total.
 */
export function parseVolumeSort(q: Record<string, string>): SortKey[] {
  const direction = (text: string | undefined, fallback: boolean): boolean => {
    if (text === undefined || text === '') return fallback;
    if (text !== 'asc' && text !== 'desc')
      throw badRequest("Invalid input received: Unknown sort direction, must be 'desc' or 'asc'");
    return text === 'desc';
  };
  let keys: SortKey[];
  if (q.sort !== undefined) {
    if (q.sort_key !== undefined || q.sort_dir !== undefined) {
      throw badRequest(
        "Invalid input received: The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.",
      );
    }
    keys = q.sort
      .split(',')
      .filter((part) => part.trim() !== '')
      .map((part) => {
        const [key = '', dir] = part.trim().split(':');
        return { key: key.trim(), descending: direction(dir?.trim(), true) };
      });
  } else {
    keys = [{ key: q.sort_key || 'created_at', descending: direction(q.sort_dir, true) }];
  }
  for (const k of keys) if (!(k.key in SORT_KEYS)) throw badRequest('Invalid input received: Invalid sort key');
  const first = keys[0]?.descending ?? true;
  for (const key of ['created_at', 'id']) if (!keys.some((k) => k.key === key)) keys.push({ key, descending: first });
  return keys;
}

function compareBy(keys: readonly SortKey[]): (a: VolumeView, b: VolumeView) => number {
  return (a, b) => {
    for (const { key, descending } of keys) {
      const read = SORT_KEYS[key];
      if (read === undefined) continue;
      const x = read(a);
      const y = read(b);
      if (x === y) continue;
      // NULL sorts first ascending, as in Cinder's MySQL.
      const order = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
      return descending ? -order : order;
    }
    return 0;
  };
}

export interface VolumePage {
  views: VolumeView[];
  /** Where the next page starts: the last volume of a full page. */
  nextMarker: string | undefined;
}

/** The caller's volumes that match the filters, sorted, after the marker, at most `limit` (capped at 1000). */
export function listVolumes(ctx: SandboxContext, call: Call, q: Record<string, string>): VolumePage {
  const allTenants = call.auth.isAdmin && isTrue(q.all_tenants, CINDER_QUERY_BOOLEAN);
  const scope = allTenants ? (q.project_id ? { projectId: q.project_id } : undefined) : { projectId: call.projectId };
  const sort = parseVolumeSort(q);
  const views: VolumeView[] = [];
  for (const doc of ctx.store.list<VolumeDoc>(KIND.volume, scope)) {
    const view = volumeView(ctx, doc.id);
    if (view && matchesFilters(ctx, view, q)) views.push(view);
  }
  views.sort(compareBy(sort));
  // An empty ?marker= means no marker, as Cinder's `if marker:` reads it.
  const rest = afterMarker(
    views,
    q.marker || undefined,
    (v) => v.volume.id,
    (m) => notFound(`Marker ${m} could not be found.`),
  );
  const asked = parseLimit(q.limit, () => badRequest(`Invalid input received: limit must be a non-negative integer`));
  const limit = Math.min(asked ?? MAX_LIMIT, MAX_LIMIT);
  const page = takeLimit(rest, limit);
  const last = page[page.length - 1];
  return { views: page, nextMarker: limit > 0 && page.length === limit && last ? last.volume.id : undefined };
}

/** `volumes_links` with the next page's URL: the same query with the marker moved on. */
function pageLinks(
  url: string,
  q: Record<string, string>,
  nextMarker: string | undefined,
): { volumes_links?: { rel: string; href: string }[] } {
  if (nextMarker === undefined) return {};
  const next = new URLSearchParams({ ...q, marker: nextMarker });
  return { volumes_links: [{ rel: 'next', href: `${url}?${next.toString()}` }] };
}

export function registerVolumeRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  // volumes
  app.post(`${P}/volumes`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const body = requireEnvelope(req.body, 'volume');
    // A copy (from a snapshot or a volume) takes its size and type from the source unless given.
    const snapshotId = nullableString(body, 'snapshot_id') ?? null;
    const snap = snapshotId ? visibleSnapshot(ctx, call, snapshotId) : undefined;
    const sourceVol = nullableString(body, 'source_volid') ?? null;
    const source = sourceVol ? volumeView(ctx, sourceVol) : undefined;
    if (sourceVol && (!source || (source.volume.project_id !== call.auth.projectId && !call.auth.isAdmin)))
      throw notFound(`Volume ${sourceVol} could not be found.`);
    const origin = snap ? ctx.store.get<VolumeDoc>(KIND.volume, snap.volume_id) : source?.volume;
    const size =
      body.size === undefined && (snap || source) ? (snap?.size ?? source?.volume.size ?? 1) : parseSize(body.size);
    const name = nullableString(body, 'name') ?? null;
    const description = nullableString(body, 'description') ?? null;
    const typeRef = nullableString(body, 'volume_type');
    const inherited = origin ? ctx.store.get<VolumeTypeDoc>(KIND.type, origin.volume_type_id) : undefined;
    const type = typeRef ? typeOr404(ctx, typeRef) : (inherited ?? defaultType(ctx));
    const metadata = stringMap(body, 'metadata') ?? {};
    const az = nullableString(body, 'availability_zone') ?? 'nova';
    if (az !== 'nova') throw badRequest(`Invalid input received: Availability zone '${az}' is invalid.`);
    const imageRef = nullableString(body, 'imageRef') ?? null;
    let imageMeta: Record<string, string> | null = null;
    if (imageRef) {
      // Cinder asks Glance with the caller's token: an image the project cannot see is not there.
      const image = imageById(ctx, imageRef);
      if (!image || !imageVisibleTo(ctx, call.auth, image))
        throw badRequest(`Invalid image identifier or unable to access requested image.`);
      const minDisk = Number(image.min_disk ?? 0);
      if (minDisk > size)
        throw badRequest(
          `Invalid input received: Image minDisk size ${minDisk} is larger than the volume size ${size}.`,
        );
      const bytes = Number(image.virtual_size ?? image.size ?? 0);
      if (bytes > size * 1024 ** 3) {
        throw badRequest(
          `Invalid input received: Size of specified image ${Math.ceil(bytes / 1024 ** 3)}GB is larger than volume size ${size}GB.`,
        );
      }
      imageMeta = {
        image_id: imageRef,
        image_name: String(image.name ?? ''),
        container_format: String(image.container_format ?? 'bare'),
        disk_format: String(image.disk_format ?? 'qcow2'),
        min_disk: String(image.min_disk ?? 0),
        min_ram: String(image.min_ram ?? 0),
        size: String(image.size ?? 0),
        checksum: String(image.checksum ?? ''),
      };
    }
    if (source && size < source.volume.size) {
      throw badRequest(
        `Invalid input received: Volume size '${size}'GB cannot be smaller than original volume size ${source.volume.size}GB. They must be >= original volume size.`,
      );
    }
    if (snap) {
      if (snap.status !== 'available')
        throw badRequest(`Invalid snapshot: Originating snapshot status must be one of 'available' values`);
      if (size < snap.size) {
        throw badRequest(
          `Invalid input received: Volume size '${size}'GB cannot be smaller than the snapshot size ${snap.size}GB. They must be >= original snapshot size.`,
        );
      }
    }
    const multiattach = body.multiattach === true || type.extra_specs.multiattach === '<is> True';
    const view = ctx.store.transaction(() => {
      enforceVolumeQuota(ctx, call.projectId, size, type);
      const now = ctx.now();
      const at = now.getTime() + ctx.statusDelayMs;
      const ready = ctx.statusDelayMs === 0;
      const doc: VolumeDoc = {
        id: ctx.newId(),
        name,
        description,
        size,
        status: ready ? 'available' : 'creating',
        availability_zone: az,
        created_at: isoMicro(now),
        updated_at: ready ? isoMicro(now) : null,
        volume_type_id: type.id,
        snapshot_id: snapshotId,
        source_volid: sourceVol,
        image_id: imageRef,
        metadata,
        user_id: call.auth.userId,
        project_id: call.projectId,
        bootable: imageRef !== null,
        multiattach,
        host: ready ? VOLUME_HOST : null,
        volume_image_metadata: imageMeta,
        _transition: ready ? null : { at, status: 'available' },
      };
      ctx.store.insert(KIND.volume, doc, call.projectId);
      return { volume: doc, attachments: [], status: doc.status } satisfies VolumeView;
    });
    reply.code(202);
    return { volume: renderVolume(ctx, call, view, false) };
  });

  app.get(`${P}/volumes`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const q = query(req);
    const { views, nextMarker } = listVolumes(ctx, call, q);
    return {
      volumes: views.map((v) => ({
        id: v.volume.id,
        name: v.volume.name,
        links: volumeLinks(ctx, v.volume.project_id, v.volume.id),
      })),
      ...pageLinks(`${ctx.publicUrl}/volume/v3/${call.projectId}/volumes`, q, nextMarker),
    };
  });

  app.get(`${P}/volumes/detail`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const q = query(req);
    const { views, nextMarker } = listVolumes(ctx, call, q);
    return {
      volumes: views.map((v) => renderVolume(ctx, call, v, true)),
      ...pageLinks(`${ctx.publicUrl}/volume/v3/${call.projectId}/volumes/detail`, q, nextMarker),
    };
  });

  app.get(`${P}/volumes/summary`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const { limit: _limit, marker: _marker, ...q } = query(req);
    const { views } = listVolumes(ctx, call, q);
    return {
      'volume-summary': {
        total_size: views.reduce((s, v) => s + v.volume.size, 0),
        total_count: views.length,
        metadata: {},
      },
    };
  });

  app.get(`${P}/volumes/:id`, (req, reply) => {
    const call = begin(ctx, req, reply);
    return { volume: renderVolume(ctx, call, visibleVolume(ctx, call, params(req).id ?? ''), true) };
  });

  app.put(`${P}/volumes/:id`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const body = requireEnvelope(req.body, 'volume');
    const view = visibleVolume(ctx, call, params(req).id ?? '');
    const name = nullableString(body, 'name');
    const description = nullableString(body, 'description') ?? nullableString(body, 'display_description');
    const metadata = stringMap(body, 'metadata');
    const next: VolumeDoc = {
      ...view.volume,
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
      updated_at: isoMicro(ctx.now()),
    };
    ctx.store.update(KIND.volume, next);
    return { volume: renderVolume(ctx, call, { ...view, volume: next }, false) };
  });

  app.delete(`${P}/volumes/:id`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const view = visibleVolume(ctx, call, params(req).id ?? '');
    const deletable = ['available', 'error', 'error_restoring', 'error_extending', 'error_managing'];
    const hasSnapshots = snapshotsOfVolume(ctx, view.volume.id).length > 0;
    if (!deletable.includes(view.status) || view.attachments.length > 0 || hasSnapshots) {
      if (view.status === 'deleting') {
        reply.code(202);
        return reply.send();
      }
      throw badRequest(
        'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer.',
      );
    }
    ctx.store.transaction(() => beginVolumeDelete(ctx, view.volume));
    reply.code(202);
    return reply.send();
  });

  app.post(`${P}/volumes/:id/action`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const view = visibleVolume(ctx, call, params(req).id ?? '');
    if (req.body === null || typeof req.body !== 'object') throw badRequest('Malformed request body');
    const out = ctx.store.transaction(() => volumeAction(ctx, call, view, req.body as Record<string, unknown>, reply));
    return out === undefined ? reply.send() : out;
  });

  // volume metadata
  app.get(`${P}/volumes/:id/metadata`, (req, reply) => {
    const call = begin(ctx, req, reply);
    return { metadata: visibleVolume(ctx, call, params(req).id ?? '').volume.metadata };
  });
  const writeMetadata = (replace: boolean) => (req: FastifyRequest, reply: FastifyReply) => {
    const call = begin(ctx, req, reply);
    const view = visibleVolume(ctx, call, params(req).id ?? '');
    const md = stringMap((req.body ?? {}) as Record<string, unknown>, 'metadata') ?? {};
    const metadata = replace ? md : { ...view.volume.metadata, ...md };
    ctx.store.update(KIND.volume, { ...view.volume, metadata, updated_at: isoMicro(ctx.now()) });
    return { metadata };
  };
  app.post(`${P}/volumes/:id/metadata`, writeMetadata(false));
  app.put(`${P}/volumes/:id/metadata`, writeMetadata(true));
  app.get(`${P}/volumes/:id/metadata/:key`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const view = visibleVolume(ctx, call, params(req).id ?? '');
    const key = params(req).key ?? '';
    const value = view.volume.metadata[key];
    if (value === undefined) throw notFound(`Metadata ${key} could not be found.`);
    return { meta: { [key]: value } };
  });
  app.put(`${P}/volumes/:id/metadata/:key`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const view = visibleVolume(ctx, call, params(req).id ?? '');
    const meta = stringMap((req.body ?? {}) as Record<string, unknown>, 'meta') ?? {};
    ctx.store.update(KIND.volume, {
      ...view.volume,
      metadata: { ...view.volume.metadata, ...meta },
      updated_at: isoMicro(ctx.now()),
    });
    return { meta };
  });
  app.delete(`${P}/volumes/:id/metadata/:key`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const view = visibleVolume(ctx, call, params(req).id ?? '');
    const key = params(req).key ?? '';
    if (view.volume.metadata[key] === undefined) throw notFound(`Metadata ${key} could not be found.`);
    const metadata = { ...view.volume.metadata };
    delete metadata[key];
    ctx.store.update(KIND.volume, { ...view.volume, metadata, updated_at: isoMicro(ctx.now()) });
    return reply.send();
  });
}
