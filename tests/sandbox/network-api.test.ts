import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/server.js';
import { validateResponse, type SchemaViolation } from './openapi.js';

/** Neutron through real HTTP against an in-process sandbox. */
let sandbox: Awaited<ReturnType<typeof createSandbox>>;
let dataDir: string;
let admin: string;
let demo: string;
let adminProject: string;
let demoProject: string;
const violations: SchemaViolation[] = [];

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

async function call(method: string, path: string, token: string | undefined, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers['x-auth-token'] = token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed: unknown = text === '' ? undefined : JSON.parse(text);
  if (path.startsWith('/networking/v2.0') && res.status < 300) {
    const violation = validateResponse('network', method, path, res.status, parsed);
    if (violation) violations.push(violation);
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

async function login(user: string, password: string, project: string): Promise<{ token: string; projectId: string }> {
  const res = await call('POST', '/identity/v3/auth/tokens', undefined, {
    auth: {
      identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password } } },
      scope: { project: { name: project, domain: { name: 'Default' } } },
    },
  });
  expect(res.status).toBe(201);
  return { token: res.headers.get('x-subject-token') ?? '', projectId: res.body.token.project.id };
}

const net = (path: string) => `/networking/v2.0${path}`;
const neutronError = (type: string, message: string) => ({ NeutronError: { type, message, detail: '' } });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'storm-network-'));
  sandbox = await createSandbox({ port: 0, dataDir, statusDelayMs: 0 });
  ({ token: admin, projectId: adminProject } = await login('admin', sandbox.logins.admin, 'admin'));
  ({ token: demo, projectId: demoProject } = await login('demo', sandbox.logins.demo, 'demo'));
});

afterAll(async () => {
  expect(violations).toEqual([]);
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Neutron discovery', () => {
  it('answers the version document, the extension list and 401 without a token', async () => {
    const versions = await call('GET', '/networking/', undefined);
    expect(versions.status).toBe(200);
    expect(versions.body.versions[0]).toMatchObject({ id: 'v2.0', status: 'CURRENT' });
    const ext = await call('GET', net('/extensions'), admin);
    const aliases = ext.body.extensions.map((e: { alias: string }) => e.alias);
    expect(aliases).toEqual(
      expect.arrayContaining([
        'router',
        'external-net',
        'security-group',
        'quotas',
        'rbac-policies',
        'standard-attr-tag',
      ]),
    );
    const anon = await call('GET', net('/networks'), 'not-a-token');
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe(401);
    const unknown = await call('GET', net('/no-such-resource'), admin);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(neutronError('HTTPNotFound', 'The resource could not be found.'));
  });
});

