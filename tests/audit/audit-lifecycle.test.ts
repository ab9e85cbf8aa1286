/**
 * Acceptance: provision and destroy of a city on the sandbox each leave one
 * audit record; tampering with the log makes `storm audit verify` exit 1.
 * Real storm, real tofu + provider, storm's real sandbox cloud.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storm as run, withoutCloud, type StormResult } from '../support/storm';

const ROOT = path.join(__dirname, '..', '..');
let dir: string;

function storm(...args: string[]): StormResult {
  return run(['--no-color', ...args], { project: dir, env: withoutCloud(), timeout: 600_000 });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-audit-e2e-'));
  fs.mkdirSync(path.join(dir, 'stacks'));
  fs.symlinkSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'));
  // Águeda's infrastructure alone: without its partner (the sandbox has no partner projects) and without
  // its service (deploying it is the deploy step's business, not the audit trail's), on a flavor the sandbox image fits.
  const doc = parseDocument(fs.readFileSync(path.join(ROOT, 'stacks', 'agueda.yaml'), 'utf8'));
  doc.deleteIn(['partners']);
  doc.deleteIn(['services']);
  doc.deleteIn(['environments', 'preprod', 'services']);
  doc.deleteIn(['environments', 'production', 'services']);
  // The pilot's production waiver is about its service's front door: gone with the service.
  doc.deleteIn(['environments', 'production', 'waivers']);
  doc.setIn(['compute', 'groups', 0, 'flavor'], 'm1.small');
  fs.writeFileSync(path.join(dir, 'stacks', 'agueda.yaml'), doc.toString());
});

afterAll(() => {
  if (dir === undefined) return;
  storm('sandbox', 'down');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('audit records of provision and destroy', () => {
  it('records both, verifies, and names the first bad record after tampering', () => {
    const prov = storm('provision', 'agueda', '--yes');
    expect(prov.code, prov.stderr).toBe(0);

    // The diff against the live state, for people: opening SSH to the world is flagged; the JSON follows its schema.
    const manifest = path.join(dir, 'stacks', 'agueda.yaml');
    const provisioned = fs.readFileSync(manifest, 'utf8');
    fs.writeFileSync(manifest, provisioned.replace(/(ports: 22, remote: )admin/, '$10.0.0.0/0'));
    const diff = storm('diff', 'agueda', '--format', 'json');
    expect(diff.code, diff.stderr).toBe(0);
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(
      JSON.parse(
        fs.readFileSync(path.join(ROOT, 'src', 'report', 'json-schemas', 'diff.schema.json'), 'utf8'),
      ) as object,
    );
    const doc = JSON.parse(diff.stdout) as {
      result: { kind: string; risks: { kind: string }[]; layers: { layer: string }[] };
    };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.result.kind).toBe('plan');
    expect(doc.result.layers.map((l) => l.layer)).toEqual(['security']);
    expect(doc.result.risks.map((r) => r.kind)).toContain('exposure');
    fs.writeFileSync(manifest, provisioned);

    const destroy = storm('destroy', 'agueda', '--yes');
    expect(destroy.code, destroy.stderr).toBe(0);

    const log = storm('--json', 'audit', 'log', 'agueda');
    expect(log.code, log.stderr).toBe(0);
    const records = (
      JSON.parse(log.stdout) as {
        result: {
          entries: {
            record: {
              operation: string;
              result: string;
              manifestHash?: string;
              changes?: { create: number; delete: number };
            };
          }[];
        };
      }
    ).result.entries.map((e) => e.record);
    // storm diff planned, so the plan is on record between them.
    expect(records.map((r) => `${r.operation}:${r.result}`)).toEqual([
      'provision:succeeded',
      'plan:succeeded',
      'destroy:succeeded',
    ]);
    expect(records[0]?.changes?.create).toBeGreaterThan(0);
    expect(records[2]?.changes?.delete).toBe(records[0]?.changes?.create);
    expect(records[0]?.manifestHash).toMatch(/^[0-9a-f]{64}$/);
    expect(storm('audit', 'verify', 'agueda').code).toBe(0);

    const file = path.join(dir, '.storm', 'audit', 'agueda.jsonl');
    const original = fs.readFileSync(file, 'utf8');
    const lines = original.split('\n').filter((l) => l !== '');
    fs.writeFileSync(file, `${lines[1]}\n${lines[0]}\n${lines[2]}\n`);
    const swapped = storm('audit', 'verify', 'agueda');
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toContain('first bad record is seq 2 (line 1)');

    fs.writeFileSync(file, original.replace('"operation":"destroy"', '"operation":"plan"'));
    const edited = storm('audit', 'verify', 'agueda');
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain('first bad record is seq 3 (line 3)');

    fs.writeFileSync(file, `${lines[0]}\n${lines[2]}\n`);
    const deleted = storm('audit', 'verify', 'agueda');
    expect(deleted.code).toBe(1);
    expect(deleted.stderr).toContain('first bad record is seq 3 (line 2)');
  });
});
