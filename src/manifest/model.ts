/**
 * The manifest with one environment applied. Synthesis, audit and deploy work on
 * a ResolvedCity, never on raw overrides: every optional section is present,
 * defaults from the schema are filled in, and the environment's overrides are
 * merged into the items they name.
 *
 * Merge rules (documented in the schema's override descriptions):
 * - items are matched by name; only the fields an override lists change;
 * - scalars and arrays are replaced; `metadata`, service `parameters` and `tags`
 *   are merged key by key; `waivers` are appended (an environment can add one);
 * - array indexes of items never change, so a path into a ResolvedCity is also a
 *   path into the manifest (see overrideOrigin for values an override set).
 */
import type {
  Cidr,
  CityManifest,
  City,
  Cloud,
  ComputeGroup,
  Container,
  Environment,
  Keypair,
  Network,
  Partner,
  SecurityGroup,
  Service,
  State,
  Subnet,
  Tags,
  Tls,
  Volume,
  Waiver,
} from './city-manifest.types';
import { StormError } from '../errors';
import type { DocPath } from './source';

export type { CityManifest } from './city-manifest.types';

/** The environments every manifest must define; production is always named explicitly. */
export const REQUIRED_ENVIRONMENTS = ['preprod', 'production'] as const;
export const DEFAULT_ENVIRONMENT = 'preprod';

export type ResolvedComputeGroup = ComputeGroup & {
  count: number;
  antiAffinity: boolean;
  floatingIp: boolean;
  personalData: boolean;
  securityGroups: string[];
  volumes: string[];
  metadata: NonNullable<ComputeGroup['metadata']>;
  waivers: Waiver[];
};

export type ResolvedService = Service & {
  name: string;
  parameters: Record<string, unknown>;
  personalData: boolean;
  waivers: Waiver[];
  /** The load balancer (and its TLS and name) in front of the service's instances, when it has one. */
  frontDoor: ResolvedFrontDoor | undefined;
};

/** A service's front door with every default filled in. */
export interface ResolvedFrontDoor {
  algorithm: 'ROUND_ROBIN' | 'LEAST_CONNECTIONS' | 'SOURCE_IP';
  healthCheck: {
    /** undefined: the template's health check path (synthesis knows the template). */
    path: string | undefined;
    interval: number;
    timeout: number;
    retries: number;
  };
  sessionPersistence: 'SOURCE_IP' | 'HTTP_COOKIE' | undefined;
  tls: Tls | undefined;
  /** The record's zone and fully qualified name (both ending with a dot). */
  dns: { zone: string; fqdn: string; email: string } | undefined;
}

export const FRONT_DOOR_DEFAULTS = { algorithm: 'ROUND_ROBIN', interval: 5, timeout: 3, retries: 3 } as const;

/**
 * Whether a service gets a front door in `env`: when it asks for one (a `loadBalancer`
 * mapping or true, `tls`, `dns`), or by default in production when its group runs
 * more than one instance; `loadBalancer: false` always opts out.
 */
export function resolveFrontDoor(
  service: Pick<Service, 'loadBalancer' | 'tls' | 'dns'>,
  name: string,
  env: string,
  groupCount: number,
  ownerEmail: string,
): ResolvedFrontDoor | undefined {
  const lb = service.loadBalancer;
  if (lb === false) return undefined;
  const asked = lb !== undefined || service.tls !== undefined || service.dns !== undefined;
  if (!asked && !(env === 'production' && groupCount > 1)) return undefined;
  const settings = typeof lb === 'object' ? lb : {};
  const dns = service.dns;
  const zone = dns === undefined ? undefined : dns.zone.endsWith('.') ? dns.zone : `${dns.zone}.`;
  return {
    algorithm: settings.algorithm ?? FRONT_DOOR_DEFAULTS.algorithm,
    healthCheck: {
      path: settings.healthCheck?.path,
      interval: settings.healthCheck?.interval ?? FRONT_DOOR_DEFAULTS.interval,
      timeout: settings.healthCheck?.timeout ?? FRONT_DOOR_DEFAULTS.timeout,
      retries: settings.healthCheck?.retries ?? FRONT_DOOR_DEFAULTS.retries,
    },
    sessionPersistence: settings.sessionPersistence,
    tls: service.tls,
    dns:
      dns === undefined || zone === undefined
        ? undefined
        : { zone, fqdn: `${dns.name ?? name}.${zone}`, email: dns.email ?? ownerEmail },
  };
}

export type ResolvedSubnet = Subnet & {
  dnsServers: string[];
  allocationPools: NonNullable<Subnet['allocationPools']>;
  enableDhcp: boolean;
};

