/**
 * Cinder v3 routes under /volume: version discovery, volumes (+ actions),
 * volume types (+ encryption), attachments (3.27+), availability zones,
 * quota sets and limits.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthInfo, SandboxContext } from '../../core/context.js';
import { BODY_BOOLEAN, CINDER_QUERY_BOOLEAN, isTrue } from '../../core/booleans.js';
import { SandboxHttpError, cinderError } from '../../core/errors.js';
import { afterMarker, parseLimit, takeLimit } from '../../core/paging.js';
import { queryParams } from '../../core/request.js';
import { apiFault, badRequest, forbidden, notFound } from '../compute/api-fault.js';
import { requireEnvelope, stringMap } from '../compute/request-body.js';
import { atLeast, negotiate, type Microversion, type MicroversionPolicy } from '../compute/microversion.js';
import { pythonRepr } from '../compute/python-repr.js';
import {
  DEFAULT_VOLUME_TYPE,
  KIND,
  VOLUME_HOST,
  VOLUME_QUOTA_DEFAULTS,
  type AttachmentDoc,
  type VolumeDoc,
  type VolumeQuotaDoc,
  type VolumeTypeDoc,
} from './model.js';
import { registerSnapshotRoutes, snapshotUsage, snapshotsOfVolume, visibleSnapshot } from './snapshots.js';
import {
  attachmentsOfVolume,
  beginVolumeDelete,
  isoMicro,
  volumeTypeByNameOrId,
  volumeView,
  type VolumeView,
} from './volume-state.js';

export const CINDER_VERSIONS: MicroversionPolicy = {
  service: 'volume',
  min: { major: 3, minor: 0 },
  max: { major: 3, minor: 70 },
};

interface Call {
  auth: AuthInfo;
  v: Microversion;
  projectId: string;
}

type Params = Record<string, string>;

function params(req: FastifyRequest): Params {
  return req.params as Params;
}

function query(req: FastifyRequest): Record<string, string> {
  return queryParams(req).one;
}

function begin(ctx: SandboxContext, req: FastifyRequest, reply: FastifyReply): Call {
  const auth = ctx.authenticate(req, 'cinder');
  const v = negotiate(req, reply, CINDER_VERSIONS);
  const projectId = params(req).projectId ?? auth.projectId;
  // Cinder's wsgi layer refuses a URL naming another project than the token's, admins included.
  if (projectId !== auth.projectId) throw badRequest('Malformed request url');
  return { auth, v, projectId };
}

function typeName(ctx: SandboxContext, id: string): string {
  return ctx.store.get<VolumeTypeDoc>(KIND.type, id)?.name ?? id;
}

function volumeLinks(ctx: SandboxContext, projectId: string, id: string): { rel: string; href: string }[] {
  return [
    { rel: 'self', href: `${ctx.publicUrl}/volume/v3/${projectId}/volumes/${id}` },
    { rel: 'bookmark', href: `${ctx.publicUrl}/volume/${projectId}/volumes/${id}` },
  ];
}

function renderAttachment(att: AttachmentDoc): Record<string, unknown> {
  return {
    id: att.volume_id,
    attachment_id: att.id,
    volume_id: att.volume_id,
    server_id: att.instance,
    host_name: att.host_name,
    device: att.mountpoint,
    attached_at: att.attached_at,
  };
}

/** `full` adds the admin/owner extension attributes GET shows but POST/PUT answers omit. */
function renderVolume(ctx: SandboxContext, call: Call, view: VolumeView, full: boolean): Record<string, unknown> {
  const vol = view.volume;
  const type = ctx.store.get<VolumeTypeDoc>(KIND.type, vol.volume_type_id);
  const body: Record<string, unknown> = {
    id: vol.id,
    status: view.status,
    size: vol.size,
    availability_zone: vol.availability_zone,
    created_at: vol.created_at,
    updated_at: vol.updated_at,
    name: vol.name,
    description: vol.description,
    volume_type: type?.name ?? null,
    snapshot_id: vol.snapshot_id,
    source_volid: vol.source_volid,
    metadata: vol.metadata,
    links: volumeLinks(ctx, vol.project_id, vol.id),
    user_id: vol.user_id,
    bootable: vol.bootable ? 'true' : 'false',
    encrypted: type?.encryption != null,
    replication_status: null,
    consistencygroup_id: null,
    multiattach: vol.multiattach,
    // Only finished (or detaching) attachments are listed, as real Cinder does while reserved.
    attachments: view.attachments
      .filter((a) => a.status === 'attached' || a.status === 'detaching')
      .map(renderAttachment),
    migration_status: null,
  };
  if (vol.volume_image_metadata) body.volume_image_metadata = vol.volume_image_metadata;
  if (atLeast(call.v, '3.13')) body.group_id = null;
  if (atLeast(call.v, '3.48')) {
    body.shared_targets = true;
    body.service_uuid = vol.host ? '6c1d3f2a-57e9-4b0e-9c8e-5a1b2c3d4e5f' : null;
  }
  if (atLeast(call.v, '3.63')) body.volume_type_id = vol.volume_type_id;
  if (atLeast(call.v, '3.65')) body.consumes_quota = true;
  if (full) {
    body['os-vol-tenant-attr:tenant_id'] = vol.project_id;
    if (call.auth.isAdmin) {
      body['os-vol-mig-status-attr:migstat'] = null;
      body['os-vol-mig-status-attr:name_id'] = null;
      body['os-vol-host-attr:host'] = vol.host;
      if (atLeast(call.v, '3.21')) body.provider_id = null;
      if (atLeast(call.v, '3.69')) body.cluster_name = null;
    }
  }
  return body;
}

