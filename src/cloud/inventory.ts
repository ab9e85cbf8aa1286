/**
 * What pre-flight needs to know about a cloud, read in one pass: flavors,
 * images, external networks, availability zones, volume types and the
 * project's quotas with their usage.
 */
import { OpenStackClient, OpenStackHttpError } from './openstack-client';

export interface FlavorInfo {
  id: string;
  name: string;
  vcpus: number;
  ramMiB: number;
  diskGiB: number;
}

/** One quota: -1 limit means unlimited. */
export interface QuotaUsage {
  used: number;
  limit: number;
}

export type QuotaName =
  | 'instances'
  | 'cores'
  | 'ramMiB'
  | 'volumes'
  | 'gigabytes'
  | 'floatingIps'
  | 'ports'
  | 'securityGroups'
  | 'securityGroupRules'
  | 'networks'
  | 'subnets'
  | 'routers';

export const QUOTA_LABELS: Record<QuotaName, string> = {
  instances: 'instances',
  cores: 'cores',
  ramMiB: 'RAM (MiB)',
  volumes: 'volumes',
  gigabytes: 'volume gigabytes',
  floatingIps: 'floating IPs',
  ports: 'ports',
  securityGroups: 'security groups',
  securityGroupRules: 'security group rules',
  networks: 'networks',
  subnets: 'subnets',
  routers: 'routers',
};

export interface CloudInventory {
  projectId: string;
  /** False when the catalog lists no compute service (then flavors and zones are empty). */
  hasCompute: boolean;
  flavors: FlavorInfo[];
  images: string[];
  /** Minimum disk (GiB) and RAM (MiB) an image needs, by name; sizeGiB is its own size (bytes, rounded up). */
  imageMinimums?: Record<string, ImageMinimums>;
  /** Aliases of Neutron's extensions (rbac-policies, …); undefined when the cloud does not list them. */
  networkExtensions?: string[] | undefined;
  /** The highest compute microversion the cloud offers ("2.95"); undefined when unknown. */
  computeMaxMicroversion?: string | undefined;
  /** The middleware object storage announces in its /info (object_versioning, tempurl…); undefined when unknown. */
  objectStoreCapabilities?: string[] | undefined;
  /** The service types of the catalog (compute, load-balancer, key-manager, dns…); undefined when unknown. */
  catalogTypes?: string[] | undefined;
  externalNetworks: string[];
  availabilityZones: string[];
  /** undefined when the cloud has no block-storage service. */
  volumeTypes: string[] | undefined;
  /** Project names and ids; undefined when the credentials may not list projects (not an admin). */
  projects?: string[] | undefined;
  projectIds?: string[] | undefined;
  quotas: Partial<Record<QuotaName, QuotaUsage>>;
}

export interface ImageMinimums {
  minDiskGiB: number;
  minRamMiB: number;
  sizeGiB?: number;
}

const COMPUTE = ['compute'];
const IMAGE = ['image'];
const NETWORK = ['network'];
const VOLUME = ['block-storage', 'volumev3', 'volume'];
const OBJECT_STORE = ['object-store'];

export async function readInventory(client: OpenStackClient): Promise<CloudInventory> {
  const hasVolume = client.hasService(VOLUME);
  const hasCompute = client.hasService(COMPUTE);
  const [
    flavors,
    images,
    externalNetworks,
    availabilityZones,
    volumeTypes,
    computeLimits,
    volumeLimits,
    networkQuotas,
    projects,
    networkExtensions,
    computeMaxMicroversion,
    objectStoreCapabilities,
  ] = await Promise.all([
    hasCompute ? readFlavors(client) : Promise.resolve([]),
    client.hasService(IMAGE) ? readImages(client) : Promise.resolve({ names: [], minimums: {} }),
    readExternalNetworks(client),
    hasCompute ? readAvailabilityZones(client) : Promise.resolve([]),
    hasVolume ? readVolumeTypes(client) : Promise.resolve(undefined),
    hasCompute ? readComputeLimits(client) : Promise.resolve({}),
    hasVolume ? readVolumeLimits(client) : Promise.resolve({}),
    readNetworkQuotas(client),
    readProjects(client),
    readNetworkExtensions(client),
    hasCompute ? readComputeMaxMicroversion(client) : Promise.resolve(undefined),
    client.hasService(OBJECT_STORE) ? readObjectStoreCapabilities(client) : Promise.resolve(undefined),
  ]);
  return {
    projectId: client.projectId,
    hasCompute,
    flavors,
    images: images.names,
    imageMinimums: images.minimums,
    externalNetworks,
    availabilityZones,
    volumeTypes,
    projects: projects?.names,
    projectIds: projects?.ids,
    quotas: { ...computeLimits, ...volumeLimits, ...networkQuotas },
    networkExtensions,
    computeMaxMicroversion,
    objectStoreCapabilities,
    catalogTypes: [...new Set(client.catalog.map((s) => s.type))].sort(),
  };
}

