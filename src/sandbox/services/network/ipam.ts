/**
 * Fixed-IP allocation (Neutron's IPAM): addresses come from a subnet's
 * allocation pools, lowest free first; an address is taken when any port on the
 * network holds it. Explicit addresses may be anywhere in the CIDR except the
 * gateway (reserved to router ports).
 */
import type { SandboxContext } from '../../core/context.js';
import { neutronError } from '../../core/errors.js';
import { cidrContains, formatIp, parseCidr, parseIp, type Cidr, type IpVersion } from './ip-address.js';
import { KIND, type FixedIp, type NetworkDoc, type PortDoc, type SubnetDoc } from './model.js';
import { conflict, notFound } from './neutron-errors.js';
import { badRequest, invalidAttribute, ipField, isObject } from './request-body.js';

export function subnetCidr(subnet: SubnetDoc): Cidr {
  const parsed = parseCidr(subnet.cidr);
  if (!parsed.ok) throw new Error(`stored subnet ${subnet.id} has an invalid cidr ${subnet.cidr}`);
  return parsed.cidr;
}

export function subnetsOfNetwork(ctx: SandboxContext, networkId: string): SubnetDoc[] {
  return ctx.store.list<SubnetDoc>(KIND.subnet).filter((s) => s.network_id === networkId);
}

/** Every address held on the network, keyed by subnet id. */
export function usedAddresses(ctx: SandboxContext, networkId: string, exceptPortId?: string): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const port of ctx.store.list<PortDoc>(KIND.port)) {
    if (port.network_id !== networkId || port.id === exceptPortId) continue;
    for (const ip of port.fixed_ips) {
      const set = used.get(ip.subnet_id) ?? new Set<string>();
      set.add(ip.ip_address);
      used.set(ip.subnet_id, set);
    }
  }
  return used;
}

/** The lowest free address of the subnet's pools, or undefined when exhausted. */
export function nextFreeAddress(subnet: SubnetDoc, used: Set<string>): string | undefined {
  const version: IpVersion = subnet.ip_version;
  for (const pool of subnet.allocation_pools) {
    const start = parseIp(pool.start);
    const end = parseIp(pool.end);
    if (!start || !end) continue;
    for (let v = start.value; v <= end.value; v++) {
      const text = formatIp({ version, value: v });
      if (!used.has(text) && text !== subnet.gateway_ip) return text;
    }
  }
  return undefined;
}

export interface FixedIpRequest {
  subnetId?: string;
  ipAddress?: string;
}

/** Reads a `fixed_ips` request list ([{subnet_id?, ip_address?}]). */
export function readFixedIpRequests(value: unknown): FixedIpRequest[] {
  if (!Array.isArray(value)) throw invalidAttribute('fixed_ips', `'${JSON.stringify(value)}' is not a list`);
  return value.map((item) => {
    if (!isObject(item)) throw invalidAttribute('fixed_ips', `'${JSON.stringify(item)}' is not a dictionary`);
    const extra = Object.keys(item).filter((k) => k !== 'subnet_id' && k !== 'ip_address');
    if (extra.length > 0) throw invalidAttribute('fixed_ips', `Unrecognized key(s) '${extra.join(', ')}'`);
    const out: FixedIpRequest = {};
    if (item.subnet_id !== undefined && item.subnet_id !== null) out.subnetId = String(item.subnet_id);
    if (item.ip_address !== undefined && item.ip_address !== null)
      out.ipAddress = ipField('ip_address', item.ip_address);
    return out;
  });
}

const ROUTER_OWNERS = new Set([
  'network:router_interface',
  'network:router_interface_distributed',
  'network:ha_router_replicated_interface',
  'network:router_gateway',
]);

/**
 * Turns requested fixed IPs (or none: one address per IP version from the
 * first subnet with room) into concrete allocations on `net`.
 */
