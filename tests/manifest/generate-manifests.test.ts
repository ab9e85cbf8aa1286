import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateManifests } from '../../src/manifest/validate';
import { generateManifests } from './generate-manifests';

const root = path.join(__dirname, '..', '..');
const project = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-generated-'));
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

describe('generateManifests', () => {
  it('is deterministic and gives distinct names', () => {
    const a = generateManifests(30);
    expect(generateManifests(30)).toEqual(a);
    expect(new Set(a.map((m) => m.name)).size).toBe(30);
  });

  it('generates manifests that all validate, in both environments', () => {
    fs.mkdirSync(path.join(project, 'stacks'));
    fs.symlinkSync(path.join(root, 'templates'), path.join(project, 'templates'));
    for (const m of generateManifests(60)) fs.writeFileSync(path.join(project, 'stacks', `${m.name}.yaml`), m.text);
    const report = validateManifests([], { cwd: project, all: true });
    expect(report.files.flatMap((f) => f.diagnostics)).toEqual([]);
    expect(report.files).toHaveLength(60);
    expect(
      report.files.every(
        (f) =>
          f.environments.length === (f.city === undefined ? -1 : Number(f.city.slice(5)) % 7 === 0 ? 3 : 2) &&
          f.environments.every((e) => e.ok),
      ),
    ).toBe(true);
  });
});