/**
 * Swift's capabilities: GET /info at the root of the object-store endpoint (no token needed). A
 * cloud that does not answer it is not judged on them.
 */
async function readObjectStoreCapabilities(client: OpenStackClient): Promise<string[] | undefined> {
  const endpoint = client.endpoint(OBJECT_STORE);
  const root = endpoint.replace(/\/v1(\.0)?(\/[^/]*)?$/, '');
  try {
    const res = await client.fetch(`${root}/info`, {
      headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status !== 200) return undefined;
    const body = (await res.json()) as unknown;
    return typeof body === 'object' && body !== null ? Object.keys(body).sort() : undefined;
  } catch {
    // /info may be disabled (expose_info = false) or elsewhere: no judgement then.
    return undefined;
  }
}

/** Neutron's extension aliases; a cloud that refuses the listing is not judged on them. */
async function readNetworkExtensions(client: OpenStackClient): Promise<string[] | undefined> {
  try {
    return records(field(await client.get(NETWORK, '/v2.0/extensions'), 'extensions'))
      .map((e) => e.alias)
      .filter((a): a is string => typeof a === 'string');
  } catch (err) {
    if (err instanceof OpenStackHttpError && err.status >= 400 && err.status < 500) return undefined;
    throw err;
  }
}

/** Nova's version document (GET on the endpoint itself) names its highest microversion. */
async function readComputeMaxMicroversion(client: OpenStackClient): Promise<string | undefined> {
  try {
    const version = field(await client.get(COMPUTE, '/'), 'version');
    const max = field(version, 'version');
    return typeof max === 'string' && /^\d+\.\d+$/.test(max) ? max : undefined;
  } catch (err) {
    if (err instanceof OpenStackHttpError && err.status >= 400 && err.status < 500) return undefined;
    throw err;
  }
}

async function readFlavors(client: OpenStackClient): Promise<FlavorInfo[]> {
  const body = await client.get(COMPUTE, '/flavors/detail?is_public=None');
  return records(field(body, 'flavors')).map((f) => ({
    id: String(f.id),
    name: String(f.name),
    vcpus: num(f.vcpus),
    ramMiB: num(f.ram),
    diskGiB: num(f.disk),
  }));
}

async function readImages(
  client: OpenStackClient,
): Promise<{ names: string[]; minimums: Record<string, ImageMinimums> }> {
  const names: string[] = [];
  const minimums: Record<string, ImageMinimums> = {};
  let next: string | undefined = '/v2/images?limit=1000';
  for (let page = 0; next !== undefined && page < 20; page++) {
    const body = await client.get(IMAGE, next);
    for (const img of records(field(body, 'images'))) {
      if (typeof img.name !== 'string' || (img.status !== undefined && img.status !== 'active')) continue;
      names.push(img.name);
      // Nova refuses a root disk smaller than the image itself too (FlavorDiskSmallerThanImage).
      const bytes = Math.max(num(img.size), num(img.virtual_size));
      minimums[img.name] = {
        minDiskGiB: num(img.min_disk),
        minRamMiB: num(img.min_ram),
        ...(bytes > 0 ? { sizeGiB: Math.ceil(bytes / 1024 ** 3) } : {}),
      };
    }
    const n = field(body, 'next');
    next = typeof n === 'string' ? n : undefined;
  }
  return { names, minimums };
}

async function readExternalNetworks(client: OpenStackClient): Promise<string[]> {
  const body = await client.get(NETWORK, '/v2.0/networks?router:external=true');
  return records(field(body, 'networks'))
    .filter((n) => n['router:external'] === true)
    .map((n) => String(n.name));
}

async function readAvailabilityZones(client: OpenStackClient): Promise<string[]> {
  const body = await client.get(COMPUTE, '/os-availability-zone');
  return records(field(body, 'availabilityZoneInfo'))
    .filter((z) => !isRecord(z.zoneState) || z.zoneState.available !== false)
    .map((z) => String(z.zoneName));
}

async function readVolumeTypes(client: OpenStackClient): Promise<string[]> {
  const body = await client.get(VOLUME, '/types');
  return records(field(body, 'volume_types')).map((t) => String(t.name));
}

/** Listing projects needs an admin role on most clouds; without it the check is skipped. */
async function readProjects(client: OpenStackClient): Promise<{ names: string[]; ids: string[] } | undefined> {
  const base = client.endpoint(['identity']);
  const prefix = /\/v3$/.test(base) ? '' : '/v3';
  try {
    const list = records(field(await client.get(['identity'], `${prefix}/projects`), 'projects'));
    return { names: list.map((p) => String(p.name)), ids: list.map((p) => String(p.id)) };
  } catch (err) {
    if (err instanceof OpenStackHttpError && (err.status === 403 || err.status === 401)) return undefined;
    throw err;
  }
}

async function readComputeLimits(client: OpenStackClient): Promise<Partial<Record<QuotaName, QuotaUsage>>> {
  const abs = field(field(await client.get(COMPUTE, '/limits'), 'limits'), 'absolute');
  if (!isRecord(abs)) return {};
  return {
    instances: { used: num(abs.totalInstancesUsed), limit: num(abs.maxTotalInstances, -1) },
    cores: { used: num(abs.totalCoresUsed), limit: num(abs.maxTotalCores, -1) },
    ramMiB: { used: num(abs.totalRAMUsed), limit: num(abs.maxTotalRAMSize, -1) },
  };
}

async function readVolumeLimits(client: OpenStackClient): Promise<Partial<Record<QuotaName, QuotaUsage>>> {
  const abs = field(field(await client.get(VOLUME, '/limits'), 'limits'), 'absolute');
  if (!isRecord(abs)) return {};
  return {
    volumes: { used: num(abs.totalVolumesUsed), limit: num(abs.maxTotalVolumes, -1) },
    gigabytes: { used: num(abs.totalGigabytesUsed), limit: num(abs.maxTotalVolumeGigabytes, -1) },
  };
}

const NEUTRON_QUOTAS: ReadonlyArray<[QuotaName, string, string, string]> = [
  ['floatingIps', 'floatingip', '/v2.0/floatingips', 'floatingips'],
  ['ports', 'port', '/v2.0/ports', 'ports'],
  ['securityGroups', 'security_group', '/v2.0/security-groups', 'security_groups'],
  ['securityGroupRules', 'security_group_rule', '/v2.0/security-group-rules', 'security_group_rules'],
  ['networks', 'network', '/v2.0/networks', 'networks'],
  ['subnets', 'subnet', '/v2.0/subnets', 'subnets'],
  ['routers', 'router', '/v2.0/routers', 'routers'],
];

/**
 * Neutron's quota "details" extension gives used and limit at once; clouds
 * without it get the limits from /quotas and the usage by counting the project's
 * resources.
 */
async function readNetworkQuotas(client: OpenStackClient): Promise<Partial<Record<QuotaName, QuotaUsage>>> {
  const project = encodeURIComponent(client.projectId);
  const out: Partial<Record<QuotaName, QuotaUsage>> = {};
  try {
    const quota = field(await client.get(NETWORK, `/v2.0/quotas/${project}/details`), 'quota');
    if (isRecord(quota)) {
      for (const [name, key] of NEUTRON_QUOTAS) {
        const q = quota[key];
        if (isRecord(q)) out[name] = { used: num(q.used), limit: num(q.limit, -1) };
      }
      return out;
    }
  } catch (err) {
    if (!(err instanceof OpenStackHttpError) || (err.status !== 404 && err.status !== 400)) throw err;
  }
  const quota = field(await client.get(NETWORK, `/v2.0/quotas/${project}`), 'quota');
  if (!isRecord(quota)) return out;
  await Promise.all(
    NEUTRON_QUOTAS.map(async ([name, key, path, plural]) => {
      const limit = num(quota[key], -1);
      const used = records(field(await client.get(NETWORK, `${path}?project_id=${project}&fields=id`), plural)).length;
      out[name] = { used, limit };
    }),
  );
  return out;
}

function field(v: unknown, key: string): unknown {
  return isRecord(v) ? v[key] : undefined;
}

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v)
    ? v
    : typeof v === 'string' && v !== '' && Number.isFinite(Number(v))
      ? Number(v)
      : fallback;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
