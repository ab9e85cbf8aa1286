/**
 * Engine bootstrap: finds or builds the OpenTofu binary and always provides
 * storm's own build of terraform-provider-openstack through a filesystem mirror.
 *
 * Engine order: STORM_TOFU (a path the user names; a `terraform` works too) →
 * a `tofu` on PATH only when it is exactly the pinned version → storm's pinned
 * build in the cache → build it with the machine's `go`.
 * Builds happen under a cache lock, into a temp path in the same directory, and
 * are renamed into place, so concurrent storm processes never see half a binary.
 *
 * What is built is what was pinned: the module source is checked against the
 * `h1:` hashes in pins.ts (and its dependencies with `go mod verify`), Go runs
 * with an environment storm fixes (buildEnvironment: no GOFLAGS, GONOSUMDB,
 * GOINSECURE… from the machine; only the proxy URL is the user's), and each
 * binary's sha256 goes into the stamp next to it (the manifest), checked before
 * every use (integrity.ts: one stat, a re-hash when the file was written since).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StormError } from '../errors';
import type { Progress } from '../progress';
import { processAlive } from '../process-alive';
import { withLock } from './cache-lock';
import { renderCliConfig } from './cli-config';
import { type FileRecord, checkFile, dirHash1, isFileRecord, recordFile } from './integrity';
import {
  BUILD_RECIPE,
  GO_TOOLCHAIN,
  MIN_ENGINE_VERSION,
  MIN_GO_VERSION,
  PROVIDER_HOSTS,
  PROVIDER_MODULE,
  PROVIDER_MODULE_SUM,
  PROVIDER_NAMESPACE,
  PROVIDER_TYPE,
  PROVIDER_VERSION,
  TOFU_LDFLAGS,
  TOFU_MODULE,
  TOFU_MODULE_SUM,
  TOFU_VERSION,
} from '../pins';
import { providerPackageHash, reviewedProviderHash } from './provider-lock';
import { runTool } from './tofu';
import { atLeast, parseEngineVersionJson, parseGoVersion } from './versions';

export type EngineSource = 'STORM_TOFU' | 'path' | 'cache' | 'built';

export interface Engine {
  tofuPath: string;
  tofuVersion: string;
  source: EngineSource;
  providerVersion: string;
  /** Whether this call built the provider or found it in the cache. */
  providerSource: 'cache' | 'built';
  /** Filesystem mirror the CLI config points at. */
  mirrorDir: string;
  /** Storm's generated CLI config; runTofu passes it as TF_CLI_CONFIG_FILE. */
  cliConfigPath: string;
  cacheDir: string;
}

export interface CacheLayout {
  cacheDir: string;
  tofuDir: string;
  tofuPath: string;
  tofuStamp: string;
  mirrorDir: string;
  /** One provider binary per mirrored registry host (hard links to one file). */
  providerPaths: string[];
  providerStamp: string;
  cliConfigPath: string;
  lockPath: string;
}

/** The stamp next to a build: what was built, how, and the manifest of its files (paths relative to the cache). */
interface BuildStamp {
  name: string;
  version: string;
  goVersion: string;
  module: string;
  /** BUILD_RECIPE of the build; absent for builds before storm recorded hashes. */
  recipe?: number;
  moduleSum?: string;
  files?: Record<string, FileRecord>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The cache root: STORM_CACHE_DIR, else $XDG_CACHE_HOME/storm, else ~/.cache/storm. */
export function cacheDirFor(env: Env, home = os.homedir()): string {
  const override = env.STORM_CACHE_DIR;
  if (override !== undefined && override !== '') return path.resolve(override);
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && xdg !== '' && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache');
  return path.join(base, 'storm');
}

/** Go's name for this platform, as provider mirrors use it: linux_amd64. */
export function goPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const goArch = arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
  const goOs = platform === 'win32' ? 'windows' : platform;
  return `${goOs}_${goArch}`;
}

