/**
 * Attacks on the audit log, performed on a real project with bin/storm: drop the
 * last record and run one more command; re-hash the whole chain (with an audit
 * key configured, and without one but against a published anchor); a crash that
 * leaves half a line; a PostgreSQL log whose last row does not parse.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal, serialise, type ChainHead } from '../../src/audit/audit-chain';
import { appendAuditRecord, assertAuditLogAppendable, verifyAuditLog } from '../../src/audit/audit-log';
import { destroyStacks } from '../../src/lifecycle/destroy';
import { provisionStacks } from '../../src/lifecycle/provision';
import { FakeLifecycle, fakeProject } from '../support/fake-lifecycle';
import { auditTable } from '../../src/audit/audit-log-pg';
import type { AuditRecord } from '../../src/audit/audit-record';
import { makeProject } from '../e2e/lifecycle-support';
import { cleanEnv, stormAsync as storm, type StormResult } from '../support/storm';
import { startPostgres, type TestPostgres } from '../support/postgres';

const KEY = 'k'.repeat(16) + '0123456789abcdef0123456789abcdef';
const projects: string[] = [];

/** A project whose plans fail fast (a cloud on a closed loopback port) but are recorded. */
function project(name: string): string {
  const dir = makeProject(`sec-audit-${name}`);
  projects.push(dir);
  fs.writeFileSync(
    path.join(dir, 'clouds.yaml'),
    'clouds:\n  sandbox:\n    auth:\n      auth_url: http://127.0.0.1:9/v3\n      username: u\n      password: pw-audit-1\n',
  );
  return dir;
}
afterAll(() => {
  for (const p of projects) fs.rmSync(p, { recursive: true, force: true });
});

const logOf = (dir: string): string => path.join(dir, '.storm', 'audit', 'valladolid.jsonl');
const linesOf = (dir: string): string[] =>
  fs
    .readFileSync(logOf(dir), 'utf8')
    .split('\n')
    .filter((l) => l !== '');

function run(dir: string, args: string[], extra: Record<string, string> = {}): Promise<StormResult> {
  return storm(args, { project: dir, env: cleanEnv(extra) });
}

/** One recorded (failed) plan. */
async function recordedPlan(dir: string, extra: Record<string, string> = {}): Promise<void> {
  const before = fs.existsSync(logOf(dir)) ? linesOf(dir).length : 0;
  const r = await run(dir, ['plan', 'valladolid'], extra);
  expect(r.code).toBe(1);
  expect(linesOf(dir).length, r.stderr).toBe(before + 1);
}

/** What an attacker with write access and no key does: rewrite record 1, re-hash every record, fix the head. */
function rehashChain(dir: string, key?: Buffer): void {
  const records = linesOf(dir).map((l) => JSON.parse(l) as AuditRecord);
  let prev: ChainHead | undefined;
  const out: string[] = [];
  for (const r of records) {
    const { seq: _s, prevHash: _p, hash: _h, alg: _a, ...body } = r;
    const edited = r.seq === 1 ? { ...body, user: 'someone-else' } : body;
    const sealed = seal(edited, prev, key);
    prev = { seq: sealed.seq, hash: sealed.hash };
    out.push(serialise(sealed));
  }
  fs.writeFileSync(logOf(dir), `${out.join('\n')}\n`);
  fs.writeFileSync(`${logOf(dir)}.head`, `${JSON.stringify(prev)}\n`);
}

describe('a run that could not be recorded', { timeout: 180_000 }, () => {
  it('is refused before it changes anything: the log is checked before the apply, not after', async () => {
    const dir = project('before-apply');
    await assertAuditLogAppendable(dir, 'valladolid'); // no log yet: the run starts it
    await recordedPlan(dir);
    await recordedPlan(dir);
    await assertAuditLogAppendable(dir, 'valladolid');
    fs.writeFileSync(logOf(dir), `${linesOf(dir)[0]}\n`);
    await expect(assertAuditLogAppendable(dir, 'valladolid')).rejects.toMatchObject({
      code: 'audit-tampered',
      message: expect.stringContaining('does not verify, so storm will not add to it'),
    });
  });

  it('provision and destroy apply nothing when the log does not verify', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-sec-audit-lifecycle-'));
    projects.push(dir);
    fakeProject(path.join(__dirname, '..', '..'), dir);
    const f = new FakeLifecycle(dir);
    f.brokenAuditLogs.add('agueda');
    const ref = { city: 'agueda', env: 'preprod' };
    const common = { skipPreflight: true, lockTimeout: '1s', concurrency: 1, confirm: () => Promise.resolve(true) };
    for (const autoApprove of [true, false]) {
      const out = await provisionStacks(f.context(), [ref], { ...common, autoApprove, allowViolations: false });
      expect(out[0]?.ok === false && out[0].error.code).toBe('audit-tampered');
    }
    const gone = await destroyStacks(f.context(), [ref], { ...common, autoApprove: true });
    expect(gone[0]?.ok === false && gone[0].error.code).toBe('audit-tampered');
    expect(f.calls.filter((c) => c.startsWith('apply') || c.startsWith('plan'))).toEqual([]);
  });
});

