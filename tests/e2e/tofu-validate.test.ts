/**
 * Every synthesized stack of the three pilot cities (six stacks) passes
 * `tofu init` + `tofu validate` with the storm-bootstrapped engine and the real
 * terraform-provider-openstack 3.4.0 from storm's mirror.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, ensureEngine } from '../../src/engine/bootstrap';
import { runTofu } from '../../src/engine/tofu';
import { listCities, loadCity } from '../../src/manifest/load';
import { environmentNames } from '../../src/manifest/model';
import { synthCity } from '../../src/synth/synth-city';

const root = path.join(__dirname, '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-validate-'));
let engine: Engine;

beforeAll(async () => {
  engine = await ensureEngine(() => undefined);
}, 900_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

// Every city in stacks/ and every environment it defines (the three pilots × preprod/production at least).
const stacks = listCities(root).flatMap((city) =>
  environmentNames(loadCity(city, { cwd: root }).doc).map((env) => [city, env] as const),
);

it('covers the three pilots in preprod and production', () => {
  for (const city of ['valladolid', 'thessaloniki', 'agueda'])
    for (const env of ['preprod', 'production']) expect(stacks).toContainEqual([city, env]);
});

describe('tofu validate of every synthesized stack', () => {
  it.each(stacks)('%s %s', async (city, env) => {
    const dir = path.join(work, city, env);
    const result = synthCity(city, { cwd: root, env, outDir: dir });
    expect(result.file).toBe(path.join(dir, 'main.tf.json'));

    const init = await runTofu(engine, ['init', '-backend=false', '-no-color'], { cwd: dir });
    expect(init.exitCode, init.stderr + init.stdout).toBe(0);
    // The provider came from storm's mirror, not a registry.
    expect(
      fs.realpathSync(
        path.join(
          dir,
          '.terraform',
          'providers',
          'registry.opentofu.org',
          'terraform-provider-openstack',
          'openstack',
          '3.4.0',
        ),
      ),
    ).toBeTruthy();

    const validate = await runTofu(engine, ['validate', '-json', '-no-color'], { cwd: dir });
    const report = JSON.parse(validate.stdout) as {
      valid: boolean;
      error_count: number;
      warning_count: number;
      diagnostics: { severity: string; summary: string; detail: string }[];
    };
    expect(report.diagnostics.map((d) => `${d.severity}: ${d.summary} ${d.detail}`)).toEqual([]);
    expect(report.valid).toBe(true);
    expect(validate.exitCode).toBe(0);
  });
});
