/**
 * Many runners, one PostgreSQL: 8 storm processes — each in its own checkout, as CI
 * runners are — provision 4 cities at once, two per city, against one sandbox. The
 * run lock keeps the two of a city from planning-then-applying at the same time: the
 * second waits, then finds nothing to change. No lost update (every network exists
 * once), no corrupted state (a fresh plan sees no change), each apply recorded once
 * in the audit log. The cities are small (a network, a subnet, a router) so the race,
 * not the cloud, is what takes the time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_LOCK_CLASS, runLockKey } from '../../src/engine/run-lock';
import { pgSchemaName } from '../../src/engine/state';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { cleanEnv, jsonResult, stormAsync } from '../support/storm';
import { SandboxReader, startProjectSandbox, type RunningSandbox } from './lifecycle-support';

const CITIES = ['alpha', 'beta', 'gamma', 'delta'];

function manifest(city: string, octet: number): string {
  return `apiVersion: storm/v1
city:
  name: ${city}
  displayName: ${city[0]?.toUpperCase()}${city.slice(1)}
  country: PT
  languages: [pt]
  owner: { team: Fleet, email: fleet@example.org }
tags:
  owner: fleet
  cost-centre: FLEET-${octet}
  data-classification: public
cloud:
  name: sandbox
  externalNetwork: public
network:
  cidr: 10.${octet}.0.0/16
  subnets:
    - { name: app, cidr: 10.${octet}.1.0/24 }
state:
  backend: pg
  connectionStringEnv: STORM_PG_URL
environments:
  preprod: {}
  production: {}
`;
}

let pg: TestPostgres;
let root: string;
let sandbox: RunningSandbox;
let env: NodeJS.ProcessEnv;

/** A runner's checkout: the same stacks, its own .storm/, the one sandbox everybody uses. */
function checkout(name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, 'stacks'), { recursive: true });
  CITIES.forEach((c, i) => fs.writeFileSync(path.join(dir, 'stacks', `${c}.yaml`), manifest(c, 61 + i)));
  return dir;
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-fleet-pg-'));
  pg = await startPostgres();
  const base = checkout('base');
  sandbox = startProjectSandbox(base);
  for (let i = 1; i <= 8; i++) {
    const dir = checkout(`runner-${i}`);
    fs.mkdirSync(path.join(dir, '.storm'));
    fs.symlinkSync(path.join(base, '.storm', 'sandbox'), path.join(dir, '.storm', 'sandbox'));
  }
  env = cleanEnv({ STORM_PG_URL: pg.url });
}, 120_000);

afterAll(() => {
  sandbox?.stop();
  pg?.stop();
  if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
});

describe('8 runners, 4 cities, one PostgreSQL', { timeout: 600_000 }, () => {
  it('a run that cannot get the lock in time fails naming the holder, before touching anything', async () => {
    const holder = new Client({ connectionString: pg.url, application_name: 'ci job 4711 on runner-x' });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::int4, $2::int4)', [
        RUN_LOCK_CLASS,
        runLockKey(pgSchemaName('alpha', 'preprod')),
      ]);
      const r = await stormAsync(['provision', 'alpha', '--yes', '--lock-timeout', '1s'], {
        project: path.join(root, 'runner-1'),
        env,
      });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        /alpha\/preprod: another storm run holds this city and environment \(held by ci job 4711 on runner-x from 127\.0\.0\.1 \(PostgreSQL backend \d+\) connected since \S+\); gave up after waiting 1s/,
      );
    } finally {
      await holder.end();
    }
  });

  it('two runners per city: each city applied once, the other run waits and finds nothing to change', async () => {
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        stormAsync(['provision', CITIES[i % 4] as string, '--yes', '--lock-timeout', '5m', '--json'], {
          project: path.join(root, `runner-${i + 1}`),
          env,
        }),
      ),
    );
    const statuses = new Map<string, string[]>();
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      for (const s of (jsonResult(r).stacks ?? []) as { city: string; status: string }[])
        statuses.set(s.city, [...(statuses.get(s.city) ?? []), s.status].sort());
    }
    for (const city of CITIES) expect(statuses.get(city), city).toEqual(['applied', 'no-changes']);

    // No lost update: each network exists exactly once in the one cloud.
    const reader = new SandboxReader(sandbox);
    await reader.login();
    const networks = (await reader.get('network', '/v2.0/networks')) as { networks: { name: string }[] };
    for (const city of CITIES)
      expect(networks.networks.filter((n) => n.name.startsWith(`${city}-`)).length, city).toBe(1);

    // Each apply recorded once; the chain verifies; the state is whole (a fresh plan changes nothing).
    const other = path.join(root, 'runner-8');
    for (const city of CITIES) {
      const log = await stormAsync(['audit', 'log', city, '--json'], { project: other, env });
      expect(log.code, log.stderr).toBe(0);
      const records = (jsonResult(log).entries as { record: { operation: string; result: string } }[]).map(
        (e) => `${e.record.operation} ${e.record.result}`,
      );
      expect(
        records.filter((r) => r === 'provision succeeded'),
        city,
      ).toHaveLength(1);
      expect(
        records.filter((r) => r === 'provision no-changes'),
        city,
      ).toHaveLength(1);
      const verify = await stormAsync(['audit', 'verify', city], { project: other, env });
      expect(verify.code, verify.stderr).toBe(0);
    }
    const plan = await stormAsync(['plan', '--all', '--detailed-exitcode', '--concurrency', '4'], {
      project: other,
      env,
    });
    expect(plan.code, plan.stderr).toBe(0);
  });
});
