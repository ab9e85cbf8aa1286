/**
 * Pre-flight: before tofu touches anything, check that what the manifest names
 * exists in the target cloud and that the project's quotas have room for what
 * the run adds. Every problem is reported at once, each at its manifest location.
 */
import type { DiagnosticCode } from '../diagnostic-codes';
import type { Diagnostic, SourceLocation } from '../errors';
import { StormError } from '../errors';
import type { CloudCredentials } from './credentials';
import { didYouMean } from './credentials';
import type { CloudInventory, FlavorInfo, QuotaName } from './inventory';
import { QUOTA_LABELS, readInventory } from './inventory';
import { OpenStackClient } from './openstack-client';

export type ManifestPath = ReadonlyArray<string | number>;

export type RequirementKind = 'flavor' | 'image' | 'external-network' | 'availability-zone' | 'volume-type' | 'project';

export interface NamedRequirement {
  kind: RequirementKind;
  name: string;
  /** Where the name is written in the (resolved) manifest. */
  path: ManifestPath;
}

/** The parts of a resolved city manifest pre-flight reads. */
export interface PreflightCity {
  cloud: { externalNetwork?: string; availabilityZones?: readonly string[] };
  network?: { router?: { externalGateway?: boolean } };
  compute?: {
    groups?: ReadonlyArray<{
      name: string;
      flavor: string;
      image: string;
      count?: number;
      availabilityZone?: string;
      floatingIp?: boolean;
    }>;
  };
  storage?: {
    volumes?: ReadonlyArray<{ name: string; type?: string }>;
    containers?: ReadonlyArray<{ name: string; versioning?: boolean }>;
  };
  partners?: ReadonlyArray<{ name: string; project: string }>;
  services?: ReadonlyArray<{ name: string; frontDoor?: { tls?: unknown; dns?: unknown } | undefined }>;
}

export function requirementsOf(city: PreflightCity): NamedRequirement[] {
  const out: NamedRequirement[] = [];
  const groups = city.compute?.groups ?? [];
  const needsExternal = city.network?.router?.externalGateway === true || groups.some((g) => g.floatingIp === true);
  if (city.cloud.externalNetwork !== undefined && needsExternal)
    out.push({ kind: 'external-network', name: city.cloud.externalNetwork, path: ['cloud', 'externalNetwork'] });
  (city.cloud.availabilityZones ?? []).forEach((az, i) =>
    out.push({ kind: 'availability-zone', name: az, path: ['cloud', 'availabilityZones', i] }),
  );
  groups.forEach((g, i) => {
    if ((g.count ?? 1) === 0) return;
    out.push({ kind: 'flavor', name: g.flavor, path: ['compute', 'groups', i, 'flavor'] });
    out.push({ kind: 'image', name: g.image, path: ['compute', 'groups', i, 'image'] });
    if (g.availabilityZone !== undefined)
      out.push({
        kind: 'availability-zone',
        name: g.availabilityZone,
        path: ['compute', 'groups', i, 'availabilityZone'],
      });
  });
  (city.storage?.volumes ?? []).forEach((v, i) => {
    if (v.type !== undefined) out.push({ kind: 'volume-type', name: v.type, path: ['storage', 'volumes', i, 'type'] });
  });
  (city.partners ?? []).forEach((p, i) =>
    out.push({ kind: 'project', name: p.project, path: ['partners', i, 'project'] }),
  );
  return out;
}

export interface PreflightFinding {
  code: DiagnosticCode;
  message: string;
  path: ManifestPath;
  hint?: string;
}

const KIND_LABEL: Record<RequirementKind, string> = {
  flavor: 'flavor',
  image: 'image',
  'external-network': 'external network',
  'availability-zone': 'availability zone',
  'volume-type': 'volume type',
  project: 'partner project',
};

