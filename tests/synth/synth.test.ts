import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCity } from '../../src/manifest/load';
import { resolveEnvironment } from '../../src/manifest/model';
import { instanceZone } from '../../src/synth/compute';
import { cloudName, logicalId, resourceTags, serverTags } from '../../src/synth/naming';
import { parsePorts, ruleId, ruleRemotes } from '../../src/synth/security';
import { containerAcl, isProjectId } from '../../src/synth/sharing';
import { renderTerraformJson, synthCity, synthesizeResolved } from '../../src/synth/synth-city';

const root = path.join(__dirname, '..', '..');

function resolved(city: string, env: string) {
  return resolveEnvironment(loadCity(city, { cwd: root }).doc, env);
}

type Blocks = Record<string, Record<string, Record<string, unknown>>>;

describe('synthesis of valladolid production', () => {
  const json = synthesizeResolved(resolved('valladolid', 'production'));
  const resources = json.resource as Blocks;

  it('has every layer the acceptance names', () => {
    for (const type of [
      'openstack_networking_network_v2',
      'openstack_networking_subnet_v2',
      'openstack_networking_router_v2',
      'openstack_networking_router_interface_v2',
      'openstack_networking_secgroup_v2',
      'openstack_networking_secgroup_rule_v2',
      'openstack_compute_instance_v2',
      'openstack_compute_servergroup_v2',
      'openstack_blockstorage_volume_v3',
      'openstack_compute_volume_attach_v2',
      'openstack_objectstorage_container_v1',
      'openstack_networking_floatingip_v2',
      'openstack_networking_floatingip_associate_v2',
      'openstack_networking_rbac_policy_v2',
    ]) {
      expect(Object.keys(resources[type] ?? {}).length, type).toBeGreaterThan(0);
    }
  });

  it('applies the production overrides: two anti-affine web instances, bigger volume', () => {
    const instances = resources.openstack_compute_instance_v2 ?? {};
    expect(Object.keys(instances).sort()).toEqual(['db_1', 'web_1', 'web_2']);
    expect(instances.web_1?.name).toBe('valladolid-production-web-1');
    expect(instances.web_1?.scheduler_hints).toEqual([{ group: '${openstack_compute_servergroup_v2.web.id}' }]);
    expect(resources.openstack_compute_servergroup_v2?.web?.policies).toEqual(['anti-affinity']);
    expect(resources.openstack_blockstorage_volume_v3?.db_1_pgdata?.size).toBe(100);
  });

  it('expands remote: admin into one rule per admin CIDR and shares with partners', () => {
    const rules = resources.openstack_networking_secgroup_rule_v2 ?? {};
    expect(rules.web_in_tcp_22_from_193_146_0_0_24).toMatchObject({
      port_range_min: 22,
      port_range_max: 22,
      remote_ip_prefix: '193.146.0.0/24',
      protocol: 'tcp',
    });
    expect(resources.openstack_networking_rbac_policy_v2?.partner_jcyl_ide_network).toMatchObject({
      action: 'access_as_shared',
      object_type: 'network',
    });
    expect(resources.openstack_objectstorage_container_v1?.cadastre_exchange?.container_read).toBe(
      '${data.openstack_identity_project_v3.partner_catastro.id}:*',
    );
    expect(resources.openstack_objectstorage_container_v1?.plan_documents?.container_read).toBe('.r:*,.rlistings');
  });

  it('pins the provider and writes no credential into the provider block', () => {
    expect((json.terraform as Record<string, unknown>).required_providers).toEqual({
      openstack: { source: 'terraform-provider-openstack/openstack', version: '3.4.0' },
    });
    expect(json.provider).toEqual({ openstack: [{ region: 'RegionOne' }] });
  });
});

describe('extension points', () => {
  it('puts the user data a later stage renders on each instance', () => {
    const json = synthesizeResolved(resolved('valladolid', 'preprod'), {
      userData: (slot) => (slot.group.name === 'web' ? `#cloud-config\n# ${slot.name}\n` : undefined),
    });
    const instances = (json.resource as Blocks).openstack_compute_instance_v2 ?? {};
    expect(instances.web_1?.user_data).toBe('#cloud-config\n# valladolid-preprod-web-1\n');
    expect(instances.db_1?.user_data).toBeUndefined();
  });
});