describe('networks and subnets', () => {
  it('seeds the external network public, visible to every project, provider fields for admin only', async () => {
    const asAdmin = await call('GET', net('/networks?name=public'), admin);
    expect(asAdmin.body.networks).toHaveLength(1);
    const pub = asAdmin.body.networks[0];
    expect(pub).toMatchObject({
      name: 'public',
      'router:external': true,
      shared: false,
      'provider:network_type': 'flat',
      project_id: adminProject,
    });
    const asDemo = await call('GET', net(`/networks/${pub.id}`), demo);
    expect(asDemo.status).toBe(200);
    expect(asDemo.body.network['provider:network_type']).toBeUndefined();
    // A real Zed (Tempest's test_external_network_visibility): the external network shows, its subnets do not.
    const subnet = await call('GET', net(`/subnets/${pub.subnets[0]}`), demo);
    expect(subnet.status).toBe(404);
    expect((await call('GET', net(`/subnets?network_id=${pub.id}`), demo)).body.subnets).toEqual([]);
    const subnetAsAdmin = await call('GET', net(`/subnets/${pub.subnets[0]}`), admin);
    expect(subnetAsAdmin.body.subnet).toMatchObject({
      name: 'public-subnet',
      cidr: '127.42.0.0/24',
      gateway_ip: '127.42.0.1',
      enable_dhcp: false,
    });
  });

  it('creates, updates and deletes with the real field set and revision numbers', async () => {
    const created = await call('POST', net('/networks'), admin, { network: { name: 'n1', admin_state_up: true } });
    expect(created.status).toBe(201);
    const n = created.body.network;
    expect(Object.keys(n).sort()).toEqual(
      [
        'id',
        'name',
        'tenant_id',
        'admin_state_up',
        'mtu',
        'status',
        'subnets',
        'shared',
        'project_id',
        'port_security_enabled',
        'router:external',
        'provider:network_type',
        'provider:physical_network',
        'provider:segmentation_id',
        'availability_zone_hints',
        'availability_zones',
        'ipv4_address_scope',
        'ipv6_address_scope',
        'description',
        'tags',
        'created_at',
        'updated_at',
        'revision_number',
        'is_default',
      ].sort(),
    );
    expect(n).toMatchObject({
      mtu: 1450,
      status: 'ACTIVE',
      revision_number: 1,
      'provider:network_type': 'vxlan',
      subnets: [],
    });
    expect(n.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const sub = await call('POST', net('/subnets'), admin, {
      subnet: { network_id: n.id, ip_version: 4, cidr: '10.97.3.0/24', dns_nameservers: ['10.0.0.2'] },
    });
    expect(sub.status).toBe(201);
    expect(sub.body.subnet).toMatchObject({
      gateway_ip: '10.97.3.1',
      allocation_pools: [{ start: '10.97.3.2', end: '10.97.3.254' }],
      revision_number: 0,
      enable_dhcp: true,
    });
    const again = await call('POST', net('/subnets'), admin, {
      subnet: { network_id: n.id, ip_version: 4, cidr: '10.97.3.0/24' },
    });
    expect(again.status).toBe(400);
    expect(again.body).toEqual(
      neutronError(
        'InvalidInput',
        `Invalid input for operation: Requested subnet with cidr: 10.97.3.0/24 for network: ${n.id} overlaps with another subnet.`,
      ),
    );
    const shown = await call('GET', net(`/networks/${n.id}`), admin);
    expect(shown.body.network).toMatchObject({ subnets: [sub.body.subnet.id], revision_number: 2 });
    const updated = await call('PUT', net(`/networks/${n.id}`), admin, { network: { description: 'checked' } });
    expect(updated.body.network).toMatchObject({ description: 'checked', revision_number: 3 });
    const stale = await fetch(`${sandbox.url}${net(`/networks/${n.id}`)}`, {
      method: 'PUT',
      headers: { 'x-auth-token': admin, 'content-type': 'application/json', 'if-match': 'revision_number=2' },
      body: JSON.stringify({ network: { name: 'late' } }),
    });
    expect(stale.status).toBe(412);
    expect(await stale.json()).toEqual(
      neutronError('RevisionNumberConstraintFailed', 'Constrained to 2, but current revision is 3'),
    );
    const bad = await call('POST', net('/networks'), admin, { network: { name: 'x', admin_state_up: 'maybe' } });
    expect(bad.body).toEqual(
      neutronError('InvalidInput', "Invalid input for operation: 'maybe' cannot be converted to boolean."),
    );
    const envelope = await call('POST', net('/networks'), admin, { netwerk: { name: 'x' } });
    expect(envelope.body).toEqual(neutronError('HTTPBadRequest', "Unable to find 'network' in request body"));
    expect((await call('DELETE', net(`/subnets/${sub.body.subnet.id}`), admin)).status).toBe(204);
    expect((await call('DELETE', net(`/networks/${n.id}`), admin)).status).toBe(204);
    const gone = await call('GET', net(`/networks/${n.id}`), admin);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual(neutronError('NetworkNotFound', `Network ${n.id} could not be found.`));
  });
});

describe('bulk creates and fields', () => {
  it('creates several networks in one request, all or nothing, and shows only the fields asked for', async () => {
    const bulk = await call('POST', net('/networks'), demo, { networks: [{ name: 'bulk-a' }, { name: 'bulk-b' }] });
    expect(bulk.status).toBe(201);
    expect(bulk.body.networks.map((n: { name: string }) => n.name)).toEqual(['bulk-a', 'bulk-b']);
    const refused = await call('POST', net('/networks'), demo, {
      networks: [{ name: 'bulk-c' }, { name: 'bulk-d', bogus: 1 }],
    });
    expect(refused.status).toBe(400);
    const names = (await call('GET', net('/networks?fields=name'), demo)).body.networks.map(
      (n: { name: string }) => n.name,
    );
    expect(names).toContain('bulk-a');
    expect(names).not.toContain('bulk-c');
    expect((await call('POST', net('/networks'), demo, { networks: [] })).status).toBe(400);
    const shown = await call('GET', net(`/networks/${bulk.body.networks[0].id}?fields=id&fields=name,mtu`), demo);
    const first = bulk.body.networks[0];
    expect(shown.body).toEqual({ network: { id: first.id, name: 'bulk-a', mtu: first.mtu } });
    for (const n of bulk.body.networks) await call('DELETE', net(`/networks/${n.id}`), demo);
  });
});

describe('ports and IP allocation', () => {
  it('allocates free addresses, refuses duplicates and answers 409 when the pool is exhausted', async () => {
    const n = (await call('POST', net('/networks'), demo, { network: { name: 'small' } })).body.network;
    const s = (
      await call('POST', net('/subnets'), demo, {
        subnet: {
          network_id: n.id,
          ip_version: 4,
          cidr: '192.168.7.0/29',
          allocation_pools: [{ start: '192.168.7.2', end: '192.168.7.4' }],
        },
      })
    ).body.subnet;
    const first = await call('POST', net('/ports'), demo, { port: { network_id: n.id } });
    expect(first.status).toBe(201);
    expect(first.body.port).toMatchObject({
      status: 'DOWN',
      device_owner: '',
      fixed_ips: [{ subnet_id: s.id, ip_address: '192.168.7.2' }],
    });
    expect(first.body.port.mac_address).toMatch(/^fa:16:3e(:[0-9a-f]{2}){3}$/);
    expect(first.body.port.security_groups).toHaveLength(1);
    expect(first.body.port['binding:host_id']).toBeUndefined();
    const dup = await call('POST', net('/ports'), demo, {
      port: { network_id: n.id, fixed_ips: [{ ip_address: '192.168.7.2' }] },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.NeutronError.type).toBe('IpAddressAlreadyAllocated');
    const outside = await call('POST', net('/ports'), demo, {
      port: { network_id: n.id, fixed_ips: [{ subnet_id: s.id, ip_address: '10.0.0.9' }] },
    });
    expect(outside.status).toBe(400);
    expect(
      (await call('POST', net('/ports'), demo, { port: { network_id: n.id } })).body.port.fixed_ips[0].ip_address,
    ).toBe('192.168.7.3');
    expect(
      (await call('POST', net('/ports'), demo, { port: { network_id: n.id } })).body.port.fixed_ips[0].ip_address,
    ).toBe('192.168.7.4');
    const exhausted = await call('POST', net('/ports'), demo, { port: { network_id: n.id } });
    expect(exhausted.status).toBe(409);
    expect(exhausted.body).toEqual(
      neutronError('IpAddressGenerationFailure', `No more IP addresses available on network ${n.id}.`),
    );
    const explicit = await call('POST', net('/ports'), demo, {
      port: { network_id: n.id, fixed_ips: [{ ip_address: '192.168.7.6' }] },
    });
    expect(explicit.status).toBe(201);

    const availability = await call('GET', net(`/network-ip-availabilities/${n.id}`), admin);
    expect(availability.body.network_ip_availability).toMatchObject({
      network_name: 'small',
      total_ips: 3,
      used_ips: 4,
      subnet_ip_availability: [{ subnet_id: s.id, cidr: '192.168.7.0/29', ip_version: 4, total_ips: 3, used_ips: 4 }],
    });
    expect(
      (await call('GET', net(`/network-ip-availabilities?network_name=small`), admin)).body.network_ip_availabilities,
    ).toHaveLength(1);
    expect((await call('GET', net(`/network-ip-availabilities/${n.id}`), demo)).status).toBe(403);

    const inUse = await call('DELETE', net(`/networks/${n.id}`), demo);
    expect(inUse.status).toBe(409);
    expect(inUse.body.NeutronError.type).toBe('NetworkInUse');
    expect(inUse.body.NeutronError.message).toMatch(
      new RegExp(
        `^Unable to complete operation on network ${n.id}\\. There are one or more ports still in use on the network, id for these ports is: `,
      ),
    );
    const subnetInUse = await call('DELETE', net(`/subnets/${s.id}`), demo);
    expect(subnetInUse.status).toBe(409);
    expect(subnetInUse.body.NeutronError.type).toBe('SubnetInUse');

    const ports = (await call('GET', net(`/ports?network_id=${n.id}`), demo)).body.ports;
    expect(ports).toHaveLength(4);
    const byIp = await call('GET', net(`/ports?fixed_ips=ip_address%3D192.168.7.6`), demo);
    expect(byIp.body.ports.map((p: { id: string }) => p.id)).toEqual([explicit.body.port.id]);
    for (const p of ports) expect((await call('DELETE', net(`/ports/${p.id}`), demo)).status).toBe(204);
    expect((await call('DELETE', net(`/networks/${n.id}`), demo)).status).toBe(204);
  });
});

describe('subnet pools', () => {
  it('allocates subnets from a pool by prefix length, from the default pool, and refuses overlaps and exhaustion', async () => {
    const pool = await call('POST', net('/subnetpools'), admin, {
      subnetpool: { name: 'pool', prefixes: ['10.200.0.0/22'], default_prefixlen: 24, is_default: true, shared: true },
    });
    expect(pool.status).toBe(201);
    expect(pool.body.subnetpool).toMatchObject({
      prefixes: ['10.200.0.0/22'],
      min_prefixlen: 8,
      max_prefixlen: 32,
      default_prefixlen: 24,
      ip_version: 4,
      is_default: true,
    });
    const n = (await call('POST', net('/networks'), demo, { network: { name: 'pooled' } })).body.network;
    const first = await call('POST', net('/subnets'), demo, {
      subnet: { network_id: n.id, ip_version: 4, subnetpool_id: pool.body.subnetpool.id },
    });
    expect(first.status).toBe(201);
    expect(first.body.subnet).toMatchObject({
      cidr: '10.200.0.0/24',
      gateway_ip: '10.200.0.1',
      subnetpool_id: pool.body.subnetpool.id,
    });
    const n2 = (await call('POST', net('/networks'), demo, { network: { name: 'pooled2' } })).body.network;
    const wide = await call('POST', net('/subnets'), demo, {
      subnet: { network_id: n2.id, ip_version: 4, use_default_subnetpool: true, prefixlen: 23 },
    });
    expect(wide.body.subnet.cidr).toBe('10.200.2.0/23');
    const clash = await call('POST', net('/subnets'), demo, {
      subnet: { network_id: n2.id, ip_version: 4, subnetpool_id: pool.body.subnetpool.id, cidr: '10.200.0.128/25' },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.NeutronError.type).toBe('SubnetAllocationError');
    const third = await call('POST', net('/subnets'), demo, {
      subnet: { network_id: n2.id, ip_version: 4, subnetpool_id: pool.body.subnetpool.id },
    });
    expect(third.body.subnet.cidr).toBe('10.200.1.0/24');
    const full = await call('POST', net('/subnets'), demo, {
      subnet: { network_id: n2.id, ip_version: 4, subnetpool_id: pool.body.subnetpool.id },
    });
    expect(full.status).toBe(409);
    expect(full.body).toEqual(
      neutronError(
        'SubnetAllocationError',
        'Failed to allocate subnet: Insufficient prefix space to allocate subnet size /24.',
      ),
    );
    const busy = await call('DELETE', net(`/subnetpools/${pool.body.subnetpool.id}`), admin);
    expect(busy.status).toBe(409);
    expect(busy.body.NeutronError.type).toBe('SubnetPoolInUse');
    expect((await call('DELETE', net(`/networks/${n.id}`), demo)).status).toBe(204);
    expect((await call('DELETE', net(`/networks/${n2.id}`), demo)).status).toBe(204);
    expect((await call('DELETE', net(`/subnetpools/${pool.body.subnetpool.id}`), admin)).status).toBe(204);
  });
});

describe('address scopes', () => {
  it('puts pools in a scope and shows the scope on networks whose subnets come from it', async () => {
    const scope = await call('POST', net('/address-scopes'), demo, {
      address_scope: { name: 'scope4', ip_version: 4 },
    });
    expect(scope.status).toBe(201);
    expect(scope.body.address_scope).toEqual({
      id: scope.body.address_scope.id,
      name: 'scope4',
      tenant_id: demoProject,
      project_id: demoProject,
      shared: false,
      ip_version: 4,
    });
    const scopeId = scope.body.address_scope.id as string;
    const pool = (
      await call('POST', net('/subnetpools'), demo, {
        subnetpool: { name: 'scoped', prefixes: ['10.210.0.0/16'], default_prefixlen: 24, address_scope_id: scopeId },
      })
    ).body.subnetpool;
    expect(pool.address_scope_id).toBe(scopeId);
    const clash = await call('POST', net('/subnetpools'), demo, {
      subnetpool: { prefixes: ['10.210.5.0/24'], address_scope_id: scopeId },
    });
    expect(clash.status).toBe(400);
    const v6 = await call('POST', net('/subnetpools'), demo, {
      subnetpool: { prefixes: ['fd10::/48'], address_scope_id: scopeId },
    });
    expect(v6.status).toBe(400);
    const n = (await call('POST', net('/networks'), demo, { network: { name: 'scoped-net' } })).body.network;
    await call('POST', net('/subnets'), demo, { subnet: { network_id: n.id, ip_version: 4, subnetpool_id: pool.id } });
    expect((await call('GET', net(`/networks/${n.id}`), demo)).body.network).toMatchObject({
      ipv4_address_scope: scopeId,
      ipv6_address_scope: null,
    });
    const inUse = await call('DELETE', net(`/address-scopes/${scopeId}`), demo);
    expect(inUse.status).toBe(409);
    expect(inUse.body.NeutronError.type).toBe('AddressScopeInUse');
    expect((await call('GET', net(`/address-scopes/${scopeId}`), admin)).status).toBe(200);
    const adminPool = (
      await call('POST', net('/subnetpools'), admin, {
        subnetpool: { name: 'admin-pool', prefixes: ['10.211.0.0/16'], default_prefixlen: 24 },
      })
    ).body.subnetpool;
    expect((await call('GET', net(`/subnetpools/${adminPool.id}`), demo)).status).toBe(404);
    const grant = await call('POST', net('/rbac-policies'), admin, {
      rbac_policy: {
        object_type: 'subnetpool',
        object_id: adminPool.id,
        action: 'access_as_shared',
        target_tenant: demoProject,
      },
    });
    expect(grant.status).toBe(201);
    const fromShared = await call('POST', net('/subnets'), demo, {
      subnet: { network_id: n.id, ip_version: 4, subnetpool_id: adminPool.id },
    });
    expect(fromShared.body.subnet.cidr).toBe('10.211.0.0/24');
    expect((await call('DELETE', net(`/subnets/${fromShared.body.subnet.id}`), demo)).status).toBe(204);
    expect((await call('DELETE', net(`/subnetpools/${adminPool.id}`), admin)).status).toBe(204);
    expect((await call('GET', net(`/rbac-policies/${grant.body.rbac_policy.id}`), admin)).status).toBe(404);
    expect((await call('DELETE', net(`/networks/${n.id}`), demo)).status).toBe(204);
    expect((await call('DELETE', net(`/subnetpools/${pool.id}`), demo)).status).toBe(204);
    expect((await call('DELETE', net(`/address-scopes/${scopeId}`), demo)).status).toBe(204);
  });
});

describe('IPv6', () => {
  it('gives SLAAC addresses from the MAC and allocates DHCPv6-stateful addresses from the pool', async () => {
    const n = (await call('POST', net('/networks'), demo, { network: { name: 'v6' } })).body.network;
    const slaac = await call('POST', net('/subnets'), demo, {
      subnet: {
        network_id: n.id,
        ip_version: 6,
        cidr: 'fd00:1::/64',
        ipv6_address_mode: 'slaac',
        ipv6_ra_mode: 'slaac',
      },
    });
    expect(slaac.status).toBe(201);
    expect(slaac.body.subnet).toMatchObject({
      gateway_ip: 'fd00:1::1',
      allocation_pools: [{ start: 'fd00:1::2', end: 'fd00:1::ffff:ffff:ffff:ffff' }],
    });
    const stateful = (
      await call('POST', net('/subnets'), demo, {
        subnet: {
          network_id: n.id,
          ip_version: 6,
          cidr: 'fd00:2::/64',
          ipv6_address_mode: 'dhcpv6-stateful',
          ipv6_ra_mode: 'dhcpv6-stateful',
        },
      })
    ).body.subnet;
    const port = (
      await call('POST', net('/ports'), demo, { port: { network_id: n.id, mac_address: 'fa:16:3e:12:34:56' } })
    ).body.port;
    expect(port.fixed_ips).toEqual([
      { subnet_id: slaac.body.subnet.id, ip_address: 'fd00:1::f816:3eff:fe12:3456' },
      { subnet_id: stateful.id, ip_address: 'fd00:2::2' },
    ]);
    expect((await call('DELETE', net(`/subnets/${slaac.body.subnet.id}`), demo)).status).toBe(204);
    expect((await call('GET', net(`/ports/${port.id}`), demo)).body.port.fixed_ips).toEqual([
      { subnet_id: stateful.id, ip_address: 'fd00:2::2' },
    ]);
    await call('DELETE', net(`/ports/${port.id}`), demo);
    expect((await call('DELETE', net(`/networks/${n.id}`), demo)).status).toBe(204);
  });
});

describe('security groups', () => {
  it('creates the default group lazily, adds egress rules to new groups, refuses duplicate rules', async () => {
    const groups = (await call('GET', net('/security-groups'), demo)).body.security_groups;
    const def = groups.find((g: { name: string }) => g.name === 'default');
    expect(def.security_group_rules).toHaveLength(4);
    const sg = await call('POST', net('/security-groups'), demo, {
      security_group: { name: 'web', description: 'tf aio check' },
    });
    expect(sg.status).toBe(201);
    expect(
      sg.body.security_group.security_group_rules.map(
        (r: { direction: string; ethertype: string }) => `${r.direction}/${r.ethertype}`,
      ),
    ).toEqual(['egress/IPv4', 'egress/IPv6']);
    const rule = {
      security_group_rule: {
        security_group_id: sg.body.security_group.id,
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        port_range_min: 443,
        port_range_max: 443,
        remote_ip_prefix: '0.0.0.0/0',
      },
    };
    const created = await call('POST', net('/security-group-rules'), demo, rule);
    expect(created.status).toBe(201);
    expect(created.body.security_group_rule).toMatchObject({
      protocol: 'tcp',
      normalized_cidr: '0.0.0.0/0',
      description: '',
      remote_group_id: null,
    });
    const dup = await call('POST', net('/security-group-rules'), demo, rule);
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual(
      neutronError(
        'SecurityGroupRuleExists',
        `Security group rule already exists. Rule id is ${created.body.security_group_rule.id}.`,
      ),
    );
    const n = (await call('POST', net('/networks'), demo, { network: { name: 'sgnet' } })).body.network;
    await call('POST', net('/subnets'), demo, { subnet: { network_id: n.id, ip_version: 4, cidr: '10.5.0.0/24' } });
    const port = (
      await call('POST', net('/ports'), demo, {
        port: { network_id: n.id, security_groups: [sg.body.security_group.id] },
      })
    ).body.port;
    const busy = await call('DELETE', net(`/security-groups/${sg.body.security_group.id}`), demo);
    expect(busy.status).toBe(409);
    expect(busy.body.NeutronError.type).toBe('SecurityGroupInUse');
    await call('DELETE', net(`/ports/${port.id}`), demo);
    expect((await call('DELETE', net(`/security-groups/${sg.body.security_group.id}`), demo)).status).toBe(204);
    const rules = (await call('GET', net(`/security-group-rules?security_group_id=${sg.body.security_group.id}`), demo))
      .body.security_group_rules;
    expect(rules).toEqual([]);
    await call('DELETE', net(`/networks/${n.id}`), demo);
  });
});

describe('routers and floating IPs', () => {
  it('wires a gateway, an interface and a floating IP, and refuses to tear them down out of order', async () => {
    const pub = (await call('GET', net('/networks?name=public'), demo)).body.networks[0];
    const n = (await call('POST', net('/networks'), demo, { network: { name: 'rnet' } })).body.network;
    const s = (
      await call('POST', net('/subnets'), demo, { subnet: { network_id: n.id, ip_version: 4, cidr: '10.66.0.0/24' } })
    ).body.subnet;
    const r = await call('POST', net('/routers'), demo, {
      router: { name: 'r', external_gateway_info: { network_id: pub.id } },
    });
    expect(r.status).toBe(201);
    expect(r.body.router.external_gateway_info).toMatchObject({ network_id: pub.id, enable_snat: true });
    expect(r.body.router.external_gateway_info.external_fixed_ips[0].ip_address).toMatch(/^127\.42\.0\./);
    const router = r.body.router;
    const port = (await call('POST', net('/ports'), demo, { port: { network_id: n.id } })).body.port;
    const fip = await call('POST', net('/floatingips'), demo, { floatingip: { floating_network_id: pub.id } });
    expect(fip.status).toBe(201);
    expect(fip.body.floatingip).toMatchObject({ status: 'DOWN', port_id: null, port_details: null, router_id: null });
    const unreachable = await call('PUT', net(`/floatingips/${fip.body.floatingip.id}`), demo, {
      floatingip: { port_id: port.id },
    });
    expect(unreachable.status).toBe(404);
    expect(unreachable.body.NeutronError.type).toBe('ExternalGatewayForFloatingIPNotFound');
    const added = await call('PUT', net(`/routers/${router.id}/add_router_interface`), demo, { subnet_id: s.id });
    expect(added.status).toBe(200);
    expect(Object.keys(added.body).sort()).toEqual([
      'id',
      'network_id',
      'port_id',
      'subnet_id',
      'subnet_ids',
      'tenant_id',
    ]);
    const iface = (await call('GET', net(`/ports/${added.body.port_id}`), demo)).body.port;
    expect(iface).toMatchObject({
      device_owner: 'network:router_interface',
      device_id: router.id,
      fixed_ips: [{ subnet_id: s.id, ip_address: '10.66.0.1' }],
    });
    // The router's port keeps its address (l3-port-ip-change-not-allowed); naming the same one again is fine.
    const resent = await call('PUT', net(`/ports/${iface.id}`), demo, { port: { fixed_ips: [{ subnet_id: s.id }] } });
    expect(resent.status).toBe(200);
    expect(resent.body.port.fixed_ips).toEqual([{ subnet_id: s.id, ip_address: '10.66.0.1' }]);
    const moved = await call('PUT', net(`/ports/${iface.id}`), demo, {
      port: { fixed_ips: [{ subnet_id: s.id, ip_address: '10.66.0.9' }] },
    });
    expect(moved.status).toBe(400);
    const assoc = await call('PUT', net(`/floatingips/${fip.body.floatingip.id}`), demo, {
      floatingip: { port_id: port.id },
    });
    expect(assoc.status).toBe(200);
    expect(assoc.body.floatingip).toMatchObject({
      port_id: port.id,
      router_id: router.id,
      fixed_ip_address: port.fixed_ips[0].ip_address,
      status: 'ACTIVE',
    });
    expect(assoc.body.floatingip.port_details).toMatchObject({ mac_address: port.mac_address, network_id: n.id });
    const byAddress = await call(
      'GET',
      net(`/floatingips?floating_ip_address=${fip.body.floatingip.floating_ip_address}`),
      demo,
    );
    expect(byAddress.body.floatingips).toHaveLength(1);

    const directDelete = await call('DELETE', net(`/ports/${iface.id}`), demo);
    expect(directDelete.status).toBe(409);
    expect(directDelete.body.NeutronError.type).toBe('L3PortInUse');
    const routerInUse = await call('DELETE', net(`/routers/${router.id}`), demo);
    expect(routerInUse.status).toBe(409);
    expect(routerInUse.body).toEqual(neutronError('RouterInUse', `Router ${router.id} still has ports`));
    const needed = await call('PUT', net(`/routers/${router.id}/remove_router_interface`), demo, { subnet_id: s.id });
    expect(needed.status).toBe(409);
    expect(needed.body.NeutronError.type).toBe('RouterInterfaceInUseByFloatingIP');

    expect((await call('DELETE', net(`/floatingips/${fip.body.floatingip.id}`), demo)).status).toBe(204);
    const route = { destination: '192.168.90.0/24', nexthop: '10.66.0.5' };
    const routed = await call('PUT', net(`/routers/${router.id}/add_extraroutes`), demo, {
      router: { routes: [route] },
    });
    expect(routed.body.router.routes).toEqual([route]);
    const offLink = await call('PUT', net(`/routers/${router.id}`), demo, {
      router: { routes: [{ destination: '0.0.0.0/0', nexthop: '172.16.0.1' }] },
    });
    expect(offLink.status).toBe(400);
    expect(offLink.body.NeutronError.type).toBe('InvalidRoutes');
    const byRoute = await call('PUT', net(`/routers/${router.id}/remove_router_interface`), demo, { subnet_id: s.id });
    expect(byRoute.status).toBe(409);
    expect(byRoute.body.NeutronError.type).toBe('RouterInterfaceInUseByRoute');
    expect(
      (await call('PUT', net(`/routers/${router.id}/remove_extraroutes`), demo, { router: { routes: [route] } })).body
        .router.routes,
    ).toEqual([]);
    expect(
      (await call('PUT', net(`/routers/${router.id}/remove_router_interface`), demo, { subnet_id: s.id })).status,
    ).toBe(200);
    expect((await call('DELETE', net(`/routers/${router.id}`), demo)).status).toBe(204);
    expect((await call('DELETE', net(`/ports/${port.id}`), demo)).status).toBe(204);
    expect((await call('DELETE', net(`/networks/${n.id}`), demo)).status).toBe(204);
    const adminPorts = (await call('GET', net(`/ports?network_id=${pub.id}`), admin)).body.ports;
    expect(adminPorts).toEqual([]);
  });
});

describe('tenant isolation, RBAC and quotas', () => {
  it('hides and protects another project’s network until it is shared', async () => {
    const pub = (await call('GET', net('/networks?name=public'), demo)).body.networks[0];
    const onPublic = await call('POST', net('/ports'), demo, { port: { network_id: pub.id } });
    expect(onPublic.status).toBe(403);
    expect(onPublic.body).toEqual(
      neutronError('HTTPForbidden', `Tenant ${demoProject} not allowed to create port on this network`),
    );
    expect((await call('DELETE', net(`/networks/${pub.id}`), demo)).status).toBe(403);
    const secret = (await call('POST', net('/networks'), admin, { network: { name: 'admin-only' } })).body.network;
    expect((await call('GET', net(`/networks/${secret.id}`), demo)).status).toBe(404);
    expect((await call('DELETE', net(`/networks/${secret.id}`), demo)).status).toBe(404);
    expect((await call('PUT', net(`/networks/${secret.id}`), demo, { network: { name: 'mine' } })).status).toBe(404);
    const list = (await call('GET', net('/networks'), demo)).body.networks.map((x: { id: string }) => x.id);
    expect(list).not.toContain(secret.id);
    const policy = await call('POST', net('/rbac-policies'), admin, {
      rbac_policy: {
        object_type: 'network',
        object_id: secret.id,
        action: 'access_as_shared',
        target_tenant: demoProject,
      },
    });
    expect(policy.status).toBe(201);
    const shared = await call('GET', net(`/networks/${secret.id}`), demo);
    expect(shared.status).toBe(200);
    expect(shared.body.network.shared).toBe(true);
    expect((await call('GET', net(`/networks/${secret.id}`), admin)).body.network.shared).toBe(false);
    expect((await call('DELETE', net(`/rbac-policies/${policy.body.rbac_policy.id}`), admin)).status).toBe(204);
    expect((await call('GET', net(`/networks/${secret.id}`), demo)).status).toBe(404);
    expect((await call('DELETE', net(`/networks/${secret.id}`), admin)).status).toBe(204);
  });

  it('enforces quotas with 409 OverQuota and reports usage', async () => {
    const own = await call('GET', net(`/quotas/${demoProject}`), demo);
    expect(own.body.quota).toEqual({
      network: 100,
      subnet: 100,
      subnetpool: -1,
      port: 500,
      router: 10,
      floatingip: 50,
      rbac_policy: 10,
      security_group: 10,
      security_group_rule: 100,
    });
    expect((await call('PUT', net(`/quotas/${demoProject}`), demo, { quota: { network: 50 } })).status).toBe(403);
    const set = await call('PUT', net(`/quotas/${demoProject}`), admin, { quota: { network: 1 } });
    expect(set.body.quota.network).toBe(1);
    const ok = await call('POST', net('/networks'), demo, { network: { name: 'q1' } });
    expect(ok.status).toBe(201);
    const over = await call('POST', net('/networks'), demo, { network: { name: 'q2' } });
    expect(over.status).toBe(409);
    expect(over.body).toEqual(neutronError('OverQuota', "Quota exceeded for resources: ['network']."));
    const details = await call('GET', net(`/quotas/${demoProject}/details`), demo);
    expect(details.body.quota.network).toEqual({ used: 1, limit: 1, reserved: 0 });
    expect((await call('DELETE', net(`/quotas/${demoProject}`), admin)).status).toBe(204);
    expect((await call('DELETE', net(`/networks/${ok.body.network.id}`), demo)).status).toBe(204);
  });
});

describe('tags and pagination', () => {
  it('replaces, adds, filters and removes tags; pages with networks_links', async () => {
    const ids: string[] = [];
    for (const name of ['p1', 'p2', 'p3'])
      ids.push((await call('POST', net('/networks'), demo, { network: { name } })).body.network.id);
    const [a, b] = ids as [string, string, string];
    const replaced = await call('PUT', net(`/networks/${a}/tags`), demo, { tags: ['red', 'blue'] });
    expect(replaced.body).toEqual({ tags: ['red', 'blue'] });
    expect((await call('PUT', net(`/networks/${b}/tags/red`), demo)).status).toBe(201);
    expect(
      (await call('GET', net(`/networks?tags=red`), demo)).body.networks.map((x: { id: string }) => x.id).sort(),
    ).toEqual([a, b].sort());
    expect(
      (await call('GET', net(`/networks?tags=red,blue`), demo)).body.networks.map((x: { id: string }) => x.id),
    ).toEqual([a]);
    expect((await call('GET', net(`/networks/${a}/tags/blue`), demo)).status).toBe(204);
    expect((await call('DELETE', net(`/networks/${a}/tags/blue`), demo)).status).toBe(204);
    expect((await call('GET', net(`/networks/${a}/tags/blue`), demo)).status).toBe(404);
    const page = await call('GET', net('/networks?limit=2&sort_key=name&sort_dir=asc&name=p1&name=p2&name=p3'), demo);
    expect(page.body.networks.map((x: { name: string }) => x.name)).toEqual(['p1', 'p2']);
    expect(page.body.networks_links[0].rel).toBe('next');
    const next = await call(
      'GET',
      new URL(page.body.networks_links[0].href).pathname + new URL(page.body.networks_links[0].href).search,
      demo,
    );
    expect(next.body.networks.map((x: { name: string }) => x.name)).toEqual(['p3']);
    for (const id of ids) await call('DELETE', net(`/networks/${id}`), demo);
  });
});
