/**
 * Subnets: CIDR and allocation-pool validation as Neutron does it (overlap in
 * one network = 400 InvalidInput, pools inside the CIDR and apart from the
 * gateway), deletion refused while any port holds an address.
 */
import {
  cidrContains,
  cidrsOverlap,
  defaultAllocationPools,
  formatCidr,
  formatIp,
  lastAddress,
  parseCidr,
  parseIp,
  type Cidr,
  type IpVersion,
} from './ip-address.js';
import { isAutoAddressed, subnetCidr, subnetsOfNetwork } from './ipam.js';
import { allocateFromPool, requestedPool } from './subnet-pools.js';
import { applyListQuery, parseListQuery, type Doc, type RawQuery } from './list-query.js';
import { KIND, type AllocationPool, type HostRoute, type NetworkDoc, type PortDoc, type SubnetDoc } from './model.js';
import { allRbac, bumpNetwork, canUseNetwork, findNetwork, notAllowedOnNetwork } from './networks.js';
import { enforceQuota } from './quotas.js';
import { ownerProject, owns, type NeutronCall } from './call.js';
import { publicFields, standardAttrs, touch } from './standard-attributes.js';
import { conflict, notFound, policyDenied } from './neutron-errors.js';
import {
  badRequest,
  boolField,
  checkAttributes,
  envelope,
  has,
  invalidAttribute,
  invalidInput,
  ipField,
  isObject,
  stringField,
  stringListField,
  toInteger,
  type AttributeRules,
} from './request-body.js';
import { neutronError } from '../../core/errors.js';

export const SUBNET_ATTRIBUTES: AttributeRules = {
  readable: new Set([
    'id',
    'name',
    'tenant_id',
    'project_id',
    'network_id',
    'ip_version',
    'subnetpool_id',
    'enable_dhcp',
    'ipv6_ra_mode',
    'ipv6_address_mode',
    'gateway_ip',
    'cidr',
    'allocation_pools',
    'host_routes',
    'dns_nameservers',
    'description',
    'service_types',
    'tags',
    'created_at',
    'updated_at',
    'revision_number',
  ]),
  post: new Set([
    'name',
    'tenant_id',
    'project_id',
    'network_id',
    'ip_version',
    'subnetpool_id',
    'enable_dhcp',
    'ipv6_ra_mode',
    'ipv6_address_mode',
    'gateway_ip',
    'cidr',
    'allocation_pools',
    'host_routes',
    'dns_nameservers',
    'description',
    'service_types',
    'prefixlen',
    'use_default_subnetpool',
  ]),
  put: new Set([
    'name',
    'enable_dhcp',
    'gateway_ip',
    'allocation_pools',
    'host_routes',
    'dns_nameservers',
    'description',
    'service_types',
  ]),
};

const IPV6_MODES = ['slaac', 'dhcpv6-stateful', 'dhcpv6-stateless'];

function subnetVisible(
  call: NeutronCall,
  subnet: SubnetDoc,
  networks: Map<string, NetworkDoc>,
  rbac = allRbac(call),
): boolean {
  if (owns(call.auth, subnet.project_id)) return true;
  // Neutron shows another project's subnet only on a network shared with the caller (access_as_shared): an
  // external network's access_as_external shows the network, never its subnets.
  const net = networks.get(subnet.network_id);
  return net !== undefined && canUseNetwork(call, net, rbac);
}

export function findSubnet(call: NeutronCall, id: string): SubnetDoc {
  const subnet = call.ctx.store.get<SubnetDoc>(KIND.subnet, id);
  const net = subnet ? call.ctx.store.get<NetworkDoc>(KIND.network, subnet.network_id) : undefined;
  if (!subnet || !subnetVisible(call, subnet, new Map(net ? [[net.id, net]] : []))) {
    throw notFound('SubnetNotFound', `Subnet ${id} could not be found.`);
  }
  return subnet;
}

export function subnetView(subnet: SubnetDoc): Doc {
  return publicFields(subnet);
}

export function showSubnet(call: NeutronCall, id: string): Doc {
  return { subnet: subnetView(findSubnet(call, id)) };
}

