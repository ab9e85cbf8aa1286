/**
 * Networks. `shared` is not stored: as in Neutron it is derived from the RBAC
 * policies (`access_as_shared` to `*` or to the caller's project), and
 * `router:external` keeps an `access_as_external` policy to `*` in step.
 * Provider attributes are visible to admins only.
 */
import { neutronError } from '../../core/errors.js';
import {
  KIND,
  type NetworkDoc,
  type PortDoc,
  type RbacPolicyDoc,
  type SubnetDoc,
  type SubnetPoolDoc,
} from './model.js';
import { networkScopesView } from './address-scopes.js';
import { applyListQuery, parseListQuery, type Doc, type RawQuery } from './list-query.js';
import { enforceQuota } from './quotas.js';
import { ownerProject, owns, type NeutronCall } from './call.js';
import { nextCounter, publicFields, standardAttrs, touch } from './standard-attributes.js';
import { conflict, notFound, policyDenied } from './neutron-errors.js';
import {
  boolField,
  checkAttributes,
  envelope,
  has,
  invalidInput,
  isObject,
  stringField,
  stringListField,
  toInteger,
  type AttributeRules,
} from './request-body.js';

const PROVIDER_FIELDS = ['provider:network_type', 'provider:physical_network', 'provider:segmentation_id'] as const;

export const NETWORK_ATTRIBUTES: AttributeRules = {
  readable: new Set([
    'id',
    'name',
    'tenant_id',
    'project_id',
    'admin_state_up',
    'mtu',
    'status',
    'subnets',
    'shared',
    'availability_zone_hints',
    'availability_zones',
    'ipv4_address_scope',
    'ipv6_address_scope',
    'router:external',
    'description',
    'port_security_enabled',
    'is_default',
    'tags',
    'created_at',
    'updated_at',
    'revision_number',
    ...PROVIDER_FIELDS,
    'segments',
  ]),
  post: new Set([
    'name',
    'tenant_id',
    'project_id',
    'admin_state_up',
    'mtu',
    'shared',
    'availability_zone_hints',
    'router:external',
    'description',
    'port_security_enabled',
    'is_default',
    ...PROVIDER_FIELDS,
    'segments',
  ]),
  put: new Set([
    'name',
    'admin_state_up',
    'mtu',
    'shared',
    'router:external',
    'description',
    'port_security_enabled',
    'is_default',
  ]),
};

/** Largest MTU per network type on the sandbox's virtual fabric (VXLAN pays 50 bytes of encapsulation). */
const MAX_MTU: Record<string, number> = { vxlan: 1450, geneve: 1442, gre: 1458, flat: 1500, vlan: 1500, local: 1500 };

export function allRbac(call: NeutronCall): RbacPolicyDoc[] {
  return call.ctx.store.list<RbacPolicyDoc>(KIND.rbac);
}

function grants(rbac: RbacPolicyDoc[], networkId: string, action: RbacPolicyDoc['action'], projectId: string): boolean {
  return rbac.some(
    (p) =>
      p.object_type === 'network' &&
      p.object_id === networkId &&
      p.action === action &&
      (p.target_tenant === '*' || p.target_tenant === projectId),
  );
}

export function isSharedWith(rbac: RbacPolicyDoc[], networkId: string, projectId: string): boolean {
  return grants(rbac, networkId, 'access_as_shared', projectId);
}

export function canSeeNetwork(call: NeutronCall, net: NetworkDoc, rbac: RbacPolicyDoc[]): boolean {
  if (owns(call.auth, net.project_id)) return true;
  return (
    isSharedWith(rbac, net.id, call.auth.projectId) || grants(rbac, net.id, 'access_as_external', call.auth.projectId)
  );
}

/** Whether the caller may attach ports/subnets to the network (own it, admin, or shared with them). */
export function canUseNetwork(call: NeutronCall, net: NetworkDoc, rbac: RbacPolicyDoc[]): boolean {
  return owns(call.auth, net.project_id) || isSharedWith(rbac, net.id, call.auth.projectId);
}

/** Neutron's answer when a visible network belongs to someone else (e.g. `public`): 403, not 404. */
export function notAllowedOnNetwork(call: NeutronCall, resource: 'port' | 'subnet'): Error {
  return neutronError(
    403,
    'HTTPForbidden',
    `Tenant ${call.auth.projectId} not allowed to create ${resource} on this network`,
  );
}

export function findNetwork(call: NeutronCall, id: string, rbac = allRbac(call)): NetworkDoc {
  const net = call.ctx.store.get<NetworkDoc>(KIND.network, id);
  if (!net || !canSeeNetwork(call, net, rbac)) throw notFound('NetworkNotFound', `Network ${id} could not be found.`);
  return net;
}

