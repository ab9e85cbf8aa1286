import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StormError } from '../../src/errors';
import { listCities, loadCity, readManifest } from '../../src/manifest/load';

const root = path.join(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-manifest-load-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function thrown(fn: () => unknown): StormError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StormError) return err;
    throw err;
  }
  throw new Error('expected a StormError');
}

describe('loadCity', () => {
  it('resolves a city name to stacks/<city>.yaml and returns the validated manifest', () => {
    const m = loadCity('valladolid', { cwd: root });
    expect(m.file).toBe('stacks/valladolid.yaml');
    expect(m.absPath).toBe(path.join(root, 'stacks', 'valladolid.yaml'));
    expect(m.doc.city.name).toBe('valladolid');
    expect(m.text.startsWith('# yaml-language-server: $schema=../src/manifest/city-manifest.schema.json\n')).toBe(true);
  });

  it('locates values and keys by path', () => {
    const m = loadCity('valladolid', { cwd: root });
    const lines = m.text.split('\n');
    const at = m.locate(['compute', 'groups', 1, 'flavor']);
    expect(lines[at.line - 1]?.slice(at.column - 1)).toBe('m1.medium');
    const key = m.locateKey(['compute', 'groups', 1, 'flavor']);
    expect(lines[key.line - 1]?.slice(key.column - 1)).toBe('flavor: m1.medium');
    // A path that does not exist falls back to its deepest existing ancestor.
    expect(m.locate(['compute', 'groups', 1, 'nothing-here'])).toEqual(m.locate(['compute', 'groups', 1]));
  });

  it('takes an argument ending in .yaml as a file, shown relative to the project', () => {
    const m = loadCity('tests/manifest/fixtures/valid-minimal.yaml', { cwd: root });
    expect(m.file).toBe('tests/manifest/fixtures/valid-minimal.yaml');
    expect(m.doc.city.name).toBe('testville');
  });

  it('names the cities that exist, with a did-you-mean, for an unknown city', () => {
    const err = thrown(() => loadCity('valladolit', { cwd: root }));
    expect(err.code).toBe('not-found');
    expect(err.message).toBe('no city "valladolit" (looked for stacks/valladolit.yaml)');
    expect(err.hint).toBe('did you mean "valladolid"? cities: agueda, thessaloniki, valladolid');
  });

  it('throws invalid-manifest with every diagnostic', () => {
    const err = thrown(() => loadCity('tests/manifest/fixtures/five-problems.yaml', { cwd: root }));
    expect(err.code).toBe('invalid-manifest');
    expect(err.diagnostics).toHaveLength(5);
    expect(err.message).toBe('tests/manifest/fixtures/five-problems.yaml is not a valid city manifest (5 problems)');
  });

  it('refuses a missing file', () => {
    const err = thrown(() => loadCity('nowhere/else.yaml', { cwd: root }));
    expect(err.code).toBe('not-found');
  });

  it('insists that a manifest in stacks/ is named after its city', () => {
    fs.mkdirSync(path.join(tmp, 'stacks'), { recursive: true });
    fs.writeFileSync(
      path.join(tmp, 'stacks', 'madrid.yaml'),
      fs.readFileSync(path.join(__dirname, 'fixtures', 'valid-minimal.yaml')),
    );
    const err = thrown(() => loadCity('madrid', { cwd: tmp }));
    expect(err.diagnostics.map((d) => `${d.location?.line}:${d.location?.column} ${d.message}`)).toContain(
      '5:9 city name "testville" does not match the file name (stacks/madrid.yaml)',
    );
  });
});

describe('the pilot manifests', () => {
  it.each(['valladolid', 'thessaloniki', 'agueda'])(
    '%s names the schema in its first line, so editors validate it',
    (city) => {
      const m = loadCity(city, { cwd: root });
      expect(m.text.split('\n')[0]).toBe('# yaml-language-server: $schema=../src/manifest/city-manifest.schema.json');
      expect(m.warnings).toEqual([]);
    },
  );
});

describe('listCities', () => {
  it('lists stacks/*.yaml sorted', () => {
    expect(listCities(root)).toEqual(['agueda', 'thessaloniki', 'valladolid']);
  });

  it('is empty without a stacks/ directory', () => {
    expect(listCities(path.join(tmp, 'no-such-dir'))).toEqual([]);
  });
});

describe('readManifest limits', () => {
  it('refuses a file over 1 MiB before parsing it', () => {
    const big = path.join(tmp, 'big.yaml');
    fs.writeFileSync(big, `# ${'x'.repeat(1024 * 1024)}\napiVersion: storm/v1\n`);
    const parsed = readManifest(big, tmp);
    expect(parsed.data).toBeUndefined();
    expect(parsed.diagnostics).toEqual([
      expect.objectContaining({ code: 'manifest.too-large', location: { file: 'big.yaml', line: 1, column: 1 } }),
    ]);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const parsed = readManifest(path.join(__dirname, 'fixtures', 'alias-bomb.yaml'), root);
    expect(parsed.data).toBeUndefined();
    expect(parsed.diagnostics.map((d) => d.code)).toEqual(['manifest.alias-bomb']);
  });

  it('explains a second YAML document and tab indentation in plain words', () => {
    const multi = path.join(tmp, 'multi.yaml');
    fs.writeFileSync(multi, 'apiVersion: storm/v1\n---\nfoo: 1\n');
    const tabs = path.join(tmp, 'tabs.yaml');
    fs.writeFileSync(tabs, 'apiVersion: storm/v1\ncity:\n\tname: x\n');
    expect(
      readManifest(multi, tmp).diagnostics.map(
        (d) => `${d.location?.line}:${d.location?.column} ${d.message} — ${d.hint}`,
      ),
    ).toEqual([
      '2:1 YAML syntax error: more than one document in the file — a manifest is one YAML document: remove the `---` line and what follows, or move it to its own file',
    ]);
    expect(
      readManifest(tabs, tmp).diagnostics.map((d) => `${d.location?.line}:${d.location?.column} ${d.hint}`),
    ).toEqual(['3:1 indent with spaces; YAML does not allow tabs']);
  });

  it('reports every duplicate key with its position and still returns the data', () => {
    const file = path.join(tmp, 'dups.yaml');
    fs.writeFileSync(file, 'a: 1\nb:\n  c: 1\n  c: 2\na: 3\n');
    const parsed = readManifest(file, tmp);
    expect(parsed.data).toEqual({ a: 3, b: { c: 2 } });
    expect(parsed.diagnostics.map((d) => `${d.location?.line}:${d.location?.column} ${d.path}: ${d.message}`)).toEqual([
      '4:3 b.c: duplicate key "c"',
      '5:1 a: duplicate key "a"',
    ]);
  });
});
