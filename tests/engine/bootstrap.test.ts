import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureEngine, moduleDirFromDownload, planEngine } from '../../src/engine/bootstrap';
import type { ProgressEvent } from '../../src/progress';

let cache: string;
beforeEach(() => {
  cache = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-bootstrap-'));
});
afterEach(() => {
  fs.rmSync(cache, { recursive: true, force: true });
});

describe('engine bootstrap without go or engine', () => {
  it('plans a build and says it cannot do it', async () => {
    const plan = await planEngine({ STORM_CACHE_DIR: cache, PATH: path.join(cache, 'bin') });
    expect(plan.engine).toEqual({
      state: 'build',
      path: path.join(cache, 'tofu', '1.12.6', 'tofu'),
      version: '1.12.6',
    });
    expect(plan.provider.state).toBe('build');
    expect(plan.go).toBeUndefined();
    expect(plan.actions.at(-1)).toMatch(/^cannot build: no go found/);
  });

  it('shares one bootstrap between concurrent callers in a process, and fails with engine-missing', async () => {
    const events: ProgressEvent[] = [];
    const env = { STORM_CACHE_DIR: cache, PATH: path.join(cache, 'bin') };
    const results = await Promise.allSettled([
      ensureEngine((e) => events.push(e), { env }),
      ensureEngine((e) => events.push(e), { env }),
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'engine-missing' });
    }
    // One bootstrap, one failure: both callers get the very same error object.
    expect((results[0] as PromiseRejectedResult).reason).toBe((results[1] as PromiseRejectedResult).reason);
    expect(events.filter((e) => e.kind === 'step' && e.message.startsWith('waiting'))).toEqual([]);
    expect(fs.existsSync(path.join(cache, 'bootstrap.lock'))).toBe(false);
  });
});

describe('go mod download -json', () => {
  it('yields the module directory or a clear error', () => {
    expect(
      moduleDirFromDownload(
        '{"Path":"github.com/opentofu/opentofu","Version":"v1.12.6","Dir":"/root/go/pkg/mod/github.com/opentofu/opentofu@v1.12.6"}',
      ),
    ).toBe('/root/go/pkg/mod/github.com/opentofu/opentofu@v1.12.6');
    expect(() => moduleDirFromDownload('{"Path":"x","Error":"module lookup disabled by GOPROXY=off"}')).toThrow(
      /GOPROXY=off/,
    );
    expect(() => moduleDirFromDownload('not json')).toThrow(/not JSON/);
  });
});
