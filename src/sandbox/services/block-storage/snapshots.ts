/**
 * Cinder volume snapshots: create (creating → available), list/detail/show,
 * update, delete (deleting → gone), and what volumes need from them (a volume
 * with snapshots cannot be deleted; a volume can be created from one).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthInfo, SandboxContext } from '../../core/context.js';
import { BODY_BOOLEAN, CINDER_QUERY_BOOLEAN, isTrue } from '../../core/booleans.js';
import { queryParams } from '../../core/request.js';
import { badRequest, notFound } from '../compute/api-fault.js';
import { requireEnvelope, stringMap } from '../compute/request-body.js';
import { atLeast, type Microversion } from '../compute/microversion.js';
import { KIND, type VolumeDoc } from './model.js';
import { isoMicro, volumeView } from './volume-state.js';

export const SNAPSHOT_KIND = 'volume.snapshot';

export interface SnapshotDoc {
  id: string;
  volume_id: string;
  name: string | null;
  description: string | null;
  size: number;
  status: 'creating' | 'available' | 'deleting' | 'error';
  metadata: Record<string, string>;
  created_at: string;
  updated_at: string | null;
  user_id: string;
  project_id: string;
  /** Epoch ms when creating finishes / deleting removes it. */
  _ready_at: number | null;
  _gone_at: number | null;
}

export interface SnapshotCall {
  auth: AuthInfo;
  v: Microversion;
  projectId: string;
}

/** The snapshot with its due transition applied, or undefined once gone. */
export function settleSnapshot(ctx: SandboxContext, id: string): SnapshotDoc | undefined {
  return ctx.store.transaction(() => {
    const s = ctx.store.get<SnapshotDoc>(SNAPSHOT_KIND, id);
    if (!s) return undefined;
    const nowMs = ctx.now().getTime();
    if (s._gone_at !== null && s._gone_at <= nowMs) {
      ctx.store.delete(SNAPSHOT_KIND, id);
      return undefined;
    }
    if (s._ready_at !== null && s._ready_at <= nowMs) {
      const next: SnapshotDoc = {
        ...s,
        status: 'available',
        updated_at: isoMicro(new Date(s._ready_at)),
        _ready_at: null,
      };
      ctx.store.update(SNAPSHOT_KIND, next);
      return next;
    }
    return s;
  });
}

export function snapshotsOfVolume(ctx: SandboxContext, volumeId: string): SnapshotDoc[] {
  return ctx.store
    .list<SnapshotDoc>(SNAPSHOT_KIND)
    .filter((s) => s.volume_id === volumeId)
    .flatMap((s) => settleSnapshot(ctx, s.id) ?? []);
}

export function snapshotUsage(
  ctx: SandboxContext,
  projectId: string,
): { count: number; gigabytes: number; byVolumeType: Map<string, { count: number; gigabytes: number }> } {
  const byVolumeType = new Map<string, { count: number; gigabytes: number }>();
  let count = 0;
  let gigabytes = 0;
  for (const s of ctx.store.list<SnapshotDoc>(SNAPSHOT_KIND, { projectId })) {
    count += 1;
    gigabytes += s.size;
    const typeId = ctx.store.get<VolumeDoc>(KIND.volume, s.volume_id)?.volume_type_id ?? '';
    const u = byVolumeType.get(typeId) ?? { count: 0, gigabytes: 0 };
    byVolumeType.set(typeId, { count: u.count + 1, gigabytes: u.gigabytes + s.size });
  }
  return { count, gigabytes, byVolumeType };
}

/** A snapshot the caller may use, for volume create from `snapshot_id`. */
export function visibleSnapshot(ctx: SandboxContext, call: SnapshotCall, id: string): SnapshotDoc {
  const s = settleSnapshot(ctx, id);
  if (!s || (s.project_id !== call.auth.projectId && !call.auth.isAdmin))
    throw notFound(`Snapshot ${id} could not be found.`);
  return s;
}

function render(call: SnapshotCall, s: SnapshotDoc, detail: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: s.id,
    created_at: s.created_at,
    updated_at: s.updated_at,
    name: s.name,
    description: s.description,
    volume_id: s.volume_id,
    status: s.status,
    size: s.size,
    metadata: s.metadata,
  };
  if (detail) {
    body['os-extended-snapshot-attributes:project_id'] = s.project_id;
    body['os-extended-snapshot-attributes:progress'] = s.status === 'available' ? '100%' : '0%';
  }
  if (atLeast(call.v, '3.14')) body.group_snapshot_id = null;
  if (atLeast(call.v, '3.41')) body.user_id = s.user_id;
  if (atLeast(call.v, '3.65')) body.consumes_quota = true;
  return body;
}

