/**
 * Checks the schema cannot express: addresses that must fit together, names
 * that must exist, rules that depend on the environment. They run on each
 * environment's resolved city, so a broken override is caught too; every
 * finding points at the line that set the value (the override when there is one).
 */
import type { FixedDiagnosticCode } from '../diagnostic-codes';
import type { Diagnostic } from '../errors';
import type { CityManifest, Rule } from './city-manifest.types';
import { closestMatch } from './did-you-mean';
import { checkFrontDoors } from './front-door';
import {
  addressIn,
  cidrContains,
  cidrsOverlap,
  formatIpv4,
  hasHostBits,
  networkOf,
  parseCidr,
  parseIpv4,
  type Cidr,
} from './ip-address';
import { environmentNames, overrideOrigin, resolveEnvironment, serviceName, type ResolvedCity } from './model';
import type { WrittenNames } from './salvage';
import { BACKEND_CREDENTIAL_ENV, BACKEND_SECRET_SETTINGS, pgSchemaName } from './state-keys';
import { formatPath, type DocPath, type ManifestSource } from './source';

export interface SemanticContext {
  source: ManifestSource;
  /** Template names found in templates/ (undefined: none installed, names are not checked). */
  templates: readonly string[] | undefined;
  /** The city name the file name implies (stacks/<city>.yaml), when it is in stacks/. */
  expectedCityName: string | undefined;
  /** For a salvaged document: maps its paths back to the file's. */
  originalPath?: (path: DocPath) => DocPath;
  /** Names written in the file, items the schema rejected included: not "unknown", already reported. */
  writtenNames?: WrittenNames;
}

/** True when `name` names nothing, neither a valid item nor one the schema already rejected. */
function unknown(ctx: SemanticContext, kind: string, name: string, known: readonly string[]): boolean {
  return !known.includes(name) && !(ctx.writtenNames?.[kind]?.includes(name) ?? false);
}

/** A finding and the environments it was found in (undefined: it is not about one environment). */
export interface SemanticFinding {
  diagnostic: Diagnostic;
  environments: string[] | undefined;
}

class Findings {
  readonly list: SemanticFinding[] = [];
  private readonly seen = new Map<string, SemanticFinding>();
  /** The environment being checked; findings made meanwhile belong to it. */
  env: string | undefined;
  constructor(
    private readonly source: ManifestSource,
    private readonly originalPath: (path: DocPath) => DocPath = (p) => p,
  ) {}

  add(
    severity: Diagnostic['severity'],
    code: FixedDiagnosticCode,
    docPath: DocPath,
    message: string,
    hint?: string,
    key = false,
  ): void {
    const path = this.originalPath(docPath);
    const location = key ? this.source.locateKey(path) : this.source.locate(path);
    const id = `${location.line}:${location.column}\u0000${code}\u0000${message}`;
    const earlier = this.seen.get(id);
    if (earlier !== undefined) {
      if (earlier.environments !== undefined && this.env !== undefined && !earlier.environments.includes(this.env))
        earlier.environments.push(this.env);
      return;
    }
    const finding: SemanticFinding = {
      diagnostic: {
        severity,
        code,
        message,
        path: formatPath(path),
        location,
        ...(hint === undefined ? {} : { hint }),
      },
      environments: this.env === undefined ? undefined : [this.env],
    };
    this.seen.set(id, finding);
    this.list.push(finding);
  }

  error(code: FixedDiagnosticCode, path: DocPath, message: string, hint?: string, key = false): void {
    this.add('error', code, path, message, hint, key);
  }
}

function unknownName(kind: string, name: string, known: readonly string[]): { message: string; hint: string } {
  const match = closestMatch(name, known);
  const list = known.length === 0 ? `there are no ${kind}s defined` : `known ${kind}s: ${known.join(', ')}`;
  return {
    message: `unknown ${kind} "${name}"`,
    hint: match === undefined ? list : `did you mean "${match}"? (${list})`,
  };
}

