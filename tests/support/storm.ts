/**
 * bin/storm run for real, as a user runs it: the one spawn wrapper of the tests (sync for short
 * commands, async when the test must keep serving a sandbox, feed stdin or react to stderr).
 * The global setup has compiled dist/ before any test runs.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const REPO_ROOT = path.join(__dirname, '..', '..');
export const STORM_BIN = path.join(REPO_ROOT, 'bin', 'storm');

export interface StormResult {
  /** null when a signal (or the timeout) ended it. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface StormOptions {
  /** The project directory: passed as `--cwd` (before the arguments) and used as the working directory. */
  project?: string;
  /** The whole environment of the process (default: this process's). */
  env?: NodeJS.ProcessEnv;
  timeout?: number;
  /** What stdin carries (default: nothing, so a prompt reads end of file). */
  input?: string;
}

function argv(args: readonly string[], o: StormOptions): string[] {
  return [STORM_BIN, ...(o.project === undefined ? [] : ['--cwd', o.project]), ...args];
}

/** Runs storm and waits for it. */
export function storm(args: readonly string[], o: StormOptions = {}): StormResult {
  const r = spawnSync(process.execPath, argv(args, o), {
    cwd: o.project ?? REPO_ROOT,
    env: o.env ?? process.env,
    encoding: 'utf8',
    input: o.input ?? '',
    ...(o.timeout === undefined ? {} : { timeout: o.timeout }),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs storm without blocking this process (a sandbox served from here keeps answering). */
export function stormAsync(
  args: readonly string[],
  o: StormOptions & {
    /** Called with all of stderr so far at each chunk (e.g. to interrupt at the right moment). */
    onStderr?: (text: string, child: ChildProcess) => void;
  } = {},
): Promise<StormResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv(args, o), {
      cwd: o.project ?? REPO_ROOT,
      env: o.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(o.timeout === undefined ? {} : { timeout: o.timeout }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
      o.onStderr?.(stderr, child);
    });
    child.stdin?.end(o.input ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `--json`'s document: the result on success (an empty object when stdout is not the document). */
export function jsonResult(r: StormResult): Record<string, unknown> {
  try {
    return ((JSON.parse(r.stdout) as { result?: Record<string, unknown> }).result ?? {}) as Record<string, unknown>;
  } catch {
    // not JSON: the assertions on code and stderr say why
    return {};
  }
}

/** This process's environment without any OS_* variable: storm sees no configured cloud. */
export function withoutCloud(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OS_')));
  return { ...env, ...extra };
}

/**
 * The environment of a user with no cloud configured: no OS_*, no clouds.yaml, the machine's
 * TF_CLI_CONFIG_FILE, sandbox settings, colour and CI flags dropped; NO_COLOR set.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      k.startsWith('OS_') ||
      k === 'TF_CLI_CONFIG_FILE' ||
      k.startsWith('STORM_SANDBOX') ||
      k === 'FORCE_COLOR' ||
      k === 'CI'
    )
      continue;
    env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}