export function cacheLayout(cacheDir: string, platform = goPlatform()): CacheLayout {
  const tofuDir = path.join(cacheDir, 'tofu', TOFU_VERSION);
  const mirrorDir = path.join(cacheDir, 'mirror');
  const exe = `terraform-provider-${PROVIDER_TYPE}_v${PROVIDER_VERSION}`;
  return {
    cacheDir,
    tofuDir,
    tofuPath: path.join(tofuDir, 'tofu'),
    tofuStamp: path.join(tofuDir, 'stamp.json'),
    mirrorDir,
    providerPaths: PROVIDER_HOSTS.map((host) =>
      path.join(mirrorDir, host, PROVIDER_NAMESPACE, PROVIDER_TYPE, PROVIDER_VERSION, platform, exe),
    ),
    providerStamp: path.join(cacheDir, 'stamps', `provider-${PROVIDER_TYPE}-${PROVIDER_VERSION}-${platform}.json`),
    cliConfigPath: path.join(cacheDir, 'tofurc'),
    lockPath: path.join(cacheDir, 'bootstrap.lock'),
  };
}

/** First executable named `name` on PATH (no exec). */
export function findOnPath(name: string, env: Env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function readStamp(file: string): BuildStamp | undefined {
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<BuildStamp>;
    if (typeof doc.name !== 'string' || typeof doc.version !== 'string') return undefined;
    const files =
      typeof doc.files === 'object' && doc.files !== null && Object.values(doc.files).every(isFileRecord)
        ? doc.files
        : undefined;
    return {
      name: doc.name,
      version: doc.version,
      goVersion: String(doc.goVersion ?? ''),
      module: String(doc.module ?? ''),
      ...(typeof doc.recipe === 'number' ? { recipe: doc.recipe } : {}),
      ...(typeof doc.moduleSum === 'string' ? { moduleSum: doc.moduleSum } : {}),
      ...(files === undefined ? {} : { files }),
    };
  } catch {
    return undefined;
  }
}

function writeStamp(file: string, stamp: BuildStamp): void {
  writeIfChanged(file, `${JSON.stringify(stamp, null, 2)}\n`);
}

/**
 * absent: build it. unrecorded: a build from before storm recorded hashes.
 * A recorded file whose bytes changed is refused: storm does not run it.
 */
type CachedBuild = 'ready' | 'absent' | 'unrecorded';

function checkCachedBuild(
  layout: CacheLayout,
  stampFile: string,
  version: string,
  paths: readonly string[],
  what: string,
  rebuild: string,
): CachedBuild {
  const stamp = readStamp(stampFile);
  if (stamp?.version !== version || !paths.every(isExecutable)) return 'absent';
  if (stamp.files === undefined) return 'unrecorded';
  let refreshed = false;
  for (const file of paths) {
    const rel = path.relative(layout.cacheDir, file);
    const record = stamp.files[rel];
    if (record === undefined) return 'unrecorded';
    const check = checkFile(file, record);
    if (!check.ok)
      throw new StormError(
        'engine-failed',
        `the cached ${what} ${file} is not the binary storm built: its sha256 is ${check.actual}, storm recorded ${record.sha256} when it built it`,
        { hint: `something changed it after the build; do not use it. Rebuild: ${rebuild}` },
      );
    if (check.refreshed !== undefined) {
      stamp.files[rel] = check.refreshed;
      refreshed = true;
    }
  }
  // Same bytes, new stat (a copied or restored cache): record it so the next run needs no re-hash.
  if (refreshed) writeStamp(stampFile, stamp);
  return 'ready';
}

function cachedTofu(layout: CacheLayout): CachedBuild {
  return checkCachedBuild(
    layout,
    layout.tofuStamp,
    TOFU_VERSION,
    [layout.tofuPath],
    `OpenTofu ${TOFU_VERSION}`,
    `rm -r ${layout.tofuDir} && npx storm doctor (about 6 minutes)`,
  );
}

