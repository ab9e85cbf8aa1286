/**
 * Ports: fixed-IP allocation through ipam.ts, MAC addresses in OpenStack's
 * fa:16:3e prefix, the project's default security group when none is given,
 * allowed address pairs under port security, binding fields (admin-only in
 * answers, as Neutron's policy has them) and status DOWN until bound.
 */
import type { SandboxContext } from '../../core/context.js';
import { neutronError } from '../../core/errors.js';
import { parseCidr, parseIp } from './ip-address.js';
import { allocateFixedIps, readFixedIpRequests, type FixedIpRequest } from './ipam.js';
import { applyListQuery, parseListQuery, type Doc, type RawQuery } from './list-query.js';
import {
  type FixedIp,
  KIND,
  type AddressPair,
  type ExtraDhcpOpt,
  type FloatingIpDoc,
  type NetworkDoc,
  type PortDoc,
  type RbacPolicyDoc,
} from './model.js';
import { allRbac, canUseNetwork, findNetwork, notAllowedOnNetwork } from './networks.js';
import { enforceQuota } from './quotas.js';
import { ownerProject, owns, type NeutronCall } from './call.js';
import { publicFields, standardAttrs, timestamp, touch } from './standard-attributes.js';
import { conflict, notFound, policyDenied } from './neutron-errors.js';
import {
  boolField,
  checkAttributes,
  envelope,
  has,
  invalidAttribute,
  isObject,
  stringField,
  toInteger,
  type AttributeRules,
} from './request-body.js';
import { ensureDefaultGroup, findSecurityGroup } from './security-groups.js';

const BINDING_ADMIN_FIELDS = ['binding:host_id', 'binding:profile', 'binding:vif_type', 'binding:vif_details'] as const;

export const PORT_ATTRIBUTES: AttributeRules = {
  readable: new Set([
    'id',
    'name',
    'network_id',
    'tenant_id',
    'project_id',
    'mac_address',
    'admin_state_up',
    'status',
    'device_id',
    'device_owner',
    'fixed_ips',
    'allowed_address_pairs',
    'extra_dhcp_opts',
    'security_groups',
    'description',
    'binding:vnic_type',
    ...BINDING_ADMIN_FIELDS,
    'port_security_enabled',
    'tags',
    'created_at',
    'updated_at',
    'revision_number',
  ]),
  post: new Set([
    'name',
    'network_id',
    'tenant_id',
    'project_id',
    'mac_address',
    'admin_state_up',
    'device_id',
    'device_owner',
    'fixed_ips',
    'allowed_address_pairs',
    'extra_dhcp_opts',
    'security_groups',
    'description',
    'binding:vnic_type',
    'binding:profile',
    'binding:host_id',
    'port_security_enabled',
  ]),
  put: new Set([
    'name',
    'mac_address',
    'admin_state_up',
    'device_id',
    'device_owner',
    'fixed_ips',
    'allowed_address_pairs',
    'extra_dhcp_opts',
    'security_groups',
    'description',
    'binding:vnic_type',
    'binding:profile',
    'binding:host_id',
    'port_security_enabled',
  ]),
};

const VNIC_TYPES = [
  'normal',
  'direct',
  'macvtap',
  'baremetal',
  'direct-physical',
  'virtio-forwarder',
  'smart-nic',
  'vdpa',
  'remote-managed',
];

/** The one hypervisor host of the sandbox (Nova's `OS-EXT-SRV-ATTR:host`), where compute ports are bound by default. */
export const SANDBOX_HOST = 'sandbox';

/** Whether fixed-IP requests, each resolved to an address, name exactly the addresses a port has. */
function sameAddresses(current: readonly FixedIp[], requests: readonly FixedIpRequest[]): boolean {
  const key = (subnet: string | undefined, ip: string | undefined) => `${subnet ?? ''} ${ip ?? ''}`;
  const have = current.map((ip) => key(ip.subnet_id, ip.ip_address)).sort();
  const asked = requests
    .map((r) => key(r.subnetId ?? current.find((ip) => ip.ip_address === r.ipAddress)?.subnet_id, r.ipAddress))
    .sort();
  return have.length === asked.length && have.every((k, i) => k === asked[i]);
}

