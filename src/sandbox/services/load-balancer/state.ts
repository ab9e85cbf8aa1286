/**
 * Provisioning and operating status, as Octavia drives them. A change to any
 * entity is finished by the (simulated) amphora driver `statusDelayMs` later:
 * the entity shows PENDING_CREATE / PENDING_UPDATE / PENDING_DELETE until then
 * and its load balancer shows PENDING_UPDATE, during which the load balancer
 * is immutable (409) — the lock clients wait on. Due changes are stored as due
 * times and applied when any Octavia request arrives (no timers; a restart
 * keeps them).
 */
import type { SandboxContext } from '../../core/context.js';
import { releaseDevicePorts } from '../network.js';
import { octaviaError } from '../../core/errors.js';
import { observedStatus } from './health.js';
import { type Call, forbidden, immutable, notFound, octaviaTime } from './call.js';
import {
  type AnyEntity,
  ENTITY_NAME,
  type EntityKind,
  type HealthMonitorDoc,
  KIND,
  type L7PolicyDoc,
  type L7RuleDoc,
  type ListenerDoc,
  type LoadBalancerDoc,
  type MemberDoc,
  type ProvisioningStatus,
  type QuotaDoc,
  type QuotaKey,
} from './model.js';

/** Children first: a deletion that is due removes them before their parents. */
const SETTLE_ORDER: EntityKind[] = [
  'l7rule',
  'l7policy',
  'member',
  'healthmonitor',
  'pool',
  'listener',
  'loadbalancer',
];

/** Neutron's device id of a load balancer's VIP port, as Octavia sets it. */
export function vipDeviceId(lbId: string): string {
  return `lb-${lbId}`;
}

/** Applies every due change (all projects: the sandbox is small, and a due deletion frees its VIP port). */
export function settleAll(ctx: SandboxContext): void {
  const nowMs = ctx.now().getTime();
  ctx.store.transaction(() => {
    for (const kind of SETTLE_ORDER) {
      for (const doc of ctx.store.list<AnyEntity>(KIND[kind])) {
        const p = doc._pending;
        if (p === null || p.at > nowMs) continue;
        if (p.gone) {
          ctx.store.delete(KIND[kind], doc.id);
          if (kind === 'pool') unlinkPool(ctx, doc.id);
          if (kind === 'listener') dropPolicies(ctx, doc.id);
          if (kind === 'loadbalancer') releaseDevicePorts(ctx, vipDeviceId(doc.id));
          continue;
        }
        ctx.store.update<AnyEntity>(KIND[kind], {
          ...doc,
          provisioning_status: 'ACTIVE',
          updated_at: octaviaTime(new Date(p.at)),
          _pending: null,
        });
      }
    }
  });
}

/** A listener's L7 policies and their rules go with it. */
function dropPolicies(ctx: SandboxContext, listenerId: string): void {
  for (const p of ctx.store.list<L7PolicyDoc>(KIND.l7policy)) {
    if (p.listener_id !== listenerId) continue;
    for (const r of ctx.store.list<L7RuleDoc>(KIND.l7rule))
      if (r.l7policy_id === p.id) ctx.store.delete(KIND.l7rule, r.id);
    ctx.store.delete(KIND.l7policy, p.id);
  }
}

/** Listeners whose default pool is gone point at none, as Octavia leaves them. */
function unlinkPool(ctx: SandboxContext, poolId: string): void {
  for (const l of ctx.store.list<ListenerDoc>(KIND.listener))
    if (l.default_pool_id === poolId) ctx.store.update<ListenerDoc>(KIND.listener, { ...l, default_pool_id: null });
}

/** Marks a change the driver finishes later; `PENDING_DELETE` ends with the entity gone. */
export function beginChange<T extends AnyEntity>(
  ctx: SandboxContext,
  kind: EntityKind,
  doc: T,
  status: ProvisioningStatus,
): T {
  const next: T = {
    ...doc,
    provisioning_status: status,
    _pending: { at: ctx.now().getTime() + ctx.statusDelayMs, gone: status === 'PENDING_DELETE' },
  };
  ctx.store.update<AnyEntity>(KIND[kind], next);
  return next;
}

export function childrenOf<T extends AnyEntity>(ctx: SandboxContext, kind: EntityKind, lbId: string): T[] {
  return ctx.store.list<T>(KIND[kind]).filter((d) => d._lb === lbId);
}

/** What the API shows: a load balancer is PENDING_UPDATE while any of its children has a change in flight. */
export function shownProvisioningStatus(ctx: SandboxContext, lb: LoadBalancerDoc): ProvisioningStatus {
  if (lb._pending !== null) return lb.provisioning_status;
  const busy = (['listener', 'pool', 'member', 'healthmonitor', 'l7policy', 'l7rule'] as const).some((k) =>
    childrenOf(ctx, k, lb.id).some((c) => c._pending !== null),
  );
  return busy ? 'PENDING_UPDATE' : lb.provisioning_status;
}

