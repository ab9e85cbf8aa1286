/**
 * Network layer: the city network, its subnets, and a router that joins them
 * (and, with router.externalGateway, reaches cloud.externalNetwork).
 */
import { Construct } from './cdktf';
import { openstack } from './cdktf';
import type { SynthContext } from './context';
import { logicalId } from './naming';

export class NetworkLayer extends Construct {
  readonly network: openstack.networkingNetworkV2.NetworkingNetworkV2;
  readonly subnets = new Map<string, openstack.networkingSubnetV2.NetworkingSubnetV2>();
  readonly router: openstack.networkingRouterV2.NetworkingRouterV2;
  readonly routerInterfaces = new Map<string, openstack.networkingRouterInterfaceV2.NetworkingRouterInterfaceV2>();
  readonly externalNetwork: openstack.dataOpenstackNetworkingNetworkV2.DataOpenstackNetworkingNetworkV2 | undefined;

  constructor(scope: Construct, id: string, ctx: SynthContext) {
    super(scope, id);
    const { city } = ctx;
    const net = city.network;
    // The default network name is the city's: no need to say it twice.
    const thing = net.name === city.city.name ? 'net' : net.name;

    this.network = new openstack.networkingNetworkV2.NetworkingNetworkV2(this, 'network', {
      name: ctx.name(thing),
      adminStateUp: true,
      description: `${city.city.displayName} (${city.env})`,
      ...(net.mtu === undefined ? {} : { mtu: net.mtu }),
      tags: ctx.tags,
    });
    this.network.overrideLogicalId('network');

    for (const s of net.subnets) {
      const subnet = new openstack.networkingSubnetV2.NetworkingSubnetV2(this, logicalId('subnet', s.name), {
        name: ctx.name(s.name),
        networkId: this.network.id,
        cidr: s.cidr,
        ipVersion: 4,
        enableDhcp: s.enableDhcp,
        dnsNameservers: s.dnsServers,
        ...(s.gatewayIp === undefined ? {} : { gatewayIp: s.gatewayIp }),
        ...(s.allocationPools.length === 0
          ? {}
          : { allocationPool: s.allocationPools.map((p) => ({ start: p.start, end: p.end })) }),
        tags: ctx.tags,
      });
      subnet.overrideLogicalId(logicalId(s.name));
      this.subnets.set(s.name, subnet);
    }

    const needsExternal = net.router.externalGateway || city.compute.groups.some((g) => g.floatingIp);
    if (needsExternal) {
      this.externalNetwork = new openstack.dataOpenstackNetworkingNetworkV2.DataOpenstackNetworkingNetworkV2(
        this,
        'external',
        {
          name: city.cloud.externalNetwork,
          external: true,
        },
      );
      this.externalNetwork.overrideLogicalId('external');
    }

    this.router = new openstack.networkingRouterV2.NetworkingRouterV2(this, 'router', {
      name: ctx.name('router'),
      adminStateUp: true,
      ...(net.router.externalGateway && this.externalNetwork !== undefined
        ? { externalNetworkId: this.externalNetwork.id }
        : {}),
      tags: ctx.tags,
    });
    this.router.overrideLogicalId('router');

    for (const [name, subnet] of this.subnets) {
      const itf = new openstack.networkingRouterInterfaceV2.NetworkingRouterInterfaceV2(
        this,
        logicalId('router', name),
        {
          routerId: this.router.id,
          subnetId: subnet.id,
        },
      );
      itf.overrideLogicalId(logicalId(name));
      this.routerInterfaces.set(name, itf);
    }
  }
}
