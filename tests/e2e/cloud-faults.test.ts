/**
 * A cloud that refuses mid-apply (issue 12, item 5), reproduced by the sandbox's fault injection: a 409 from
 * Neutron, then a 503 from Nova while the other services answer, each ends the run with exit 1 and a message that
 * names the service and what to do; a 401 on a token the provider can renew (password auth) is survived; each next
 * run continues from the state, and the last one converges to a plan with no changes.
 */
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, type RunningSandbox, startProjectSandbox } from './lifecycle-support';
import { cleanEnv, stormAsync } from '../support/storm';

const FAULTS = [
  'network:POST:/v2.0/security-groups:409@times=1',
  'compute:POST:/v2.1/servers:503@times=1',
  'compute:GET:/v2.1/servers/*:401@times=1',
].join(',');

describe('a cloud refusing mid-apply', { timeout: 900_000 }, () => {
  let project: string;
  let sandbox: RunningSandbox | undefined;
  const env = cleanEnv();
  const provision = () =>
    stormAsync(['provision', 'agueda', '--env', 'preprod', '--yes', '--skip-deploy'], { project, env });

  beforeAll(() => {
    project = makeProject('cloud-faults');
    sandbox = startProjectSandbox(project, { faults: FAULTS });
  });
  afterAll(() => {
    sandbox?.stop();
    if (project) fs.rmSync(project, { recursive: true, force: true });
  });

  it('names Neutron and a leftover on a 409, at the manifest line, and keeps what it created', async () => {
    const r = await provision();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /stacks\/agueda\.yaml:\d+:\d+ {2}error openstack_networking_secgroup_v2\.app: Neutron \(network\) answered 409 Conflict/,
    );
    expect(r.stderr).toContain('error: agueda/preprod: tofu apply failed: Neutron (network) answered 409 Conflict');
    expect(r.stderr).toMatch(/hint: look for a leftover .* `storm import`/);
    expect(r.stderr).not.toMatch(/\n\s+at .*\(/); // no stack trace
  });

  it('names Nova on a 503 while the other services answer, and the run before is not repeated', async () => {
    const r = await provision();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('Nova (compute) failed or was unavailable (503) to POST /compute/v2.1/servers');
    expect(r.stderr).toContain("this is on the cloud's side");
    expect(r.stdout).not.toContain('openstack_networking_network_v2.network created');
  });

  it('survives a 401 (the provider renews a password token) and converges; the next plan has no changes', async () => {
    const r = await provision();
    expect(r.code, r.stderr).toBe(0);
    const plan = await stormAsync(['plan', 'agueda', '--env', 'preprod', '--detailed-exitcode'], { project, env });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const log = fs.readFileSync(`${project}/.storm/sandbox/requests.log`, 'utf8');
    expect(log).toMatch(/"status":401[^\n]*"fault"/);
  });
});
