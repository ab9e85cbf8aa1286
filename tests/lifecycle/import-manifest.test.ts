import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DiscoveredProject } from '../../src/cloud/discovery';
import { renderManifestYaml, scoped } from '../../src/lifecycle/import';
import {
  compactRule,
  convertProject,
  enclosingCidr,
  manifestName,
  nameStem,
  parseSelect,
} from '../../src/lifecycle/import-manifest';
import { resolveEnvironment } from '../../src/manifest/model';
import { parseManifest } from '../../src/manifest/source';
import { validateParsed } from '../../src/manifest/validate';
import { applyAdoption } from '../../src/synth/adoption';
import { synthesizeResolved } from '../../src/synth/synth-city';

const P = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const PARTNER = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDEaEL6TgJUZ5tpf3CMZWIrTq4R9OKnIL4o9Qy4Kg/ze ops@hand';

function rule(id: string, over: Partial<DiscoveredProject['securityGroups'][number]['rules'][number]>) {
  return {
    id,
    direction: 'ingress' as const,
    ethertype: 'IPv4',
    protocol: 'tcp',
    portMin: null,
    portMax: null,
    remoteIpPrefix: null,
    remoteGroupId: null,
    description: '',
    ...over,
  };
}

function server(id: string, name: string, over: Partial<DiscoveredProject['servers'][number]> = {}) {
  return {
    id,
    name,
    status: 'ACTIVE',
    flavorName: 'm1.small',
    imageId: 'img-1',
    imageName: 'debian-12',
    keyName: 'ops-key',
    availabilityZone: 'nova',
    metadata: { role: 'web' },
    tags: [],
    securityGroupNames: ['web'],
    volumeIds: [],
    ...over,
  };
}

function port(id: string, deviceId: string, subnetId: string, ip: string, sgs: string[]) {
  return {
    id,
    name: '',
    networkId: 'net-1',
    deviceId,
    deviceOwner: 'compute:nova',
    fixedIps: [{ subnetId, ipAddress: ip }],
    securityGroupIds: sgs,
    allowedAddressPairs: 0,
    adminStateUp: true,
    tags: [],
  };
}

