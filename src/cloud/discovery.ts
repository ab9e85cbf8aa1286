/**
 * Read-only discovery of what one project of a cloud holds, for `storm import`:
 * networks, subnets, routers and their interfaces, ports, security groups and
 * rules, key pairs, server groups, servers, volumes, floating IPs, object
 * containers and network RBAC policies. Only GET and HEAD requests are made.
 * Lists are followed page by page (`*_links` / `links` rel=next, Swift markers),
 * and at most `concurrency` requests are in flight so a slow or rate-limited API
 * is not flooded. What a list answers is untrusted: every field is read with a
 * type check, and anything malformed is skipped and reported, never trusted.
 */
import { StormError } from '../errors';
import type { Progress } from '../progress';
import { OpenStackHttpError, type OpenStackClient } from './openstack-client';

export const DISCOVERY_KINDS = [
  'networks',
  'subnets',
  'routers',
  'ports',
  'securityGroups',
  'keypairs',
  'serverGroups',
  'servers',
  'volumes',
  'floatingIps',
  'containers',
  'rbacPolicies',
  'loadBalancers',
] as const;
export type DiscoveryKind = (typeof DISCOVERY_KINDS)[number];

export interface DiscoveredNetwork {
  id: string;
  name: string;
  description: string;
  external: boolean;
  mtu: number | undefined;
  tags: string[];
  projectId: string;
}

export interface AllocationPool {
  start: string;
  end: string;
}

export interface DiscoveredSubnet {
  id: string;
  name: string;
  description: string;
  networkId: string;
  cidr: string;
  ipVersion: number;
  gatewayIp: string | null;
  enableDhcp: boolean;
  dnsServers: string[];
  allocationPools: AllocationPool[];
  hostRoutes: number;
  tags: string[];
}

export interface DiscoveredRouter {
  id: string;
  name: string;
  description: string;
  externalNetworkId: string | undefined;
  routes: number;
  tags: string[];
}

export interface FixedIp {
  subnetId: string;
  ipAddress: string;
}

export interface DiscoveredPort {
  id: string;
  name: string;
  networkId: string;
  deviceId: string;
  deviceOwner: string;
  fixedIps: FixedIp[];
  securityGroupIds: string[];
  allowedAddressPairs: number;
  adminStateUp: boolean;
  tags: string[];
}

export interface DiscoveredRule {
  id: string;
  direction: 'ingress' | 'egress';
  ethertype: string;
  protocol: string | null;
  portMin: number | null;
  portMax: number | null;
  remoteIpPrefix: string | null;
  remoteGroupId: string | null;
  description: string;
}

export interface DiscoveredSecurityGroup {
  id: string;
  name: string;
  description: string;
  tags: string[];
  rules: DiscoveredRule[];
}

export interface DiscoveredKeypair {
  name: string;
  /** The public half only: Nova never returns a private key after creation. */
  publicKey: string;
  /** The key exactly as Nova keeps it, when that differs from `publicKey` (a real Nova keeps a file's trailing newline). */
  publicKeyAsStored?: string;
}

export interface DiscoveredServerGroup {
  id: string;
  name: string;
  policies: string[];
  members: string[];
}

export interface DiscoveredServer {
  id: string;
  name: string;
  status: string;
  flavorName: string | undefined;
  imageId: string | undefined;
  imageName: string | undefined;
  keyName: string | undefined;
  availabilityZone: string | undefined;
  metadata: Record<string, string>;
  tags: string[];
  securityGroupNames: string[];
  volumeIds: string[];
}

export interface DiscoveredVolume {
  id: string;
  name: string;
  description: string;
  size: number;
  volumeType: string | undefined;
  bootable: boolean;
  availabilityZone: string | undefined;
  metadata: Record<string, string>;
  attachedTo: string[];
}

export interface DiscoveredFloatingIp {
  id: string;
  address: string;
  networkId: string;
  portId: string | null;
  description: string;
  tags: string[];
}

export interface DiscoveredContainer {
  name: string;
  read: string | undefined;
  write: string | undefined;
  versioning: boolean;
  metadata: Record<string, string>;
}

export interface DiscoveredRbacPolicy {
  id: string;
  objectType: string;
  objectId: string;
  action: string;
  targetProject: string;
}

/** Something storm does not manage at all, kept only to be reported. */
export interface DiscoveredOther {
  id: string;
  name: string;
}

export interface NamedRef {
  id: string;
  name: string;
}

