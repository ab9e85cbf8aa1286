/**
 * Pools (on a load balancer, optionally the default pool of a listener) and
 * their members. Deleting a pool takes its members and health monitor with it.
 */
import { normalizeIp } from '../network/ip-address.js';
import { KIND as NETWORK_KIND } from '../network/model.js';
import {
  type Body,
  type Call,
  bool,
  conflict,
  int,
  invalidInput,
  notFound,
  nullableStr,
  octaviaTime,
  oneOf,
  optionalUuid,
  requiredInt,
  rootObject,
  str,
  tags,
  validationFailure,
} from './call.js';
import {
  type HealthMonitorDoc,
  KIND,
  LB_ALGORITHMS,
  LISTENER_POOL_PROTOCOLS,
  type ListenerDoc,
  type MemberDoc,
  PERSISTENCE_TYPES,
  POOL_PROTOCOLS,
  type PoolDoc,
  type SessionPersistence,
} from './model.js';
import { beginChange, enforceQuota, findEntity, requireMutable } from './state.js';
import { memberView, poolView, type View } from './views.js';

function persistence(b: Body, fallback: SessionPersistence | null): SessionPersistence | null {
  const v = b.session_persistence;
  if (v === undefined) return fallback;
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidInput('session_persistence', v, 'Wrong type.');
  const sp = v as Body;
  const type = oneOf(sp, 'type', PERSISTENCE_TYPES);
  const cookie = nullableStr(sp, 'cookie_name', null);
  if (type === 'APP_COOKIE' && cookie === null)
    throw validationFailure('session_persistence cookie_name is required for APP_COOKIE session persistence type.');
  if (type !== 'APP_COOKIE' && cookie !== null)
    throw validationFailure('session_persistence cookie_name can only be set for APP_COOKIE session persistence type.');
  return { type, cookie_name: cookie, persistence_timeout: null, persistence_granularity: null };
}

export function createPool(call: Call, body: unknown): View {
  const { ctx } = call;
  const b = rootObject(body, 'pool');
  const protocol = oneOf(b, 'protocol', POOL_PROTOCOLS);
  const algorithm = oneOf(b, 'lb_algorithm', LB_ALGORITHMS);
  const listenerId = optionalUuid(b, 'listener_id');
  let lbId = optionalUuid(b, 'loadbalancer_id');
  let listener: ListenerDoc | undefined;
  if (listenerId !== undefined) {
    listener = findEntity<ListenerDoc>(call, 'listener', listenerId);
    if (lbId !== undefined && lbId !== listener._lb)
      throw validationFailure('Listener and Load Balancer must be on the same load balancer.');
    lbId = listener._lb;
    if (listener.default_pool_id !== null)
      throw conflict(`Listener ${listenerId} is already using default pool ${listener.default_pool_id}.`);
    if (!(LISTENER_POOL_PROTOCOLS[listener.protocol] ?? []).includes(protocol))
      throw validationFailure(
        `The pool protocol '${protocol}' is invalid while the listener protocol is '${listener.protocol}'.`,
      );
  }
  if (lbId === undefined) throw validationFailure('Either listener_id or loadbalancer_id must be specified.');
  const lb = findEntity(call, 'loadbalancer', lbId);
  const sp = persistence(b, null);
  requireMutable(ctx, lbId);
  enforceQuota(ctx, lb.project_id, 'pool');
  const pool: PoolDoc = {
    id: ctx.newId(),
    project_id: lb.project_id,
    name: str(b, 'name', ''),
    description: str(b, 'description', ''),
    admin_state_up: bool(b, 'admin_state_up', true),
    provisioning_status: 'PENDING_CREATE',
    created_at: octaviaTime(ctx.now()),
    updated_at: null,
    tags: tags(b, []),
    protocol,
    lb_algorithm: algorithm,
    session_persistence: sp,
    tls_enabled: bool(b, 'tls_enabled', false),
    tls_container_ref: null,
    ca_tls_container_ref: null,
    crl_container_ref: null,
    _lb: lbId,
    _pending: null,
  };
  ctx.store.insert(KIND.pool, pool, lb.project_id);
  if (listener !== undefined) ctx.store.update(KIND.listener, { ...listener, default_pool_id: pool.id });
  return { pool: poolView(ctx, beginChange(ctx, 'pool', pool, 'PENDING_CREATE')) };
}

export function updatePool(call: Call, id: string, body: unknown): View {
  const { ctx } = call;
  const p = findEntity<PoolDoc>(call, 'pool', id);
  const b = rootObject(body, 'pool');
  const next: PoolDoc = {
    ...p,
    name: str(b, 'name', p.name),
    description: str(b, 'description', p.description),
    admin_state_up: bool(b, 'admin_state_up', p.admin_state_up),
    tags: tags(b, p.tags),
    lb_algorithm: oneOf(b, 'lb_algorithm', LB_ALGORITHMS, p.lb_algorithm),
    session_persistence: persistence(b, p.session_persistence),
    tls_enabled: bool(b, 'tls_enabled', p.tls_enabled),
  };
  requireMutable(ctx, p._lb);
  ctx.store.update(KIND.pool, next);
  return { pool: poolView(ctx, beginChange(ctx, 'pool', next, 'PENDING_UPDATE')) };
}