/** A hand-built project: one network of two subnets, three servers in two shapes, and some things storm cannot say. */
function project(): DiscoveredProject {
  return {
    cloud: 'sandbox',
    region: 'RegionOne',
    projectId: P,
    projectName: 'hand',
    externalNetworks: [{ id: 'ext-1', name: 'public' }],
    images: [{ id: 'img-1', name: 'debian-12' }],
    projects: [{ id: PARTNER, name: 'University' }],
    networks: [
      { id: 'net-1', name: 'App Net', description: '', external: false, mtu: 1450, tags: [], projectId: P },
      { id: 'net-2', name: 'backup-net', description: '', external: false, mtu: 1450, tags: [], projectId: P },
    ],
    subnets: [
      {
        id: 'sub-web',
        name: 'web_sub',
        description: '',
        networkId: 'net-1',
        cidr: '10.30.1.0/24',
        ipVersion: 4,
        gatewayIp: '10.30.1.1',
        enableDhcp: true,
        dnsServers: ['9.9.9.9'],
        allocationPools: [{ start: '10.30.1.2', end: '10.30.1.254' }],
        hostRoutes: 0,
        tags: [],
      },
      {
        id: 'sub-data',
        name: 'data-sub',
        description: '',
        networkId: 'net-1',
        cidr: '10.30.2.0/24',
        ipVersion: 4,
        gatewayIp: '10.30.2.1',
        enableDhcp: true,
        dnsServers: [],
        allocationPools: [{ start: '10.30.2.10', end: '10.30.2.99' }],
        hostRoutes: 0,
        tags: [],
      },
    ],
    routers: [{ id: 'r-1', name: 'main-router', description: '', externalNetworkId: 'ext-1', routes: 0, tags: [] }],
    ports: [
      {
        ...port('rp-web', 'r-1', 'sub-web', '10.30.1.1', []),
        deviceOwner: 'network:router_interface',
      },
      {
        ...port('rp-data', 'r-1', 'sub-data', '10.30.2.1', []),
        deviceOwner: 'network:router_interface',
      },
      port('p-web2', 's-web2', 'sub-web', '10.30.1.3', ['sg-web']),
      port('p-web1', 's-web1', 'sub-web', '10.30.1.2', ['sg-web']),
      port('p-db1', 's-db1', 'sub-data', '10.30.2.21', ['sg-db']),
    ],
    securityGroups: [
      {
        id: 'sg-web',
        name: 'web',
        description: 'public web',
        tags: [],
        rules: [
          rule('r1', { portMin: 80, portMax: 80, remoteIpPrefix: '0.0.0.0/0' }),
          rule('r2', { portMin: 22, portMax: 22, remoteIpPrefix: '192.0.2.0/24', description: 'ops' }),
          rule('r3', { direction: 'egress', protocol: null }),
          rule('r4', { direction: 'egress', protocol: null, ethertype: 'IPv6' }),
          rule('r5', { protocol: 'vrrp' }),
        ],
      },
      {
        id: 'sg-db',
        name: 'db',
        description: '',
        tags: [],
        rules: [rule('r6', { portMin: 5432, portMax: 5432, remoteGroupId: 'sg-web' })],
      },
    ],
    keypairs: [
      { name: 'ops-key', publicKey: KEY },
      { name: 'unused', publicKey: KEY },
    ],
    serverGroups: [],
    servers: [
      server('s-web2', 'web-2'),
      server('s-web1', 'web-1'),
      server('s-db1', 'db-1', { flavorName: 'm1.medium', metadata: { role: 'db' }, volumeIds: ['v-db1'] }),
    ],
    volumes: [
      {
        id: 'v-db1',
        name: 'db-1-data',
        description: 'database files',
        size: 10,
        volumeType: 'standard',
        bootable: false,
        availabilityZone: 'nova',
        metadata: {},
        attachedTo: ['s-db1'],
      },
    ],
    floatingIps: [
      { id: 'f-1', address: '127.42.0.11', networkId: 'ext-1', portId: 'p-web1', description: '', tags: [] },
      { id: 'f-2', address: '127.42.0.12', networkId: 'ext-1', portId: 'p-web2', description: '', tags: [] },
      { id: 'f-3', address: '127.42.0.13', networkId: 'ext-1', portId: null, description: '', tags: [] },
    ],
    containers: [
      { name: 'public-data', read: '.r:*,.rlistings', write: undefined, versioning: false, metadata: {} },
      { name: 'research', read: `${PARTNER}:*`, write: undefined, versioning: true, metadata: { owner: 'x' } },
    ],
    rbacPolicies: [
      { id: 'rb-1', objectType: 'network', objectId: 'net-1', action: 'access_as_shared', targetProject: PARTNER },
    ],
    loadBalancers: [{ id: 'lb-1', name: 'front-lb' }],
    unreadable: [],
  };
}

const OPTIONS = { city: 'hand', env: 'preprod', country: 'PT' };