describe('audit log attacks', { timeout: 180_000 }, () => {
  it('truncate-then-append: verify fails and storm refuses to append (exit 1, how to inspect)', async () => {
    const dir = project('truncate');
    await recordedPlan(dir);
    await recordedPlan(dir);
    const kept = linesOf(dir).slice(0, 1);
    fs.writeFileSync(logOf(dir), `${kept.join('\n')}\n`);
    const verify = await run(dir, ['audit', 'verify', 'valladolid']);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('record 2 onwards were removed');
    const plan = await run(dir, ['plan', 'valladolid']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('does not verify, so storm will not add to it');
    expect(plan.stderr).toContain('storm audit verify valladolid');
    expect(linesOf(dir)).toEqual(kept);
    // Deleting the head as well does not help.
    fs.rmSync(`${logOf(dir)}.head`);
    expect((await run(dir, ['audit', 'verify', 'valladolid'])).code).toBe(1);
    const again = await run(dir, ['plan', 'valladolid', '--json']);
    expect(again.code).toBe(1);
    expect((JSON.parse(again.stdout) as { error: { code: string } }).error.code).toBe('audit-tampered');
    expect(linesOf(dir)).toEqual(kept);
  });

  it('with STORM_AUDIT_KEY, a re-hashed chain and a forged head fail verify and appends', async () => {
    const dir = project('keyed');
    const keyed = { STORM_AUDIT_KEY: KEY };
    await recordedPlan(dir, keyed);
    await recordedPlan(dir, keyed);
    expect(linesOf(dir).every((l) => (JSON.parse(l) as AuditRecord).alg === 'hmac-sha256')).toBe(true);
    const ok = await run(dir, ['audit', 'verify', 'valladolid'], keyed);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('keyed (HMAC)');
    // Without the key nobody can claim the log verifies.
    const keyless = await run(dir, ['audit', 'verify', 'valladolid']);
    expect(keyless.code).toBe(1);
    expect(keyless.stdout).toContain('STORM_AUDIT_KEY');
    const original = fs.readFileSync(logOf(dir));
    const originalHead = fs.readFileSync(`${logOf(dir)}.head`);

    // Re-hashed with plain sha256.
    rehashChain(dir);
    let v = await run(dir, ['audit', 'verify', 'valladolid', '--json'], keyed);
    expect(v.code).toBe(1);
    expect(JSON.parse(v.stdout)).toMatchObject({ result: { ok: false, problem: { kind: 'unkeyed-record', seq: 1 } } });
    expect((await run(dir, ['plan', 'valladolid'], keyed)).stderr).toContain('will not add to it');

    // Re-hashed with a key of the attacker's own.
    rehashChain(dir, Buffer.from('attacker-key-'.repeat(4)));
    v = await run(dir, ['audit', 'verify', 'valladolid', '--json'], keyed);
    expect(v.code).toBe(1);
    expect(JSON.parse(v.stdout)).toMatchObject({ result: { problem: { kind: 'hash-mismatch', seq: 1 } } });

    // Truncated, with a head rewritten to match what is left.
    fs.writeFileSync(logOf(dir), original);
    const first = JSON.parse(linesOf(dir)[0] as string) as AuditRecord;
    fs.writeFileSync(logOf(dir), `${linesOf(dir)[0] as string}\n`);
    fs.writeFileSync(`${logOf(dir)}.head`, `${JSON.stringify({ seq: 1, hash: first.hash })}\n`);
    v = await run(dir, ['audit', 'verify', 'valladolid', '--json'], keyed);
    expect(v.code).toBe(1);
    expect(JSON.parse(v.stdout)).toMatchObject({ result: { problem: { kind: 'head-unsigned' } } });
    const refused = await run(dir, ['plan', 'valladolid'], keyed);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('will not add to it');
    expect(linesOf(dir)).toHaveLength(1);

    fs.writeFileSync(logOf(dir), original);
    fs.writeFileSync(`${logOf(dir)}.head`, originalHead);
    expect((await run(dir, ['audit', 'verify', 'valladolid'], keyed)).code).toBe(0);
    // The key never reaches an output or a file storm writes.
    for (const f of fs.readdirSync(path.dirname(logOf(dir))))
      expect(fs.readFileSync(path.join(path.dirname(logOf(dir)), f), 'utf8')).not.toContain(KEY);
  });

  it('anchor: a log re-hashed without a key verifies on its own but not against the published head', async () => {
    const dir = project('anchor');
    await recordedPlan(dir);
    const a = await run(dir, ['audit', 'anchor', 'valladolid', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const anchor = (JSON.parse(a.stdout) as { result: { anchor: string } }).result.anchor;
    expect(anchor).toMatch(/^1:[0-9a-f]{64}$/);
    await recordedPlan(dir);
    const extends_ = await run(dir, ['audit', 'verify', 'valladolid', '--anchor', anchor]);
    expect(extends_.code, extends_.stderr).toBe(0);
    expect(extends_.stdout).toContain('extends the published head');
    rehashChain(dir);
    expect((await run(dir, ['audit', 'verify', 'valladolid'])).code).toBe(0);
    const v = await run(dir, ['audit', 'verify', 'valladolid', '--anchor', anchor]);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain('does not extend what was published');
    const bad = await run(dir, ['audit', 'verify', 'valladolid', '--anchor', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not an audit head');
  });

  it('a torn last line: appends are refused until `storm audit repair` moves it aside, visibly', async () => {
    const dir = project('torn');
    await recordedPlan(dir);
    const whole = fs.readFileSync(logOf(dir));
    const torn = whole.subarray(0, 57);
    fs.appendFileSync(logOf(dir), torn);
    const verify = await run(dir, ['audit', 'verify', 'valladolid']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain('storm audit repair valladolid');
    const plan = await run(dir, ['plan', 'valladolid']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('a write was cut short');
    const repair = await run(dir, ['audit', 'repair', 'valladolid']);
    expect(repair.code, repair.stderr).toBe(0);
    expect(repair.stderr).toContain('moved the incomplete line 2 (57 bytes)');
    const moved = fs.readdirSync(path.dirname(logOf(dir))).filter((f) => f.includes('.torn-'));
    expect(moved).toHaveLength(1);
    expect(fs.readFileSync(path.join(path.dirname(logOf(dir)), moved[0] as string))).toEqual(torn);
    expect(fs.readFileSync(logOf(dir))).toEqual(whole);
    expect((await run(dir, ['audit', 'verify', 'valladolid'])).code).toBe(0);
    await recordedPlan(dir);
    // repair fixes only what a crash leaves: an edited record is refused.
    fs.writeFileSync(
      logOf(dir),
      fs.readFileSync(logOf(dir), 'utf8').replace('"result":"failed"', '"result":"succeeded"'),
    );
    const refused = await run(dir, ['audit', 'repair', 'valladolid']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('has a problem repair does not fix');
  });
});

describe('PostgreSQL audit log attacks', { timeout: 180_000 }, () => {
  let pg: TestPostgres;
  let dir: string;
  beforeAll(async () => {
    pg = await startPostgres('storm_audit_sec');
    dir = makeProject('sec-audit-pg');
    projects.push(dir);
  }, 120_000);
  afterAll(() => pg?.stop());

  const backend = { kind: 'pg', connectionStringEnv: 'STORM_AUDIT_SEC_PG' } as const;
  const input = {
    operation: 'plan',
    city: 'valladolid',
    env: 'preprod',
    result: 'no-changes',
    versions: { storm: '0.1.0' },
  } as const;

  it('refuses to append after a last row that does not parse, instead of restarting at seq 1', async () => {
    const env = { STORM_AUDIT_SEC_PG: pg.url };
    await appendAuditRecord(dir, input, { backend, env, key: null });
    await appendAuditRecord(dir, input, { backend, env, key: null });
    const c = new Client({ connectionString: pg.url });
    await c.connect();
    try {
      await c.query(`INSERT INTO ${auditTable('valladolid')} (record) VALUES ('{"seq": 3, "half')`);
      await expect(appendAuditRecord(dir, input, { backend, env, key: null })).rejects.toThrow(
        /does not verify, so storm will not add to it: line 3 is not a JSON record/,
      );
      const rows = await c.query<{ record: string }>(`SELECT record FROM ${auditTable('valladolid')} ORDER BY line`);
      expect(rows.rows).toHaveLength(3);
      expect((await verifyAuditLog(dir, 'valladolid', { backend, env, key: null })).ok).toBe(false);
    } finally {
      await c.end();
    }
  });
});