/** What a network answer is computed from besides the network itself. */
export interface NetworkRelations {
  rbac: RbacPolicyDoc[];
  subnetsByNetwork: Map<string, SubnetDoc[]>;
  pools: Map<string, SubnetPoolDoc>;
}

export function networkRelations(call: NeutronCall, rbac = allRbac(call)): NetworkRelations {
  const subnetsByNetwork = new Map<string, SubnetDoc[]>();
  for (const s of call.ctx.store.list<SubnetDoc>(KIND.subnet)) {
    const list = subnetsByNetwork.get(s.network_id) ?? [];
    list.push(s);
    subnetsByNetwork.set(s.network_id, list);
  }
  const pools = new Map(call.ctx.store.list<SubnetPoolDoc>(KIND.subnetpool).map((p) => [p.id, p]));
  return { rbac, subnetsByNetwork, pools };
}

export function networkView(call: NeutronCall, net: NetworkDoc, related: NetworkRelations): Doc {
  const view = publicFields(net);
  const subnets = related.subnetsByNetwork.get(net.id) ?? [];
  view.subnets = subnets.map((s) => s.id);
  view.shared = isSharedWith(related.rbac, net.id, call.auth.projectId);
  networkScopesView(net, view, subnets, related.pools);
  if (!net['router:external']) delete view.is_default;
  if (!call.auth.isAdmin) for (const f of PROVIDER_FIELDS) delete view[f];
  return view;
}

export function showNetwork(call: NeutronCall, id: string): Doc {
  const rbac = allRbac(call);
  const net = findNetwork(call, id, rbac);
  return { network: networkView(call, net, networkRelations(call, rbac)) };
}

export function listNetworks(call: NeutronCall, raw: RawQuery, collectionUrl: string): Doc {
  const related = networkRelations(call);
  const docs = call.ctx.store
    .list<NetworkDoc>(KIND.network)
    .filter((n) => canSeeNetwork(call, n, related.rbac))
    .map((n) => networkView(call, n, related));
  const { items, links } = applyListQuery(docs, parseListQuery(raw), {
    attributes: NETWORK_ATTRIBUTES.readable,
    collectionUrl,
    raw,
  });
  return links.length > 0 ? { networks: items, networks_links: links } : { networks: items };
}

interface Segment {
  networkType: string;
  physicalNetwork: string | null;
  segmentationId: number | null;
}

function readSegment(call: NeutronCall, body: Doc): Segment {
  let source: Doc = body;
  if (has(body, 'segments')) {
    const segments = body.segments;
    if (!Array.isArray(segments) || segments.length !== 1 || !isObject(segments[0])) {
      throw invalidInput('the sandbox supports exactly one segment per network.');
    }
    if (PROVIDER_FIELDS.some((f) => has(body, f))) {
      throw invalidInput('Segments and provider values cannot both be set.');
    }
    source = segments[0];
  }
  const networkType = stringField(source, 'provider:network_type', 'vxlan');
  const physical = has(source, 'provider:physical_network') ? source['provider:physical_network'] : null;
  const physicalNetwork = typeof physical === 'string' && physical !== '' ? physical : null;
  const rawId = has(source, 'provider:segmentation_id') ? source['provider:segmentation_id'] : null;
  let segmentationId =
    rawId === null || rawId === undefined || rawId === '' ? null : toInteger('provider:segmentation_id', rawId);
  if (segmentationId === 0) segmentationId = null;
  const networks = call.ctx.store.list<NetworkDoc>(KIND.network);
  switch (networkType) {
    case 'flat':
      if (!physicalNetwork) throw invalidInput('physical_network required for flat provider network.');
      if (segmentationId !== null) throw invalidInput('segmentation_id specified for flat provider network.');
      if (
        networks.some(
          (n) => n['provider:network_type'] === 'flat' && n['provider:physical_network'] === physicalNetwork,
        )
      ) {
        throw conflict(
          'FlatNetworkInUse',
          `Unable to create the flat network. Physical network ${physicalNetwork} is in use.`,
        );
      }
      return { networkType, physicalNetwork, segmentationId: null };
    case 'vlan': {
      if (!physicalNetwork) throw invalidInput('physical_network required for VLAN provider network.');
      if (segmentationId !== null && (segmentationId < 1 || segmentationId > 4094)) {
        throw invalidInput(`segmentation_id out of range (1 through 4094).`);
      }
      const used = new Set(
        networks
          .filter((n) => n['provider:network_type'] === 'vlan' && n['provider:physical_network'] === physicalNetwork)
          .map((n) => n['provider:segmentation_id']),
      );
      if (segmentationId !== null && used.has(segmentationId)) {
        throw conflict(
          'VlanIdInUse',
          `Unable to create the network. The VLAN ${segmentationId} on physical network ${physicalNetwork} is in use.`,
        );
      }
      let id = segmentationId ?? 1;
      while (segmentationId === null && used.has(id)) id++;
      return { networkType, physicalNetwork, segmentationId: id };
    }
    case 'vxlan':
    case 'geneve':
    case 'gre': {
      if (physicalNetwork) throw invalidInput(`provider:physical_network specified for ${networkType} network.`);
      const used = new Set(
        networks.filter((n) => n['provider:network_type'] === networkType).map((n) => n['provider:segmentation_id']),
      );
      if (segmentationId !== null && used.has(segmentationId)) {
        throw conflict('TunnelIdInUse', `Unable to create the network. The tunnel ID ${segmentationId} is in use.`);
      }
      let id = segmentationId;
      while (id === null || used.has(id)) id = nextCounter(call.ctx, `segment.${networkType}`);
      return { networkType, physicalNetwork: null, segmentationId: id };
    }
    case 'local':
      return { networkType, physicalNetwork: null, segmentationId: null };
    default:
      throw invalidInput(`Network type value '${networkType}' not supported.`);
  }
}

