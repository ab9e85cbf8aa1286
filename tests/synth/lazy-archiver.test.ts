/** cdktf without archiver at start-up: storm's synth never zips, but whoever does still gets the real one. */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/storm';

const probe = `
const cdktf = require(${JSON.stringify(path.join(REPO_ROOT, 'dist', 'synth', 'cdktf.js'))});
const loaded = () => Object.keys(require.cache).filter((k) => /[\\\\/]node_modules[\\\\/](archiver-utils|zip-stream|compress-commons)[\\\\/]/.test(k)).length;
const before = loaded();
const { App, TerraformStack } = cdktf;
const app = new App({ outdir: require('node:os').tmpdir() });
new TerraformStack(app, 's');
const fromCdktf = require('node:module').createRequire(require.resolve('cdktf/lib/private/fs.js'));
const archive = fromCdktf('archiver')('zip');
console.log(JSON.stringify({ before, after: loaded(), zips: typeof archive.append === 'function' && typeof archive.finalize === 'function' }));
`;

describe('the lazy archiver', () => {
  it('keeps archiver unloaded through cdktf start-up and loads the real one on first use', () => {
    const out = execFileSync(process.execPath, ['-e', probe], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ before: 0, after: expect.any(Number), zips: true });
    expect((JSON.parse(out) as { after: number }).after).toBeGreaterThan(0);
  });
});