function visibleVolume(ctx: SandboxContext, call: Call, id: string): VolumeView {
  const view = volumeView(ctx, id);
  if (!view || (view.volume.project_id !== call.auth.projectId && !call.auth.isAdmin)) {
    throw notFound(`Volume ${id} could not be found.`);
  }
  return view;
}

// ---- quotas --------------------------------------------------------------------------------

function quotaLimits(ctx: SandboxContext, projectId: string): Record<string, number> {
  const out: Record<string, number> = {};
  const types = ctx.store.list<VolumeTypeDoc>(KIND.type);
  const stored = ctx.store.get<VolumeQuotaDoc>(KIND.quota, projectId)?.limits ?? {};
  const keys: string[] = ['volumes', 'per_volume_gigabytes', 'snapshots', 'gigabytes', 'backups', 'backup_gigabytes'];
  for (const t of types) keys.push(`volumes_${t.name}`, `gigabytes_${t.name}`, `snapshots_${t.name}`);
  keys.push('groups');
  for (const k of keys) {
    out[k] = stored[k] ?? (VOLUME_QUOTA_DEFAULTS as Record<string, number>)[k] ?? -1;
  }
  return out;
}

function volumesOfProject(ctx: SandboxContext, projectId: string): VolumeDoc[] {
  return ctx.store.list<VolumeDoc>(KIND.volume, { projectId });
}

function quotaUsage(ctx: SandboxContext, projectId: string): Record<string, number> {
  const used: Record<string, number> = {
    volumes: 0,
    gigabytes: 0,
    snapshots: 0,
    backups: 0,
    backup_gigabytes: 0,
    groups: 0,
    per_volume_gigabytes: 0,
  };
  for (const vol of volumesOfProject(ctx, projectId)) {
    const name = typeName(ctx, vol.volume_type_id);
    used.volumes = (used.volumes ?? 0) + 1;
    used.gigabytes = (used.gigabytes ?? 0) + vol.size;
    used[`volumes_${name}`] = (used[`volumes_${name}`] ?? 0) + 1;
    used[`gigabytes_${name}`] = (used[`gigabytes_${name}`] ?? 0) + vol.size;
  }
  // Snapshots count against `snapshots` and, as Cinder does by default, against `gigabytes`.
  const snaps = snapshotUsage(ctx, projectId);
  used.snapshots = snaps.count;
  used.gigabytes = (used.gigabytes ?? 0) + snaps.gigabytes;
  for (const [typeId, u] of snaps.byVolumeType) {
    const name = typeName(ctx, typeId);
    used[`snapshots_${name}`] = (used[`snapshots_${name}`] ?? 0) + u.count;
    used[`gigabytes_${name}`] = (used[`gigabytes_${name}`] ?? 0) + u.gigabytes;
  }
  return used;
}

function overLimit(message: string): SandboxHttpError {
  return cinderError(413, 'overLimit', message);
}

function enforceVolumeQuota(
  ctx: SandboxContext,
  projectId: string,
  size: number,
  type: VolumeTypeDoc,
  growOnly = false,
): void {
  const limits = quotaLimits(ctx, projectId);
  const used = quotaUsage(ctx, projectId);
  const perVolume = limits.per_volume_gigabytes ?? -1;
  if (perVolume >= 0 && size > perVolume) {
    throw overLimit(
      `VolumeSizeExceedsLimit: Requested volume size ${size}G is larger than maximum allowed limit ${perVolume}G.`,
    );
  }
  if (!growOnly) {
    for (const key of ['volumes', `volumes_${type.name}`]) {
      const limit = limits[key] ?? -1;
      if (limit >= 0 && (used[key] ?? 0) + 1 > limit) {
        throw overLimit(
          `VolumeLimitExceeded: Maximum number of volumes allowed (${limit}) exceeded for quota '${key}'.`,
        );
      }
    }
  }
  for (const key of ['gigabytes', `gigabytes_${type.name}`]) {
    const limit = limits[key] ?? -1;
    const consumed = used[key] ?? 0;
    if (limit >= 0 && consumed + size > limit) {
      throw overLimit(
        `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed ${key} quota. Requested ${size}G, quota is ${limit}G and ${consumed}G has been consumed.`,
      );
    }
  }
}

