import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/server.js';
import { type TofuResult, sandboxTofuEnv, tofu as runTofu } from '../support/tofu';

/**
 * The real provider (through OpenTofu) applies the networking part of
 * real-zed/provider-run.tf to the sandbox: apply, a second plan with no
 * changes, an import, destroy, and every list empty again.
 */
let sandbox: Awaited<ReturnType<typeof createSandbox>>;
let dataDir: string;
let workDir: string;
let demoDir: string;
let demoProjectId: string;

const IMPORTABLE = [
  'openstack_networking_network_v2.ext',
  'openstack_networking_subnet_v2.sub',
  'openstack_networking_router_v2.r',
  'openstack_networking_secgroup_v2.sg',
  'openstack_networking_secgroup_rule_v2.ssh',
  'openstack_networking_floatingip_v2.fip',
  'openstack_networking_rbac_policy_v2.share',
];

function tofu(args: string[], cwd = workDir, as: 'admin' | 'demo' = 'admin'): Promise<TofuResult> {
  const credentials: Record<string, string> =
    as === 'admin' ? {} : { OS_USERNAME: 'demo', OS_PASSWORD: sandbox.logins.demo, OS_PROJECT_NAME: 'demo' };
  return runTofu(args, {
    cwd,
    env: {
      ...sandboxTofuEnv(sandbox.url, sandbox.logins.admin),
      ...credentials,
      TF_VAR_demo_project_id: demoProjectId,
    },
  });
}

async function adminToken(): Promise<string> {
  const res = await fetch(`${sandbox.url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', domain: { name: 'Default' }, password: sandbox.logins.admin } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  });
  return res.headers.get('x-subject-token') ?? '';
}

async function list(token: string, collection: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${sandbox.url}/networking/v2.0/${collection}`, { headers: { 'x-auth-token': token } });
  const body = (await res.json()) as Record<string, Record<string, unknown>[]>;
  return body[collection.replace(/-/g, '_')] ?? [];
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'storm-network-tofu-data-'));
  workDir = mkdtempSync(join(tmpdir(), 'storm-network-tofu-'));
  copyFileSync(join(__dirname, 'fixtures', 'network-subset.tf'), join(workDir, 'main.tf'));
  demoDir = mkdtempSync(join(tmpdir(), 'storm-network-tofu-demo-'));
  copyFileSync(join(__dirname, 'fixtures', 'network-demo.tf'), join(demoDir, 'main.tf'));
  sandbox = await createSandbox({ port: 0, dataDir, statusDelayMs: 0 });
  const token = await adminToken();
  const projects = await fetch(`${sandbox.url}/identity/v3/projects?name=demo`, { headers: { 'x-auth-token': token } });
  demoProjectId = ((await projects.json()) as { projects: { id: string }[] }).projects[0]?.id ?? '';
});

afterAll(async () => {
  await sandbox?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  if (demoDir) rmSync(demoDir, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the real provider against the sandbox network', () => {
  it('applies, plans no changes, imports, destroys and leaves every list empty', async () => {
    const init = await tofu(['init', '-no-color']);
    expect(init.exitCode, init.stderr).toBe(0);
    const apply = await tofu(['apply', '-auto-approve', '-no-color']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/Apply complete! Resources: 14 added, 0 changed, 0 destroyed\./);
    expect(apply.stdout).toMatch(/fip = "198\.51\.100\.\d+"/);

    const plan = await tofu(['plan', '-detailed-exitcode', '-no-color']);
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/No changes\./);

    // Left out: the port (the provider never reads fixed_ip/security_group_ids back) and the tagged network (an imported resource starts without desired tags): both show a diff after import on any cloud.
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

    const destroy = await tofu(['destroy', '-auto-approve', '-no-color']);
    expect(destroy.exitCode, destroy.stderr).toBe(0);
    expect(destroy.stdout).toMatch(/Destroy complete! Resources: 14 destroyed\./);

    const token = await adminToken();
    const names = (docs: Record<string, unknown>[]) => docs.map((d) => d.name);
    expect(names(await list(token, 'networks'))).toEqual(['public']);
    expect(names(await list(token, 'subnets'))).toEqual(['public-subnet']);
    expect(await list(token, 'ports')).toEqual([]);
    expect(await list(token, 'routers')).toEqual([]);
    expect(await list(token, 'floatingips')).toEqual([]);
    expect(names(await list(token, 'security-groups'))).toEqual(['default']);
    expect((await list(token, 'rbac-policies')).map((p) => p.action)).toEqual(['access_as_external']);
  });

  it('lets a project member build on the shared external network, with no drift and nothing left behind', async () => {
    expect((await tofu(['init', '-no-color'], demoDir, 'demo')).exitCode).toBe(0);
    const apply = await tofu(['apply', '-auto-approve', '-no-color'], demoDir, 'demo');
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/Apply complete! Resources: 13 added/);
    // tofu creates both pooled subnets at once, so which block each gets depends on the order they arrive.
    expect(apply.stdout).toMatch(/pooled_cidrs = \[\s+"10\.120\.\d+\.0\/24",\s+"10\.120\.\d+\.\d+\/26",/);
    const plan = await tofu(['plan', '-detailed-exitcode', '-no-color'], demoDir, 'demo');
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
    const destroy = await tofu(['destroy', '-auto-approve', '-no-color'], demoDir, 'demo');
    expect(destroy.exitCode, destroy.stderr).toBe(0);
    const token = await adminToken();
    expect(await list(token, 'ports')).toEqual([]);
    expect((await list(token, 'networks')).map((n) => n.name)).toEqual(['public']);
  });
});
