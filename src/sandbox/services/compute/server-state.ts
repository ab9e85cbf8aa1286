/**
 * Server documents: loading with lazy transitions (BUILD → ACTIVE, stop,
 * reboot, resize…), lifecycle notices, and the views Nova renders per
 * microversion (detail, basic update view, addresses from Neutron ports).
 */
import { createHash } from 'node:crypto';
import type { SandboxContext } from '../../core/context.js';
import { attachmentsOfServer, liveAttachments, type AttachmentDoc } from '../block-storage.js';
import { networkById, portsOfDevice, type FloatingIpDoc, type PortDoc } from '../network.js';
import { novaLaunchTime, novaTime, type NovaCall } from './call.js';
import { notFound } from './api-fault.js';
import { emitServerLifecycle } from './lifecycle.js';
import { atLeast } from './microversion.js';
import { COMPUTE_HOST, KIND, type FlavorDoc, type ServerDoc, type ServerGroupDoc, type VmState } from './model.js';

/** Neutron kinds read directly for batch views (the contract's kind names). */
const NEUTRON_PORT = 'network.port';
const NEUTRON_FLOATINGIP = 'network.floatingip';
const NEUTRON_SECGROUP = 'network.secgroup';

export const STATE = {
  building: { status: 'BUILD', vm_state: 'building', task_state: 'scheduling', power_state: 0 },
  active: { status: 'ACTIVE', vm_state: 'active', task_state: null, power_state: 1 },
  stopped: { status: 'SHUTOFF', vm_state: 'stopped', task_state: null, power_state: 4 },
  paused: { status: 'PAUSED', vm_state: 'paused', task_state: null, power_state: 3 },
  suspended: { status: 'SUSPENDED', vm_state: 'suspended', task_state: null, power_state: 7 },
  verifyResize: { status: 'VERIFY_RESIZE', vm_state: 'resized', task_state: null, power_state: 1 },
  error: { status: 'ERROR', vm_state: 'error', task_state: null, power_state: 0 },
} as const satisfies Record<string, VmState>;

type Notice = { doc: ServerDoc; event: 'active' | 'stopped' | 'deleted' };

function notify(ctx: SandboxContext, notices: Notice[]): void {
  for (const { doc, event } of notices) {
    emitServerLifecycle(
      {
        sandboxUrl: ctx.publicUrl,
        serverId: doc.id,
        projectId: doc.tenant_id,
        name: doc.name,
        event,
        userData: doc.user_data,
        metadata: doc.metadata,
      },
      ctx.log,
    );
  }
}

/** Applies a due transition to one document (inside the caller's transaction). */
function settleDoc(ctx: SandboxContext, doc: ServerDoc, nowMs: number, notices: Notice[]): ServerDoc | undefined {
  if (doc._gone_at !== null) {
    if (doc._gone_at <= nowMs) {
      ctx.store.delete(KIND.server, doc.id);
      return undefined;
    }
    return doc;
  }
  const p = doc._pending;
  if (!p || p.at > nowMs) return doc;
  const when = new Date(p.at);
  const next: ServerDoc = {
    ...doc,
    state: { ...p.to },
    flavor_id: p.flavorId ?? doc.flavor_id,
    _old_flavor_id: p.clearOldFlavor === true ? null : doc._old_flavor_id,
    updated: novaTime(when),
    launched_at: doc.launched_at ?? (p.to.status === 'ACTIVE' ? novaLaunchTime(when) : null),
    _pending: null,
  };
  ctx.store.update(KIND.server, next);
  if (p.event) notices.push({ doc: next, event: p.event });
  return next;
}

/** A server with its due transitions applied, or undefined when absent/gone. */
export function loadServer(ctx: SandboxContext, id: string): ServerDoc | undefined {
  const notices: Notice[] = [];
  const doc = ctx.store.transaction(() => {
    const raw = ctx.store.get<ServerDoc>(KIND.server, id);
    return raw ? settleDoc(ctx, raw, ctx.now().getTime(), notices) : undefined;
  });
  notify(ctx, notices);
  return doc;
}

export function loadServers(ctx: SandboxContext, projectId?: string): ServerDoc[] {
  const notices: Notice[] = [];
  const docs = ctx.store.transaction(() => {
    const nowMs = ctx.now().getTime();
    const out: ServerDoc[] = [];
    for (const raw of ctx.store.list<ServerDoc>(KIND.server, projectId !== undefined ? { projectId } : undefined)) {
      const d = settleDoc(ctx, raw, nowMs, notices);
      if (d) out.push(d);
    }
    return out;
  });
  notify(ctx, notices);
  return docs;
}

