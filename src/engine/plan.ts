/**
 * The tofu stages before an apply: write the workspace, init (offline, cached),
 * read the state, plan to a file and read that plan back as JSON.
 */
import { classifyCloudFailure } from './cloud-failure';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../errors';
import { StormError } from '../errors';
import type { Progress } from '../progress';
import type { PlanSummary } from './plan-changes';
import { summarizePlan } from './plan-changes';
import type { BackendSetup, StateSnapshot } from './state';
import { EMPTY_STATE, findPgLockHolder, parseLockError, parseState, readLocalState } from './state';
import type { LockInfo } from './state';
import type { EngineRef, RunResult } from './tofu';
import { runTofu } from './tofu';
import { withLock } from './cache-lock';
import type { UiDiagnostic } from './ui-stream';
import { parseUiLine } from './ui-stream';
import type { Workspace } from './workspace';
import {
  BACKEND_FILE,
  INIT_STAMP_FILE,
  MAIN_FILE,
  initIsCurrent,
  initKey,
  recordInit,
  writeIfChanged,
} from './workspace';
import { ensurePrivateDir, ensurePrivateFolder } from '../private-files';
import { goPlatform } from './bootstrap';
import { LOCK_FILE, ensureReviewedLock } from './provider-lock';

/** Everything a tofu run of one stack needs. */
export interface StackRun {
  engine: EngineRef;
  ws: Workspace;
  backend: BackendSetup;
  /** Cloud credentials (OS_*) and backend secrets: passed to tofu's environment only. */
  env: Record<string, string>;
  progress: Progress;
  signal?: AbortSignal;
  /** e.g. "30s": how long to wait for a state lock. */
  lockTimeout: string;
}

/** Writes the synthesized config and backend override; returns the config's JSON text. */
export function writeWorkspace(run: StackRun, terraformJson: unknown): void {
  privateFolder(run.ws.root, run.ws.dir);
  writeIfChanged(path.join(run.ws.dir, MAIN_FILE), `${JSON.stringify(terraformJson, null, 2)}\n`);
  writeIfChanged(path.join(run.ws.dir, BACKEND_FILE), run.backend.overrideJson);
  // The reviewed provider hashes, not whatever the mirror holds on first use; a replaced lock means init again.
  if (ensureReviewedLock(path.join(run.ws.dir, LOCK_FILE), goPlatform()))
    fs.rmSync(path.join(run.ws.dir, INIT_STAMP_FILE), { force: true });
  if (run.backend.kind === 'local') privateFolder(run.ws.root, path.dirname(stateFileOf(run)));
}

/** Tenancy details (config, plans, state) live in 0700 folders; those under the project are made so up from it. */
function privateFolder(root: string, dir: string): void {
  const rel = path.relative(root, dir);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) ensurePrivateFolder(dir);
  else ensurePrivateDir(root, ...rel.split(path.sep));
}

export async function ensureInit(run: StackRun, terraformJson: unknown): Promise<'cached' | 'ran'> {
  const key = initKey(`${run.engine.tofuPath}\0${run.engine.cliConfigPath}`, terraformJson, run.backend.overrideJson);
  if (initIsCurrent(run.ws, key)) return 'cached';
  // Two storm runs of the same stack share its workspace: one initialises, the other waits.
  return withLock(
    path.join(run.ws.dir, '.storm-init.lock'),
    { pollMs: 100, ...(run.signal === undefined ? {} : { signal: run.signal }) },
    async () => {
      if (initIsCurrent(run.ws, key)) return 'cached' as const;
      run.progress({ kind: 'detail', message: `${label(run)}: tofu init` });
      const res = await tofu(run, ['init', '-no-color', '-reconfigure', `-lock-timeout=${run.lockTimeout}`]);
      if (res.exitCode !== 0) throw tofuFailure(run, 'init', res, textDiagnostics(res.stderr + res.stdout));
      recordInit(run.ws, key);
      return 'ran' as const;
    },
  );
}

/** The current state: the local file directly, or `tofu state pull` for remote backends. */
export async function readState(run: StackRun): Promise<StateSnapshot> {
  if (run.backend.kind === 'local') return readLocalState(stateFileOf(run));
  const res = await tofu(run, ['state', 'pull']);
  if (res.exitCode !== 0) throw tofuFailure(run, 'state pull', res, textDiagnostics(res.stderr));
  return res.stdout.trim() === '' ? EMPTY_STATE : parseState(res.stdout);
}