export function registerSnapshotRoutes(
  app: FastifyInstance,
  ctx: SandboxContext,
  begin: (req: FastifyRequest, reply: FastifyReply) => SnapshotCall,
  enforceSnapshotQuota: (call: SnapshotCall, volume: VolumeDoc) => void,
): void {
  const P = '/v3/:projectId';
  const id = (req: FastifyRequest): string => (req.params as Record<string, string>).id ?? '';
  const list = (detail: boolean) => (req: FastifyRequest, reply: FastifyReply) => {
    const call = begin(req, reply);
    const q = queryParams(req).one;
    const all = call.auth.isAdmin && isTrue(q.all_tenants, CINDER_QUERY_BOOLEAN);
    const docs = ctx.store
      .list<SnapshotDoc>(SNAPSHOT_KIND, all ? undefined : { projectId: call.projectId })
      .flatMap((s) => settleSnapshot(ctx, s.id) ?? [])
      .filter(
        (s) =>
          (q.volume_id ? s.volume_id === q.volume_id : true) &&
          (q.status ? s.status === q.status : true) &&
          (q.name ? s.name === q.name : true),
      )
      .reverse();
    return { snapshots: docs.map((s) => render(call, s, detail)) };
  };
  app.get(`${P}/snapshots`, list(false));
  app.get(`${P}/snapshots/detail`, list(true));
  app.get(`${P}/snapshots/:id`, (req, reply) => {
    const call = begin(req, reply);
    return { snapshot: render(call, visibleSnapshot(ctx, call, id(req)), true) };
  });
  app.post(`${P}/snapshots`, (req, reply) => {
    const call = begin(req, reply);
    const body = requireEnvelope(req.body, 'snapshot');
    const volumeId = typeof body.volume_id === 'string' ? body.volume_id : '';
    const force = isTrue(body.force, BODY_BOOLEAN);
    const snap = ctx.store.transaction(() => {
      const view = volumeView(ctx, volumeId);
      if (!view || (view.volume.project_id !== call.auth.projectId && !call.auth.isAdmin))
        throw notFound(`Volume ${volumeId} could not be found.`);
      const ok = view.status === 'available' || (force && view.status === 'in-use');
      if (!ok)
        throw badRequest(
          `Invalid volume: Volume ${volumeId} status must be available, but current status is: ${view.status}.`,
        );
      enforceSnapshotQuota(call, view.volume);
      const now = ctx.now();
      const ready = ctx.statusDelayMs === 0;
      const doc: SnapshotDoc = {
        id: ctx.newId(),
        volume_id: volumeId,
        name: typeof body.name === 'string' ? body.name : null,
        description: typeof body.description === 'string' ? body.description : null,
        size: view.volume.size,
        status: ready ? 'available' : 'creating',
        metadata: stringMap(body, 'metadata') ?? {},
        created_at: isoMicro(now),
        updated_at: ready ? isoMicro(now) : null,
        user_id: call.auth.userId,
        project_id: view.volume.project_id,
        _ready_at: ready ? null : now.getTime() + ctx.statusDelayMs,
        _gone_at: null,
      };
      return ctx.store.insert(SNAPSHOT_KIND, doc, doc.project_id);
    });
    reply.code(202);
    return { snapshot: render(call, snap, false) };
  });
  app.put(`${P}/snapshots/:id`, (req, reply) => {
    const call = begin(req, reply);
    const s = visibleSnapshot(ctx, call, id(req));
    const body = requireEnvelope(req.body, 'snapshot');
    const next: SnapshotDoc = {
      ...s,
      name: typeof body.name === 'string' || body.name === null ? (body.name as string | null) : s.name,
      description:
        typeof body.description === 'string' || body.description === null
          ? (body.description as string | null)
          : s.description,
      updated_at: isoMicro(ctx.now()),
    };
    ctx.store.update(SNAPSHOT_KIND, next);
    return { snapshot: render(call, next, false) };
  });
  app.delete(`${P}/snapshots/:id`, (req, reply) => {
    const call = begin(req, reply);
    const s = visibleSnapshot(ctx, call, id(req));
    if (s.status !== 'available' && s.status !== 'error' && s.status !== 'deleting') {
      throw badRequest(
        `Invalid snapshot: Snapshot status must be available or error, but current status is: ${s.status}.`,
      );
    }
    const at = ctx.now().getTime() + ctx.statusDelayMs;
    if (ctx.statusDelayMs === 0) ctx.store.delete(SNAPSHOT_KIND, s.id);
    else ctx.store.update(SNAPSHOT_KIND, { ...s, status: 'deleting', updated_at: isoMicro(ctx.now()), _gone_at: at });
    reply.code(202);
    return reply.send();
  });
}
