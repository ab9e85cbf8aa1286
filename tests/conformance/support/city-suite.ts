/**
 * The conformance cycle of one city (production), shared by the three city
 * test files: apply → a plan with no changes → `tofu import` of one resource
 * of each kind (state rm, import by id, plan: no changes) → destroy → every
 * list API empty for the project → every JSON answer of the whole run
 * validates against ../shared/openstack-api outside SPEC.md's exception table.
 */
import { sandboxLogin } from '../../sandbox/helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CityRun,
  importDifferences,
  type Inventory,
  inventoryAdded,
  oneOfEachType,
  projectInventory,
  removeDir,
  startCityRun,
  stateResources,
  type StateResource,
  unexplainedImportChanges,
} from './city-cycle';
import { checkRecordedResponses, renderResponseCheck } from './response-check';

const STEP_TIMEOUT = 600_000;

export function cityConformanceSuite(city: string): void {
  describe(`${city} production against the sandbox (real tofu + provider)`, () => {
    let run: CityRun;
    let seeded: Inventory;
    const timings: string[] = [];

    beforeAll(async () => {
      run = await startCityRun(city);
      seeded = await projectInventory(run.sandbox.url, sandboxLogin(run.sandbox, 'admin').password);
    }, STEP_TIMEOUT);

    afterAll(async () => {
      if (run === undefined) return;
      await run.close();
      removeDir(run.workDir);
      removeDir(run.sandbox.dataDir);
      if (timings.length > 0) console.log(`${city}: ${timings.join(', ')}`);
    });

    it(
      'applies',
      async () => {
        const r = await run.tofu('apply', '-auto-approve', '-no-color');
        expect(r.exitCode, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).toContain(
          `Apply complete! Resources: ${run.synth.stats.resourceTotal} added, 0 changed, 0 destroyed.`,
        );
        timings.push(`apply ${(r.durationMs / 1000).toFixed(1)} s`);
      },
      STEP_TIMEOUT,
    );

    it(
      'plans no changes right after (the provider reads back what it wrote)',
      async () => {
        const r = await run.tofu('plan', '-detailed-exitcode', '-no-color');
        expect(r.exitCode, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).toContain('No changes.');
      },
      STEP_TIMEOUT,
    );

    it(
      'imports one resource of each kind by id: it reads back what was applied; the plan after it wants only what the provider never reads',
      async () => {
        // Persist a refreshed state first: attachments, group members and port bindings
        // appear after their resource was created, and a plain plan does not save them.
        const refresh = await run.tofu('apply', '-refresh-only', '-auto-approve', '-no-color');
        expect(refresh.exitCode, refresh.stdout + refresh.stderr).toBe(0);
        const show = await run.tofu('show', '-json');
        expect(show.exitCode, show.stderr).toBe(0);
        const picked = oneOfEachType(stateResources(show.stdout));
        expect(picked.map((p) => p.type)).toEqual(Object.keys(run.synth.stats.resources).sort());
        const stateFile = join(run.workDir, 'terraform.tfstate');
        const applied = readFileSync(stateFile);
        const rm = await run.tofu('state', 'rm', ...picked.map((p) => p.address));
        expect(rm.exitCode, rm.stderr).toBe(0);
        const failed: string[] = [];
        for (const p of picked) {
          const r = await run.tofu('import', '-no-color', p.address, importId(p));
          if (r.exitCode !== 0)
            failed.push(`${p.address} (${p.id}): ${r.stderr.trim().split('\n').slice(0, 6).join(' ')}`);
        }
        expect(failed).toEqual([]);
        const imported = new Map(stateResources((await run.tofu('show', '-json')).stdout).map((r) => [r.address, r]));
        const differences = Object.fromEntries(
          picked
            .map(
              (p) =>
                [
                  p.address,
                  imported.has(p.address)
                    ? importDifferences(p.type, p.values, imported.get(p.address)?.values ?? {})
                    : ['not in state after import'],
                ] as const,
            )
            .filter(([, d]) => d.length > 0),
        );
        expect(differences).toEqual({});
        // Attributes the provider never reads (NOT_READ_BACK) make a post-import plan want
        // changes on any cloud: it may want those and nothing else.
        const planned = await run.tofu('plan', '-no-color', '-out=after-import.tfplan');
        expect(planned.exitCode, planned.stdout + planned.stderr).toBe(0);
        const planJson = await run.tofu('show', '-json', 'after-import.tfplan');
        expect(unexplainedImportChanges(planJson.stdout, new Set(picked.map((p) => p.address)))).toEqual([]);
        // With the applied state back, the plan is clean again: the imports changed nothing in the cloud.
        writeFileSync(stateFile, applied);
        const plan = await run.tofu('plan', '-detailed-exitcode', '-no-color');
        expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
      },
      STEP_TIMEOUT,
    );

    it(
      'destroys, leaving every list API empty for the project',
      async () => {
        const r = await run.tofu('destroy', '-auto-approve', '-no-color');
        expect(r.exitCode, r.stdout + r.stderr).toBe(0);
        timings.push(`destroy ${(r.durationMs / 1000).toFixed(1)} s`);
        expect(
          inventoryAdded(seeded, await projectInventory(run.sandbox.url, sandboxLogin(run.sandbox, 'admin').password)),
        ).toEqual({});
      },
      STEP_TIMEOUT,
    );

    it('answered nothing that contradicts the OpenAPI files outside the exception table', () => {
      const check = checkRecordedResponses(run.recorded);
      console.log(renderResponseCheck(`${city} production`, check));
      expect(check.total).toBeGreaterThan(100);
      expect(check.violations).toEqual([]);
    });
  });
}

/** The id `tofu import` takes: the provider's composite `<parent>/<id>` where it asks for one. */
function importId(p: StateResource): string {
  switch (p.type) {
    case 'openstack_lb_member_v2':
      return `${String(p.values.pool_id)}/${p.id}`;
    case 'openstack_lb_l7rule_v2':
      return `${String(p.values.l7policy_id)}/${p.id}`;
    default:
      return p.id;
  }
}