export function checkRequirements(
  requirements: readonly NamedRequirement[],
  inventory: CloudInventory,
): PreflightFinding[] {
  const findings: PreflightFinding[] = [];
  const seen = new Set<string>();
  for (const req of requirements) {
    const available = availableNames(req.kind, inventory);
    if (available === undefined) continue;
    // Reported once by checkServices rather than as one unknown name per group.
    if (!inventory.hasCompute && (req.kind === 'flavor' || req.kind === 'availability-zone')) continue;
    if (
      req.kind === 'flavor'
        ? inventory.flavors.some((f) => f.name === req.name || f.id === req.name)
        : req.kind === 'project'
          ? (inventory.projectIds ?? []).includes(req.name) || available.includes(req.name)
          : available.includes(req.name)
    )
      continue;
    const key = `${req.kind}\0${req.name}\0${req.path.join('.')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const suggestion = didYouMean(req.name, available);
    const listed = available.length === 0 ? 'the cloud has none' : `available: ${[...available].sort().join(', ')}`;
    findings.push({
      code: `preflight.unknown-${req.kind}`,
      message: `${KIND_LABEL[req.kind]} "${req.name}" does not exist in the target cloud (${listed})`,
      path: req.path,
      ...(suggestion !== undefined ? { hint: `did you mean "${suggestion}"?` } : {}),
    });
  }
  return findings;
}

function availableNames(kind: RequirementKind, inv: CloudInventory): readonly string[] | undefined {
  switch (kind) {
    case 'flavor':
      return inv.flavors.map((f) => f.name);
    case 'image':
      return [...new Set(inv.images)];
    case 'external-network':
      return inv.externalNetworks;
    case 'availability-zone':
      return inv.availabilityZones;
    case 'volume-type':
      return inv.volumeTypes;
    case 'project':
      return inv.projects;
  }
}

/** A city with instances needs a compute service; without one every flavor would look missing. */
export function checkServices(city: PreflightCity, inventory: CloudInventory): PreflightFinding[] {
  if (inventory.hasCompute || (city.compute?.groups ?? []).every((g) => (g.count ?? 1) === 0)) return [];
  return [
    {
      code: 'preflight.no-compute-service',
      message: 'the target cloud offers no compute service in its catalog, but the manifest asks for instances',
      path: ['compute', 'groups'],
      hint: 'check the cloud (and region) the manifest targets',
    },
  ];
}

/**
 * A service's front door needs Octavia (load-balancer), its TLS Barbican (key-manager, where
 * Octavia reads the certificate) and its name Designate (dns): a cloud without one fails the
 * apply midway, so say which, at the service, before anything is created.
 */
export function checkFrontDoorServices(city: PreflightCity, inventory: CloudInventory): PreflightFinding[] {
  const types = inventory.catalogTypes;
  if (types === undefined) return [];
  const findings: PreflightFinding[] = [];
  (city.services ?? []).forEach((s, i) => {
    const fd = s.frontDoor;
    if (fd === undefined) return;
    const needed: [type: string, project: string, field: string, why: string][] = [
      ['load-balancer', 'Octavia', 'loadBalancer', 'its load balancer'],
      ...(fd.tls === undefined
        ? []
        : [['key-manager', 'Barbican', 'tls', 'its TLS certificate'] as [string, string, string, string]]),
      ...(fd.dns === undefined
        ? []
        : [['dns', 'Designate', 'dns', 'its DNS name'] as [string, string, string, string]]),
    ];
    for (const [type, project, field, why] of needed) {
      if (types.includes(type)) continue;
      findings.push({
        code: 'preflight.missing-service',
        message: `service "${s.name}" needs ${project} (${type}) for ${why}, but the target cloud's catalog has no ${type} service`,
        path: field === 'loadBalancer' ? ['services', i] : ['services', i, field],
        hint:
          field === 'loadBalancer'
            ? 'ask the cloud operator for Octavia, or set loadBalancer: false for this cloud'
            : `ask the cloud operator for ${project}, or remove ${field} for this cloud`,
      });
    }
  });
  return findings;
}

/**
 * Nova refuses a server whose flavor's root disk is below the image's `min_disk` or its size
 * ("Flavor's disk is too small for requested image"), or whose RAM is below `min_ram`; say so up front.
 */
export function checkFlavorFitsImage(city: PreflightCity, inventory: CloudInventory): PreflightFinding[] {
  const out: PreflightFinding[] = [];
  (city.compute?.groups ?? []).forEach((g, i) => {
    if ((g.count ?? 1) === 0) return;
    const flavor = inventory.flavors.find((f) => f.name === g.flavor || f.id === g.flavor);
    const min = inventory.imageMinimums?.[g.image];
    if (flavor === undefined || min === undefined) return;
    const diskNeeded = Math.max(min.minDiskGiB, min.sizeGiB ?? 0);
    // A flavor with a 0 GiB disk boots from a volume sized by the image: no disk limit applies.
    const diskShort = flavor.diskGiB > 0 && flavor.diskGiB < diskNeeded;
    const ramShort = flavor.ramMiB < min.minRamMiB;
    if (!diskShort && !ramShort) return;
    const fitting = inventory.flavors
      .filter((f) => (f.diskGiB === 0 || f.diskGiB >= diskNeeded) && f.ramMiB >= min.minRamMiB)
      .sort((a, b) => a.vcpus - b.vcpus || a.ramMiB - b.ramMiB)[0];
    const diskWhy =
      (min.sizeGiB ?? 0) > min.minDiskGiB
        ? `a ${flavor.diskGiB} GiB root disk, the image itself is ${min.sizeGiB ?? 0} GiB`
        : `a ${flavor.diskGiB} GiB root disk, the image needs ${min.minDiskGiB} GiB (min_disk)`;
    const why = [
      diskShort ? diskWhy : undefined,
      ramShort ? `${flavor.ramMiB} MiB RAM, the image needs ${min.minRamMiB} MiB` : undefined,
    ]
      .filter((x) => x !== undefined)
      .join('; ');
    out.push({
      code: 'preflight.flavor-too-small',
      message: `flavor "${flavor.name}" is too small for image "${g.image}": ${why}`,
      path: ['compute', 'groups', i, 'flavor'],
      ...(fitting !== undefined ? { hint: `the smallest flavor that fits is "${fitting.name}"` } : {}),
    });
  });
  return out;
}