/** Everything one project holds that storm can look at, plus what it could not read. */
export interface DiscoveredProject {
  cloud: string;
  region: string | undefined;
  projectId: string;
  projectName: string | undefined;
  externalNetworks: NamedRef[];
  images: NamedRef[];
  /** Project names by id where identity lets us list them (admins); empty otherwise. */
  projects: NamedRef[];
  networks: DiscoveredNetwork[];
  subnets: DiscoveredSubnet[];
  routers: DiscoveredRouter[];
  ports: DiscoveredPort[];
  securityGroups: DiscoveredSecurityGroup[];
  keypairs: DiscoveredKeypair[];
  serverGroups: DiscoveredServerGroup[];
  servers: DiscoveredServer[];
  volumes: DiscoveredVolume[];
  floatingIps: DiscoveredFloatingIp[];
  containers: DiscoveredContainer[];
  rbacPolicies: DiscoveredRbacPolicy[];
  /** Octavia load balancers: storm manifests have none, so they are only reported. */
  loadBalancers: DiscoveredOther[];
  /** Kinds that could not be listed (no such service, no right to list) and why. */
  unreadable: Array<{ kind: DiscoveryKind | 'images' | 'projects' | 'flavors'; reason: string }>;
}

const COMPUTE = ['compute'];
const IMAGE = ['image'];
const NETWORK = ['network'];
const VOLUME = ['block-storage', 'volumev3', 'volume'];
const OBJECT = ['object-store'];
const IDENTITY = ['identity'];
const LOAD_BALANCER = ['load-balancer'];

export interface DiscoveryOptions {
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Page size asked of paginated lists (default 500). */
  pageSize?: number;
  progress?: Progress;
}