function enforceSnapshotQuota(ctx: SandboxContext, projectId: string, volume: VolumeDoc): void {
  const limits = quotaLimits(ctx, projectId);
  const used = quotaUsage(ctx, projectId);
  const type = typeName(ctx, volume.volume_type_id);
  for (const key of ['snapshots', `snapshots_${type}`]) {
    const limit = limits[key] ?? -1;
    if (limit >= 0 && (used[key] ?? 0) + 1 > limit) {
      throw overLimit(`SnapshotLimitExceeded: Maximum number of snapshots allowed (${limit}) exceeded`);
    }
  }
  for (const key of ['gigabytes', `gigabytes_${type}`]) {
    const limit = limits[key] ?? -1;
    const consumed = used[key] ?? 0;
    if (limit >= 0 && consumed + volume.size > limit) {
      throw overLimit(
        `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed ${key} quota. Requested ${volume.size}G, quota is ${limit}G and ${consumed}G has been consumed.`,
      );
    }
  }
}

// ---- request parsing -----------------------------------------------------------------------

function parseSize(raw: unknown): number {
  if (typeof raw === 'number' && Number.isInteger(raw)) {
    if (raw < 1)
      throw badRequest(`Invalid input for field/attribute size. Value: ${raw}. ${raw} is less than the minimum of 1`);
    return raw;
  }
  if (typeof raw === 'string') {
    if (!/^[0-9]+$/.test(raw))
      throw badRequest(
        `Invalid input for field/attribute size. Value: ${raw}. ${pythonRepr(raw)} does not match '^[0-9]+$'`,
      );
    const n = Number(raw);
    if (n < 1)
      throw badRequest(
        `Invalid input for field/attribute size. Value: ${raw}. ${pythonRepr(raw)} is less than the minimum of 1`,
      );
    return n;
  }
  throw badRequest(
    `Invalid input for field/attribute size. Value: ${raw === undefined ? 'None' : pythonRepr(raw)}. ${raw === undefined ? 'None' : pythonRepr(raw)} is not of type 'integer', 'string'`,
  );
}

function nullableString(obj: Record<string, unknown>, key: string): string | null | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string')
    throw badRequest(
      `Invalid input for field/attribute ${key}. Value: ${pythonRepr(v)}. ${pythonRepr(v)} is not of type 'string', 'null'`,
    );
  return v;
}

function matchesFilters(ctx: SandboxContext, view: VolumeView, q: Record<string, string>): boolean {
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

function listVolumes(ctx: SandboxContext, call: Call, q: Record<string, string>): VolumeView[] {
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

// ---- volume types --------------------------------------------------------------------------

function renderType(t: VolumeTypeDoc): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    is_public: t.is_public,
    description: t.description,
    extra_specs: t.extra_specs,
    qos_specs_id: t.qos_specs_id,
    'os-volume-type-access:is_public': t.is_public,
  };
}

function typeOr404(ctx: SandboxContext, id: string): VolumeTypeDoc {
  const t = volumeTypeByNameOrId(ctx, id);
  if (!t) throw notFound(`Volume type ${id} could not be found.`);
  return t;
}

function requireAdmin(call: Call, action: string): void {
  if (!call.auth.isAdmin) throw forbidden(`Policy doesn't allow ${action} to be performed.`);
}

function defaultType(ctx: SandboxContext): VolumeTypeDoc {
  const t = volumeTypeByNameOrId(ctx, DEFAULT_VOLUME_TYPE) ?? ctx.store.list<VolumeTypeDoc>(KIND.type)[0];
  if (!t) throw apiFault(500, 'No default volume type is configured.');
  return t;
}

// ---- attachments API ------------------------------------------------------------------------

function connectionInfo(att: AttachmentDoc): Record<string, unknown> {
  return {
    driver_volume_type: 'iscsi',
    data: {
      target_discovered: false,
      target_portal: '127.0.0.1:3260',
      target_iqn: `iqn.2010-10.org.openstack:volume-${att.volume_id}`,
      target_lun: 1,
      volume_id: att.volume_id,
      access_mode: att.attach_mode,
      encrypted: false,
      discard: true,
    },
    attachment_id: att.id,
  };
}

function renderCinderAttachment(att: AttachmentDoc, withConnection: boolean): Record<string, unknown> {
  const status = att.status === 'detaching' ? 'detaching' : att.status;
  return {
    id: att.id,
    status,
    instance: att.instance,
    volume_id: att.volume_id,
    attached_at: att.attached_at,
    detached_at: att.detached_at,
    attach_mode: att.attach_mode,
    connection_info: withConnection && att.connector ? connectionInfo(att) : {},
  };
}

