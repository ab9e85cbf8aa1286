/**
 * A fleet split over CI jobs, against one sandbox: the shards of `storm plan --all`
 * together plan every city exactly once, and `--changed-since` plans only the city
 * a commit touched.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STORM_BIN, cleanEnv, jsonResult, stormAsync } from '../support/storm';
import { conforms } from '../support/json-schema';
import { makeProject, startProjectSandbox, type RunningSandbox } from './lifecycle-support';

let project: string;
let sandbox: RunningSandbox;
const env = cleanEnv();

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=ci@example.org', '-c', 'user.name=ci', ...args], {
    cwd: project,
    encoding: 'utf8',
  });
}

/** Runs a job's script lines the way a GitLab runner does: one shell, stop at the first failing line. */
function runJob(
  lines: readonly string[],
  vars: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-e', '-c', lines.join('\n')], { cwd: project, env: { ...env, ...vars } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function plannedCities(result: Record<string, unknown>): { city: string; status: string }[] {
  return ((result.stacks ?? []) as { city: string; status: string }[]).map((s) => ({ city: s.city, status: s.status }));
}

beforeAll(() => {
  project = makeProject('fleet');
  git('init', '-q');
  git('add', 'stacks', 'templates');
  git('commit', '-qm', 'the fleet');
  sandbox = startProjectSandbox(project);
}, 120_000);

afterAll(() => {
  sandbox?.stop();
  if (project !== undefined) fs.rmSync(project, { recursive: true, force: true });
});

describe('a fleet in shards', { timeout: 300_000 }, () => {
  it('plan --all --shard 1/3 … 3/3 together plan every city exactly once; --changed-since plans what a commit touched', async () => {
    const shards = await Promise.all(
      [1, 2, 3].map((i) => stormAsync(['plan', '--all', '--shard', `${i}/3`, '--json'], { project, env })),
    );
    const planned = shards.flatMap((r) => {
      expect(r.code, r.stderr).toBe(0);
      return plannedCities(jsonResult(r));
    });
    expect(planned.map((p) => p.city).sort()).toEqual(['agueda', 'thessaloniki', 'valladolid']);
    for (const p of planned) expect(p.status, p.city).toBe('changes');
    // Each job says which share it took.
    expect(shards[1]?.stderr).toMatch(/1 city selected \(shard 2\/3\): thessaloniki/);

    const file = path.join(project, 'stacks', 'valladolid.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace(/displayName: .*/, 'displayName: Valladolid (edited)'),
    );
    git('commit', '-qam', 'valladolid: a new display name');
    const changed = await stormAsync(['plan', '--changed-since', 'HEAD~1', '--json'], { project, env });
    expect(changed.code, changed.stderr).toBe(0);
    expect(plannedCities(jsonResult(changed)).map((p) => p.city)).toEqual(['valladolid']);
    expect(changed.stderr).toMatch(/valladolid: manifest stacks\/valladolid\.yaml/);

    // A shard the change does not reach has nothing to do, and succeeds.
    const idle = await stormAsync(['plan', '--changed-since', 'HEAD~1', '--shard', '2/2', '--json'], { project, env });
    expect(idle.code, idle.stderr).toBe(0);
    expect(plannedCities(jsonResult(idle))).toEqual([]);
    expect(idle.stderr).toMatch(/no city selected \(changed since HEAD~1, shard 2\/2\): nothing to do/);
  });

  it("runs the GitLab pipeline's lines for one shard: plans and diffs as artifacts; a plan gone stale is refused", async () => {
    const init = await stormAsync(['ci', 'init', '--gitlab', '--shards', '2'], { project, env });
    expect(init.code, init.stderr).toBe(0);
    const pipeline = parse(fs.readFileSync(path.join(project, '.gitlab-ci.yml'), 'utf8')) as Record<
      string,
      { script: string[]; variables?: Record<string, string> }
    >;
    const file = path.join(project, 'stacks', 'agueda.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('cost-centre: CMA-PART-2026', 'cost-centre: CMA-PART-2027'),
    );
    git('commit', '-qam', 'agueda: a new cost centre');
    const base = git('rev-parse', 'HEAD~1').trim();
    // The runner's variables for shard 1 of 2 of plan-preprod in a merge request. Storm is this
    // checkout's, and its engine cache this machine's (a runner restores the pipeline's cache instead).
    const { STORM_CACHE_DIR: _runnerCache, ...variables } = pipeline.variables as unknown as Record<string, string>;
    expect(_runnerCache).toBe('$CI_PROJECT_DIR/.cache/storm');
    const ci = {
      ...variables,
      ...pipeline['plan-preprod']?.variables,
      STORM: `${process.execPath} ${STORM_BIN}`,
      CI_PIPELINE_SOURCE: 'merge_request_event',
      CI_MERGE_REQUEST_DIFF_BASE_SHA: base,
      CI_NODE_INDEX: '1',
      CI_NODE_TOTAL: '2',
    };
    const plan = await runJob(pipeline['.plan']?.script ?? [], ci);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toMatch(/1 city selected \(changed since [0-9a-f]{40}, shard 1\/2\): agueda/);
    const artifacts = fs.readdirSync(path.join(project, 'plans', 'preprod')).sort();
    expect(artifacts).toEqual(['agueda.preprod.md', 'agueda.preprod.tfplan', 'agueda.preprod.tfplan.storm.json']);
    expect(fs.readFileSync(path.join(project, 'plans', 'preprod', 'agueda.preprod.md'), 'utf8')).toMatch(
      /### storm diff: agueda \(preprod\)/,
    );
    // Shard 2 of 2 has nothing to plan, and succeeds.
    const idle = await runJob(pipeline['.plan']?.script ?? [], { ...ci, CI_NODE_INDEX: '2' });
    expect(idle.code, idle.stderr).toBe(0);
    expect(idle.stderr).toMatch(/no city selected/);

    // Between review and apply the manifest changes again: the apply job refuses the reviewed plan.
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('cost-centre: CMA-PART-2027', 'cost-centre: CMA-PART-2028'),
    );
    const apply = await runJob(pipeline['apply-preprod']?.script ?? [], { ...ci, CI_COMMIT_BRANCH: 'main' });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(
      /agueda\.preprod\.tfplan is stale: stacks\/agueda\.yaml .*changed since the plan was made/,
    );
  });
});