/** A semaphore shared by every request of one discovery: at most `limit` run at once. */
export function limiter(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await fn();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

export async function discoverProject(
  client: OpenStackClient,
  options: DiscoveryOptions = {},
): Promise<DiscoveredProject> {
  const limit = limiter(Math.max(1, options.concurrency ?? 4));
  const pageSize = Math.max(1, options.pageSize ?? 500);
  const progress = options.progress ?? (() => undefined);
  const projectId = client.projectId;
  const unreadable: DiscoveredProject['unreadable'] = [];
  let done = 0;
  // One per list below: security groups take two (groups, rules); images, projects, flavors, containers one each.
  const total = DISCOVERY_KINDS.length + 4 - (client.hasService(LOAD_BALANCER) ? 0 : 1);
  const counted = async <T>(
    label: string,
    kind: DiscoveredProject['unreadable'][number]['kind'],
    services: readonly string[],
    fn: () => Promise<T[]>,
  ): Promise<T[]> => {
    try {
      if (!client.hasService(services)) {
        unreadable.push({ kind, reason: `the catalog lists no ${services.join('/')} service` });
        return [];
      }
      const out = await fn();
      return out;
    } catch (err) {
      if (err instanceof OpenStackHttpError && (err.status === 401 || err.status === 403)) {
        unreadable.push({ kind, reason: `not allowed to list ${label} (HTTP ${err.status})` });
        return [];
      }
      if (err instanceof OpenStackHttpError && err.status === 404) {
        unreadable.push({ kind, reason: `the ${label} API answered HTTP 404` });
        return [];
      }
      throw err;
    } finally {
      done += 1;
      progress({ kind: 'counter', done, total, label: 'listing' });
    }
  };

  const list = (services: readonly string[], first: string, key: string): Promise<Record<string, unknown>[]> =>
    listAll(client, limit, services, first, key);
  const q = (path: string, extra = ''): string => `${path}${path.includes('?') ? '&' : '?'}limit=${pageSize}${extra}`;
  const mine = (r: Record<string, unknown>): boolean => {
    const owner = str(r.project_id) ?? str(r.tenant_id);
    return owner === undefined || owner === projectId;
  };
  const byProject = `&project_id=${encodeURIComponent(projectId)}`;

  const [
    networksRaw,
    subnetsRaw,
    routersRaw,
    portsRaw,
    groupsRaw,
    rulesRaw,
    keypairsRaw,
    serverGroupsRaw,
    serversRaw,
    volumesRaw,
    floatingRaw,
    rbacRaw,
    imagesRaw,
    projectsRaw,
    flavorsRaw,
    loadBalancersRaw,
  ] = await Promise.all([
    counted('networks', 'networks', NETWORK, () => list(NETWORK, q('/v2.0/networks'), 'networks')),
    counted('subnets', 'subnets', NETWORK, () => list(NETWORK, q('/v2.0/subnets', byProject), 'subnets')),
    counted('routers', 'routers', NETWORK, () => list(NETWORK, q('/v2.0/routers', byProject), 'routers')),
    counted('ports', 'ports', NETWORK, () => list(NETWORK, q('/v2.0/ports', byProject), 'ports')),
    counted('security groups', 'securityGroups', NETWORK, () =>
      list(NETWORK, q('/v2.0/security-groups', byProject), 'security_groups'),
    ),
    counted('security group rules', 'securityGroups', NETWORK, () =>
      list(NETWORK, q('/v2.0/security-group-rules', byProject), 'security_group_rules'),
    ),
    counted('key pairs', 'keypairs', COMPUTE, () => list(COMPUTE, '/os-keypairs', 'keypairs')),
    counted('server groups', 'serverGroups', COMPUTE, () => list(COMPUTE, '/os-server-groups', 'server_groups')),
    counted('servers', 'servers', COMPUTE, () => list(COMPUTE, q('/servers/detail'), 'servers')),
    counted('volumes', 'volumes', VOLUME, () => list(VOLUME, q('/volumes/detail'), 'volumes')),
    counted('floating IPs', 'floatingIps', NETWORK, () =>
      list(NETWORK, q('/v2.0/floatingips', byProject), 'floatingips'),
    ),
    counted('RBAC policies', 'rbacPolicies', NETWORK, () => list(NETWORK, q('/v2.0/rbac-policies'), 'rbac_policies')),
    counted('images', 'images', IMAGE, () => list(IMAGE, '/v2/images?limit=1000', 'images')),
    counted('projects', 'projects', IDENTITY, () => list(IDENTITY, '/projects', 'projects')),
    counted('flavors', 'flavors', COMPUTE, () => list(COMPUTE, '/flavors/detail?is_public=None', 'flavors')),
    // A cloud without Octavia simply has no load balancers: not worth a report line.
    client.hasService(LOAD_BALANCER)
      ? counted('load balancers', 'loadBalancers', LOAD_BALANCER, () =>
          list(LOAD_BALANCER, q('/v2/lbaas/loadbalancers', byProject), 'loadbalancers'),
        )
      : Promise.resolve([]),
  ]);
  const flavors = new Map(flavorsRaw.map((f) => [str(f.id) ?? '', str(f.name) ?? '']));
  const containers = await counted('containers', 'containers', OBJECT, () => listContainers(client, limit));

  const allNetworks = networksRaw.map(toNetwork).filter(isDefined);
  const groups = groupsRaw
    .filter(mine)
    .map((g) => toSecurityGroup(g, rulesRaw))
    .filter(isDefined);
  const images = imagesRaw.flatMap((i) =>
    str(i.id) === undefined ? [] : [{ id: str(i.id) ?? '', name: str(i.name) ?? '' }],
  );
  const projectName = (() => {
    for (const p of projectsRaw) if (str(p.id) === projectId) return str(p.name);
    return client.credentials.auth.type === 'password' ? client.credentials.auth.projectName : undefined;
  })();

  return {
    cloud: client.credentials.cloudName,
    region: client.credentials.regionName,
    projectId,
    projectName,
    externalNetworks: allNetworks.filter((n) => n.external).map((n) => ({ id: n.id, name: n.name })),
    images,
    projects: projectsRaw.flatMap((p) =>
      str(p.id) === undefined ? [] : [{ id: str(p.id) ?? '', name: str(p.name) ?? '' }],
    ),
    networks: allNetworks.filter((n) => !n.external && n.projectId === projectId),
    subnets: subnetsRaw.filter(mine).map(toSubnet).filter(isDefined),
    routers: routersRaw.filter(mine).map(toRouter).filter(isDefined),
    ports: portsRaw.filter(mine).map(toPort).filter(isDefined),
    securityGroups: groups,
    keypairs: keypairsRaw.map((k) => toKeypair(isRecord(k.keypair) ? k.keypair : k)).filter(isDefined),
    serverGroups: serverGroupsRaw.filter(mine).map(toServerGroup).filter(isDefined),
    servers: serversRaw
      .filter(mine)
      .map((s) => toServer(s, images, flavors))
      .filter(isDefined),
    volumes: volumesRaw
      .filter((v) => {
        const owner = str(v['os-vol-tenant-attr:tenant_id']);
        return owner === undefined || owner === projectId;
      })
      .map(toVolume)
      .filter(isDefined),
    floatingIps: floatingRaw.filter(mine).map(toFloatingIp).filter(isDefined),
    containers,
    rbacPolicies: rbacRaw.filter(mine).map(toRbac).filter(isDefined),
    loadBalancers: loadBalancersRaw.filter(mine).flatMap((l) => {
      const id = str(l.id);
      return id === undefined ? [] : [{ id, name: str(l.name) ?? '' }];
    }),
    unreadable: unreadable.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)),
  };
}

