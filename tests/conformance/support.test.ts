/** The pure parts of the conformance support, with literal inputs. */
import { describe, expect, it } from 'vitest';
import {
  importDifferences,
  inventoryAdded,
  oneOfEachType,
  unexplainedImportChanges,
  unrecordedCreates,
  untracked,
} from './support/city-cycle';

const NET = '11111111-2222-3333-4444-555555555555';
const SRV = '66666666-7777-8888-9999-000000000000';

describe('unrecordedCreates', () => {
  it('finds the creates the provider made without recording them, with the address tofu names', () => {
    const stderr = [
      `Error: Error waiting for openstack_networking_network_v2 ${NET} to become available: Expected HTTP response code [200] when accessing [GET http://x/networking/v2.0/networks/${NET}], but got 503 instead`,
      '',
      '  with openstack_networking_network_v2.network,',
      '  on main.tf.json line 12, in resource.openstack_networking_network_v2.network:',
      '',
      'Error: Error setting tags on openstack_networking_port_v2 aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee: 503',
      '',
      '  with openstack_networking_port_v2.web_1,',
      '',
      `Error: Error attaching openstack_compute_volume_attach_v2 ${SRV}: Expected HTTP response code [200]`,
      '',
      '  with openstack_compute_volume_attach_v2.db_1_pgdata,',
    ].join('\n');
    expect(unrecordedCreates(stderr)).toEqual([
      { address: 'openstack_networking_network_v2.network', type: 'openstack_networking_network_v2', id: NET },
      {
        address: 'openstack_compute_volume_attach_v2.db_1_pgdata',
        type: 'openstack_compute_volume_attach_v2',
        id: SRV,
      },
    ]);
  });
});

describe('importDifferences', () => {
  it('ignores only what the provider never reads back', () => {
    const applied = { id: 'n', name: 'net', tags: ['a=b'], all_tags: ['a=b'], mtu: 1450 };
    expect(importDifferences('openstack_networking_network_v2', applied, { ...applied, tags: [] })).toEqual([]);
    expect(
      importDifferences('openstack_networking_network_v2', applied, { ...applied, tags: [], all_tags: [] }),
    ).toEqual(['all_tags: ["a=b"] → []']);
    expect(importDifferences('openstack_networking_network_v2', applied, { ...applied, mtu: 1500 })).toEqual([
      'mtu: 1450 → 1500',
    ]);
  });

  it('compares an instance network except its port', () => {
    const net = { uuid: 'u', fixed_ip_v4: '10.0.0.5', port: 'p' };
    const applied = { id: 's', network: [net], force_delete: false };
    expect(
      importDifferences('openstack_compute_instance_v2', applied, { id: 's', network: [{ ...net, port: '' }] }),
    ).toEqual([]);
    expect(
      importDifferences('openstack_compute_instance_v2', applied, {
        id: 's',
        network: [{ ...net, port: '', fixed_ip_v4: '10.0.0.6' }],
      }),
    ).toHaveLength(1);
  });
});

describe('unexplainedImportChanges', () => {
  const plan = (changes: unknown[]): string => JSON.stringify({ resource_changes: changes });
  it('accepts changes to unread attributes of imported resources and what their replacement leaves unknown', () => {
    const json = plan([
      {
        address: 'openstack_networking_secgroup_v2.data',
        type: 'openstack_networking_secgroup_v2',
        change: {
          actions: ['delete', 'create'],
          before: { id: 'g', delete_default_rules: null },
          after: { delete_default_rules: false },
          after_unknown: { id: true },
          replace_paths: [['delete_default_rules']],
        },
      },
      {
        address: 'openstack_networking_secgroup_rule_v2.r',
        type: 'openstack_networking_secgroup_rule_v2',
        change: {
          actions: ['delete', 'create'],
          before: { security_group_id: 'g' },
          after: {},
          after_unknown: { security_group_id: true },
          replace_paths: [['security_group_id']],
        },
      },
      {
        address: 'openstack_networking_network_v2.n',
        type: 'openstack_networking_network_v2',
        change: { actions: ['no-op'], before: {}, after: {} },
      },
    ]);
    expect(unexplainedImportChanges(json, new Set(['openstack_networking_secgroup_v2.data']))).toEqual([]);
  });

  it('names any other change', () => {
    const json = plan([
      {
        address: 'openstack_networking_network_v2.n',
        type: 'openstack_networking_network_v2',
        change: { actions: ['update'], before: { mtu: 1450, tags: [] }, after: { mtu: 1500, tags: ['a'] } },
      },
    ]);
    expect(unexplainedImportChanges(json, new Set(['openstack_networking_network_v2.n']))).toEqual([
      'openstack_networking_network_v2.n: mtu 1450 → 1500',
    ]);
    expect(unexplainedImportChanges(json, new Set())).toHaveLength(2);
  });
});

describe('inventories', () => {
  it('reports what was added to the seed', () => {
    expect(inventoryAdded({ networks: ['public 1'] }, { networks: ['public 1', 'net 2'], ports: [] })).toEqual({
      networks: ['net 2'],
    });
  });

  it('finds items neither the seed nor the state accounts for; a port counts through its device', () => {
    const seed = { networks: [{ id: 'pub', name: 'public' }], ports: [] };
    const now = {
      networks: [
        { id: 'pub', name: 'public' },
        { id: 'n1', name: 'net' },
        { id: 'n2', name: 'net' },
      ],
      ports: [
        { id: 'gw', name: '', deviceId: 'r1' },
        { id: 'lost', name: '', deviceId: 'nobody' },
      ],
    };
    const state = JSON.stringify({
      values: { root_module: { resources: [{ values: { id: 'n1' } }, { values: { id: 'r1' } }] } },
    });
    expect(untracked(seed, now, state)).toEqual({ networks: ['net n2'], ports: ['lost'] });
  });

  it('picks one resource of each type', () => {
    const r = (address: string, type: string) => ({ address, type, id: address, values: {} });
    expect(oneOfEachType([r('b.x', 'b'), r('a.y', 'a'), r('b.z', 'b')]).map((x) => x.address)).toEqual(['a.y', 'b.x']);
  });
});
