/**
 * Attack (or accident): two environments configured onto one state, so a
 * preprod plan reads — and an apply rewrites — production's state. bin/storm
 * validate refuses it at file:line:col; the engine keys every backend by city
 * and environment (tests/engine/state.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject } from '../e2e/lifecycle-support';
import { cleanEnv, stormAsync as storm } from '../support/storm';

let project: string;
let original: string;
const manifest = (): string => path.join(project, 'stacks', 'valladolid.yaml');

beforeAll(() => {
  project = makeProject('sec-state');
  original = fs.readFileSync(manifest(), 'utf8');
});
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

/** The manifest with its top-level `state:` replaced by `block`; returns the line of `marker`. */
function withBlock(block: string, marker: string): number {
  expect(original).toContain('\nstate:\n  backend: local\n');
  const text = original.replace('\nstate:\n  backend: local\n', `\n${block}`);
  fs.writeFileSync(manifest(), text);
  return text.split('\n').findIndex((l) => l.includes(marker)) + 1;
}

describe('one state per city and environment', { timeout: 120_000 }, () => {
  it('a top-level pg schemaName shared by preprod and production is refused at its line', async () => {
    const line = withBlock(
      'state:\n  backend: pg\n  connectionStringEnv: STORM_PG\n  schemaName: storm_shared\n',
      'schemaName: storm_shared',
    );
    const r = await storm(['validate', 'valladolid', '--json'], { project, env: cleanEnv() });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as {
      result: {
        files: { diagnostics: { code: string; message: string; location: { file: string; line: number } }[] }[];
      };
    };
    const d = doc.result.files[0]?.diagnostics.find((x) => x.code === 'manifest.shared-state');
    expect(d?.message).toBe('environments preprod and production would share one state (pg schema "storm_shared")');
    expect(d?.location).toMatchObject({ file: 'stacks/valladolid.yaml', line });
    const text = await storm(['plan', 'valladolid', '--env', 'production'], { project, env: cleanEnv() });
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(
      new RegExp(`stacks/valladolid.yaml:${line}:\\d+ +error state.schemaName: environments`),
    );
  });

  it('a top-level local state applies per environment: accepted (each gets <path>/<city>/<env>/)', async () => {
    withBlock('state:\n  backend: local\n  path: shared-state\n', 'path: shared-state');
    const r = await storm(['validate', 'valladolid'], { project, env: cleanEnv() });
    expect(r.code, r.stderr).toBe(0);
  });

  it('a credential in the s3 settings is refused at its line, pointing at AWS_* instead', async () => {
    const line = withBlock(
      'state:\n  backend: s3\n  config:\n    bucket: tfstate\n    secret_key: canary-s3-secret\n',
      'secret_key:',
    );
    const r = await storm(['validate', 'valladolid'], { project, env: cleanEnv() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`stacks/valladolid.yaml:${line}:5`);
    expect(r.stderr).toContain('AWS_SECRET_ACCESS_KEY');
  });
});