/** Every item of a paginated list, following `<key>_links`/`links` rel=next. */
async function listAll(
  client: OpenStackClient,
  limit: <T>(fn: () => Promise<T>) => Promise<T>,
  services: readonly string[],
  first: string,
  key: string,
): Promise<Record<string, unknown>[]> {
  const base = client.endpoint(services);
  const items: Record<string, unknown>[] = [];
  let path: string | undefined = first;
  const seen = new Set<string>();
  while (path !== undefined && !seen.has(path)) {
    seen.add(path);
    const current: string = path;
    const body = await limit(() => client.get(services, current));
    items.push(...records(field(body, key)));
    path = nextPage(body, key, base);
  }
  return items;
}

/** A resource an import adopts: its resource type and its import ID. */
export interface AdoptedRef {
  type: string;
  id: string;
}

type PresenceList =
  | 'networks'
  | 'subnets'
  | 'routers'
  | 'ports'
  | 'securityGroups'
  | 'rules'
  | 'floatingIps'
  | 'rbacPolicies'
  | 'servers'
  | 'keypairs'
  | 'volumes'
  | 'containers';

/** Which lists must still name an adopted resource's import ID (or its parts). */
function presenceOf(type: string, id: string): Array<[PresenceList, string]> | undefined {
  switch (type) {
    case 'openstack_networking_network_v2':
      return [['networks', id]];
    case 'openstack_networking_subnet_v2':
      return [['subnets', id]];
    case 'openstack_networking_router_v2':
      return [['routers', id]];
    // A router interface is imported by its port.
    case 'openstack_networking_router_interface_v2':
    case 'openstack_networking_port_v2':
      return [['ports', id]];
    case 'openstack_networking_secgroup_v2':
      return [['securityGroups', id]];
    case 'openstack_networking_secgroup_rule_v2':
      return [['rules', id]];
    case 'openstack_networking_floatingip_v2':
    case 'openstack_networking_floatingip_associate_v2':
      return [['floatingIps', id]];
    case 'openstack_networking_rbac_policy_v2':
      return [['rbacPolicies', id]];
    case 'openstack_compute_instance_v2':
      return [['servers', id]];
    case 'openstack_compute_keypair_v2':
      return [['keypairs', id]];
    case 'openstack_blockstorage_volume_v3':
      return [['volumes', id]];
    case 'openstack_compute_volume_attach_v2': {
      // "<server>/<volume>": both must still be there.
      const [server, volume] = id.split('/');
      return server === undefined || volume === undefined
        ? undefined
        : [
            ['servers', server],
            ['volumes', volume],
          ];
    }
    case 'openstack_objectstorage_container_v1':
      return [['containers', id]];
    default:
      return undefined;
  }
}

/**
 * The adopted resources that are gone by now: each kind an import adopts is listed
 * once more (ids only), so a resource deleted while the project was being read is
 * found before an adoption record names it. A kind that cannot be listed again is
 * not judged.
 */
