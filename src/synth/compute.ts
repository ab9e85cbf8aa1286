/**
 * Compute layer: key pairs, one anti-affinity server group per group that asks
 * for it, and per instance a port (fixed IP and security groups live on the
 * port), the instance, and optionally a floating IP associated with the port.
 * Instances are unrolled (web_1, web_2, ...) so each has a stable address.
 */
import { Construct } from './cdktf';
import type { ResolvedComputeGroup } from '../manifest/model';
import { openstack } from './cdktf';
import type { SynthContext, SynthExtras } from './context';

export type { InstanceSlot, SynthExtras } from './context';
import { logicalId } from './naming';
import type { NetworkLayer } from './network';
import type { SecurityLayer } from './security';

export interface InstanceRefs {
  group: string;
  /** 1-based. */
  index: number;
  name: string;
  port: openstack.networkingPortV2.NetworkingPortV2;
  instance: openstack.computeInstanceV2.ComputeInstanceV2;
  floatingIp: openstack.networkingFloatingipV2.NetworkingFloatingipV2 | undefined;
}

/** The zone of the i-th instance (1-based): the group's, else round-robin over the cloud's. */
export function instanceZone(
  group: Pick<ResolvedComputeGroup, 'availabilityZone'>,
  zones: readonly string[],
  index: number,
): string | undefined {
  if (group.availabilityZone !== undefined) return group.availabilityZone;
  if (zones.length === 0) return undefined;
  return zones[(index - 1) % zones.length];
}

export class ComputeLayer extends Construct {
  readonly keypairs = new Map<string, openstack.computeKeypairV2.ComputeKeypairV2>();
  readonly serverGroups = new Map<string, openstack.computeServergroupV2.ComputeServergroupV2>();
  readonly instances: InstanceRefs[] = [];

  constructor(
    scope: Construct,
    id: string,
    ctx: SynthContext,
    network: NetworkLayer,
    security: SecurityLayer,
    extras: SynthExtras = {},
  ) {
    super(scope, id);
    const { city } = ctx;

    for (const k of city.compute.keypairs) {
      const kp = new openstack.computeKeypairV2.ComputeKeypairV2(this, logicalId('keypair', k.name), {
        name: ctx.name(k.name),
        publicKey: k.publicKey,
      });
      kp.overrideLogicalId(logicalId(k.name));
      this.keypairs.set(k.name, kp);
    }

    const images = new Map<string, openstack.dataOpenstackImagesImageV2.DataOpenstackImagesImageV2>();
    const flavors = new Map<string, openstack.dataOpenstackComputeFlavorV2.DataOpenstackComputeFlavorV2>();
    for (const g of city.compute.groups) {
      if (!images.has(g.image)) {
        const img = new openstack.dataOpenstackImagesImageV2.DataOpenstackImagesImageV2(
          this,
          logicalId('image', g.image),
          { name: g.image, mostRecent: true },
        );
        img.overrideLogicalId(logicalId(g.image));
        images.set(g.image, img);
      }
      if (!flavors.has(g.flavor)) {
        const fl = new openstack.dataOpenstackComputeFlavorV2.DataOpenstackComputeFlavorV2(
          this,
          logicalId('flavor', g.flavor),
          { name: g.flavor },
        );
        fl.overrideLogicalId(logicalId(g.flavor));
        flavors.set(g.flavor, fl);
      }
    }

    // A group behind a load balancer is reached through the balancer's floating IP, not its own.
    const fronted = new Set(
      city.services
        .filter((s) => s.frontDoor !== undefined && (extras.services ?? []).some((n) => n.service === s.name))
        .map((s) => s.on),
    );
    for (const g of city.compute.groups) {
      let serverGroup: openstack.computeServergroupV2.ComputeServergroupV2 | undefined;
      if (g.antiAffinity) {
        serverGroup = new openstack.computeServergroupV2.ComputeServergroupV2(this, logicalId('servergroup', g.name), {
          name: ctx.name(g.name),
          policies: ['anti-affinity'],
        });
        serverGroup.overrideLogicalId(logicalId(g.name));
        this.serverGroups.set(g.name, serverGroup);
      }
      const subnet = network.subnets.get(g.subnet);
      const image = images.get(g.image);
      const flavor = flavors.get(g.flavor);
      if (subnet === undefined || image === undefined || flavor === undefined) continue; // validation rejects unknown names
      const securityGroupIds = g.securityGroups.flatMap((name) => {
        const sg = security.groups.get(name);
        return sg === undefined ? [] : [sg.id];
      });
      const keypair = g.keypair === undefined ? undefined : this.keypairs.get(g.keypair);
      // Every label (the manifest's tags included) plus the group's own metadata, which wins.
      const metadata: Record<string, string> = { ...ctx.labels };
      for (const [k, v] of Object.entries(g.metadata)) if (v !== undefined) metadata[k] = v;
      Object.assign(metadata, { 'storm-city': city.city.name, 'storm-env': city.env, 'storm-group': g.name });

      for (let i = 1; i <= g.count; i += 1) {
        const name = ctx.name(g.name, i);
        const lid = logicalId(g.name, i);
        const port = new openstack.networkingPortV2.NetworkingPortV2(this, logicalId('port', g.name, i), {
          name,
          networkId: network.network.id,
          adminStateUp: true,
          fixedIp: [{ subnetId: subnet.id }],
          securityGroupIds,
          tags: ctx.tags,
        });
        port.overrideLogicalId(lid);
        const zone = instanceZone(g, city.cloud.availabilityZones, i);
        const userData = extras.userData?.({ group: g, index: i, name });
        const instance = new openstack.computeInstanceV2.ComputeInstanceV2(this, logicalId('instance', g.name, i), {
          name,
          imageId: image.id,
          flavorId: flavor.id,
          ...(keypair === undefined ? {} : { keyPair: keypair.name }),
          ...(zone === undefined ? {} : { availabilityZone: zone }),
          metadata,
          network: [{ port: port.id }],
          ...(serverGroup === undefined ? {} : { schedulerHints: [{ group: serverGroup.id }] }),
          ...(userData === undefined ? {} : { userData: literalTemplateString(userData) }),
          tags: ctx.serverTags,
        });
        instance.overrideLogicalId(lid);

        let floatingIp: openstack.networkingFloatingipV2.NetworkingFloatingipV2 | undefined;
        if (g.floatingIp && !fronted.has(g.name)) {
          floatingIp = new openstack.networkingFloatingipV2.NetworkingFloatingipV2(this, logicalId('fip', g.name, i), {
            pool: city.cloud.externalNetwork,
            description: name,
            tags: ctx.tags,
          });
          floatingIp.overrideLogicalId(lid);
          const routerInterface = network.routerInterfaces.get(g.subnet);
          const assoc = new openstack.networkingFloatingipAssociateV2.NetworkingFloatingipAssociateV2(
            this,
            logicalId('fipassoc', g.name, i),
            {
              floatingIp: floatingIp.address,
              portId: port.id,
              // Neutron refuses the association until the subnet is routed to the external network.
              ...(routerInterface === undefined ? {} : { dependsOn: [routerInterface] }),
            },
          );
          assoc.overrideLogicalId(lid);
        }
        this.instances.push({ group: g.name, index: i, name, port, instance, floatingIp });
      }
    }
  }
}

/**
 * User data is a document for the instance, not a Terraform template: its shell
 * `${VAR:-default}` and `%{...}` must reach the instance verbatim, so Terraform's
 * template sequences are escaped (`$${`, `%%{`).
 */
export function literalTemplateString(text: string): string {
  return text.replace(/\$\{/g, '$$${').replace(/%\{/g, '%%{');
}