export function listSubnets(call: NeutronCall, raw: RawQuery, collectionUrl: string): Doc {
  const networks = new Map(call.ctx.store.list<NetworkDoc>(KIND.network).map((n) => [n.id, n]));
  const rbac = allRbac(call);
  const docs = call.ctx.store
    .list<SubnetDoc>(KIND.subnet)
    .filter((s) => subnetVisible(call, s, networks, rbac))
    .map(subnetView);
  const { items, links } = applyListQuery(docs, parseListQuery(raw), {
    attributes: SUBNET_ATTRIBUTES.readable,
    collectionUrl,
    raw,
  });
  return links.length > 0 ? { subnets: items, subnets_links: links } : { subnets: items };
}

function readPools(value: unknown, cidr: Cidr, cidrText: string): AllocationPool[] {
  if (!Array.isArray(value)) throw invalidAttribute('allocation_pools', `'${JSON.stringify(value)}' is not a list`);
  const ranges = value.map((item) => {
    if (!isObject(item) || item.start === undefined || item.end === undefined) {
      throw invalidAttribute('allocation_pools', `'${JSON.stringify(item)}' is not a valid allocation pool`);
    }
    const start = parseIp(ipField('start', item.start));
    const end = parseIp(ipField('end', item.end));
    const text = `${String(item.start)}-${String(item.end)}`;
    if (!start || !end || start.version !== cidr.version || end.version !== cidr.version || start.value > end.value) {
      throw neutronError(400, 'InvalidAllocationPool', `The allocation pool ${text} is not valid.`);
    }
    if (!cidrContains(cidr, start) || !cidrContains(cidr, end)) {
      throw neutronError(
        400,
        'OutOfBoundsAllocationPool',
        `The allocation pool ${text} spans beyond the subnet cidr ${cidrText}.`,
      );
    }
    return { start, end, text };
  });
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const a = ranges[i];
      const b = ranges[j];
      if (a && b && a.start.value <= b.end.value && b.start.value <= a.end.value) {
        throw neutronError(
          400,
          'OverlappingAllocationPools',
          `Found overlapping allocation pools: ${a.text} and ${b.text} for subnet ${cidrText}.`,
        );
      }
    }
  }
  return ranges.map((r) => ({ start: formatIp(r.start), end: formatIp(r.end) }));
}

function checkGatewayOutsidePools(gateway: string | null, pools: AllocationPool[]): void {
  if (gateway === null) return;
  const gw = parseIp(gateway);
  if (!gw) return;
  for (const pool of pools) {
    const s = parseIp(pool.start);
    const e = parseIp(pool.end);
    if (s && e && gw.version === s.version && gw.value >= s.value && gw.value <= e.value) {
      throw conflict(
        'GatewayConflictWithAllocationPools',
        `Gateway ip ${gateway} conflicts with allocation pool ${pool.start}-${pool.end}`,
      );
    }
  }
}

function readNameservers(value: unknown): string[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw invalidAttribute('dns_nameservers', `'${JSON.stringify(value)}' is not a list`);
  const out = value.map((v) => ipField('dns_nameservers', v));
  const dup = out.find((v, i) => out.indexOf(v) !== i);
  if (dup !== undefined) throw invalidAttribute('dns_nameservers', `Duplicate nameserver '${dup}'`);
  return out;
}

function readHostRoutes(value: unknown): HostRoute[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw invalidAttribute('host_routes', `'${JSON.stringify(value)}' is not a list`);
  return value.map((r) => {
    if (!isObject(r) || typeof r.destination !== 'string' || typeof r.nexthop !== 'string') {
      throw invalidAttribute(
        'host_routes',
        `Validation of dictionary's keys failed. Expected keys: {'destination', 'nexthop'} Provided keys: ${JSON.stringify(r)}`,
      );
    }
    const dest = parseCidr(r.destination);
    if (!dest.ok) throw invalidAttribute('host_routes', `'${r.destination}' is not a valid IP subnet`);
    return { destination: r.destination, nexthop: ipField('nexthop', r.nexthop) };
  });
}

