import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..');

describe('README', () => {
  it('has its generated sections (manifest reference, policy rules) in sync with storm', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'gen-readme.cjs'), '--check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