/** What the synthesized stack asks of the cloud's APIs beyond the basics, and where the manifest asks it. */
const NEEDED_EXTENSIONS: ReadonlyArray<{ type: string; alias: string; what: string; path: ManifestPath }> = [
  {
    type: 'openstack_networking_rbac_policy_v2',
    alias: 'rbac-policies',
    what: "sharing a network with a partner's project",
    path: ['partners'],
  },
];

/** A Neutron extension the stack's resources need and the cloud does not list (e.g. RBAC). */
export function checkExtensions(terraformJson: unknown, inventory: CloudInventory): PreflightFinding[] {
  const listed = inventory.networkExtensions;
  if (listed === undefined) return [];
  const types = new Set(stackResources(terraformJson).map((r) => r.type));
  return NEEDED_EXTENSIONS.filter((n) => types.has(n.type) && !listed.includes(n.alias)).map((n) => ({
    code: 'preflight.missing-extension',
    message: `the target cloud's networking service lacks the "${n.alias}" extension, needed for ${n.what}`,
    path: n.path,
    hint: 'ask the cloud operator to enable it, or remove what needs it from the manifest',
  }));
}

/**
 * Containers that keep versions (`versioning: true`) need Swift's object_versioning middleware: without
 * it the header is ignored, the container reads back unversioned, and every plan after the apply
 * wants to change it again (found on a real Zed all-in-one).
 */
export function checkObjectVersioning(
  terraformJson: unknown,
  inventory: CloudInventory,
  city: PreflightCity,
): PreflightFinding[] {
  const capabilities = inventory.objectStoreCapabilities;
  if (capabilities === undefined || capabilities.includes('object_versioning')) return [];
  const declared = city.storage?.containers ?? [];
  return stackResources(terraformJson)
    .filter((r) => r.type === 'openstack_objectstorage_container_v1' && r.body.versioning === true)
    .map((r) => {
      const cloudName = String(r.body.name ?? r.address);
      // Synthesis names containers <city>-<env>-<name>.
      const i = declared.findIndex((c) => cloudName === c.name || cloudName.endsWith(`-${c.name}`));
      const name = i >= 0 ? (declared[i]?.name ?? cloudName) : cloudName;
      return {
        code: 'preflight.missing-extension' as const,
        message: `container "${name}" keeps versions, but the target cloud's object storage does not offer object versioning (its /info lists no object_versioning)`,
        path: i >= 0 ? ['storage', 'containers', i, 'versioning'] : ['storage', 'containers'],
        hint: 'ask the cloud operator to enable the object_versioning middleware, or set versioning: false for this cloud',
      };
    });
}

/**
 * The compute microversion the provider asks for what the stack creates: servers with tags are
 * created at 2.52 (provider 3.4.0, computeV2InstanceCreateServerWithTagsMicroversion).
 */
export function checkMicroversions(terraformJson: unknown, inventory: CloudInventory): PreflightFinding[] {
  const max = inventory.computeMaxMicroversion;
  if (max === undefined) return [];
  const tagged = stackResources(terraformJson).some(
    (r) => r.type === 'openstack_compute_instance_v2' && Array.isArray(r.body.tags) && r.body.tags.length > 0,
  );
  const needed = '2.52';
  if (!tagged || compareMicroversions(max, needed) >= 0) return [];
  return [
    {
      code: 'preflight.microversion',
      message: `the target cloud's compute service offers microversions up to ${max}, but creating servers with tags needs ${needed}`,
      path: ['compute', 'groups'],
      hint: 'the cloud is older than OpenStack Queens (2.52 arrived in Pike): ask its operator to upgrade Nova',
    },
  ];
}

export function compareMicroversions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