export async function missingResources<T extends AdoptedRef>(
  client: OpenStackClient,
  adopted: readonly T[],
  options: DiscoveryOptions = {},
): Promise<T[]> {
  const limit = limiter(Math.max(1, options.concurrency ?? 4));
  const pageSize = Math.max(1, options.pageSize ?? 500);
  const net = (path: string): string => `${path}?limit=${pageSize}&project_id=${encodeURIComponent(client.projectId)}`;
  const ids = async (
    services: readonly string[],
    first: string,
    key: string,
    pick = (r: Record<string, unknown>): string | undefined => str(r.id),
  ): Promise<Set<string>> => new Set((await listAll(client, limit, services, first, key)).map(pick).filter(isDefined));
  const lists: Record<PresenceList, () => Promise<Set<string>>> = {
    networks: () => ids(NETWORK, net('/v2.0/networks'), 'networks'),
    subnets: () => ids(NETWORK, net('/v2.0/subnets'), 'subnets'),
    routers: () => ids(NETWORK, net('/v2.0/routers'), 'routers'),
    ports: () => ids(NETWORK, net('/v2.0/ports'), 'ports'),
    securityGroups: () => ids(NETWORK, net('/v2.0/security-groups'), 'security_groups'),
    rules: () => ids(NETWORK, net('/v2.0/security-group-rules'), 'security_group_rules'),
    floatingIps: () => ids(NETWORK, net('/v2.0/floatingips'), 'floatingips'),
    rbacPolicies: () => ids(NETWORK, net('/v2.0/rbac-policies'), 'rbac_policies'),
    servers: () => ids(COMPUTE, `/servers?limit=${pageSize}`, 'servers'),
    keypairs: () => ids(COMPUTE, '/os-keypairs', 'keypairs', (k) => str(isRecord(k.keypair) ? k.keypair.name : k.name)),
    volumes: () => ids(VOLUME, `/volumes?limit=${pageSize}`, 'volumes'),
    containers: async () => new Set(await listContainerNames(client, limit)),
  };
  const needs = adopted.map((a) => ({ a, needs: presenceOf(a.type, a.id) }));
  const wanted = [...new Set(needs.flatMap((n) => (n.needs ?? []).map(([list]) => list)))].sort();
  const present = new Map<PresenceList, Set<string>>();
  await Promise.all(
    wanted.map(async (list) => {
      try {
        present.set(list, await lists[list]());
      } catch (err) {
        if (err instanceof OpenStackHttpError && [401, 403, 404].includes(err.status)) return;
        throw err;
      }
    }),
  );
  return needs
    .filter((n) => (n.needs ?? []).some(([list, id]) => present.get(list)?.has(id) === false))
    .map((n) => n.a);
}