export function semanticFindings(manifest: CityManifest, ctx: SemanticContext): SemanticFinding[] {
  const f = new Findings(ctx.source, ctx.originalPath);
  if (ctx.expectedCityName !== undefined && manifest.city.name !== ctx.expectedCityName) {
    f.error(
      'manifest.city-name-mismatch',
      ['city', 'name'],
      `city name "${manifest.city.name}" does not match the file name (stacks/${ctx.expectedCityName}.yaml)`,
      `rename the file or set city.name: ${ctx.expectedCityName}`,
    );
  }
  checkDuplicates(manifest, f);
  checkOverrideNames(manifest, ctx, f);
  f.env = undefined;
  checkWaiverTargets(manifest, ctx, f);
  for (const env of environmentNames(manifest)) {
    f.env = env;
    checkEnvironment(manifest, resolveEnvironment(manifest, env), ctx, f);
  }
  f.env = undefined;
  checkStateKeys(manifest, f);
  return f.list;
}

/**
 * One state per city and environment: the engine keys local, s3 and http state
 * by city and environment itself, so only an explicit pg schemaName can make two
 * environments share a state — refused here. Credentials never sit in a backend's
 * settings: the environment carries them.
 */
function checkStateKeys(m: CityManifest, f: Findings): void {
  const schemas = new Map<string, string>();
  for (const env of environmentNames(m)) {
    const own = m.environments[env]?.state;
    const state = own ?? m.state;
    if (state === undefined) continue;
    const base: DocPath = own !== undefined ? ['environments', env, 'state'] : ['state'];
    if (state.backend === 'pg') {
      const schema = state.schemaName ?? pgSchemaName(m.city.name, env);
      const earlier = schemas.get(schema);
      if (earlier === undefined) schemas.set(schema, env);
      else
        f.error(
          'manifest.shared-state',
          state.schemaName !== undefined ? [...base, 'schemaName'] : base,
          `environments ${earlier} and ${env} would share one state (pg schema "${schema}")`,
          `give each environment its own schemaName, or drop schemaName to use storm_${m.city.name}_<env>`,
        );
    }
    if (state.backend === 's3' || state.backend === 'http') {
      for (const key of BACKEND_SECRET_SETTINGS[state.backend]) {
        if (state.config[key] === undefined) continue;
        f.error(
          'manifest.secret-in-state-config',
          [...base, 'config', key],
          `the ${state.backend} state backend's "${key}" is a credential and must not be written in the manifest`,
          `remove it and export ${BACKEND_CREDENTIAL_ENV[state.backend]} where storm runs`,
          true,
        );
      }
    }
  }
}

function checkDuplicates(m: CityManifest, f: Findings): void {
  const collections: [string, DocPath, readonly { name?: string; template?: string }[]][] = [
    ['subnet', ['network', 'subnets'], m.network.subnets],
    ['security group', ['security', 'groups'], m.security?.groups ?? []],
    ['key pair', ['compute', 'keypairs'], m.compute?.keypairs ?? []],
    ['compute group', ['compute', 'groups'], m.compute?.groups ?? []],
    ['volume', ['storage', 'volumes'], m.storage?.volumes ?? []],
    ['container', ['storage', 'containers'], m.storage?.containers ?? []],
    ['partner', ['partners'], m.partners ?? []],
  ];
  for (const [kind, base, items] of collections) {
    const first = new Map<string, number>();
    items.forEach((item, i) => {
      const name = item.name;
      if (name === undefined) return;
      const earlier = first.get(name);
      if (earlier === undefined) first.set(name, i);
      else
        f.error(
          'manifest.duplicate-name',
          [...base, i, 'name'],
          `duplicate ${kind} name "${name}" (already used by ${formatPath([...base, earlier])})`,
          `give each ${kind} a distinct name`,
        );
    });
  }
  const services = new Map<string, number>();
  (m.services ?? []).forEach((s, i) => {
    const name = serviceName(s);
    const earlier = services.get(name);
    if (earlier === undefined) services.set(name, i);
    else
      f.error(
        'manifest.duplicate-name',
        ['services', i, s.name === undefined ? 'template' : 'name'],
        `duplicate service name "${name}" (already used by services[${earlier}])`,
        'give the second service its own `name:` to run a template twice',
      );
  });
}

