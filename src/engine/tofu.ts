/**
 * The one door to subprocesses: execa is imported here and nowhere else.
 *
 * - runTofu runs the engine with an environment storm controls: an allow-list of
 *   the caller's variables plus OS_* (cloud credentials reach tofu only this way),
 *   TF_CLI_CONFIG_FILE always set to storm's generated CLI config (the machine's
 *   own value is never inherited), and -input=false wherever tofu accepts it.
 * - runTool runs any other program (go, git, ...) with the caller's environment
 *   plus overrides; it is for build and inspection tools, not for the engine.
 *
 * Both pass each SIGINT/SIGTERM storm receives on to the child (which runs in its
 * own process group, so a terminal Ctrl-C reaches it exactly once, through storm)
 * and wait for it to finish, so an interrupted apply can write its state; the
 * result says it was interrupted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { StormError } from '../errors';

/**
 * STORM_TRACE_FILE=<file>: one JSON line per subprocess (program name, subcommand, pid of
 * storm, start and duration in ms) appended to the file, so the time a run spends outside
 * the engine can be told from the time inside it (`npm run bench` reads it). Only the first
 * argument is kept: the others may name files or carry values.
 */
function traceRun(command: string, args: readonly string[], startedMs: number, durationMs: number): void {
  const file = process.env.STORM_TRACE_FILE;
  if (file === undefined || file === '') return;
  const line = { program: path.basename(command), subcommand: args[0] ?? '', pid: process.pid, startedMs, durationMs };
  try {
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  } catch {
    // a trace that cannot be written never fails the run it describes
  }
}

/** What runTofu needs to know about the engine (bootstrap.ts produces it). */
export interface EngineRef {
  tofuPath: string;
  cliConfigPath: string;
}

export type OutputStream = 'stdout' | 'stderr';

export interface RunOptions {
  cwd: string;
  /** Added to (and overriding) the environment the child gets. */
  env?: Readonly<Record<string, string>>;
  /** Called with each complete output line as it arrives. */
  onLine?: (line: string, stream: OutputStream) => void;
  /** Aborting sends the child SIGINT (a graceful stop), like Ctrl-C. */
  signal?: AbortSignal;
  /** Bytes written to the child's stdin; otherwise stdin is closed. */
  input?: string;
}

export interface RunResult {
  command: string;
  args: readonly string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when storm forwarded SIGINT/SIGTERM (or the signal aborted) during the run. */
  interrupted: boolean;
  durationMs: number;
}

/** Subcommands that accept -input (tofu rejects the flag anywhere else). */
const INPUT_FLAG_SUBCOMMANDS: ReadonlySet<string> = new Set(['init', 'plan', 'apply', 'destroy', 'refresh', 'import']);

/** Environment variables of the caller that tofu may see, besides OS_*. */
const ENV_ALLOW_LIST: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'TF_LOG',
  'TF_LOG_PATH',
  'TF_LOG_PROVIDER',
  'TF_LOG_CORE',
];

/** Inserts -input=false right after the subcommand when tofu accepts it there. */
export function withInputDisabled(args: readonly string[]): string[] {
  const sub = args[0];
  if (sub === undefined || !INPUT_FLAG_SUBCOMMANDS.has(sub)) return [...args];
  if (args.some((a) => a === '-input=false' || a.startsWith('-input='))) return [...args];
  return [sub, '-input=false', ...args.slice(1)];
}

/** The exact environment tofu runs with (pure: tested with literal inputs). */
export function tofuEnvironment(
  parent: Readonly<Record<string, string | undefined>>,
  cliConfigPath: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ENV_ALLOW_LIST) {
    const value = parent[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(parent)) {
    if (name.startsWith('OS_') && value !== undefined) env[name] = value;
  }
  Object.assign(env, extra);
  // Set last so neither the machine nor a caller can point tofu at another config.
  env.TF_CLI_CONFIG_FILE = cliConfigPath;
  env.TF_IN_AUTOMATION = '1';
  env.TF_INPUT = '0';
  env.CHECKPOINT_DISABLE = '1';
  return env;
}

export async function runTofu(engine: EngineRef, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const env = tofuEnvironment(process.env, engine.cliConfigPath, opts.env);
  return run(engine.tofuPath, withInputDisabled(args), env, false, opts);
}

/**
 * Runs a build or inspection tool (go, git, ...) with the caller's environment
 * plus opts.env. Never use it for tofu: runTofu controls the engine's environment.
 */
export async function runTool(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  return run(command, [...args], { ...(process.env as Record<string, string>), ...opts.env }, true, opts);
}

async function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  extendEnv: boolean,
  opts: RunOptions,
): Promise<RunResult> {
  const started = Date.now();
  const child = execa(command, args, {
    cwd: opts.cwd,
    env,
    extendEnv,
    reject: false,
    stripFinalNewline: false,
    // Own process group: a terminal Ctrl-C reaches storm only, and storm forwards
    // it once (a doubled SIGINT makes tofu abandon its state writes).
    detached: true,
    cleanup: true,
    ...(opts.input === undefined ? { stdin: 'ignore' as const } : { input: opts.input }),
    stdout: 'pipe',
    stderr: 'pipe',
    encoding: 'utf8',
  });

  let interrupted = false;
  // Each signal the user sends is passed on once: a first Ctrl-C lets tofu stop
  // gracefully and write its state, a second one is tofu's own "stop now".
  const forward = (sig: NodeJS.Signals) => (): void => {
    interrupted = true;
    child.kill(sig);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  const onAbort = (): void => {
    if (interrupted) return;
    interrupted = true;
    child.kill('SIGINT');
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted === true) onAbort();

  const stdout: string[] = [];
  const stderr: string[] = [];
  const pump = (stream: NodeJS.ReadableStream | null, name: OutputStream, sink: string[]): Promise<void> => {
    if (stream === null) return Promise.resolve();
    let partial = '';
    stream.setEncoding('utf8');
    return new Promise((resolve) => {
      stream.on('data', (chunk: string) => {
        sink.push(chunk);
        if (opts.onLine === undefined) return;
        partial += chunk;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) opts.onLine(line.replace(/\r$/, ''), name);
      });
      stream.on('end', () => {
        if (partial !== '' && opts.onLine !== undefined) opts.onLine(partial, name);
        resolve();
      });
      stream.on('error', () => resolve());
    });
  };

  try {
    const [result] = await Promise.all([
      child,
      pump(child.stdout, 'stdout', stdout),
      pump(child.stderr, 'stderr', stderr),
    ]);
    if (result.failed && result.exitCode === undefined && !interrupted && result.signal === undefined) {
      const reason = result.code === 'ENOENT' ? 'not found' : (result.shortMessage ?? 'could not start');
      throw new StormError('engine-failed', `cannot run ${command}: ${reason}`, { cause: result.cause });
    }
    traceRun(command, args, started, Date.now() - started);
    return {
      command,
      args,
      exitCode: result.exitCode ?? (result.signal === undefined ? 1 : 128 + signalNumber(result.signal)),
      stdout: stdout.join(''),
      stderr: stderr.join(''),
      interrupted,
      durationMs: Date.now() - started,
    };
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

function signalNumber(signal: string): number {
  switch (signal) {
    case 'SIGINT':
      return 2;
    case 'SIGKILL':
      return 9;
    case 'SIGTERM':
      return 15;
    default:
      return 1;
  }
}
