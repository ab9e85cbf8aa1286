/**
 * Looks at the machine for what the tests need (prepare.ts decides), installs what is missing with apt
 * when it may, and builds the engine through `storm doctor`. Everything it runs is found on the PATH
 * of the environment it is given, so a test can hide a program and put a fake apt-get in its place.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type Found,
  type Machine,
  type Problem,
  type Requirement,
  decide,
  installedLine,
  problemWith,
  readVersion,
  stopMessage,
} from './prepare';

export interface PrepareOptions {
  requirements: readonly Requirement[];
  env: NodeJS.ProcessEnv;
  /** The user id the tests run as (0: root). */
  uid: number;
  /** Where apt keeps its package lists; without any, `apt-get update` runs first. */
  aptListsDir?: string;
  /** Versions already read, keyed by the program's path, size and time, so later runs start fast. */
  cacheFile?: string;
  log: (line: string) => void;
}

export type PrepareResult = { ok: true; present: number; installed: string[] } | { ok: false; message: string };

/** The program's path: `command` itself when it has a slash, else the first executable on PATH, then in `dirs`. */
export function findProgram(command: string, env: NodeJS.ProcessEnv, dirs: readonly string[] = []): string | undefined {
  const candidates = command.includes('/')
    ? [command]
    : [...(env.PATH ?? '').split(path.delimiter).filter((d) => d !== ''), ...dirs].map((d) => path.join(d, command));
  for (const p of candidates) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

type VersionCache = Record<string, string>;

function readCache(file: string | undefined): VersionCache {
  if (file === undefined) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as VersionCache;
  } catch {
    return {};
  }
}

function probe(r: Requirement, env: NodeJS.ProcessEnv, cache: VersionCache): Found {
  if (r.file !== undefined) return fs.existsSync(r.file) ? { state: 'present', path: r.file } : { state: 'missing' };
  if (r.command === undefined) return { state: 'missing' };
  const found = findProgram(r.command, env, r.dirs);
  if (found === undefined) return { state: 'missing' };
  if (r.versionArgs === undefined) return { state: 'present', path: found };
  const real = fs.realpathSync(found);
  const st = fs.statSync(real);
  const key = [real, st.size, st.mtimeMs, ...r.versionArgs].join('\0');
  let answer = cache[key];
  if (answer === undefined) {
    const res = spawnSync(found, [...r.versionArgs], { env, encoding: 'utf8', timeout: 120_000 });
    answer = `${res.stdout ?? ''}${res.stderr ?? ''}`;
    // Only a readable answer is kept: a timeout on a busy machine must not stick.
    if (readVersion(r, answer) !== undefined) cache[key] = answer;
  }
  return { state: 'present', path: found, version: readVersion(r, answer), answer: answer.trim().slice(0, 200) };
}

function aptHasLists(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((f) => /_Packages(\.\w+)?$/.test(f));
  } catch {
    return false;
  }
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

/** Runs one apt command (argv[0] is apt-get or sudo, found on the environment's PATH). */
function runApt(argv: readonly string[], env: NodeJS.ProcessEnv): { ok: boolean; output: string } {
  const program = findProgram(argv[0] as string, env);
  if (program === undefined) return { ok: false, output: `${argv[0]} not found on PATH` };
  const res = spawnSync(program, argv.slice(1), {
    env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return { ok: res.status === 0, output: `${res.stdout ?? ''}${res.stderr ?? ''}${res.error?.message ?? ''}` };
}

/** Checks every requirement; installs what is missing when it may; returns what to tell the user. */
export function prepareMachine(o: PrepareOptions): PrepareResult {
  const cache = readCache(o.cacheFile);
  const before = JSON.stringify(cache);
  const found = new Map(o.requirements.map((r) => [r.name, probe(r, o.env, cache)]));
  const root = o.uid === 0;
  const sudo = root ? undefined : findProgram('sudo', o.env);
  const machine: Machine = {
    root,
    sudo: sudo !== undefined && spawnSync(sudo, ['-n', 'true'], { env: o.env, stdio: 'ignore' }).status === 0,
    apt: findProgram('apt-get', o.env) !== undefined,
    aptLists: aptHasLists(o.aptListsDir ?? '/var/lib/apt/lists'),
  };
  const decision = decide(o.requirements, found, machine);
  const saveCache = (): void => {
    if (o.cacheFile === undefined || JSON.stringify(cache) === before) return;
    fs.mkdirSync(path.dirname(o.cacheFile), { recursive: true });
    fs.writeFileSync(o.cacheFile, JSON.stringify(cache, null, 1));
  };
  if (decision.action === 'none') {
    saveCache();
    return { ok: true, present: o.requirements.length, installed: [] };
  }
  if (decision.action === 'stop') return { ok: false, message: decision.message };

  const [install, ...rest] = [...decision.commands].reverse();
  const updates = rest.reverse();
  for (const update of updates) runApt(update, o.env);
  let result = runApt(install as string[], o.env);
  if (!result.ok && updates.length === 0) {
    // Stale package lists name files the mirror no longer has: refresh them once and try again.
    const prefix = (install as string[]).slice(0, (install as string[]).indexOf('apt-get'));
    runApt([...prefix, 'apt-get', 'update', '-qq', '-o', 'DPkg::Lock::Timeout=600'], o.env);
    result = runApt(install as string[], o.env);
  }
  if (!result.ok)
    return {
      ok: false,
      message: stopMessage(decision.problems, machine, `apt-get failed:\n${lastLines(result.output, 15)}`),
    };

  const installed: string[] = [];
  const still: Problem[] = [];
  for (const p of decision.problems) {
    const now = probe(p.requirement, o.env, cache);
    const problem = problemWith(p.requirement, now);
    if (problem === undefined) {
      const line = installedLine(p.requirement, now, root);
      o.log(line);
      installed.push(line);
    } else still.push(problem);
  }
  saveCache();
  if (still.length > 0)
    return { ok: false, message: stopMessage(still, machine, 'apt-get install ran, and this is still so.') };
  return { ok: true, present: o.requirements.length - installed.length, installed };
}

export interface EngineReady {
  ok: true;
  line: string;
}

/**
 * Builds (once) and checks the pinned engine through storm itself. Its progress line goes to stderr as
 * it happens; the result is one line, or the doctor's own message when it cannot.
 */
export function prepareEngine(repoRoot: string, env: NodeJS.ProcessEnv): EngineReady | { ok: false; message: string } {
  const res = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'storm'), 'doctor', '--json'], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let doc: {
    ok?: boolean;
    result?: { engine: { version: string; source: string }; provider: { version: string } };
    error?: { message: string; hint?: string };
  };
  try {
    doc = JSON.parse(res.stdout) as typeof doc;
  } catch {
    return { ok: false, message: `storm doctor did not answer (exit ${res.status}):\n${res.stdout}` };
  }
  if (res.status !== 0 || doc.result === undefined)
    return {
      ok: false,
      message: `npm test needs the engine, and storm doctor could not provide it (no test was run):\n  ${doc.error?.message ?? ''}${doc.error?.hint === undefined ? '' : `\n  ${doc.error.hint}`}`,
    };
  const { engine, provider } = doc.result;
  return {
    ok: true,
    line: `» engine: OpenTofu ${engine.version} (${engine.source}) and terraform-provider-openstack ${provider.version}`,
  };
}
