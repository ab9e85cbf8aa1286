/**
 * Listeners: one protocol port on a load balancer, optionally sending to a
 * default pool. TERMINATED_HTTPS needs a certificate container Octavia can
 * read from the sandbox's Barbican (the load balancer's project's, with a key
 * that fits the certificate).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { certificateBundle } from '../key-manager.js';
import {
  type Body,
  type Call,
  badRequest,
  bool,
  conflict,
  int,
  invalidInput,
  nullableStr,
  octaviaTime,
  oneOf,
  optionalUuid,
  requiredInt,
  rootObject,
  str,
  stringList,
  stringMap,
  tags,
  validationFailure,
} from './call.js';
import { KIND, LISTENER_POOL_PROTOCOLS, LISTENER_PROTOCOLS, type ListenerDoc, type PoolDoc } from './model.js';
import { beginChange, childrenOf, enforceQuota, findEntity, requireMutable } from './state.js';
import { listenerView, type View } from './views.js';

const TIMEOUT_MAX = 31_536_000_000;

function certificateRefs(
  call: Call,
  projectId: string,
  b: Body,
  protocol: string,
): { main: string | null; sni: string[] } {
  const main = nullableStr(b, 'default_tls_container_ref', null, 255);
  const sni = stringList(b, 'sni_container_refs', []) ?? [];
  if (protocol === 'TERMINATED_HTTPS') {
    if (main === null && sni.length === 0)
      throw badRequest('An SNI or default certificate container reference must be provided for TERMINATED_HTTPS.');
  } else if (main !== null || sni.length > 0) {
    throw validationFailure(
      'Certificate container references are only allowed on TERMINATED_HTTPS protocol listeners.',
    );
  }
  // Octavia reads every reference from Barbican when the listener is created, and checks the key fits.
  const refs = [...(main === null ? [] : [main]), ...sni];
  const unreadable = refs.filter((ref) => certificateBundle(call.ctx, projectId, ref) === undefined);
  if (unreadable.length > 0) throw badRequest(`Could not retrieve certificate: ${JSON.stringify(unreadable)}`);
  for (const ref of refs) {
    const bundle = certificateBundle(call.ctx, projectId, ref);
    if (bundle === undefined) continue;
    let fits = false;
    try {
      const key = createPrivateKey({
        key: bundle.privateKey,
        ...(bundle.passphrase === undefined ? {} : { passphrase: bundle.passphrase }),
      });
      fits = new X509Certificate(bundle.certificate).checkPrivateKey(key);
    } catch {
      fits = false;
    }
    if (!fits) throw badRequest('Validation failure: Key and x509 certificate do not match');
  }
  return { main, sni };
}

/** The default pool must be on the same load balancer and speak a protocol the listener can send to. */
function checkDefaultPool(call: Call, lbId: string, protocol: string, poolId: string | null): void {
  if (poolId === null) return;
  const pool = call.ctx.store.get<PoolDoc>(KIND.pool, poolId);
  if (pool === undefined || pool._lb !== lbId) throw validationFailure(`Pool ${poolId} not found.`);
  if (!(LISTENER_POOL_PROTOCOLS[protocol] ?? []).includes(pool.protocol))
    throw validationFailure(
      `The pool protocol '${pool.protocol}' is invalid while the listener protocol is '${protocol}'.`,
    );
}