export function deletePool(call: Call, id: string): void {
  const { ctx } = call;
  const p = findEntity<PoolDoc>(call, 'pool', id);
  requireMutable(ctx, p._lb);
  for (const m of ctx.store.list<MemberDoc>(KIND.member))
    if (m.pool_id === id) beginChange(ctx, 'member', m, 'PENDING_DELETE');
  for (const h of ctx.store.list<HealthMonitorDoc>(KIND.healthmonitor))
    if (h.pool_id === id) beginChange(ctx, 'healthmonitor', h, 'PENDING_DELETE');
  beginChange(ctx, 'pool', p, 'PENDING_DELETE');
}

// ---- members -----------------------------------------------------------------------------------

function address(b: Body, key: string, fallback: string | null): string | null {
  const raw = nullableStr(b, key, fallback);
  if (raw === null || raw === fallback) return raw;
  const ip = normalizeIp(raw);
  if (ip === undefined) throw invalidInput(key, raw, 'Value should be IPv4 or IPv6 format');
  return ip;
}

/** A member of a pool the caller may see (the pool's 404/403 first, as Octavia checks it). */
export function findMember(call: Call, poolId: string, memberId: string): MemberDoc {
  findEntity<PoolDoc>(call, 'pool', poolId);
  const m = findEntity<MemberDoc>(call, 'member', memberId);
  if (m.pool_id !== poolId) throw notFound('member', memberId);
  return m;
}

export function createMember(call: Call, poolId: string, body: unknown): View {
  const { ctx } = call;
  const pool = findEntity<PoolDoc>(call, 'pool', poolId);
  const b = rootObject(body, 'member');
  const ip = address(b, 'address', null);
  if (ip === null) throw invalidInput('address', undefined, 'Mandatory field missing.');
  const port = requiredInt(b, 'protocol_port', 1, 65535);
  const subnetId = optionalUuid(b, 'subnet_id') ?? null;
  if (subnetId !== null && ctx.store.get(NETWORK_KIND.subnet, subnetId) === undefined)
    throw validationFailure(`Subnet ${subnetId} not found.`);
  requireMutable(ctx, pool._lb);
  if (
    ctx.store
      .list<MemberDoc>(KIND.member)
      .some((m) => m.pool_id === poolId && m.address === ip && m.protocol_port === port)
  )
    throw conflict(`Another member on this pool is already using ip ${ip} on protocol_port ${port}`);
  enforceQuota(ctx, pool.project_id, 'member');
  const monitorPort =
    b.monitor_port === undefined || b.monitor_port === null ? null : int(b, 'monitor_port', 0, 1, 65535);
  const member: MemberDoc = {
    id: ctx.newId(),
    project_id: pool.project_id,
    name: str(b, 'name', ''),
    admin_state_up: bool(b, 'admin_state_up', true),
    provisioning_status: 'PENDING_CREATE',
    created_at: octaviaTime(ctx.now()),
    updated_at: null,
    tags: tags(b, []),
    pool_id: poolId,
    address: ip,
    protocol_port: port,
    subnet_id: subnetId,
    weight: int(b, 'weight', 1, 0, 256),
    backup: bool(b, 'backup', false),
    monitor_address: address(b, 'monitor_address', null),
    monitor_port: monitorPort,
    _lb: pool._lb,
    _pending: null,
  };
  ctx.store.insert(KIND.member, member, pool.project_id);
  return { member: memberView(ctx, beginChange(ctx, 'member', member, 'PENDING_CREATE')) };
}

export function updateMember(call: Call, poolId: string, id: string, body: unknown): View {
  const { ctx } = call;
  const m = findMember(call, poolId, id);
  const b = rootObject(body, 'member');
  const next: MemberDoc = {
    ...m,
    name: str(b, 'name', m.name),
    admin_state_up: bool(b, 'admin_state_up', m.admin_state_up),
    tags: tags(b, m.tags),
    weight: int(b, 'weight', m.weight, 0, 256),
    backup: bool(b, 'backup', m.backup),
    monitor_address: address(b, 'monitor_address', m.monitor_address),
    monitor_port:
      b.monitor_port === undefined
        ? m.monitor_port
        : b.monitor_port === null
          ? null
          : int(b, 'monitor_port', 0, 1, 65535),
  };
  requireMutable(ctx, m._lb);
  ctx.store.update(KIND.member, next);
  return { member: memberView(ctx, beginChange(ctx, 'member', next, 'PENDING_UPDATE')) };
}

export function deleteMember(call: Call, poolId: string, id: string): void {
  const m = findMember(call, poolId, id);
  requireMutable(call.ctx, m._lb);
  beginChange(call.ctx, 'member', m, 'PENDING_DELETE');
}