function stateFileOf(run: StackRun): string {
  const override = JSON.parse(run.backend.overrideJson) as { terraform: { backend: { local?: { path?: string } } } };
  const rel = override.terraform.backend.local?.path;
  return rel === undefined ? run.ws.localStateFile : path.resolve(run.ws.dir, rel);
}

export type PlanMode = 'apply' | 'destroy' | 'refresh-only';

export interface PlanOutcome {
  planFile: string;
  summary: PlanSummary;
  /** `tofu show -json` of the plan, for callers that need more than the summary. */
  show: unknown;
}

export async function planToFile(run: StackRun, planFile: string, mode: PlanMode): Promise<PlanOutcome> {
  await planOnly(run, planFile, mode);
  const show = await showPlan(run, planFile);
  return { planFile, summary: summarizePlan(show), show };
}

export interface PlanFileWritten {
  planFile: string;
  /** tofu's -detailed-exitcode said the plan changes something. */
  hasChanges: boolean;
  /** Resources the plan creates, updates, replaces or deletes (its planned_change lines). */
  resourceChanges: number;
}

/** `tofu plan -out` without reading the plan back (`showPlan` does that). */
export async function planOnly(run: StackRun, planFile: string, mode: PlanMode): Promise<PlanFileWritten> {
  const args = ['plan', '-json', '-detailed-exitcode', `-out=${planFile}`, `-lock-timeout=${run.lockTimeout}`];
  if (mode === 'destroy') args.push('-destroy');
  if (mode === 'refresh-only') args.push('-refresh-only');
  fs.mkdirSync(path.dirname(planFile), { recursive: true });
  const res = await tofu(run, args);
  if (res.interrupted) throw interrupted(run, 'plan');
  // -detailed-exitcode: 0 no changes, 2 changes, anything else an error.
  if (res.exitCode !== 0 && res.exitCode !== 2)
    throw await withLockHolder(run, tofuFailure(run, 'plan', res, uiDiagnostics(res.stdout)));
  let resourceChanges = 0;
  for (const line of res.stdout.split('\n')) {
    const ev = parseUiLine(line);
    if (ev?.type === 'planned_change' && ev.action !== 'noop' && ev.action !== 'read') resourceChanges += 1;
  }
  return { planFile, hasChanges: res.exitCode === 2, resourceChanges };
}

export async function showPlan(run: StackRun, planFile: string): Promise<unknown> {
  const res = await tofu(run, ['show', '-json', '-no-color', planFile]);
  if (res.exitCode !== 0) throw tofuFailure(run, 'show', res, textDiagnostics(res.stderr));
  return JSON.parse(res.stdout) as unknown;
}

export async function tofu(
  run: StackRun,
  args: readonly string[],
  onLine?: (line: string) => void,
): Promise<RunResult> {
  run.progress({ kind: 'detail', message: `${label(run)}: tofu ${args.join(' ')}` });
  return runTofu(run.engine, args, {
    cwd: run.ws.dir,
    env: { ...run.backend.env, ...run.env },
    ...(run.signal === undefined ? {} : { signal: run.signal }),
    ...(onLine === undefined ? {} : { onLine: (line, stream) => (stream === 'stdout' ? onLine(line) : undefined) }),
  });
}

export function label(run: { ws: Workspace }): string {
  return `${run.ws.city}/${run.ws.env}`;
}

/** The error diagnostics of a `-json` UI stream. */
export function uiDiagnostics(stdout: string): UiDiagnostic[] {
  const out: UiDiagnostic[] = [];
  for (const line of stdout.split('\n')) {
    const ev = parseUiLine(line);
    if (ev?.type === 'diagnostic') out.push(ev.diagnostic);
  }
  return out;
}