export type QuotaDemand = Partial<Record<QuotaName, number>>;

/** A resource instance of the synthesized stack (address as tofu spells it). */
interface StackResource {
  address: string;
  type: string;
  body: Record<string, unknown>;
}

/**
 * What applying the stack adds: resources of the synthesized Terraform JSON that
 * are not already in the state. Updates in place are not counted (a flavor change
 * of an existing server is a resize, its quota delta is small and checked by Nova).
 */
export function demandOf(
  terraformJson: unknown,
  existingAddresses: ReadonlySet<string>,
  flavors: readonly FlavorInfo[],
): QuotaDemand {
  const demand: QuotaDemand = {};
  const add = (q: QuotaName, n: number): void => {
    if (n !== 0) demand[q] = (demand[q] ?? 0) + n;
  };
  for (const r of stackResources(terraformJson)) {
    if (existingAddresses.has(r.address)) continue;
    const b = r.body;
    switch (r.type) {
      case 'openstack_compute_instance_v2': {
        add('instances', 1);
        const wanted =
          typeof b.flavor_name === 'string'
            ? b.flavor_name
            : typeof b.flavor_id === 'string'
              ? flavorNameOfReference(terraformJson, b.flavor_id)
              : undefined;
        const flavor = flavors.find((f) => f.name === wanted || f.id === wanted);
        if (flavor !== undefined) {
          add('cores', flavor.vcpus);
          add('ramMiB', flavor.ramMiB);
        }
        const networks = Array.isArray(b.network) ? b.network : b.network === undefined ? [] : [b.network];
        add(
          'ports',
          networks.filter(
            (n) =>
              !(
                typeof n === 'object' &&
                n !== null &&
                'port' in n &&
                (n as Record<string, unknown>).port !== undefined
              ),
          ).length,
        );
        break;
      }
      case 'openstack_blockstorage_volume_v3':
        add('volumes', 1);
        if (typeof b.size === 'number') add('gigabytes', b.size);
        break;
      case 'openstack_networking_floatingip_v2':
        add('floatingIps', 1);
        break;
      case 'openstack_networking_port_v2':
        add('ports', 1);
        break;
      case 'openstack_networking_router_interface_v2':
        if (b.port_id === undefined) add('ports', 1);
        break;
      case 'openstack_networking_secgroup_v2':
        add('securityGroups', 1);
        // Neutron adds an IPv4 and an IPv6 egress rule to every new group.
        if (b.delete_default_rules !== true) add('securityGroupRules', 2);
        break;
      case 'openstack_networking_secgroup_rule_v2':
        add('securityGroupRules', 1);
        break;
      case 'openstack_networking_network_v2':
        add('networks', 1);
        break;
      case 'openstack_networking_subnet_v2':
        add('subnets', 1);
        break;
      case 'openstack_networking_router_v2':
        add('routers', 1);
        break;
    }
  }
  return demand;
}

/** A flavor given as `${data.openstack_compute_flavor_v2.<x>.id}` is the name that data source looks up. */
function flavorNameOfReference(terraformJson: unknown, value: string): string {
  const m = /^\$\{data\.openstack_compute_flavor_v2\.([A-Za-z0-9_-]+)\.id\}$/.exec(value);
  if (m === null) return value;
  const data = isRecord(terraformJson) && isRecord(terraformJson.data) ? terraformJson.data : {};
  const flavors = isRecord(data.openstack_compute_flavor_v2) ? data.openstack_compute_flavor_v2 : {};
  const source = flavors[m[1] ?? ''];
  return isRecord(source) && typeof source.name === 'string' ? source.name : value;
}

function stackResources(terraformJson: unknown): StackResource[] {
  const out: StackResource[] = [];
  const resources = isRecord(terraformJson) && isRecord(terraformJson.resource) ? terraformJson.resource : {};
  for (const [type, byName] of Object.entries(resources)) {
    if (!isRecord(byName)) continue;
    for (const [name, body] of Object.entries(byName)) {
      if (!isRecord(body)) continue;
      if (typeof body.count === 'number') {
        for (let i = 0; i < body.count; i++) out.push({ address: `${type}.${name}[${i}]`, type, body });
      } else if (isRecord(body.for_each)) {
        for (const key of Object.keys(body.for_each)) out.push({ address: `${type}.${name}["${key}"]`, type, body });
      } else if (Array.isArray(body.for_each)) {
        for (const key of body.for_each) out.push({ address: `${type}.${name}["${String(key)}"]`, type, body });
      } else {
        out.push({ address: `${type}.${name}`, type, body });
      }
    }
  }
  return out;
}

