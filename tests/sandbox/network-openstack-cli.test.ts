import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/server.js';
import { type ClientResult, clientEnv, runClient } from '../support/openstack-client';

/** Debian's python3-openstackclient (the real `openstack` command) against the sandbox's Neutron. */
let sandbox: Awaited<ReturnType<typeof createSandbox>>;
let dataDir: string;

/** Runs `openstack` as admin: asynchronously, since the sandbox answers from this same process. */
function openstack(...args: string[]): Promise<ClientResult> {
  const admin = { username: 'admin', password: sandbox.logins.admin, project: 'admin' };
  return runClient('openstack', args, clientEnv(sandbox.url, admin));
}

async function json<T>(...args: string[]): Promise<T> {
  const r = await openstack(...args, '-f', 'json');
  expect(r.code, `openstack ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

type Row = Record<string, unknown>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'storm-network-osc-'));
  sandbox = await createSandbox({ port: 0, dataDir, statusDelayMs: 0 });
});

afterAll(async () => {
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('openstack CLI against the sandbox network', () => {
  it('lists public, creates and deletes a network, and lists/shows every network kind', async () => {
    const networks = await json<Row[]>('network', 'list');
    expect(networks.map((n) => n.Name)).toContain('public');
    const pub = await json<Row>('network', 'show', 'public');
    expect(pub).toMatchObject({ name: 'public', 'router:external': true });

    const created = await json<Row>('network', 'create', 'osc-net');
    expect(created).toMatchObject({ name: 'osc-net', status: 'ACTIVE' });
    const subnet = await json<Row>(
      'subnet',
      'create',
      'osc-sub',
      '--network',
      'osc-net',
      '--subnet-range',
      '10.77.0.0/24',
    );
    expect(subnet).toMatchObject({ cidr: '10.77.0.0/24', gateway_ip: '10.77.0.1' });
    expect((await json<Row[]>('subnet', 'list')).map((s) => s.Name)).toEqual(
      expect.arrayContaining(['osc-sub', 'public-subnet']),
    );
    expect(await json<Row>('subnet', 'show', 'osc-sub')).toMatchObject({ name: 'osc-sub' });

    const router = await json<Row>('router', 'create', 'osc-router');
    expect(router).toMatchObject({ name: 'osc-router', status: 'ACTIVE' });
    expect((await openstack('router', 'set', 'osc-router', '--external-gateway', 'public')).code).toBe(0);
    expect((await openstack('router', 'add', 'subnet', 'osc-router', 'osc-sub')).code).toBe(0);
    expect((await json<Row[]>('router', 'list')).map((r) => r.Name)).toContain('osc-router');
    const shownRouter = await json<Row>('router', 'show', 'osc-router');
    expect(JSON.stringify(shownRouter.external_gateway_info)).toContain(String(pub.id));

    const port = await json<Row>('port', 'create', 'osc-port', '--network', 'osc-net');
    expect(port).toMatchObject({ name: 'osc-port', status: 'DOWN' });
    expect((await json<Row[]>('port', 'list')).map((p) => p.Name)).toContain('osc-port');
    expect(await json<Row>('port', 'show', 'osc-port')).toMatchObject({ name: 'osc-port' });

    const sg = await json<Row>('security', 'group', 'create', 'osc-sg');
    expect(sg).toMatchObject({ name: 'osc-sg' });
    const rule = await json<Row>(
      'security',
      'group',
      'rule',
      'create',
      '--protocol',
      'tcp',
      '--dst-port',
      '22',
      '--ingress',
      'osc-sg',
    );
    expect(rule).toMatchObject({ port_range_min: 22, port_range_max: 22, protocol: 'tcp' });
    const dup = await openstack(
      'security',
      'group',
      'rule',
      'create',
      '--protocol',
      'tcp',
      '--dst-port',
      '22',
      '--ingress',
      'osc-sg',
    );
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toMatch(/Security group rule already exists/);
    expect((await json<Row[]>('security', 'group', 'list')).map((g) => g.Name)).toEqual(
      expect.arrayContaining(['default', 'osc-sg']),
    );
    expect((await json<Row[]>('security', 'group', 'rule', 'list', 'osc-sg')).length).toBe(3);
    expect(await json<Row>('security', 'group', 'show', 'osc-sg')).toMatchObject({ name: 'osc-sg' });

    const fip = await json<Row>('floating', 'ip', 'create', 'public', '--port', 'osc-port');
    expect(String(fip.floating_ip_address)).toMatch(/^127\.42\.0\./);
    expect((await json<Row[]>('floating', 'ip', 'list')).map((f) => f['Floating IP Address'])).toContain(
      fip.floating_ip_address,
    );
    expect(await json<Row>('floating', 'ip', 'show', String(fip.id))).toMatchObject({ port_id: port.id });

    const inUse = await openstack('network', 'delete', 'osc-net');
    expect(inUse.code).not.toBe(0);
    expect(inUse.stderr).toMatch(/There are one or more ports still in use on the network/);

    expect((await openstack('floating', 'ip', 'delete', String(fip.id))).code).toBe(0);
    expect((await openstack('port', 'delete', 'osc-port')).code).toBe(0);
    expect((await openstack('router', 'remove', 'subnet', 'osc-router', 'osc-sub')).code).toBe(0);
    expect((await openstack('router', 'delete', 'osc-router')).code).toBe(0);
    expect((await openstack('security', 'group', 'delete', 'osc-sg')).code).toBe(0);
    expect((await openstack('network', 'delete', 'osc-net')).code).toBe(0);
    expect((await json<Row[]>('network', 'list')).map((n) => n.Name)).toEqual(['public']);
    expect(await json<Row[]>('floating', 'ip', 'list')).toEqual([]);
    expect((await json<Row[]>('network', 'rbac', 'list')).length).toBe(1);
    expect(await json<Row[]>('quota', 'list', '--network')).toEqual([]);
    const scope = await json<Row>('address', 'scope', 'create', '--ip-version', '4', 'osc-scope');
    const pool = await json<Row>(
      'subnet',
      'pool',
      'create',
      '--pool-prefix',
      '10.78.0.0/16',
      '--default-prefix-length',
      '24',
      '--address-scope',
      'osc-scope',
      'osc-pool',
    );
    expect(pool).toMatchObject({ address_scope_id: scope.id, name: 'osc-pool' });
    expect((await json<Row[]>('subnet', 'pool', 'list')).map((p) => p.Name)).toEqual(['osc-pool']);
    expect((await json<Row[]>('address', 'scope', 'list')).map((a) => a.Name)).toEqual(['osc-scope']);
    expect((await json<Row[]>('ip', 'availability', 'list')).map((a) => a['Network Name'])).toEqual(['public']);
    expect((await openstack('subnet', 'pool', 'delete', 'osc-pool')).code).toBe(0);
    expect((await openstack('address', 'scope', 'delete', 'osc-scope')).code).toBe(0);
  });
});
