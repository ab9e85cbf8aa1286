/**
 * `storm import`'s conversion, pure: what discovery found in a project → a city
 * manifest in storm's own vocabulary, the adoption record (which cloud resource
 * is which resource address, and which attributes storm keeps as the cloud has
 * them so the first plan changes nothing), and the findings storm cannot express.
 *
 * Servers that share flavor, image, subnet, security groups, key, zone, volume
 * shape and floating-IP-ness become one compute group with a count. Cloud names
 * become manifest names (DNS-safe); the cloud's own name of every adopted
 * resource is kept in the adoption record, so nothing is renamed.
 */
import type { DiscoveredProject, DiscoveredRule, DiscoveredServer, DiscoveredVolume } from '../cloud/discovery';
import type {
  CityManifest,
  ComputeGroup,
  Container,
  Keypair,
  Partner,
  PartnerAccess,
  Rule,
  SecurityGroup,
  Subnet,
  Volume,
} from '../manifest/city-manifest.types';
import { StormError } from '../errors';
import { logicalId } from '../synth/naming';
import { isProjectId } from '../synth/sharing';
import { parsePorts, ruleId, ruleRemotes } from '../synth/security';

export const ADOPTION_SCHEMA = 'storm.adoption/v1';

/** One cloud resource and the Terraform address it becomes. */
export interface AdoptedResource {
  address: string;
  /** What `tofu import` takes for this type. */
  id: string;
  /** Attributes storm keeps as the cloud has them (Terraform JSON names and values). */
  keep?: Record<string, unknown>;
}

export interface AdoptionRecord {
  schema: typeof ADOPTION_SCHEMA;
  city: string;
  env: string;
  cloud: string;
  projectId: string;
  resources: AdoptedResource[];
}

export type FindingKind =
  'not-expressible' | 'left-alone' | 'guessed' | 'kept' | 'not-readable' | 'user-data' | 'plan-adds';

export interface ImportFinding {
  kind: FindingKind;
  /** What it is about, e.g. `network backup-net (5f0c…)`. */
  subject: string;
  message: string;
  /** What to do about it. */
  action: string;
}

export interface ImportComment {
  path: ReadonlyArray<string | number>;
  text: string;
}

export interface ConvertOptions {
  city: string;
  env: string;
  country: string;
  /** The project asked for (--project): recorded as cloud.project so every command scopes to it. */
  project?: string | undefined;
  /** `network=<name|id>`: only that network and what hangs off it. */
  select?: string | undefined;
}

export interface Conversion {
  manifest: CityManifest;
  comments: ImportComment[];
  adoption: AdoptionRecord;
  findings: ImportFinding[];
  counts: { servers: number; groups: number; resources: number };
}

const NAME_MAX = 63;

/** A manifest name (`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`) from a cloud name; `fallback` when nothing is left. */
export function manifestName(cloud: string, fallback: string): string {
  let n = cloud
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, NAME_MAX)
    .replace(/-+$/, '');
  if (n === '') n = fallback;
  return n;
}

/** Unique names within one collection: web, web-2, web-3. */
/** The manifest's limit of a compute group's `count` (city-manifest.schema.json, computeGroup.count). */
export const MAX_GROUP_COUNT = 50;

function uniquer(): (wanted: string) => string {
  const taken = new Set<string>();
  return (wanted) => {
    let n = wanted;
    for (let i = 2; taken.has(n); i += 1) n = `${wanted.slice(0, NAME_MAX - String(i).length - 1)}-${i}`;
    taken.add(n);
    return n;
  };
}

/** The stem of a numbered name: web-1 → web, db02 → db. */
export function nameStem(name: string): string {
  const stem = name.replace(/[-_.]?\d+$/, '');
  return stem === '' ? name : stem;
}

function trailingNumber(name: string): number {
  const m = /(\d+)$/.exec(name);
  return m === null ? Number.POSITIVE_INFINITY : Number(m[1]);
}

function byName<T extends { name: string; id?: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : (a.id ?? '') < (b.id ?? '') ? -1 : 1;
}

function short(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}