function cachedProviderReady(layout: CacheLayout): boolean {
  const state = checkCachedBuild(
    layout,
    layout.providerStamp,
    PROVIDER_VERSION,
    layout.providerPaths,
    `terraform-provider-openstack ${PROVIDER_VERSION}`,
    `rm ${layout.providerStamp} && npx storm doctor (about a minute)`,
  );
  // A provider built before this recipe is built again (under a minute): its bytes are not the reviewed ones.
  return state === 'ready' && readStamp(layout.providerStamp)?.recipe === BUILD_RECIPE;
}

/** Runs `<binary> version -json`; undefined when it is not an OpenTofu/Terraform. */
export async function engineVersion(binary: string): Promise<string | undefined> {
  try {
    const res = await runTool(binary, ['version', '-json'], {
      cwd: os.tmpdir(),
      env: { TF_CLI_CONFIG_FILE: '', CHECKPOINT_DISABLE: '1' },
    });
    if (res.exitCode !== 0) return undefined;
    return parseEngineVersionJson(res.stdout);
  } catch {
    return undefined;
  }
}

export interface GoToolchain {
  path: string;
  version: string;
}

export async function findGo(env: Env): Promise<GoToolchain | undefined> {
  const goPath = findOnPath('go', env);
  if (goPath !== undefined) {
    try {
      const res = await runTool(goPath, ['version'], { cwd: os.tmpdir() });
      const version = res.exitCode === 0 ? parseGoVersion(res.stdout) : undefined;
      if (version !== undefined) return { path: goPath, version };
    } catch {
      // not runnable: treated as absent
    }
  }
  return undefined;
}

const INSTALL_GO_HINT =
  `install Go ≥ ${MIN_GO_VERSION} (https://go.dev/dl/, or \`apt-get install golang\`; a tarball install needs /usr/local/go/bin on PATH) so storm can build OpenTofu ${TOFU_VERSION} ` +
  `and terraform-provider-openstack ${PROVIDER_VERSION} once into its cache, or set STORM_TOFU to an OpenTofu/Terraform ≥ ${MIN_ENGINE_VERSION} binary ` +
  '(the provider is still built with go)';

/** What bootstrap would do, without building anything (storm doctor --check). */
export interface EnginePlan {
  cacheDir: string;
  engine:
    | { state: 'found'; source: Exclude<EngineSource, 'built'>; path: string; version: string }
    | { state: 'build'; path: string; version: string };
  /** Engines looked at and why they were passed over. */
  skipped: { path: string; reason: string }[];
  provider: { version: string; mirrorDir: string; state: 'cached' | 'build'; paths: string[] };
  go: GoToolchain | undefined;
  /** Human sentences: what ensureEngine will do next. */
  actions: string[];
}

export async function planEngine(env: Env = process.env): Promise<EnginePlan> {
  const layout = cacheLayout(cacheDirFor(env));
  const skipped: EnginePlan['skipped'] = [];
  const engine = await chooseExistingEngine(env, layout, skipped);
  const providerCached = cachedProviderReady(layout);
  const needGo = engine === undefined || !providerCached;
  const go = await findGo(env);
  const actions: string[] = [];
  if (engine === undefined)
    actions.push(
      `build OpenTofu ${TOFU_VERSION} from ${TOFU_MODULE}@v${TOFU_VERSION} into ${layout.tofuPath} (about 1 min with a warm Go build cache, 5–6 min cold)`,
    );
  else actions.push(`use ${engine.path} (${engine.version}, from ${engine.source})`);
  if (!providerCached)
    actions.push(
      `build terraform-provider-openstack ${PROVIDER_VERSION} into the mirror ${layout.mirrorDir} (about 40 s)`,
    );
  else actions.push(`use the provider ${PROVIDER_VERSION} from the mirror ${layout.mirrorDir}`);
  if (needGo && go === undefined) actions.push(`cannot build: no go found — ${INSTALL_GO_HINT}`);
  return {
    cacheDir: layout.cacheDir,
    engine:
      engine === undefined
        ? { state: 'build', path: layout.tofuPath, version: TOFU_VERSION }
        : { state: 'found', source: engine.source, path: engine.path, version: engine.version },
    skipped,
    provider: {
      version: PROVIDER_VERSION,
      mirrorDir: layout.mirrorDir,
      state: providerCached ? 'cached' : 'build',
      paths: layout.providerPaths,
    },
    go,
    actions,
  };
}

