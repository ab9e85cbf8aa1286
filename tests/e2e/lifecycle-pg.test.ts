/**
 * Shared state in a real PostgreSQL (tofu's pg backend): two provisions of the
 * same city at once — one applies, the other gives up on the run lock (engine/run-lock.ts)
 * naming the holder — and the state stays intact.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { SandboxReader, filesUnder, makeProject, startProjectSandbox, type RunningSandbox } from './lifecycle-support';
import { cleanEnv, stormAsync } from '../support/storm';

let pg: TestPostgres;
let project: string;
let sandbox: RunningSandbox;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  pg = await startPostgres();
  project = makeProject('lifecycle-pg');
  const file = path.join(project, 'stacks', 'agueda.yaml');
  // pg state; and a flavor whose root disk fits debian-12 (m1.tiny's 1 GiB does not).
  fs.writeFileSync(
    file,
    fs
      .readFileSync(file, 'utf8')
      .replace('state:\n  backend: local\n', 'state:\n  backend: pg\n  connectionStringEnv: STORM_PG_URL\n')
      .replace('flavor: m1.tiny', 'flavor: m1.small'),
  );
  sandbox = startProjectSandbox(project);
  const reader = new SandboxReader(sandbox);
  await reader.login();
  await reader.request('POST', 'identity', '/projects', {
    project: { name: 'ua-deti-smart-cities', domain_id: 'default' },
  });
  env = cleanEnv({ STORM_PG_URL: pg.url });
}, 120_000);

afterAll(() => {
  sandbox?.stop();
  pg?.stop();
  if (project !== undefined) fs.rmSync(project, { recursive: true, force: true });
});

describe('pg state backend', { timeout: 300_000 }, () => {
  it('lets one of two concurrent provisions apply; the other fails on the lock naming the holder; state intact', async () => {
    const args = ['provision', 'agueda', '--yes', '--lock-timeout', '1s'];
    const [a, b] = await Promise.all([stormAsync(args, { project, env }), stormAsync(args, { project, env })]);
    const results = [a, b].sort((x, y) => (x.code ?? 99) - (y.code ?? 99));
    const [winner, loser] = results;
    expect(winner?.code, winner?.stderr).toBe(0);
    expect(loser?.code, loser?.stderr).toBe(1);
    expect(loser?.stderr).toMatch(
      /agueda\/preprod: another storm run holds this city and environment \(held by storm \S+@\S+ pid \d+ .*\); gave up after waiting 1s/,
    );

    const plan = await stormAsync(['plan', 'agueda', '--detailed-exitcode'], { project, env });
    expect(plan.code, plan.stderr).toBe(0);
    // The connection string (with its password, if any) stays in the environment.
    for (const f of filesUnder(path.join(project, '.storm', 'work'))) {
      if (f.includes(`${path.sep}providers${path.sep}`)) continue;
      expect(fs.readFileSync(f, 'utf8').includes(pg.url), f).toBe(false);
    }
  });
});
