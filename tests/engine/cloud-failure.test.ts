import { describe, expect, it } from 'vitest';
import { classifyCloudFailure } from '../../src/engine/cloud-failure';

const gophercloud = (method: string, url: string, status: number, body: string) =>
  `Expected HTTP response code [201 202] when accessing [${method} ${url}], but got ${status} instead: ${body}`;

describe('classifyCloudFailure', () => {
  it('names Neutron and a leftover for a 409 on a security group (the text a real run printed)', () => {
    const f = classifyCloudFailure(
      `Error creating openstack_networking_secgroup_v2\n${gophercloud('POST', 'http://127.0.0.1:46097/networking/v2.0/security-groups', 409, '{"NeutronError":{"type":"HTTPConflict","message":"Injected fault: 409.","detail":""}}')}`,
      'openstack_networking_secgroup_v2.app',
    );
    expect(f).toMatchObject({ kind: 'conflict', service: 'Neutron (network)', status: 409 });
    expect(f?.summary).toBe(
      'Neutron (network) answered 409 Conflict to POST /networking/v2.0/security-groups: something with the same name or address exists, or the resource is busy',
    );
    expect(f?.advice).toContain('storm import');
  });

  it('tells quota from conflict: Neutron OverQuota 409, Nova 403 quota, Cinder 413', () => {
    expect(
      classifyCloudFailure(
        gophercloud(
          'POST',
          'https://cloud:9696/v2.0/ports',
          409,
          '{"NeutronError":{"type":"OverQuota","message":"Quota exceeded for resources: [\'port\']."}}',
        ),
        'openstack_networking_port_v2.web_1',
      )?.kind,
    ).toBe('quota');
    const nova = classifyCloudFailure(
      gophercloud(
        'POST',
        'https://cloud:8774/v2.1/servers',
        403,
        '{"forbidden": {"code": 403, "message": "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances"}}',
      ),
      'openstack_compute_instance_v2.web_1',
    );
    expect(nova).toMatchObject({ kind: 'quota', service: 'Nova (compute)', status: 403 });
    expect(nova?.advice).toContain('openstack quota set');
    expect(
      classifyCloudFailure(gophercloud('POST', 'https://cloud:8776/v3/p/volumes', 413, '{"overLimit": {}}'))?.service,
    ).toBe('Cinder (block storage)');
  });

  it('names the service a 503 came from while the others answered, by resource type or by URL', () => {
    const f = classifyCloudFailure(
      gophercloud('POST', 'http://127.0.0.1:8800/compute/v2.1/servers', 503, '{"computeFault": {"code": 503}}'),
      'module.city.openstack_compute_instance_v2.web_1',
    );
    expect(f).toMatchObject({ kind: 'unavailable', service: 'Nova (compute)', status: 503 });
    expect(f?.advice).toContain('the state keeps what was already created');
    expect(classifyCloudFailure(gophercloud('GET', 'https://cloud:9292/v2/images', 502, ''))?.service).toBe(
      'Glance (image)',
    );
  });

  it('reads a 401 (token expired or revoked) and a 403 without quota', () => {
    expect(
      classifyCloudFailure(gophercloud('GET', 'https://cloud/volume/v3/p/volumes/x', 401, '{"error": {}}'))?.kind,
    ).toBe('token-refused');
    expect(classifyCloudFailure('Error creating OpenStack compute client: Authentication failed')?.status).toBe(401);
    expect(
      classifyCloudFailure(
        gophercloud(
          'POST',
          'https://cloud:9696/v2.0/rbac-policies',
          403,
          '{"NeutronError": {"type": "PolicyNotAuthorized"}}',
        ),
        'openstack_networking_rbac_policy_v2.share',
      ),
    ).toMatchObject({ kind: 'forbidden', service: 'Neutron (network)' });
  });

  it('names the service an endpoint is missing for, from the resource or the client', () => {
    const byResource = classifyCloudFailure(
      'Error creating OpenStack DNS client: No suitable endpoint could be found in the service catalog.',
      'openstack_dns_zone_v2.city',
    );
    expect(byResource).toMatchObject({ kind: 'endpoint-missing', service: 'Designate (DNS)' });
    expect(byResource?.advice).toContain('region_name');
    expect(
      classifyCloudFailure(
        'Error creating OpenStack load balancer client: No suitable endpoint could be found in the service catalog.',
      )?.service,
    ).toBe('Octavia (load balancer)');
  });

  it('leaves what is not a cloud refusal alone', () => {
    expect(classifyCloudFailure('Unsupported argument: An argument named "flavour" is not expected here.')).toBe(
      undefined,
    );
    expect(classifyCloudFailure(gophercloud('POST', 'https://cloud/v2.0/ports', 400, 'bad'))).toBe(undefined);
  });
});