describe('storm import: names, CIDRs and rules', () => {
  it('maps cloud names to manifest names and numbered names to their stem', () => {
    expect(manifestName('App Net', 'x')).toBe('app-net');
    expect(manifestName('web_sub', 'x')).toBe('web-sub');
    expect(manifestName('42', 'subnet')).toBe('subnet');
    expect(manifestName('-Ops--Key-', 'x')).toBe('ops-key');
    expect(nameStem('web-12')).toBe('web');
    expect(nameStem('db02')).toBe('db');
    expect(nameStem('7')).toBe('7');
  });

  it('finds the smallest network that holds every subnet', () => {
    expect(enclosingCidr(['10.30.1.0/24', '10.30.2.0/24'])).toBe('10.30.0.0/22');
    expect(enclosingCidr(['192.168.64.0/24'])).toBe('192.168.64.0/24');
    expect(enclosingCidr(['10.0.0.0/24', '172.16.0.0/24'])).toBe('0.0.0.0/0');
    expect(enclosingCidr(['fd00::/64'])).toBeUndefined();
  });

  it('writes Neutron rules in the compact form, and says why one does not fit', () => {
    const groups = new Map([['sg-web', 'web']]);
    expect(compactRule(rule('a', { portMin: 8000, portMax: 8100, remoteIpPrefix: '10.0.0.0/8' }), groups).rule).toEqual(
      {
        direction: 'ingress',
        protocol: 'tcp',
        ports: '8000-8100',
        remote: '10.0.0.0/8',
      },
    );
    expect(compactRule(rule('b', { protocol: 'icmp', remoteGroupId: 'sg-web' }), groups).rule).toEqual({
      direction: 'ingress',
      protocol: 'icmp',
      remoteGroup: 'web',
    });
    expect(compactRule(rule('c', { protocol: 'gre' }), groups).problem).toBe('protocol gre');
    expect(compactRule(rule('d', { remoteGroupId: 'sg-other' }), groups).problem).toMatch(/remote group outside/);
    expect(compactRule(rule('e', { ethertype: 'IPv6' }), groups).problem).toMatch(/IPv6 rule without a remote/);
    expect(compactRule(rule('f', { protocol: 'icmp', portMin: 8, portMax: 0 }), groups).problem).toMatch(/ICMP type/);
  });

  it('understands --select network=<name> and refuses anything else', () => {
    expect(parseSelect('network=app-net')).toEqual({ network: 'app-net' });
    expect(parseSelect(undefined)).toBeUndefined();
    expect(() => parseSelect('server=web-1')).toThrow(/not understood/);
  });
});