interface FoundEngine {
  source: Exclude<EngineSource, 'built'>;
  path: string;
  version: string;
  /** A cached build from before storm recorded hashes: checked, then recorded, on first use. */
  unrecorded?: true;
}

async function chooseExistingEngine(
  env: Env,
  layout: CacheLayout,
  skipped: EnginePlan['skipped'],
): Promise<FoundEngine | undefined> {
  const explicit = env.STORM_TOFU;
  if (explicit !== undefined && explicit !== '') {
    const resolved = path.resolve(explicit);
    const version = isExecutable(resolved) ? await engineVersion(resolved) : undefined;
    if (version === undefined) {
      throw new StormError('engine-missing', `STORM_TOFU=${explicit} is not a runnable OpenTofu or Terraform binary`, {
        hint: `point STORM_TOFU at an OpenTofu/Terraform ≥ ${MIN_ENGINE_VERSION} executable, or unset it to let storm use or build OpenTofu ${TOFU_VERSION}`,
      });
    }
    if (!atLeast(version, MIN_ENGINE_VERSION)) {
      throw new StormError(
        'engine-missing',
        `STORM_TOFU=${explicit} is version ${version}; storm needs ≥ ${MIN_ENGINE_VERSION}`,
        {
          hint: `upgrade it, or unset STORM_TOFU to let storm use or build OpenTofu ${TOFU_VERSION}`,
        },
      );
    }
    return { source: 'STORM_TOFU', path: resolved, version };
  }
  // Another tofu only when it is the pinned version: a newer one is not what storm was tested with.
  const onPath = findOnPath('tofu', env);
  if (onPath !== undefined) {
    const version = await engineVersion(onPath);
    if (version === TOFU_VERSION) return { source: 'path', path: onPath, version };
    skipped.push({
      path: onPath,
      reason:
        version === undefined
          ? 'does not answer `version -json`'
          : `it is version ${version}, not the pinned ${TOFU_VERSION} (name it in STORM_TOFU to use it)`,
    });
  }
  const cached = cachedTofu(layout);
  if (cached !== 'absent')
    return {
      source: 'cache',
      path: layout.tofuPath,
      version: TOFU_VERSION,
      ...(cached === 'unrecorded' ? { unrecorded: true } : {}),
    };
  return undefined;
}

export interface EnsureOptions {
  env?: Env;
  signal?: AbortSignal;
}

/** Finds or builds the engine and the provider mirror; instant once the cache is filled. */
/** Bootstraps in flight in this process, by cache dir: concurrent callers (several cities) share one. */
const inFlight = new Map<string, Promise<Engine>>();

export async function ensureEngine(progress: Progress, options: EnsureOptions = {}): Promise<Engine> {
  const env = options.env ?? process.env;
  const key = `${cacheDirFor(env)}\0${env.STORM_TOFU ?? ''}\0${env.PATH ?? ''}`;
  const pending = inFlight.get(key);
  if (pending !== undefined) return pending;
  const started = bootstrapEngine(env, progress, options.signal);
  inFlight.set(key, started);
  try {
    return await started;
  } finally {
    inFlight.delete(key);
  }
}