describe('determinism and secrets', () => {
  it('gives byte-identical JSON for the same manifest, and never an OS_PASSWORD', () => {
    const canary = 'canary-OS_PASSWORD-5f3c9e1d';
    const saved = process.env.OS_PASSWORD;
    process.env.OS_PASSWORD = canary;
    try {
      for (const city of ['valladolid', 'thessaloniki', 'agueda']) {
        for (const env of ['preprod', 'production']) {
          const a = synthCity(city, { cwd: root, env, write: false });
          const b = synthCity(city, { cwd: root, env, write: false });
          const text = renderTerraformJson(a.json);
          expect(text).toBe(renderTerraformJson(b.json));
          expect(a.hash).toBe(b.hash);
          expect(text).not.toContain(canary);
          expect(text).not.toContain(root);
        }
      }
    } finally {
      if (saved === undefined) delete process.env.OS_PASSWORD;
      else process.env.OS_PASSWORD = saved;
    }
  });

  it('rejects an environment the manifest does not define, naming the ones it does', () => {
    expect(() => synthCity('valladolid', { cwd: root, env: 'staging', write: false })).toThrow(
      /no environment "staging"/,
    );
  });
});

describe('synthesis helpers', () => {
  it('names things <city>-<env>-<thing> and makes Terraform identifiers', () => {
    expect(cloudName('agueda', 'preprod', 'web', 2)).toBe('agueda-preprod-web-2');
    expect(logicalId('plan-documents')).toBe('plan_documents');
    expect(logicalId('m1.small')).toBe('m1_small');
    expect(logicalId('2fa')).toBe('_2fa');
    expect(resourceTags({ owner: 'x', 'storm-city': 'a' })).toEqual(['owner=x', 'storm-city=a']);
    expect(serverTags({ owner: 'x', note: 'a'.repeat(60), path: 'a/b', list: 'a,b' })).toEqual(['owner=x']);
    expect(resourceTags({ note: 'a'.repeat(60) })).toEqual([`note=${'a'.repeat(60)}`]);
  });

  it('parses port ranges and admin remotes', () => {
    expect(parsePorts(22)).toEqual({ min: 22, max: 22 });
    expect(parsePorts('443')).toEqual({ min: 443, max: 443 });
    expect(parsePorts('8000-8100')).toEqual({ min: 8000, max: 8100 });
    expect(
      ruleRemotes({ direction: 'ingress', protocol: 'tcp', remote: 'admin' }, ['10.0.0.0/8', '192.0.2.0/24']),
    ).toEqual(['10.0.0.0/8', '192.0.2.0/24']);
    expect(ruleRemotes({ direction: 'ingress', protocol: 'tcp', remoteGroup: 'web' }, ['10.0.0.0/8'])).toEqual([
      undefined,
    ]);
  });

  it('addresses rules by what they allow, so reordering the manifest replaces nothing', () => {
    expect(ruleId('web', { direction: 'ingress', protocol: 'tcp', ports: 22 }, '193.146.0.0/24')).toBe(
      'web_in_tcp_22_from_193_146_0_0_24',
    );
    expect(ruleId('web', { direction: 'ingress', protocol: 'tcp', ports: '8000-8100' }, '0.0.0.0/0')).toBe(
      'web_in_tcp_8000_8100_from_anywhere',
    );
    expect(ruleId('data', { direction: 'ingress', protocol: 'tcp', ports: 5432, remoteGroup: 'web' }, undefined)).toBe(
      'data_in_tcp_5432_from_group_web',
    );
    expect(ruleId('web', { direction: 'egress', protocol: 'any' }, undefined)).toBe('web_out_any_to_any');
    expect(ruleId('web', { direction: 'ingress', protocol: 'icmp', ports: 8 }, '::/0')).toBe(
      'web_in_icmp_from_anywhere_v6',
    );
  });

  it('builds Swift ACLs and spreads instances over zones', () => {
    expect(containerAcl('private', [])).toEqual({ read: [], write: [] });
    expect(containerAcl('public-read', [{ partner: 'p', projectId: 'abc', mode: 'write' }])).toEqual({
      read: ['.r:*', '.rlistings', 'abc:*'],
      write: ['abc:*'],
    });
    expect(isProjectId('0123456789abcdef0123456789abcdef')).toBe(true);
    expect(isProjectId('dg-catastro')).toBe(false);
    expect(instanceZone({}, ['az1', 'az2'], 3)).toBe('az1');
    expect(instanceZone({ availabilityZone: 'az2' }, ['az1', 'az2'], 1)).toBe('az2');
    expect(instanceZone({}, [], 1)).toBeUndefined();
  });
});