/** Owners whose ports only the router API may delete. */
const L3_OWNERS = new Set([
  'network:router_interface',
  'network:router_interface_distributed',
  'network:router_gateway',
  'network:floatingip',
  'network:ha_router_replicated_interface',
]);

function isRouterOwned(owner: string): boolean {
  return (
    owner === 'network:router_interface' ||
    owner === 'network:router_gateway' ||
    owner === 'network:router_interface_distributed'
  );
}

/** Port status: router ports are up at once; a compute port comes up once bound (after the configured delay). */
export function statusOf(ctx: SandboxContext, port: PortDoc & { _activeAt?: string }): string {
  // The port that holds a floating IP is never plugged anywhere; Neutron reports N/A.
  if (port.device_owner === 'network:floatingip') return 'N/A';
  if (!port.admin_state_up) return 'DOWN';
  if (isRouterOwned(port.device_owner)) return 'ACTIVE';
  if (port['binding:host_id'] !== '' && port.device_id !== '' && port._activeAt !== undefined) {
    return ctx.now().toISOString() >= port._activeAt ? 'ACTIVE' : 'DOWN';
  }
  return 'DOWN';
}

export function portView(call: NeutronCall, port: PortDoc): Doc {
  const view = publicFields(port);
  view.status = statusOf(call.ctx, port);
  if (!call.auth.isAdmin) for (const f of BINDING_ADMIN_FIELDS) delete view[f];
  return view;
}

export function portVisible(call: NeutronCall, port: PortDoc, networks: Map<string, NetworkDoc>): boolean {
  if (owns(call.auth, port.project_id)) return true;
  const net = networks.get(port.network_id);
  return net !== undefined && net.project_id === call.auth.projectId;
}

export function findPort(call: NeutronCall, id: string): PortDoc {
  const port = call.ctx.store.get<PortDoc>(KIND.port, id);
  const net = port ? call.ctx.store.get<NetworkDoc>(KIND.network, port.network_id) : undefined;
  if (!port || !portVisible(call, port, new Map(net ? [[net.id, net]] : []))) {
    throw notFound('PortNotFound', `Port ${id} could not be found.`);
  }
  return port;
}

export function showPort(call: NeutronCall, id: string): Doc {
  return { port: portView(call, findPort(call, id)) };
}

export function listPorts(call: NeutronCall, raw: RawQuery, collectionUrl: string): Doc {
  const networks = new Map(call.ctx.store.list<NetworkDoc>(KIND.network).map((n) => [n.id, n]));
  const docs = call.ctx.store
    .list<PortDoc>(KIND.port)
    .filter((p) => portVisible(call, p, networks))
    .map((p) => portView(call, p));
  const attributes = call.auth.isAdmin
    ? PORT_ATTRIBUTES.readable
    : new Set([...PORT_ATTRIBUTES.readable].filter((a) => !(BINDING_ADMIN_FIELDS as readonly string[]).includes(a)));
  const { items, links } = applyListQuery(docs, parseListQuery(raw), { attributes, collectionUrl, raw });
  return links.length > 0 ? { ports: items, ports_links: links } : { ports: items };
}

