import { describe, expect, it } from 'vitest';
import type { CloudInventory } from '../../src/cloud/inventory';
import {
  checkExtensions,
  checkFlavorFitsImage,
  checkMicroversions,
  checkObjectVersioning,
  compareMicroversions,
  checkQuotas,
  checkRequirements,
  demandOf,
  quotaLines,
  requirementsOf,
} from '../../src/cloud/preflight';

const inventory: CloudInventory = {
  projectId: 'p1',
  hasCompute: true,
  flavors: [
    { id: '1', name: 'm1.small', vcpus: 1, ramMiB: 2048, diskGiB: 20 },
    { id: '2', name: 'm1.medium', vcpus: 2, ramMiB: 4096, diskGiB: 40 },
  ],
  images: ['debian-12', 'ubuntu-24.04'],
  imageMinimums: { 'debian-12': { minDiskGiB: 2, minRamMiB: 0 }, 'ubuntu-24.04': { minDiskGiB: 30, minRamMiB: 1024 } },
  externalNetworks: ['public'],
  availabilityZones: ['nova'],
  volumeTypes: ['standard'],
  quotas: {
    instances: { used: 1, limit: 10 },
    cores: { used: 18, limit: 20 },
    ramMiB: { used: 0, limit: 51200 },
    floatingIps: { used: 0, limit: -1 },
    volumes: { used: 0, limit: 10 },
    gigabytes: { used: 990, limit: 1000 },
  },
};

const city = {
  cloud: { externalNetwork: 'publik', availabilityZones: ['nova', 'az2'] },
  network: { router: { externalGateway: true } },
  compute: {
    groups: [
      { name: 'web', flavor: 'm1.smal', image: 'debian-12', count: 2 },
      { name: 'db', flavor: 'm1.medium', image: 'debain-12' },
    ],
  },
  storage: { volumes: [{ name: 'pgdata', type: 'ssd' }] },
};

describe('pre-flight: named things exist', () => {
  it('reports every missing name at its path, with a did-you-mean and what exists', () => {
    const findings = checkRequirements(requirementsOf(city), inventory);
    expect(findings.map((f) => [f.code, f.path.join('.'), f.hint])).toEqual([
      ['preflight.unknown-external-network', 'cloud.externalNetwork', 'did you mean "public"?'],
      ['preflight.unknown-availability-zone', 'cloud.availabilityZones.1', undefined],
      ['preflight.unknown-flavor', 'compute.groups.0.flavor', 'did you mean "m1.small"?'],
      ['preflight.unknown-image', 'compute.groups.1.image', 'did you mean "debian-12"?'],
      ['preflight.unknown-volume-type', 'storage.volumes.0.type', undefined],
    ]);
    expect(findings[2]?.message).toBe(
      'flavor "m1.smal" does not exist in the target cloud (available: m1.medium, m1.small)',
    );
  });

  it('accepts a flavor given by id and finds nothing wrong in a correct city', () => {
    const ok = {
      cloud: { externalNetwork: 'public', availabilityZones: ['nova'] },
      compute: { groups: [{ name: 'w', flavor: '2', image: 'debian-12' }] },
    };
    expect(checkRequirements(requirementsOf(ok), inventory)).toEqual([]);
  });

  it('checks partner projects when the credentials may list them', () => {
    const withPartner = { cloud: {}, partners: [{ name: 'catastro', project: 'dg-catastro' }] };
    expect(checkRequirements(requirementsOf(withPartner), inventory)).toEqual([]);
    const findings = checkRequirements(requirementsOf(withPartner), {
      ...inventory,
      projects: ['admin', 'dg-catastros'],
      projectIds: ['p1', 'p2'],
    });
    expect(findings.map((f) => [f.path.join('.'), f.hint])).toEqual([
      ['partners.0.project', 'did you mean "dg-catastros"?'],
    ]);
  });
});

describe('pre-flight: flavor fits the image', () => {
  it('reports a root disk below the image minimum, with the smallest flavor that fits', () => {
    const city = {
      cloud: {},
      compute: {
        groups: [
          { name: 'app', flavor: 'm1.small', image: 'debian-12' },
          { name: 'big', flavor: 'm1.small', image: 'ubuntu-24.04' },
        ],
      },
    };
    expect(checkFlavorFitsImage(city, inventory)).toEqual([
      {
        code: 'preflight.flavor-too-small',
        message:
          'flavor "m1.small" is too small for image "ubuntu-24.04": a 20 GiB root disk, the image needs 30 GiB (min_disk)',
        path: ['compute', 'groups', 1, 'flavor'],
        hint: 'the smallest flavor that fits is "m1.medium"',
      },
    ]);
  });

  it('reports a root disk smaller than the image itself, even without a min_disk', () => {
    const withSize: CloudInventory = {
      ...inventory,
      imageMinimums: { 'windows-2022': { minDiskGiB: 0, minRamMiB: 0, sizeGiB: 25 } },
    };
    const city = { cloud: {}, compute: { groups: [{ name: 'gis', flavor: 'm1.small', image: 'windows-2022' }] } };
    expect(checkFlavorFitsImage(city, withSize)).toEqual([
      {
        code: 'preflight.flavor-too-small',
        message:
          'flavor "m1.small" is too small for image "windows-2022": a 20 GiB root disk, the image itself is 25 GiB',
        path: ['compute', 'groups', 0, 'flavor'],
        hint: 'the smallest flavor that fits is "m1.medium"',
      },
    ]);
  });
});

