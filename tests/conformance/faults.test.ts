/**
 * Fault acceptance (issue 4): with 10% of Nova and Neutron requests answered
 * 503 (seeded), applying valladolid production either converges (the
 * provider retries) or fails with a clear error; a following apply against
 * the same cloud without faults converges, plans no changes, and the cloud
 * holds nothing the state does not account for.
 */
import { sandboxLogin } from '../sandbox/helpers';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRecordedResponses, renderResponseCheck } from './support/response-check';
import {
  adoptUnrecorded,
  type CityRun,
  type ProjectLists,
  projectLists,
  removeDir,
  settleAdoptions,
  startCityRun,
  unrecordedCreates,
  untracked,
} from './support/city-cycle';

const FAULTS = 'compute:503@0.1,network:503@0.1';
// tofu runs requests in parallel, so which request a seeded fault hits varies
// between runs; the test holds for any outcome. One outcome is a hole of
// terraform-provider-openstack 3.4.0 that a real Neutron shows the same: when a
// create is answered but the GET that waits on it fails, the provider returns
// "Error waiting for <type> <id> to become available" without recording <id>.
// Left alone, the next apply makes a second one (a network) or is refused (400
// "Router already has a port on subnet"); the test adopts those by the id the
// error names (support/city-cycle.ts adoptUnrecorded) after each faulty apply.
const SEED = 1;
const STEP_TIMEOUT = 600_000;
const MAX_FAULTY_APPLIES = 6;

let faulty: CityRun | undefined;
let clean: CityRun | undefined;
let seeded: ProjectLists;

afterAll(async () => {
  await faulty?.close();
  await clean?.close();
  if (clean !== undefined) {
    removeDir(clean.workDir);
    removeDir(clean.sandbox.dataDir);
  }
});

interface LogLine {
  status: number;
  fault?: string[];
}

describe(`valladolid production with ${FAULTS} (seed ${SEED})`, () => {
  it(
    'converges, or fails with a clear error naming the 503 (re-run under faults to get further)',
    async () => {
      // The seed's lists are taken before any fault is armed, over the same data dir.
      const base = await startCityRun('valladolid');
      seeded = await projectLists(base.sandbox.url, sandboxLogin(base.sandbox, 'admin').password);
      await base.close();
      faulty = await startCityRun('valladolid', {
        faults: FAULTS,
        faultSeed: SEED,
        dataDir: base.sandbox.dataDir,
        workDir: base.workDir,
      });
      // The provider retries only 429s (gophercloud backoff), so a 503 ends the apply
      // with an error; re-running under the same faults goes further each time (what
      // was created is in the state), leaving half-built stacks for the clean run.
      const attempts: string[] = [];
      for (let i = 1; i <= MAX_FAULTY_APPLIES; i += 1) {
        const r = await faulty.tofu('apply', '-auto-approve', '-no-color');
        await settleAdoptions(faulty);
        const inState = (await faulty.tofu('state', 'list')).stdout
          .split('\n')
          .filter((l) => l.startsWith('openstack_')).length;
        if (r.exitCode === 0) {
          attempts.push(`#${i} converged (${inState} in state)`);
          break;
        }
        const errors = r.stderr.split('\n').filter((l) => l.startsWith('Error: '));
        attempts.push(`#${i} exit ${r.exitCode} (${inState} in state):`, ...errors.map((e) => `   ${e.slice(0, 220)}`));
        expect(errors.length, r.stderr).toBeGreaterThan(0);
        expect(r.stderr).toMatch(/503|Service ?Unavailable/i);
        const adopted = await adoptUnrecorded(faulty, unrecordedCreates(r.stderr));
        if (adopted.length > 0)
          attempts.push(
            `   adopting (import blocks) what the provider created but did not record: ${adopted.join(', ')}`,
          );
      }
      const log = readFileSync(join(faulty.sandbox.dataDir, 'requests.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as LogLine);
      const injected = log.filter((l) => l.fault !== undefined && l.status === 503).length;
      console.log(`faulty applies (${injected} requests answered 503 by injection):\n  ${attempts.join('\n  ')}`);
      // A run the faults never touched would prove nothing.
      expect(injected).toBeGreaterThan(0);
      await faulty.close();
    },
    STEP_TIMEOUT,
  );

  it(
    'a following apply without faults converges with nothing orphaned, then destroys to the seed',
    async () => {
      expect(faulty).toBeDefined();
      if (faulty === undefined) return;
      clean = await startCityRun('valladolid', { dataDir: faulty.sandbox.dataDir, workDir: faulty.workDir });
      const apply = await clean.tofu('apply', '-auto-approve', '-no-color');
      expect(apply.exitCode, apply.stdout + apply.stderr).toBe(0);
      await settleAdoptions(clean);
      expect(existsSync(join(clean.workDir, 'adopt.tf.json')), 'every adoption carried out').toBe(false);
      const plan = await clean.tofu('plan', '-detailed-exitcode', '-no-color');
      expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
      const state = await clean.tofu('show', '-json');
      expect(state.exitCode, state.stderr).toBe(0);
      expect(
        untracked(
          seeded,
          await projectLists(clean.sandbox.url, sandboxLogin(clean.sandbox, 'admin').password),
          state.stdout,
        ),
      ).toEqual({});
      const destroy = await clean.tofu('destroy', '-auto-approve', '-no-color');
      expect(destroy.exitCode, destroy.stdout + destroy.stderr).toBe(0);
      expect(
        untracked(seeded, await projectLists(clean.sandbox.url, sandboxLogin(clean.sandbox, 'admin').password), '{}'),
      ).toEqual({});
    },
    STEP_TIMEOUT,
  );

  it('answered nothing that contradicts the OpenAPI files, faults and recovery included', () => {
    const check = checkRecordedResponses([...(faulty?.recorded ?? []), ...(clean?.recorded ?? [])]);
    console.log(renderResponseCheck('valladolid under faults and after', check));
    expect(check.total).toBeGreaterThan(100);
    expect(check.violations).toEqual([]);
  });
});
