import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MASK, UNKNOWN, diffAttributes, summarizePlan } from '../../src/engine/plan-changes';
import { renderPlanSummary, renderStatus } from '../../src/report/plan-summary';

// `tofu show -json` of real plans against the sandbox (ids blanked).
const show = (name: string): unknown =>
  JSON.parse(
    fs.readFileSync(path.join(__dirname, 'fixtures', 'lifecycle', `show-netonly-${name}.json`), 'utf8'),
  ) as unknown;

describe('plan summary from tofu show -json', () => {
  it('counts a first plan, groups it by layer and flags internet exposure', () => {
    const s = summarizePlan(show('create'));
    expect(s.counts).toEqual({ create: 6, update: 0, replace: 0, delete: 0 });
    expect(s.hasChanges).toBe(true);
    expect(s.resources.map((r) => `${r.layer} ${r.change} ${r.address}`)).toEqual([
      'network create openstack_networking_network_v2.network',
      'network create openstack_networking_router_interface_v2.app',
      'network create openstack_networking_router_v2.router',
      'network create openstack_networking_subnet_v2.app',
      'security create openstack_networking_secgroup_rule_v2.app_1',
      'security create openstack_networking_secgroup_v2.app',
    ]);
    expect(s.warnings).toEqual([
      {
        kind: 'internet-exposure',
        address: 'openstack_networking_secgroup_rule_v2.app_1',
        message: 'openstack_networking_secgroup_rule_v2.app_1 opens port 8080/tcp to the whole internet (0.0.0.0/0)',
      },
    ]);
    const subnet = s.resources.find((r) => r.address === 'openstack_networking_subnet_v2.app');
    expect(subnet?.attributes).toContainEqual({ path: 'cidr', after: '"192.168.81.0/24"' });
    expect(subnet?.attributes).toContainEqual({ path: 'id', after: UNKNOWN });
  });

  it('shows updates, replacements and deletions with before → after and warns about each', () => {
    const s = summarizePlan(show('update'));
    expect(s.counts).toEqual({ create: 0, update: 1, replace: 2, delete: 1 });
    const subnet = s.resources.find((r) => r.address === 'openstack_networking_subnet_v2.app');
    expect(subnet?.attributes).toEqual([
      { path: 'cidr', before: '"192.168.80.0/24"', after: '"192.168.81.0/24"', forcesReplacement: true },
    ]);
    const sg = s.resources.find((r) => r.address === 'openstack_networking_secgroup_v2.app');
    expect(sg?.attributes).toEqual([{ path: 'description', before: '"app"', after: '"app tier (changed)"' }]);
    expect(s.warnings.map((w) => w.kind)).toEqual(['replace', 'delete', 'replace']);
    expect(s.outputs).toEqual([{ name: 'subnet_ids', change: 'update', sensitive: false }]);
    const text = renderPlanSummary('netonly/preprod', s, { color: false });
    expect(text).toContain('netonly/preprod: 0 to create, 1 to update, 2 to replace, 1 to delete');
    expect(text).toContain('cidr: "192.168.80.0/24" → "192.168.81.0/24" # forces replacement');
    expect(text).toContain('! openstack_networking_secgroup_rule_v2.app_2 will be DELETED');
  });

  it('says no changes for an empty plan', () => {
    const s = summarizePlan({
      format_version: '1.2',
      resource_changes: [{ address: 'a.b', mode: 'managed', type: 'a', name: 'b', change: { actions: ['no-op'] } }],
    });
    expect(s.hasChanges).toBe(false);
    expect(renderPlanSummary('x/preprod', s, { color: false })).toBe('x/preprod: no changes');
  });

  // The first plan after `storm import`: import blocks, and the outputs the adopted resources bring.
  const importing = (extra: Record<string, unknown>[] = [], outputAction = 'create') => ({
    format_version: '1.2',
    resource_changes: [
      {
        address: 'openstack_networking_network_v2.network',
        mode: 'managed',
        type: 'openstack_networking_network_v2',
        name: 'network',
        change: {
          actions: ['no-op'],
          before: { name: 'app-net' },
          after: { name: 'app-net' },
          importing: { id: 'n1' },
        },
      },
      {
        address: 'openstack_networking_subnet_v2.web',
        mode: 'managed',
        type: 'openstack_networking_subnet_v2',
        name: 'web',
        change: { actions: ['no-op'], before: { name: 'web' }, after: { name: 'web' }, importing: { id: 's1' } },
      },
      ...extra,
    ],
    output_changes: { network_id: { actions: [outputAction], before: null, after: 'n1' } },
  });

  it('an adoption with no resource change is no change: the outputs it brings are the adopted values', () => {
    const s = summarizePlan(importing());
    expect(s.adopts).toBe(2);
    expect(s.counts).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
    expect(s.outputs).toEqual([{ name: 'network_id', change: 'create', sensitive: false }]);
    expect(s.hasChanges).toBe(false);
    expect(renderPlanSummary('hand/preprod', s, { color: false })).toContain(
      'hand/preprod: no changes (adopts 2 existing resources into the state; nothing in the cloud changes)',
    );
  });

  it('an adoption that also changes a resource is a change, and outputs alone still are without one', () => {
    const s = summarizePlan(
      importing([
        {
          address: 'openstack_compute_instance_v2.web_4',
          mode: 'managed',
          type: 'openstack_compute_instance_v2',
          name: 'web_4',
          change: { actions: ['create'], before: null, after: { name: 'web-4' } },
        },
      ]),
    );
    expect(s).toMatchObject({ adopts: 2, hasChanges: true, counts: { create: 1 } });
    expect(renderPlanSummary('hand/preprod', s, { color: false })).toContain(
      'hand/preprod: 1 to create, 0 to update, 0 to replace, 0 to delete; adopts 2 existing resources',
    );
    const outputsOnly = summarizePlan({
      format_version: '1.2',
      resource_changes: [],
      output_changes: { url: { actions: ['update'], before: 'a', after: 'b' } },
    });
    expect(outputsOnly).toMatchObject({ adopts: 0, hasChanges: true });
  });

  it('status after an import says the manifest is in sync and the resources join the state at the next provision', () => {
    const text = renderStatus(
      {
        city: 'hand',
        env: 'preprod',
        target: { cloud: 'sandbox', sandbox: true },
        backend: 'local',
        serial: 0,
        resources: [],
        drift: [],
        pending: summarizePlan(importing()),
        outputs: {},
        services: [],
      },
      { color: false },
    );
    expect(text).toContain('manifest: in sync (2 existing resources join the state at the next storm provision)');
  });
});