async function bootstrapEngine(env: Env, progress: Progress, signal: AbortSignal | undefined): Promise<Engine> {
  const layout = cacheLayout(cacheDirFor(env));
  const skipped: EnginePlan['skipped'] = [];
  let found = await chooseExistingEngine(env, layout, skipped);
  for (const s of skipped) progress({ kind: 'warning', message: `ignoring ${s.path}: ${s.reason}` });

  if (found === undefined || !cachedProviderReady(layout)) {
    fs.mkdirSync(layout.cacheDir, { recursive: true });
    await withLock(
      layout.lockPath,
      {
        signal,
        onWait: (owner) =>
          progress({
            kind: 'step',
            message: `waiting for another storm process${owner === undefined ? '' : ` (pid ${owner.pid} on ${owner.host})`} that is building the engine into ${layout.cacheDir}`,
          }),
      },
      async () => {
        removeAbandonedBuilds(layout);
        // Whoever held the lock before us may have built everything already.
        const needTofu = found === undefined && cachedTofu(layout) === 'absent';
        const needProvider = !cachedProviderReady(layout);
        if (!needTofu && !needProvider) return;
        const go = await findGo(env);
        if (go === undefined) {
          const what = [
            needTofu ? `OpenTofu ${TOFU_VERSION}` : '',
            needProvider ? `terraform-provider-openstack ${PROVIDER_VERSION}` : '',
          ]
            .filter((s) => s !== '')
            .join(' and ');
          throw new StormError('engine-missing', `storm needs ${what} and cannot build it: no \`go\` on PATH`, {
            hint: INSTALL_GO_HINT,
          });
        }
        if (!atLeast(go.version, MIN_GO_VERSION)) {
          throw new StormError(
            'engine-missing',
            `go ${go.version} is too old to build the engine (storm needs go ≥ ${MIN_GO_VERSION})`,
            { hint: INSTALL_GO_HINT },
          );
        }
        const goEnv = await buildEnvironment(go, env, progress, signal);
        if (needTofu) await buildTofu(go, goEnv, layout, progress, signal);
        if (needProvider) await buildProvider(go, goEnv, layout, progress, signal);
      },
    );
    found ??= { source: 'cache', path: layout.tofuPath, version: TOFU_VERSION };
  }
  if (found.unrecorded === true) await recordEarlierBuild(layout, progress);
  writeIfChanged(layout.cliConfigPath, renderCliConfig(layout.mirrorDir));
  const builtNow = found.source === 'cache' && lastBuilt.has(layout.tofuPath);
  return {
    tofuPath: found.path,
    tofuVersion: found.version,
    source: builtNow ? 'built' : found.source,
    providerVersion: PROVIDER_VERSION,
    providerSource: lastBuilt.has(layout.providerStamp) ? 'built' : 'cache',
    mirrorDir: layout.mirrorDir,
    cliConfigPath: layout.cliConfigPath,
    cacheDir: layout.cacheDir,
  };
}

/** What this process built (tofu path, provider stamp), so the Engine can say `built` rather than `cache`. */
const lastBuilt = new Set<string>();

