/** Cinder quotas: limits per project and volume type, usage, enforcement (413 overLimit), quota sets and /limits. */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { CINDER_QUERY_BOOLEAN, isTrue } from '../../core/booleans.js';
import { SandboxHttpError, cinderError } from '../../core/errors.js';
import { badRequest, forbidden } from '../compute/api-fault.js';
import { requireEnvelope } from '../compute/request-body.js';
import { pythonRepr } from '../compute/python-repr.js';
import { KIND, VOLUME_QUOTA_DEFAULTS, type VolumeDoc, type VolumeQuotaDoc, type VolumeTypeDoc } from './model.js';
import { snapshotUsage } from './snapshots.js';
import { type Call, params, query, begin, typeName, requireAdmin, P } from './call.js';

// ---- quotas --------------------------------------------------------------------------------

export function quotaLimits(ctx: SandboxContext, projectId: string): Record<string, number> {
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

export function volumesOfProject(ctx: SandboxContext, projectId: string): VolumeDoc[] {
  return ctx.store.list<VolumeDoc>(KIND.volume, { projectId });
}

export function quotaUsage(ctx: SandboxContext, projectId: string): Record<string, number> {
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

export function overLimit(message: string): SandboxHttpError {
  return cinderError(413, 'overLimit', message);
}

export function enforceVolumeQuota(
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

export function enforceSnapshotQuota(ctx: SandboxContext, projectId: string, volume: VolumeDoc): void {
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

export function registerQuotaRoutes(app: FastifyInstance, ctx: SandboxContext): void {
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
}