describe('attribute diff', () => {
  it('masks sensitive values on both sides', () => {
    expect(
      diffAttributes(
        { name: 'a', admin_pass: 'old-secret' },
        { name: 'a', admin_pass: 'new-secret' },
        {},
        { admin_pass: true },
        { admin_pass: true },
        false,
      ),
    ).toEqual([]);
    const created = diffAttributes(
      null,
      { name: 'a', admin_pass: 'canary-secret' },
      {},
      {},
      { admin_pass: true },
      true,
    );
    expect(created).toEqual([
      { path: 'admin_pass', after: MASK },
      { path: 'name', after: '"a"' },
    ]);
    expect(JSON.stringify(created)).not.toContain('canary-secret');
  });

  it('flags the server rebuild an image change causes and the resize a flavor change causes', () => {
    const change = (before: Record<string, unknown>, after: Record<string, unknown>): unknown => ({
      resource_changes: [
        {
          address: 'openstack_compute_instance_v2.db_1',
          mode: 'managed',
          type: 'openstack_compute_instance_v2',
          name: 'db_1',
          change: { actions: ['update'], before, after, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
        },
      ],
    });
    const rebuild = summarizePlan(
      change({ image_id: 'img-debian', flavor_id: '2' }, { image_id: 'img-ubuntu', flavor_id: '3' }),
    );
    expect(rebuild.warnings.map((w) => w.kind)).toEqual(['server-rebuild', 'server-resize']);
    expect(rebuild.warnings[0]?.message).toContain('root disk is wiped');
    expect(rebuild.warnings[1]?.message).toContain('RESIZED and REBOOTED');
  });
});