/** The smallest IPv4 network holding every given one (the manifest's network.cidr). */
export function enclosingCidr(cidrs: readonly string[]): string | undefined {
  const parsed = cidrs.map((c) => {
    const [ip = '', bits = '32'] = c.split('/');
    const parts = ip.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
    const value = parts.reduce((acc, p) => acc * 256 + p, 0);
    return { value, bits: Number(bits) };
  });
  if (parsed.length === 0 || parsed.some((p) => p === undefined)) return undefined;
  const nets = parsed as Array<{ value: number; bits: number }>;
  let prefix = Math.min(...nets.map((n) => n.bits));
  const base = (v: number, p: number): number => (p === 0 ? 0 : Math.floor(v / 2 ** (32 - p)) * 2 ** (32 - p));
  while (prefix > 0 && new Set(nets.map((n) => base(n.value, prefix))).size > 1) prefix -= 1;
  const first = nets[0];
  if (first === undefined) return undefined;
  const v = base(first.value, prefix);
  const ip = [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.');
  return `${ip}/${prefix}`;
}

interface RuleConversion {
  rule?: Rule;
  /** Why it cannot be expressed (then `rule` is absent). */
  problem?: string;
}

/** One Neutron rule in the manifest's compact form, when it fits. */
export function compactRule(r: DiscoveredRule, groupNames: ReadonlyMap<string, string>): RuleConversion {
  const protocol = r.protocol === null ? 'any' : r.protocol;
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'icmp' && protocol !== 'any')
    return { problem: `protocol ${protocol}` };
  const rule: Rule = { direction: r.direction, protocol };
  if (protocol === 'tcp' || protocol === 'udp') {
    if (r.portMin !== null || r.portMax !== null) {
      const min = r.portMin ?? 1;
      const max = r.portMax ?? 65535;
      if (!(min === 1 && max === 65535)) rule.ports = min === max ? min : `${min}-${max}`;
      else return { problem: 'an explicit port range 1-65535 (storm writes "all ports" without one)' };
    }
  } else if (r.portMin !== null || r.portMax !== null) {
    return { problem: `ICMP type/code ${r.portMin ?? '-'}/${r.portMax ?? '-'}` };
  }
  if (r.remoteGroupId !== null) {
    const g = groupNames.get(r.remoteGroupId);
    if (g === undefined) return { problem: `a remote group outside the import (${short(r.remoteGroupId)})` };
    if (r.ethertype !== 'IPv4') return { problem: `an ${r.ethertype} rule from a remote group` };
    rule.remoteGroup = g;
  } else if (r.remoteIpPrefix !== null) {
    const v6 = r.remoteIpPrefix.includes(':');
    if (v6 !== (r.ethertype === 'IPv6')) return { problem: `remote ${r.remoteIpPrefix} with ethertype ${r.ethertype}` };
    rule.remote = r.remoteIpPrefix;
  } else if (r.ethertype !== 'IPv4') {
    return { problem: `an ${r.ethertype} rule without a remote (storm writes "::/0" for IPv6)` };
  }
  if (r.description !== '') rule.description = r.description.slice(0, 255);
  return { rule };
}

/** Neutron's two default egress rules of a new group. */
function isDefaultEgress(r: DiscoveredRule): boolean {
  return (
    r.direction === 'egress' &&
    r.protocol === null &&
    r.portMin === null &&
    r.portMax === null &&
    r.remoteIpPrefix === null &&
    r.remoteGroupId === null
  );
}

function ruleSortKey(r: Rule): string {
  const p = r.ports === undefined ? '' : String(parsePorts(r.ports).min).padStart(5, '0');
  return [r.direction, r.protocol, p, r.remoteGroup ?? '', typeof r.remote === 'string' ? r.remote : ''].join(' ');
}

interface ServerPlan {
  server: DiscoveredServer;
  portId: string;
  subnetId: string;
  fixedIp: string;
  portName: string;
  portTags: string[];
  securityGroups: string[];
  volumes: DiscoveredVolume[];
  floatingIpId: string | undefined;
}

