/**
 * Routers: the external gateway takes a port (device_owner
 * network:router_gateway) with an address from the external network; add /
 * remove_router_interface create and delete network:router_interface ports;
 * a router with interfaces cannot be deleted (409 RouterInUse).
 */
import { cidrContains, cidrsOverlap, parseCidr, parseIp } from './ip-address.js';
import { readFixedIpRequests, subnetCidr, type FixedIpRequest } from './ipam.js';
import { applyListQuery, parseListQuery, type Doc, type RawQuery } from './list-query.js';
import {
  KIND,
  type ExternalGatewayInfo,
  type FloatingIpDoc,
  type NetworkDoc,
  type PortDoc,
  type RouterDoc,
  type RouterRoute,
  type SubnetDoc,
} from './model.js';
import { findNetwork } from './networks.js';
import { findPort, insertPort, setBinding } from './ports.js';
import { enforceQuota } from './quotas.js';
import { ownerProject, owns, type NeutronCall } from './call.js';
import { publicFields, standardAttrs, touch } from './standard-attributes.js';
import { badResourceRequest, conflict, notFound, policyDenied } from './neutron-errors.js';
import {
  boolField,
  checkAttributes,
  envelope,
  has,
  invalidAttribute,
  isObject,
  stringField,
  stringListField,
  type AttributeRules,
} from './request-body.js';
import { findSubnet } from './subnets.js';
import { neutronError } from '../../core/errors.js';

export const ROUTER_ATTRIBUTES: AttributeRules = {
  readable: new Set([
    'id',
    'name',
    'tenant_id',
    'project_id',
    'admin_state_up',
    'status',
    'external_gateway_info',
    'description',
    'availability_zones',
    'distributed',
    'ha',
    'availability_zone_hints',
    'routes',
    'flavor_id',
    'tags',
    'created_at',
    'updated_at',
    'revision_number',
  ]),
  post: new Set([
    'name',
    'tenant_id',
    'project_id',
    'admin_state_up',
    'external_gateway_info',
    'description',
    'distributed',
    'ha',
    'availability_zone_hints',
    'flavor_id',
  ]),
  put: new Set(['name', 'admin_state_up', 'external_gateway_info', 'description', 'distributed', 'ha', 'routes']),
};

const INTERFACE_OWNERS = new Set([
  'network:router_interface',
  'network:router_interface_distributed',
  'network:ha_router_replicated_interface',
]);

export function findRouter(call: NeutronCall, id: string): RouterDoc {
  const router = call.ctx.store.get<RouterDoc>(KIND.router, id);
  if (!router || !owns(call.auth, router.project_id))
    throw notFound('RouterNotFound', `Router ${id} could not be found.`);
  return router;
}

function routerView(router: RouterDoc): Doc {
  return publicFields(router);
}

export function showRouter(call: NeutronCall, id: string): Doc {
  return { router: routerView(findRouter(call, id)) };
}

export function listRouters(call: NeutronCall, raw: RawQuery, collectionUrl: string): Doc {
  const docs = call.ctx.store
    .list<RouterDoc>(KIND.router)
    .filter((r) => owns(call.auth, r.project_id))
    .map(routerView);
  const { items, links } = applyListQuery(docs, parseListQuery(raw), {
    attributes: ROUTER_ATTRIBUTES.readable,
    collectionUrl,
    raw,
  });
  return links.length > 0 ? { routers: items, routers_links: links } : { routers: items };
}

export function interfacePorts(call: NeutronCall, routerId: string): PortDoc[] {
  return call.ctx.store
    .list<PortDoc>(KIND.port)
    .filter((p) => p.device_id === routerId && INTERFACE_OWNERS.has(p.device_owner));
}

function gatewayPort(call: NeutronCall, routerId: string): PortDoc | undefined {
  return call.ctx.store
    .list<PortDoc>(KIND.port)
    .find((p) => p.device_id === routerId && p.device_owner === 'network:router_gateway');
}

