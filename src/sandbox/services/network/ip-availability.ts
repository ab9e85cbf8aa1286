/**
 * GET /v2.0/network-ip-availabilities[/{network_id}] (network-ip-availability,
 * admin only as in Neutron's policy): addresses in the allocation pools and
 * addresses held, per network and per subnet.
 */
import { parseIp } from './ip-address.js';
import { applyListQuery, parseListQuery, type Doc, type RawQuery } from './list-query.js';
import { KIND, type NetworkDoc, type PortDoc, type SubnetDoc } from './model.js';
import type { NeutronCall } from './call.js';
import { notFound, policyDenied } from './neutron-errors.js';

const ATTRIBUTES = new Set([
  'network_id',
  'network_name',
  'tenant_id',
  'project_id',
  'ip_version',
  'total_ips',
  'used_ips',
]);

function poolSize(subnet: SubnetDoc): number {
  let total = 0n;
  for (const pool of subnet.allocation_pools) {
    const start = parseIp(pool.start);
    const end = parseIp(pool.end);
    if (start && end) total += end.value - start.value + 1n;
  }
  // JSON numbers: an IPv6 /64 pool is reported approximately beyond 2^53.
  return Number(total);
}

function availabilityOf(net: NetworkDoc, subnets: SubnetDoc[], ports: PortDoc[]): Doc & { ip_versions: number[] } {
  const held = new Map<string, number>();
  for (const port of ports) {
    if (port.network_id !== net.id) continue;
    for (const ip of port.fixed_ips) held.set(ip.subnet_id, (held.get(ip.subnet_id) ?? 0) + 1);
  }
  const perSubnet = subnets
    .filter((s) => s.network_id === net.id)
    .map((s) => ({
      subnet_id: s.id,
      subnet_name: s.name,
      cidr: s.cidr,
      ip_version: s.ip_version,
      total_ips: poolSize(s),
      used_ips: held.get(s.id) ?? 0,
    }));
  return {
    network_id: net.id,
    network_name: net.name,
    tenant_id: net.project_id,
    project_id: net.project_id,
    total_ips: perSubnet.reduce((n, s) => n + s.total_ips, 0),
    used_ips: perSubnet.reduce((n, s) => n + s.used_ips, 0),
    subnet_ip_availability: perSubnet,
    ip_versions: [...new Set(perSubnet.map((s) => s.ip_version))],
  };
}

function requireAdmin(call: NeutronCall, rule: string): void {
  if (!call.auth.isAdmin) throw policyDenied(rule);
}

export function listIpAvailabilities(call: NeutronCall, raw: RawQuery, collectionUrl: string): Doc {
  requireAdmin(call, 'rule:get_network_ip_availability');
  const subnets = call.ctx.store.list<SubnetDoc>(KIND.subnet);
  const ports = call.ctx.store.list<PortDoc>(KIND.port);
  const { ip_version: ipVersion, ...rest } = raw;
  const docs = call.ctx.store
    .list<NetworkDoc>(KIND.network)
    .map((n) => availabilityOf(n, subnets, ports))
    .filter((a) => ipVersion === undefined || [ipVersion].flat().some((v) => a.ip_versions.includes(Number(v))))
    .map(({ ip_versions: _versions, ...doc }) => doc);
  const { items, links } = applyListQuery(docs, parseListQuery(rest), {
    attributes: ATTRIBUTES,
    collectionUrl,
    raw: rest,
  });
  return links.length > 0
    ? { network_ip_availabilities: items, network_ip_availabilities_links: links }
    : { network_ip_availabilities: items };
}

export function showIpAvailability(call: NeutronCall, networkId: string): Doc {
  requireAdmin(call, 'rule:get_network_ip_availability');
  const net = call.ctx.store.get<NetworkDoc>(KIND.network, networkId);
  if (!net) throw notFound('NetworkNotFound', `Network ${networkId} could not be found.`);
  const { ip_versions: _versions, ...doc } = availabilityOf(
    net,
    call.ctx.store.list<SubnetDoc>(KIND.subnet),
    call.ctx.store.list<PortDoc>(KIND.port),
  );
  return { network_ip_availability: doc };
}