/** Staging paths left by a build that was killed (its process is gone); only called under the lock. */
function removeAbandonedBuilds(layout: CacheLayout): void {
  for (const dir of [layout.cacheDir, path.dirname(layout.tofuDir)]) {
    let entries: string[];
    try {
      entries = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of entries) {
      const m = /\.tmp-(\d+)-[0-9a-f]{8}$/.exec(name);
      if (m === null || processAlive(Number(m[1]))) continue;
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

function tempSibling(target: string): string {
  return `${target}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
}

function writeIfChanged(file: string, content: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === content) return;
  } catch {
    // missing: write it
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempSibling(file);
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

/** Go builds print nothing for minutes: say every 30 s that the build is still going. */
async function withHeartbeat<T>(what: string, progress: Progress, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    progress({ kind: 'step', message: `still ${what} (${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s)` });
  }, 30_000);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

async function goRun(
  go: GoToolchain,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<string> {
  const res = await runTool(go.path, args, {
    cwd,
    env,
    signal,
    onLine: (line, stream) => {
      if (stream === 'stderr' && line.trim() !== '') progress({ kind: 'detail', message: `go: ${line}` });
    },
  });
  if (res.interrupted) throw new StormError('interrupted', `interrupted while running go ${args[0] ?? ''}`);
  if (res.exitCode !== 0) {
    const tail = res.stderr.trim().split('\n').slice(-15).join('\n');
    throw new StormError('engine-failed', `go ${args.join(' ')} failed (exit ${res.exitCode}):\n${tail}`, {
      hint: 'check that the Go module proxy is reachable (GOPROXY) and that there is disk space; run with --verbose to see the go output',
    });
  }
  return res.stdout;
}

/** Where Go keeps things on this machine: locations only, never what Go trusts. */
const GO_LOCATIONS = ['GOPATH', 'GOMODCACHE', 'GOCACHE', 'GOTMPDIR', 'GOROOT'] as const;

/**
 * The environment storm builds with, whatever the machine's Go settings (its
 * variables and its `go env -w` file): modules come through GOPROXY — the one
 * setting taken from the user (`go env GOPROXY`, e.g. a company mirror), which
 * cannot change what is built because the checksum database and the pinned
 * `h1:` hashes are checked — and every other trust or build setting is storm's.
 */
export function fixedGoEnvironment(
  parent: Env,
  locations: Partial<Record<(typeof GO_LOCATIONS)[number] | 'GOPROXY', string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  // Unset (as empty) every other Go or cgo setting the machine has: GOFLAGS, GONOSUMDB, GOINSECURE, GOEXPERIMENT…
  for (const name of Object.keys(parent))
    if (/^(GO|CGO_)/.test(name) && !(GO_LOCATIONS as readonly string[]).includes(name)) env[name] = '';
  for (const name of GO_LOCATIONS) {
    const value = locations[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  const proxy = locations.GOPROXY;
  Object.assign(env, {
    GOENV: 'off',
    GOFLAGS: '-mod=readonly',
    GOPROXY: proxy === undefined || proxy === '' || proxy === 'off' ? 'https://proxy.golang.org,direct' : proxy,
    GOSUMDB: 'sum.golang.org',
    GONOSUMDB: '',
    GONOSUMCHECK: '',
    GOPRIVATE: '',
    GONOPROXY: '',
    GOINSECURE: '',
    GOVCS: '',
    GOWORK: 'off',
    GOTOOLCHAIN: GO_TOOLCHAIN,
    GOOS: '',
    GOARCH: '',
    CGO_ENABLED: '0',
  });
  return env;
}

async function buildEnvironment(
  go: GoToolchain,
  parent: Env,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<Record<string, string>> {
  const out = await goRun(go, ['env', '-json', ...GO_LOCATIONS, 'GOPROXY'], os.tmpdir(), {}, progress, signal);
  let doc: Record<string, unknown> = {};
  try {
    doc = JSON.parse(out) as Record<string, unknown>;
  } catch {
    throw new StormError('engine-failed', 'go env -json printed something that is not JSON');
  }
  const locations: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc)) if (typeof v === 'string') locations[k] = v;
  return fixedGoEnvironment(parent, locations);
}

/**
 * Downloads a pinned module and checks that what will be built is what the
 * checksum database recorded: the Sum go reports, the source directory itself
 * (re-hashed: the module cache is writable), and its dependencies (`go mod verify`).
 */
async function verifiedModule(
  go: GoToolchain,
  goEnv: Record<string, string>,
  module: string,
  version: string,
  expectedSum: string,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<string> {
  progress({ kind: 'detail', message: `go mod download ${module}@v${version}` });
  const dl = await goRun(
    go,
    ['mod', 'download', '-json', `${module}@v${version}`],
    os.tmpdir(),
    goEnv,
    progress,
    signal,
  );
  const { dir, sum } = moduleFromDownload(dl);
  const onDisk = dirHash1(dir, `${module}@v${version}`);
  for (const [what, got] of [
    ['the module proxy answered', sum],
    [`the source in ${dir} hashes to`, onDisk],
  ] as const) {
    if (got !== expectedSum)
      throw new StormError(
        'engine-failed',
        `${module}@v${version}: ${what} ${got ?? '(no hash)'}, storm pins ${expectedSum}; not building it`,
        {
          hint: `the module differs from the one the Go checksum database records; remove it (go clean -modcache, or chmod -R u+w ${dir} && rm -r ${dir}) and run again`,
        },
      );
  }
  progress({ kind: 'detail', message: `${module}@v${version} matches ${expectedSum}; verifying its dependencies` });
  await goRun(go, ['mod', 'verify'], dir, goEnv, progress, signal);
  return dir;
}

async function buildTofu(
  go: GoToolchain,
  goEnv: Record<string, string>,
  layout: CacheLayout,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<void> {
  const started = Date.now();
  progress({
    kind: 'step',
    message: `building OpenTofu ${TOFU_VERSION} with ${GO_TOOLCHAIN} (one time; about 1 min with a warm Go build cache, 5–6 min cold)`,
  });
  const dir = await verifiedModule(go, goEnv, TOFU_MODULE, TOFU_VERSION, TOFU_MODULE_SUM, progress, signal);
  fs.mkdirSync(path.dirname(layout.tofuDir), { recursive: true });
  const staging = tempSibling(layout.tofuDir);
  fs.mkdirSync(staging, { recursive: true });
  try {
    // Built inside the module's own directory so its go.mod `replace` directives apply
    // (`go install pkg@version` refuses modules that have them).
    await withHeartbeat(`building OpenTofu ${TOFU_VERSION}`, progress, () =>
      goRun(
        go,
        [
          'build',
          '-trimpath',
          '-buildvcs=false',
          '-ldflags',
          TOFU_LDFLAGS,
          '-o',
          path.join(staging, 'tofu'),
          './cmd/tofu',
        ],
        dir,
        goEnv,
        progress,
        signal,
      ),
    );
    const version = await engineVersion(path.join(staging, 'tofu'));
    if (version !== TOFU_VERSION)
      throw new StormError(
        'engine-failed',
        `the OpenTofu build reports version ${version ?? '(none)'}, expected ${TOFU_VERSION}`,
      );
    fs.rmSync(layout.tofuDir, { recursive: true, force: true });
    fs.renameSync(staging, layout.tofuDir);
    writeStamp(layout.tofuStamp, {
      name: 'opentofu',
      version: TOFU_VERSION,
      goVersion: GO_TOOLCHAIN,
      module: `${TOFU_MODULE}@v${TOFU_VERSION}`,
      recipe: BUILD_RECIPE,
      moduleSum: TOFU_MODULE_SUM,
      files: { [path.relative(layout.cacheDir, layout.tofuPath)]: recordFile(layout.tofuPath) },
    });
    lastBuilt.add(layout.tofuPath);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  progress({
    kind: 'step',
    message: `built OpenTofu ${TOFU_VERSION} in ${Math.round((Date.now() - started) / 1000)}s → ${layout.tofuPath}`,
  });
}

/**
 * A cached OpenTofu built before storm recorded hashes: it must still say it
 * is the pinned version; its sha256 is recorded from now on (a rebuild costs
 * six minutes, and from here on any change to it is refused).
 */
async function recordEarlierBuild(layout: CacheLayout, progress: Progress): Promise<void> {
  const version = await engineVersion(layout.tofuPath);
  if (version !== TOFU_VERSION)
    throw new StormError(
      'engine-failed',
      `the cached ${layout.tofuPath} reports version ${version ?? '(none)'}, not the pinned ${TOFU_VERSION}`,
      { hint: `rm -r ${layout.tofuDir} && npx storm doctor (about 6 minutes)` },
    );
  const stamp = readStamp(layout.tofuStamp);
  if (stamp === undefined) return;
  writeStamp(layout.tofuStamp, {
    ...stamp,
    files: { [path.relative(layout.cacheDir, layout.tofuPath)]: recordFile(layout.tofuPath) },
  });
  progress({
    kind: 'warning',
    message: `recorded the sha256 of ${layout.tofuPath}, built before storm recorded hashes; from now on a changed binary is refused (rebuild with the current recipe: rm -r ${layout.tofuDir} && npx storm doctor)`,
  });
}

async function buildProvider(
  go: GoToolchain,
  goEnv: Record<string, string>,
  layout: CacheLayout,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<void> {
  const started = Date.now();
  progress({
    kind: 'step',
    message: `building terraform-provider-openstack ${PROVIDER_VERSION} with ${GO_TOOLCHAIN} (one time; about 40 s with a warm Go build cache)`,
  });
  const dir = await verifiedModule(go, goEnv, PROVIDER_MODULE, PROVIDER_VERSION, PROVIDER_MODULE_SUM, progress, signal);
  const staging = tempSibling(path.join(layout.cacheDir, 'provider-build'));
  fs.mkdirSync(staging, { recursive: true });
  try {
    const [first, ...others] = layout.providerPaths;
    if (first === undefined) throw new StormError('internal', 'no provider mirror path');
    // Named as in the mirror, so the package hash below is the one tofu computes.
    const built = path.join(staging, path.basename(first));
    await withHeartbeat(`building terraform-provider-openstack ${PROVIDER_VERSION}`, progress, () =>
      goRun(go, ['build', '-trimpath', '-buildvcs=false', '-o', built, '.'], dir, goEnv, progress, signal),
    );
    if (!isExecutable(built)) throw new StormError('engine-failed', `go build did not produce ${built}`);
    const packageHash = providerPackageHash(staging);
    const reviewed = reviewedProviderHash(goPlatform());
    if (reviewed !== undefined && packageHash !== reviewed)
      throw new StormError(
        'engine-failed',
        `the provider storm built hashes to ${packageHash}, the reviewed lock (src/engine/provider.lock.hcl) says ${reviewed}; not using it`,
        {
          hint: `the build is not reproducing the reviewed bytes; check that go can fetch the ${GO_TOOLCHAIN} toolchain through the proxy`,
        },
      );
    fs.mkdirSync(path.dirname(first), { recursive: true });
    const tmp = tempSibling(first);
    fs.renameSync(built, tmp);
    fs.renameSync(tmp, first);
    for (const other of others) {
      fs.mkdirSync(path.dirname(other), { recursive: true });
      const otherTmp = tempSibling(other);
      try {
        fs.linkSync(first, otherTmp);
      } catch {
        fs.copyFileSync(first, otherTmp);
        fs.chmodSync(otherTmp, 0o755);
      }
      fs.renameSync(otherTmp, other);
    }
    // Recorded after every link: a new link changes the file's ctime.
    writeStamp(layout.providerStamp, {
      name: 'terraform-provider-openstack',
      version: PROVIDER_VERSION,
      goVersion: GO_TOOLCHAIN,
      module: `${PROVIDER_MODULE}@v${PROVIDER_VERSION}`,
      recipe: BUILD_RECIPE,
      moduleSum: PROVIDER_MODULE_SUM,
      files: Object.fromEntries(layout.providerPaths.map((p) => [path.relative(layout.cacheDir, p), recordFile(p)])),
    });
    lastBuilt.add(layout.providerStamp);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  progress({
    kind: 'step',
    message: `built terraform-provider-openstack ${PROVIDER_VERSION} in ${Math.round((Date.now() - started) / 1000)}s → ${layout.mirrorDir}`,
  });
}

/** `go mod download -json` prints one JSON object; its Dir is the extracted module, its Sum the module's h1 hash. */
export function moduleFromDownload(stdout: string): { dir: string; sum: string | undefined } {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new StormError('engine-failed', 'go mod download -json printed something that is not JSON');
  }
  const rec = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  if (typeof rec.Error === 'string') throw new StormError('engine-failed', `go mod download failed: ${rec.Error}`);
  if (typeof rec.Dir !== 'string' || rec.Dir === '')
    throw new StormError('engine-failed', 'go mod download -json did not report a module directory (Dir)');
  return { dir: rec.Dir, sum: typeof rec.Sum === 'string' ? rec.Sum : undefined };
}
