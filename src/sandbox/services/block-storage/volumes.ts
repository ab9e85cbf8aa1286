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

export function listVolumes(ctx: SandboxContext, call: Call, q: Record<string, string>): VolumeView[] {
  const allTenants = call.auth.isAdmin && isTrue(q.all_tenants, CINDER_QUERY_BOOLEAN);
  const scope = allTenants ? (q.project_id ? { projectId: q.project_id } : undefined) : { projectId: call.projectId };
  const views: VolumeView[] = [];
  for (const doc of ctx.store.list<VolumeDoc>(KIND.volume, scope)) {
    const view = volumeView(ctx, doc.id);
    if (view && matchesFilters(ctx, view, q)) views.push(view);
  }
  // Cinder sorts by created_at desc by default.
  views.reverse();
  // An empty ?marker= means no marker, as Cinder's `if marker:` reads it.
  const rest = afterMarker(
    views,
    q.marker || undefined,
    (v) => v.volume.id,
    (m) => notFound(`Marker ${m} could not be found.`),
  );
  const limit = parseLimit(q.limit, () => badRequest(`Invalid input received: limit must be a non-negative integer`));
  return takeLimit(rest, limit);
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
    const views = listVolumes(ctx, call, query(req));
    return {
      volumes: views.map((v) => ({
        id: v.volume.id,
        name: v.volume.name,
        links: volumeLinks(ctx, v.volume.project_id, v.volume.id),
      })),
    };
  });

  app.get(`${P}/volumes/detail`, (req, reply) => {
    const call = begin(ctx, req, reply);
    return { volumes: listVolumes(ctx, call, query(req)).map((v) => renderVolume(ctx, call, v, true)) };
  });

  app.get(`${P}/volumes/summary`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const views = listVolumes(ctx, call, query(req));
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