/** Diagnostics of tofu's plain-text output ("Error: summary" + detail lines). */
export function textDiagnostics(text: string): UiDiagnostic[] {
  // eslint-disable-next-line no-control-regex -- tofu colours its text output with ANSI escapes
  const clean = text.replace(/\x1b\[[0-9;]*m/g, '').replace(/^[│╷╵]\s?/gm, '');
  const out: UiDiagnostic[] = [];
  const parts = clean.split(/^(?=(?:Error|Warning): )/m);
  for (const part of parts) {
    const m = /^(Error|Warning): (.*)\n?([\s\S]*)$/.exec(part);
    if (m === null) continue;
    out.push({
      severity: m[1] === 'Warning' ? 'warning' : 'error',
      summary: (m[2] ?? '').trim(),
      detail: (m[3] ?? '').trim(),
    });
  }
  if (out.length === 0 && clean.trim() !== '')
    out.push({ severity: 'error', summary: clean.trim().split('\n')[0] ?? '', detail: clean.trim() });
  return out;
}

export function interrupted(run: StackRun, stage: string): StormError {
  return new StormError(
    'interrupted',
    `${label(run)}: the ${stage} was interrupted; tofu stopped gracefully and saved the state it had reached`,
    {
      hint: `run \`storm plan ${run.ws.city} --env ${run.ws.env}\` to see what is left, then \`storm provision ${run.ws.city} --env ${run.ws.env}\` to finish`,
    },
  );
}

/** Turns a failed tofu run into a StormError: lock contention gets its own code and names the holder. */
export function tofuFailure(
  run: StackRun,
  stage: string,
  res: RunResult,
  diags: UiDiagnostic[],
  locate?: (address: string) => Diagnostic['location'],
): StormError {
  const lockDiag = diags.find((d) => /state lock/i.test(d.summary));
  const lockText =
    lockDiag !== undefined
      ? `${lockDiag.summary}\n${lockDiag.detail}`
      : /Error acquiring the state lock/.test(res.stderr)
        ? res.stderr
        : undefined;
  const lock = lockText === undefined ? undefined : parseLockError(lockText);
  if (lock !== undefined) return lockedError(run, lock);
  const errors = diags.filter((d) => d.severity === 'error');
  // A cloud's refusal (401, 403, quota, 409, 5xx, an endpoint missing from the catalog) is named by service, with
  // what to do about it, rather than left as the provider's HTTP sentence.
  const failures = errors.map((d) => classifyCloudFailure(`${d.summary}\n${d.detail}`, d.address));
  const diagnostics: Diagnostic[] = errors.map((d, i) => {
    const location = d.address !== undefined && locate !== undefined ? locate(d.address) : undefined;
    const failure = failures[i];
    return {
      severity: 'error',
      code: `tofu.${stage.replace(/\s+/g, '-')}`,
      message: `${d.address !== undefined ? `${d.address}: ` : ''}${failure !== undefined ? `${failure.summary} — ` : ''}${d.summary}${d.detail !== '' ? ` — ${oneLine(d.detail)}` : ''}`,
      ...(location !== undefined ? { location } : {}),
      ...(failure !== undefined ? { hint: failure.advice } : {}),
    };
  });
  const first = errors[0];
  const firstFailure = failures.find((f) => f !== undefined);
  return new StormError(
    'engine-failed',
    `${label(run)}: tofu ${stage} failed${firstFailure !== undefined ? `: ${firstFailure.summary}` : first !== undefined ? `: ${first.summary}` : ` (exit ${res.exitCode})`}`,
    {
      diagnostics,
      hint:
        firstFailure !== undefined
          ? firstFailure.advice
          : stage === 'apply'
            ? `the state keeps what was created; fix the cause and run \`storm provision ${run.ws.city} --env ${run.ws.env}\` again`
            : `run with --verbose to see the tofu commands (working directory ${run.ws.dir})`,
    },
  );
}

function lockedError(run: StackRun, holder: LockInfo): StormError {
  const parts = [
    holder.who !== undefined ? `held by ${holder.who}` : undefined,
    holder.operation !== undefined ? `for ${holder.operation.replace(/^OperationType/, '').toLowerCase()}` : undefined,
    holder.created !== undefined ? `since ${holder.created}` : undefined,
    holder.id !== undefined ? `lock ID ${holder.id}` : undefined,
  ].filter((x): x is string => x !== undefined);
  return new StormError(
    'state-locked',
    `${label(run)}: the state is locked by another run (${parts.length > 0 ? parts.join(', ') : 'holder unknown'}); gave up after waiting ${run.lockTimeout}`,
    {
      hint: `wait for that run to finish and try again (or raise --lock-timeout); if it crashed, unlock it with \`tofu force-unlock <ID>\` in ${run.ws.dir}`,
    },
  );
}

/** For the pg backend, replaces tofu's lock info (our own) with the holder's, read from PostgreSQL. */
export async function withLockHolder(run: StackRun, err: StormError): Promise<StormError> {
  if (err.code !== 'state-locked' || run.backend.pg === undefined) return err;
  const holder = await findPgLockHolder(run.backend.pg.connectionString, run.backend.pg.schema);
  return lockedError(run, holder ?? {});
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 600);
}