describe('the fleet view', { timeout: 120_000 }, () => {
  it('status --all: one row per city and environment from the audit log, no plan run; --shard narrows it', async () => {
    const head = git('rev-parse', 'HEAD').trim();
    const r = await stormAsync(['status', '--all', '--json'], { project, env });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as unknown;
    conforms('status-fleet.v1.schema.json', doc);
    const rows = (doc as { result: { rows: FleetRowDoc[] } }).result.rows;
    expect(rows.map((x) => `${x.city}/${x.env}`)).toEqual([
      'agueda/preprod',
      'agueda/production',
      'thessaloniki/preprod',
      'thessaloniki/production',
      'valladolid/preprod',
      'valladolid/production',
    ]);
    // agueda/preprod: planned at HEAD by the pipeline's plan job, then edited again (uncommitted) before the apply.
    const agueda = rows[0] as FleetRowDoc;
    expect(agueda.lastApply).toBeNull();
    expect(agueda.drift).toMatchObject({ source: 'plan', pending: true, manifestChanged: true });
    expect(agueda.drift?.changes.create).toBeGreaterThan(0);
    expect(agueda.policy?.result).toMatch(/^(passed|warnings|violations)$/);
    expect(agueda.lastRun?.commit).toBe(head);
    expect(agueda.services).toEqual({ checked: false, reason: 'nothing deployed' });
    // Nobody planned production.
    expect(rows[1]?.drift).toBeNull();
    // No tofu ran: nothing was written to any workspace by the view.
    expect(r.stderr).not.toMatch(/planning/);

    const text = await stormAsync(['status', '--shard', '2/2', '--env', 'preprod'], { project, env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^thessaloniki\s+preprod\s+never\s+\S/m);
    expect(text.stdout).not.toMatch(/agueda|valladolid/);
  });
});

interface FleetRowDoc {
  city: string;
  env: string;
  lastRun: { commit: string | null } | null;
  lastApply: unknown;
  drift: { source: string; pending: boolean; manifestChanged: boolean | null; changes: { create: number } } | null;
  policy: { result: string } | null;
  services: unknown;
}