function readGatewayInfo(call: NeutronCall, router: RouterDoc, value: unknown): ExternalGatewayInfo | null {
  if (value === null || (isObject(value) && Object.keys(value).length === 0)) return null;
  if (!isObject(value))
    throw invalidAttribute('external_gateway_info', `'${JSON.stringify(value)}' is not a dictionary`);
  const extra = Object.keys(value).filter(
    (k) => !['network_id', 'enable_snat', 'external_fixed_ips', 'qos_policy_id'].includes(k),
  );
  if (extra.length > 0) throw invalidAttribute('external_gateway_info', `Unrecognized key(s) '${extra.join(', ')}'`);
  if (typeof value.network_id !== 'string')
    throw invalidAttribute(
      'external_gateway_info',
      `Validation of dictionary's keys failed. Expected keys: {'network_id'}`,
    );
  const net = findNetwork(call, value.network_id);
  if (!net['router:external']) throw badResourceRequest('router', `Network ${net.id} is not an external network`);
  const requests: FixedIpRequest[] | undefined =
    has(value, 'external_fixed_ips') && value.external_fixed_ips !== null
      ? readFixedIpRequests(value.external_fixed_ips)
      : undefined;
  if (requests !== undefined && requests.some((r) => r.ipAddress !== undefined) && !call.auth.isAdmin) {
    throw policyDenied('rule:update_router and rule:update_router:external_gateway_info:external_fixed_ips');
  }
  const existing = router.external_gateway_info;
  const enableSnat = boolField(value, 'enable_snat', existing?.enable_snat ?? true);
  const current = gatewayPort(call, router.id);
  const sameNetwork = existing !== null && existing.network_id === net.id && current !== undefined;
  const fixedIpsUnchanged =
    requests === undefined ||
    (current !== undefined &&
      requests.every((r) =>
        current.fixed_ips.some(
          (ip) =>
            (r.subnetId === undefined || ip.subnet_id === r.subnetId) &&
            (r.ipAddress === undefined || ip.ip_address === r.ipAddress),
        ),
      ));
  if (sameNetwork && fixedIpsUnchanged && current) {
    return { network_id: net.id, external_fixed_ips: current.fixed_ips, enable_snat: enableSnat };
  }
  if (current) removeGateway(call, router, net.id === existing?.network_id);
  const port = insertPort(call, {
    network: net,
    projectId: '',
    body: {},
    fixedIps: requests,
    deviceOwner: 'network:router_gateway',
    deviceId: router.id,
    securityGroups: [],
  });
  return { network_id: net.id, external_fixed_ips: port.fixed_ips, enable_snat: enableSnat };
}

function removeGateway(call: NeutronCall, router: RouterDoc, keepingNetwork: boolean): void {
  const info = router.external_gateway_info;
  if (!info) return;
  if (!keepingNetwork) {
    const inUse = call.ctx.store
      .list<FloatingIpDoc>(KIND.floatingip)
      .some((f) => f.router_id === router.id && f.floating_network_id === info.network_id);
    if (inUse) {
      throw conflict(
        'RouterExternalGatewayInUseByFloatingIp',
        `Gateway cannot be updated for router ${router.id}, since a gateway to external network ${info.network_id} is required by one or more floating IPs.`,
      );
    }
  }
  const port = gatewayPort(call, router.id);
  if (port) call.ctx.store.delete(KIND.port, port.id);
}

function readRoutes(call: NeutronCall, router: RouterDoc, value: unknown): RouterRoute[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw invalidAttribute('routes', `'${JSON.stringify(value)}' is not a list`);
  const connected = interfacePorts(call, router.id)
    .flatMap((p) => p.fixed_ips.map((ip) => call.ctx.store.get<SubnetDoc>(KIND.subnet, ip.subnet_id)))
    .filter((s): s is SubnetDoc => s !== undefined);
  return value.map((item) => {
    if (!isObject(item) || typeof item.destination !== 'string' || typeof item.nexthop !== 'string') {
      throw invalidAttribute('routes', `'${JSON.stringify(item)}' is not a valid route`);
    }
    const dest = parseCidr(item.destination);
    const hop = parseIp(item.nexthop);
    if (!dest.ok || !hop)
      throw neutronError(
        400,
        'InvalidRoutes',
        `Invalid format for routes: ${JSON.stringify(value)}, ${JSON.stringify(item)} is not a valid route`,
      );
    if (!connected.some((s) => cidrContains(subnetCidr(s), hop))) {
      throw neutronError(
        400,
        'InvalidRoutes',
        `Invalid format for routes: ${JSON.stringify(value)}, the nexthop is not connected with router`,
      );
    }
    return { destination: item.destination, nexthop: item.nexthop };
  });
}