/** The server as the caller may see it (own project, or any for admin), else Nova's 404. */
export function visibleServer(call: NovaCall, id: string): ServerDoc {
  const doc = loadServer(call.ctx, id);
  if (!doc || (doc.tenant_id !== call.auth.projectId && !call.auth.isAdmin)) {
    throw notFound(`Instance ${id} could not be found.`);
  }
  return doc;
}

/**
 * Schedules a transition: applied at once when the status delay is 0 (the
 * notice fires after the caller's transaction), otherwise lazily on read, with
 * an unref'd timer so lifecycle listeners fire without a poll.
 */
export function scheduleTransition(
  ctx: SandboxContext,
  doc: ServerDoc,
  interim: VmState,
  pending: NonNullable<ServerDoc['_pending']>,
): ServerDoc {
  const next: ServerDoc = { ...doc, state: interim, updated: novaTime(ctx.now()), _pending: pending };
  ctx.store.update(KIND.server, next);
  if (pending.event !== undefined) {
    const delay = Math.max(0, pending.at - ctx.now().getTime());
    setTimeout(() => {
      try {
        loadServer(ctx, doc.id);
      } catch {
        // the store may be closed by then (sandbox stopped); the next read applies it
      }
    }, delay).unref();
  }
  return next;
}

export function dueAt(ctx: SandboxContext): number {
  return ctx.now().getTime() + ctx.statusDelayMs;
}

export function hostIdFor(projectId: string): string {
  return createHash('sha224').update(`${projectId}${COMPUTE_HOST}`).digest('hex');
}

type Address = Record<string, unknown>;

function isV6(addr: string): boolean {
  return addr.includes(':');
}

/**
 * What a server view needs from Neutron, Cinder and the server groups,
 * gathered once per request: one pass over each kind instead of one per
 * server, so a detail list stays linear in the number of servers.
 */
