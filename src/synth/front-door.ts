/**
 * Front-door layer: per service with a front door, an Octavia load balancer on the
 * service's subnet with the city's floating IP on its VIP, a pool of the service's
 * instances (one member per instance, its fixed IP and the template's port) watched by
 * an HTTP health monitor, and listeners: HTTPS terminated with a Barbican certificate
 * container plus HTTP answering with a redirect to HTTPS, or plain HTTP. A DNS name is
 * an A record in a Designate zone storm creates, pointing at the VIP's floating IP.
 *
 * A certificate storm uploads (from files or the city CA) reaches the configuration only as
 * two variables, the key a sensitive one: the engine gets both in its environment at run time
 * (tls-material.ts), so main.tf.json holds no key and is the same on every machine.
 */
import { Construct, Fn, TerraformVariable } from './cdktf';
import type { ResolvedFrontDoor } from '../manifest/model';
import type { ServiceNeeds } from '../manifest/templates';
import { openstack } from './cdktf';
import type { ComputeLayer } from './compute';
import type { SynthContext } from './context';
import { logicalId } from './naming';
import type { NetworkLayer } from './network';
import { tlsCertificateVariable, tlsKeyVariable } from './tls-material';

export interface FrontDoorRefs {
  service: string;
  frontDoor: ResolvedFrontDoor;
  loadbalancer: openstack.lbLoadbalancerV2.LbLoadbalancerV2;
  floatingIp: openstack.networkingFloatingipV2.NetworkingFloatingipV2;
  pool: openstack.lbPoolV2.LbPoolV2;
  /** https://<name>/ with TLS and a name, else http(s)://<floating ip>/. */
  url: string;
}

export const HTTPS_PORT = 443;
export const HTTP_PORT = 80;

export class FrontDoorLayer extends Construct {
  readonly doors: FrontDoorRefs[] = [];