export interface ResolvedCity {
  /** Environment this city was resolved for, e.g. "production". */
  env: string;
  /** Every environment the manifest defines, sorted. */
  environments: string[];
  apiVersion: CityManifest['apiVersion'];
  city: City;
  tags: Tags;
  cloud: Omit<Cloud, 'region' | 'availabilityZones'> & { region: string; availabilityZones: string[] };
  network: Omit<Network, 'subnets'> & {
    name: string;
    dnsServers: string[];
    subnets: ResolvedSubnet[];
    router: { externalGateway: boolean };
  };
  security: {
    adminCidrs: Cidr[];
    groups: (SecurityGroup & { rules: NonNullable<SecurityGroup['rules']>; waivers: Waiver[] })[];
  };
  compute: { keypairs: Keypair[]; groups: ResolvedComputeGroup[] };
  storage: {
    volumes: (Volume & { personalData: boolean; waivers: Waiver[] })[];
    containers: (Container & {
      acl: 'private' | 'public-read';
      versioning: boolean;
      openData: boolean;
      personalData: boolean;
      waivers: Waiver[];
    })[];
  };
  partners: (Partner & { waivers: Waiver[] })[];
  services: ResolvedService[];
  state: State;
  /** Top-level waivers plus the environment's. */
  waivers: Waiver[];
}

/** The name a service is known by: its own, or its template's. */
export function serviceName(service: Pick<Service, 'name' | 'template'>): string {
  return service.name ?? service.template;
}

/** The key pair a group uses: its own, or the manifest's only one. */
export function groupKeypair(group: Pick<ComputeGroup, 'keypair'>, keypairs: readonly Keypair[]): string | undefined {
  if (group.keypair !== undefined) return group.keypair;
  return keypairs.length === 1 ? keypairs[0]?.name : undefined;
}

export function environmentNames(manifest: CityManifest): string[] {
  return Object.keys(manifest.environments).sort(compareEnvironments);
}

