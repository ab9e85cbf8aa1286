/**
 * Lifecycle of the sandbox as a background process of a project: start
 * (foreground in this process, or detached), status, request log, stop, reset,
 * and ensureSandbox for commands that target the cloud `sandbox`.
 *
 * Files in <project>/.storm/sandbox/: sandbox.sqlite (state), blobs/ (bytes),
 * requests.log (JSON lines), sandbox.pid (JSON: pid, url, settings), sandbox.out
 * (the detached process's stdout/stderr).
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { StormError } from '../errors';
import { processAlive } from '../process-alive';
import { ensurePrivateFolder } from '../private-files';
import type { Progress } from '../progress';
import { FaultSpecError, parseFaultSpec } from './core/faults';
import { BLOB_DIR, DATABASE_FILE, DEFAULT_PORT, REQUEST_LOG_FILE } from './core/layout';
import { LOGINS_FILE, type SandboxLogins, readLogins } from './core/logins';
import { sandboxCaFile } from './core/tls';
import type { RequestLogEntry } from './server';
import { httpFetch } from '../http-fetch';

export const PID_FILE = 'sandbox.pid';
/** Just the port, for scripts (`curl 127.0.0.1:$(cat .storm/sandbox/sandbox.port)`). */
export const PORT_FILE = 'sandbox.port';
export const OUT_FILE = 'sandbox.out';
export const SANDBOX_CLOUD = 'sandbox';
const READY_TIMEOUT_MS = 15_000;

export interface SandboxSettings {
  port: number;
  host: string;
  statusDelayMs: number;
  tokenTtlSeconds: number;
  faults: string;
  faultSeed: number | undefined;
  /** HTTPS with the sandbox's own CA (<data>/tls/ca.pem); absent in pid files of older sandboxes. */
  tls?: boolean;
}

export const DEFAULT_SETTINGS: SandboxSettings = {
  port: DEFAULT_PORT,
  host: '127.0.0.1',
  statusDelayMs: 300,
  tokenTtlSeconds: 3600,
  faults: '',
  faultSeed: undefined,
};

interface PidFile {
  pid: number;
  url: string;
  startedAt: string;
  detached: boolean;
  settings: SandboxSettings;
}

export interface ConnectionInfo {
  url: string;
  authUrl: string;
  /** Passwords of the seeded users admin and demo (<data>/logins.json). */
  logins: SandboxLogins;
  /** A clouds.yaml document with the cloud `sandbox`. */
  cloudsYamlEntry: string;
  /** OS_* variables for the admin user. */
  env: Record<string, string>;
  /** The CA certificate a client must trust, when the sandbox serves HTTPS. */
  cacert?: string;
}

export interface SandboxStatus {
  running: boolean;
  /** The process answered GET /identity/v3 (only when running). */
  answering?: boolean;
  dataDir: string;
  pid?: number;
  url?: string;
  startedAt?: string;
  uptimeSeconds?: number;
  settings?: SandboxSettings;
  /** Documents per kind (network.network: 3, ...), also when stopped. */
  counts: Record<string, number>;
}

export function sandboxDataDir(cwd: string): string {
  return path.join(cwd, '.storm', 'sandbox');
}

/** The connection to the sandbox of this data directory, with its own passwords. */
function connectionFor(dataDir: string, url: string): ConnectionInfo {
  const logins = readLogins(dataDir);
  if (logins === undefined)
    throw new StormError('sandbox', `the sandbox at ${url} has no ${path.join(dataDir, LOGINS_FILE)}`, {
      hint: 'it was started by an older storm: restart it with `storm sandbox down`, then `storm sandbox up`',
    });
  return connectionInfo(url, logins, 'RegionOne', url.startsWith('https:') ? sandboxCaFile(dataDir) : undefined);
}

