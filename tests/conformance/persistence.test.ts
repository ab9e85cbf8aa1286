/**
 * Persistence with a real stack: valladolid production applied (real tofu +
 * provider) to a sandbox run by `storm sandbox up --detach` (bin/storm, --cwd
 * on a temp project) survives `storm sandbox down` / `up` — the next plan has
 * no changes and the project holds exactly what it held; `storm sandbox reset`
 * brings back the seed; `down` leaves no process behind.
 */
import { loginsOf } from '../sandbox/helpers';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureSandboxPartnerProjects } from '../../src/cloud/sandbox-partners';
import { sandboxCredentials } from '../../src/cloud/sandbox-target';
import { frontDoorTofuEnv, sandboxTofuEnv, tofu as runTofu } from '../support/tofu';
import { synthCity } from '../../src/synth/synth-city';
import { PROJECT_ROOT, type Inventory, projectInventory, removeDir } from './support/city-cycle';
import { processAlive } from '../../src/process-alive';
import { jsonResult, storm as run, type StormResult } from '../support/storm';

const project = mkdtempSync(join(tmpdir(), 'storm-conformance-persist-'));
const work = join(project, 'work');
const adminPassword = (): string => loginsOf(join(project, '.storm', 'sandbox')).admin;

function storm(...args: string[]): StormResult & { result: Record<string, unknown> } {
  const env = { ...process.env };
  delete env.STORM_SANDBOX_FAULTS;
  const r = run(['--json', ...args], { project, env, timeout: 60_000 });
  return { ...r, result: jsonResult(r) };
}

/** The front doors' certificates, once synthesized (storm gives tofu them as TF_VAR_…). */
let frontDoorEnv: Record<string, string> = {};

async function tofu(url: string, ...args: string[]): Promise<{ exitCode: number; out: string }> {
  const r = await runTofu(args, { cwd: work, env: { ...sandboxTofuEnv(url, adminPassword()), ...frontDoorEnv } });
  return { exitCode: r.exitCode, out: r.stdout + r.stderr };
}

/** Names per kind, without ids (a reset seeds new ids). */
function namesOnly(inv: Inventory): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(inv).map(([k, v]) => [k, v.map((i) => i.replace(/ ?[0-9a-f-]{32,36}$/, '')).sort()]),
  );
}

const pids: number[] = [];

afterAll(() => {
  storm('sandbox', 'down');
  for (const pid of pids) expect(processAlive(pid)).toBe(false);
  removeDir(project);
});

describe('a stack in a detached sandbox across down/up and reset', () => {
  it('keeps valladolid production across `storm sandbox down` / `up`, then `reset` restores the seed', async () => {
    const up = storm('sandbox', 'up', '--detach', '--port', '0', '--delay-ms', '50');
    expect(up.code, up.stderr).toBe(0);
    let url = up.result.url as string;
    pids.push(up.result.pid as number);
    const seeded = await projectInventory(url, adminPassword());

    const synth = synthCity('valladolid', { cwd: PROJECT_ROOT, env: 'production', outDir: work });
    frontDoorEnv = frontDoorTofuEnv(synth.resolved, join(PROJECT_ROOT, 'stacks', 'valladolid.yaml'), work);
    await ensureSandboxPartnerProjects(
      sandboxCredentials(url, `${url}/identity/v3`, adminPassword()),
      synth.resolved.partners.map((p) => p.project),
    );
    expect((await tofu(url, 'init', '-no-color')).exitCode).toBe(0);
    const apply = await tofu(url, 'apply', '-auto-approve', '-no-color');
    expect(apply.exitCode, apply.out).toBe(0);
    const applied = await projectInventory(url, adminPassword());

    const down = storm('sandbox', 'down');
    expect(down.code, down.stderr).toBe(0);
    expect(processAlive(up.result.pid as number)).toBe(false);

    // The same port, as a cloud's endpoints stay put: Barbican's container refs (in the state) name the endpoint.
    const again = storm('sandbox', 'up', '--detach', '--port', new URL(url).port, '--delay-ms', '50');
    expect(again.code, again.stderr).toBe(0);
    url = again.result.url as string;
    pids.push(again.result.pid as number);
    expect(await projectInventory(url, adminPassword())).toEqual(applied);
    const plan = await tofu(url, 'plan', '-detailed-exitcode', '-no-color');
    expect(plan.exitCode, plan.out).toBe(0);

    const reset = storm('sandbox', 'reset');
    expect(reset.code, reset.stderr).toBe(0);
    url = (reset.result.url as string | undefined) ?? url;
    const status = storm('sandbox', 'status');
    if (typeof status.result.pid === 'number') pids.push(status.result.pid);
    expect(namesOnly(await projectInventory(url, adminPassword()))).toEqual(namesOnly(seeded));
  }, 600_000);
});
