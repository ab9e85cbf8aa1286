/**
 * Engine bootstrap: finds or builds the OpenTofu binary and always provides
 * storm's own build of terraform-provider-openstack through a filesystem mirror.
 *
 * Engine order: STORM_TOFU (a path; a `terraform` works too) → `tofu` ≥ 1.8 on
 * PATH → storm's pinned build in the cache → build it with the machine's `go`.
 * Builds happen under a cache lock, into a temp path in the same directory, and
 * are renamed into place, so concurrent storm processes never see half a binary;
 * a stamp file makes the next run instant (no exec of go or tofu).
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
import {
  MIN_ENGINE_VERSION,
  MIN_GO_VERSION,
  PROVIDER_HOSTS,
  PROVIDER_MODULE,
  PROVIDER_NAMESPACE,
  PROVIDER_TYPE,
  PROVIDER_VERSION,
  TOFU_LDFLAGS,
  TOFU_MODULE,
  TOFU_VERSION,
} from '../pins';
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

interface BuildStamp {
  name: string;
  version: string;
  goVersion: string;
  module: string;
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
    return {
      name: doc.name,
      version: doc.version,
      goVersion: String(doc.goVersion ?? ''),
      module: String(doc.module ?? ''),
    };
  } catch {
    return undefined;
  }
}

function cachedTofuReady(layout: CacheLayout): boolean {
  return isExecutable(layout.tofuPath) && readStamp(layout.tofuStamp)?.version === TOFU_VERSION;
}

function cachedProviderReady(layout: CacheLayout): boolean {
  return layout.providerPaths.every(isExecutable) && readStamp(layout.providerStamp)?.version === PROVIDER_VERSION;
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
        : { state: 'found', ...engine },
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
  const onPath = findOnPath('tofu', env);
  if (onPath !== undefined) {
    const version = await engineVersion(onPath);
    if (version !== undefined && atLeast(version, MIN_ENGINE_VERSION)) return { source: 'path', path: onPath, version };
    skipped.push({
      path: onPath,
      reason: version === undefined ? 'does not answer `version -json`' : `version ${version} < ${MIN_ENGINE_VERSION}`,
    });
  }
  if (cachedTofuReady(layout)) return { source: 'cache', path: layout.tofuPath, version: TOFU_VERSION };
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
        const needTofu = found === undefined && !cachedTofuReady(layout);
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
        if (needTofu) await buildTofu(go, layout, progress, signal);
        if (needProvider) await buildProvider(go, layout, progress, signal);
      },
    );
    found ??= { source: 'cache', path: layout.tofuPath, version: TOFU_VERSION };
  }
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

async function buildTofu(
  go: GoToolchain,
  layout: CacheLayout,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<void> {
  const started = Date.now();
  progress({
    kind: 'step',
    message: `building OpenTofu ${TOFU_VERSION} with go ${go.version} (one time; about 1 min with a warm Go build cache, 5–6 min cold)`,
  });
  progress({ kind: 'detail', message: `go mod download ${TOFU_MODULE}@v${TOFU_VERSION}` });
  const dl = await goRun(
    go,
    ['mod', 'download', '-json', `${TOFU_MODULE}@v${TOFU_VERSION}`],
    os.tmpdir(),
    {},
    progress,
    signal,
  );
  const dir = moduleDirFromDownload(dl);
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
        {},
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
    const stamp: BuildStamp = {
      name: 'opentofu',
      version: TOFU_VERSION,
      goVersion: go.version,
      module: `${TOFU_MODULE}@v${TOFU_VERSION}`,
    };
    fs.writeFileSync(path.join(staging, 'stamp.json'), `${JSON.stringify(stamp, null, 2)}\n`);
    fs.rmSync(layout.tofuDir, { recursive: true, force: true });
    fs.renameSync(staging, layout.tofuDir);
    lastBuilt.add(layout.tofuPath);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  progress({
    kind: 'step',
    message: `built OpenTofu ${TOFU_VERSION} in ${Math.round((Date.now() - started) / 1000)}s → ${layout.tofuPath}`,
  });
}

async function buildProvider(
  go: GoToolchain,
  layout: CacheLayout,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<void> {
  const started = Date.now();
  progress({
    kind: 'step',
    message: `building terraform-provider-openstack ${PROVIDER_VERSION} with go ${go.version} (one time; about 40 s with a warm Go build cache)`,
  });
  const staging = tempSibling(path.join(layout.cacheDir, 'provider-build'));
  fs.mkdirSync(staging, { recursive: true });
  try {
    await withHeartbeat(`building terraform-provider-openstack ${PROVIDER_VERSION}`, progress, () =>
      goRun(
        go,
        ['install', `${PROVIDER_MODULE}@v${PROVIDER_VERSION}`],
        os.tmpdir(),
        { GOBIN: staging },
        progress,
        signal,
      ),
    );
    const built = path.join(staging, `terraform-provider-${PROVIDER_TYPE}`);
    if (!isExecutable(built)) throw new StormError('engine-failed', `go install did not produce ${built}`);
    const [first, ...others] = layout.providerPaths;
    if (first === undefined) throw new StormError('internal', 'no provider mirror path');
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
    const stamp: BuildStamp = {
      name: 'terraform-provider-openstack',
      version: PROVIDER_VERSION,
      goVersion: go.version,
      module: `${PROVIDER_MODULE}@v${PROVIDER_VERSION}`,
    };
    writeIfChanged(layout.providerStamp, `${JSON.stringify(stamp, null, 2)}\n`);
    lastBuilt.add(layout.providerStamp);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  progress({
    kind: 'step',
    message: `built terraform-provider-openstack ${PROVIDER_VERSION} in ${Math.round((Date.now() - started) / 1000)}s → ${layout.mirrorDir}`,
  });
}

/** `go mod download -json` prints one JSON object; its Dir is the extracted module. */
export function moduleDirFromDownload(stdout: string): string {
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
  return rec.Dir;
}