/** The load balancer must be ACTIVE for a change (Octavia's test_and_set_provisioning_status). */
export function requireMutable(ctx: SandboxContext, lbId: string): LoadBalancerDoc {
  const lb = ctx.store.get<LoadBalancerDoc>(KIND.loadbalancer, lbId);
  if (lb === undefined) throw notFound('loadbalancer', lbId);
  if (shownProvisioningStatus(ctx, lb) !== 'ACTIVE') throw immutable(lbId);
  return lb;
}

/** An entity the caller may see: another project's answers 403 as Octavia's policy check does. */
export function findEntity<T extends AnyEntity>(call: Call, kind: EntityKind, id: string): T {
  const doc = call.ctx.store.get<T>(KIND[kind], id);
  if (doc === undefined) throw notFound(kind, id);
  if (!call.auth.isAdmin && doc.project_id !== call.auth.projectId) throw forbidden();
  return doc;
}

/**
 * Operating status. A member is what its health monitor last found (ONLINE or
 * ERROR, health.ts) once the data plane probes it; without a monitor it is
 * NO_MONITOR; a monitored member nobody probes (its load balancer carries no
 * traffic: no floating IP on the VIP) shows ONLINE. A pool whose enabled members
 * are all ERROR is ERROR, some: DEGRADED; a listener follows its pool (and is ERROR
 * when it could not listen); a load balancer is DEGRADED when a listener is not ONLINE.
 */
export function operatingStatus(ctx: SandboxContext, kind: EntityKind, doc: AnyEntity): string {
  if (!doc.admin_state_up || doc.provisioning_status === 'PENDING_CREATE') return 'OFFLINE';
  switch (kind) {
    case 'member': {
      const poolId = (doc as MemberDoc).pool_id;
      const monitored = ctx.store.list<HealthMonitorDoc>(KIND.healthmonitor).some((m) => m.pool_id === poolId);
      if (!monitored) return 'NO_MONITOR';
      return observedStatus(ctx, doc.id) ?? 'ONLINE';
    }
    case 'pool': {
      const members = ctx.store
        .list<MemberDoc>(KIND.member)
        .filter((m) => m.pool_id === doc.id && m.admin_state_up)
        .map((m) => operatingStatus(ctx, 'member', m));
      const down = members.filter((s) => s === 'ERROR').length;
      if (members.length > 0 && down === members.length) return 'ERROR';
      return down > 0 ? 'DEGRADED' : 'ONLINE';
    }
    case 'listener': {
      if (observedStatus(ctx, doc.id) === 'ERROR') return 'ERROR';
      const poolId = (doc as ListenerDoc).default_pool_id;
      const pool = poolId === null ? undefined : ctx.store.get<AnyEntity>(KIND.pool, poolId);
      if (pool === undefined) return 'ONLINE';
      const s = operatingStatus(ctx, 'pool', pool);
      return s === 'OFFLINE' ? 'ONLINE' : s;
    }
    case 'loadbalancer': {
      const listeners = childrenOf<ListenerDoc>(ctx, 'listener', doc.id).filter((l) => l.admin_state_up);
      return listeners.some((l) => operatingStatus(ctx, 'listener', l) !== 'ONLINE') ? 'DEGRADED' : 'ONLINE';
    }
    default:
      return 'ONLINE';
  }
}

// ---- quotas ------------------------------------------------------------------------------------

const QUOTA_KIND: Record<QuotaKey, EntityKind | undefined> = {
  loadbalancer: 'loadbalancer',
  listener: 'listener',
  pool: 'pool',
  member: 'member',
  healthmonitor: 'healthmonitor',
  l7policy: 'l7policy',
  l7rule: 'l7rule',
};

export function quotaOf(ctx: SandboxContext, projectId: string): QuotaDoc {
  return (
    ctx.store.get<QuotaDoc>(KIND.quota, projectId) ?? {
      id: projectId,
      loadbalancer: -1,
      listener: -1,
      pool: -1,
      member: -1,
      healthmonitor: -1,
      l7policy: -1,
      l7rule: -1,
    }
  );
}

/** 403 "Quota has been met for resources: Pool" once the project holds its limit (-1: unlimited). */
export function enforceQuota(ctx: SandboxContext, projectId: string, key: QuotaKey): void {
  const limit = quotaOf(ctx, projectId)[key];
  const kind = QUOTA_KIND[key];
  if (limit < 0 || kind === undefined) return;
  if (ctx.store.list<AnyEntity>(KIND[kind]).filter((d) => d.project_id === projectId).length >= limit)
    throw octaviaError(403, `Quota has been met for resources: ${ENTITY_NAME[kind]}`);
}
