/**
 * What several rules need to know about a resolved city: which rules let the
 * whole internet in on which ports, which instances hold personal data, and
 * where in the manifest a resolved value was written.
 */
import { overrideOrigin } from '../../manifest/model';
import type { ResolvedCity } from '../../manifest/model';
import type { DocPath } from '../../manifest/source';
import type { Rule } from '../../manifest/city-manifest.types';
import type { PolicyContext } from '../policy-types';

export const WORLD_CIDRS: readonly string[] = ['0.0.0.0/0', '::/0'];

export function isWorld(cidr: string): boolean {
  return /\/0$/.test(cidr.trim());
}

/** Inclusive port range a rule opens; undefined = every port (no ports, or protocol any). */
export function portRange(rule: Pick<Rule, 'protocol' | 'ports'>): [number, number] | undefined {
  if (rule.protocol === 'any' || rule.ports === undefined) return undefined;
  if (typeof rule.ports === 'number') return [rule.ports, rule.ports];
  const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(rule.ports);
  if (m === null) return undefined;
  const lo = Number(m[1]);
  return [lo, m[2] === undefined ? lo : Number(m[2])];
}

export function opensPort(rule: Pick<Rule, 'protocol' | 'ports'>, port: number): boolean {
  if (rule.protocol === 'icmp') return false;
  const range = portRange(rule);
  return range === undefined || (range[0] <= port && port <= range[1]);
}

/** The world CIDR a rule admits, directly or through "admin" expanding to a world admin CIDR. */
export function worldSource(rule: Rule, adminCidrs: readonly string[]): string | undefined {
  if (rule.direction !== 'ingress') return undefined;
  if (rule.remote === undefined) return undefined;
  if (rule.remote === 'admin') return adminCidrs.find(isWorld);
  return isWorld(rule.remote) ? rule.remote : undefined;
}

/** Path of a group's rules list for this environment: the override's when it replaces them. */
export function rulesPath(ctx: PolicyContext, groupIndex: number): DocPath {
  return overrideOrigin(ctx.manifest, ctx.env, 'security.groups', groupIndex, 'rules');
}

export function groupField(
  ctx: PolicyContext,
  collection: Parameters<typeof overrideOrigin>[2],
  index: number,
  field: string,
): DocPath {
  return overrideOrigin(ctx.manifest, ctx.env, collection, index, field);
}

/** Names of compute groups that hold personal data: flagged themselves or hosting a personal-data service. */
export function personalDataGroups(city: ResolvedCity): Set<string> {
  const out = new Set<string>();
  for (const g of city.compute.groups) if (g.personalData) out.add(g.name);
  for (const s of city.services) if (s.personalData) out.add(s.on);
  return out;
}

export function processesPersonalData(city: ResolvedCity): boolean {
  return (
    personalDataGroups(city).size > 0 ||
    city.storage.volumes.some((v) => v.personalData) ||
    city.storage.containers.some((c) => c.personalData)
  );
}

export function namedRule(group: string, index: number): string {
  return `security.groups.${group}.rules[${index}]`;
}