export function createRouter(call: NeutronCall, body: unknown): Doc {
  const input = envelope(body, 'router');
  checkAttributes(input, ROUTER_ATTRIBUTES, 'POST');
  for (const f of ['distributed', 'ha'] as const)
    if (has(input, f) && !call.auth.isAdmin) throw policyDenied(`rule:create_router and rule:create_router:${f}`);
  const projectId = ownerProject(call, input);
  enforceQuota(call.ctx, projectId, 'router');
  const router: RouterDoc = {
    ...standardAttrs(call, projectId, input, 1),
    name: stringField(input, 'name', ''),
    admin_state_up: boolField(input, 'admin_state_up', true),
    status: 'ACTIVE',
    external_gateway_info: null,
    availability_zones: [],
    distributed: boolField(input, 'distributed', false),
    ha: boolField(input, 'ha', false),
    availability_zone_hints: stringListField(input, 'availability_zone_hints', []),
    routes: [],
    flavor_id: null,
  };
  if (has(input, 'external_gateway_info')) {
    router.external_gateway_info = readGatewayInfo(call, router, input.external_gateway_info);
    if (router.external_gateway_info) router.revision_number += 2;
  }
  call.ctx.store.insert(KIND.router, router, projectId);
  return { router: routerView(router) };
}

export function updateRouter(call: NeutronCall, id: string, body: unknown): Doc {
  const input = envelope(body, 'router');
  checkAttributes(input, ROUTER_ATTRIBUTES, 'PUT');
  const router = findRouter(call, id);
  for (const f of ['distributed', 'ha'] as const)
    if (has(input, f) && !call.auth.isAdmin) throw policyDenied(`rule:update_router and rule:update_router:${f}`);
  router.name = stringField(input, 'name', router.name);
  router.description = stringField(input, 'description', router.description);
  router.admin_state_up = boolField(input, 'admin_state_up', router.admin_state_up);
  router.distributed = boolField(input, 'distributed', router.distributed);
  router.ha = boolField(input, 'ha', router.ha);
  if (has(input, 'routes')) router.routes = readRoutes(call, router, input.routes);
  if (has(input, 'external_gateway_info')) {
    const info = readGatewayInfo(call, router, input.external_gateway_info);
    if (info === null) removeGateway(call, router, false);
    router.external_gateway_info = info;
  }
  touch(call.ctx, router);
  call.ctx.store.update(KIND.router, router);
  return { router: routerView(router) };
}

/**
 * PUT add_extraroutes / remove_extraroutes (extraroute-atomic): edit the route
 * set without replacing it; adding a present route or removing an absent one is a no-op.
 */
export function editExtraRoutes(call: NeutronCall, id: string, body: unknown, mode: 'add' | 'remove'): Doc {
  const router = findRouter(call, id);
  const input = envelope(body, 'router');
  const extra = Object.keys(input).filter((k) => k !== 'routes');
  if (extra.length > 0) throw invalidAttribute('router', `Unrecognized attribute(s) '${extra.join(', ')}'`);
  const same = (a: RouterRoute, b: RouterRoute) => a.destination === b.destination && a.nexthop === b.nexthop;
  if (mode === 'add') {
    const added = readRoutes(call, router, input.routes ?? []);
    for (const r of added) if (!router.routes.some((x) => same(x, r))) router.routes.push(r);
  } else {
    if (!Array.isArray(input.routes))
      throw invalidAttribute('routes', `'${JSON.stringify(input.routes)}' is not a list`);
    const removed = (input.routes as unknown[])
      .filter(isObject)
      .map((r) => ({ destination: String(r.destination), nexthop: String(r.nexthop) }));
    router.routes = router.routes.filter((x) => !removed.some((r) => same(x, r)));
  }
  touch(call.ctx, router);
  call.ctx.store.update(KIND.router, router);
  return { router: routerView(router) };
}

