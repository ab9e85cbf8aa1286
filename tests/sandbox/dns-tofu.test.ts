/**
 * The real provider (OpenTofu + terraform-provider-openstack 3.4.0) builds a
 * zone and two record sets on the sandbox's Designate (status delay 200 ms, so
 * the provider polls PENDING until ACTIVE): apply, a plan with no changes,
 * import of each and no changes again, destroy with nothing left; every JSON
 * answer Designate gave validates against dns-v2.yaml.
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

async function reimport(address: string): Promise<void> {
  const show = await tofu('state', 'show', '-no-color', address);
  const id = /^\s+id\s+=\s+"([^"]+)"/m.exec(show.stdout)?.[1];
  expect(id, address).toBeDefined();
  expect((await tofu('state', 'rm', address)).exitCode).toBe(0);
  const imported = await tofu('import', '-no-color', address, id ?? '');
  expect(imported.exitCode, imported.stdout + imported.stderr).toBe(0);
}

beforeAll(async () => {
  sb = await startTestSandbox({ statusDelayMs: 200, onJsonResponse: (r) => recorded.push(r) });
  workDir = mkdtempSync(join(tmpdir(), 'storm-dns-tofu-'));
  copyFileSync(join(__dirname, 'fixtures', 'dns.tf'), join(workDir, 'main.tf'));
});

afterAll(async () => {
  await sb?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the real provider against the sandbox Designate', () => {
  it('applies, plans no changes, imports, destroys and leaves nothing behind', async () => {
    expect((await tofu('init', '-no-color')).exitCode).toBe(0);
    const apply = await tofu('apply', '-auto-approve', '-no-color');
    expect(apply.exitCode, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/Apply complete! Resources: 3 added, 0 changed, 0 destroyed\./);

    const plan = await tofu('plan', '-detailed-exitcode', '-no-color');
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);

    for (const address of [
      'openstack_dns_zone_v2.city',
      'openstack_dns_recordset_v2.web',
      'openstack_dns_recordset_v2.www',
    ])
      await reimport(address);
    const afterImport = await tofu('plan', '-detailed-exitcode', '-no-color');
    expect(afterImport.exitCode, afterImport.stdout + afterImport.stderr).toBe(0);

    const destroy = await tofu('destroy', '-auto-approve', '-no-color');
    expect(destroy.exitCode, destroy.stdout + destroy.stderr).toBe(0);
    expect(destroy.stdout).toMatch(/Destroy complete! Resources: 3 destroyed\./);

    const token = await loginToken(sb, 'admin');
    const zones = await call(`${sb.url}/dns/v2/zones`, { token });
    expect((zones.json as { zones: unknown[] }).zones).toEqual([]);
    const sets = await call(`${sb.url}/dns/v2/recordsets`, { token });
    expect((sets.json as { recordsets: unknown[] }).recordsets).toEqual([]);

    const violations = recorded
      .filter((r) => r.service === 'dns' && r.status < 300)
      .map((r) => validateResponse('dns', r.method, r.path, r.status, r.body))
      .filter((v) => v !== undefined);
    expect(violations).toEqual([]);
  });
});