function readGateway(input: Doc, cidr: Cidr, fallback: string | null): string | null {
  if (!has(input, 'gateway_ip')) return fallback;
  const value = input.gateway_ip;
  if (value === null || value === '') return null;
  const gw = ipField('gateway_ip', value);
  const parsed = parseIp(gw);
  if (
    parsed &&
    parsed.version === 4 &&
    cidr.prefix < 31 &&
    (parsed.value === cidr.network || parsed.value === lastAddress(cidr))
  ) {
    throw badRequest(`Invalid input for operation: Gateway is not valid on subnet.`);
  }
  return gw;
}

export function createSubnet(call: NeutronCall, body: unknown): Doc {
  const input = envelope(body, 'subnet');
  checkAttributes(input, SUBNET_ATTRIBUTES, 'POST');
  if (typeof input.network_id !== 'string')
    throw badRequest("Failed to parse request. Required attribute 'network_id' not specified");
  if (!has(input, 'ip_version'))
    throw badRequest("Failed to parse request. Required attribute 'ip_version' not specified");
  const version = toInteger('ip_version', input.ip_version);
  if (version !== 4 && version !== 6) throw invalidAttribute('ip_version', `${version} is not in [4, 6]`);
  const rbac = allRbac(call);
  const net = findNetwork(call, input.network_id, rbac);
  if (!owns(call.auth, net.project_id)) throw notAllowedOnNetwork(call, 'subnet');
  const pool = requestedPool(call, input, version as IpVersion);
  if (pool && pool.ip_version !== version)
    throw invalidInput(`Cannot allocate IPv${version} subnet from IPv${pool.ip_version} subnet pool`);
  let requested: Cidr | undefined;
  if (typeof input.cidr === 'string') {
    const parsed = parseCidr(input.cidr);
    if (!parsed.ok) {
      if (parsed.reason === 'host-bits-set') {
        throw invalidAttribute(
          'cidr',
          `'${input.cidr}' isn't a recommended CIDR, '${parsed.suggestion ?? ''}' is recommended`,
        );
      }
      throw invalidAttribute('cidr', `'${input.cidr}' is not a valid IP subnet`);
    }
    requested = parsed.cidr;
    if (requested.version !== version) throw invalidInput(`Invalid CIDR ${input.cidr} for IP version ${version}.`);
  } else if (!pool) {
    throw neutronError(
      400,
      'BadRequest',
      'Bad subnet request: a subnetpool must be specified in the absence of a cidr.',
    );
  }
  const cidr = pool ? allocateFromPool(call, pool, requested, input.prefixlen) : (requested as Cidr);
  const cidrText = formatCidr(cidr);
  for (const other of subnetsOfNetwork(call.ctx, net.id)) {
    if (cidrsOverlap(subnetCidr(other), cidr)) {
      throw invalidInput(
        `Requested subnet with cidr: ${cidrText} for network: ${net.id} overlaps with another subnet.`,
      );
    }
  }
  const projectId = ownerProject(call, input);
  enforceQuota(call.ctx, projectId, 'subnet');
  const defaultGateway = formatIp({ version: version as IpVersion, value: cidr.network + 1n });
  const gateway = readGateway(input, cidr, cidr.prefix >= (version === 4 ? 31 : 127) ? null : defaultGateway);
  const gatewayValue = gateway === null ? undefined : parseIp(gateway)?.value;
  const pools =
    has(input, 'allocation_pools') && input.allocation_pools !== null
      ? readPools(input.allocation_pools, cidr, cidrText)
      : defaultAllocationPools(cidr, gatewayValue).map((r) => ({
          start: formatIp({ version: cidr.version, value: r.start }),
          end: formatIp({ version: cidr.version, value: r.end }),
        }));
  checkGatewayOutsidePools(gateway, pools);
  const readMode = (key: string): string | null => {
    if (!has(input, key) || input[key] === null) return null;
    const mode = String(input[key]);
    if (version !== 6) throw invalidInput(`${key} is not valid when ip_version is 4`);
    if (!IPV6_MODES.includes(mode)) throw invalidAttribute(key, `'${mode}' is not in ${JSON.stringify(IPV6_MODES)}`);
    return mode;
  };
  const subnet: SubnetDoc = {
    ...standardAttrs(call, projectId, input, 0),
    name: stringField(input, 'name', ''),
    network_id: net.id,
    ip_version: version,
    subnetpool_id: pool?.id ?? null,
    enable_dhcp: boolField(input, 'enable_dhcp', true),
    ipv6_ra_mode: readMode('ipv6_ra_mode'),
    ipv6_address_mode: readMode('ipv6_address_mode'),
    gateway_ip: gateway,
    cidr: cidrText,
    allocation_pools: pools,
    host_routes: has(input, 'host_routes') ? readHostRoutes(input.host_routes) : [],
    dns_nameservers: has(input, 'dns_nameservers') ? readNameservers(input.dns_nameservers) : [],
    service_types: stringListField(input, 'service_types', []),
  };
  call.ctx.store.insert(KIND.subnet, subnet, projectId);
  bumpNetwork(call, net.id);
  return { subnet: subnetView(subnet) };
}

