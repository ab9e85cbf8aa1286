import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { beforeEach, describe, expect, it } from 'vitest';
import { appendAuditRecord, auditLogLocation, readAuditLog, verifyAuditLog } from '../../src/audit/audit-log';
import { storm as run, type StormResult } from '../support/storm';

const ROOT = path.join(__dirname, '..', '..');

function storm(cwd: string, ...args: string[]): StormResult {
  return run(['--no-color', ...args], { project: cwd });
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-audit-log-'));
});

async function writeRecords(n: number): Promise<string> {
  for (let i = 0; i < n; i += 1) {
    await appendAuditRecord(dir, {
      operation: i % 2 === 0 ? 'provision' : 'destroy',
      city: 'valladolid',
      env: 'preprod',
      result: 'succeeded',
      versions: { storm: '0.1.0' },
      changes: { create: i, update: 0, replace: 0, delete: 0 },
    });
  }
  return auditLogLocation(dir, 'valladolid').file;
}

function editLines(file: string, edit: (lines: string[]) => string[]): void {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  fs.writeFileSync(file, `${edit(lines).join('\n')}\n`);
}

describe('audit log on disk', () => {
  it('appends a chain that lists and verifies', async () => {
    await writeRecords(3);
    expect((await readAuditLog(dir, 'valladolid')).entries.map((e) => e.record.seq)).toEqual([1, 2, 3]);
    expect(await verifyAuditLog(dir, 'valladolid')).toMatchObject({ ok: true, records: 3 });
    const log = storm(dir, 'audit', 'log', 'valladolid');
    expect(log.code).toBe(0);
    expect(log.stdout).toMatch(/^1 +\S+ +provision +preprod +succeeded/m);
    expect(log.stdout).toMatch(/^2 +\S+ +destroy/m);
    const verify = storm(dir, 'audit', 'verify', 'valladolid');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('3 record(s), chain intact');
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(
      JSON.parse(
        fs.readFileSync(path.join(ROOT, 'src', 'report', 'json-schemas', 'audit-log.schema.json'), 'utf8'),
      ) as object,
    );
    for (const args of [
      ['audit', 'log', 'valladolid'],
      ['audit', 'verify', 'valladolid'],
    ]) {
      const r = storm(dir, '--json', ...args);
      expect(r.code).toBe(0);
      expect(validate(JSON.parse(r.stdout)), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('stays one chain under concurrent appenders in several processes', async () => {
    const script = `const {appendAuditRecord}=require(${JSON.stringify(path.join(ROOT, 'dist', 'audit', 'audit-log.js'))});
      (async()=>{for(let i=0;i<8;i++) await appendAuditRecord(process.argv[1],{operation:'plan',city:'valladolid',env:'preprod',result:'no-changes',versions:{storm:'0.1.0'}});})();`;
    const children = [0, 1, 2, 3].map(
      () =>
        new Promise<void>((resolve, reject) => {
          const c = spawn(process.execPath, ['-e', script, dir], { stdio: 'inherit' });
          c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`appender exited ${code}`))));
        }),
    );
    await Promise.all(children);
    expect(await verifyAuditLog(dir, 'valladolid')).toMatchObject({ ok: true, records: 32 });
    expect(fs.readdirSync(path.dirname(auditLogLocation(dir, 'valladolid').file)).sort()).toEqual([
      'valladolid.jsonl',
      'valladolid.jsonl.head',
    ]);
  });

  it.each([
    ['an edited byte', (l: string[]) => l.map((t, i) => (i === 1 ? t.replace('"create":1', '"create":7') : t)), 2, 2],
    ['a deleted line', (l: string[]) => l.filter((_, i) => i !== 1), 3, 2],
    ['two swapped lines', (l: string[]) => [l[0]!, l[2]!, l[1]!, l[3]!], 3, 2],
    ['an inserted line', (l: string[]) => [l[0]!, l[1]!, l[1]!, l[2]!, l[3]!], 2, 3],
  ])('%s makes verify exit 1 naming the first bad record', async (_what, edit, seq, line) => {
    const file = await writeRecords(4);
    editLines(file, edit);
    const r = storm(dir, 'audit', 'verify', 'valladolid');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`first bad record: seq ${seq} at line ${line}`);
    expect(r.stderr).toContain(`first bad record is seq ${seq} (line ${line})`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('removing the last record is detected', async () => {
    const file = await writeRecords(3);
    editLines(file, (l) => l.slice(0, 2));
    const r = storm(dir, 'audit', 'verify', 'valladolid', '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; result: { problem: { kind: string } } };
    expect(doc.ok).toBe(false);
    expect(doc.result.problem.kind).toBe('records-missing-at-end');
  });

  it('a city without a log is not found', () => {
    const r = storm(dir, 'audit', 'verify', 'valladolid');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no audit log for valladolid');
  });
});