  constructor(
    scope: Construct,
    id: string,
    ctx: SynthContext,
    layers: { network: NetworkLayer; compute: ComputeLayer },
    services: readonly ServiceNeeds[],
  ) {
    super(scope, id);
    const { city } = ctx;
    const zones = new Map<string, openstack.dnsZoneV2.DnsZoneV2>();

    for (const s of city.services) {
      const fd = s.frontDoor;
      const need = services.find((n) => n.service === s.name);
      const group = city.compute.groups.find((g) => g.name === s.on);
      const subnet = group === undefined ? undefined : layers.network.subnets.get(group.subnet);
      if (fd === undefined || need === undefined || group === undefined || subnet === undefined) continue;
      const lid = logicalId(s.name);
      const name = ctx.name(s.name);

      const lb = new openstack.lbLoadbalancerV2.LbLoadbalancerV2(this, logicalId('lb', s.name), {
        name,
        description: `Front door of ${s.name} (${need.template})`,
        vipSubnetId: subnet.id,
        tags: ctx.tags,
      });
      lb.overrideLogicalId(lid);

      const fip = new openstack.networkingFloatingipV2.NetworkingFloatingipV2(this, logicalId('fip', s.name), {
        pool: city.cloud.externalNetwork,
        description: `${name} (load balancer)`,
        tags: ctx.tags,
      });
      fip.overrideLogicalId(logicalId('lb', s.name));
      const routerInterface = layers.network.routerInterfaces.get(group.subnet);
      const assoc = new openstack.networkingFloatingipAssociateV2.NetworkingFloatingipAssociateV2(
        this,
        logicalId('fipassoc', s.name),
        {
          floatingIp: fip.address,
          portId: lb.vipPortId,
          ...(routerInterface === undefined ? {} : { dependsOn: [routerInterface] }),
        },
      );
      assoc.overrideLogicalId(logicalId('lb', s.name));

      const containerRef =
        fd.tls === undefined
          ? undefined
          : 'container' in fd.tls
            ? fd.tls.container
            : this.certificateContainer(ctx, s.name);

      const front = new openstack.lbListenerV2.LbListenerV2(this, logicalId('listener', s.name), {
        name,
        loadbalancerId: lb.id,
        ...(containerRef === undefined
          ? { protocol: 'HTTP', protocolPort: HTTP_PORT }
          : { protocol: 'TERMINATED_HTTPS', protocolPort: HTTPS_PORT, defaultTlsContainerRef: containerRef }),
        // The instances see who asked, as they would without a load balancer in between.
        insertHeaders: { 'X-Forwarded-For': 'true', 'X-Forwarded-Proto': 'true' },
        tags: ctx.tags,
      });
      front.overrideLogicalId(lid);

      const dnsName = fd.dns?.fqdn.replace(/\.$/, '');
      if (containerRef !== undefined) {
        // Plain HTTP only answers with a redirect to the same path over HTTPS.
        const http = new openstack.lbListenerV2.LbListenerV2(this, logicalId('listener', s.name, 'http'), {
          name: `${name}-http`,
          loadbalancerId: lb.id,
          protocol: 'HTTP',
          protocolPort: HTTP_PORT,
          tags: ctx.tags,
        });
        http.overrideLogicalId(logicalId(s.name, 'http'));
        const redirect = new openstack.lbL7PolicyV2.LbL7PolicyV2(this, logicalId('l7policy', s.name), {
          name: `${name}-to-https`,
          listenerId: http.id,
          action: 'REDIRECT_PREFIX',
          redirectPrefix: `https://${dnsName ?? fip.address}`,
          redirectHttpCode: 301,
          position: 1,
        });
        redirect.overrideLogicalId(logicalId(s.name, 'to_https'));
        // Octavia applies a policy only when its rules match: one that every path matches.
        const everyPath = new openstack.lbL7RuleV2.LbL7RuleV2(this, logicalId('l7rule', s.name), {
          l7PolicyId: redirect.id,
          type: 'PATH',
          compareType: 'STARTS_WITH',
          value: '/',
        });
        everyPath.overrideLogicalId(logicalId(s.name, 'every_path'));
      }

      const pool = new openstack.lbPoolV2.LbPoolV2(this, logicalId('pool', s.name), {
        name,
        listenerId: front.id,
        protocol: 'HTTP',
        lbMethod: fd.algorithm,
        ...(fd.sessionPersistence === undefined
          ? {}
          : {
              persistence: {
                type: fd.sessionPersistence,
              },
            }),
        tags: ctx.tags,
      });
      pool.overrideLogicalId(lid);

      const monitor = new openstack.lbMonitorV2.LbMonitorV2(this, logicalId('monitor', s.name), {
        name,
        poolId: pool.id,
        type: 'HTTP',
        httpMethod: 'GET',
        urlPath: fd.healthCheck.path ?? need.healthCheck,
        expectedCodes: '200',
        delay: fd.healthCheck.interval,
        timeout: fd.healthCheck.timeout,
        maxRetries: fd.healthCheck.retries,
        maxRetriesDown: fd.healthCheck.retries,
      });
      monitor.overrideLogicalId(lid);

      for (const i of layers.compute.instances.filter((x) => x.group === s.on)) {
        const member = new openstack.lbMemberV2.LbMemberV2(this, logicalId('member', s.name, i.index), {
          name: i.name,
          poolId: pool.id,
          address: Fn.element(i.port.allFixedIps, 0) as string,
          protocolPort: need.servicePort,
          subnetId: subnet.id,
          tags: ctx.tags,
        });
        member.overrideLogicalId(logicalId(s.name, i.index));
      }

      if (fd.dns !== undefined) {
        let zone = zones.get(fd.dns.zone);
        if (zone === undefined) {
          zone = new openstack.dnsZoneV2.DnsZoneV2(this, logicalId('zone', fd.dns.zone), {
            name: fd.dns.zone,
            email: fd.dns.email,
            description: `${city.city.name} ${city.env}`,
            ttl: 300,
            type: 'PRIMARY',
          });
          zone.overrideLogicalId(logicalId(fd.dns.zone.replace(/\.$/, '')));
          zones.set(fd.dns.zone, zone);
        }
        const record = new openstack.dnsRecordsetV2.DnsRecordsetV2(this, logicalId('recordset', s.name), {
          zoneId: zone.id,
          name: fd.dns.fqdn,
          type: 'A',
          ttl: 300,
          records: [fip.address],
          description: `Front door of ${s.name}`,
        });
        record.overrideLogicalId(lid);
      }

      const scheme = containerRef === undefined ? 'http' : 'https';
      this.doors.push({
        service: s.name,
        frontDoor: fd,
        loadbalancer: lb,
        floatingIp: fip,
        pool,
        url: `${scheme}://${dnsName ?? fip.address}/`,
      });
    }
  }

  /** The certificate and its key as Barbican secrets and the certificate container the listener names. */
  private certificateContainer(ctx: SynthContext, service: string): string {
    const name = ctx.name(service);
    const variable = (id: string, sensitive: boolean, what: string): string => {
      const v = new TerraformVariable(this, id, {
        type: 'string',
        sensitive,
        nullable: false,
        description: `${what} of ${service}'s certificate (TF_VAR_${id}, given by storm at run time)`,
      });
      v.overrideLogicalId(id);
      return v.stringValue;
    };
    const secret = (kind: string, payload: string, secretType: string): string => {
      const s = new openstack.keymanagerSecretV1.KeymanagerSecretV1(this, logicalId('secret', service, kind), {
        name: `${name}-${kind}`,
        payload,
        payloadContentType: 'text/plain',
        secretType,
      });
      s.overrideLogicalId(logicalId(service, kind));
      return s.secretRef;
    };
    const container = new openstack.keymanagerContainerV1.KeymanagerContainerV1(this, logicalId('container', service), {
      name,
      type: 'certificate',
      secretRefs: [
        {
          name: 'certificate',
          // The certificate and any chain after it, as the file has them: Octavia serves what follows the leaf.
          secretRef: secret(
            'certificate',
            variable(tlsCertificateVariable(service), false, 'PEM certificate (and chain)'),
            'certificate',
          ),
        },
        {
          name: 'private_key',
          secretRef: secret('private_key', variable(tlsKeyVariable(service), true, 'PEM private key'), 'private'),
        },
      ],
    });
    container.overrideLogicalId(logicalId(service));
    return container.containerRef;
  }
}