export function convertProject(found: DiscoveredProject, options: ConvertOptions): Conversion {
  const findings: ImportFinding[] = [];
  const comments: ImportComment[] = [];
  const resources: AdoptedResource[] = [];
  const { city, env } = options;
  const adopt = (type: string, name: string, id: string, keep?: Record<string, unknown>): string => {
    const address = `${type}.${name}`;
    resources.push({ address, id, ...(keep === undefined || Object.keys(keep).length === 0 ? {} : { keep }) });
    return address;
  };
  const ref = (type: string, name: string, attr = 'id'): string => `\${${type}.${name}.${attr}}`;
  const note = (kind: FindingKind, subject: string, message: string, action: string): void => {
    findings.push({ kind, subject, message, action });
  };

  for (const u of found.unreadable)
    note(
      'not-readable',
      u.kind,
      u.reason,
      'import with credentials that may list it, or add it to the manifest by hand',
    );

  // --- which network -------------------------------------------------------------------------
  const select = parseSelect(options.select);
  const ports = found.ports;
  const serverPorts = (serverId: string): typeof ports =>
    ports.filter((p) => p.deviceId === serverId && p.deviceOwner.startsWith('compute:'));
  const networks = [...found.networks].sort(byName);
  let network = networks[0];
  if (select !== undefined) {
    network = networks.find((n) => n.id === select.network || n.name === select.network);
    if (network === undefined)
      return fail(`no network "${select.network}" in project ${found.projectName ?? found.projectId}`);
  } else {
    const weight = (id: string): number =>
      ports.filter((p) => p.networkId === id && p.deviceOwner.startsWith('compute:')).length;
    network = [...networks].sort((a, b) => weight(b.id) - weight(a.id) || byName(a, b))[0];
  }
  if (network === undefined) return fail(`project ${found.projectName ?? found.projectId} has no network of its own`);
  const net = network;
  for (const other of networks)
    if (other.id !== net.id)
      note(
        'left-alone',
        `network ${other.name || other.id}`,
        'a city manifest describes one network; this one is not imported',
        `import it into a city of its own: storm import <other-city> --select network=${other.name || other.id}`,
      );

  // --- subnets ----------------------------------------------------------------------------------
  const subnetName = uniquer();
  const subnets = found.subnets.filter((s) => s.networkId === net.id).sort(byName);
  const subnetNames = new Map<string, string>();
  const manifestSubnets: Subnet[] = [];
  for (const s of subnets) {
    const subject = `subnet ${s.name || s.id}`;
    if (s.ipVersion !== 4) {
      note(
        'not-expressible',
        subject,
        `an IPv${s.ipVersion} subnet (${s.cidr})`,
        'storm manifests hold IPv4 subnets; it is left alone',
      );
      continue;
    }
    const name = subnetName(manifestName(s.name, 'subnet'));
    subnetNames.set(s.id, name);
    const subnet: Subnet = { name, cidr: s.cidr };
    if (s.gatewayIp !== null) subnet.gatewayIp = s.gatewayIp;
    else
      note(
        'not-expressible',
        subject,
        'has no gateway',
        'storm gives every subnet one; the first plan would add it — review it',
      );
    subnet.dnsServers = s.dnsServers.slice(0, 5) as Subnet['dnsServers'];
    if (s.dnsServers.length > 5)
      note(
        'not-expressible',
        subject,
        `has ${s.dnsServers.length} DNS servers`,
        'storm keeps five: review network.subnets[].dnsServers',
      );
    subnet.allocationPools = s.allocationPools.map((p) => ({ start: p.start, end: p.end }));
    if (!s.enableDhcp) subnet.enableDhcp = false;
    if (s.hostRoutes > 0)
      note(
        'not-expressible',
        subject,
        `has ${s.hostRoutes} host route(s)`,
        'storm does not manage host routes: they are kept as they are',
      );
    manifestSubnets.push(subnet);
    adopt('openstack_networking_subnet_v2', logicalId(name), s.id, { name: s.name, tags: s.tags });
  }
  if (manifestSubnets.length === 0) return fail(`network ${net.name || net.id} has no IPv4 subnet storm can describe`);
  const cidr = enclosingCidr(manifestSubnets.map((s) => s.cidr)) ?? manifestSubnets[0]?.cidr ?? '';

  // --- external network, router -----------------------------------------------------------------
  const externalName = (id: string): string | undefined => found.externalNetworks.find((n) => n.id === id)?.name;
  const routerIds = new Set(
    ports.filter((p) => p.deviceOwner === 'network:router_interface' && p.networkId === net.id).map((p) => p.deviceId),
  );
  const routers = found.routers.filter((r) => routerIds.has(r.id)).sort(byName);
  const router = routers[0];
  for (const r of routers.slice(1))
    note(
      'not-expressible',
      `router ${r.name || r.id}`,
      'a second router on the city network',
      'it is left alone; storm describes one router',
    );
  for (const r of found.routers)
    if (!routerIds.has(r.id))
      note(
        'left-alone',
        `router ${r.name || r.id}`,
        'not attached to the imported network',
        'import the network it serves into its own city',
      );
  const fipNets = found.floatingIps.map((f) => externalName(f.networkId)).filter((n): n is string => n !== undefined);
  const externalNetwork =
    (router?.externalNetworkId === undefined ? undefined : externalName(router.externalNetworkId)) ??
    fipNets[0] ??
    found.externalNetworks[0]?.name;
  if (externalNetwork === undefined)
    return fail('the cloud lists no external network (router:external), which every storm city names');

  if (router !== undefined) {
    adopt('openstack_networking_router_v2', 'router', router.id, { name: router.name, tags: router.tags });
    if (router.routes > 0)
      note(
        'not-expressible',
        `router ${router.name || router.id}`,
        `has ${router.routes} static route(s)`,
        'storm does not manage them; they are kept',
      );
    for (const p of ports.filter((x) => x.deviceId === router.id && x.deviceOwner === 'network:router_interface')) {
      const sub = p.fixedIps[0]?.subnetId;
      const name = sub === undefined ? undefined : subnetNames.get(sub);
      if (name !== undefined) adopt('openstack_networking_router_interface_v2', logicalId(name), p.id);
    }
  } else {
    note(
      'plan-adds',
      `network ${net.name || net.id}`,
      'has no router',
      'storm gives every city one: the first plan adds a router and its interfaces',
    );
  }
  adopt('openstack_networking_network_v2', 'network', net.id, {
    name: net.name,
    description: net.description,
    tags: net.tags,
  });

  // --- security groups --------------------------------------------------------------------------
  const serversHere: ServerPlan[] = [];
  const groupName = uniquer();
  const sgNames = new Map<string, string>();
  const sgById = new Map(found.securityGroups.map((g) => [g.id, g]));
  const volumesById = new Map(found.volumes.map((v) => [v.id, v]));
  const fipByPort = new Map(found.floatingIps.filter((f) => f.portId !== null).map((f) => [f.portId ?? '', f]));

  for (const s of [...found.servers].sort(byName)) {
    const subject = `server ${s.name} (${short(s.id)})`;
    const mine = serverPorts(s.id);
    const onNet = mine.filter((p) => p.networkId === net.id);
    if (onNet.length === 0) continue; // another network's server: that import's business
    if (mine.length > 1 || onNet[0]?.fixedIps.length !== 1) {
      note(
        'not-expressible',
        subject,
        'has more than one port or address',
        'storm instances have one port; the server is left alone',
      );
      continue;
    }
    const port = onNet[0];
    const fixed = port.fixedIps[0];
    if (fixed === undefined || !subnetNames.has(fixed.subnetId)) {
      note('not-expressible', subject, 'its address is on a subnet storm does not import', 'the server is left alone');
      continue;
    }
    if (s.imageId === undefined || s.imageName === undefined || s.imageName === '') {
      note(
        'not-expressible',
        subject,
        'boots from a volume or from an image the project cannot see',
        'the server is left alone',
      );
      continue;
    }
    if (s.flavorName === undefined) {
      note('not-readable', subject, 'its flavor name is not shown', 'the server is left alone');
      continue;
    }
    if (port.allowedAddressPairs > 0) {
      note('not-expressible', `port ${port.name || port.id}`, 'has allowed address pairs', 'the server is left alone');
      continue;
    }
    const attached = s.volumeIds.map((id) => volumesById.get(id)).filter((v): v is DiscoveredVolume => v !== undefined);
    if (attached.some((v) => v.bootable)) {
      note('not-expressible', subject, 'has a bootable volume attached', 'the server is left alone');
      continue;
    }
    const fip = fipByPort.get(port.id);
    serversHere.push({
      server: s,
      portId: port.id,
      subnetId: fixed.subnetId,
      fixedIp: fixed.ipAddress,
      portName: port.name,
      portTags: port.tags,
      securityGroups: [...port.securityGroupIds].sort(),
      volumes: [...attached].sort(byName),
      floatingIpId: fip?.id,
    });
  }

  // Every group of the project that the imported servers use, or that no server uses (kept with the city).
  const usedGroups = new Set(serversHere.flatMap((p) => p.securityGroups));
  const usedElsewhere = new Set(ports.filter((p) => p.networkId !== net.id).flatMap((p) => p.securityGroupIds));
  const groups = found.securityGroups
    .filter((g) => g.name !== 'default' && (usedGroups.has(g.id) || !usedElsewhere.has(g.id)))
    .sort(byName);
  for (const g of groups) sgNames.set(g.id, groupName(manifestName(g.name, 'group')));
  for (const g of found.securityGroups)
    if (g.name === 'default' && usedGroups.has(g.id))
      note(
        'not-expressible',
        `security group default (${short(g.id)})`,
        "Neutron's own default group is used by imported servers",
        'storm cannot own it: their ports keep it, and storm leaves its rules alone',
      );
  const manifestGroups: SecurityGroup[] = [];
  for (const g of groups) {
    const name = sgNames.get(g.id) ?? '';
    const rules: Rule[] = [];
    const egress = g.rules.filter((r) => r.direction === 'egress');
    const onlyDefaults = egress.every(isDefaultEgress);
    for (const r of g.rules) {
      if (onlyDefaults && isDefaultEgress(r)) continue; // storm's default too: egress is open
      const c = compactRule(r, sgNames);
      if (c.rule === undefined) {
        note(
          'not-expressible',
          `rule ${short(r.id)} of security group ${g.name}`,
          `${r.direction} rule with ${c.problem ?? '?'}`,
          'it is left alone (not managed by storm)',
        );
        continue;
      }
      rules.push(c.rule);
    }
    rules.sort((a, b) => (ruleSortKey(a) < ruleSortKey(b) ? -1 : ruleSortKey(a) > ruleSortKey(b) ? 1 : 0));
    const group: SecurityGroup = {
      name,
      ...(g.description === '' ? {} : { description: g.description.slice(0, 255) }),
      rules,
    };
    manifestGroups.push(group);
    adopt('openstack_networking_secgroup_v2', logicalId(name), g.id, { name: g.name, tags: g.tags });
    // The same addresses synthesis gives (security.ts), so each rule is imported where it lands.
    const taken = new Set<string>();
    const byContent = new Map<string, DiscoveredRule[]>();
    for (const r of g.rules) {
      const c = compactRule(r, sgNames);
      if (c.rule === undefined) continue;
      const k = JSON.stringify({ ...c.rule, description: undefined });
      byContent.set(k, [...(byContent.get(k) ?? []), r]);
    }
    for (const rule of rules) {
      for (const remote of ruleRemotes(rule, [])) {
        let id = ruleId(name, rule, remote);
        for (let n = 2; taken.has(id); n += 1) id = `${ruleId(name, rule, remote)}_${n}`;
        taken.add(id);
        const source = byContent.get(JSON.stringify({ ...rule, description: undefined }))?.shift();
        if (source !== undefined) adopt('openstack_networking_secgroup_rule_v2', id, source.id);
      }
    }
  }

  // --- compute groups ---------------------------------------------------------------------------
  const keypairs: Keypair[] = [];
  const keypairName = new Map<string, string>();
  const kpUnique = uniquer();
  for (const name of [
    ...new Set(serversHere.map((p) => p.server.keyName).filter((k): k is string => k !== undefined)),
  ].sort()) {
    const kp = found.keypairs.find((k) => k.name === name);
    if (kp === undefined) {
      note(
        'not-readable',
        `key pair ${name}`,
        'servers use it but it is not listed for these credentials (key pairs belong to users)',
        'their key stays as it is; add it by hand if you have its public key',
      );
      continue;
    }
    if (!/^(ssh-(ed25519|rsa)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$/.test(kp.publicKey)) {
      note('not-expressible', `key pair ${name}`, 'its public key is not in a form storm accepts', 'left alone');
      continue;
    }
    const mname = kpUnique(manifestName(name, 'key'));
    keypairName.set(name, mname);
    keypairs.push({ name: mname, publicKey: kp.publicKey });
    // The provider compares public_key as written: a key Nova keeps with its newline would be replaced.
    adopt('openstack_compute_keypair_v2', logicalId(mname), name, {
      name,
      ...(kp.publicKeyAsStored === undefined ? {} : { public_key: kp.publicKeyAsStored }),
    });
  }
  for (const kp of found.keypairs)
    if (!keypairName.has(kp.name))
      note(
        'left-alone',
        `key pair ${kp.name}`,
        'no imported server uses it',
        'add it to compute.keypairs by hand if the city needs it',
      );

  const keyOf = (p: ServerPlan): string =>
    JSON.stringify([
      p.server.flavorName,
      p.server.imageName,
      p.subnetId,
      p.securityGroups,
      p.server.keyName ?? '',
      p.server.availabilityZone ?? '',
      p.volumes.map((v) => [v.size, v.volumeType ?? '']),
      p.floatingIpId !== undefined,
    ]);
  const clusters = new Map<string, ServerPlan[]>();
  for (const p of serversHere) clusters.set(keyOf(p), [...(clusters.get(keyOf(p)) ?? []), p]);
  const computeName = uniquer();
  const volumeName = uniquer();
  const computeGroups: ComputeGroup[] = [];
  const volumeDefs: Volume[] = [];
  const groupComments: Array<{ index: number; text: string }> = [];
  const zones = new Set<string>();
  const unmanagedSgIds = new Set<string>();
  const serverGroupOf = new Map<string, string>();
  for (const sg of found.serverGroups) for (const m of sg.members) serverGroupOf.set(m, sg.name || sg.id);

  const orderedClusters = [...clusters.values()]
    .map((members) =>
      [...members].sort(
        (a, b) => trailingNumber(a.server.name) - trailingNumber(b.server.name) || byName(a.server, b.server),
      ),
    )
    .sort((a, b) => byName(a[0]?.server ?? { name: '' }, b[0]?.server ?? { name: '' }))
    // A compute group holds at most MAX_GROUP_COUNT instances: a bigger cluster becomes several, in order.
    .flatMap((members) =>
      Array.from({ length: Math.ceil(members.length / MAX_GROUP_COUNT) }, (_, k) =>
        members.slice(k * MAX_GROUP_COUNT, (k + 1) * MAX_GROUP_COUNT),
      ),
    );
  for (const members of orderedClusters) {
    const first = members[0];
    if (first === undefined) continue;
    const stems = new Set(members.map((m) => nameStem(m.server.name)));
    const gname = computeName(
      manifestName(stems.size === 1 ? nameStem(first.server.name) : first.server.name, 'servers'),
    );
    const s = first.server;
    const group: ComputeGroup = {
      name: gname,
      flavor: s.flavorName ?? '',
      image: s.imageName ?? '',
      count: members.length,
      subnet: subnetNames.get(first.subnetId) ?? '',
    };
    const sgs = first.securityGroups.map((id) => sgNames.get(id)).filter((n): n is string => n !== undefined);
    for (const id of first.securityGroups) if (!sgNames.has(id)) unmanagedSgIds.add(id);
    if (sgs.length > 0) group.securityGroups = sgs;
    const kp = s.keyName === undefined ? undefined : keypairName.get(s.keyName);
    if (kp !== undefined) group.keypair = kp;
    if (s.availabilityZone !== undefined && s.availabilityZone !== '') {
      group.availabilityZone = s.availabilityZone;
      zones.add(s.availabilityZone);
    }
    if (first.floatingIpId !== undefined) group.floatingIp = true;
    // Metadata every member shares; each instance keeps its own exact metadata in the adoption record.
    const common: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.metadata))
      if (/^[A-Za-z0-9_.:-]{1,255}$/.test(k) && v.length <= 255 && members.every((m) => m.server.metadata[k] === v))
        common[k] = v;
    if (Object.keys(common).length > 0) group.metadata = common;

    // Volume definitions: the k-th volume of every member is one definition.
    const defNames: string[] = [];
    first.volumes.forEach((v, k) => {
      const stripped = v.name.startsWith(s.name) ? v.name.slice(s.name.length) : v.name;
      const def: Volume = {
        name: volumeName(manifestName(stripped, `${gname}-volume-${k + 1}`)),
        size: v.size,
        ...(v.volumeType === undefined ? {} : { type: v.volumeType }),
        ...(v.description === '' ? {} : { description: v.description.slice(0, 255) }),
      };
      volumeDefs.push(def);
      defNames.push(def.name);
    });
    if (defNames.length > 0) group.volumes = defNames;
    computeGroups.push(group);
    note(
      'kept',
      `compute group ${gname}`,
      `the ports of ${members.map((x) => x.server.name).join(', ')} keep their addresses and security groups as Neutron has them`,
      'a change of securityGroups reaches new instances; change adopted ports by hand or let storm replace them',
    );
    groupComments.push({
      index: computeGroups.length - 1,
      text: ` from servers ${members.map((m) => m.server.name).join(', ')} (same flavor, image, subnet, security groups)`,
    });

    members.forEach((m, i) => {
      const lid = logicalId(gname, i + 1);
      const sv = m.server;
      // An imported port's state has neither fixed_ip nor security_group_ids (the provider
      // reads them into all_* only): written, they would be an update of every port.
      adopt('openstack_networking_port_v2', lid, m.portId, {
        name: m.portName,
        tags: m.portTags,
        fixed_ip: null,
        security_group_ids: null,
      });
      // An imported server does not know its port; naming it would force a rebuild.
      adopt('openstack_compute_instance_v2', lid, sv.id, {
        name: sv.name,
        metadata: sv.metadata,
        tags: sv.tags,
        network: [{ uuid: ref('openstack_networking_network_v2', 'network'), fixed_ip_v4: m.fixedIp }],
      });
      if (m.floatingIpId !== undefined) {
        const f = found.floatingIps.find((x) => x.id === m.floatingIpId);
        adopt('openstack_networking_floatingip_v2', lid, m.floatingIpId, {
          description: f?.description ?? '',
          tags: f?.tags ?? [],
        });
        adopt('openstack_networking_floatingip_associate_v2', lid, m.floatingIpId);
      }
      m.volumes.forEach((v, k) => {
        const def = defNames[k] ?? '';
        const vid = logicalId(gname, i + 1, def);
        adopt('openstack_blockstorage_volume_v3', vid, v.id, {
          name: v.name,
          metadata: v.metadata,
          ...(v.description === '' ? {} : { description: v.description }),
        });
        adopt('openstack_compute_volume_attach_v2', vid, `${sv.id}/${v.id}`);
      });
      const sg = serverGroupOf.get(sv.id);
      if (sg !== undefined)
        note(
          'not-expressible',
          `server ${sv.name}`,
          `is in server group ${sg}`,
          'storm would have to rebuild the server to manage membership; the server group is left alone',
        );
      note(
        'user-data',
        `server ${sv.name}`,
        'user data (if any) is never read nor copied into the manifest',
        'if the server was bootstrapped with user data, keep that script where it lives today',
      );
    });
  }
  for (const id of unmanagedSgIds) {
    const g = sgById.get(id);
    if (g !== undefined && g.name !== 'default')
      note(
        'kept',
        `security group ${g.name}`,
        'used by imported servers but left out of the manifest',
        'the ports keep it by id in the adoption record',
      );
  }

  // Volumes no imported server has attached.
  const attachedIds = new Set(serversHere.flatMap((p) => p.volumes.map((v) => v.id)));
  for (const v of [...found.volumes].sort(byName)) {
    if (attachedIds.has(v.id)) continue;
    if (v.attachedTo.length > 0) {
      note(
        'left-alone',
        `volume ${v.name || v.id}`,
        'attached to a server that is not imported',
        'it stays with that server',
      );
      continue;
    }
    if (v.bootable) {
      note('not-expressible', `volume ${v.name || v.id}`, 'a bootable volume on its own', 'left alone');
      continue;
    }
    const def: Volume = {
      name: volumeName(manifestName(v.name, 'volume')),
      size: v.size,
      ...(v.volumeType === undefined ? {} : { type: v.volumeType }),
      ...(v.description === '' ? {} : { description: v.description.slice(0, 255) }),
    };
    volumeDefs.push(def);
    adopt('openstack_blockstorage_volume_v3', logicalId(def.name), v.id, {
      name: v.name,
      metadata: v.metadata,
      ...(v.description === '' ? {} : { description: v.description }),
    });
  }

  // Floating IPs on nothing storm imports.
  const adoptedFips = new Set(serversHere.map((p) => p.floatingIpId).filter((x) => x !== undefined));
  for (const f of found.floatingIps)
    if (!adoptedFips.has(f.id))
      note(
        'left-alone',
        `floating IP ${f.address}`,
        f.portId === null ? 'not associated with anything' : 'on a port storm does not import',
        'release it if unused, or keep it outside storm',
      );
  for (const sg of found.serverGroups)
    if (sg.policies.some((p) => p !== 'anti-affinity') || sg.members.length === 0)
      note(
        'left-alone',
        `server group ${sg.name || sg.id}`,
        `policy ${sg.policies.join(', ') || '?'}`,
        'storm creates anti-affinity groups only for groups it builds',
      );

  for (const lb of found.loadBalancers)
    note(
      'not-expressible',
      `load balancer ${lb.name || lb.id}`,
      'storm manifests have no load balancers',
      'it is left alone; keep managing it as today',
    );

  // --- partners: network RBAC and container ACLs ------------------------------------------------
  const projectName = (id: string): string | undefined => found.projects.find((p) => p.id === id)?.name || undefined;
  type DraftPartner = Omit<Partner, 'access'> & { access: PartnerAccess[] };
  const partnerOf = new Map<string, DraftPartner>();
  const partnerUnique = uniquer();
  const partner = (projectId: string): DraftPartner => {
    let p = partnerOf.get(projectId);
    if (p === undefined) {
      const pname = projectName(projectId);
      p = {
        name: partnerUnique(manifestName(pname ?? `partner-${projectId.slice(0, 8)}`, 'partner')),
        kind: 'public',
        project: isProjectId(projectId) ? projectId : (pname ?? projectId),
        access: [],
      };
      partnerOf.set(projectId, p);
    }
    return p;
  };
  for (const r of found.rbacPolicies) {
    if (r.objectType !== 'network' || r.objectId !== net.id) continue;
    if (r.action !== 'access_as_shared' || r.targetProject === '*') {
      note(
        'not-expressible',
        `RBAC policy ${short(r.id)}`,
        `${r.action} to ${r.targetProject}`,
        'storm shares networks with named partner projects only; it is left alone',
      );
      continue;
    }
    const p = partner(r.targetProject);
    if (p.access.some((a) => 'network' in a)) continue;
    p.access.push({ network: subnetNames.values().next().value ?? '' });
    adopt('openstack_networking_rbac_policy_v2', logicalId('partner', p.name, 'network'), r.id);
  }

  const containerName = uniquer();
  const containers: Container[] = [];
  const containerComments: Array<{ index: number; text: string }> = [];
  for (const c of [...found.containers].sort(byName)) {
    const subject = `container ${c.name}`;
    if (!/^[a-z0-9]([a-z0-9._-]{0,253}[a-z0-9])?$/.test(c.name)) {
      note('not-expressible', subject, 'its name has characters storm container names do not allow', 'left alone');
      continue;
    }
    const read = (c.read ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
    const write = (c.write ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
    const isPublic = read.includes('.r:*');
    const grants = new Map<string, 'read' | 'write'>();
    const odd: string[] = [];
    for (const e of read) {
      if (e === '.r:*' || e === '.rlistings') continue;
      const m = /^([^:]+):\*$/.exec(e);
      if (m?.[1] !== undefined) grants.set(m[1], 'read');
      else odd.push(e);
    }
    for (const e of write) {
      const m = /^([^:]+):\*$/.exec(e);
      if (m?.[1] !== undefined && grants.has(m[1])) grants.set(m[1], 'write');
      else odd.push(e);
    }
    const name = containerName(c.name);
    const container: Container = {
      name,
      ...(isPublic ? { acl: 'public-read', openData: true } : {}),
      ...(c.versioning ? { versioning: true } : {}),
    };
    containers.push(container);
    if (isPublic)
      containerComments.push({
        index: containers.length - 1,
        text: ' public-read in the cloud: storm allows that for open data only (guessed: openData)',
      });
    for (const [pid, mode] of [...grants].sort()) partner(pid).access.push({ container: name, mode });
    // What synthesis will write (sharing.ts containerAcl); the cloud's own string is kept when it differs.
    const expectedRead = [
      ...(isPublic ? ['.r:*', '.rlistings'] : []),
      ...[...grants.keys()].sort().map((p) => `${p}:*`),
    ];
    const expectedWrite = [...grants]
      .filter(([, m]) => m === 'write')
      .map(([p]) => `${p}:*`)
      .sort();
    // force_destroy is storm's own switch, not the cloud's: an imported container has none.
    const keep: Record<string, unknown> = { name: c.name, metadata: c.metadata, force_destroy: null };
    if (odd.length > 0 || read.join(',') !== expectedRead.join(',')) keep.container_read = c.read ?? '';
    if (odd.length > 0 || write.join(',') !== expectedWrite.join(',')) keep.container_write = c.write ?? '';
    if (odd.length > 0)
      note(
        'kept',
        subject,
        `ACL entries storm cannot express: ${odd.join(', ')}`,
        'kept as they are in the adoption record',
      );
    adopt('openstack_objectstorage_container_v1', logicalId(name), c.name, keep);
  }
  const partners = [...partnerOf.values()].filter((p) => p.access.length > 0).sort(byName);
  for (const p of partners)
    if (
      !isProjectId(p.project) &&
      projectName(p.project) === undefined &&
      !found.projects.some((x) => x.name === p.project)
    )
      note('guessed', `partner ${p.name}`, `project ${p.project} could not be named`, 'check partners[].project');

  // Policy wants these tags; a project tagged key=value on its network already says them.
  const tags: Record<string, string> = {};
  for (const t of net.tags) {
    const m = /^(owner|cost-centre|data-classification)=(.{1,255})$/.exec(t);
    if (m?.[1] !== undefined && m[2] !== undefined) tags[m[1]] = m[2];
  }
  const missingTags = ['owner', 'cost-centre', 'data-classification'].filter((k) => tags[k] === undefined);
  if (missingTags.length > 0)
    note(
      'guessed',
      'tags',
      `policy STORM-GOV-001 wants ${missingTags.join(', ')}, which the project does not say`,
      'add them under tags: before storm provision (adopted resources keep their own tags)',
    );

  // --- the manifest ---------------------------------------------------------------------------
  const projectLabel = found.projectName ?? found.projectId;
  const manifest: CityManifest = {
    apiVersion: 'storm/v1',
    city: {
      name: city,
      displayName: projectLabel,
      country: options.country as CityManifest['city']['country'],
      languages: ['en'],
      owner: { team: `operators of project ${projectLabel}`, email: `owner@${city}.invalid` },
    },
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
    cloud: {
      name: found.cloud,
      ...(options.project === undefined ? {} : { project: options.project }),
      ...(found.region === undefined ? {} : { region: found.region }),
      externalNetwork,
      ...(zones.size > 0 ? { availabilityZones: [...zones].sort() } : {}),
    },
    network: {
      name: manifestName(net.name, city),
      cidr,
      ...(net.mtu === undefined ? {} : { mtu: net.mtu }),
      subnets: manifestSubnets,
      router: { externalGateway: router?.externalNetworkId !== undefined },
    },
    security: { groups: manifestGroups },
    compute: { ...(keypairs.length > 0 ? { keypairs } : {}), groups: computeGroups },
    storage: { volumes: volumeDefs, containers },
    ...(partners.length > 0 ? { partners } : {}),
    environments: {
      preprod: { description: env === 'preprod' ? `imported from project ${projectLabel}` : 'rehearsal' },
      production: { description: env === 'production' ? `imported from project ${projectLabel}` : 'production' },
    },
  } as unknown as CityManifest;
  // Production wants anti-affinity for every group of more than one: a new production
  // environment gets it; adopted servers cannot join a server group without a rebuild.
  const spread = computeGroups.filter((g) => (g.count ?? 1) > 1).map((g) => g.name);
  if (env !== 'production' && spread.length > 0) {
    const production = (manifest.environments as Record<string, Record<string, unknown>>).production;
    if (production !== undefined)
      production.compute = { groups: Object.fromEntries(spread.map((n) => [n, { antiAffinity: true }])) };
  } else if (env === 'production' && spread.length > 0) {
    note(
      'not-expressible',
      `compute groups ${spread.join(', ')}`,
      'production wants anti-affinity, and existing servers can join a server group only by being rebuilt',
      'storm validate refuses these groups in production: import into another environment, or plan the rebuild',
    );
  }
  if (env !== 'preprod' && env !== 'production')
    (manifest.environments as Record<string, unknown>)[env] = { description: `imported from project ${projectLabel}` };

  comments.push({
    path: ['city'],
    text: ` guessed: displayName, country (--country), languages and owner are not in the cloud — review them`,
  });
  comments.push({
    path: ['network'],
    text: ` from network ${net.name || net.id} (${net.id}) of project ${projectLabel}`,
  });
  for (const g of groupComments) comments.push({ path: ['compute', 'groups', g.index], text: g.text });
  for (const c of containerComments) comments.push({ path: ['storage', 'containers', c.index], text: c.text });
  if (partners.length > 0)
    comments.push({
      path: ['partners'],
      text: ' from network RBAC policies and container ACLs (kind guessed: public)',
    });

  resources.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  findings.sort((a, b) =>
    a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0,
  );
  return {
    manifest,
    comments,
    adoption: { schema: ADOPTION_SCHEMA, city, env, cloud: found.cloud, projectId: found.projectId, resources },
    findings,
    counts: { servers: serversHere.length, groups: computeGroups.length, resources: resources.length },
  };
}

/** `network=<name|id>` (the only selector so far). */
export function parseSelect(select: string | undefined): { network: string } | undefined {
  if (select === undefined || select === '') return undefined;
  const m = /^network=(.+)$/.exec(select.trim());
  if (m?.[1] === undefined)
    throw new StormError('usage', `--select "${select}" is not understood`, {
      hint: 'use --select network=<name or id>',
    });
  return { network: m[1] };
}

/** A project this conversion cannot start from (a selector that matches nothing, no network). */
function fail(message: string): never {
  throw new StormError('not-found', message, { hint: 'check --cloud, --project and --select' });
}
