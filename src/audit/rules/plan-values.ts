/**
 * The exposure rules checked on resources rather than on the manifest: on the
 * synthesized Terraform configuration (catches a synthesis that does not do what
 * the manifest says) and on what a plan would really create (`tofu show -json`:
 * catches a plan made from another revision or edited by hand). Hits name the
 * resource address and blame the manifest item the resource comes from.
 */
import type { DocPath } from '../../manifest/source';
import type { PolicyContext, RuleHit } from '../policy-types';
import { ADMIN_PORTS, DATABASE_PORTS } from './security';
import { httpsListeners, poolMonitors } from './front-door';
import { groupField, isWorld, rulesPath } from './rule-helpers';
import { ruleId, ruleRemotes } from '../../synth/security';

export interface PlannedResource {
  address: string;
  type: string;
  values: Record<string, unknown>;
}

interface ModuleJson {
  resources?: { address?: unknown; type?: unknown; mode?: unknown; values?: unknown }[];
  child_modules?: ModuleJson[];
}

/** Managed resources of planned_values, child modules included. */
export function plannedResources(plan: unknown): PlannedResource[] {
  const root = (plan as { planned_values?: { root_module?: ModuleJson } } | null)?.planned_values?.root_module;
  const out: PlannedResource[] = [];
  const walk = (m: ModuleJson | undefined): void => {
    if (m === undefined) return;
    for (const r of m.resources ?? []) {
      if (r.mode !== undefined && r.mode !== 'managed') continue;
      if (typeof r.address !== 'string' || typeof r.type !== 'string') continue;
      out.push({ address: r.address, type: r.type, values: (r.values ?? {}) as Record<string, unknown> });
    }
    for (const c of m.child_modules ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** Managed resources of a synthesized Terraform JSON configuration. */
export function configResources(terraformJson: unknown): PlannedResource[] {
  const blocks = (terraformJson as { resource?: Record<string, Record<string, unknown>> } | null)?.resource ?? {};
  const out: PlannedResource[] = [];
  for (const type of Object.keys(blocks).sort()) {
    const byName = blocks[type] ?? {};
    for (const name of Object.keys(byName).sort())
      out.push({ address: `${type}.${name}`, type, values: (byName[name] ?? {}) as Record<string, unknown> });
  }
  return out;
}

const logical = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '_');

/** The manifest setting a resource comes from: synthesis names resources after the manifest's items. */
export function blameResource(ctx: PolicyContext, r: PlannedResource): DocPath {
  const name = r.address.slice(r.address.lastIndexOf('.') + 1);
  if (r.type === 'openstack_networking_secgroup_rule_v2') {
    for (const [gi, group] of ctx.city.security.groups.entries()) {
      for (const [ri, rule] of group.rules.entries()) {
        // Synthesis names each rule (per remote) the way ruleId does, with _2, _3 for duplicates.
        const ids = ruleRemotes(rule, ctx.city.security.adminCidrs).map((remote) => ruleId(group.name, rule, remote));
        if (ids.some((id) => name === id || new RegExp(`^${id}_\\d+$`).test(name))) return [...rulesPath(ctx, gi), ri];
      }
    }
    const gi = ctx.city.security.groups.findIndex((g) => name.startsWith(`${logical(g.name)}_`));
    return gi < 0 ? ['security', 'groups'] : rulesPath(ctx, gi);
  }
  if (r.type === 'openstack_objectstorage_container_v1') {
    const i = ctx.city.storage.containers.findIndex((c) => logical(c.name) === name);
    return i < 0 ? ['storage', 'containers'] : groupField(ctx, 'storage.containers', i, 'acl');
  }
  return [];
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** Security-group rules among `resources` that admit the world on one of `ports`. */
export function exposures(
  ctx: PolicyContext,
  resources: readonly PlannedResource[],
  source: 'config' | 'plan',
  ports: readonly { port: number; name: string }[],
): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const r of resources) {
    if (r.type !== 'openstack_networking_secgroup_rule_v2') continue;
    const v = r.values;
    const prefix = typeof v.remote_ip_prefix === 'string' ? v.remote_ip_prefix : undefined;
    if (v.direction !== 'ingress' || prefix === undefined || !isWorld(prefix)) continue;
    const protocol = typeof v.protocol === 'string' ? v.protocol : '';
    if (protocol === 'icmp') continue;
    const lo = num(v.port_range_min) ?? 1;
    const hi = num(v.port_range_max) ?? 65535;
    const open = ports.filter((p) => (lo === 0 && hi === 0) || (lo <= p.port && p.port <= hi));
    if (open.length === 0) continue;
    hits.push({
      subject: `${source}.${r.address}`,
      path: blameResource(ctx, r),
      source,
      message: `the ${source === 'plan' ? 'plan' : 'synthesized configuration'} creates ${r.address}, opening ${open.map((p) => `${p.name} (${p.port})`).join(', ')} to ${prefix}`,
    });
  }
  return hits;
}

function publicContainers(
  ctx: PolicyContext,
  resources: readonly PlannedResource[],
  source: 'config' | 'plan',
): RuleHit[] {
  return resources
    .filter(
      (r) =>
        r.type === 'openstack_objectstorage_container_v1' &&
        typeof r.values.container_read === 'string' &&
        /\.r:\*/.test(r.values.container_read),
    )
    .filter((r) => {
      // An open-data container is meant to be public (its manifest entry says so).
      const name = r.address.slice(r.address.lastIndexOf('.') + 1);
      return !ctx.city.storage.containers.some((c) => logical(c.name) === name && c.openData);
    })
    .map((r) => ({
      subject: `${source}.${r.address}`,
      path: blameResource(ctx, r),
      source,
      message: `the ${source === 'plan' ? 'plan' : 'synthesized configuration'} makes ${r.address} (container "${String(r.values.name)}") readable by anyone`,
    }));
}

/** Checks on resources, by rule id: run on the synthesized config and on a plan. */
export const RESOURCE_CHECKS: Record<
  string,
  (ctx: PolicyContext, resources: readonly PlannedResource[], source: 'config' | 'plan') => RuleHit[]
> = {
  'STORM-SEC-001': (ctx, rs, source) => exposures(ctx, rs, source, ADMIN_PORTS),
  'STORM-SEC-002': (ctx, rs, source) => exposures(ctx, rs, source, DATABASE_PORTS),
  'STORM-DATA-001': publicContainers,
  'STORM-SEC-006': httpsListeners,
  'STORM-AVL-002': poolMonitors,
};