export function allocateFixedIps(
  ctx: SandboxContext,
  net: NetworkDoc,
  requests: FixedIpRequest[] | undefined,
  deviceOwner: string,
  exceptPortId?: string,
  macAddress?: string,
): FixedIp[] {
  const subnets = subnetsOfNetwork(ctx, net.id);
  const used = usedAddresses(ctx, net.id, exceptPortId);
  const take = (subnetId: string, ip: string): FixedIp => {
    const set = used.get(subnetId) ?? new Set<string>();
    set.add(ip);
    used.set(subnetId, set);
    return { subnet_id: subnetId, ip_address: ip };
  };
  if (requests === undefined) {
    const out: FixedIp[] = [];
    // SLAAC subnets give every (non-router) port its EUI-64 address, as Neutron does.
    if (macAddress !== undefined && !ROUTER_OWNERS.has(deviceOwner)) {
      for (const s of subnets.filter(isAutoAddressed)) out.push(take(s.id, eui64Address(subnetCidr(s), macAddress)));
    }
    for (const version of [4, 6] as const) {
      const candidates = subnets.filter((s) => s.ip_version === version && !isAutoAddressed(s));
      if (candidates.length === 0) continue;
      const found = candidates
        .map((s) => ({ s, ip: nextFreeAddress(s, used.get(s.id) ?? new Set()) }))
        .find((c) => c.ip !== undefined);
      if (!found || found.ip === undefined) {
        throw conflict('IpAddressGenerationFailure', `No more IP addresses available on network ${net.id}.`);
      }
      out.push(take(found.s.id, found.ip));
    }
    return out;
  }
  const out: FixedIp[] = [];
  for (const req of requests) {
    let subnet: SubnetDoc | undefined;
    if (req.subnetId !== undefined) {
      subnet = subnets.find((s) => s.id === req.subnetId);
      if (!subnet) {
        if (!ctx.store.get(KIND.subnet, req.subnetId))
          throw notFound('SubnetNotFound', `Subnet ${req.subnetId} could not be found.`);
        throw badRequest(
          `Failed to create port on network ${net.id}, because fixed_ips included invalid subnet ${req.subnetId}.`,
        );
      }
    }
    if (req.ipAddress !== undefined) {
      const ip = parseIp(req.ipAddress);
      if (!ip) throw invalidAttribute('ip_address', `'${req.ipAddress}' is not a valid IP address`);
      if (subnet) {
        if (!cidrContains(subnetCidr(subnet), ip)) {
          throw neutronInvalidIpForSubnet(req.ipAddress);
        }
      } else {
        subnet = subnets.find((s) => cidrContains(subnetCidr(s), ip));
        if (!subnet) {
          throw invalidIpForNetwork(req.ipAddress);
        }
      }
      const taken = used.get(subnet.id)?.has(req.ipAddress) ?? false;
      const isGateway = subnet.gateway_ip === req.ipAddress && !ROUTER_OWNERS.has(deviceOwner);
      if (taken || isGateway) {
        throw conflict(
          'IpAddressAlreadyAllocated',
          `IP address ${req.ipAddress} already allocated in subnet ${subnet.id}`,
        );
      }
      out.push(take(subnet.id, req.ipAddress));
      continue;
    }
    if (!subnet) throw badRequest('IP allocation requires subnet_id or ip_address');
    const ip = nextFreeAddress(subnet, used.get(subnet.id) ?? new Set());
    if (ip === undefined)
      throw conflict('IpAddressGenerationFailure', `No more IP addresses available on network ${net.id}.`);
    out.push(take(subnet.id, ip));
  }
  return out;
}

/** IPv6 subnets whose addresses hosts derive themselves (no allocation from the pools). */
export function isAutoAddressed(subnet: SubnetDoc): boolean {
  return (
    subnet.ip_version === 6 && (subnet.ipv6_address_mode === 'slaac' || subnet.ipv6_address_mode === 'dhcpv6-stateless')
  );
}

/** The modified EUI-64 address of `mac` in a /64 (RFC 4291 appendix A). */
export function eui64Address(cidr: Cidr, mac: string): string {
  const bytes = mac.split(':').map((b) => parseInt(b, 16));
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0] = bytes;
  const iid = [b0 ^ 0x02, b1, b2, 0xff, 0xfe, b3, b4, b5].reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  return formatIp({ version: 6, value: cidr.network | iid });
}

function neutronInvalidIpForSubnet(ip: string): Error {
  return badRequestTyped('InvalidIpForSubnet', `IP address ${ip} is not a valid IP for the specified subnet.`);
}

function invalidIpForNetwork(ip: string): Error {
  return badRequestTyped(
    'InvalidIpForNetwork',
    `IP address ${ip} is not a valid IP for any of the subnets on the specified network.`,
  );
}

function badRequestTyped(type: string, message: string): Error {
  return neutronError(400, type, message);
}
