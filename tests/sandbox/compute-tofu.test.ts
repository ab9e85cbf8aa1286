import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/server.js';
import { type TofuResult, sandboxTofuEnv, tofu as runTofu } from '../support/tofu';
import { ApiClient, type Sandbox } from './compute-client.js';
import { validateResponse } from './openapi.js';
import { parseProviderLog } from './provider-log.js';

/**
 * The real provider (through OpenTofu) applies the compute and block-storage
 * part of real-zed/provider-run.tf to the sandbox (fixtures/compute-subset.tf):
 * apply, a second plan with no changes, imports, destroy, and every Nova and
 * Cinder list empty again. The sandbox keeps its default-like 300 ms status
 * delay so the provider really polls BUILD → ACTIVE and creating → available.
 */
let sandbox: Sandbox;
let api: ApiClient;
let dataDir: string;
let workDir: string;
let extraDir: string;

// Left out: openstack_compute_instance_v2.vm — the provider cannot read back
// user_data, scheduler_hints or the port of a network block, so an imported
// instance carrying them shows a replacement on any cloud. `second` has none.
const IMPORTABLE = [
  'openstack_compute_keypair_v2.kp',
  'openstack_compute_keypair_v2.imported',
  'openstack_compute_servergroup_v2.sg',
  'openstack_compute_instance_v2.second',
  'openstack_blockstorage_volume_v3.vol',
  'openstack_blockstorage_volume_v3.secret',
  'openstack_compute_volume_attach_v2.va',
];

function tofu(args: string[], cwd = workDir, extraEnv: Record<string, string> = {}): Promise<TofuResult> {
  return runTofu(args, { cwd, env: { ...sandboxTofuEnv(sandbox.url, sandbox.logins.admin), ...extraEnv } });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'storm-compute-tofu-data-'));
  workDir = mkdtempSync(join(tmpdir(), 'storm-compute-tofu-'));
  copyFileSync(join(__dirname, 'fixtures', 'compute-subset.tf'), join(workDir, 'main.tf'));
  extraDir = mkdtempSync(join(tmpdir(), 'storm-compute-tofu-extra-'));
  copyFileSync(join(__dirname, 'fixtures', 'compute-extra.tf'), join(extraDir, 'main.tf'));
  sandbox = await createSandbox({ port: 0, dataDir, statusDelayMs: 300 });
  api = new ApiClient(sandbox);
});

