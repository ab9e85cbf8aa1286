/**
 * Outputs: the identifiers and addresses later stages (deploy, audit, the user)
 * read with `tofu output -json`. Service URLs join them when services deploy.
 */
import { Construct } from './cdktf';
import type { ServiceNeeds } from '../manifest/templates';
import { Fn, TerraformOutput } from './cdktf';
import type { ComputeLayer } from './compute';
import type { FrontDoorLayer } from './front-door';
import type { NetworkLayer } from './network';
import type { SecurityLayer } from './security';
import type { StorageLayer } from './storage';

function output(scope: Construct, id: string, value: unknown, description: string): void {
  const o = new TerraformOutput(scope, id, { value, description });
  o.overrideLogicalId(id);
}

export class OutputsLayer extends Construct {
  constructor(
    scope: Construct,
    id: string,
    layers: {
      network: NetworkLayer;
      security: SecurityLayer;
      compute: ComputeLayer;
      storage: StorageLayer;
      frontDoor: FrontDoorLayer;
    },
    services: readonly ServiceNeeds[],
  ) {
    super(scope, id);
    const { network, security, compute, storage, frontDoor } = layers;
    output(this, 'network_id', network.network.id, 'ID of the city network');
    output(
      this,
      'subnet_ids',
      Object.fromEntries([...network.subnets].map(([name, s]) => [name, s.id])),
      'Subnet IDs by manifest name',
    );
    output(this, 'router_id', network.router.id, 'ID of the city router');
    output(
      this,
      'security_group_ids',
      Object.fromEntries([...security.groups].map(([name, g]) => [name, g.id])),
      'Security group IDs by manifest name',
    );
    output(
      this,
      'instances',
      Object.fromEntries(
        compute.instances.map((i) => [
          `${i.group}-${i.index}`,
          {
            id: i.instance.id,
            name: i.name,
            group: i.group,
            fixed_ip: Fn.element(i.port.allFixedIps, 0),
            ...(i.floatingIp === undefined ? {} : { floating_ip: i.floatingIp.address }),
          },
        ]),
      ),
      'Instances by <group>-<n>: id, name, fixed and floating address',
    );
    output(
      this,
      'volume_ids',
      Object.fromEntries(
        storage.volumes.map((v) => [
          v.attachedTo === undefined ? v.definition : `${v.attachedTo}-${v.definition}`,
          v.volume.id,
        ]),
      ),
      'Volume IDs',
    );
    if (services.length > 0) {
      output(
        this,
        'services',
        Object.fromEntries(
          services.map((s) => {
            const door = frontDoor.doors.find((d) => d.service === s.service);
            return [
              s.service,
              {
                // The one address citizens use: the front door when the service has one.
                ...(door === undefined
                  ? {}
                  : {
                      url: door.url,
                      // Where the front door listens: deploy's health checks go there (instances behind it have
                      // only fixed addresses, unreachable from outside the cloud).
                      address: door.floatingIp.address,
                      load_balancer_id: door.loadbalancer.id,
                      pool_id: door.pool.id,
                    }),
                // No version: a new release reaches instances without a change to the stack.
                template: s.template,
                group: s.group,
                port: s.servicePort,
                health_check: s.healthCheck,
                // The floating address when the instance has one (reachable from outside), else the fixed one.
                urls: compute.instances
                  .filter((i) => i.group === s.group)
                  .map(
                    (i) =>
                      `http://${i.floatingIp === undefined ? Fn.element(i.port.allFixedIps, 0) : i.floatingIp.address}:${s.servicePort}`,
                  ),
              },
            ];
          }),
        ),
        'Services by name: template, group, port, health check path, URL per instance, and the front door (url, load balancer and pool) when there is one',
      );
    }
    output(
      this,
      'containers',
      Object.fromEntries([...storage.containers].map(([name, c]) => [name, c.name])),
      'Object storage container names by manifest name',
    );
  }
}