/** Manifest section a quota's demand comes from, for the diagnostic's location. */
const QUOTA_SOURCE: Record<QuotaName, ManifestPath> = {
  instances: ['compute', 'groups'],
  cores: ['compute', 'groups'],
  ramMiB: ['compute', 'groups'],
  floatingIps: ['compute', 'groups'],
  volumes: ['storage', 'volumes'],
  gigabytes: ['storage', 'volumes'],
  ports: ['network', 'subnets'],
  securityGroups: ['security', 'groups'],
  securityGroupRules: ['security', 'groups'],
  networks: ['network'],
  subnets: ['network', 'subnets'],
  routers: ['network', 'router'],
};

export interface QuotaLine {
  quota: QuotaName;
  used: number;
  needed: number;
  limit: number;
  /** limit - used, or -1 when unlimited. */
  free: number;
  ok: boolean;
}

export function quotaLines(demand: QuotaDemand, inventory: CloudInventory): QuotaLine[] {
  const lines: QuotaLine[] = [];
  for (const quota of Object.keys(QUOTA_LABELS) as QuotaName[]) {
    const needed = demand[quota] ?? 0;
    const usage = inventory.quotas[quota];
    if (usage === undefined || needed === 0) continue;
    const unlimited = usage.limit < 0;
    const free = unlimited ? -1 : Math.max(0, usage.limit - usage.used);
    lines.push({ quota, used: usage.used, needed, limit: usage.limit, free, ok: unlimited || needed <= free });
  }
  return lines;
}

export function checkQuotas(lines: readonly QuotaLine[]): PreflightFinding[] {
  return lines
    .filter((l) => !l.ok)
    .map((l) => ({
      code: 'preflight.quota-exceeded',
      message: `quota ${QUOTA_LABELS[l.quota]}: this run needs ${l.needed} more, but only ${l.free} of ${l.limit} are free (used ${l.used} / needed ${l.needed} / limit ${l.limit})`,
      path: QUOTA_SOURCE[l.quota],
      hint:
        l.quota === 'cores' || l.quota === 'ramMiB' || l.quota === 'instances'
          ? 'use smaller flavors or fewer instances, or ask the cloud operator to raise the quota'
          : 'ask the cloud operator to raise the quota, or reduce what the manifest asks for',
    }));
}

export interface PreflightReport {
  cloud: string;
  projectId: string;
  checked: number;
  quotas: QuotaLine[];
  warnings: string[];
}

export interface PreflightInput {
  credentials: CloudCredentials;
  city: PreflightCity;
  terraformJson: unknown;
  existingAddresses: ReadonlySet<string>;
  /** Maps a resolved-manifest path to where it is written. */
  locate: (path: ManifestPath) => SourceLocation | undefined;
}

/** Runs every check; throws one 'preflight' StormError listing all problems. */
export async function runPreflight(input: PreflightInput): Promise<PreflightReport> {
  const client = await OpenStackClient.authenticate(input.credentials);
  const inventory = await readInventory(client);
  const requirements = requirementsOf(input.city);
  const demand = demandOf(input.terraformJson, input.existingAddresses, inventory.flavors);
  const lines = quotaLines(demand, inventory);
  const findings = [
    ...checkServices(input.city, inventory),
    ...checkFrontDoorServices(input.city, inventory),
    ...checkRequirements(requirements, inventory),
    ...checkFlavorFitsImage(input.city, inventory),
    ...checkExtensions(input.terraformJson, inventory),
    ...checkMicroversions(input.terraformJson, inventory),
    ...checkObjectVersioning(input.terraformJson, inventory, input.city),
    ...checkQuotas(lines),
  ];
  if (findings.length > 0) {
    const diagnostics = findings.map((f) => toDiagnostic(f, input.locate));
    throw new StormError(
      'preflight',
      `pre-flight found ${findings.length} problem${findings.length === 1 ? '' : 's'} in cloud "${input.credentials.cloudName}"; nothing was changed`,
      {
        hint: 'fix the manifest (or the cloud) and run again; --skip-preflight bypasses these checks',
        diagnostics,
      },
    );
  }
  return {
    cloud: input.credentials.cloudName,
    projectId: inventory.projectId,
    checked: requirements.length,
    quotas: lines,
    warnings: [],
  };
}

export function toDiagnostic(
  f: PreflightFinding,
  locate: (path: ManifestPath) => SourceLocation | undefined,
): Diagnostic {
  const location = locate(f.path);
  return {
    severity: 'error',
    code: f.code,
    message: f.message,
    path: f.path.join('.'),
    ...(location !== undefined ? { location } : {}),
    ...(f.hint !== undefined ? { hint: f.hint } : {}),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
