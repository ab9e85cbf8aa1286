import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');

describe('precompiled validators (manifest, template.yaml, JSON Schema meta-schema)', () => {
  it('match the JSON Schemas they were generated from (npm run gen:validators)', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'gen-validators.cjs'), '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