export interface ServerRelations {
  ports(serverId: string): PortDoc[];
  floatingIps(portId: string): FloatingIpDoc[];
  networkName(networkId: string): string;
  securityGroupName(id: string): string;
  attachments(serverId: string): AttachmentDoc[];
  serverGroups(serverId: string): string[];
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function memo(fn: (id: string) => string): (id: string) => string {
  const cache = new Map<string, string>();
  return (id) => {
    let v = cache.get(id);
    if (v === undefined) {
      v = fn(id);
      cache.set(id, v);
    }
    return v;
  };
}

/** Relations of every server (for lists); `only` narrows them to one server. */
export function serverRelations(ctx: SandboxContext, only?: string): ServerRelations {
  const ports = only !== undefined ? portsOfDevice(ctx, only) : ctx.store.list<PortDoc>(NEUTRON_PORT);
  const portsByDevice = groupBy(ports, (p) => p.device_id);
  const portIds = new Set(ports.map((p) => p.id));
  const fips = ctx.store
    .list<FloatingIpDoc>(NEUTRON_FLOATINGIP)
    .filter((f) => f.port_id !== null && portIds.has(f.port_id));
  const fipsByPort = groupBy(fips, (f) => f.port_id ?? '');
  const atts = only !== undefined ? attachmentsOfServer(ctx, only) : liveAttachments(ctx);
  const attsByServer = groupBy(atts, (a) => a.instance ?? '');
  const groups = ctx.store.list<ServerGroupDoc>(KIND.serverGroup);
  return {
    ports: (id) => portsByDevice.get(id) ?? [],
    floatingIps: (id) => fipsByPort.get(id) ?? [],
    networkName: memo((id) => networkById(ctx, id)?.name || id),
    securityGroupName: memo((id) => ctx.store.get<{ name: string }>(NEUTRON_SECGROUP, id)?.name ?? id),
    attachments: (id) => attsByServer.get(id) ?? [],
    serverGroups: (id) => groups.filter((g) => g.members.includes(id)).map((g) => g.id),
  };
}

/** `addresses` from the server's Neutron ports (+ their floating IPs), by network name. */
export function addressesOf(rel: ServerRelations, serverId: string, basic: boolean): Record<string, Address[]> {
  const out: Record<string, Address[]> = {};
  for (const port of rel.ports(serverId)) {
    const key = rel.networkName(port.network_id);
    const list = out[key] ?? (out[key] = []);
    const entry = (addr: string, type: 'fixed' | 'floating'): Address =>
      basic
        ? { version: isV6(addr) ? 6 : 4, addr }
        : { version: isV6(addr) ? 6 : 4, addr, 'OS-EXT-IPS:type': type, 'OS-EXT-IPS-MAC:mac_addr': port.mac_address };
    for (const ip of port.fixed_ips) list.push(entry(ip.ip_address, 'fixed'));
    for (const fip of rel.floatingIps(port.id)) list.push(entry(fip.floating_ip_address, 'floating'));
  }
  return out;
}

export function securityGroupNamesOf(rel: ServerRelations, serverId: string): string[] {
  const names: string[] = [];
  for (const port of rel.ports(serverId)) {
    for (const sgId of port.security_groups) {
      const name = rel.securityGroupName(sgId);
      if (!names.includes(name)) names.push(name);
    }
  }
  return names;
}

export function serverLinks(ctx: SandboxContext, id: string): { rel: string; href: string }[] {
  return [
    { rel: 'self', href: `${ctx.publicUrl}/compute/v2.1/servers/${id}` },
    { rel: 'bookmark', href: `${ctx.publicUrl}/compute/servers/${id}` },
  ];
}

function flavorView(call: NovaCall, doc: ServerDoc): Record<string, unknown> {
  const f = call.ctx.store.get<FlavorDoc>(KIND.flavor, doc.flavor_id);
  if (atLeast(call.v, '2.47')) {
    return {
      vcpus: f?.vcpus ?? 0,
      ram: f?.ram ?? 0,
      disk: f?.disk ?? 0,
      ephemeral: f?.ephemeral ?? 0,
      swap: f?.swap ?? 0,
      original_name: f?.name ?? doc.flavor_id,
      extra_specs: f?.extra_specs ?? {},
    };
  }
  return {
    id: doc.flavor_id,
    links: [{ rel: 'bookmark', href: `${call.ctx.publicUrl}/compute/flavors/${doc.flavor_id}` }],
  };
}

function imageView(call: NovaCall, doc: ServerDoc): unknown {
  if (doc.image_id === '') return '';
  return {
    id: doc.image_id,
    links: [{ rel: 'bookmark', href: `${call.ctx.publicUrl}/compute/images/${doc.image_id}` }],
  };
}

/**
 * The state shown now: a build is `scheduling` for the first half of the delay
 * (no host yet, as real Nova shows), then `spawning`; a deleted server shows
 * `deleting` until it is gone.
 */
function displayedState(doc: ServerDoc, nowMs: number, delayMs: number): VmState {
  if (doc._gone_at !== null && doc._gone_at > nowMs) return { ...doc.state, task_state: 'deleting' };
  const p = doc._pending;
  if (doc.state.task_state === 'scheduling' && p && nowMs >= p.at - delayMs / 2)
    return { ...doc.state, task_state: 'spawning' };
  return doc.state;
}

/**
 * The full server view (GET /servers/{id}, /servers/detail), field set and
 * shapes following the negotiated microversion and the caller's role.
 * `withServerGroups` adds 2.71's `server_groups`, which list views omit.
 */
/** Nova shows `progress` only while a server is in one of these statuses (its view's _progress_statuses). */
const PROGRESS_STATUSES = new Set(['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING']);

function progressOf(status: string): { progress?: number } {
  return PROGRESS_STATUSES.has(status) ? { progress: 0 } : {};
}

export function renderServer(
  call: NovaCall,
  doc: ServerDoc,
  withServerGroups: boolean,
  rel: ServerRelations = serverRelations(call.ctx, doc.id),
): Record<string, unknown> {
  const { ctx, v } = call;
  const admin = call.auth.isAdmin;
  const state = displayedState(doc, ctx.now().getTime(), ctx.statusDelayMs);
  const building = state.status === 'BUILD';
  const scheduling = state.task_state === 'scheduling';
  const body: Record<string, unknown> = {
    id: doc.id,
    name: doc.name,
    status: state.status,
    tenant_id: doc.tenant_id,
    user_id: doc.user_id,
    metadata: doc.metadata,
    hostId: scheduling ? '' : hostIdFor(doc.tenant_id),
    image: imageView(call, doc),
    flavor: flavorView(call, doc),
    created: doc.created,
    updated: doc.updated,
    addresses: building ? {} : addressesOf(rel, doc.id, false),
    accessIPv4: doc.access_ipv4,
    accessIPv6: doc.access_ipv6,
    links: serverLinks(ctx, doc.id),
    'OS-DCF:diskConfig': doc.disk_config,
    ...progressOf(state.status),
    'OS-EXT-AZ:availability_zone': scheduling ? '' : doc.availability_zone,
    config_drive: doc.config_drive,
    key_name: doc.key_name,
    'OS-SRV-USG:launched_at': doc.launched_at,
    'OS-SRV-USG:terminated_at': null,
  };
  // While scheduling, Nova has not bound the ports yet and shows no security groups.
  const sgNames = scheduling ? [] : securityGroupNamesOf(rel, doc.id);
  if (sgNames.length > 0) body.security_groups = sgNames.map((name) => ({ name }));
  if (admin) {
    body['OS-EXT-SRV-ATTR:host'] = scheduling ? null : COMPUTE_HOST;
    body['OS-EXT-SRV-ATTR:instance_name'] = scheduling ? '' : doc.instance_name;
    body['OS-EXT-SRV-ATTR:hypervisor_hostname'] = scheduling ? null : COMPUTE_HOST;
    if (atLeast(v, '2.3')) {
      body['OS-EXT-SRV-ATTR:reservation_id'] = doc.reservation_id;
      body['OS-EXT-SRV-ATTR:launch_index'] = 0;
      body['OS-EXT-SRV-ATTR:hostname'] = doc.hostname;
      body['OS-EXT-SRV-ATTR:kernel_id'] = '';
      body['OS-EXT-SRV-ATTR:ramdisk_id'] = '';
      body['OS-EXT-SRV-ATTR:root_device_name'] = '/dev/vda';
      body['OS-EXT-SRV-ATTR:user_data'] = doc.user_data;
    }
  } else if (atLeast(v, '2.90')) {
    body['OS-EXT-SRV-ATTR:hostname'] = doc.hostname;
  }
  body['OS-EXT-STS:task_state'] = state.task_state;
  body['OS-EXT-STS:vm_state'] = state.vm_state;
  body['OS-EXT-STS:power_state'] = state.power_state;
  const attached = rel.attachments(doc.id);
  body['os-extended-volumes:volumes_attached'] = attached.map((a) =>
    atLeast(v, '2.3') ? { id: a.volume_id, delete_on_termination: a._delete_on_termination } : { id: a.volume_id },
  );
  if (atLeast(v, '2.9')) body.locked = doc.locked;
  if (atLeast(v, '2.16') && admin) body.host_status = 'UP';
  if (atLeast(v, '2.19')) body.description = doc.description;
  if (atLeast(v, '2.26')) body.tags = doc.tags;
  if (atLeast(v, '2.63')) body.trusted_image_certificates = null;
  if (atLeast(v, '2.71') && withServerGroups) body.server_groups = rel.serverGroups(doc.id);
  if (atLeast(v, '2.73')) body.locked_reason = doc.locked_reason;
  if (state.status === 'ERROR') {
    body.fault = { code: 500, created: doc.updated, message: 'Build of instance failed' };
  }
  return body;
}

/** The reduced view PUT /servers/{id} and rebuild answer before 2.75. */
export function renderBasicServer(call: NovaCall, doc: ServerDoc): Record<string, unknown> {
  const { ctx, v } = call;
  const state = displayedState(doc, ctx.now().getTime(), ctx.statusDelayMs);
  const body: Record<string, unknown> = {
    id: doc.id,
    name: doc.name,
    status: state.status,
    tenant_id: doc.tenant_id,
    user_id: doc.user_id,
    metadata: doc.metadata,
    hostId: hostIdFor(doc.tenant_id),
    image: imageView(call, doc),
    flavor: flavorView(call, doc),
    created: doc.created,
    updated: doc.updated,
    addresses: state.status === 'BUILD' ? {} : addressesOf(serverRelations(ctx, doc.id), doc.id, true),
    accessIPv4: doc.access_ipv4,
    accessIPv6: doc.access_ipv6,
    links: serverLinks(ctx, doc.id),
    'OS-DCF:diskConfig': doc.disk_config,
    ...progressOf(state.status),
  };
  if (atLeast(v, '2.9')) body.locked = doc.locked;
  if (atLeast(v, '2.19')) body.description = doc.description;
  if (atLeast(v, '2.26')) body.tags = doc.tags;
  if (atLeast(v, '2.63')) body.trusted_image_certificates = null;
  if (atLeast(v, '2.71')) body.server_groups = serverRelations(ctx, doc.id).serverGroups(doc.id);
  if (atLeast(v, '2.73')) body.locked_reason = doc.locked_reason;
  return body;
}