describe('pre-flight: what the API must offer', () => {
  const tf = {
    resource: {
      openstack_compute_instance_v2: { web_1: { name: 'w', tags: ['storm-city=x'] } },
      openstack_networking_rbac_policy_v2: { share: { action: 'access_as_shared' } },
    },
  };

  it('finds a missing networking extension the stack needs, and trusts a cloud that does not list them', () => {
    expect(checkExtensions(tf, { ...inventory, networkExtensions: ['router', 'external-net'] })).toEqual([
      {
        code: 'preflight.missing-extension',
        message:
          'the target cloud\'s networking service lacks the "rbac-policies" extension, needed for sharing a network with a partner\'s project',
        path: ['partners'],
        hint: 'ask the cloud operator to enable it, or remove what needs it from the manifest',
      },
    ]);
    expect(checkExtensions(tf, { ...inventory, networkExtensions: ['rbac-policies'] })).toEqual([]);
    expect(checkExtensions(tf, inventory)).toEqual([]);
  });

  it('finds containers that keep versions on an object storage without object_versioning (a real Zed AIO)', () => {
    const containers = {
      resource: {
        openstack_objectstorage_container_v1: {
          exports: { name: 'agueda-preprod-participa-exports', versioning: true },
          extracts: { name: 'research-extracts', versioning: false },
          service: { name: 'svc-uploads', versioning: true },
        },
      },
    };
    const city = {
      cloud: {},
      storage: {
        containers: [
          { name: 'research-extracts', versioning: false },
          { name: 'participa-exports', versioning: true },
        ],
      },
    };
    const aio = { ...inventory, objectStoreCapabilities: ['account_quotas', 'container_quotas', 'slo', 'swift'] };
    expect(checkObjectVersioning(containers, aio, city)).toEqual([
      {
        code: 'preflight.missing-extension',
        message:
          'container "participa-exports" keeps versions, but the target cloud\'s object storage does not offer object versioning (its /info lists no object_versioning)',
        path: ['storage', 'containers', 1, 'versioning'],
        hint: 'ask the cloud operator to enable the object_versioning middleware, or set versioning: false for this cloud',
      },
      expect.objectContaining({ path: ['storage', 'containers'], message: expect.stringContaining('"svc-uploads"') }),
    ]);
    expect(
      checkObjectVersioning(containers, { ...aio, objectStoreCapabilities: ['object_versioning', 'swift'] }, city),
    ).toEqual([]);
    expect(checkObjectVersioning(containers, inventory, city)).toEqual([]);
  });

  it('finds a compute microversion the cloud lacks for servers with tags', () => {
    expect(checkMicroversions(tf, { ...inventory, computeMaxMicroversion: '2.38' })).toMatchObject([
      {
        code: 'preflight.microversion',
        message:
          "the target cloud's compute service offers microversions up to 2.38, but creating servers with tags needs 2.52",
        path: ['compute', 'groups'],
      },
    ]);
    expect(checkMicroversions(tf, { ...inventory, computeMaxMicroversion: '2.100' })).toEqual([]);
    expect(checkMicroversions(tf, { ...inventory, computeMaxMicroversion: '2.52' })).toEqual([]);
    expect(compareMicroversions('2.9', '2.52')).toBeLessThan(0);
  });
});

describe('pre-flight: quotas', () => {
  const tf = {
    data: { openstack_compute_flavor_v2: { m1_medium: { name: 'm1.medium' } } },
    resource: {
      openstack_compute_instance_v2: {
        web_0: { flavor_name: 'm1.small', network: [{ uuid: 'x' }] },
        db: { flavor_id: '${data.openstack_compute_flavor_v2.m1_medium.id}', count: 1, network: [{ port: '${p.id}' }] },
      },
      openstack_blockstorage_volume_v3: { pgdata: { size: 20 } },
      openstack_networking_floatingip_v2: { web_0: { pool: 'public' } },
      openstack_networking_secgroup_v2: { web: { name: 'web' } },
      openstack_networking_secgroup_rule_v2: { a: {}, b: {} },
      openstack_networking_port_v2: { p: {} },
    },
  };

  it('counts what the stack adds beyond the state', () => {
    expect(demandOf(tf, new Set(), inventory.flavors)).toEqual({
      instances: 2,
      cores: 3,
      ramMiB: 6144,
      ports: 2,
      volumes: 1,
      gigabytes: 20,
      floatingIps: 1,
      securityGroups: 1,
      securityGroupRules: 4,
    });
    expect(
      demandOf(
        tf,
        new Set(['openstack_compute_instance_v2.web_0', 'openstack_compute_instance_v2.db[0]']),
        inventory.flavors,
      ),
    ).toEqual({ volumes: 1, gigabytes: 20, floatingIps: 1, ports: 1, securityGroups: 1, securityGroupRules: 4 });
  });

  it('shows used / needed / limit and fails the quotas without room', () => {
    const lines = quotaLines(demandOf(tf, new Set(), inventory.flavors), inventory);
    expect(lines.find((l) => l.quota === 'cores')).toEqual({
      quota: 'cores',
      used: 18,
      needed: 3,
      limit: 20,
      free: 2,
      ok: false,
    });
    expect(lines.find((l) => l.quota === 'floatingIps')).toEqual({
      quota: 'floatingIps',
      used: 0,
      needed: 1,
      limit: -1,
      free: -1,
      ok: true,
    });
    const findings = checkQuotas(lines);
    expect(findings.map((f) => [f.path.join('.'), f.message])).toEqual([
      [
        'compute.groups',
        'quota cores: this run needs 3 more, but only 2 of 20 are free (used 18 / needed 3 / limit 20)',
      ],
      [
        'storage.volumes',
        'quota volume gigabytes: this run needs 20 more, but only 10 of 1000 are free (used 990 / needed 20 / limit 1000)',
      ],
    ]);
  });
});