export function updateSubnet(call: NeutronCall, id: string, body: unknown): Doc {
  const input = envelope(body, 'subnet');
  checkAttributes(input, SUBNET_ATTRIBUTES, 'PUT');
  const subnet = findSubnet(call, id);
  if (!owns(call.auth, subnet.project_id)) throw policyDenied('rule:update_subnet');
  const cidr = subnetCidr(subnet);
  subnet.name = stringField(input, 'name', subnet.name);
  subnet.description = stringField(input, 'description', subnet.description);
  subnet.enable_dhcp = boolField(input, 'enable_dhcp', subnet.enable_dhcp);
  subnet.service_types = stringListField(input, 'service_types', subnet.service_types);
  if (has(input, 'dns_nameservers')) subnet.dns_nameservers = readNameservers(input.dns_nameservers);
  if (has(input, 'host_routes')) subnet.host_routes = readHostRoutes(input.host_routes);
  if (has(input, 'allocation_pools'))
    subnet.allocation_pools = readPools(input.allocation_pools ?? [], cidr, subnet.cidr);
  if (has(input, 'gateway_ip')) {
    const gateway = readGateway(input, cidr, subnet.gateway_ip);
    if (gateway !== subnet.gateway_ip && subnet.gateway_ip !== null) {
      const routerPort = call.ctx.store
        .list<PortDoc>(KIND.port)
        .find(
          (p) =>
            p.device_owner.startsWith('network:router_interface') &&
            p.fixed_ips.some((ip) => ip.subnet_id === subnet.id && ip.ip_address === subnet.gateway_ip),
        );
      if (routerPort) {
        throw conflict(
          'SubnetInUse',
          `Unable to complete operation on subnet ${subnet.id}: Gateway ip ${subnet.gateway_ip} is in use by router port ${routerPort.id}.`,
        );
      }
    }
    subnet.gateway_ip = gateway;
  }
  checkGatewayOutsidePools(subnet.gateway_ip, subnet.allocation_pools);
  touch(call.ctx, subnet);
  call.ctx.store.update(KIND.subnet, subnet);
  return { subnet: subnetView(subnet) };
}

export function deleteSubnet(call: NeutronCall, id: string): void {
  const subnet = findSubnet(call, id);
  if (!owns(call.auth, subnet.project_id)) throw policyDenied('rule:delete_subnet');
  const holders = call.ctx.store
    .list<PortDoc>(KIND.port)
    .filter((p) => p.network_id === subnet.network_id && p.fixed_ips.some((ip) => ip.subnet_id === id));
  if (isAutoAddressed(subnet)) {
    // Addresses hosts made up themselves (SLAAC) go with the subnet; router ports still block.
    for (const port of holders.filter((p) => !p.device_owner.startsWith('network:router'))) {
      port.fixed_ips = port.fixed_ips.filter((ip) => ip.subnet_id !== id);
      touch(call.ctx, port);
      call.ctx.store.update(KIND.port, port);
    }
    if (holders.some((p) => p.device_owner.startsWith('network:router'))) {
      throw conflict(
        'SubnetInUse',
        `Unable to complete operation on subnet ${id}: One or more ports have an IP allocation from this subnet.`,
      );
    }
  } else if (holders.some((p) => p.device_owner !== 'network:dhcp')) {
    throw conflict(
      'SubnetInUse',
      `Unable to complete operation on subnet ${id}: One or more ports have an IP allocation from this subnet.`,
    );
  }
  call.ctx.store.delete(KIND.subnet, id);
  bumpNetwork(call, subnet.network_id);
}