describe('storm import: a project becomes a manifest and an adoption record', () => {
  const conversion = convertProject(project(), OPTIONS);
  const m = conversion.manifest;
  const addresses = conversion.adoption.resources.map((r) => r.address);

  it('groups servers of one shape into a compute group with a count, in name order', () => {
    expect(m.compute?.groups).toEqual([
      expect.objectContaining({
        name: 'db',
        flavor: 'm1.medium',
        count: 1,
        subnet: 'data-sub',
        securityGroups: ['db'],
        volumes: ['data'],
      }),
      expect.objectContaining({
        name: 'web',
        flavor: 'm1.small',
        image: 'debian-12',
        count: 2,
        subnet: 'web-sub',
        securityGroups: ['web'],
        keypair: 'ops-key',
        availabilityZone: 'nova',
        floatingIp: true,
        metadata: { role: 'web' },
      }),
    ]);
    const web1 = conversion.adoption.resources.find((r) => r.address === 'openstack_compute_instance_v2.web_1');
    expect(web1?.id).toBe('s-web1');
    expect(web1?.keep).toMatchObject({ name: 'web-1', network: [{ fixed_ip_v4: '10.30.1.2' }] });
  });

  it('describes the network, router, groups, partners and containers in storm vocabulary', () => {
    expect(m.network).toMatchObject({ name: 'app-net', cidr: '10.30.0.0/22', router: { externalGateway: true } });
    expect(m.network.subnets.map((s) => s.name)).toEqual(['data-sub', 'web-sub']);
    expect(m.cloud).toMatchObject({ name: 'sandbox', externalNetwork: 'public', availabilityZones: ['nova'] });
    expect(m.security?.groups?.find((g) => g.name === 'web')?.rules).toEqual([
      { direction: 'ingress', protocol: 'tcp', ports: 22, remote: '192.0.2.0/24', description: 'ops' },
      { direction: 'ingress', protocol: 'tcp', ports: 80, remote: '0.0.0.0/0' },
    ]);
    expect(m.security?.groups?.find((g) => g.name === 'db')?.rules).toEqual([
      { direction: 'ingress', protocol: 'tcp', ports: 5432, remoteGroup: 'web' },
    ]);
    expect(m.partners).toEqual([
      {
        name: 'university',
        kind: 'public',
        project: PARTNER,
        access: [{ network: 'data-sub' }, { container: 'research', mode: 'read' }],
      },
    ]);
    expect(m.storage?.containers).toEqual([
      { name: 'public-data', acl: 'public-read', openData: true },
      { name: 'research', versioning: true },
    ]);
    expect(m.compute?.keypairs).toEqual([{ name: 'ops-key', publicKey: KEY }]);
  });

  it('maps every resource to the address synthesis gives it', () => {
    expect(addresses).toEqual(
      expect.arrayContaining([
        'openstack_networking_network_v2.network',
        'openstack_networking_subnet_v2.web_sub',
        'openstack_networking_router_v2.router',
        'openstack_networking_router_interface_v2.web_sub',
        'openstack_networking_secgroup_rule_v2.web_in_tcp_80_from_anywhere',
        'openstack_networking_secgroup_rule_v2.db_in_tcp_5432_from_group_web',
        'openstack_networking_port_v2.web_2',
        'openstack_networking_floatingip_associate_v2.web_2',
        'openstack_blockstorage_volume_v3.db_1_data',
        'openstack_compute_volume_attach_v2.db_1_data',
        'openstack_objectstorage_container_v1.research',
        'openstack_networking_rbac_policy_v2.partner_university_network',
        'openstack_compute_keypair_v2.ops_key',
      ]),
    );
    expect(conversion.adoption.resources.find((r) => r.address.endsWith('attach_v2.db_1_data'))?.id).toBe(
      's-db1/v-db1',
    );
    expect(addresses).toEqual([...addresses].sort());
  });

  it('reports what storm cannot express or did not import', () => {
    const subjects = conversion.findings.map((f) => `${f.kind}: ${f.subject}`);
    expect(subjects).toEqual(
      expect.arrayContaining([
        'left-alone: network backup-net',
        'left-alone: floating IP 127.42.0.13',
        'left-alone: key pair unused',
        'not-expressible: rule r5 of security group web',
        'not-expressible: load balancer front-lb',
      ]),
    );
  });

  it('writes a commented manifest that validates and synthesizes exactly the adopted resources', () => {
    const text = renderManifestYaml(conversion, project(), 'preprod');
    expect(text).toContain('# from servers web-1, web-2 (same flavor, image, subnet, security groups)');
    expect(text).toContain('- { direction: ingress, protocol: tcp, ports: 80, remote: 0.0.0.0/0 }');
    const file = path.join('/nowhere', 'stacks', 'hand.yaml');
    const result = validateParsed(parseManifest(text, 'stacks/hand.yaml', file), { cwd: '/nowhere', templates: [] });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    if (result.doc === undefined) throw new Error('no manifest');
    const json = synthesizeResolved(resolveEnvironment(result.doc, 'preprod'));
    const synthesized = Object.entries(json.resource as Record<string, Record<string, unknown>>).flatMap(
      ([type, items]) => Object.keys(items).map((n) => `${type}.${n}`),
    );
    expect([...synthesized].sort()).toEqual(addresses);
    const adopted = applyAdoption(json, conversion.adoption.resources, () => true);
    expect(adopted.unmatched).toEqual([]);
    expect(adopted.imports).toHaveLength(addresses.length);
  });

  it('splits a cluster bigger than a compute group may be, and the manifest still validates and round-trips', () => {
    const p = project();
    // 53 web servers of one shape: 50 in "web", 3 in "web-2", in name order.
    for (let i = 3; i <= 53; i++) {
      p.servers.push(server(`s-web${i}`, `web-${i}`));
      p.ports.push(port(`p-web${i}`, `s-web${i}`, 'sub-web', `10.30.1.${i + 1}`, ['sg-web']));
      p.floatingIps.push({
        id: `f-web${i}`,
        address: `127.42.1.${i}`,
        networkId: 'ext-1',
        portId: `p-web${i}`,
        description: '',
        tags: [],
      });
    }
    const big = convertProject(p, OPTIONS);
    const web = (big.manifest.compute?.groups ?? []).filter((g) => g.flavor === 'm1.small');
    expect(web.map((g) => [g.name, g.count])).toEqual([
      ['web', 50],
      ['web-2', 3],
    ]);
    const ids = (group: string) =>
      big.adoption.resources
        .filter((r) => r.address.startsWith(`openstack_compute_instance_v2.${group}_`))
        .map((r) => r.id);
    expect(ids('web_2')).toEqual(['s-web51', 's-web52', 's-web53']);
    const text = renderManifestYaml(big, p, 'preprod');
    const file = path.join('/nowhere', 'stacks', 'hand.yaml');
    const result = validateParsed(parseManifest(text, 'stacks/hand.yaml', file), { cwd: '/nowhere', templates: [] });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    if (result.doc === undefined) throw new Error('no manifest');
    const json = synthesizeResolved(resolveEnvironment(result.doc, 'preprod'));
    expect(applyAdoption(json, big.adoption.resources, () => true).unmatched).toEqual([]);
  });

  it("keeps a key pair's public key exactly as Nova stores it (a real Zed keeps the file's newline)", () => {
    const p = project();
    p.keypairs[0] = { name: 'ops-key', publicKey: KEY, publicKeyAsStored: `${KEY}\n` };
    const c = convertProject(p, OPTIONS);
    expect(c.manifest.compute?.keypairs).toEqual([{ name: 'ops-key', publicKey: KEY }]);
    const entry = c.adoption.resources.find((r) => r.address === 'openstack_compute_keypair_v2.ops_key');
    expect(entry?.keep).toEqual({ name: 'ops-key', public_key: `${KEY}\n` });
    const json = { resource: { openstack_compute_keypair_v2: { ops_key: { name: 'ops-key', public_key: KEY } } } };
    const adopted = applyAdoption(json, [entry!], () => true);
    expect(adopted.json.resource).toEqual({
      openstack_compute_keypair_v2: { ops_key: { name: 'ops-key', public_key: `${KEY}\n` } },
    });
  });

  it('never writes a private key, a token or user data', () => {
    const p = project();
    p.servers[0] = { ...p.servers[0]!, metadata: { role: 'web' } };
    const text = JSON.stringify(convertProject(p, OPTIONS));
    expect(text).not.toMatch(/PRIVATE KEY|user_data|X-Auth-Token/);
  });

  it('imports only the selected network, and names what it cannot find', () => {
    const p = project();
    p.subnets.push({ ...p.subnets[0]!, id: 'sub-b', name: 'backup', networkId: 'net-2', cidr: '10.31.0.0/24' });
    const other = convertProject(p, { ...OPTIONS, select: 'network=backup-net' });
    expect(other.counts.servers).toBe(0);
    expect(other.manifest.network.subnets.map((s) => s.cidr)).toEqual(['10.31.0.0/24']);
    expect(other.findings.map((f) => f.subject)).toContain('network App Net');
    expect(() => convertProject(project(), { ...OPTIONS, select: 'network=backup-net' })).toThrow(/no IPv4 subnet/);
    expect(() => convertProject(project(), { ...OPTIONS, select: 'network=nope' })).toThrow(/no network "nope"/);
  });
});

describe('storm import: the project the city lives in', () => {
  it('records --project as cloud.project, and scopes a password token to a name or an id', () => {
    expect(convertProject(project(), { ...OPTIONS, project: 'hand' }).manifest.cloud.project).toBe('hand');
    expect(convertProject(project(), OPTIONS).manifest.cloud.project).toBeUndefined();
    const creds = {
      cloudName: 'c',
      source: { kind: 'environment' as const },
      auth: {
        type: 'password' as const,
        authUrl: 'http://127.0.0.1/v3',
        username: 'u',
        password: 'p',
        projectName: 'old',
      },
    };
    expect(scoped(creds, 'hand').auth).toEqual({ ...creds.auth, projectName: 'hand' });
    expect(scoped(creds, P).auth).toEqual({
      type: 'password',
      authUrl: 'http://127.0.0.1/v3',
      username: 'u',
      password: 'p',
      projectId: P,
    });
    const app = {
      ...creds,
      auth: { type: 'v3applicationcredential' as const, authUrl: 'x', applicationCredentialSecret: 's' },
    };
    expect(() => scoped(app, 'hand')).toThrow(/cannot re-scope application credential/);
  });
});
