/**
 * The STORM migration method rehearses every change in preprod: production may
 * differ only in sizes and counts, or the rehearsal proves nothing. Other
 * differences must be declared — as a STORM-ENV-001 waiver in the production
 * environment (environments.production.waivers, with a target to narrow it).
 */
import type { ResolvedCity } from '../../manifest/model';
import type { PolicyRule, RuleHit } from '../policy-types';
import { serviceGroupName } from '../../synth/services';
import { PRODUCTION_ENV } from './availability';

export const PREPROD_ENV = 'preprod';

type Comparable = { [key: string]: unknown };

function byName<T extends { name: string }>(items: readonly T[], strip: (item: T) => Comparable): Comparable {
  const out: Comparable = {};
  for (const item of items) out[item.name] = strip(item);
  return out;
}

function omit<T extends object>(item: T, keys: readonly string[]): Comparable {
  const out: Comparable = {};
  for (const [k, v] of Object.entries(item)) if (!keys.includes(k)) out[k] = v;
  return out;
}

/**
 * What must be equal across environments, keyed the way environment overrides
 * are (by item name), so a difference's path is also where an override sets it.
 * Left out: sizes and counts (count, flavor, size, antiAffinity), descriptions,
 * waivers, tags, state location and service parameters (configuration, not
 * infrastructure). A service's resolved front door and the port rules of its
 * `svc-` group follow from what is compared already (its loadBalancer, tls and dns
 * keys) or from its group's count (a load balancer by default in production for
 * more than one instance), so they are not compared twice.
 */
export function comparableShape(city: ResolvedCity, fronted: ReadonlySet<string> = new Set()): Comparable {
  const noise = ['waivers', 'description'];
  const derived = new Set([...fronted].map(serviceGroupName));
  return {
    cloud: city.cloud,
    network: { ...omit(city.network, ['subnets']), subnets: byName(city.network.subnets, (s) => omit(s, noise)) },
    security: {
      adminCidrs: city.security.adminCidrs,
      groups: byName(
        city.security.groups.filter((g) => !derived.has(g.name)),
        (g) => ({ rules: g.rules.map((r) => omit(r, noise)) }),
      ),
    },
    compute: {
      keypairs: city.compute.keypairs,
      groups: byName(city.compute.groups, (g) => omit(g, [...noise, 'count', 'flavor', 'antiAffinity'])),
    },
    storage: {
      volumes: byName(city.storage.volumes, (v) => omit(v, [...noise, 'size'])),
      containers: byName(city.storage.containers, (c) => omit(c, noise)),
    },
    partners: byName(city.partners, (p) => omit(p, noise)),
    services: byName(city.services, (s) => omit(s, [...noise, 'parameters', 'frontDoor'])),
  };
}

function isPlainObject(v: unknown): v is Comparable {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Dotted paths where the two shapes differ (maps recursed, arrays and scalars compared whole). */
export function differingPaths(a: unknown, b: unknown, prefix: string[] = []): string[][] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differingPaths(a[k], b[k], [...prefix, k]));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

function render(value: unknown): string {
  if (value === undefined) return '(unset)';
  const s = JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function at(value: unknown, path: readonly string[]): unknown {
  let cur = value;
  for (const seg of path) cur = isPlainObject(cur) ? cur[seg] : undefined;
  return cur;
}

function exists(value: unknown, path: readonly (string | number)[]): boolean {
  let cur = value;
  for (const seg of path) {
    if (!isPlainObject(cur) || !(String(seg) in cur)) return false;
    cur = cur[String(seg)];
  }
  return true;
}

export const environmentRules: PolicyRule[] = [
  {
    id: 'STORM-ENV-001',
    name: 'env.production-differs-from-preprod',
    family: 'ENV',
    scope: 'environment',
    severity: 'error',
    title: 'production differs from preprod only in sizes and counts unless the difference is declared',
    hint: 'make preprod rehearse the same thing, or declare the difference with a STORM-ENV-001 waiver under environments.production.waivers',
    check: (ctx) => {
      if (ctx.env !== PRODUCTION_ENV || ctx.manifest.environments[PREPROD_ENV] === undefined) return [];
      const preprod = ctx.resolve(PREPROD_ENV);
      const fronted = new Set(
        [...preprod.services, ...ctx.city.services].filter((s) => s.frontDoor !== undefined).map((s) => s.name),
      );
      const pre = comparableShape(preprod, fronted);
      const prod = comparableShape(ctx.city, fronted);
      return differingPaths(pre, prod).map((p): RuleHit => {
        const inProd = ['environments', PRODUCTION_ENV, ...p];
        const inPre = ['environments', PREPROD_ENV, ...p];
        const path = exists(ctx.manifest, inProd)
          ? inProd
          : exists(ctx.manifest, inPre)
            ? inPre
            : ['environments', PRODUCTION_ENV];
        return {
          subject: p.join('.'),
          path,
          message: `production ${p.join('.')} is ${render(at(prod, p))} but preprod has ${render(at(pre, p))}`,
        };
      });
    },
  },
];
