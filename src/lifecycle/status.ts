/**
 * `storm status` and `storm output`: what each stack's state holds, how the cloud
 * and the manifest have drifted from it, and whether its services answer.
 */
import { readAuditLog } from '../audit/audit-log';
import type { AuditRecord } from '../audit/audit-record';
import type { PlanSummary } from '../engine/plan-changes';
import type { StateBackend, StateSnapshot } from '../engine/state';
import { localStateFile, maskOutputs, pgSchemaName, readLocalState, readPgState } from '../engine/state';
import { removeRunPlan, runPlanFile, sha256 } from '../engine/workspace';
import { loadCity } from '../manifest/load';
import { environmentNames, resolveEnvironment } from '../manifest/model';
import { registerSecret } from '../redact';
import type { LifecycleContext, ServiceHealth, StackFailure, StackOutcome, StackRef, TargetInfo } from './context';
import { asStormError, failureOf, runEach } from './fan-out';
import { prepareStack, rawOutputs } from './prepare';

export interface StackStatusResult {
  city: string;
  env: string;
  target: TargetInfo;
  backend: string;
  serial: number;
  resources: StateSnapshot['resources'];
  /** Changed in the cloud since the last apply (refresh found different attributes). */
  drift: PlanSummary['drift'];
  /** What applying the manifest now would change. */
  pending: PlanSummary;
  outputs: Record<string, unknown>;
  services: ServiceHealth[];
}

export async function statusStacks(
  ctx: LifecycleContext,
  refs: readonly StackRef[],
  options: { lockTimeout: string; concurrency: number },
): Promise<StackOutcome<StackStatusResult>[]> {
  return runEach(ctx, refs, options.concurrency, async (ref) => {
    const stack = await prepareStack(ctx, ref, options.lockTimeout);
    const { tofu } = ctx.deps;
    await tofu.ensureInit(stack.run, stack.terraformJson);
    // Drift from the cloud: a refresh-only plan (a normal plan only reports the drift
    // that feeds a change). Drift from the manifest: what a normal plan would change.
    const planFile = runPlanFile(stack.run.ws, 'status');
    const refreshed = await tofu.planToFile(stack.run, planFile, 'refresh-only').finally(() => removeRunPlan(planFile));
    const outcome = await tofu.planToFile(stack.run, planFile, 'apply').finally(() => removeRunPlan(planFile));
    return {
      city: stack.ref.city,
      env: stack.ref.env,
      target: stack.target,
      backend: stack.run.backend.description,
      serial: stack.state.serial,
      resources: stack.state.resources,
      drift: refreshed.summary.drift,
      pending: outcome.summary,
      outputs: maskOutputs(stack.state.outputs),
      services: stack.state.resources.length === 0 ? [] : await ctx.deps.serviceHealth(rawOutputs(stack.state)),
    };
  });
}

export interface StackOutputResult {
  city: string;
  env: string;
  outputs: Record<string, unknown>;
}

export async function outputStacks(
  ctx: LifecycleContext,
  refs: readonly StackRef[],
  options: { lockTimeout: string },
): Promise<StackOutcome<StackOutputResult>[]> {
  return runEach(ctx, refs, 1, async (ref) => {
    const stack = await prepareStack(ctx, ref, options.lockTimeout);
    return { city: stack.ref.city, env: stack.ref.env, outputs: maskOutputs(stack.state.outputs) };
  });
}

/**
 * The fleet view (`storm status --all`): one row per city and environment, from what
 * is already known — the audit log (file or pg) and the state backend — plus one health
 * probe per service instance. No plan runs: with hundreds of cities a plan each would
 * cost minutes; every figure says when it was last checked instead.
 */
export const FLEET_VIEW_VERSION = 1;

export interface FleetChange {
  create: number;
  update: number;
  replace: number;
  delete: number;
}

/** When a figure was established and how long before the fleet view that was. */
export interface Checked {
  at: string;
  ageSeconds: number;
}

export interface FleetLastRun extends Checked {
  operation: AuditRecord['operation'];
  result: AuditRecord['result'];
  commit: string | null;
}

export interface FleetLastApply extends Checked {
  operation: 'provision' | 'destroy';
  user: string;
  host: string;
  /** The git commit the run came from, when its record knows it. */
  commit: string | null;
  changes: FleetChange | null;
}