function readMtu(body: Doc, networkType: string, fallback: number): number {
  if (!has(body, 'mtu')) return fallback;
  const mtu = toInteger('mtu', body.mtu);
  const max = MAX_MTU[networkType] ?? 1500;
  if (mtu > max) throw invalidInput(`Requested MTU is too big, maximum is ${max}.`);
  if (mtu < 68) throw invalidInput(`Requested MTU is too small, minimum is 68.`);
  return mtu;
}

function setRbacFlag(call: NeutronCall, net: NetworkDoc, action: RbacPolicyDoc['action'], enabled: boolean): void {
  const existing = call.ctx.store
    .list<RbacPolicyDoc>(KIND.rbac)
    .filter(
      (p) => p.object_type === 'network' && p.object_id === net.id && p.action === action && p.target_tenant === '*',
    );
  if (enabled && existing.length === 0) {
    call.ctx.store.insert<RbacPolicyDoc>(
      KIND.rbac,
      {
        id: call.ctx.newId(),
        tenant_id: net.project_id,
        project_id: net.project_id,
        object_type: 'network',
        object_id: net.id,
        action,
        target_tenant: '*',
      },
      net.project_id,
    );
  }
  if (!enabled) {
    if (action === 'access_as_shared') assertNoForeignPorts(call, net, '*');
    for (const p of existing) call.ctx.store.delete(KIND.rbac, p.id);
  }
}

/**
 * Neutron refuses to withdraw access while another project still has ports on
 * the network (RbacPolicyInUse / InvalidSharedSetting).
 */
export function assertNoForeignPorts(call: NeutronCall, net: NetworkDoc, target: string): void {
  const foreign = call.ctx.store
    .list<PortDoc>(KIND.port)
    .filter(
      (p) =>
        p.network_id === net.id &&
        p.project_id !== '' &&
        p.project_id !== net.project_id &&
        (target === '*' || p.project_id === target),
    );
  if (foreign.length > 0) {
    throw conflict(
      'InvalidSharedSetting',
      `Unable to reconfigure sharing settings for network ${net.id}. Multiple tenants are using it.`,
    );
  }
}

export function createNetwork(call: NeutronCall, body: unknown): Doc {
  const input = envelope(body, 'network');
  checkAttributes(input, NETWORK_ATTRIBUTES, 'POST');
  const admin = call.auth.isAdmin;
  for (const f of [...PROVIDER_FIELDS, 'segments', 'router:external', 'is_default'] as const) {
    if (has(input, f) && !admin) throw policyDenied(`rule:create_network and rule:create_network:${f}`);
  }
  const shared = boolField(input, 'shared', false);
  if (shared && !admin) throw policyDenied('rule:create_network and rule:create_network:shared');
  const projectId = ownerProject(call, input);
  enforceQuota(call.ctx, projectId, 'network');
  const segment = readSegment(call, input);
  const external = boolField(input, 'router:external', false);
  const net: NetworkDoc = {
    ...standardAttrs(call, projectId, input, 1),
    name: stringField(input, 'name', ''),
    admin_state_up: boolField(input, 'admin_state_up', true),
    mtu: readMtu(input, segment.networkType, MAX_MTU[segment.networkType] ?? 1500),
    status: 'ACTIVE',
    shared: false,
    availability_zone_hints: stringListField(input, 'availability_zone_hints', []),
    availability_zones: [],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    'router:external': external,
    port_security_enabled: boolField(input, 'port_security_enabled', true),
    is_default: boolField(input, 'is_default', false),
    'provider:network_type': segment.networkType,
    'provider:physical_network': segment.physicalNetwork,
    'provider:segmentation_id': segment.segmentationId,
  };
  call.ctx.store.insert(KIND.network, net, projectId);
  if (shared) setRbacFlag(call, net, 'access_as_shared', true);
  if (external) setRbacFlag(call, net, 'access_as_external', true);
  const view = networkView(call, net, networkRelations(call));
  // The create answer carries is_default even for internal networks (later reads only show it on external ones).
  view.is_default = net.is_default ?? false;
  return { network: view };
}

