import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CityManifest } from '../../src/manifest/city-manifest.types';
import { loadCity } from '../../src/manifest/load';
import { environmentNames, overrideOrigin, resolveEnvironment } from '../../src/manifest/model';

const root = path.join(__dirname, '..', '..');

const manifest: CityManifest = {
  apiVersion: 'storm/v1',
  city: {
    name: 'testville',
    displayName: 'Testville',
    country: 'ES',
    languages: ['es'],
    owner: { team: 'ops', email: 'ops@example.org' },
  },
  tags: { owner: 'ops', 'cost-centre': 'T-1' },
  cloud: { name: 'sandbox', externalNetwork: 'public' },
  network: { cidr: '10.0.0.0/16', dnsServers: ['1.1.1.1'], subnets: [{ name: 'web', cidr: '10.0.1.0/24' }] },
  security: {
    adminCidrs: ['192.0.2.0/24'],
    groups: [{ name: 'web', rules: [{ direction: 'ingress', protocol: 'tcp', ports: 443, remote: '0.0.0.0/0' }] }],
  },
  compute: {
    keypairs: [{ name: 'ops', publicKey: 'ssh-ed25519 AAAA ops' }],
    groups: [
      { name: 'web', flavor: 'm1.small', image: 'debian-12', subnet: 'web', metadata: { role: 'web', tier: 'front' } },
    ],
  },
  storage: { volumes: [{ name: 'data', size: 10 }] },
  services: [{ template: 'participa', on: 'web', parameters: { a: 1, b: 2 } }],
  waivers: [{ rule: 'r.one', reason: 'a good reason here', approvedBy: 'ciso', expires: '2027-01-01' }],
  environments: {
    preprod: {},
    production: {
      cloud: { region: 'RegionTwo' },
      tags: { 'cost-centre': 'P-1' },
      compute: { groups: { web: { count: 3, antiAffinity: true, metadata: { tier: 'edge' } } } },
      storage: { volumes: { data: { size: 100 } } },
      services: { participa: { parameters: { b: 3 } } },
      waivers: [{ rule: 'r.two', reason: 'another good reason', approvedBy: 'ciso', expires: '2027-01-01' }],
    },
    training: {},
  },
};

describe('resolveEnvironment', () => {
  it('fills defaults for preprod and leaves the manifest alone', () => {
    const city = resolveEnvironment(manifest, 'preprod');
    expect(city.env).toBe('preprod');
    expect(city.cloud).toEqual({
      name: 'sandbox',
      externalNetwork: 'public',
      region: 'RegionOne',
      availabilityZones: [],
    });
    expect(city.compute.groups[0]).toMatchObject({
      count: 1,
      antiAffinity: false,
      floatingIp: false,
      keypair: 'ops',
      securityGroups: [],
      volumes: [],
    });
    expect(city.network).toMatchObject({ name: 'testville', router: { externalGateway: true } });
    expect(city.network.subnets[0]).toMatchObject({ dnsServers: ['1.1.1.1'], allocationPools: [], enableDhcp: true });
    expect(city.services[0]).toMatchObject({ name: 'participa', parameters: { a: 1, b: 2 } });
    expect(city.state).toEqual({ backend: 'local' });
    expect(city.waivers.map((w) => w.rule)).toEqual(['r.one']);
  });

  it('merges production overrides by name: fields replaced, metadata/parameters/tags merged, waivers appended', () => {
    const city = resolveEnvironment(manifest, 'production');
    expect(city.cloud.region).toBe('RegionTwo');
    expect(city.tags).toEqual({ owner: 'ops', 'cost-centre': 'P-1' });
    expect(city.compute.groups[0]).toMatchObject({
      count: 3,
      antiAffinity: true,
      flavor: 'm1.small',
      metadata: { role: 'web', tier: 'edge' },
    });
    expect(city.storage.volumes[0]?.size).toBe(100);
    expect(city.services[0]?.parameters).toEqual({ a: 1, b: 3 });
    expect(city.waivers.map((w) => w.rule)).toEqual(['r.one', 'r.two']);
    expect(manifest.compute?.groups?.[0]?.count).toBeUndefined();
  });

  it('lists environments preprod, production, then the rest', () => {
    expect(environmentNames(manifest)).toEqual(['preprod', 'production', 'training']);
    expect(resolveEnvironment(manifest, 'training').environments).toEqual(['preprod', 'production', 'training']);
  });

  it('rejects an environment the manifest does not define', () => {
    expect(() => resolveEnvironment(manifest, 'staging')).toThrow('environment "staging" is not defined');
  });
});

describe('overrideOrigin', () => {
  it('blames the override when it sets the field, the item otherwise', () => {
    expect(overrideOrigin(manifest, 'production', 'compute.groups', 0, 'count')).toEqual([
      'environments',
      'production',
      'compute',
      'groups',
      'web',
      'count',
    ]);
    expect(overrideOrigin(manifest, 'production', 'compute.groups', 0, 'flavor')).toEqual([
      'compute',
      'groups',
      0,
      'flavor',
    ]);
    expect(overrideOrigin(manifest, 'preprod', 'compute.groups', 0, 'count')).toEqual([
      'compute',
      'groups',
      0,
      'count',
    ]);
  });

  it('points at real lines of the pilot manifests', () => {
    const m = loadCity('valladolid', { cwd: root });
    const at = m.locate(overrideOrigin(m.doc, 'production', 'compute.groups', 0, 'antiAffinity'));
    expect(m.text.split('\n')[at.line - 1]).toContain('web: { count: 2, flavor: m1.medium, antiAffinity: true }');
  });
});
