/**
 * The real provider (OpenTofu + terraform-provider-openstack 3.4.0) builds a
 * load balancer, listener, pool, two members, a health monitor and an L7
 * redirect policy with its rule on the
 * sandbox's Octavia (status delay 200 ms, so the provider polls the pending
 * statuses, and may meet the 409 lock when both members are created at once): apply, a plan with no changes, import of every
 * load-balancer resource and no changes again, destroy with nothing left; every
 * JSON answer Octavia gave validates against load-balancer-v2.yaml.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedResponse } from '../../src/sandbox/server';
import { type TofuResult, sandboxTofuEnv, tofu as runTofu } from '../support/tofu';
import { call, loginToken, sandboxLogin, startTestSandbox, type TestSandbox } from './helpers';
import { validateResponse } from './openapi';

let sb: TestSandbox;
let workDir: string;
const recorded: RecordedResponse[] = [];

function tofu(...args: string[]): Promise<TofuResult> {
  return runTofu(args, { cwd: workDir, env: sandboxTofuEnv(sb.url, sandboxLogin(sb, 'admin').password) });
}

async function idOf(address: string): Promise<string> {
  const show = await tofu('state', 'show', '-no-color', address);
  const id = /^\s+id\s+=\s+"([^"]+)"/m.exec(show.stdout)?.[1];
  expect(id, address).toBeDefined();
  return id ?? '';
}

async function reimport(address: string, importId: string): Promise<void> {
  expect((await tofu('state', 'rm', address)).exitCode).toBe(0);
  const imported = await tofu('import', '-no-color', address, importId);
  expect(imported.exitCode, imported.stdout + imported.stderr).toBe(0);
}

beforeAll(async () => {
  sb = await startTestSandbox({ statusDelayMs: 200, onJsonResponse: (r) => recorded.push(r) });
  workDir = mkdtempSync(join(tmpdir(), 'storm-lb-tofu-'));
  copyFileSync(join(__dirname, 'fixtures', 'load-balancer.tf'), join(workDir, 'main.tf'));
});

afterAll(async () => {
  await sb?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the real provider against the sandbox Octavia', () => {
  it('applies, plans no changes, imports, destroys and leaves nothing behind', async () => {
    expect((await tofu('init', '-no-color')).exitCode).toBe(0);
    const apply = await tofu('apply', '-auto-approve', '-no-color');
    expect(apply.exitCode, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/Apply complete! Resources: 11 added, 0 changed, 0 destroyed\./);
    expect(apply.stdout).toMatch(/vip = "10\.77\.0\.\d+"/);

    const plan = await tofu('plan', '-detailed-exitcode', '-no-color');
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);

    const poolId = await idOf('openstack_lb_pool_v2.web');
    for (const address of [
      'openstack_lb_loadbalancer_v2.web',
      'openstack_lb_listener_v2.http',
      'openstack_lb_pool_v2.web',
    ])
      await reimport(address, await idOf(address));
    await reimport('openstack_lb_member_v2.web[0]', `${poolId}/${await idOf('openstack_lb_member_v2.web[0]')}`);
    await reimport('openstack_lb_monitor_v2.web', `${await idOf('openstack_lb_monitor_v2.web')}/${poolId}`);
    const policyId = await idOf('openstack_lb_l7policy_v2.to_https');
    await reimport('openstack_lb_l7policy_v2.to_https', policyId);
    await reimport(
      'openstack_lb_l7rule_v2.every_path',
      `${policyId}/${await idOf('openstack_lb_l7rule_v2.every_path')}`,
    );
    const afterImport = await tofu('plan', '-detailed-exitcode', '-no-color');
    expect(afterImport.exitCode, afterImport.stdout + afterImport.stderr).toBe(0);

    const destroy = await tofu('destroy', '-auto-approve', '-no-color');
    expect(destroy.exitCode, destroy.stdout + destroy.stderr).toBe(0);
    expect(destroy.stdout).toMatch(/Destroy complete! Resources: 11 destroyed\./);

    const token = await loginToken(sb, 'admin');
    for (const collection of ['loadbalancers', 'listeners', 'pools', 'healthmonitors', 'l7policies']) {
      const res = await call(`${sb.url}/load-balancer/v2/lbaas/${collection}`, { token });
      expect((res.json as Record<string, unknown[]>)[collection], collection).toEqual([]);
    }
    const ports = await call(`${sb.url}/networking/v2.0/ports`, { token });
    expect((ports.json as { ports: unknown[] }).ports).toEqual([]);

    const violations = recorded
      .filter((r) => r.service === 'load-balancer' && r.status < 300)
      .map((r) => validateResponse('load-balancer', r.method, r.path, r.status, r.body))
      .filter((v) => v !== undefined);
    expect(violations).toEqual([]);
  });
});
