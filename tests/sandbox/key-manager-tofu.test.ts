/**
 * The real provider (OpenTofu + terraform-provider-openstack 3.4.0) stores a
 * certificate, its key, a binary symmetric key with an expiration, a
 * certificate container and a generic container with an ACL in the sandbox's
 * Barbican: apply, a plan with no changes, import, no changes again, a change
 * of a generic container's references in place, destroy with nothing left,
 * and the private key nowhere in the request log.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralSandboxTls } from '../../src/sandbox/core/tls';
import { REQUEST_LOG_FILE } from '../../src/sandbox/server';
import { type TofuResult, sandboxTofuEnv, tofu as runTofu } from '../support/tofu';
import { call, loginToken, sandboxLogin, startTestSandbox, type TestSandbox } from './helpers';

let sb: TestSandbox;
let workDir: string;
const tls = ephemeralSandboxTls(['web.valladolid.example']);

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
  sb = await startTestSandbox();
  workDir = mkdtempSync(join(tmpdir(), 'storm-km-tofu-'));
  copyFileSync(join(__dirname, 'fixtures', 'key-manager.tf'), join(workDir, 'main.tf'));
  writeFileSync(
    join(workDir, 'terraform.tfvars.json'),
    JSON.stringify({ certificate: tls.certPem, private_key: tls.keyPem }),
  );
});

afterAll(async () => {
  await sb?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the real provider against the sandbox Barbican', () => {
  it('applies, plans no changes, imports, changes in place, destroys and leaves nothing behind', async () => {
    expect((await tofu('init', '-no-color')).exitCode).toBe(0);
    const apply = await tofu('apply', '-auto-approve', '-no-color');
    expect(apply.exitCode, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/Apply complete! Resources: 5 added, 0 changed, 0 destroyed\./);
    expect(apply.stdout).toMatch(new RegExp(`container_ref = "${sb.url}/key-manager/v1/containers/[0-9a-f-]{36}"`));

    const plan = await tofu('plan', '-detailed-exitcode', '-no-color');
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);

    // The provider itself cannot import `metadata` or `payload_content_encoding` (it reads back
    // neither; its own import tests ignore them): the secrets that carry none are imported.
    for (const address of [
      'openstack_keymanager_secret_v1.certificate',
      'openstack_keymanager_container_v1.tls',
      'openstack_keymanager_container_v1.bag',
    ])
      await reimport(address);
    const afterImport = await tofu('plan', '-detailed-exitcode', '-no-color');
    expect(afterImport.exitCode, afterImport.stdout + afterImport.stderr).toBe(0);

    // A generic container's references change in place (DELETE/POST …/secrets).
    const main = readFileSync(join(workDir, 'main.tf'), 'utf8');
    writeFileSync(join(workDir, 'main.tf'), main.replace('name       = "session"', 'name       = "session-2"'));
    const change = await tofu('apply', '-auto-approve', '-no-color');
    expect(change.exitCode, change.stdout + change.stderr).toBe(0);
    expect(change.stdout).toMatch(/Resources: 0 added, 1 changed, 0 destroyed\./);
    const again = await tofu('plan', '-detailed-exitcode', '-no-color');
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);

    const destroy = await tofu('destroy', '-auto-approve', '-no-color');
    expect(destroy.exitCode, destroy.stdout + destroy.stderr).toBe(0);
    expect(destroy.stdout).toMatch(/Destroy complete! Resources: 5 destroyed\./);

    const token = await loginToken(sb, 'admin');
    const secrets = await call(`${sb.url}/key-manager/v1/secrets`, { token });
    expect((secrets.json as { total: number }).total).toBe(0);
    const containers = await call(`${sb.url}/key-manager/v1/containers`, { token });
    expect((containers.json as { total: number }).total).toBe(0);

    const log = readFileSync(join(sb.dataDir, REQUEST_LOG_FILE), 'utf8');
    const keyBody = tls.keyPem.split('\n')[1] ?? '';
    expect(keyBody.length).toBeGreaterThan(20);
    expect(log).not.toContain(keyBody);
  });
});
