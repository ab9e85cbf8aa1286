/**
 * Security layer: one security group per manifest group and its rules. A rule
 * with `remote: admin` becomes one rule per security.adminCidrs entry.
 */
import { Construct } from 'constructs';
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
      g.rules.forEach((rule, index) => {
        const remotes = ruleRemotes(rule, city.security.adminCidrs);
        remotes.forEach((remote, k) => {
          const id = remotes.length === 1 ? logicalId(g.name, index + 1) : logicalId(g.name, index + 1, k + 1);
          const ports = rule.ports !== undefined && (rule.protocol === 'tcp' || rule.protocol === 'udp') ? parsePorts(rule.ports) : undefined;
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
        });
      });
    }
  }
}