export function updateNetwork(call: NeutronCall, id: string, body: unknown): Doc {
  const input = envelope(body, 'network');
  checkAttributes(input, NETWORK_ATTRIBUTES, 'PUT');
  const net = findNetwork(call, id);
  if (!owns(call.auth, net.project_id)) throw policyDenied('rule:update_network');
  for (const f of ['router:external', 'is_default', 'shared'] as const) {
    if (has(input, f) && !call.auth.isAdmin && f !== 'shared')
      throw policyDenied(`rule:update_network and rule:update_network:${f}`);
  }
  if (has(input, 'shared') && !call.auth.isAdmin && boolField(input, 'shared', false)) {
    throw policyDenied('rule:update_network and rule:update_network:shared');
  }
  net.name = stringField(input, 'name', net.name);
  net.description = stringField(input, 'description', net.description);
  net.admin_state_up = boolField(input, 'admin_state_up', net.admin_state_up);
  net.port_security_enabled = boolField(input, 'port_security_enabled', net.port_security_enabled);
  net.mtu = readMtu(input, net['provider:network_type'], net.mtu);
  if (has(input, 'is_default')) net.is_default = boolField(input, 'is_default', false);
  if (has(input, 'shared')) setRbacFlag(call, net, 'access_as_shared', boolField(input, 'shared', false));
  if (has(input, 'router:external')) {
    const external = boolField(input, 'router:external', false);
    if (!external && net['router:external']) {
      const inUse = call.ctx.store
        .list<PortDoc>(KIND.port)
        .some(
          (p) =>
            p.network_id === net.id &&
            (p.device_owner === 'network:router_gateway' || p.device_owner === 'network:floatingip'),
        );
      if (inUse)
        throw conflict(
          'ExternalNetworkInUse',
          `External network ${net.id} cannot be updated to be made non-external, since it has existing gateway ports.`,
        );
    }
    net['router:external'] = external;
    setRbacFlag(call, net, 'access_as_external', external);
  }
  touch(call.ctx, net);
  call.ctx.store.update(KIND.network, net);
  return { network: networkView(call, net, networkRelations(call)) };
}

/** Ports Neutron deletes with their network instead of refusing (only DHCP ports). */
const AUTO_DELETE_OWNERS = new Set(['network:dhcp']);

export function deleteNetwork(call: NeutronCall, id: string): void {
  const net = findNetwork(call, id);
  if (!owns(call.auth, net.project_id)) throw policyDenied('rule:delete_network');
  const ports = call.ctx.store.list<PortDoc>(KIND.port).filter((p) => p.network_id === id);
  const blocking = ports.filter((p) => !AUTO_DELETE_OWNERS.has(p.device_owner));
  if (blocking.length > 0) {
    throw conflict(
      'NetworkInUse',
      `Unable to complete operation on network ${id}. There are one or more ports still in use on the network, id for these ports is: ${blocking.map((p) => p.id).join(', ')}.`,
    );
  }
  for (const p of ports) call.ctx.store.delete(KIND.port, p.id);
  for (const s of call.ctx.store.list<SubnetDoc>(KIND.subnet))
    if (s.network_id === id) call.ctx.store.delete(KIND.subnet, s.id);
  for (const p of call.ctx.store.list<RbacPolicyDoc>(KIND.rbac)) {
    if (p.object_type === 'network' && p.object_id === id) call.ctx.store.delete(KIND.rbac, p.id);
  }
  call.ctx.store.delete(KIND.network, id);
}

/** A network changes revision when its subnets change, as in Neutron. */
export function bumpNetwork(call: NeutronCall, networkId: string): void {
  const net = call.ctx.store.get<NetworkDoc>(KIND.network, networkId);
  if (!net) return;
  touch(call.ctx, net);
  call.ctx.store.update(KIND.network, net);
}