export function connectionInfo(
  url: string,
  logins: SandboxLogins,
  region = 'RegionOne',
  cacert?: string,
): ConnectionInfo {
  const authUrl = `${url}/identity/v3`;
  const cloudsYamlEntry = [
    'clouds:',
    `  ${SANDBOX_CLOUD}:`,
    '    auth:',
    `      auth_url: ${authUrl}`,
    '      username: admin',
    `      password: ${logins.admin}`,
    '      project_name: admin',
    '      user_domain_name: Default',
    '      project_domain_name: Default',
    `    region_name: ${region}`,
    '    interface: public',
    '    identity_api_version: 3',
    ...(cacert === undefined ? [] : [`    cacert: ${cacert}`]),
    '',
  ].join('\n');
  return {
    url,
    authUrl,
    logins,
    cloudsYamlEntry,
    env: {
      OS_AUTH_URL: authUrl,
      OS_USERNAME: 'admin',
      OS_PASSWORD: logins.admin,
      OS_PROJECT_NAME: 'admin',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      OS_REGION_NAME: region,
      OS_IDENTITY_API_VERSION: '3',
      OS_INTERFACE: 'public',
      ...(cacert === undefined ? {} : { OS_CACERT: cacert }),
    },
    ...(cacert === undefined ? {} : { cacert }),
  };
}

function readPidFile(dataDir: string): PidFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, PID_FILE), 'utf8')) as PidFile;
  } catch {
    return undefined;
  }
}

function writeRunFiles(dataDir: string, pf: PidFile): void {
  fs.writeFileSync(path.join(dataDir, PID_FILE), `${JSON.stringify(pf)}\n`);
  fs.writeFileSync(path.join(dataDir, PORT_FILE), `${new URL(pf.url).port}\n`);
}

function removeRunFiles(dataDir: string): void {
  fs.rmSync(path.join(dataDir, PID_FILE), { force: true });
  fs.rmSync(path.join(dataDir, PORT_FILE), { force: true });
}

/** The pid is alive and still a sandbox process (not a recycled pid). */
function isSandboxProcess(pid: number): boolean {
  if (!processAlive(pid)) return false;
  if (pid === process.pid) return true;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('sandbox') || cmdline.includes('storm');
  } catch {
    // No /proc (macOS): trust the liveness check.
    return true;
  }
}

