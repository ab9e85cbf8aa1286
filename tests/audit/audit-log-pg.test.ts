import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditRecord, readAuditLog, verifyAuditLog, type AuditBackend } from '../../src/audit/audit-log';
import { auditTable } from '../../src/audit/audit-log-pg';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { storm as run, type StormResult } from '../support/storm';

const ROOT = path.join(__dirname, '..', '..');
const backend: AuditBackend = { kind: 'pg', connectionStringEnv: 'STORM_AUDIT_PG' };

let pg: TestPostgres;
let project: string;

beforeAll(async () => {
  pg = await startPostgres('storm_audit');
  // A project whose valladolid manifest keeps its state (and so its audit log) in PostgreSQL.
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-audit-pg-'));
  fs.mkdirSync(path.join(project, 'stacks'));
  fs.symlinkSync(path.join(ROOT, 'templates'), path.join(project, 'templates'));
  const doc = parseDocument(fs.readFileSync(path.join(ROOT, 'stacks', 'valladolid.yaml'), 'utf8'));
  doc.setIn(['state'], { backend: 'pg', connectionStringEnv: 'STORM_AUDIT_PG' });
  fs.writeFileSync(path.join(project, 'stacks', 'valladolid.yaml'), doc.toString());
}, 120_000);

afterAll(() => {
  pg?.stop();
  if (project !== undefined) fs.rmSync(project, { recursive: true, force: true });
});

const env = (): Record<string, string> => ({ STORM_AUDIT_PG: pg.url });

function storm(...args: string[]): StormResult {
  return run(['--no-color', ...args], { project, env: { ...process.env, STORM_AUDIT_PG: pg.url } });
}

async function sql(text: string): Promise<void> {
  const c = new Client({ connectionString: pg.url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

describe('audit log in PostgreSQL', () => {
  it('concurrent appends make one chain; the manifest selects the backend for the CLI', async () => {
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        appendAuditRecord(
          project,
          {
            operation: i % 2 === 0 ? 'provision' : 'destroy',
            city: 'valladolid',
            env: 'preprod',
            result: 'succeeded',
            versions: { storm: '0.1.0' },
          },
          { backend, env: env() },
        ),
      ),
    );
    // No backend given: read from the manifest's state (pg), connection string from the environment.
    process.env.STORM_AUDIT_PG = pg.url;
    await appendAuditRecord(project, {
      operation: 'plan',
      city: 'valladolid',
      env: 'production',
      result: 'no-changes',
      versions: { storm: '0.1.0' },
    });
    delete process.env.STORM_AUDIT_PG;
    expect(fs.existsSync(path.join(project, '.storm', 'audit', 'valladolid.jsonl'))).toBe(false);
    expect(
      (await readAuditLog(project, 'valladolid', { backend, env: env() })).entries.map((e) => e.record.seq),
    ).toEqual([1, 2, 3, 4, 5, 6]);
    const log = storm('audit', 'log', 'valladolid');
    expect(log.code, log.stderr).toBe(0);
    expect(log.stdout).toContain(`6 record(s) in postgresql:${auditTable('valladolid')}`);
    const ok = storm('audit', 'verify', 'valladolid');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).not.toContain(pg.url);
  });

  it('an edited row is named by verify', async () => {
    await sql(
      `UPDATE ${auditTable('valladolid')} SET record = replace(record, '"result":"succeeded"', '"result":"failed"') WHERE line = (SELECT line FROM ${auditTable('valladolid')} ORDER BY line OFFSET 2 LIMIT 1)`,
    );
    const v = await verifyAuditLog(project, 'valladolid', { backend, env: env() });
    expect(v.problem).toMatchObject({ kind: 'hash-mismatch', seq: 3, line: 3 });
    const r = storm('audit', 'verify', 'valladolid');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('first bad record is seq 3 (line 3)');
  });

  it('a deleted row is named by verify', async () => {
    await sql(
      `DELETE FROM ${auditTable('valladolid')} WHERE line = (SELECT line FROM ${auditTable('valladolid')} ORDER BY line OFFSET 1 LIMIT 1)`,
    );
    const v = await verifyAuditLog(project, 'valladolid', { backend, env: env() });
    expect(v.problem).toMatchObject({ kind: 'out-of-sequence', seq: 3, expectedSeq: 2, line: 2 });
  });

  it('a missing connection string is a clear error', () => {
    const r = run(['audit', 'log', 'valladolid'], { project, env: { ...process.env, STORM_AUDIT_PG: '' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('STORM_AUDIT_PG is not set');
  });
});