afterAll(async () => {
  await sandbox?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  if (extraDir) rmSync(extraDir, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the real provider against the sandbox Nova and Cinder', () => {
  it('applies, plans no changes, imports, destroys and leaves every list empty', async () => {
    const init = await tofu(['init', '-no-color']);
    expect(init.exitCode, init.stderr).toBe(0);
    // Serial and logged, so every answer the provider got can be checked against the OpenAPI files.
    const applyLog = join(workDir, 'apply.log');
    const apply = await tofu(['apply', '-auto-approve', '-no-color', '-parallelism=1'], workDir, {
      TF_LOG: 'DEBUG',
      TF_LOG_PATH: applyLog,
    });
    expect(apply.exitCode, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/Apply complete! Resources: 12 added, 0 changed, 0 destroyed\./);
    expect(apply.stdout).toMatch(/vm_status = "active"/);
    expect(apply.stdout).toMatch(/vm_ip = "10\.66\.0\.\d+"/);

    const admin = await api.loginAs('admin');
    const servers = (
      await api.call('GET', '/compute/v2.1/servers/detail', admin.token, undefined, {
        'OpenStack-API-Version': 'compute 2.93',
      })
    ).body.servers;
    const vm = servers.find((s: { name: string }) => s.name === 'tf-vm');
    expect(vm).toMatchObject({
      status: 'ACTIVE',
      key_name: 'tf-kp',
      metadata: { purpose: 'aio-check' },
      tags: ['storm'],
    });
    expect(vm['OS-EXT-SRV-ATTR:user_data']).toBe(
      Buffer.from('#cloud-config\nruncmd: [echo storm]\n').toString('base64'),
    );
    expect(vm['os-extended-volumes:volumes_attached']).toHaveLength(1);
    const groups = (await api.call('GET', '/compute/v2.1/os-server-groups', admin.token)).body.server_groups;
    expect(groups).toEqual([
      expect.objectContaining({ name: 'tf-group', policies: ['anti-affinity'], members: [vm.id] }),
    ]);

    const plan = await tofu(['plan', '-detailed-exitcode', '-no-color']);
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/No changes\./);

    for (const address of IMPORTABLE) {
      const show = await tofu(['state', 'show', '-no-color', address]);
      const id = /^\s+id\s+=\s+"([^"]+)"/m.exec(show.stdout)?.[1];
      expect(id, address).toBeDefined();
      expect((await tofu(['state', 'rm', address])).exitCode).toBe(0);
      const imported = await tofu(['import', '-no-color', address, id ?? '']);
      expect(imported.exitCode, imported.stderr).toBe(0);
    }
    const afterImport = await tofu(['plan', '-detailed-exitcode', '-no-color']);
    expect(afterImport.exitCode, afterImport.stdout + afterImport.stderr).toBe(0);

    const destroyLog = join(workDir, 'destroy.log');
    const destroy = await tofu(['destroy', '-auto-approve', '-no-color', '-parallelism=1'], workDir, {
      TF_LOG: 'DEBUG',
      TF_LOG_PATH: destroyLog,
    });
    expect(destroy.exitCode, destroy.stdout + destroy.stderr).toBe(0);
    expect(destroy.stdout).toMatch(/Destroy complete! Resources: 12 destroyed\./);

    const seen: string[] = [];
    const violations: unknown[] = [];
    for (const exchange of [
      ...parseProviderLog(readFileSync(applyLog, 'utf8')),
      ...parseProviderLog(readFileSync(destroyLog, 'utf8')),
    ]) {
      const path = exchange.url.startsWith(sandbox.url) ? exchange.url.slice(sandbox.url.length) : '';
      const [service, version] = (exchange.headers['openstack-api-version'] ?? '').split(' ');
      if (exchange.status >= 300 || exchange.body === undefined || !version) continue;
      if (path.startsWith('/compute/v2.1/') && service === 'compute') {
        const v = validateResponse(
          'compute',
          exchange.method,
          path.slice('/compute'.length),
          exchange.status,
          exchange.body,
          version,
        );
        if (v) violations.push(v);
      } else if (path.startsWith('/volume/v3/') && service === 'volume') {
        const v = validateResponse(
          'volume',
          exchange.method,
          path.slice('/volume'.length),
          exchange.status,
          exchange.body,
          version,
        );
        if (v) violations.push(v);
      } else {
        continue;
      }
      seen.push(
        `${exchange.method} ${path.replace(/[0-9a-f-]{32,36}/g, '{id}').split('?')[0] ?? ''} ${exchange.status}`,
      );
    }
    expect(violations).toEqual([]);
    // The provider's own Nova/Cinder traffic, as real-zed's logs show it.
    for (const expected of [
      'POST /compute/v2.1/servers 202',
      'GET /compute/v2.1/servers/{id} 200',
      'POST /compute/v2.1/os-server-groups 200',
      'POST /compute/v2.1/os-keypairs 200',
      'POST /volume/v3/{id}/volumes 202',
      'GET /volume/v3/{id}/volumes/{id} 200',
      'POST /compute/v2.1/servers/{id}/os-volume_attachments 200',
      'GET /compute/v2.1/servers/{id}/tags 200',
    ]) {
      expect(seen, expected).toContain(expected);
    }

    const list = async (path: string, key: string): Promise<unknown[]> =>
      (await api.call('GET', path, admin.token)).body[key];
    expect(await list('/compute/v2.1/servers?all_tenants=1', 'servers')).toEqual([]);
    expect(await list('/compute/v2.1/os-keypairs', 'keypairs')).toEqual([]);
    expect(await list('/compute/v2.1/os-server-groups?all_projects=1', 'server_groups')).toEqual([]);
    expect(await list(`/volume/v3/${admin.projectId}/volumes?all_tenants=1`, 'volumes')).toEqual([]);
    expect(await list('/networking/v2.0/ports', 'ports')).toEqual([]);
    expect(api.violations).toEqual([]);
  });

  it('boots from a volume, creates a flavor, a volume type and quota sets, attaches an interface, then destroys', async () => {
    expect((await tofu(['init', '-no-color'], extraDir)).exitCode).toBe(0);
    const apply = await tofu(['apply', '-auto-approve', '-no-color'], extraDir);
    expect(apply.exitCode, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/Apply complete! Resources: 13 added, 0 changed, 0 destroyed\./);
    expect(apply.stdout).toMatch(/small = 1/);
    const admin = await api.loginAs('admin');
    const [server] = (await api.call('GET', '/compute/v2.1/servers/detail?name=x-bfv', admin.token)).body.servers;
    expect(server.image).toBe('');
    expect(server['os-extended-volumes:volumes_attached']).toHaveLength(2);
    expect(Object.keys(server.addresses).sort()).toEqual(['x-net', 'x-net2']);
    const plan = await tofu(['plan', '-detailed-exitcode', '-no-color'], extraDir);
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
    const destroy = await tofu(['destroy', '-auto-approve', '-no-color'], extraDir);
    expect(destroy.exitCode, destroy.stdout + destroy.stderr).toBe(0);
    expect((await api.call('GET', '/compute/v2.1/servers?all_tenants=1', admin.token)).body.servers).toEqual([]);
    expect(
      (await api.call('GET', `/volume/v3/${admin.projectId}/volumes?all_tenants=1`, admin.token)).body.volumes,
    ).toEqual([]);
    const flavors = (await api.call('GET', '/compute/v2.1/flavors?is_public=None', admin.token)).body.flavors;
    expect(flavors.map((f: { name: string }) => f.name)).not.toContain('x.custom');
    expect(api.violations).toEqual([]);
  });
});