/** preprod, production first (the order a change travels), then the rest alphabetically. */
function compareEnvironments(a: string, b: string): number {
  const rank = (e: string): number => {
    const i = (REQUIRED_ENVIRONMENTS as readonly string[]).indexOf(e);
    return i === -1 ? REQUIRED_ENVIRONMENTS.length : i;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function mergeByName<T extends { name: string }, O extends object>(
  items: readonly T[],
  overrides: Record<string, O | undefined> | undefined,
  merge: (item: T, override: O) => T,
): T[] {
  return items.map((item) => {
    const override = overrides?.[item.name];
    return override === undefined ? item : merge(item, override);
  });
}

/** Field-wise replace, with the named fields merged key by key and waivers appended. */
function applyOverride<T extends object>(item: T, override: object, mergedKeys: readonly string[] = []): T {
  const out: Record<string, unknown> = { ...(item as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    if (key === 'waivers') out.waivers = [...((out.waivers as unknown[] | undefined) ?? []), ...(value as unknown[])];
    else if (mergedKeys.includes(key))
      out[key] = {
        ...((out[key] as Record<string, unknown> | undefined) ?? {}),
        ...(value as Record<string, unknown>),
      };
    else out[key] = value;
  }
  return out as T;
}

/**
 * Merges environment `env`'s overrides into the manifest. The manifest must have
 * passed validation (overrides name existing items; unknown names are ignored here).
 */
export function resolveEnvironment(manifest: CityManifest, env: string): ResolvedCity {
  const o: Environment | undefined = manifest.environments[env];
  if (o === undefined)
    throw new StormError('usage', `environment "${env}" is not defined`, {
      hint: `environments: ${Object.keys(manifest.environments).join(', ')}`,
    });
  const cloud = { ...manifest.cloud, ...(o.cloud ?? {}) };
  const network = manifest.network;
  const dnsServers = o.network?.dnsServers ?? network.dnsServers ?? [];
  const subnets = mergeByName(network.subnets, o.network?.subnets, (s, ov) => applyOverride(s, ov)).map(
    (s): ResolvedSubnet => ({
      ...s,
      dnsServers: s.dnsServers ?? dnsServers,
      allocationPools: s.allocationPools ?? [],
      enableDhcp: s.enableDhcp ?? true,
    }),
  );
  const keypairs = manifest.compute?.keypairs ?? [];
  const groups = mergeByName(manifest.compute?.groups ?? [], o.compute?.groups, (g, ov) =>
    applyOverride(g, ov, ['metadata']),
  ).map((g): ResolvedComputeGroup => {
    const keypair = groupKeypair(g, keypairs);
    const resolved: ResolvedComputeGroup = {
      ...g,
      count: g.count ?? 1,
      antiAffinity: g.antiAffinity ?? false,
      floatingIp: g.floatingIp ?? false,
      personalData: g.personalData ?? false,
      securityGroups: g.securityGroups ?? [],
      volumes: g.volumes ?? [],
      metadata: g.metadata ?? {},
      waivers: g.waivers ?? [],
    };
    if (keypair !== undefined) resolved.keypair = keypair;
    return resolved;
  });
  const servicesByName: Record<string, NonNullable<Environment['services']>[string]> = o.services ?? {};
  const services = (manifest.services ?? []).map((s): ResolvedService => {
    const name = serviceName(s);
    const merged = servicesByName[name] === undefined ? s : applyOverride(s, servicesByName[name], ['parameters']);
    const groupCount = groups.find((g) => g.name === merged.on)?.count ?? 0;
    return {
      ...merged,
      name,
      parameters: (merged.parameters as Record<string, unknown> | undefined) ?? {},
      personalData: merged.personalData ?? false,
      waivers: merged.waivers ?? [],
      frontDoor: resolveFrontDoor(merged, name, env, groupCount, manifest.city.owner.email),
    };
  });
  return {
    env,
    environments: environmentNames(manifest),
    apiVersion: manifest.apiVersion,
    city: manifest.city,
    tags: { ...(manifest.tags ?? {}), ...(o.tags ?? {}) },
    cloud: { ...cloud, region: cloud.region ?? 'RegionOne', availabilityZones: cloud.availabilityZones ?? [] },
    network: {
      ...network,
      name: network.name ?? manifest.city.name,
      dnsServers,
      subnets,
      router: { externalGateway: network.router?.externalGateway ?? true },
    },
    security: {
      adminCidrs: o.security?.adminCidrs ?? manifest.security?.adminCidrs ?? [],
      groups: mergeByName(manifest.security?.groups ?? [], o.security?.groups, (g, ov) => applyOverride(g, ov)).map(
        (g) => ({ ...g, rules: g.rules ?? [], waivers: g.waivers ?? [] }),
      ),
    },
    compute: { keypairs, groups },
    storage: {
      volumes: mergeByName(manifest.storage?.volumes ?? [], o.storage?.volumes, (v, ov) => applyOverride(v, ov)).map(
        (v) => ({ ...v, personalData: v.personalData ?? false, waivers: v.waivers ?? [] }),
      ),
      containers: mergeByName(manifest.storage?.containers ?? [], o.storage?.containers, (c, ov) =>
        applyOverride(c, ov),
      ).map((c) => ({
        ...c,
        acl: c.acl ?? 'private',
        versioning: c.versioning ?? false,
        openData: c.openData ?? false,
        personalData: c.personalData ?? false,
        waivers: c.waivers ?? [],
      })),
    },
    partners: mergeByName(manifest.partners ?? [], o.partners, (p, ov) => applyOverride(p, ov)).map((p) => ({
      ...p,
      waivers: p.waivers ?? [],
    })),
    services,
    state: o.state ?? manifest.state ?? { backend: 'local' },
    waivers: [...(manifest.waivers ?? []), ...(o.waivers ?? [])],
  };
}

type NamedCollection =
  | 'network.subnets'
  | 'security.groups'
  | 'compute.groups'
  | 'storage.volumes'
  | 'storage.containers'
  | 'partners'
  | 'services';

const OVERRIDE_KEY: Record<NamedCollection, DocPath> = {
  'network.subnets': ['network', 'subnets'],
  'security.groups': ['security', 'groups'],
  'compute.groups': ['compute', 'groups'],
  'storage.volumes': ['storage', 'volumes'],
  'storage.containers': ['storage', 'containers'],
  partners: ['partners'],
  services: ['services'],
};

/**
 * Where in the manifest a field of a named item was set for `env`: inside the
 * environment's override when it sets that field, else on the item itself.
 * Audit uses this to blame the line a person has to change.
 */
export function overrideOrigin(
  manifest: CityManifest,
  env: string,
  collection: NamedCollection,
  index: number,
  field?: string,
): DocPath {
  const base: DocPath = [...collection.split('.'), index];
  const items = collectionItems(manifest, collection);
  const item = items[index];
  if (item === undefined) return base;
  const name = collection === 'services' ? serviceName(item as Service) : (item as { name: string }).name;
  const override = lookup(manifest.environments[env], OVERRIDE_KEY[collection]) as
    Record<string, Record<string, unknown>> | undefined;
  const entry = override?.[name];
  const overridePath: DocPath = ['environments', env, ...OVERRIDE_KEY[collection], name];
  if (entry === undefined) return field === undefined ? base : [...base, field];
  if (field === undefined) return base;
  return field in entry ? [...overridePath, field] : [...base, field];
}

function collectionItems(manifest: CityManifest, collection: NamedCollection): readonly unknown[] {
  switch (collection) {
    case 'network.subnets':
      return manifest.network.subnets;
    case 'security.groups':
      return manifest.security?.groups ?? [];
    case 'compute.groups':
      return manifest.compute?.groups ?? [];
    case 'storage.volumes':
      return manifest.storage?.volumes ?? [];
    case 'storage.containers':
      return manifest.storage?.containers ?? [];
    case 'partners':
      return manifest.partners ?? [];
    case 'services':
      return manifest.services ?? [];
  }
}

function lookup(value: unknown, path: DocPath): unknown {
  let current = value;
  for (const seg of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[seg];
  }
  return current;
}