function attachmentOr404(ctx: SandboxContext, call: Call, id: string): AttachmentDoc {
  const att = ctx.store.get<AttachmentDoc>(KIND.attachment, id);
  if (!att || (att.project_id !== call.auth.projectId && !call.auth.isAdmin))
    throw notFound(`VolumeAttachment ${id} could not be found.`);
  return att;
}

function newAttachment(
  ctx: SandboxContext,
  call: Call,
  volumeId: string,
  instance: string | null,
  status: AttachmentDoc['status'],
  mode: 'rw' | 'ro',
): AttachmentDoc {
  const now = ctx.now();
  const att: AttachmentDoc = {
    id: ctx.newId(),
    volume_id: volumeId,
    project_id: call.projectId,
    instance,
    status,
    attach_mode: mode,
    attached_at: status === 'attached' ? isoMicro(now) : null,
    detached_at: null,
    host_name: null,
    mountpoint: null,
    connector: null,
    _attached_at_ms: null,
    _detach_at_ms: null,
    _tag: null,
    _delete_on_termination: false,
  };
  return ctx.store.insert(KIND.attachment, att, call.projectId);
}

function requireStatus(view: VolumeView, allowed: string[], action: string): void {
  if (!allowed.includes(view.status)) {
    throw badRequest(
      `Invalid volume: Volume ${view.volume.id} status must be ${allowed.join(' or ')} to ${action}, but current status is: ${view.status}.`,
    );
  }
}

/** The legacy volume actions Nova (pre-3.27 flow) and cinderclient drive. */
function volumeAction(
  ctx: SandboxContext,
  call: Call,
  view: VolumeView,
  body: Record<string, unknown>,
  reply: FastifyReply,
): unknown {
  const [name] = Object.keys(body);
  const arg = (name !== undefined ? body[name] : undefined) as Record<string, unknown> | null | undefined;
  const vol = view.volume;
  const now = ctx.now();
  const touch = (patch: Partial<VolumeDoc>): void => {
    ctx.store.update(KIND.volume, { ...vol, ...patch, updated_at: isoMicro(now) });
  };
  switch (name) {
    case 'os-extend': {
      const newSize = parseSize(arg?.new_size);
      if (newSize <= vol.size) {
        throw badRequest(
          `Invalid input received: New size for extend must be greater than current size. (current: ${vol.size}, extended: ${newSize}).`,
        );
      }
      requireStatus(view, atLeast(call.v, '3.42') ? ['available', 'in-use'] : ['available'], 'extend');
      enforceVolumeQuota(ctx, vol.project_id, newSize - vol.size, defaultTypeOf(ctx, vol), true);
      const at = now.getTime() + ctx.statusDelayMs;
      if (ctx.statusDelayMs === 0) touch({ size: newSize });
      else touch({ status: 'extending', _transition: { at, status: vol.status, size: newSize } });
      reply.code(202);
      return undefined;
    }
    case 'os-reserve':
      requireStatus(view, ['available'], 'reserve');
      newAttachment(ctx, call, vol.id, null, 'reserved', 'rw');
      reply.code(202);
      return undefined;
    case 'os-unreserve':
      for (const att of view.attachments)
        if (att.status === 'reserved' && att._attached_at_ms === null) ctx.store.delete(KIND.attachment, att.id);
      reply.code(202);
      return undefined;
    case 'os-begin_detaching':
      requireStatus(view, ['in-use'], 'begin detaching');
      for (const att of view.attachments)
        if (att.status === 'attached') ctx.store.update(KIND.attachment, { ...att, status: 'detaching' });
      reply.code(202);
      return undefined;
    case 'os-roll_detaching':
      for (const att of view.attachments)
        if (att.status === 'detaching' && att._detach_at_ms === null)
          ctx.store.update(KIND.attachment, { ...att, status: 'attached' });
      reply.code(202);
      return undefined;
    case 'os-attach': {
      const instance = typeof arg?.instance_uuid === 'string' ? arg.instance_uuid : null;
      const mountpoint = typeof arg?.mountpoint === 'string' ? arg.mountpoint : null;
      const mode = arg?.mode === 'ro' ? 'ro' : 'rw';
      const reserved = view.attachments.find((a) => a.status === 'reserved');
      if (!reserved) requireStatus(view, ['available', 'attaching', 'reserved'], 'attach');
      const att = reserved ?? newAttachment(ctx, call, vol.id, instance, 'attached', mode);
      ctx.store.update(KIND.attachment, {
        ...att,
        instance,
        mountpoint,
        attach_mode: mode,
        status: 'attached',
        attached_at: isoMicro(now),
        host_name: typeof arg?.host_name === 'string' ? arg.host_name : instance ? 'sandbox' : null,
      });
      touch({});
      reply.code(202);
      return undefined;
    }
    case 'os-detach': {
      const which = typeof arg?.attachment_id === 'string' ? arg.attachment_id : undefined;
      const targets = view.attachments.filter((a) => which === undefined || a.id === which);
      if (targets.length === 0)
        throw badRequest(
          `Invalid volume: Volume ${vol.id} is not attached${which ? ` with attachment ${which}` : ''}.`,
        );
      for (const att of targets) ctx.store.delete(KIND.attachment, att.id);
      touch({});
      reply.code(202);
      return undefined;
    }
    case 'os-initialize_connection': {
      const connector = (arg?.connector ?? {}) as Record<string, unknown>;
      const att = view.attachments[0];
      return {
        connection_info: att
          ? connectionInfo({ ...att, connector })
          : {
              driver_volume_type: 'iscsi',
              data: {
                target_portal: '127.0.0.1:3260',
                target_iqn: `iqn.2010-10.org.openstack:volume-${vol.id}`,
                target_lun: 1,
                volume_id: vol.id,
                access_mode: 'rw',
              },
            },
      };
    }
    case 'os-terminate_connection':
      reply.code(202);
      return undefined;
    case 'os-set_bootable': {
      const b = arg?.bootable;
      const bootable = isTrue(b, BODY_BOOLEAN);
      touch({ bootable });
      return undefined;
    }
    case 'os-update_readonly_flag':
      touch({ metadata: { ...vol.metadata, readonly: String(isTrue(arg?.readonly, BODY_BOOLEAN)) } });
      reply.code(202);
      return undefined;
    case 'os-reset_status': {
      requireAdmin(call, 'volume_extension:volume_admin_actions:reset_status');
      const status = typeof arg?.status === 'string' ? arg.status : undefined;
      if (status !== undefined) touch({ status: status as VolumeDoc['status'], _transition: null });
      if (arg?.attach_status === 'detached')
        for (const att of view.attachments) ctx.store.delete(KIND.attachment, att.id);
      reply.code(202);
      return undefined;
    }
    case 'os-retype': {
      const t = typeOr404(ctx, String(arg?.new_type ?? ''));
      touch({ volume_type_id: t.id });
      reply.code(202);
      return undefined;
    }
    case 'os-set_image_metadata': {
      const md = (arg?.metadata ?? {}) as Record<string, string>;
      touch({ volume_image_metadata: { ...(vol.volume_image_metadata ?? {}), ...md } });
      return { metadata: { ...(vol.volume_image_metadata ?? {}), ...md } };
    }
    default:
      throw badRequest(`There is no such action: ${name ?? ''}`);
  }
}