async function probe(url: string, dataDir: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const ca = url.startsWith('https:') ? fs.readFileSync(sandboxCaFile(dataDir), 'utf8') : undefined;
    const res = await httpFetch(`${url}/identity/v3`, {
      signal: AbortSignal.timeout(timeoutMs),
      ...(ca === undefined ? {} : { tls: { ca } }),
    });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** The pid file of a live sandbox process of this project (a stale one is removed). */
function alivePidFile(dataDir: string): PidFile | undefined {
  const pf = readPidFile(dataDir);
  if (pf === undefined) return undefined;
  if (!isSandboxProcess(pf.pid)) {
    removeRunFiles(dataDir);
    return undefined;
  }
  return pf;
}

/**
 * The running sandbox of this project, if any. A live process that does not
 * answer (a loaded machine) gets a few seconds; after that it is an error
 * rather than a reason to start a second server on the same data.
 */
async function running(dataDir: string): Promise<PidFile | undefined> {
  const pf = alivePidFile(dataDir);
  if (pf === undefined) return undefined;
  for (let attempt = 0; attempt < 3; attempt += 1) if (await probe(pf.url, dataDir, 2000)) return pf;
  if (!isSandboxProcess(pf.pid)) return undefined;
  throw new StormError('sandbox', `the sandbox (pid ${pf.pid}) is running but does not answer at ${pf.url}`, {
    hint: 'stop it with `storm sandbox down`, then start it again',
  });
}

async function countsOf(dataDir: string): Promise<Record<string, number>> {
  if (!fs.existsSync(path.join(dataDir, DATABASE_FILE))) return {};
  const { SqliteStore } = await import('./core/store.js');
  const store = new SqliteStore(dataDir);
  try {
    return store.countsByKind();
  } finally {
    store.close();
  }
}

export async function sandboxStatus(opts: { cwd: string }): Promise<SandboxStatus> {
  const dataDir = sandboxDataDir(opts.cwd);
  const pf = alivePidFile(dataDir);
  const counts = await countsOf(dataDir);
  if (pf === undefined) return { running: false, dataDir, counts };
  return {
    running: true,
    answering: await probe(pf.url, dataDir, 2000),
    dataDir,
    pid: pf.pid,
    url: pf.url,
    startedAt: pf.startedAt,
    uptimeSeconds: Math.round((Date.now() - Date.parse(pf.startedAt)) / 1000),
    settings: pf.settings,
    counts,
  };
}

function checkSettings(s: SandboxSettings): void {
  if (!Number.isInteger(s.port) || s.port < 0 || s.port > 65535)
    throw new StormError('usage', `--port ${s.port} is not a TCP port`, {
      hint: 'use a number between 1 and 65535 (0 picks a free one)',
    });
  try {
    parseFaultSpec(s.faults);
  } catch (e) {
    if (e instanceof FaultSpecError)
      throw new StormError('usage', e.message, {
        hint: 'see src/sandbox/SPEC.md "Fault injection" for the grammar, e.g. compute:503@0.1,*:latency=50ms',
      });
    throw e;
  }
}

/** Where the compiled process entry is (control.ts may run from src/ under the test runner). */
function mainScript(): string {
  const here = path.join(__dirname, 'main.js');
  if (fs.existsSync(here)) return here;
  return path.resolve(__dirname, '..', '..', 'dist', 'sandbox', 'main.js');
}

function processArgs(dataDir: string, s: SandboxSettings): string[] {
  const args = [
    '--port',
    String(s.port),
    '--host',
    s.host,
    '--data',
    dataDir,
    '--delay-ms',
    String(s.statusDelayMs),
    '--token-ttl',
    String(s.tokenTtlSeconds),
    '--faults',
    s.faults,
  ];
  if (s.faultSeed !== undefined) args.push('--fault-seed', String(s.faultSeed));
  if (s.tls === true) args.push('--tls');
  return args;
}

/**
 * The sandbox attached to its caller, stdout piped: the benchmark (bench.ts) reads its
 * ready line and times its start-up, then stops it.
 */
export function spawnAttached(mainJs: string, args: readonly string[]): ChildProcessByStdio<null, Readable, null> {
  return spawn(process.execPath, [mainJs, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/**
 * The place storm spawns the sandbox it serves from: a detached node running
 * dist/sandbox/main.js in its own process group, output to sandbox.out.
 * (engine/tofu.ts's runTool waits for its child to end, which a server never does.)
 */
function spawnDetached(dataDir: string, s: SandboxSettings): number {
  const out = fs.openSync(path.join(dataDir, OUT_FILE), 'a');
  try {
    const env = { ...process.env };
    // Faults come from the settings only, never inherited by accident.
    delete env.STORM_SANDBOX_FAULTS;
    delete env.STORM_SANDBOX_FAULT_SEED;
    const child = spawn(process.execPath, [mainScript(), ...processArgs(dataDir, s)], {
      detached: true,
      stdio: ['ignore', out, out],
      env,
    });
    child.unref();
    if (child.pid === undefined) throw new StormError('sandbox', 'could not start the sandbox process');
    return child.pid;
  } finally {
    fs.closeSync(out);
  }
}

/** The ready line main.ts printed (it carries the real port when --port 0 was asked). */
function readyLine(dataDir: string, pid: number): { url: string } | undefined {
  let text = '';
  try {
    text = fs.readFileSync(path.join(dataDir, OUT_FILE), 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const doc = JSON.parse(line) as { ready?: boolean; pid?: number; url?: string };
      if (doc.ready === true && doc.pid === pid && typeof doc.url === 'string') return { url: doc.url };
    } catch {
      // not ours
    }
  }
  return undefined;
}

function lastLines(file: string, n: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

async function portInUse(host: string, port: number): Promise<boolean> {
  if (port === 0) return false;
  return probeTcp(host, port);
}

async function probeTcp(host: string, port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface StartResult extends ConnectionInfo {
  pid: number;
  alreadyRunning: boolean;
  dataDir: string;
}

/** Starts the sandbox as a detached process and returns once it answers. */
export async function startDetached(opts: {
  cwd: string;
  settings?: Partial<SandboxSettings>;
  progress: Progress;
}): Promise<StartResult> {
  const dataDir = sandboxDataDir(opts.cwd);
  const settings: SandboxSettings = { ...DEFAULT_SETTINGS, ...opts.settings };
  checkSettings(settings);
  ensurePrivateFolder(dataDir);
  // Two commands starting the same project's sandbox at once: the second waits and reuses the first.
  const release = await takeStartLock(dataDir);
  try {
    return await startDetachedLocked(opts, dataDir, settings);
  } finally {
    release();
  }
}

const START_LOCK = 'sandbox.start.lock';

async function takeStartLock(dataDir: string): Promise<() => void> {
  const file = path.join(dataDir, START_LOCK);
  const deadline = Date.now() + READY_TIMEOUT_MS + 5000;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(fs.readFileSync(file, 'utf8'));
      // A lock left by a process that died is stale.
      if (!Number.isInteger(holder) || !processAlive(holder) || Date.now() > deadline) fs.rmSync(file, { force: true });
      else await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function startDetachedLocked(
  opts: { cwd: string; progress: Progress },
  dataDir: string,
  settings: SandboxSettings,
): Promise<StartResult> {
  const existing = await running(dataDir);
  if (existing !== undefined)
    return { ...connectionFor(dataDir, existing.url), pid: existing.pid, alreadyRunning: true, dataDir };
  if (await portInUse(settings.host, settings.port)) {
    throw new StormError('sandbox', `port ${settings.port} on ${settings.host} is already in use by another program`, {
      hint: 'choose another with --port N (or --port 0 for any free port)',
    });
  }
  opts.progress({
    kind: 'step',
    message: `starting the sandbox (data in ${path.relative(opts.cwd, dataDir) || dataDir})`,
  });
  const t0 = Date.now();
  const pid = spawnDetached(dataDir, settings);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const ready = readyLine(dataDir, pid);
    if (ready !== undefined && (await probe(ready.url, dataDir))) {
      const pf: PidFile = {
        pid,
        url: ready.url,
        startedAt: new Date().toISOString(),
        detached: true,
        settings: { ...settings, port: Number(new URL(ready.url).port) },
      };
      writeRunFiles(dataDir, pf);
      opts.progress({ kind: 'detail', message: `sandbox ready in ${Date.now() - t0} ms (pid ${pid})` });
      return { ...connectionFor(dataDir, ready.url), pid, alreadyRunning: false, dataDir };
    }
    if (!processAlive(pid) || Date.now() > deadline) {
      if (processAlive(pid)) killGroup(pid, 'SIGKILL');
      const tail = lastLines(path.join(dataDir, OUT_FILE), 5);
      throw new StormError('sandbox', `the sandbox did not start${tail === '' ? '' : `:\n${tail}`}`, {
        hint: `see ${path.join(dataDir, OUT_FILE)}`,
      });
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface ForegroundHandle extends ConnectionInfo {
  pid: number;
  dataDir: string;
  faultSeed: number;
  /** Resolves once the server has stopped (after the signal aborts). */
  done: Promise<void>;
}

/** Runs the sandbox inside this process until `signal` aborts. */
export async function startForeground(opts: {
  cwd: string;
  settings?: Partial<SandboxSettings>;
  signal: AbortSignal;
  progress: Progress;
}): Promise<ForegroundHandle> {
  const dataDir = sandboxDataDir(opts.cwd);
  const settings: SandboxSettings = { ...DEFAULT_SETTINGS, ...opts.settings };
  checkSettings(settings);
  const existing = await running(dataDir);
  if (existing !== undefined) {
    throw new StormError(
      'sandbox',
      `the sandbox of this project is already running (pid ${existing.pid}, ${existing.url})`,
      { hint: 'stop it with `storm sandbox down`, or use it as it is' },
    );
  }
  if (await portInUse(settings.host, settings.port)) {
    throw new StormError('sandbox', `port ${settings.port} on ${settings.host} is already in use by another program`, {
      hint: 'choose another with --port N (or --port 0 for any free port)',
    });
  }
  // Loaded here only: finding or starting a detached sandbox needs neither fastify nor SQLite.
  const { createSandbox } = await import('./server.js');
  const sandbox = await createSandbox({
    port: settings.port,
    host: settings.host,
    dataDir,
    statusDelayMs: settings.statusDelayMs,
    tokenTtlSeconds: settings.tokenTtlSeconds,
    faults: settings.faults,
    ...(settings.faultSeed === undefined ? {} : { faultSeed: settings.faultSeed }),
    tls: settings.tls === true,
    log: (line) => opts.progress({ kind: 'warning', message: line }),
  });
  const pf: PidFile = {
    pid: process.pid,
    url: sandbox.url,
    startedAt: new Date().toISOString(),
    detached: false,
    settings,
  };
  writeRunFiles(dataDir, pf);
  const done = new Promise<void>((resolve) => {
    const stop = (): void => {
      void sandbox.close().finally(() => {
        const now = readPidFile(dataDir);
        if (now?.pid === process.pid) removeRunFiles(dataDir);
        resolve();
      });
    };
    if (opts.signal.aborted) stop();
    else opts.signal.addEventListener('abort', stop, { once: true });
  });
  return {
    ...connectionInfo(sandbox.url, sandbox.logins, 'RegionOne', sandbox.caFile),
    pid: process.pid,
    dataDir,
    faultSeed: sandbox.faultSeed,
    done,
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Detached children lead their own process group: take the whole group.
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export interface StopResult {
  stopped: boolean;
  pid?: number;
}

/** Stops the project's sandbox (SIGTERM, then SIGKILL after 5 s) and removes its pid file. */
export async function stopSandbox(opts: { cwd: string; progress: Progress }): Promise<StopResult> {
  const dataDir = sandboxDataDir(opts.cwd);
  const pf = readPidFile(dataDir);
  if (pf === undefined || !isSandboxProcess(pf.pid)) {
    removeRunFiles(dataDir);
    return { stopped: false };
  }
  if (pf.pid === process.pid) throw new StormError('sandbox', 'the sandbox runs in this very process');
  opts.progress({ kind: 'step', message: `stopping the sandbox (pid ${pf.pid})` });
  if (pf.detached) killGroup(pf.pid, 'SIGTERM');
  else process.kill(pf.pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (processAlive(pf.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  if (processAlive(pf.pid)) {
    opts.progress({ kind: 'warning', message: `pid ${pf.pid} ignored SIGTERM; killing it` });
    if (pf.detached) killGroup(pf.pid, 'SIGKILL');
    else process.kill(pf.pid, 'SIGKILL');
    while (processAlive(pf.pid)) await new Promise((r) => setTimeout(r, 25));
  }
  removeRunFiles(dataDir);
  return { stopped: true, pid: pf.pid };
}

export interface ResetResult {
  /** It was running and was started again (same settings) on a fresh seed. */
  restarted: boolean;
  url?: string;
}

/** Empties the sandbox back to its seed: state and bytes go; the request log stays. */
export async function resetSandbox(opts: { cwd: string; progress: Progress }): Promise<ResetResult> {
  const dataDir = sandboxDataDir(opts.cwd);
  const pf = alivePidFile(dataDir);
  const wasRunning = pf !== undefined;
  if (wasRunning && pf?.detached === false) {
    throw new StormError('sandbox', `the sandbox is running in the foreground (pid ${pf.pid})`, {
      hint: 'stop it (Ctrl-C in its terminal), then run `storm sandbox reset`',
    });
  }
  if (wasRunning) await stopSandbox(opts);
  opts.progress({ kind: 'step', message: 'emptying the sandbox back to its seed' });
  for (const f of [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`])
    fs.rmSync(path.join(dataDir, f), { force: true });
  fs.rmSync(path.join(dataDir, BLOB_DIR), { recursive: true, force: true });
  if (!wasRunning || pf === undefined) return { restarted: false };
  const started = await startDetached({ cwd: opts.cwd, settings: pf.settings, progress: opts.progress });
  return { restarted: true, url: started.url };
}

/** Reads the request log; with `follow`, keeps delivering new entries until the signal aborts. */
export async function readRequestLog(opts: {
  cwd: string;
  follow: boolean;
  signal?: AbortSignal;
  tail?: number;
  onEntry: (e: RequestLogEntry) => void;
}): Promise<number> {
  const file = path.join(sandboxDataDir(opts.cwd), REQUEST_LOG_FILE);
  let offset = 0;
  let carry = '';
  let count = 0;
  const drain = (first: boolean): void => {
    let size = 0;
    try {
      size = fs.statSync(file).size;
    } catch {
      return;
    }
    if (size < offset) offset = 0; // truncated or replaced
    if (size === offset) return;
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(size - offset);
      fs.readSync(fd, buf, 0, buf.length, offset);
      offset = size;
      const lines = (carry + buf.toString('utf8')).split('\n');
      carry = lines.pop() ?? '';
      const chosen = first && opts.tail !== undefined ? lines.slice(-opts.tail) : lines;
      for (const line of chosen) {
        if (line.trim() === '') continue;
        try {
          opts.onEntry(JSON.parse(line) as RequestLogEntry);
          count += 1;
        } catch {
          // a torn line from a crash: skip it
        }
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  drain(true);
  if (!opts.follow) return count;
  while (opts.signal?.aborted !== true) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 200);
      opts.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
    drain(false);
  }
  return count;
}

/** STORM_SANDBOX_FAULTS / STORM_SANDBOX_FAULT_SEED, for sandboxes started on demand. */
export function faultsFromEnvironment(env: NodeJS.ProcessEnv): Partial<SandboxSettings> {
  const out: Partial<SandboxSettings> = {};
  if (env.STORM_SANDBOX_FAULTS !== undefined && env.STORM_SANDBOX_FAULTS !== '') out.faults = env.STORM_SANDBOX_FAULTS;
  const seed = Number(env.STORM_SANDBOX_FAULT_SEED);
  if (env.STORM_SANDBOX_FAULT_SEED !== undefined && Number.isInteger(seed) && seed >= 0) out.faultSeed = seed;
  return out;
}

/**
 * For commands that target the cloud `sandbox`: the running sandbox of this
 * project, started (detached) when it is not running.
 */
export async function ensureSandbox(opts: {
  cwd: string;
  progress: Progress;
  settings?: Partial<SandboxSettings>;
}): Promise<ConnectionInfo & { started: boolean }> {
  const dataDir = sandboxDataDir(opts.cwd);
  const existing = await running(dataDir);
  if (existing !== undefined) return { ...connectionFor(dataDir, existing.url), started: false };
  const settings: Partial<SandboxSettings> = { ...faultsFromEnvironment(process.env), ...opts.settings };
  // 8800 taken by something else: any free port rather than failing.
  if (settings.port === undefined && (await portInUse(DEFAULT_SETTINGS.host, DEFAULT_PORT))) settings.port = 0;
  const started = await startDetached({ cwd: opts.cwd, settings, progress: opts.progress });
  return { ...connectionFor(dataDir, started.url), started: true };
}