async function listContainerNames(
  client: OpenStackClient,
  limit: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<string[]> {
  const names: string[] = [];
  let marker: string | undefined;
  // Swift pages by marker: ask again from the last name until a page comes back empty.
  for (;;) {
    const path = `?format=json&limit=1000${marker === undefined ? '' : `&marker=${encodeURIComponent(marker)}`}`;
    const body = await limit(() => client.get(OBJECT, path));
    const page = Array.isArray(body)
      ? body
          .filter(isRecord)
          .map((c) => str(c.name))
          .filter(isDefined)
      : [];
    if (page.length === 0) break;
    names.push(...page);
    const last = page[page.length - 1];
    if (last === marker) break;
    marker = last;
  }
  return names;
}

async function listContainers(
  client: OpenStackClient,
  limit: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<DiscoveredContainer[]> {
  const names = await listContainerNames(client, limit);
  const out = await Promise.all(
    names.map((name) =>
      limit(async () => {
        try {
          const { headers } = await client.getWithHeaders(OBJECT, `/${encodeURIComponent(name)}`, 'HEAD');
          const metadata: Record<string, string> = {};
          headers.forEach((value, key) => {
            const m = /^x-container-meta-(.+)$/i.exec(key);
            // Swift keeps its own temp-url keys in container metadata: a secret, never copied.
            if (m?.[1] !== undefined && !/^temp-url-key/i.test(m[1])) metadata[m[1].toLowerCase()] = value;
          });
          return {
            name,
            read: headers.get('x-container-read') ?? undefined,
            write: headers.get('x-container-write') ?? undefined,
            versioning: (headers.get('x-versions-enabled') ?? '').toLowerCase() === 'true',
            metadata,
          };
        } catch (err) {
          // Deleted between the list and the HEAD: it is simply not there any more.
          if (err instanceof OpenStackHttpError && err.status === 404) return undefined;
          throw err;
        }
      }),
    ),
  );
  return out.filter(isDefined);
}

/** The path of the next page of a list answer, when it names one under the same endpoint. */
export function nextPage(body: unknown, key: string, base: string): string | undefined {
  const links = field(body, `${key}_links`) ?? field(body, 'links');
  for (const l of records(links)) {
    if (l.rel !== 'next') continue;
    const href = str(l.href);
    if (href === undefined) return undefined;
    // Some services answer http:// behind a TLS proxy: compare without the scheme.
    const strip = (u: string): string => u.replace(/^https?:\/\//, '');
    if (!strip(href).startsWith(strip(base))) {
      throw new StormError('cloud', `a list of ${key} names its next page outside its endpoint (${href})`, {
        hint: 'the cloud is misconfigured (endpoint URLs behind a proxy); storm does not follow it',
      });
    }
    return strip(href).slice(strip(base).length);
  }
  return undefined;
}

function toNetwork(r: Record<string, unknown>): DiscoveredNetwork | undefined {
  const id = str(r.id);
  if (id === undefined) return undefined;
  return {
    id,
    name: str(r.name) ?? '',
    description: str(r.description) ?? '',
    external: r['router:external'] === true,
    mtu: typeof r.mtu === 'number' ? r.mtu : undefined,
    tags: strings(r.tags),
    projectId: str(r.project_id) ?? str(r.tenant_id) ?? '',
  };
}

function toSubnet(r: Record<string, unknown>): DiscoveredSubnet | undefined {
  const id = str(r.id);
  const networkId = str(r.network_id);
  const cidr = str(r.cidr);
  if (id === undefined || networkId === undefined || cidr === undefined) return undefined;
  return {
    id,
    name: str(r.name) ?? '',
    description: str(r.description) ?? '',
    networkId,
    cidr,
    ipVersion: typeof r.ip_version === 'number' ? r.ip_version : cidr.includes(':') ? 6 : 4,
    gatewayIp: str(r.gateway_ip) ?? null,
    enableDhcp: r.enable_dhcp !== false,
    dnsServers: strings(r.dns_nameservers),
    allocationPools: records(r.allocation_pools).flatMap((p) => {
      const start = str(p.start);
      const end = str(p.end);
      return start === undefined || end === undefined ? [] : [{ start, end }];
    }),
    hostRoutes: Array.isArray(r.host_routes) ? r.host_routes.length : 0,
    tags: strings(r.tags),
  };
}

function toRouter(r: Record<string, unknown>): DiscoveredRouter | undefined {
  const id = str(r.id);
  if (id === undefined) return undefined;
  const gw = isRecord(r.external_gateway_info) ? r.external_gateway_info : undefined;
  return {
    id,
    name: str(r.name) ?? '',
    description: str(r.description) ?? '',
    externalNetworkId: gw === undefined ? undefined : str(gw.network_id),
    routes: Array.isArray(r.routes) ? r.routes.length : 0,
    tags: strings(r.tags),
  };
}

function toPort(r: Record<string, unknown>): DiscoveredPort | undefined {
  const id = str(r.id);
  const networkId = str(r.network_id);
  if (id === undefined || networkId === undefined) return undefined;
  return {
    id,
    name: str(r.name) ?? '',
    networkId,
    deviceId: str(r.device_id) ?? '',
    deviceOwner: str(r.device_owner) ?? '',
    fixedIps: records(r.fixed_ips).flatMap((f) => {
      const subnetId = str(f.subnet_id);
      const ipAddress = str(f.ip_address);
      return subnetId === undefined || ipAddress === undefined ? [] : [{ subnetId, ipAddress }];
    }),
    securityGroupIds: strings(r.security_groups),
    allowedAddressPairs: Array.isArray(r.allowed_address_pairs) ? r.allowed_address_pairs.length : 0,
    adminStateUp: r.admin_state_up !== false,
    tags: strings(r.tags),
  };
}

function toSecurityGroup(
  r: Record<string, unknown>,
  allRules: Record<string, unknown>[],
): DiscoveredSecurityGroup | undefined {
  const id = str(r.id);
  if (id === undefined) return undefined;
  // The group's own list, or the project-wide rule list when the group answer leaves it out.
  const own = records(r.security_group_rules);
  const rules = (own.length > 0 ? own : allRules.filter((x) => str(x.security_group_id) === id))
    .map(toRule)
    .filter(isDefined)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { id, name: str(r.name) ?? '', description: str(r.description) ?? '', tags: strings(r.tags), rules };
}

function toRule(r: Record<string, unknown>): DiscoveredRule | undefined {
  const id = str(r.id);
  const direction = r.direction === 'ingress' || r.direction === 'egress' ? r.direction : undefined;
  if (id === undefined || direction === undefined) return undefined;
  return {
    id,
    direction,
    ethertype: str(r.ethertype) ?? 'IPv4',
    protocol: str(r.protocol) ?? null,
    portMin: typeof r.port_range_min === 'number' ? r.port_range_min : null,
    portMax: typeof r.port_range_max === 'number' ? r.port_range_max : null,
    remoteIpPrefix: str(r.remote_ip_prefix) ?? null,
    remoteGroupId: str(r.remote_group_id) ?? null,
    description: str(r.description) ?? '',
  };
}

function toKeypair(r: Record<string, unknown>): DiscoveredKeypair | undefined {
  const name = str(r.name);
  const publicKey = str(r.public_key);
  if (name === undefined || publicKey === undefined) return undefined;
  const trimmed = publicKey.trim();
  return { name, publicKey: trimmed, ...(trimmed === publicKey ? {} : { publicKeyAsStored: publicKey }) };
}

function toServerGroup(r: Record<string, unknown>): DiscoveredServerGroup | undefined {
  const id = str(r.id);
  if (id === undefined) return undefined;
  const policy = str(r.policy);
  return {
    id,
    name: str(r.name) ?? '',
    policies: policy !== undefined ? [policy] : strings(r.policies),
    members: strings(r.members),
  };
}

function toServer(
  r: Record<string, unknown>,
  images: readonly NamedRef[],
  flavors: ReadonlyMap<string, string>,
): DiscoveredServer | undefined {
  const id = str(r.id);
  if (id === undefined) return undefined;
  const flavor = isRecord(r.flavor) ? r.flavor : undefined;
  const image = isRecord(r.image) ? r.image : undefined;
  const imageId = image === undefined ? undefined : str(image.id);
  const metadata: Record<string, string> = {};
  if (isRecord(r.metadata)) for (const [k, v] of Object.entries(r.metadata)) if (typeof v === 'string') metadata[k] = v;
  return {
    id,
    name: str(r.name) ?? '',
    status: str(r.status) ?? '',
    // Before microversion 2.47 a server names its flavor by id only.
    flavorName:
      flavor === undefined
        ? undefined
        : (str(flavor.original_name) ?? str(flavor.name) ?? flavors.get(str(flavor.id) ?? '') ?? undefined),
    imageId,
    imageName: imageId === undefined ? undefined : images.find((i) => i.id === imageId)?.name,
    keyName: str(r.key_name),
    availabilityZone: str(r['OS-EXT-AZ:availability_zone']),
    metadata,
    tags: strings(r.tags),
    securityGroupNames: [
      ...new Set(
        records(r.security_groups)
          .map((g) => str(g.name))
          .filter(isDefined),
      ),
    ].sort(),
    volumeIds: records(r['os-extended-volumes:volumes_attached'])
      .map((v) => str(v.id))
      .filter(isDefined),
  };
}

function toVolume(r: Record<string, unknown>): DiscoveredVolume | undefined {
  const id = str(r.id);
  if (id === undefined || typeof r.size !== 'number') return undefined;
  const metadata: Record<string, string> = {};
  if (isRecord(r.metadata)) for (const [k, v] of Object.entries(r.metadata)) if (typeof v === 'string') metadata[k] = v;
  return {
    id,
    name: str(r.name) ?? '',
    description: str(r.description) ?? '',
    size: r.size,
    volumeType: str(r.volume_type),
    bootable: r.bootable === true || r.bootable === 'true',
    availabilityZone: str(r.availability_zone),
    metadata,
    attachedTo: records(r.attachments)
      .map((a) => str(a.server_id))
      .filter(isDefined),
  };
}

function toFloatingIp(r: Record<string, unknown>): DiscoveredFloatingIp | undefined {
  const id = str(r.id);
  const address = str(r.floating_ip_address);
  const networkId = str(r.floating_network_id);
  if (id === undefined || address === undefined || networkId === undefined) return undefined;
  return {
    id,
    address,
    networkId,
    portId: str(r.port_id) ?? null,
    description: str(r.description) ?? '',
    tags: strings(r.tags),
  };
}

function toRbac(r: Record<string, unknown>): DiscoveredRbacPolicy | undefined {
  const id = str(r.id);
  const objectType = str(r.object_type);
  const objectId = str(r.object_id);
  const action = str(r.action);
  const target = str(r.target_tenant) ?? str(r.target_project);
  if (
    id === undefined ||
    objectType === undefined ||
    objectId === undefined ||
    action === undefined ||
    target === undefined
  )
    return undefined;
  return { id, objectType, objectId, action, targetProject: target };
}

function field(body: unknown, key: string): unknown {
  return isRecord(body) ? body[key] : undefined;
}

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isDefined<T>(v: T | undefined): v is T {
  return v !== undefined;
}
