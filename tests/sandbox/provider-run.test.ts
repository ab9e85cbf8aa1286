/**
 * The real provider (OpenTofu + terraform-provider-openstack 3.4.0) runs
 * real-zed/provider-run.tf — the 19 resources a real Zed answered — against
 * the sandbox: apply, a plan with no changes, import of the container,
 * destroy, every list empty; and every JSON answer the sandbox gave validates
 * against ../shared/openstack-api (exceptions in tests/sandbox/openapi.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TofuResult, sandboxTofuEnv, tofu as runTofu } from '../support/tofu';
import type { ServiceType } from '../../src/sandbox/core/context';
import type { RecordedResponse } from '../../src/sandbox/server';
import { call, issueToken, startTestSandbox, type TestSandbox, sandboxLogin } from './helpers';
import { type ApiService, validateResponse } from './openapi';

const PROVIDER_RUN = join(__dirname, '..', '..', '..', 'shared', 'openstack-api', 'real-zed', 'provider-run.tf');
/** Barbican has no OpenAPI file in ../shared/openstack-api. */
const API_OF: Record<ServiceType, ApiService | undefined> = {
  identity: 'identity',
  compute: 'compute',
  network: 'network',
  volumev3: 'volume',
  image: 'image',
  'object-store': 'object-store',
  'load-balancer': 'load-balancer',
  dns: 'dns',
  'key-manager': undefined,
};

let sb: TestSandbox;
let workDir: string;
const recorded: RecordedResponse[] = [];

function tofu(...args: string[]): Promise<TofuResult> {
  return runTofu(args, { cwd: workDir, env: sandboxTofuEnv(sb.url, sandboxLogin(sb, 'admin').password) });
}

beforeAll(async () => {
  sb = await startTestSandbox({ statusDelayMs: 50, onJsonResponse: (r) => recorded.push(r) });
  workDir = mkdtempSync(join(tmpdir(), 'storm-provider-run-'));
  // The sandbox seeds cirros as "cirros-0.6"; everything else is the file as the real cloud ran it.
  writeFileSync(
    join(workDir, 'main.tf'),
    readFileSync(PROVIDER_RUN, 'utf8').replace('image_name  = "cirros"', 'image_name  = "cirros-0.6"'),
  );
  const init = await tofu('init', '-no-color');
  expect(init.exitCode, init.stderr).toBe(0);
}, 600_000);

afterAll(async () => {
  await sb?.close();
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
});

describe('provider-run.tf against the sandbox', () => {
  it('applies all 19 resources', async () => {
    const r = await tofu('apply', '-auto-approve', '-no-color');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Apply complete! Resources: 19 added, 0 changed, 0 destroyed.');
  }, 300_000);

  it('plans no changes right after', async () => {
    const r = await tofu('plan', '-detailed-exitcode', '-no-color');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('No changes.');
  }, 300_000);

  it('imports the container back', async () => {
    expect((await tofu('state', 'rm', 'openstack_objectstorage_container_v1.c')).exitCode).toBe(0);
    const r = await tofu('import', '-no-color', 'openstack_objectstorage_container_v1.c', 'tf-container');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  }, 300_000);

  it('destroys everything, leaving every list empty', async () => {
    const r = await tofu('destroy', '-auto-approve', '-no-color');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const { token, body } = await issueToken(sb.url, 'admin', sandboxLogin(sb, 'admin').password);
    const projectId = body.token.project.id;
    const count = async (path: string, key: string): Promise<number> =>
      ((await call(`${sb.url}${path}`, { token })).json as Record<string, unknown[]>)[key]?.length ?? -1;
    expect(await count('/compute/v2.1/servers', 'servers')).toBe(0);
    expect(await count('/compute/v2.1/os-keypairs', 'keypairs')).toBe(0);
    expect(await count('/compute/v2.1/os-server-groups', 'server_groups')).toBe(0);
    expect(await count(`/volume/v3/${projectId}/volumes`, 'volumes')).toBe(0);
    expect(await count('/networking/v2.0/ports', 'ports')).toBe(0);
    expect(await count('/networking/v2.0/routers', 'routers')).toBe(0);
    expect(await count('/networking/v2.0/floatingips', 'floatingips')).toBe(0);
    expect(await count('/networking/v2.0/networks?name=tf-net', 'networks')).toBe(0);
    expect(await count('/networking/v2.0/networks?name=tf-ext', 'networks')).toBe(0);
    expect(await count('/networking/v2.0/security-groups?name=tf-sg', 'security_groups')).toBe(0);
    const containers = await call(`${sb.url}/object-store/v1/AUTH_${projectId}?format=json`, { token });
    expect(containers.json).toEqual([]);
  }, 300_000);

  it('answered nothing that contradicts the OpenAPI files (outside the exception table)', () => {
    expect(recorded.length).toBeGreaterThan(100);
    const violations = recorded.flatMap((r) => {
      const api = r.service === undefined ? undefined : API_OF[r.service];
      if (api === undefined || r.status >= 400) return [];
      // Nova and Cinder answers follow the schema variant of the microversion they announced.
      const v = validateResponse(api, r.method, r.path, r.status, r.body, r.apiVersion?.split(' ')[1]);
      return v === undefined
        ? []
        : [
            `${v.service} ${v.method} ${v.path} ${v.status}${v.microversion === undefined ? '' : ` @${v.microversion}`}: ${v.errors.slice(0, 3).join('; ')}`,
          ];
    });
    expect([...new Set(violations)]).toEqual([]);
  });
});