export function deleteRouter(call: NeutronCall, id: string): void {
  const router = findRouter(call, id);
  if (interfacePorts(call, id).length > 0) throw conflict('RouterInUse', `Router ${id} still has ports`);
  removeGateway(call, router, false);
  call.ctx.store.delete(KIND.router, id);
}

interface InterfaceInfo {
  id: string;
  tenant_id: string;
  port_id: string;
  network_id: string;
  subnet_id: string;
  subnet_ids: string[];
}

function interfaceInfo(router: RouterDoc, port: PortDoc): InterfaceInfo {
  const subnetIds = port.fixed_ips.map((ip) => ip.subnet_id);
  return {
    id: router.id,
    tenant_id: router.project_id,
    port_id: port.id,
    network_id: port.network_id,
    subnet_id: subnetIds[0] ?? '',
    subnet_ids: subnetIds,
  };
}

function assertNoOverlap(call: NeutronCall, router: RouterDoc, subnets: SubnetDoc[]): void {
  const attached = interfacePorts(call, router.id).flatMap((p) => p.fixed_ips.map((ip) => ip.subnet_id));
  for (const s of subnets) {
    for (const otherId of attached) {
      const other = call.ctx.store.get<SubnetDoc>(KIND.subnet, otherId);
      if (!other) continue;
      if (other.id === s.id) throw badResourceRequest('router', `Router already has a port on subnet ${s.id}`);
      if (cidrsOverlap(subnetCidr(other), subnetCidr(s))) {
        throw badResourceRequest(
          'router',
          `Cidr ${s.cidr} of subnet ${s.id} overlaps with cidr ${other.cidr} of subnet ${other.id}`,
        );
      }
    }
  }
}

export function addRouterInterface(call: NeutronCall, id: string, body: unknown): InterfaceInfo {
  const router = findRouter(call, id);
  if (!isObject(body)) throw badResourceRequest('router', 'Either subnet_id or port_id must be specified');
  const subnetId = typeof body.subnet_id === 'string' ? body.subnet_id : undefined;
  const portId = typeof body.port_id === 'string' ? body.port_id : undefined;
  if (subnetId && portId) throw badResourceRequest('router', 'Cannot specify both subnet-id and port-id');
  if (!subnetId && !portId) throw badResourceRequest('router', 'Either subnet_id or port_id must be specified');
  let port: PortDoc;
  if (portId) {
    port = findPort(call, portId);
    if (port.device_id !== '' || port.device_owner !== '') {
      throw conflict(
        'PortInUse',
        `Unable to complete operation on port ${port.id} for network ${port.network_id}. Port already has an attached device ${port.device_id}.`,
      );
    }
    if (port.fixed_ips.length === 0) throw badResourceRequest('router', `Router port must have at least one fixed IP`);
    const subnets = port.fixed_ips
      .map((ip) => call.ctx.store.get<SubnetDoc>(KIND.subnet, ip.subnet_id))
      .filter((s): s is SubnetDoc => s !== undefined);
    assertNoOverlap(call, router, subnets);
    port.security_groups = [];
    port.port_security_enabled = false;
    setBinding(call.ctx, port, router.id, 'network:router_interface', '');
  } else {
    const subnet = findSubnet(call, subnetId ?? '');
    if (subnet.gateway_ip === null)
      throw badResourceRequest('router', 'Subnet for router interface must have a gateway IP');
    assertNoOverlap(call, router, [subnet]);
    const network = call.ctx.store.get<NetworkDoc>(KIND.network, subnet.network_id);
    if (!network) throw notFound('NetworkNotFound', `Network ${subnet.network_id} could not be found.`);
    port = insertPort(call, {
      network,
      projectId: router.project_id,
      body: {},
      fixedIps: [{ subnetId: subnet.id, ipAddress: subnet.gateway_ip }],
      deviceOwner: 'network:router_interface',
      deviceId: router.id,
      securityGroups: [],
    });
  }
  touch(call.ctx, router);
  call.ctx.store.update(KIND.router, router);
  return interfaceInfo(router, port);
}

