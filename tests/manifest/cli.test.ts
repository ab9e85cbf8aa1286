import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { conforms } from '../support/json-schema';
import { storm, type StormResult } from '../support/storm';

const root = path.join(__dirname, '..', '..');

function run(...args: string[]): StormResult {
  return storm(args, { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
}

describe('storm validate (e2e)', () => {
  it('--all exits 0 with one line per city and environment', () => {
    const r = run('validate', '--all');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '✓ agueda preprod',
        '✓ agueda production',
        '✓ thessaloniki preprod',
        '✓ thessaloniki production',
        '✓ valladolid preprod',
        '✓ valladolid production',
        '',
      ].join('\n'),
    );
  });

  it('names all five problems of the combined file at file:line:col, exit 1, no stack trace', () => {
    const r = run('validate', 'tests/manifest/fixtures/five-problems.yaml');
    expect(r.code).toBe(1);
    const file = 'tests/manifest/fixtures/five-problems.yaml';
    for (const line of [
      `${file}:20:13  error network.subnets[1].cidr: subnet "data" (10.0.1.128/25) overlaps subnet "web" (10.0.1.0/24)`,
      `${file}:25:55  error security.groups[0].rules[0].ports: 70000 is out of range (1..65535)`,
      `${file}:29:7  error compute.groups[0].flavour: unknown key — did you mean "flavor"?`,
      `${file}:31:14  error compute.groups[0].count: expected a whole number, got the string "two"`,
      `${file}:33:7  error compute.groups[0].subnet: duplicate key "subnet"`,
    ]) {
      expect(r.stderr).toContain(line);
    }
    expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(r.stdout).toBe('✗ brokenville preprod\n✗ brokenville production\n');
  });

  it('--json prints one versioned document with per-file, per-environment status and diagnostics', () => {
    const r = run(
      '--json',
      'validate',
      'valladolid',
      'tests/manifest/fixtures/broken-production-no-anti-affinity.yaml',
    );
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as {
      schemaVersion: number;
      command: string;
      ok: boolean;
      exitCode: number;
      result: {
        ok: boolean;
        errors: number;
        warnings: number;
        files: {
          file: string;
          city: string;
          ok: boolean;
          environments: { name: string; ok: boolean }[];
          diagnostics: {
            severity: string;
            code: string;
            message: string;
            path: string;
            location: { file: string; line: number; column: number };
          }[];
        }[];
      };
    };
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'validate', ok: false, exitCode: 1 });
    conforms('validate.v1.schema.json', doc);
    expect(doc.result).toMatchObject({ ok: false, errors: 1, warnings: 0 });
    expect(doc.result.files.map((f) => [f.file, f.city, f.ok, f.environments])).toEqual([
      [
        'stacks/valladolid.yaml',
        'valladolid',
        true,
        [
          { name: 'preprod', ok: true },
          { name: 'production', ok: true },
        ],
      ],
      [
        'tests/manifest/fixtures/broken-production-no-anti-affinity.yaml',
        'testville',
        false,
        [
          { name: 'preprod', ok: true },
          { name: 'production', ok: false },
        ],
      ],
    ]);
    expect(doc.result.files[1]?.diagnostics[0]).toMatchObject({
      severity: 'error',
      code: 'manifest.production-without-anti-affinity',
      path: 'environments.production.compute.groups.web.count',
      location: { file: 'tests/manifest/fixtures/broken-production-no-anti-affinity.yaml', line: 78, column: 23 },
    });
  });

  it('an unknown city fails with the cities that exist, as a JSON failure document too', () => {
    const r = run('--json', 'validate', 'valadolid');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string; hint: string } };
    conforms('failure.v1.schema.json', doc);
    expect(doc.ok).toBe(false);
    expect(doc.error).toMatchObject({
      code: 'not-found',
      message: 'no city "valadolid" (looked for stacks/valadolid.yaml)',
    });
    expect(doc.error.hint).toContain('did you mean "valladolid"?');
  });

  it('asks for a city or --all when given nothing', () => {
    const r = run('validate');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('name the cities or files to validate, or pass --all');
  });
});

describe('storm list and storm schema (e2e)', () => {
  it('lists the cities with country, services and environments', () => {
    const r = run('--json', 'list');
    expect(r.code).toBe(0);
    conforms('list.v1.schema.json', JSON.parse(r.stdout));
    const doc = JSON.parse(r.stdout) as {
      result: {
        cities: { name: string; country: string; services: string[]; environments: string[]; errors: number }[];
      };
    };
    expect(doc.result.cities.map((c) => [c.name, c.country, c.services, c.environments, c.errors])).toEqual([
      ['agueda', 'PT', ['participa'], ['preprod', 'production'], 0],
      ['thessaloniki', 'GR', ['virtual-city-marketplace'], ['preprod', 'production'], 0],
      ['valladolid', 'ES', ['urbanismo-en-red'], ['preprod', 'production'], 0],
    ]);
    const text = run('list');
    expect(text.stdout.split('\n')[0]).toMatch(/^CITY\s+COUNTRY\s+NAME\s+SERVICES\s+ENVIRONMENTS$/);
    expect(text.stdout).toContain('valladolid    ES       Ayuntamiento de Valladolid');
  });

  it('prints the JSON Schema the manifests name in their modeline', () => {
    const r = run('schema');
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { $schema: string; title: string };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('CityManifest');
  });

  it('has examples in --help of each command', () => {
    for (const command of ['validate', 'list', 'schema']) {
      const r = run(command, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
    }
  });
});

describe('storm init (e2e)', () => {
  it('init miskolc --from valladolid, then validate miskolc, both exit 0', () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-init-e2e-'));
    try {
      fs.cpSync(path.join(root, 'stacks'), path.join(project, 'stacks'), { recursive: true });
      fs.symlinkSync(path.join(root, 'templates'), path.join(project, 'templates'));
      const init = run('--cwd', project, 'init', 'miskolc', '--from', 'valladolid');
      expect(init.code).toBe(0);
      expect(init.stdout).toContain('✓ stacks/miskolc.yaml from valladolid: network 10.10.0.0/16 → 10.0.0.0/16');
      const again = run('--cwd', project, '--json', 'init', 'braga', '--from', 'agueda');
      expect(again.code).toBe(0);
      conforms('init.v1.schema.json', JSON.parse(again.stdout));
      const validate = run('--cwd', project, 'validate', 'miskolc');
      expect(validate.code).toBe(0);
      expect(validate.stdout).toBe('✓ miskolc preprod\n✓ miskolc production\n');
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
