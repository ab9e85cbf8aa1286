import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCity } from '../../src/manifest/load';
import { resolveEnvironment } from '../../src/manifest/model';
import type { ServiceNeeds } from '../../src/manifest/templates';
import { withServiceNeeds } from '../../src/synth/services';
import { synthCity, synthesizeResolved } from '../../src/synth/synth-city';

const root = path.join(__dirname, '..', '..');
const valladolid = resolveEnvironment(loadCity('valladolid', { cwd: root }).doc, 'production');

const need = (over: Partial<ServiceNeeds> = {}): ServiceNeeds => ({
  service: 'urbanismo-en-red',
  template: 'urbanismo-en-red',
  version: '1.0.0',
  group: 'web',
  tier: 'web',
  sizing: { count: 1, flavor: 'm1.small' },
  servicePort: 8080,
  healthCheck: '/healthz',
  ingress: [
    { port: 8080, protocol: 'tcp', from: { kind: 'cidrs', cidrs: ['0.0.0.0/0'] } },
    { port: 22, protocol: 'tcp', from: { kind: 'cidrs', cidrs: ['193.146.0.0/24'] } },
    { port: 9000, protocol: 'tcp', from: { kind: 'group', group: 'web' } },
  ],
  volumes: [{ name: 'urbanismo-en-red-data', size: 5, mountPath: '/var/lib/storm/urbanismo-en-red' }],
  containers: [
    { name: 'plan-documents', acl: 'private', versioning: false, openData: false },
    { name: 'tiles', acl: 'public-read', versioning: false, openData: true },
  ],
  personalData: false,
  ...over,
});

describe('merging what services need into the model', () => {
  const merged = withServiceNeeds(valladolid, [need()]);

  it('adds only the ingress the group does not already allow, in a svc-<service> group on the group', () => {
    const svc = merged.security.groups.find((g) => g.name === 'svc-urbanismo-en-red');
    // 22 from the admin CIDR is already open on "web" (remote: admin); 8080 and the intra-group port are not.
    // Production puts the service behind a load balancer: 8080 is open to the web subnet (its VIP), not the internet.
    expect(svc?.rules).toEqual([
      {
        direction: 'ingress',
        protocol: 'tcp',
        ports: 8080,
        remote: '10.10.1.0/24',
        description: 'urbanismo-en-red: port 8080/tcp',
      },
      {
        direction: 'ingress',
        protocol: 'tcp',
        ports: 9000,
        remoteGroup: 'svc-urbanismo-en-red',
        description: 'urbanismo-en-red: port 9000/tcp',
      },
    ]);
    expect(merged.compute.groups.find((g) => g.name === 'web')?.securityGroups).toEqual([
      'web',
      'svc-urbanismo-en-red',
    ]);
  });

  it('adds the volume per instance and the missing container; the manifest declaration wins', () => {
    expect(merged.compute.groups.find((g) => g.name === 'web')?.volumes).toEqual(['urbanismo-en-red-data']);
    expect(merged.storage.volumes.find((v) => v.name === 'urbanismo-en-red-data')?.size).toBe(5);
    expect(merged.storage.containers.find((c) => c.name === 'plan-documents')).toMatchObject({
      acl: 'public-read',
      versioning: true,
    });
    expect(merged.storage.containers.find((c) => c.name === 'tiles')).toMatchObject({
      acl: 'public-read',
      openData: true,
    });
  });

  it('leaves the input untouched and adds nothing when everything is declared', () => {
    expect(valladolid.security.groups.map((g) => g.name)).toEqual(['web', 'data']);
    const covered = need({
      ingress: [{ port: 443, protocol: 'tcp', from: { kind: 'cidrs', cidrs: ['0.0.0.0/0'] } }],
      volumes: [],
      containers: [],
    });
    expect(withServiceNeeds(valladolid, [covered])).toEqual(valladolid);
  });

  it('synthesizes the merged model with a services output of URLs per instance and the front door', () => {
    const json = synthesizeResolved(valladolid, { services: [need()] });
    const resources = json.resource as Record<string, Record<string, Record<string, unknown>>>;
    expect(Object.keys(resources.openstack_blockstorage_volume_v3 ?? {}).sort()).toEqual([
      'db_1_pgdata',
      'web_1_urbanismo_en_red_data',
      'web_2_urbanismo_en_red_data',
    ]);
    expect(resources.openstack_networking_port_v2?.web_1?.security_group_ids).toEqual([
      '${openstack_networking_secgroup_v2.web.id}',
      '${openstack_networking_secgroup_v2.svc_urbanismo_en_red.id}',
    ]);
    const services = (json.output as Record<string, { value: Record<string, { urls: string[]; url: string }> }>)
      .services?.value;
    // Behind the load balancer the instances have no floating IP of their own: their fixed addresses.
    expect(services?.['urbanismo-en-red']?.urls).toEqual([
      'http://${element(openstack_networking_port_v2.web_1.all_fixed_ips, 0)}:8080',
      'http://${element(openstack_networking_port_v2.web_2.all_fixed_ips, 0)}:8080',
    ]);
    expect(services?.['urbanismo-en-red']?.url).toBe('https://urbanismo.valladolid.example/');
    expect(Object.keys(resources.openstack_networking_floatingip_v2 ?? {})).toEqual(['lb_urbanismo_en_red']);
    expect(resources.openstack_lb_listener_v2?.urbanismo_en_red?.default_tls_container_ref).toBe(
      '${openstack_keymanager_container_v1.urbanismo_en_red.container_ref}',
    );
  });

  it('is what storm synth does with the real templates', () => {
    const r = synthCity('valladolid', { cwd: root, env: 'production', write: false });
    expect(r.stats.outputs).toContain('services');
    expect(r.stats.resources.openstack_blockstorage_volume_v3).toBe(3);
  });

  it('says, at the manifest line, that offline synthesis leaves the service instances without user_data', () => {
    const offline = synthCity('valladolid', { cwd: root, write: false });
    const notice = offline.warnings.find((w) => w.code === 'synth.user-data-omitted');
    expect(notice?.severity).toBe('info');
    expect(notice?.message).toContain('urbanismo-en-red');
    expect(notice?.location?.file).toBe('stacks/valladolid.yaml');
    expect(JSON.stringify(offline.json)).not.toContain('user_data');
    const withCloud = synthCity('valladolid', {
      cwd: root,
      write: false,
      extras: { userData: () => '#cloud-config\n' },
    });
    expect(withCloud.warnings.map((w) => w.code)).not.toContain('synth.user-data-omitted');
    expect(JSON.stringify(withCloud.json)).toContain('user_data');
  });
});
