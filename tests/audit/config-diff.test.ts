import { describe, expect, it } from 'vitest';
import { diffConfigs } from '../../src/audit/config-diff';

const rule = (prefix: string) => ({
  direction: 'ingress',
  ethertype: 'IPv4',
  protocol: 'tcp',
  port_range_min: 22,
  port_range_max: 22,
  remote_ip_prefix: prefix,
  security_group_id: '${openstack_networking_secgroup_v2.web.id}',
});

describe('diffConfigs', () => {
  it('a changed secgroup rule is a replacement, flagged as exposure when it opens to the world', () => {
    const from = { resource: { openstack_networking_secgroup_rule_v2: { web_1: rule('10.0.0.0/8') } } };
    const to = { resource: { openstack_networking_secgroup_rule_v2: { web_1: rule('0.0.0.0/0') } } };
    const [r] = diffConfigs(from, to);
    expect(r).toMatchObject({
      address: 'openstack_networking_secgroup_rule_v2.web_1',
      layer: 'security',
      change: 'replace',
    });
    expect(r!.attributes).toEqual([
      { path: 'remote_ip_prefix', before: '"10.0.0.0/8"', after: '"0.0.0.0/0"', forcesReplacement: true },
    ]);
    expect(r!.risks.map((x) => x.kind)).toEqual(['replace', 'exposure']);
  });

  it('an image change rebuilds, a flavor change resizes, a removal deletes; production is flagged', () => {
    const server = (image: string, flavor: string) => ({ name: 'web-1', image_name: image, flavor_name: flavor });
    const from = {
      resource: {
        openstack_compute_instance_v2: {
          web_1: server('debian-12', 'm1.small'),
          web_2: server('debian-12', 'm1.small'),
        },
      },
    };
    const to = { resource: { openstack_compute_instance_v2: { web_1: server('debian-13', 'm1.large') } } };
    const rs = diffConfigs(from, to, { production: true });
    expect(rs.map((r) => [r.address, r.change])).toEqual([
      ['openstack_compute_instance_v2.web_1', 'update'],
      ['openstack_compute_instance_v2.web_2', 'delete'],
    ]);
    expect(rs[0]!.risks.map((x) => x.kind)).toEqual(['rebuild', 'resize', 'production']);
    expect(rs[1]!.risks.map((x) => x.kind)).toEqual(['delete', 'production']);
  });

  it('a container made public is flagged; secrets are masked', () => {
    const from = {
      resource: {
        openstack_objectstorage_container_v1: { docs: { name: 'docs' } },
        openstack_compute_instance_v2: { a: { admin_pass: 'old' } },
      },
    };
    const to = {
      resource: {
        openstack_objectstorage_container_v1: { docs: { name: 'docs', container_read: '.r:*,.rlistings' } },
        openstack_compute_instance_v2: { a: { admin_pass: 'new-secret' } },
      },
    };
    const rs = diffConfigs(from, to);
    expect(rs.find((r) => r.type === 'openstack_objectstorage_container_v1')!.risks.map((x) => x.kind)).toEqual([
      'public-container',
    ]);
    expect(JSON.stringify(rs)).not.toContain('new-secret');
  });

  it('identical configurations have no changes', () => {
    const c = { resource: { openstack_networking_secgroup_rule_v2: { web_1: rule('10.0.0.0/8') } } };
    expect(diffConfigs(c, JSON.parse(JSON.stringify(c)))).toEqual([]);
  });
});
