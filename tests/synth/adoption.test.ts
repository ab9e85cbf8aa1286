import { describe, expect, it } from 'vitest';
import { applyAdoption, literal } from '../../src/synth/adoption';
import { adoptInto } from '../../src/lifecycle/import';
import { ADOPTION_SCHEMA } from '../../src/lifecycle/import-manifest';
import { EMPTY_STATE } from '../../src/engine/state';

function stack(): Record<string, unknown> {
  return {
    resource: {
      openstack_networking_network_v2: { network: { name: 'hand-preprod-net', tags: ['storm-city=hand'] } },
      openstack_networking_port_v2: {
        web_1: { name: 'hand-preprod-web-1', fixed_ip: [{ subnet_id: '${openstack_networking_subnet_v2.web.id}' }] },
      },
    },
  };
}

describe('adoption of existing resources', () => {
  it('keeps the cloud attributes, leaves out null ones and imports each resource', () => {
    const out = applyAdoption(
      stack(),
      [
        { address: 'openstack_networking_network_v2.network', id: 'net-1', keep: { name: 'app-net', tags: [] } },
        { address: 'openstack_networking_port_v2.web_1', id: 'p-1', keep: { name: '', fixed_ip: null } },
      ],
      () => true,
    );
    const r = out.json.resource as Record<string, Record<string, Record<string, unknown>>>;
    expect(r.openstack_networking_network_v2?.network).toEqual({ name: 'app-net', tags: [] });
    expect(r.openstack_networking_port_v2?.web_1).toEqual({ name: '' });
    expect(out.json.import).toEqual([
      { to: 'openstack_networking_network_v2.network', id: 'net-1' },
      { to: 'openstack_networking_port_v2.web_1', id: 'p-1' },
    ]);
    expect(out.unmatched).toEqual([]);
  });

  it('applies only known attributes to synthesized resources, and escapes templates in what the file says', () => {
    const out = applyAdoption(
      stack(),
      [
        {
          address: 'openstack_networking_network_v2.network',
          id: 'net-1',
          keep: { name: '${file("/etc/passwd")}', admin_state_up: false, provisioner: 'x' },
        },
        { address: 'openstack_compute_instance_v2.ghost', id: 'x' },
        { address: 'not an address', id: 'y' },
      ],
      () => false,
    );
    const r = out.json.resource as Record<string, Record<string, Record<string, unknown>>>;
    expect(r.openstack_networking_network_v2?.network).toEqual({
      name: '$${file("/etc/passwd")}',
      tags: ['storm-city=hand'],
    });
    expect(out.json.import).toBeUndefined();
    expect(out.unmatched).toEqual(['openstack_compute_instance_v2.ghost', 'not an address']);
    expect(literal({ a: ['${openstack_networking_network_v2.network.id}', '%{ if x }'] })).toEqual({
      a: ['${openstack_networking_network_v2.network.id}', '%%{ if x }'],
    });
  });

  it('imports while the state has not taken the resources over, and never after a destroy', () => {
    const record = {
      schema: ADOPTION_SCHEMA,
      city: 'hand',
      env: 'preprod',
      cloud: 'sandbox',
      projectId: 'p',
      resources: [
        { address: 'openstack_networking_network_v2.network', id: 'net-1' },
        { address: 'openstack_networking_port_v2.web_1', id: 'p-1' },
      ],
    } as const;
    const fresh = adoptInto(stack(), { ...record, resources: [...record.resources] }, EMPTY_STATE);
    expect(fresh.imports).toHaveLength(2);
    const half = adoptInto(
      stack(),
      { ...record, resources: [...record.resources] },
      {
        ...EMPTY_STATE,
        serial: 3,
        addresses: ['openstack_networking_network_v2.network'],
        resources: [{ address: 'openstack_networking_network_v2.network', type: 'x', id: 'net-1', name: 'network' }],
      },
    );
    expect(half.imports).toEqual(['openstack_networking_port_v2.web_1']);
    const destroyed = adoptInto(
      stack(),
      { ...record, resources: [...record.resources] },
      { ...EMPTY_STATE, serial: 9 },
    );
    expect(destroyed.imports).toEqual([]);
    expect(
      (destroyed.json.resource as Record<string, Record<string, unknown>>).openstack_networking_network_v2,
    ).toBeDefined();
  });
});
