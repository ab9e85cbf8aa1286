import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureEngine, findGo, fixedGoEnvironment, moduleFromDownload, planEngine } from '../../src/engine/bootstrap';
import { runTool } from '../../src/engine/tofu';
import { dirHash1 } from '../../src/engine/integrity';
import {
  PROVIDER_MODULE,
  PROVIDER_MODULE_SUM,
  PROVIDER_VERSION,
  TOFU_MODULE,
  TOFU_MODULE_SUM,
  TOFU_VERSION,
} from '../../src/pins';
import { LOCK_FILE, ensureReviewedLock, renderProviderLock } from '../../src/engine/provider-lock';
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
  it('yields the module directory and hash, or a clear error', () => {
    expect(
      moduleFromDownload(
        '{"Path":"github.com/opentofu/opentofu","Version":"v1.12.6","Dir":"/root/go/pkg/mod/github.com/opentofu/opentofu@v1.12.6","Sum":"h1:0VT4P8pMmGcCUnQ9JDrJ+Qg2d35Vzm4FFd/9+H7oF98="}',
      ),
    ).toEqual({
      dir: '/root/go/pkg/mod/github.com/opentofu/opentofu@v1.12.6',
      sum: 'h1:0VT4P8pMmGcCUnQ9JDrJ+Qg2d35Vzm4FFd/9+H7oF98=',
    });
    expect(() => moduleFromDownload('{"Path":"x","Error":"module lookup disabled by GOPROXY=off"}')).toThrow(
      /GOPROXY=off/,
    );
    expect(() => moduleFromDownload('not json')).toThrow(/not JSON/);
  });
});

describe('the pinned module hashes', () => {
  // The machine's module cache holds both pinned modules (storm built from them, with the go it finds).
  let modcache = '';
  beforeAll(async () => {
    const go = await findGo(process.env);
    expect(go, 'storm doctor found a go before the tests; so must this').toBeDefined();
    modcache = (await runTool(go!.path, ['env', 'GOMODCACHE'], { cwd: os.tmpdir() })).stdout.trim();
  });

  it("are Go's dirhash of the module source, as storm computes it before building", () => {
    const dir = path.join(modcache, `${PROVIDER_MODULE}@v${PROVIDER_VERSION}`);
    expect(dirHash1(dir, `${PROVIDER_MODULE}@v${PROVIDER_VERSION}`)).toBe(PROVIDER_MODULE_SUM);
    expect(dirHash1(path.join(modcache, `${TOFU_MODULE}@v${TOFU_VERSION}`), `${TOFU_MODULE}@v${TOFU_VERSION}`)).toBe(
      TOFU_MODULE_SUM,
    );
  });

  it('change when one file of the source does', () => {
    const dir = path.join(cache, 'm');
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'go.mod'), 'module example.org/m\n');
    fs.writeFileSync(path.join(dir, 'sub', 'a.go'), 'package sub\n');
    const h = dirHash1(dir, 'example.org/m@v1.0.0');
    expect(h).toMatch(/^h1:[A-Za-z0-9+/]{43}=$/);
    fs.writeFileSync(path.join(dir, 'sub', 'a.go'), 'package sub // changed\n');
    expect(dirHash1(dir, 'example.org/m@v1.0.0')).not.toBe(h);
  });
});

describe('the Go build environment', () => {
  it('takes nothing the machine says about trust, only the locations and the proxy URL', () => {
    const env = fixedGoEnvironment(
      {
        GOFLAGS: '-insecure -mod=mod',
        GONOSUMDB: '*',
        GONOSUMCHECK: '1',
        GOSUMDB: 'off',
        GOINSECURE: '*',
        GOPRIVATE: 'github.com/*',
        GOEXPERIMENT: 'boringcrypto',
        CGO_CFLAGS: '-O0',
        GOPATH: '/home/u/go',
        PATH: '/usr/bin',
      },
      {
        GOPATH: '/home/u/go',
        GOMODCACHE: '/home/u/go/pkg/mod',
        GOCACHE: '/home/u/.cache/go-build',
        GOPROXY: 'https://athens.example.org',
      },
    );
    expect(env).toEqual({
      GOFLAGS: '-mod=readonly',
      GONOSUMDB: '',
      GONOSUMCHECK: '',
      GOSUMDB: 'sum.golang.org',
      GOINSECURE: '',
      GOPRIVATE: '',
      GONOPROXY: '',
      GOEXPERIMENT: '',
      CGO_CFLAGS: '',
      CGO_ENABLED: '0',
      GOPATH: '/home/u/go',
      GOMODCACHE: '/home/u/go/pkg/mod',
      GOCACHE: '/home/u/.cache/go-build',
      GOPROXY: 'https://athens.example.org',
      GOENV: 'off',
      GOVCS: '',
      GOWORK: 'off',
      GOTOOLCHAIN: 'go1.26.8',
      GOOS: '',
      GOARCH: '',
    });
    expect(fixedGoEnvironment({}, { GOPROXY: 'off' }).GOPROXY).toBe('https://proxy.golang.org,direct');
  });
});

describe('the provider lock', () => {
  it('is the committed, reviewed file', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'engine', 'provider.lock.hcl'), 'utf8');
    expect(renderProviderLock('linux_amd64')).toBe(committed);
    expect(renderProviderLock('plan9_arm')).toBeUndefined();
  });

  it('replaces a workspace lock that names another hash, and keeps one tofu rewrote with reviewed hashes only', () => {
    const file = path.join(cache, 'ws', LOCK_FILE);
    expect(ensureReviewedLock(file, 'linux_amd64')).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe(renderProviderLock('linux_amd64'));
    const reviewed = fs.readFileSync(file, 'utf8');
    // tofu keeps only the host it uses.
    const trimmed = reviewed.slice(0, reviewed.indexOf('\n\nprovider "registry.terraform.io')) + '\n';
    fs.writeFileSync(file, trimmed);
    expect(ensureReviewedLock(file, 'linux_amd64')).toBe(false);
    fs.writeFileSync(file, trimmed.replace(/"h1:[^"]+"/, '"h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="'));
    expect(ensureReviewedLock(file, 'linux_amd64')).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe(reviewed);
    expect(ensureReviewedLock(path.join(cache, 'other', LOCK_FILE), 'plan9_arm')).toBe(false);
  });
});