function defaultTypeOf(ctx: SandboxContext, vol: VolumeDoc): VolumeTypeDoc {
  return ctx.store.get<VolumeTypeDoc>(KIND.type, vol.volume_type_id) ?? defaultType(ctx);
}

// ---- registration ---------------------------------------------------------------------------

function versionDoc(ctx: SandboxContext): Record<string, unknown> {
  return {
    id: 'v3.0',
    status: 'CURRENT',
    version: '3.70',
    min_version: '3.0',
    updated: '2023-08-31T00:00:00Z',
    links: [
      { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
      { rel: 'self', href: `${ctx.publicUrl}/volume/v3/` },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
  };
}

export function registerCinderRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const versions = (_req: FastifyRequest, reply: FastifyReply): unknown => {
    reply.code(300);
    return { versions: [versionDoc(ctx)] };
  };
  app.get('/', versions);
  app.get('/v3', (_req, _reply) => ({ versions: [versionDoc(ctx)] }));
  app.get('/v3/', (_req, _reply) => ({ versions: [versionDoc(ctx)] }));

  const P = '/v3/:projectId';

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
      const image = ctx.store.get<Record<string, unknown>>('image.image', imageRef);
      if (!image) throw badRequest(`Invalid image identifier or unable to access requested image.`);
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

  // volume types
  app.get(`${P}/types`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const types = ctx.store.list<VolumeTypeDoc>(KIND.type).filter((t) => t.is_public || call.auth.isAdmin);
    return { volume_types: types.map(renderType) };
  });
  app.get(`${P}/types/default`, (req, reply) => {
    begin(ctx, req, reply);
    return { volume_type: renderType(defaultType(ctx)) };
  });
  app.get(`${P}/types/:id`, (req, reply) => {
    begin(ctx, req, reply);
    return { volume_type: renderType(typeOr404(ctx, params(req).id ?? '')) };
  });
  app.post(`${P}/types`, (req, reply) => {
    const call = begin(ctx, req, reply);
    requireAdmin(call, 'volume_extension:types_manage');
    const body = requireEnvelope(req.body, 'volume_type');
    const name = nullableString(body, 'name');
    if (!name) throw badRequest(`Invalid input for field/attribute name. Value: None. None is not of type 'string'`);
    if (volumeTypeByNameOrId(ctx, name)) throw apiFault(409, `Volume Type ${name} already exists.`);
    const t: VolumeTypeDoc = {
      id: ctx.newId(),
      name,
      description: nullableString(body, 'description') ?? null,
      is_public: body['os-volume-type-access:is_public'] !== false && body.is_public !== false,
      extra_specs: stringMap(body, 'extra_specs') ?? {},
      qos_specs_id: null,
      encryption: null,
    };
    ctx.store.insert(KIND.type, t, null);
    return { volume_type: renderType(t) };
  });
  app.put(`${P}/types/:id`, (req, reply) => {
    const call = begin(ctx, req, reply);
    requireAdmin(call, 'volume_extension:types_manage');
    const t = typeOr404(ctx, params(req).id ?? '');
    const body = requireEnvelope(req.body, 'volume_type');
    const next: VolumeTypeDoc = {
      ...t,
      name: nullableString(body, 'name') ?? t.name,
      description: nullableString(body, 'description') ?? t.description,
      is_public: typeof body.is_public === 'boolean' ? body.is_public : t.is_public,
    };
    ctx.store.update(KIND.type, next);
    return { volume_type: renderType(next) };
  });
  app.delete(`${P}/types/:id`, (req, reply) => {
    const call = begin(ctx, req, reply);
    requireAdmin(call, 'volume_extension:types_manage');
    const t = typeOr404(ctx, params(req).id ?? '');
    if (ctx.store.list<VolumeDoc>(KIND.volume).some((v) => v.volume_type_id === t.id)) {
      throw badRequest(`Target volume type is still in use.`);
    }
    ctx.store.delete(KIND.type, t.id);
    reply.code(202);
    return reply.send();
  });
  app.get(`${P}/types/:id/extra_specs`, (req, reply) => {
    begin(ctx, req, reply);
    return { extra_specs: typeOr404(ctx, params(req).id ?? '').extra_specs };
  });
  app.post(`${P}/types/:id/extra_specs`, (req, reply) => {
    const call = begin(ctx, req, reply);
    requireAdmin(call, 'volume_extension:types_extra_specs:create');
    const t = typeOr404(ctx, params(req).id ?? '');
    const specs = stringMap((req.body ?? {}) as Record<string, unknown>, 'extra_specs') ?? {};
    ctx.store.update(KIND.type, { ...t, extra_specs: { ...t.extra_specs, ...specs } });
    return { extra_specs: specs };
  });
  app.delete(`${P}/types/:id/extra_specs/:key`, (req, reply) => {
    const call = begin(ctx, req, reply);
    requireAdmin(call, 'volume_extension:types_extra_specs:delete');
    const t = typeOr404(ctx, params(req).id ?? '');
    const key = params(req).key ?? '';
    if (t.extra_specs[key] === undefined) throw notFound(`Volume Type ${t.id} has no extra specs with key ${key}.`);
    const extra = { ...t.extra_specs };
    delete extra[key];
    ctx.store.update(KIND.type, { ...t, extra_specs: extra });
    reply.code(202);
    return reply.send();
  });
  app.get(`${P}/types/:id/encryption`, (req, reply) => {
    begin(ctx, req, reply);
    const t = typeOr404(ctx, params(req).id ?? '');
    return t.encryption ?? {};
  });

  // attachments (3.27+)
  const needs327 = (call: Call): void => {
    if (!atLeast(call.v, '3.27')) throw notFound('The resource could not be found.');
  };
  app.post(`${P}/attachments`, (req, reply) => {
    const call = begin(ctx, req, reply);
    needs327(call);
    const body = requireEnvelope(req.body, 'attachment');
    const volumeId = typeof body.volume_uuid === 'string' ? body.volume_uuid : '';
    const instance = typeof body.instance_uuid === 'string' ? body.instance_uuid : null;
    const connector =
      body.connector && typeof body.connector === 'object' ? (body.connector as Record<string, unknown>) : null;
    const mode = body.mode === 'ro' ? 'ro' : 'rw';
    const att = ctx.store.transaction(() => {
      const view = visibleVolume(ctx, call, volumeId);
      if (!(
        view.status === 'available' ||
        (view.volume.multiattach && view.status === 'in-use') ||
        view.status === 'reserved'
      )) {
        throw badRequest(
          `Invalid volume: Volume ${volumeId} status must be available or downloading to reserve, but the current status is ${view.status}.`,
        );
      }
      const created = newAttachment(ctx, call, volumeId, instance, connector ? 'attaching' : 'reserved', mode);
      const next = {
        ...created,
        connector,
        mountpoint: typeof connector?.mountpoint === 'string' ? connector.mountpoint : null,
      };
      ctx.store.update(KIND.attachment, next);
      return next;
    });
    return { attachment: renderCinderAttachment(att, true) };
  });
  const listAttachments = (detail: boolean) => (req: FastifyRequest, reply: FastifyReply) => {
    const call = begin(ctx, req, reply);
    needs327(call);
    const q = query(req);
    const all = ctx.store.list<AttachmentDoc>(
      KIND.attachment,
      call.auth.isAdmin && q.all_tenants ? undefined : { projectId: call.projectId },
    );
    const settled = all.flatMap((a) => attachmentsOfVolume(ctx, a.volume_id).filter((x) => x.id === a.id));
    const filtered = settled.filter(
      (a) =>
        (q.volume_id ? a.volume_id === q.volume_id : true) && (q.instance_id ? a.instance === q.instance_id : true),
    );
    return {
      attachments: filtered.map((a) =>
        detail
          ? renderCinderAttachment(a, true)
          : { id: a.id, status: renderCinderAttachment(a, false).status, instance: a.instance, volume_id: a.volume_id },
      ),
    };
  };
  app.get(`${P}/attachments`, listAttachments(false));
  app.get(`${P}/attachments/detail`, listAttachments(true));
  app.get(`${P}/attachments/:id`, (req, reply) => {
    const call = begin(ctx, req, reply);
    needs327(call);
    const att = attachmentOr404(ctx, call, params(req).id ?? '');
    const live = attachmentsOfVolume(ctx, att.volume_id).find((a) => a.id === att.id);
    if (!live) throw notFound(`VolumeAttachment ${att.id} could not be found.`);
    return { attachment: renderCinderAttachment(live, true) };
  });
  app.put(`${P}/attachments/:id`, (req, reply) => {
    const call = begin(ctx, req, reply);
    needs327(call);
    const body = requireEnvelope(req.body, 'attachment');
    const att = attachmentOr404(ctx, call, params(req).id ?? '');
    const connector =
      body.connector && typeof body.connector === 'object' ? (body.connector as Record<string, unknown>) : {};
    const next: AttachmentDoc = {
      ...att,
      connector,
      status: att.status === 'attached' ? 'attached' : 'attaching',
      mountpoint: typeof connector.mountpoint === 'string' ? connector.mountpoint : att.mountpoint,
      host_name: typeof connector.host === 'string' ? connector.host : att.host_name,
    };
    ctx.store.update(KIND.attachment, next);
    return { attachment: renderCinderAttachment(next, true) };
  });
  app.post(`${P}/attachments/:id/action`, (req, reply) => {
    const call = begin(ctx, req, reply);
    if (!atLeast(call.v, '3.44')) throw notFound('The resource could not be found.');
    const att = attachmentOr404(ctx, call, params(req).id ?? '');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!('os-complete' in body)) throw badRequest(`There is no such action: ${Object.keys(body)[0] ?? ''}`);
    ctx.store.update(KIND.attachment, {
      ...att,
      status: 'attached',
      attached_at: isoMicro(ctx.now()),
      _attached_at_ms: null,
    });
    reply.code(204);
    return reply.send();
  });
  app.delete(`${P}/attachments/:id`, (req, reply) => {
    const call = begin(ctx, req, reply);
    needs327(call);
    const att = attachmentOr404(ctx, call, params(req).id ?? '');
    ctx.store.delete(KIND.attachment, att.id);
    const rest = attachmentsOfVolume(ctx, att.volume_id);
    return { attachments: rest.map((a) => renderCinderAttachment(a, false)) };
  });

  // availability zones, limits, quotas
  app.get(`${P}/os-availability-zone`, (req, reply) => {
    begin(ctx, req, reply);
    return { availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true } }] };
  });

  app.get(`${P}/limits`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const limits = quotaLimits(ctx, call.projectId);
    const used = quotaUsage(ctx, call.projectId);
    return {
      limits: {
        rate: [],
        absolute: {
          maxTotalVolumes: limits.volumes,
          maxTotalSnapshots: limits.snapshots,
          maxTotalVolumeGigabytes: limits.gigabytes,
          maxTotalBackups: limits.backups,
          maxTotalBackupGigabytes: limits.backup_gigabytes,
          totalVolumesUsed: used.volumes,
          totalGigabytesUsed: used.gigabytes,
          totalSnapshotsUsed: used.snapshots,
          totalBackupsUsed: 0,
          totalBackupGigabytesUsed: 0,
        },
      },
    };
  });

  const quotaTarget = (call: Call, target: string): string => {
    if (target !== call.auth.projectId && !call.auth.isAdmin)
      throw forbidden(`Policy doesn't allow volume_extension:quotas:show to be performed.`);
    return target;
  };
  app.get(`${P}/os-quota-sets/:target/defaults`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const target = quotaTarget(call, params(req).target ?? '');
    const limits: Record<string, number> = {};
    for (const k of Object.keys(quotaLimits(ctx, target)))
      limits[k] = (VOLUME_QUOTA_DEFAULTS as Record<string, number>)[k] ?? -1;
    return { quota_set: { id: target, ...limits } };
  });
  app.get(`${P}/os-quota-sets/:target`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const target = quotaTarget(call, params(req).target ?? '');
    const limits = quotaLimits(ctx, target);
    if (isTrue(query(req).usage, CINDER_QUERY_BOOLEAN)) {
      const used = quotaUsage(ctx, target);
      const detail: Record<string, unknown> = { id: target };
      for (const [k, limit] of Object.entries(limits))
        detail[k] = { limit, in_use: used[k] ?? 0, reserved: 0, allocated: 0 };
      return { quota_set: detail };
    }
    return { quota_set: { id: target, ...limits } };
  });
  app.put(`${P}/os-quota-sets/:target`, (req, reply) => {
    const call = begin(ctx, req, reply);
    requireAdmin(call, 'volume_extension:quotas:update');
    const target = params(req).target ?? '';
    const body = requireEnvelope(req.body, 'quota_set');
    const known = quotaLimits(ctx, target);
    const stored = ctx.store.get<VolumeQuotaDoc>(KIND.quota, target);
    const next: Record<string, number> = { ...(stored?.limits ?? {}) };
    for (const [k, raw] of Object.entries(body)) {
      if (k === 'tenant_id' || k === 'id') continue;
      if (!(k in known)) throw badRequest(`Bad key(s) in quota set: ${k}`);
      const n = typeof raw === 'number' ? raw : Number(raw);
      if (!Number.isInteger(n) || n < -1)
        throw badRequest(`Quota limit ${pythonRepr(raw)} for ${k} must be an integer greater than or equal to -1.`);
      next[k] = n;
    }
    if (stored) ctx.store.update(KIND.quota, { id: target, limits: next });
    else ctx.store.insert(KIND.quota, { id: target, limits: next }, target);
    return { quota_set: quotaLimits(ctx, target) };
  });
  app.delete(`${P}/os-quota-sets/:target`, (req, reply) => {
    const call = begin(ctx, req, reply);
    requireAdmin(call, 'volume_extension:quotas:delete');
    ctx.store.delete(KIND.quota, params(req).target ?? '');
    return reply.send();
  });

  // services (openstack volume service list)
  app.get(`${P}/os-services`, (req, reply) => {
    begin(ctx, req, reply);
    const updated = isoMicro(ctx.now());
    return {
      services: [
        {
          binary: 'cinder-scheduler',
          host: 'sandbox',
          zone: 'nova',
          status: 'enabled',
          state: 'up',
          updated_at: updated,
          disabled_reason: null,
        },
        {
          binary: 'cinder-volume',
          host: VOLUME_HOST.split('#')[0],
          zone: 'nova',
          status: 'enabled',
          state: 'up',
          updated_at: updated,
          disabled_reason: null,
        },
      ],
    };
  });

  registerSnapshotRoutes(
    app,
    ctx,
    (req, reply) => begin(ctx, req, reply),
    (call, volume) => enforceSnapshotQuota(ctx, call.projectId, volume),
  );

  // backups are not implemented: empty lists keep clients that list them working.
  app.get(`${P}/backups`, (req, reply) => {
    begin(ctx, req, reply);
    return { backups: [] };
  });
  app.get(`${P}/backups/detail`, (req, reply) => {
    begin(ctx, req, reply);
    return { backups: [] };
  });
}

/** Seed: volume types `standard` (default) and `encrypted` (LUKS, front-end). */
export function seedCinder(ctx: SandboxContext): void {
  const now = isoMicro(ctx.now());
  const standard: VolumeTypeDoc = {
    id: ctx.newId(),
    name: 'standard',
    description: 'Default Volume Type',
    is_public: true,
    extra_specs: {},
    qos_specs_id: null,
    encryption: null,
  };
  const encryptedId = ctx.newId();
  const encrypted: VolumeTypeDoc = {
    id: encryptedId,
    name: 'encrypted',
    description: 'LUKS-encrypted volumes',
    is_public: true,
    extra_specs: {},
    qos_specs_id: null,
    encryption: {
      encryption_id: ctx.newId(),
      volume_type_id: encryptedId,
      provider: 'luks',
      control_location: 'front-end',
      cipher: 'aes-xts-plain64',
      key_size: 256,
      created_at: now,
      updated_at: null,
      deleted: false,
      deleted_at: null,
    },
  };
  ctx.store.insert(KIND.type, standard, null);
  ctx.store.insert(KIND.type, encrypted, null);
}
