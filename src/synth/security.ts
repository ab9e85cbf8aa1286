/**
 * Security layer: one security group per manifest group and its rules. A rule
 * with `remote: admin` becomes one rule per security.adminCidrs entry.
 */
import { Construct } from './cdktf';
import type { Rule } from '../manifest/city-manifest.types';
import { openstack } from './cdktf';
import type { SynthContext } from './context';
import { logicalId } from './naming';

export interface PortRange {
  min: number;
  max: number;
}

/** "8000-8100" / "443" / 22 → inclusive range (the schema guarantees the shape). */
export function parsePorts(ports: number | string): PortRange {
  if (typeof ports === 'number') return { min: ports, max: ports };
  const [a, b] = ports.split('-');
  const min = Number(a);
  return { min, max: b === undefined ? min : Number(b) };
}

/** The remote CIDRs a rule stands for: its own, every admin CIDR, or none (any / a group). */
export function ruleRemotes(rule: Rule, adminCidrs: readonly string[]): (string | undefined)[] {
  if (rule.remote === 'admin') return [...adminCidrs];
  return [rule.remote];
}

/**
 * A rule's address comes from what it allows, not from its position, so adding
 * or reordering rules in the manifest never replaces the others:
 * web_in_tcp_22_from_193_146_0_0_24, web_in_tcp_443_from_anywhere, data_in_tcp_5432_from_group_web.
 */
export function ruleId(
  group: string,
  rule: Pick<Rule, 'direction' | 'protocol' | 'ports' | 'remoteGroup'>,
  remote: string | undefined,
): string {
  const ports =
    rule.ports !== undefined && (rule.protocol === 'tcp' || rule.protocol === 'udp')
      ? parsePorts(rule.ports)
      : undefined;
  const portPart = ports === undefined ? [] : [ports.min === ports.max ? `${ports.min}` : `${ports.min}_${ports.max}`];
  const peer =
    rule.remoteGroup !== undefined
      ? ['group', rule.remoteGroup]
      : remote === '0.0.0.0/0'
        ? ['anywhere']
        : remote === '::/0'
          ? ['anywhere', 'v6']
          : remote !== undefined
            ? [remote]
            : ['any'];
  return logicalId(
    group,
    rule.direction === 'ingress' ? 'in' : 'out',
    rule.protocol,
    ...portPart,
    rule.direction === 'ingress' ? 'from' : 'to',
    ...peer,
  );
}

export class SecurityLayer extends Construct {
  readonly groups = new Map<string, openstack.networkingSecgroupV2.NetworkingSecgroupV2>();

  constructor(scope: Construct, id: string, ctx: SynthContext) {
    super(scope, id);
    const { city } = ctx;
    for (const g of city.security.groups) {
      const hasEgress = g.rules.some((r) => r.direction === 'egress');
      const group = new openstack.networkingSecgroupV2.NetworkingSecgroupV2(this, logicalId('group', g.name), {
        name: ctx.name(g.name),
        ...(g.description === undefined ? {} : { description: g.description }),
        // Neutron adds allow-all egress rules to every new group; a manifest that
        // states egress rules owns egress completely (and would otherwise collide).
        deleteDefaultRules: hasEgress,
        tags: ctx.tags,
      });
      group.overrideLogicalId(logicalId(g.name));
      this.groups.set(g.name, group);
    }
    for (const g of city.security.groups) {
      const group = this.groups.get(g.name);
      if (group === undefined) continue;
      const taken = new Set<string>();
      for (const rule of g.rules) {
        for (const remote of ruleRemotes(rule, city.security.adminCidrs)) {
          // Identical rules are refused by validation (and by Neutron); stay unique regardless.
          let id = ruleId(g.name, rule, remote);
          for (let n = 2; taken.has(id); n += 1) id = `${ruleId(g.name, rule, remote)}_${n}`;
          taken.add(id);
          const ports =
            rule.ports !== undefined && (rule.protocol === 'tcp' || rule.protocol === 'udp')
              ? parsePorts(rule.ports)
              : undefined;
          const remoteGroup = rule.remoteGroup === undefined ? undefined : this.groups.get(rule.remoteGroup);
          const r = new openstack.networkingSecgroupRuleV2.NetworkingSecgroupRuleV2(this, `rule_${id}`, {
            securityGroupId: group.id,
            direction: rule.direction,
            ethertype: remote !== undefined && remote.includes(':') ? 'IPv6' : 'IPv4',
            ...(rule.protocol === 'any' ? {} : { protocol: rule.protocol }),
            ...(ports === undefined ? {} : { portRangeMin: ports.min, portRangeMax: ports.max }),
            ...(remote === undefined ? {} : { remoteIpPrefix: remote }),
            ...(remoteGroup === undefined ? {} : { remoteGroupId: remoteGroup.id }),
            ...(rule.description === undefined ? {} : { description: rule.description }),
          });
          r.overrideLogicalId(id);
        }
      }
    }
  }
}
