/**
 * A fleet split over CI jobs, against one sandbox: the shards of `storm plan --all`
 * together plan every city exactly once, and `--changed-since` plans only the city
 * a commit touched.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, jsonResult, stormAsync } from '../support/storm';
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
});