function randomMac(ctx: SandboxContext, networkId: string): string {
  const taken = new Set(
    ctx.store
      .list<PortDoc>(KIND.port)
      .filter((p) => p.network_id === networkId)
      .map((p) => p.mac_address),
  );
  for (;;) {
    const hex = ctx.newId().replace(/-/g, '');
    const mac = `fa:16:3e:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
    if (!taken.has(mac)) return mac;
  }
}

function readMac(ctx: SandboxContext, value: unknown, networkId: string, exceptPortId?: string): string {
  const mac = typeof value === 'string' ? value.toLowerCase() : '';
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac))
    throw invalidAttribute('mac_address', `'${String(value)}' is not a valid MAC address`);
  const inUse = ctx.store
    .list<PortDoc>(KIND.port)
    .some((p) => p.network_id === networkId && p.mac_address === mac && p.id !== exceptPortId);
  if (inUse)
    throw conflict(
      'MacAddressInUse',
      `Unable to complete operation for network ${networkId}. The mac address ${mac} is in use.`,
    );
  return mac;
}

function readAddressPairs(value: unknown, portMac: string): AddressPair[] {
  if (value === null) return [];
  if (!Array.isArray(value))
    throw invalidAttribute('allowed_address_pairs', `'${JSON.stringify(value)}' is not a list`);
  const pairs = value.map((item) => {
    if (!isObject(item) || typeof item.ip_address !== 'string') {
      throw neutronError(400, 'AllowedAddressPairsMissingIP', 'AllowedAddressPair must contain ip_address');
    }
    const asCidr = parseCidr(item.ip_address);
    const ok = item.ip_address.includes('/')
      ? asCidr.ok || asCidr.reason === 'host-bits-set'
      : parseIp(item.ip_address) !== undefined;
    if (!ok) throw invalidAttribute('allowed_address_pairs', `'${item.ip_address}' is not a valid IP address`);
    const mac =
      typeof item.mac_address === 'string' && item.mac_address !== '' ? item.mac_address.toLowerCase() : portMac;
    return { ip_address: item.ip_address, mac_address: mac };
  });
  const seen = new Set<string>();
  for (const p of pairs) {
    const key = `${p.ip_address}|${p.mac_address}`;
    if (seen.has(key))
      throw neutronError(
        400,
        'DuplicateAddressPairInRequest',
        `Request contains duplicate address pair: mac_address ${p.mac_address} ip_address ${p.ip_address}.`,
      );
    seen.add(key);
  }
  return pairs;
}

function readDhcpOpts(value: unknown): ExtraDhcpOpt[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw invalidAttribute('extra_dhcp_opts', `'${JSON.stringify(value)}' is not a list`);
  return value.map((item) => {
    if (!isObject(item) || typeof item.opt_name !== 'string')
      throw invalidAttribute('extra_dhcp_opts', `'${JSON.stringify(item)}' is not a valid DHCP option`);
    return {
      opt_name: item.opt_name,
      opt_value: item.opt_value === null || item.opt_value === undefined ? '' : String(item.opt_value),
      ip_version: has(item, 'ip_version') ? toInteger('ip_version', item.ip_version) : 4,
    };
  });
}

function readSecurityGroups(call: NeutronCall, value: unknown): string[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw invalidAttribute('security_groups', `'${JSON.stringify(value)}' is not a list`);
  const ids = value.map((v) => findSecurityGroup(call, String(v)).id);
  return [...new Set(ids)];
}

function sgNeedsPortSecurity(): Error {
  return neutronError(
    400,
    'PortSecurityAndIPRequiredForSecurityGroups',
    'Port security must be enabled and port must have an IP address in order to use security groups.',
  );
}

function pairsNeedPortSecurity(): Error {
  return conflict(
    'AddressPairAndPortSecurityRequired',
    'Port Security must be enabled in order to have allowed address pairs on a port.',
  );
}

function readBindingProfile(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (!isObject(value)) throw invalidAttribute('binding:profile', `'${JSON.stringify(value)}' is not a dictionary`);
  return value;
}

export interface NewPortInput {
  network: NetworkDoc;
  projectId: string;
  body: Doc;
  fixedIps: FixedIpRequest[] | undefined;
  deviceOwner: string;
  deviceId: string;
  securityGroups: string[] | undefined;
  createdForDevice?: boolean;
  hostId?: string;
}

/** Builds, validates and stores a port; shared by the port API, routers, floating IPs and Nova. */
export function insertPort(call: NeutronCall, input: NewPortInput): PortDoc & { _activeAt?: string } {
  const { network, projectId, body } = input;
  if (projectId !== '') enforceQuota(call.ctx, projectId, 'port');
  const mac = has(body, 'mac_address')
    ? readMac(call.ctx, body.mac_address, network.id)
    : randomMac(call.ctx, network.id);
  const routerOwned = input.deviceOwner.startsWith('network:');
  const portSecurity = routerOwned ? false : boolField(body, 'port_security_enabled', network.port_security_enabled);
  const fixedIps = allocateFixedIps(call.ctx, network, input.fixedIps, input.deviceOwner, undefined, mac);
  let securityGroups = input.securityGroups;
  if (securityGroups === undefined) {
    securityGroups =
      portSecurity && !routerOwned && projectId !== '' ? [ensureDefaultGroup(call.ctx, projectId).id] : [];
  } else if (securityGroups.length > 0 && (!portSecurity || fixedIps.length === 0)) {
    throw sgNeedsPortSecurity();
  }
  const pairs = has(body, 'allowed_address_pairs') ? readAddressPairs(body.allowed_address_pairs, mac) : [];
  if (pairs.length > 0 && !portSecurity) throw pairsNeedPortSecurity();
  const vnic = stringField(body, 'binding:vnic_type', 'normal');
  if (!VNIC_TYPES.includes(vnic))
    throw invalidAttribute('binding:vnic_type', `'${vnic}' is not in ${JSON.stringify(VNIC_TYPES)}`);
  const hostId = input.hostId ?? stringField(body, 'binding:host_id', '');
  const attrs = standardAttrs(call, projectId, body, 1);
  const port: PortDoc & { _activeAt?: string } = {
    ...attrs,
    name: stringField(body, 'name', ''),
    network_id: network.id,
    mac_address: mac,
    admin_state_up: boolField(body, 'admin_state_up', true),
    status: 'DOWN',
    device_id: input.deviceId,
    device_owner: input.deviceOwner,
    fixed_ips: fixedIps,
    allowed_address_pairs: pairs,
    extra_dhcp_opts: has(body, 'extra_dhcp_opts') ? readDhcpOpts(body.extra_dhcp_opts) : [],
    security_groups: securityGroups,
    port_security_enabled: portSecurity,
    'binding:vnic_type': vnic,
    'binding:profile': readBindingProfile(body['binding:profile']),
    'binding:host_id': hostId,
    'binding:vif_type': 'unbound',
    'binding:vif_details': {},
  };
  if (input.createdForDevice) port._createdForDevice = true;
  bind(call.ctx, port);
  call.ctx.store.insert(KIND.port, port, projectId === '' ? null : projectId);
  return port;
}

/** Applies the binding a host makes: an OVS VIF once a host and a device are set. */
function bind(ctx: SandboxContext, port: PortDoc & { _activeAt?: string }): void {
  const bound = port['binding:host_id'] !== '' || isRouterOwned(port.device_owner);
  if (bound) {
    port['binding:vif_type'] = 'ovs';
    port['binding:vif_details'] = {
      connectivity: 'l2',
      port_filter: true,
      ovs_hybrid_plug: false,
      datapath_type: 'system',
      bridge_name: 'br-int',
    };
    if (port._activeAt === undefined) port._activeAt = new Date(ctx.now().getTime() + ctx.statusDelayMs).toISOString();
  } else {
    port['binding:vif_type'] = 'unbound';
    port['binding:vif_details'] = {};
    delete port._activeAt;
  }
  port.status = statusOf(ctx, port);
}

export function createPort(call: NeutronCall, body: unknown): Doc {
  const input = envelope(body, 'port');
  checkAttributes(input, PORT_ATTRIBUTES, 'POST');
  if (typeof input.network_id !== 'string') {
    throw neutronError(400, 'HTTPBadRequest', "Failed to parse request. Required attribute 'network_id' not specified");
  }
  for (const f of ['binding:host_id', 'binding:profile'] as const) {
    if (has(input, f) && !call.auth.isAdmin) throw policyDenied(`rule:create_port and rule:create_port:${f}`);
  }
  const rbac: RbacPolicyDoc[] = allRbac(call);
  const network = findNetwork(call, input.network_id, rbac);
  if (!canUseNetwork(call, network, rbac)) throw notAllowedOnNetwork(call, 'port');
  // Choosing the MAC is for the network's owner (or an admin), as in Neutron's policy.
  if (has(input, 'mac_address') && !owns(call.auth, network.project_id))
    throw policyDenied('rule:create_port and rule:create_port:mac_address');
  const projectId = ownerProject(call, input);
  const deviceOwner = stringField(input, 'device_owner', '');
  if (deviceOwner.startsWith('network:') && !call.auth.isAdmin && !owns(call.auth, network.project_id)) {
    throw policyDenied('rule:create_port and rule:create_port:device_owner');
  }
  ensureDefaultGroup(call.ctx, projectId);
  const port = insertPort(call, {
    network,
    projectId,
    body: input,
    fixedIps: has(input, 'fixed_ips') && input.fixed_ips !== null ? readFixedIpRequests(input.fixed_ips) : undefined,
    deviceOwner,
    deviceId: stringField(input, 'device_id', ''),
    securityGroups: has(input, 'security_groups') ? readSecurityGroups(call, input.security_groups) : undefined,
  });
  return { port: portView(call, port) };
}

export function updatePort(call: NeutronCall, id: string, body: unknown): Doc {
  const input = envelope(body, 'port');
  checkAttributes(input, PORT_ATTRIBUTES, 'PUT');
  const port = findPort(call, id) as PortDoc & { _activeAt?: string };
  if (
    !owns(call.auth, port.project_id) &&
    !owns(call.auth, call.ctx.store.get<NetworkDoc>(KIND.network, port.network_id)?.project_id ?? '')
  ) {
    throw policyDenied('rule:update_port');
  }
  for (const f of ['binding:host_id', 'binding:profile'] as const) {
    if (has(input, f) && !call.auth.isAdmin) throw policyDenied(`rule:update_port and rule:update_port:${f}`);
  }
  const network = call.ctx.store.get<NetworkDoc>(KIND.network, port.network_id);
  if (!network) throw notFound('NetworkNotFound', `Network ${port.network_id} could not be found.`);
  port.name = stringField(input, 'name', port.name);
  port.description = stringField(input, 'description', port.description);
  port.admin_state_up = boolField(input, 'admin_state_up', port.admin_state_up);
  port.device_id = stringField(input, 'device_id', port.device_id);
  port.device_owner = stringField(input, 'device_owner', port.device_owner);
  if (has(input, 'mac_address')) {
    if (port['binding:host_id'] !== '')
      throw conflict(
        'PortBound',
        `Unable to complete operation on port ${port.id}, port is already bound, port type: ${port['binding:vif_type']}, old_mac ${port.mac_address}, new_mac ${String(input.mac_address)}.`,
      );
    port.mac_address = readMac(call.ctx, input.mac_address, port.network_id, port.id);
  }
  if (has(input, 'fixed_ips')) {
    const requests = input.fixed_ips === null ? [] : readFixedIpRequests(input.fixed_ips);
    // A request naming only a subnet keeps the address the port already has there.
    const kept = new Set<string>();
    const resolved: FixedIpRequest[] = requests.map((req) => {
      if (req.ipAddress !== undefined || req.subnetId === undefined) return req;
      const existing = port.fixed_ips.find((ip) => ip.subnet_id === req.subnetId && !kept.has(ip.ip_address));
      if (!existing) return req;
      kept.add(existing.ip_address);
      return { subnetId: req.subnetId, ipAddress: existing.ip_address };
    });
    // Neutron's l3-port-ip-change-not-allowed: a router's port keeps its addresses; an update that names the same
    // ones (e.g. only their subnets, as Tempest's test_router_interface_port_update_with_fixed_ip does) is fine.
    if (L3_OWNERS.has(port.device_owner) && !sameAddresses(port.fixed_ips, resolved)) {
      throw neutronError(
        400,
        'BadRequest',
        `Bad port request: the fixed IPs of port ${port.id} (owner ${port.device_owner}) are managed by the router API.`,
      );
    }
    port.fixed_ips = allocateFixedIps(call.ctx, network, resolved, port.device_owner, port.id);
  }
  if (has(input, 'port_security_enabled'))
    port.port_security_enabled = boolField(input, 'port_security_enabled', port.port_security_enabled);
  if (has(input, 'security_groups')) {
    port.security_groups = readSecurityGroups(call, input.security_groups);
  }
  if (has(input, 'allowed_address_pairs'))
    port.allowed_address_pairs = readAddressPairs(input.allowed_address_pairs, port.mac_address);
  if (!port.port_security_enabled) {
    if (port.security_groups.length > 0) {
      if (has(input, 'security_groups')) throw sgNeedsPortSecurity();
      throw conflict(
        'PortSecurityPortHasSecurityGroup',
        'Port has security group associated. Cannot disable port security or IP address until security group is removed.',
      );
    }
    if (port.allowed_address_pairs.length > 0) throw pairsNeedPortSecurity();
  }
  if (has(input, 'extra_dhcp_opts')) port.extra_dhcp_opts = readDhcpOpts(input.extra_dhcp_opts);
  if (has(input, 'binding:vnic_type')) port['binding:vnic_type'] = stringField(input, 'binding:vnic_type', 'normal');
  if (has(input, 'binding:profile')) port['binding:profile'] = readBindingProfile(input['binding:profile']);
  if (has(input, 'binding:host_id')) port['binding:host_id'] = stringField(input, 'binding:host_id', '');
  bind(call.ctx, port);
  touch(call.ctx, port);
  call.ctx.store.update(KIND.port, port);
  return { port: portView(call, port) };
}

/** Drops a port and the floating-IP associations that pointed at it. */
export function removePort(ctx: SandboxContext, port: PortDoc): void {
  for (const fip of ctx.store.list<FloatingIpDoc>(KIND.floatingip)) {
    if (fip.port_id !== port.id) continue;
    fip.port_id = null;
    fip.fixed_ip_address = null;
    fip.router_id = null;
    fip.status = 'DOWN';
    fip.revision_number += 1;
    fip.updated_at = timestamp(ctx);
    ctx.store.update(KIND.floatingip, fip);
  }
  ctx.store.delete(KIND.port, port.id);
}

export function deletePort(call: NeutronCall, id: string): void {
  const port = findPort(call, id);
  if (
    !owns(call.auth, port.project_id) &&
    !owns(call.auth, call.ctx.store.get<NetworkDoc>(KIND.network, port.network_id)?.project_id ?? '')
  ) {
    throw policyDenied('rule:delete_port');
  }
  if (L3_OWNERS.has(port.device_owner)) {
    throw conflict(
      'L3PortInUse',
      `Port ${port.id} has owner ${port.device_owner} and therefore cannot be deleted directly via the port API.`,
    );
  }
  removePort(call.ctx, port);
}

/** Marks a port as bound to `hostId` (or unbound with ''), e.g. when Nova plugs it. */
export function setBinding(
  ctx: SandboxContext,
  port: PortDoc & { _activeAt?: string },
  deviceId: string,
  deviceOwner: string,
  hostId: string,
): void {
  port.device_id = deviceId;
  port.device_owner = deviceOwner;
  port['binding:host_id'] = hostId;
  if (hostId === '') delete port._activeAt;
  bind(ctx, port);
  port.revision_number += 1;
  port.updated_at = timestamp(ctx);
  ctx.store.update(KIND.port, port);
}
