/**
 * What the city's services (pilot templates) need from the infrastructure,
 * merged into the resolved model before the stack is built, so every layer
 * builds it the same way as what the manifest declares. The manifest wins:
 * a volume or container it already declares is kept as written, and a port one
 * of the group's security groups already opens gets no second rule. What is
 * missing is added:
 * - per instance of the service's group, a volume `<service>-<volume>`;
 * - a container per template container;
 * - a security group `svc-<service>` on the group's ports holding the ingress
 *   rules the group's own groups do not cover; a service behind a load balancer
 *   opens its port to the group's subnet (where the VIP is) instead of the internet.
 */
import type { Rule } from '../manifest/city-manifest.types';
import type { ResolvedCity } from '../manifest/model';
import type { ServiceNeeds } from '../manifest/templates';
import { parsePorts } from './security';

export function serviceGroupName(service: string): string {
  return `svc-${service}`;
}

type SecurityGroupModel = ResolvedCity['security']['groups'][number];

/** Does one of `groups` already let `cidr` (or members of `remoteGroups`) reach protocol/port? */
function covered(
  groups: readonly SecurityGroupModel[],
  adminCidrs: readonly string[],
  protocol: 'tcp' | 'udp',
  port: number,
  peer: { cidr: string } | { remoteGroups: readonly string[] },
): boolean {
  return groups.some((g) =>
    g.rules.some((r) => {
      if (r.direction !== 'ingress') return false;
      if (r.protocol !== 'any' && r.protocol !== protocol) return false;
      if (r.protocol !== 'any' && r.ports !== undefined) {
        const range = parsePorts(r.ports);
        if (port < range.min || port > range.max) return false;
      }
      if ('cidr' in peer) {
        if (r.remoteGroup !== undefined) return false;
        if (r.remote === undefined || r.remote === '0.0.0.0/0') return true;
        if (r.remote === 'admin') return adminCidrs.includes(peer.cidr);
        return r.remote === peer.cidr;
      }
      return r.remoteGroup !== undefined && peer.remoteGroups.includes(r.remoteGroup);
    }),
  );
}

export function withServiceNeeds(city: ResolvedCity, needs: readonly ServiceNeeds[]): ResolvedCity {
  if (needs.length === 0) return city;
  const volumes = [...city.storage.volumes];
  const containers = [...city.storage.containers];
  const securityGroups = [...city.security.groups];
  const computeGroups = city.compute.groups.map((g) => ({
    ...g,
    volumes: [...g.volumes],
    securityGroups: [...g.securityGroups],
  }));

  for (const need of needs) {
    const group = computeGroups.find((g) => g.name === need.group);
    if (group === undefined) continue; // validation rejects a service on an unknown group

    for (const v of need.volumes) {
      if (!volumes.some((x) => x.name === v.name)) {
        volumes.push({
          name: v.name,
          size: v.size,
          description: `${need.service} data, mounted at ${v.mountPath}`,
          personalData: need.personalData,
          waivers: [],
        });
      }
      if (!group.volumes.includes(v.name)) group.volumes.push(v.name);
    }

    for (const c of need.containers) {
      if (containers.some((x) => x.name === c.name)) continue;
      containers.push({
        name: c.name,
        acl: c.acl,
        versioning: c.versioning,
        openData: c.openData,
        personalData: need.personalData,
        waivers: [],
      });
    }

    const own = securityGroups.filter((g) => group.securityGroups.includes(g.name));
    const svcName = serviceGroupName(need.service);
    const rules: Rule[] = [];
    // Behind a load balancer the service port is for the balancer only: its VIP and health
    // monitor are on the group's subnet, so that subnet is the one peer (admin CIDRs aside).
    const fronted = city.services.some((s) => s.name === need.service && s.frontDoor !== undefined);
    const subnetCidr = city.network.subnets.find((s) => s.name === group.subnet)?.cidr;
    for (const ingress of need.ingress) {
      const description = `${need.service}: port ${ingress.port}/${ingress.protocol}`;
      if (ingress.from.kind === 'cidrs') {
        const publicPort =
          fronted &&
          subnetCidr !== undefined &&
          ingress.port === need.servicePort &&
          ingress.from.cidrs.includes('0.0.0.0/0');
        const cidrs = publicPort
          ? [subnetCidr, ...ingress.from.cidrs.filter((c) => c !== '0.0.0.0/0')]
          : ingress.from.cidrs;
        for (const cidr of cidrs) {
          if (covered(own, city.security.adminCidrs, ingress.protocol, ingress.port, { cidr })) continue;
          rules.push({
            direction: 'ingress',
            protocol: ingress.protocol,
            ports: ingress.port,
            remote: cidr,
            description,
          });
        }
      } else if (
        !covered(own, city.security.adminCidrs, ingress.protocol, ingress.port, {
          remoteGroups: [...group.securityGroups, svcName],
        })
      ) {
        // The group's own instances: members of the service group reach each other.
        rules.push({
          direction: 'ingress',
          protocol: ingress.protocol,
          ports: ingress.port,
          remoteGroup: svcName,
          description,
        });
      }
    }
    if (rules.length > 0 && !securityGroups.some((g) => g.name === svcName)) {
      securityGroups.push({
        name: svcName,
        description: `What ${need.service} (${need.template}) needs open`,
        rules,
        waivers: [],
      });
      group.securityGroups.push(svcName);
    }
  }

  return {
    ...city,
    security: { ...city.security, groups: securityGroups },
    compute: { ...city.compute, groups: computeGroups },
    storage: { volumes, containers },
  };
}
