/**
 * The same exposure rules, checked on what a plan would really create (`tofu
 * show -json`): catches a plan made from another manifest revision or edited by
 * hand. Hits name the resource address; they blame the manifest section the
 * resource comes from.
 */
import type { DocPath } from '../../manifest/source';
import type { RuleHit } from '../policy-types';
import { ADMIN_PORTS, DATABASE_PORTS } from './security';
import { isWorld } from './rule-helpers';

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

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** Planned security-group rules that admit the world on one of `ports`. */
export function plannedExposures(plan: unknown, ports: readonly { port: number; name: string }[]): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const r of plannedResources(plan)) {
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
      subject: `plan.${r.address}`,
      path: ['security', 'groups'] as DocPath,
      source: 'plan',
      message: `the plan creates ${r.address}, opening ${open.map((p) => `${p.name} (${p.port})`).join(', ')} to ${prefix}`,
    });
  }
  return hits;
}

export const PLAN_CHECKS: Record<string, (plan: unknown) => RuleHit[]> = {
  'STORM-SEC-001': (plan) => plannedExposures(plan, ADMIN_PORTS),
  'STORM-SEC-002': (plan) => plannedExposures(plan, DATABASE_PORTS),
  'STORM-DATA-001': (plan) =>
    plannedResources(plan)
      .filter((r) => r.type === 'openstack_objectstorage_container_v1' && typeof r.values.container_read === 'string' && /\.r:\*/.test(r.values.container_read))
      .map((r) => ({ subject: `plan.${r.address}`, path: ['storage', 'containers'] as DocPath, source: 'plan' as const, message: `the plan makes ${r.address} (container "${String(r.values.name)}") readable by anyone` })),
};