function checkOverrideNames(m: CityManifest, ctx: SemanticContext, f: Findings): void {
  for (const [env, o] of Object.entries(m.environments)) {
    if (o === undefined) continue;
    f.env = env;
    const check = (
      kind: string,
      path: DocPath,
      overrides: Record<string, unknown> | undefined,
      known: readonly string[],
    ): void => {
      for (const name of Object.keys(overrides ?? {})) {
        if (!unknown(ctx, kind, name, known)) continue;
        const u = unknownName(kind, name, known);
        f.error(
          'manifest.unknown-override',
          ['environments', env, ...path, name],
          `environment ${env} overrides an ${u.message.replace(/^unknown /, 'unknown ')}`,
          u.hint,
          true,
        );
      }
    };
    check(
      'subnet',
      ['network', 'subnets'],
      o.network?.subnets,
      m.network.subnets.map((s) => s.name),
    );
    check(
      'security group',
      ['security', 'groups'],
      o.security?.groups,
      (m.security?.groups ?? []).map((g) => g.name),
    );
    check(
      'compute group',
      ['compute', 'groups'],
      o.compute?.groups,
      (m.compute?.groups ?? []).map((g) => g.name),
    );
    check(
      'volume',
      ['storage', 'volumes'],
      o.storage?.volumes,
      (m.storage?.volumes ?? []).map((v) => v.name),
    );
    check(
      'container',
      ['storage', 'containers'],
      o.storage?.containers,
      (m.storage?.containers ?? []).map((c) => c.name),
    );
    check('service', ['services'], o.services, (m.services ?? []).map(serviceName));
    check(
      'partner',
      ['partners'],
      o.partners,
      (m.partners ?? []).map((p) => p.name),
    );
  }
}

/** Collections a top-level waiver's target can name an item of, as audit names its subjects. */
const TARGET_COLLECTIONS: readonly [prefix: string, kind: string, names: (m: CityManifest) => string[]][] = [
  ['network.subnets.', 'subnet', (m) => m.network.subnets.map((s) => s.name)],
  ['security.groups.', 'security group', (m) => (m.security?.groups ?? []).map((g) => g.name)],
  ['compute.groups.', 'compute group', (m) => (m.compute?.groups ?? []).map((g) => g.name)],
  ['storage.volumes.', 'volume', (m) => (m.storage?.volumes ?? []).map((v) => v.name)],
  ['storage.containers.', 'container', (m) => (m.storage?.containers ?? []).map((c) => c.name)],
  ['partners.', 'partner', (m) => (m.partners ?? []).map((p) => p.name)],
  ['services.', 'service', (m) => (m.services ?? []).map(serviceName)],
];

