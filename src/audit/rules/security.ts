/** Network exposure: what the internet can reach. */
import type { PolicyContext, PolicyRule, RuleHit } from '../policy-types';
import { groupField, isWorld, namedRule, opensPort, rulesPath, worldSource } from './rule-helpers';

export const ADMIN_PORTS: readonly { port: number; name: string }[] = [
  { port: 22, name: 'SSH' },
  { port: 3389, name: 'RDP' },
];

export const DATABASE_PORTS: readonly { port: number; name: string }[] = [
  { port: 5432, name: 'PostgreSQL' },
  { port: 3306, name: 'MySQL/MariaDB' },
  { port: 1433, name: 'SQL Server' },
  { port: 27017, name: 'MongoDB' },
  { port: 6379, name: 'Redis' },
];

function exposedPorts(
  id: string,
  ports: readonly { port: number; name: string }[],
  what: string,
): (ctx: PolicyContext) => RuleHit[] {
  return (ctx) => {
    const hits: RuleHit[] = [];
    ctx.city.security.groups.forEach((group, gi) => {
      group.rules.forEach((rule, ri) => {
        const world = worldSource(rule, ctx.city.security.adminCidrs);
        if (world === undefined) return;
        const open = ports.filter((p) => opensPort(rule, p.port));
        if (open.length === 0) return;
        const names = open.map((p) => `${p.name} (${p.port})`).join(', ');
        const viaAdmin = rule.remote === 'admin';
        hits.push({
          subject: namedRule(group.name, ri),
          path: [...rulesPath(ctx, gi), ri, viaAdmin ? 'remote' : rule.ports === undefined ? 'remote' : 'ports'],
          message: `security group "${group.name}" opens ${names} to ${world}${viaAdmin ? ' (through security.adminCidrs)' : ''}`,
          hint: `restrict this rule to remote: admin (security.adminCidrs) or to the ${what} that need it; ${id === 'STORM-SEC-002' ? 'use remoteGroup for traffic from your own instances' : 'use a bastion or VPN for remote administration'}`,
        });
      });
    });
    return hits;
  };
}

export const securityRules: PolicyRule[] = [
  {
    id: 'STORM-SEC-001',
    name: 'sec.admin-port-open-to-world',
    family: 'SEC',
    scope: 'environment',
    severity: 'error',
    title: 'SSH (22) and RDP (3389) are not open to 0.0.0.0/0 or ::/0',
    hint: 'allow administration only from security.adminCidrs (remote: admin)',
    check: exposedPorts('STORM-SEC-001', ADMIN_PORTS, 'administration networks'),
  },
  {
    id: 'STORM-SEC-002',
    name: 'sec.database-port-open-to-world',
    family: 'SEC',
    scope: 'environment',
    severity: 'error',
    title: 'database ports (5432, 3306, 1433, 27017, 6379) are not open to 0.0.0.0/0 or ::/0',
    hint: 'reach databases from the application tier with remoteGroup, never from the internet',
    check: exposedPorts('STORM-SEC-002', DATABASE_PORTS, 'application tier'),
  },
  {
    id: 'STORM-SEC-003',
    name: 'sec.admin-cidr-is-world',
    family: 'SEC',
    scope: 'environment',
    severity: 'error',
    title: 'admin CIDRs are not the whole internet',
    hint: 'list the networks operators really administer from (office, VPN) in security.adminCidrs',
    check: (ctx) => {
      const hits: RuleHit[] = [];
      const overridden = ctx.manifest.environments[ctx.env]?.security?.adminCidrs !== undefined;
      const base = overridden ? ['environments', ctx.env, 'security', 'adminCidrs'] : ['security', 'adminCidrs'];
      ctx.city.security.adminCidrs.forEach((cidr, i) => {
        if (isWorld(cidr))
          hits.push({
            subject: 'security.adminCidrs',
            path: [...base, i],
            message: `security.adminCidrs contains ${cidr}: "admin" rules would be open to everyone`,
          });
      });
      return hits;
    },
  },
  {
    id: 'STORM-SEC-004',
    name: 'sec.floating-ip-unrestricted',
    family: 'SEC',
    scope: 'environment',
    severity: 'error',
    title: 'an instance with a floating IP has a security group that restricts it',
    hint: 'attach security groups that open only the ports the service needs',
    check: (ctx) => {
      const hits: RuleHit[] = [];
      const groups = new Map(ctx.city.security.groups.map((g) => [g.name, g]));
      ctx.city.compute.groups.forEach((g, gi) => {
        if (!g.floatingIp) return;
        if (g.securityGroups.length === 0) {
          hits.push({
            subject: `compute.groups.${g.name}`,
            path: groupField(ctx, 'compute.groups', gi, 'floatingIp'),
            message: `compute group "${g.name}" gets a floating IP but no security group`,
          });
          return;
        }
        for (const name of g.securityGroups) {
          const sg = groups.get(name);
          const wideOpen = sg?.rules.find(
            (r) =>
              worldSource(r, ctx.city.security.adminCidrs) !== undefined &&
              (r.protocol === 'any' || (r.protocol !== 'icmp' && r.ports === undefined)),
          );
          if (wideOpen !== undefined) {
            hits.push({
              subject: `compute.groups.${g.name}`,
              path: groupField(ctx, 'compute.groups', gi, 'floatingIp'),
              message: `compute group "${g.name}" gets a floating IP and its security group "${name}" admits every ${wideOpen.protocol === 'any' ? 'protocol' : `${wideOpen.protocol} port`} from ${wideOpen.remote ?? ''}`,
              hint: `give the rules of "${name}" explicit ports`,
            });
          }
        }
      });
      return hits;
    },
  },
  {
    id: 'STORM-SEC-005',
    name: 'sec.ssh-without-keypair',
    family: 'SEC',
    scope: 'environment',
    severity: 'warning',
    title: 'instances reachable over SSH have a key pair',
    hint: 'set compute.groups[].keypair (or register exactly one key pair in compute.keypairs)',
    check: (ctx) => {
      const hits: RuleHit[] = [];
      const sshGroups = new Set(
        ctx.city.security.groups
          .filter((g) => g.rules.some((r) => r.direction === 'ingress' && opensPort(r, 22)))
          .map((g) => g.name),
      );
      ctx.city.compute.groups.forEach((g, gi) => {
        if (g.keypair !== undefined) return;
        const via = g.securityGroups.find((s) => sshGroups.has(s));
        if (via !== undefined)
          hits.push({
            subject: `compute.groups.${g.name}`,
            path: ['compute', 'groups', gi],
            message: `compute group "${g.name}" accepts SSH (security group "${via}") but has no key pair`,
          });
      });
      return hits;
    },
  },
];