export function removeRouterInterface(call: NeutronCall, id: string, body: unknown): InterfaceInfo {
  const router = findRouter(call, id);
  if (!isObject(body)) throw badResourceRequest('router', 'Either subnet_id or port_id must be specified');
  const subnetId = typeof body.subnet_id === 'string' ? body.subnet_id : undefined;
  const portId = typeof body.port_id === 'string' ? body.port_id : undefined;
  if (!subnetId && !portId) throw badResourceRequest('router', 'Either subnet_id or port_id must be specified');
  const ports = interfacePorts(call, router.id);
  let port: PortDoc | undefined;
  if (portId) {
    port = ports.find((p) => p.id === portId);
    if (!port)
      throw notFound('RouterInterfaceNotFound', `Router ${router.id} does not have an interface with id ${portId}`);
    if (subnetId && !port.fixed_ips.some((ip) => ip.subnet_id === subnetId)) {
      throw conflict(
        'SubnetMismatchForPort',
        `Subnet ${subnetId} on port ${portId} does not match the requested subnet ${subnetId}.`,
      );
    }
  } else {
    findSubnet(call, subnetId ?? '');
    port = ports.find((p) => p.fixed_ips.some((ip) => ip.subnet_id === subnetId));
    if (!port)
      throw notFound(
        'RouterInterfaceNotFoundForSubnet',
        `Router ${router.id} has no interface on subnet ${subnetId ?? ''}`,
      );
  }
  const subnets = port.fixed_ips
    .map((ip) => call.ctx.store.get<SubnetDoc>(KIND.subnet, ip.subnet_id))
    .filter((s): s is SubnetDoc => s !== undefined);
  for (const subnet of subnets) {
    const cidr = subnetCidr(subnet);
    const fipInUse = call.ctx.store.list<FloatingIpDoc>(KIND.floatingip).some((f) => {
      if (f.router_id !== router.id || f.fixed_ip_address === null) return false;
      const ip = parseIp(f.fixed_ip_address);
      return ip !== undefined && cidrContains(cidr, ip);
    });
    if (fipInUse) {
      throw conflict(
        'RouterInterfaceInUseByFloatingIP',
        `Router interface for subnet ${subnet.id} on router ${router.id} cannot be deleted, as it is required by one or more floating IPs.`,
      );
    }
    if (
      router.routes.some((r) => {
        const hop = parseIp(r.nexthop);
        return hop !== undefined && cidrContains(cidr, hop);
      })
    ) {
      throw conflict(
        'RouterInterfaceInUseByRoute',
        `Router interface for subnet ${subnet.id} on router ${router.id} cannot be deleted, as it is required by one or more routes.`,
      );
    }
  }
  const info = interfaceInfo(router, port);
  call.ctx.store.delete(KIND.port, port.id);
  touch(call.ctx, router);
  call.ctx.store.update(KIND.router, router);
  return info;
}

/** The router that connects a port's subnet to `externalNetworkId`, as floating-IP association requires. */
export function routerBetween(call: NeutronCall, subnetId: string, externalNetworkId: string): RouterDoc | undefined {
  const routerIds = new Set(
    call.ctx.store
      .list<PortDoc>(KIND.port)
      .filter((p) => INTERFACE_OWNERS.has(p.device_owner) && p.fixed_ips.some((ip) => ip.subnet_id === subnetId))
      .map((p) => p.device_id),
  );
  return call.ctx.store
    .list<RouterDoc>(KIND.router)
    .find((r) => routerIds.has(r.id) && r.external_gateway_info?.network_id === externalNetworkId);
}