/**
 * What the last finished plan or apply left to do. After a successful provision nothing was
 * left; after a plan, what it found. manifestChanged: the manifest differs from the one that
 * run read, so the figure is stale (run `storm plan` to refresh it).
 */
export interface FleetDrift extends Checked {
  source: 'plan' | 'provision';
  pending: boolean;
  changes: FleetChange;
  manifestChanged: boolean | null;
}

export interface FleetPolicy extends Checked {
  result: 'passed' | 'warnings' | 'violations';
  errors: number;
  warnings: number;
}

export type FleetServices =
  | (Checked & {
      checked: true;
      total: number;
      healthy: number;
      unhealthy: { service: string; url: string; detail: string }[];
    })
  | { checked: false; reason: string };

export interface FleetRow {
  city: string;
  env: string;
  /** The state backend's kind and how many resources its state holds (null: not read). */
  state: { backend: string; resources: number | null };
  lastRun: FleetLastRun | null;
  lastApply: FleetLastApply | null;
  drift: FleetDrift | null;
  policy: FleetPolicy | null;
  services: FleetServices;
  /** Why part of the row could not be read (an unreadable audit log, an unreachable state backend). */
  problems: string[];
}

export interface FleetFailure {
  city: string;
  error: StackFailure;
}

export interface FleetStatus {
  fleetVersion: typeof FLEET_VIEW_VERSION;
  checkedAt: string;
  rows: FleetRow[];
  /** Cities whose manifest could not be read: no environment to list. */
  failed: FleetFailure[];
}

function checked(at: string, now: Date): Checked {
  const t = Date.parse(at);
  return { at, ageSeconds: Number.isNaN(t) ? 0 : Math.max(0, Math.round((now.getTime() - t) / 1000)) };
}

function changesOf(r: AuditRecord): FleetChange {
  const c = r.changes;
  return { create: c?.create ?? 0, update: c?.update ?? 0, replace: c?.replace ?? 0, delete: c?.delete ?? 0 };
}

/**
 * The audit-log part of a row: the records of one city (any environment, in log order),
 * the sha256 of the manifest as it is now (undefined: unknown), and the time of the view.
 */
export function fleetRowFromRecords(
  env: string,
  records: readonly AuditRecord[],
  manifestHash: string | undefined,
  now: Date,
): Pick<FleetRow, 'lastRun' | 'lastApply' | 'drift' | 'policy'> {
  const mine = records.filter((r) => r.env === env);
  const latest = (pick: (r: AuditRecord) => boolean): AuditRecord | undefined => {
    for (let i = mine.length - 1; i >= 0; i--) {
      const r = mine[i] as AuditRecord;
      if (pick(r)) return r;
    }
    return undefined;
  };
  const last = latest(() => true);
  const applied = latest((r) => (r.operation === 'provision' || r.operation === 'destroy') && r.result === 'succeeded');
  const finished = latest(
    (r) =>
      (r.operation === 'plan' || r.operation === 'provision') &&
      (r.result === 'succeeded' || r.result === 'no-changes') &&
      r.changes !== undefined,
  );
  const judged = latest((r) => r.policy !== undefined);
  const drift: FleetDrift | null =
    finished === undefined
      ? null
      : (() => {
          const afterApply = finished.operation === 'provision';
          const changes = afterApply ? { create: 0, update: 0, replace: 0, delete: 0 } : changesOf(finished);
          return {
            ...checked(finished.time, now),
            source: finished.operation === 'plan' ? 'plan' : 'provision',
            pending: Object.values(changes).some((n) => n > 0),
            changes,
            manifestChanged:
              manifestHash === undefined || finished.manifestHash === undefined
                ? null
                : finished.manifestHash !== manifestHash,
          };
        })();
  const policy = judged?.policy;
  return {
    lastRun:
      last === undefined
        ? null
        : { ...checked(last.time, now), operation: last.operation, result: last.result, commit: last.commit ?? null },
    lastApply:
      applied === undefined
        ? null
        : {
            ...checked(applied.time, now),
            operation: applied.operation === 'destroy' ? 'destroy' : 'provision',
            user: applied.user,
            host: applied.host,
            commit: applied.commit ?? null,
            changes: applied.changes === undefined ? null : changesOf(applied),
          },
    drift,
    policy:
      judged === undefined || policy === undefined
        ? null
        : {
            ...checked(judged.time, now),
            result: policy.errors > 0 ? 'violations' : policy.warnings > 0 ? 'warnings' : 'passed',
            errors: policy.errors,
            warnings: policy.warnings,
          },
  };
}