/** A waiver whose target names nothing waives nothing: say so where it is written. */
function checkWaiverTargets(m: CityManifest, ctx: SemanticContext, f: Findings): void {
  const lists: [DocPath, CityManifest['waivers']][] = [[[], m.waivers]];
  for (const [env, o] of Object.entries(m.environments)) lists.push([['environments', env], o?.waivers]);
  for (const [base, waivers] of lists) {
    (waivers ?? []).forEach((w, i) => {
      if (w.target === undefined) return;
      for (const [prefix, kind, names] of TARGET_COLLECTIONS) {
        if (!w.target.startsWith(prefix)) continue;
        const rest = w.target.slice(prefix.length);
        const known = names(m);
        // Names may contain dots (containers): the longest known name that starts the rest wins.
        const named = known
          .filter((n) => rest === n || rest.startsWith(`${n}.`) || rest.startsWith(`${n}[`))
          .sort((a, b) => b.length - a.length)[0];
        if (named !== undefined) return;
        const written = /^[^.[]+/.exec(rest)?.[0] ?? rest;
        if (!unknown(ctx, kind, written, known)) return;
        const u = unknownName(kind, written, known);
        f.error(
          'manifest.unknown-waiver-target',
          [...base, 'waivers', i, 'target'],
          `waiver target "${w.target}" names an ${u.message}: the waiver would waive nothing`,
          u.hint,
        );
        return;
      }
    });
  }
}

function envPath(m: CityManifest, env: string, section: 'network' | 'security' | 'cloud', field: string): DocPath {
  const o = m.environments[env] as Record<string, Record<string, unknown> | undefined> | undefined;
  return o?.[section]?.[field] !== undefined ? ['environments', env, section, field] : [section, field];
}

function checkEnvironment(m: CityManifest, city: ResolvedCity, ctx: SemanticContext, f: Findings): void {
  const env = city.env;
  checkNetwork(m, city, f);
  checkAddressing(m, city, f);
  checkSecurity(m, city, ctx, f);
  checkFrontDoors(m, city, ctx.source.absPath, (code, path, message, hint) => f.error(code, path, message, hint));

  const subnetNames = city.network.subnets.map((s) => s.name);
  const groupNames = city.security.groups.map((g) => g.name);
  const volumeNames = city.storage.volumes.map((v) => v.name);
  const computeNames = city.compute.groups.map((g) => g.name);
  const keypairNames = city.compute.keypairs.map((k) => k.name);
  const volumeUsers = new Map<string, string>();
  city.compute.groups.forEach((g, gi) => {
    const at = (field: string): DocPath => overrideOrigin(m, env, 'compute.groups', gi, field);
    if (unknown(ctx, 'subnet', g.subnet, subnetNames)) {
      const u = unknownName('subnet', g.subnet, subnetNames);
      f.error('manifest.unknown-reference', at('subnet'), u.message, u.hint);
    }
    g.securityGroups.forEach((sg, i) => {
      if (!unknown(ctx, 'security group', sg, groupNames)) return;
      const u = unknownName('security group', sg, groupNames);
      f.error('manifest.unknown-reference', [...at('securityGroups'), i], u.message, u.hint);
    });
    g.volumes.forEach((v, i) => {
      if (!volumeNames.includes(v)) {
        if (!unknown(ctx, 'volume', v, volumeNames)) return;
        const u = unknownName('volume', v, volumeNames);
        f.error('manifest.unknown-reference', [...at('volumes'), i], u.message, u.hint);
        return;
      }
      const other = volumeUsers.get(v);
      if (other !== undefined && other !== g.name)
        f.error(
          'manifest.volume-shared',
          [...at('volumes'), i],
          `volume "${v}" is already attached to compute group "${other}"`,
          'a volume definition belongs to one group; define a second volume',
        );
      else volumeUsers.set(v, g.name);
    });
    if (g.keypair !== undefined && !keypairNames.includes(g.keypair)) {
      if (unknown(ctx, 'key pair', g.keypair, keypairNames)) {
        const u = unknownName('key pair', g.keypair, keypairNames);
        f.error(
          'manifest.unknown-reference',
          at('keypair'),
          u.message,
          `${u.hint}; key pairs are declared in compute.keypairs`,
        );
      }
    } else if (g.keypair === undefined && keypairNames.length > 1) {
      f.error(
        'manifest.ambiguous-keypair',
        overrideOrigin(m, env, 'compute.groups', gi),
        `compute group "${g.name}" must name its key pair: there are ${keypairNames.length} (${keypairNames.join(', ')})`,
        'add `keypair: <name>` to the group',
      );
    }
    if (
      g.availabilityZone !== undefined &&
      city.cloud.availabilityZones.length > 0 &&
      !city.cloud.availabilityZones.includes(g.availabilityZone)
    ) {
      const u = unknownName('availability zone', g.availabilityZone, city.cloud.availabilityZones);
      f.error(
        'manifest.unknown-reference',
        at('availabilityZone'),
        u.message,
        `${u.hint}; zones are listed in cloud.availabilityZones`,
      );
    }
    if (env === 'production' && g.count > 1 && !g.antiAffinity) {
      f.error(
        'manifest.production-without-anti-affinity',
        at('count'),
        `in production, compute group "${g.name}" runs ${g.count} instances without anti-affinity: one hypervisor failure could take them all down`,
        `set \`antiAffinity: true\` for ${g.name} (in environments.production.compute.groups.${g.name} or on the group)`,
      );
    }
  });

  const containerNames = city.storage.containers.map((c) => c.name);
  const networkNames = [city.network.name, ...subnetNames];
  city.partners.forEach((p, pi) => {
    const accessPath = overrideOrigin(m, env, 'partners', pi, 'access');
    p.access.forEach((a, ai) => {
      if ('network' in a) {
        if (unknown(ctx, 'subnet', a.network, networkNames)) {
          const u = unknownName('network or subnet', a.network, networkNames);
          f.error('manifest.unknown-reference', [...accessPath, ai, 'network'], u.message, u.hint);
        }
        if (a.mode === 'write')
          f.error(
            'manifest.invalid-access',
            [...accessPath, ai, 'mode'],
            'a network can only be shared for use (mode: read); Neutron RBAC has no write access to a network',
            'remove `mode: write`',
          );
      } else if (unknown(ctx, 'container', a.container, containerNames)) {
        const u = unknownName('container', a.container, containerNames);
        f.error('manifest.unknown-reference', [...accessPath, ai, 'container'], u.message, u.hint);
      }
    });
  });

  if (ctx.templates !== undefined) {
    const templates = ctx.templates;
    city.services.forEach((s, si) => {
      if (templates.includes(s.template)) return;
      const u = unknownName('template', s.template, templates);
      f.error(
        'manifest.unknown-template',
        overrideOrigin(m, env, 'services', si, 'template'),
        u.message,
        `${u.hint}; templates are the directories of templates/ that hold a template.yaml`,
      );
    });
  }
  city.services.forEach((s, si) => {
    if (!unknown(ctx, 'compute group', s.on, computeNames)) return;
    const u = unknownName('compute group', s.on, computeNames);
    f.error('manifest.unknown-reference', overrideOrigin(m, env, 'services', si, 'on'), u.message, u.hint);
  });
}

function checkCidrText(text: string, path: DocPath, f: Findings, strictNetwork: boolean): Cidr | undefined {
  const c = parseCidr(text);
  if (c === undefined) {
    f.error(
      'manifest.invalid-cidr',
      path,
      `"${text}" is not a valid CIDR`,
      'write an address and a prefix length, e.g. 10.20.0.0/16',
    );
    return undefined;
  }
  if (hasHostBits(c)) {
    if (strictNetwork)
      f.error(
        'manifest.invalid-cidr',
        path,
        `"${text}" has host bits set: it is not a network address`,
        `did you mean "${networkOf(c)}"?`,
      );
    else
      f.add(
        'warning',
        'manifest.cidr-host-bits',
        path,
        `"${text}" has host bits set; OpenStack will use "${networkOf(c)}"`,
        `write "${networkOf(c)}"`,
      );
  }
  return c;
}

function checkNetwork(m: CityManifest, city: ResolvedCity, f: Findings): void {
  const env = city.env;
  const net = checkCidrText(city.network.cidr, ['network', 'cidr'], f, true);
  const parsed: { name: string; cidr: Cidr; path: DocPath }[] = [];
  city.network.subnets.forEach((s, si) => {
    const at = (field: string): DocPath => overrideOrigin(m, env, 'network.subnets', si, field);
    const cidr = checkCidrText(s.cidr, at('cidr'), f, true);
    if (cidr === undefined) return;
    if (cidr.prefix > 29)
      f.error(
        'manifest.subnet-too-small',
        at('cidr'),
        `subnet "${s.name}" (${s.cidr}) is too small: it leaves no room for instances`,
        'use a /29 or larger',
      );
    if (net !== undefined && !cidrContains(net, cidr)) {
      f.error(
        'manifest.subnet-outside-network',
        at('cidr'),
        `subnet "${s.name}" (${s.cidr}) is not inside the network ${city.network.cidr}`,
        `choose a CIDR inside ${city.network.cidr}, or widen network.cidr`,
      );
    }
    for (const other of parsed) {
      if (cidrsOverlap(other.cidr, cidr)) {
        f.error(
          'manifest.overlapping-subnets',
          at('cidr'),
          `subnet "${s.name}" (${s.cidr}) overlaps subnet "${other.name}" (${networkOf(other.cidr)}) at ${formatPath(other.path)}`,
          'give each subnet its own address range',
        );
      }
    }
    parsed.push({ name: s.name, cidr, path: at('cidr') });
    const gatewayText = s.gatewayIp;
    let gateway: bigint | undefined = cidr.first + 1n;
    if (gatewayText !== undefined) {
      gateway = parseIpv4(gatewayText);
      if (gateway !== undefined && (!addressIn(cidr, gateway) || gateway === cidr.first || gateway === cidr.last)) {
        f.error(
          'manifest.gateway-outside-subnet',
          at('gatewayIp'),
          `gateway ${gatewayText} is not a usable address of subnet ${s.cidr}`,
          `use an address between ${formatIpv4(cidr.first + 1n)} and ${formatIpv4(cidr.last - 1n)}`,
        );
      }
    }
    const pools: { start: bigint; end: bigint; i: number }[] = [];
    s.allocationPools.forEach((pool, pi) => {
      const poolPath = [...at('allocationPools'), pi];
      const start = parseIpv4(pool.start);
      const end = parseIpv4(pool.end);
      if (start === undefined || end === undefined) return;
      if (start > end) {
        f.error(
          'manifest.invalid-allocation-pool',
          poolPath,
          `allocation pool starts (${pool.start}) after it ends (${pool.end})`,
          'swap start and end',
        );
        return;
      }
      if (!addressIn(cidr, start) || !addressIn(cidr, end) || start === cidr.first || end === cidr.last) {
        f.error(
          'manifest.pool-outside-subnet',
          poolPath,
          `allocation pool ${pool.start}-${pool.end} is not inside the usable addresses of subnet ${s.cidr}`,
          `keep it between ${formatIpv4(cidr.first + 1n)} and ${formatIpv4(cidr.last - 1n)}`,
        );
        return;
      }
      if (gateway !== undefined && gateway >= start && gateway <= end) {
        f.error(
          'manifest.pool-contains-gateway',
          poolPath,
          `allocation pool ${pool.start}-${pool.end} contains the gateway ${formatIpv4(gateway)}`,
          'start the pool after the gateway (OpenStack refuses this subnet)',
        );
      }
      for (const other of pools) {
        if (start <= other.end && other.start <= end)
          f.error(
            'manifest.overlapping-pools',
            poolPath,
            `allocation pool ${pool.start}-${pool.end} overlaps allocationPools[${other.i}]`,
            'pools of one subnet must not overlap',
          );
      }
      pools.push({ start, end, i: pi });
    });
  });
  const dnsPath = envPath(m, env, 'network', 'dnsServers');
  city.network.dnsServers.forEach((d, i) => {
    if (parseIpv4(d) === undefined)
      f.error('manifest.invalid-address', [...dnsPath, i], `"${d}" is not an IPv4 address`);
  });
}

/**
 * What Neutron would refuse at apply time: more ports on a subnet than it has
 * addresses (IpAddressGenerationFailure), and floating IPs with no router
 * gateway to reach them (ExternalGatewayForFloatingIPNotFound).
 */
function checkAddressing(m: CityManifest, city: ResolvedCity, f: Findings): void {
  const env = city.env;
  city.network.subnets.forEach((s, si) => {
    const cidr = parseCidr(s.cidr);
    if (cidr === undefined || cidr.version !== 4) return;
    const usable =
      s.allocationPools.length > 0
        ? s.allocationPools.reduce((n, p) => {
            const start = parseIpv4(p.start);
            const end = parseIpv4(p.end);
            return start === undefined || end === undefined || end < start ? n : n + Number(end - start) + 1;
          }, 0)
        : Number(cidr.last - cidr.first) - 2;
    // The DHCP agent takes one address from the pool.
    const capacity = usable - (s.enableDhcp ? 1 : 0);
    const needed = city.compute.groups.filter((g) => g.subnet === s.name).reduce((n, g) => n + g.count, 0);
    if (needed > capacity) {
      const where =
        s.allocationPools.length > 0
          ? overrideOrigin(m, env, 'network.subnets', si, 'allocationPools')
          : overrideOrigin(m, env, 'network.subnets', si, 'cidr');
      f.error(
        'manifest.subnet-exhausted',
        where,
        `subnet "${s.name}" has room for ${Math.max(capacity, 0)} instance ${capacity === 1 ? 'port' : 'ports'} but its compute groups need ${needed}${env === 'production' || env === 'preprod' ? ` in ${env}` : ''}`,
        'widen the subnet or its allocation pools, or run fewer instances',
      );
    }
  });
  if (!city.network.router.externalGateway) {
    city.compute.groups.forEach((g, gi) => {
      if (g.floatingIp)
        f.error(
          'manifest.floating-ip-unreachable',
          overrideOrigin(m, env, 'compute.groups', gi, 'floatingIp'),
          `compute group "${g.name}" asks for floating IPs, but the router has no gateway to ${city.cloud.externalNetwork}`,
          'set network.router.externalGateway: true, or floatingIp: false',
        );
    });
  }
}

function portBounds(ports: Rule['ports']): [number, number] | undefined {
  if (ports === undefined) return undefined;
  if (typeof ports === 'number') return [ports, ports];
  const [lo, hi] = ports.split('-').map(Number);
  return [lo ?? NaN, hi ?? lo ?? NaN];
}

function checkSecurity(m: CityManifest, city: ResolvedCity, ctx: SemanticContext, f: Findings): void {
  const env = city.env;
  const adminPath = envPath(m, env, 'security', 'adminCidrs');
  city.security.adminCidrs.forEach((c, i) => checkCidrText(c, [...adminPath, i], f, false));
  const groupNames = city.security.groups.map((g) => g.name);
  city.security.groups.forEach((g, gi) => {
    const rulesPath = overrideOrigin(m, env, 'security.groups', gi, 'rules');
    // Neutron refuses a rule identical to one the group has (SecurityGroupRuleExists, 409).
    const written = new Map<string, number>();
    g.rules.forEach((rule, ri) => {
      const bounds = portBounds(rule.ports);
      const remotes =
        rule.remote === 'admin'
          ? city.security.adminCidrs
          : rule.remote === undefined
            ? [`group:${rule.remoteGroup ?? ''}`]
            : [rule.remote];
      for (const remote of remotes) {
        const parsed = remote.startsWith('group:') ? undefined : parseCidr(remote);
        const id = [
          rule.direction,
          rule.protocol,
          bounds?.join('-') ?? 'all',
          parsed === undefined ? remote : networkOf(parsed),
        ].join(' ');
        const earlier = written.get(id);
        if (earlier !== undefined && earlier !== ri) {
          f.error(
            'manifest.duplicate-rule',
            [...rulesPath, ri],
            `this rule repeats rules[${earlier}] of group "${g.name}"${rule.remote === 'admin' ? ` (for admin CIDR ${remote})` : ''}`,
            'remove one of them: OpenStack refuses identical rules in one group',
          );
          break;
        }
        written.set(id, ri);
      }
    });
    g.rules.forEach((rule, ri) => {
      const at: DocPath = [...rulesPath, ri];
      const hasRemote = rule.remote !== undefined;
      const hasGroup = rule.remoteGroup !== undefined;
      if (hasRemote === hasGroup) {
        f.error(
          'manifest.rule-remote',
          at,
          hasRemote
            ? 'a rule takes either `remote` or `remoteGroup`, not both'
            : 'a rule needs `remote` (a CIDR or "admin") or `remoteGroup`',
          'e.g. `remote: 0.0.0.0/0`, `remote: admin` or `remoteGroup: web`',
        );
      }
      if (rule.remote === 'admin' && city.security.adminCidrs.length === 0) {
        f.error(
          'manifest.no-admin-cidrs',
          [...at, 'remote'],
          '`remote: admin` but security.adminCidrs is empty',
          'list the networks operators administer from in security.adminCidrs',
        );
      } else if (rule.remote !== undefined && rule.remote !== 'admin') {
        checkCidrText(rule.remote, [...at, 'remote'], f, false);
      }
      if (rule.remoteGroup !== undefined && unknown(ctx, 'security group', rule.remoteGroup, groupNames)) {
        const u = unknownName('security group', rule.remoteGroup, groupNames);
        f.error('manifest.unknown-reference', [...at, 'remoteGroup'], u.message, u.hint);
      }
      const bounds = portBounds(rule.ports);
      if (bounds !== undefined) {
        if (rule.protocol !== 'tcp' && rule.protocol !== 'udp') {
          f.error(
            'manifest.ports-without-protocol',
            [...at, 'ports'],
            `ports apply to tcp and udp only, not to ${rule.protocol}`,
            'remove `ports`, or use protocol tcp or udp',
          );
        }
        const [lo, hi] = bounds;
        if (!(lo >= 1 && lo <= 65535 && hi >= 1 && hi <= 65535)) {
          f.error(
            'manifest.port-out-of-range',
            [...at, 'ports'],
            `port ${JSON.stringify(rule.ports)} is out of range (1..65535)`,
            'ports are numbered 1 to 65535',
          );
        } else if (lo > hi) {
          f.error(
            'manifest.port-range-reversed',
            [...at, 'ports'],
            `port range "${String(rule.ports)}" starts after it ends`,
            `did you mean "${hi}-${lo}"?`,
          );
        }
      }
    });
  });
}
