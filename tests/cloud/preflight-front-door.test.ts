import { describe, expect, it } from 'vitest';
import type { CloudInventory } from '../../src/cloud/inventory';
import { checkFrontDoorServices } from '../../src/cloud/preflight';

const inventory = (catalogTypes: string[] | undefined): CloudInventory => ({
  projectId: 'p',
  hasCompute: true,
  flavors: [],
  images: [],
  externalNetworks: [],
  availabilityZones: [],
  volumeTypes: undefined,
  quotas: {},
  catalogTypes,
});

const city = {
  cloud: {},
  services: [
    { name: 'plain', frontDoor: undefined },
    { name: 'web', frontDoor: { tls: { generate: true }, dns: { zone: 'c.example.' } } },
  ],
};

describe('pre-flight: the services a front door needs', () => {
  it('names each missing one at the service key that needs it', () => {
    expect(checkFrontDoorServices(city, inventory(['compute', 'network']))).toEqual([
      expect.objectContaining({ code: 'preflight.missing-service', path: ['services', 1] }),
      expect.objectContaining({ code: 'preflight.missing-service', path: ['services', 1, 'tls'] }),
      expect.objectContaining({ code: 'preflight.missing-service', path: ['services', 1, 'dns'] }),
    ]);
    expect(checkFrontDoorServices(city, inventory(['compute', 'load-balancer', 'key-manager']))).toEqual([
      expect.objectContaining({
        message: `service "web" needs Designate (dns) for its DNS name, but the target cloud's catalog has no dns service`,
      }),
    ]);
  });

  it('finds nothing when the catalog has them, or when the catalog is unknown', () => {
    expect(checkFrontDoorServices(city, inventory(['load-balancer', 'key-manager', 'dns']))).toEqual([]);
    expect(checkFrontDoorServices(city, inventory(undefined))).toEqual([]);
  });
});