/** The state of one environment read without tofu: local files and pg tables; other backends are not read here. */
async function fleetState(
  ctx: LifecycleContext,
  city: string,
  env: string,
  state: StateBackend,
): Promise<StateSnapshot | string> {
  switch (state.backend) {
    case 'local':
      return readLocalState(localStateFile(ctx.cwd, state.path, city, env));
    case 'pg': {
      const conn = ctx.env[state.connectionStringEnv];
      if (conn === undefined || conn === '') return `$${state.connectionStringEnv} is not set: state not read`;
      registerSecret(conn);
      return readPgState(conn, state.schemaName ?? pgSchemaName(city, env));
    }
    case 's3':
    case 'http':
      return `the fleet view does not read ${state.backend} state (storm status ${city} --env ${env} does)`;
  }
}

async function fleetRowsOfCity(
  ctx: LifecycleContext,
  city: string,
  options: { env?: string; health: boolean; now: Date },
): Promise<FleetRow[]> {
  const loaded = loadCity(city, { cwd: ctx.cwd });
  const envs = environmentNames(loaded.doc).filter((e) => options.env === undefined || e === options.env);
  const cityProblems: string[] = [];
  let records: AuditRecord[] = [];
  try {
    const listing = await readAuditLog(ctx.cwd, city, { env: ctx.env });
    records = listing.entries.map((e) => e.record);
    if (listing.unreadable.length > 0)
      cityProblems.push(
        `${listing.file}: ${listing.unreadable.length} unreadable line(s) (storm audit verify ${city})`,
      );
  } catch (err) {
    cityProblems.push(`audit log not read: ${asStormError(err).message}`);
  }
  const manifestHash = sha256(loaded.text);
  const rows: FleetRow[] = [];
  for (const env of envs) {
    const resolved = resolveEnvironment(loaded.doc, env);
    const problems = [...cityProblems];
    let snapshot: StateSnapshot | undefined;
    try {
      const read = await fleetState(ctx, city, env, resolved.state as StateBackend);
      if (typeof read === 'string') problems.push(read);
      else snapshot = read;
    } catch (err) {
      problems.push(`state not read: ${asStormError(err).message}`);
    }
    let services: FleetServices;
    if (snapshot === undefined) services = { checked: false, reason: 'state not read' };
    else if (snapshot.resources.length === 0) services = { checked: false, reason: 'nothing deployed' };
    else if (!options.health) services = { checked: false, reason: 'not probed (--no-health)' };
    else {
      const probes = await ctx.deps.serviceHealth(rawOutputs(snapshot));
      services = {
        ...checked(new Date().toISOString(), options.now),
        checked: true,
        total: probes.length,
        healthy: probes.filter((p) => p.healthy).length,
        unhealthy: probes.filter((p) => !p.healthy).map(({ service, url, detail }) => ({ service, url, detail })),
      };
    }
    rows.push({
      city,
      env,
      state: { backend: resolved.state.backend, resources: snapshot === undefined ? null : snapshot.resources.length },
      ...fleetRowFromRecords(env, records, manifestHash, options.now),
      services,
      problems,
    });
  }
  return rows;
}

/** The fleet view of the named cities (already selected and sharded), each city's environments in order. */
export async function fleetStatus(
  ctx: LifecycleContext,
  cities: readonly string[],
  options: { env?: string; health: boolean; concurrency: number; now?: Date },
): Promise<FleetStatus> {
  const now = options.now ?? new Date();
  const outcomes = await runEach(
    ctx,
    cities.map((city) => ({ city, env: options.env ?? '' })),
    options.concurrency,
    (ref) => fleetRowsOfCity(ctx, ref.city, { ...options, now }),
  );
  return {
    fleetVersion: FLEET_VIEW_VERSION,
    checkedAt: now.toISOString(),
    rows: outcomes.flatMap((o) => (o.ok ? o.value : [])),
    failed: outcomes.flatMap((o) => (o.ok ? [] : [{ city: o.city, error: failureOf(o.error) }])),
  };
}