export function createListener(call: Call, body: unknown): View {
  const { ctx } = call;
  const b = rootObject(body, 'listener');
  const lbId = optionalUuid(b, 'loadbalancer_id');
  if (lbId === undefined) throw invalidInput('loadbalancer_id', undefined, 'Mandatory field missing.');
  const protocol = oneOf(b, 'protocol', LISTENER_PROTOCOLS);
  const port = requiredInt(b, 'protocol_port', 1, 65535);
  const lb = findEntity(call, 'loadbalancer', lbId);
  const refs = certificateRefs(call, lb.project_id, b, protocol);
  const defaultPool = optionalUuid(b, 'default_pool_id') ?? null;
  checkDefaultPool(call, lbId, protocol, defaultPool);
  requireMutable(ctx, lbId);
  if (childrenOf<ListenerDoc>(ctx, 'listener', lbId).some((l) => l.protocol_port === port && l.protocol !== 'UDP'))
    throw conflict(`Another Listener on this Load Balancer is already using protocol_port ${port}`);
  enforceQuota(ctx, lb.project_id, 'listener');
  const listener: ListenerDoc = {
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
    protocol_port: port,
    connection_limit: int(b, 'connection_limit', -1, -1, 2 ** 31 - 1),
    default_pool_id: defaultPool,
    default_tls_container_ref: refs.main,
    sni_container_refs: refs.sni,
    insert_headers: stringMap(b, 'insert_headers', {}),
    timeout_client_data: int(b, 'timeout_client_data', 50000, 0, TIMEOUT_MAX),
    timeout_member_connect: int(b, 'timeout_member_connect', 5000, 0, TIMEOUT_MAX),
    timeout_member_data: int(b, 'timeout_member_data', 50000, 0, TIMEOUT_MAX),
    timeout_tcp_inspect: int(b, 'timeout_tcp_inspect', 0, 0, TIMEOUT_MAX),
    allowed_cidrs: stringList(b, 'allowed_cidrs', null),
    client_authentication: oneOf(b, 'client_authentication', ['NONE', 'OPTIONAL', 'MANDATORY'], 'NONE'),
    client_ca_tls_container_ref: null,
    client_crl_container_ref: null,
    _lb: lbId,
    _pending: null,
  };
  if (listener.allowed_cidrs?.length === 0) listener.allowed_cidrs = null;
  ctx.store.insert(KIND.listener, listener, lb.project_id);
  return { listener: listenerView(ctx, beginChange(ctx, 'listener', listener, 'PENDING_CREATE')) };
}

export function updateListener(call: Call, id: string, body: unknown): View {
  const { ctx } = call;
  const l = findEntity<ListenerDoc>(call, 'listener', id);
  const b = rootObject(body, 'listener');
  const defaultPool =
    b.default_pool_id === undefined ? l.default_pool_id : (optionalUuid(b, 'default_pool_id') ?? null);
  checkDefaultPool(call, l._lb, l.protocol, defaultPool);
  const certs =
    b.default_tls_container_ref !== undefined || b.sni_container_refs !== undefined
      ? certificateRefs(
          call,
          l.project_id,
          { ...b, default_tls_container_ref: b.default_tls_container_ref ?? l.default_tls_container_ref },
          l.protocol,
        )
      : { main: l.default_tls_container_ref, sni: l.sni_container_refs };
  requireMutable(ctx, l._lb);
  const allowed = b.allowed_cidrs === undefined ? l.allowed_cidrs : stringList(b, 'allowed_cidrs', null);
  const next: ListenerDoc = {
    ...l,
    name: str(b, 'name', l.name),
    description: str(b, 'description', l.description),
    admin_state_up: bool(b, 'admin_state_up', l.admin_state_up),
    tags: tags(b, l.tags),
    connection_limit: int(b, 'connection_limit', l.connection_limit, -1, 2 ** 31 - 1),
    default_pool_id: defaultPool,
    default_tls_container_ref: certs.main,
    sni_container_refs: certs.sni,
    insert_headers: stringMap(b, 'insert_headers', l.insert_headers),
    timeout_client_data: int(b, 'timeout_client_data', l.timeout_client_data, 0, TIMEOUT_MAX),
    timeout_member_connect: int(b, 'timeout_member_connect', l.timeout_member_connect, 0, TIMEOUT_MAX),
    timeout_member_data: int(b, 'timeout_member_data', l.timeout_member_data, 0, TIMEOUT_MAX),
    timeout_tcp_inspect: int(b, 'timeout_tcp_inspect', l.timeout_tcp_inspect, 0, TIMEOUT_MAX),
    allowed_cidrs: allowed !== null && allowed.length === 0 ? null : allowed,
    client_authentication: oneOf(
      b,
      'client_authentication',
      ['NONE', 'OPTIONAL', 'MANDATORY'],
      l.client_authentication,
    ),
  };
  ctx.store.update(KIND.listener, next);
  return { listener: listenerView(ctx, beginChange(ctx, 'listener', next, 'PENDING_UPDATE')) };
}

export function deleteListener(call: Call, id: string): void {
  const l = findEntity<ListenerDoc>(call, 'listener', id);
  requireMutable(call.ctx, l._lb);
  beginChange(call.ctx, 'listener', l, 'PENDING_DELETE');
}
