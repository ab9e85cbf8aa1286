/**
 * `storm plan`: plan each stack into a plan file with a sidecar (the configuration
 * hash, the state serial it was made from and the plan file's sha256), read it back for the summary, and
 * record it; and the review of a saved plan, refused when the file was swapped or either has moved since.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { policyGate } from '../audit/policy';
import { label } from '../engine/plan';
import type { PlanSummary } from '../engine/plan-changes';
import { summarizePlan } from '../engine/plan-changes';
import { removeRunPlan, runPlanFile } from '../engine/workspace';
import { StormError } from '../errors';
import type { RunLock } from '../engine/run-lock';
import { STORM_VERSION } from '../version';
import { audit, auditFailure } from './audit-entry';
import type { LifecycleContext, PreflightStatus, PreparedStack, StackOutcome, StackRef, TargetInfo } from './context';
import { runEach } from './fan-out';
import { preflight, prepareStack } from './prepare';

export interface PlanOptions {
  out?: string;
  /** Save each stack's plan as <outDir>/<city>.<env>.tfplan (with its sidecar): a CI shard's artifacts. */
  outDir?: string;
  skipPreflight: boolean;
  lockTimeout: string;
  /** Provision: take each stack's run lock before reading its state, and collect it here to release. */
  runLocks?: RunLock[];
}

export interface PlanSidecar {
  schemaVersion: 2;
  storm: string;
  city: string;
  env: string;
  synthHash: string;
  stateSerial: number;
  stateLineage: string;
  cloud: string;
  skipPreflight: boolean;
  createdAt: string;
  /** sha256 of the plan file's bytes: a plan file swapped under a copied sidecar is refused. */
  planSha256: string;
}

export function planFileSha256(planFile: string): string {
  return createHash('sha256').update(fs.readFileSync(planFile)).digest('hex');
}

export interface StackPlanResult {
  city: string;
  env: string;
  target: TargetInfo;
  preflight: PreflightStatus;
  summary: PlanSummary;
  planFile: string;
  synthHash: string;
}

/** A plan read back: what storm reports of it, and the `tofu show -json` document the policy gate judges. */
export interface ReviewedPlan {
  stack: PreparedStack;
  result: StackPlanResult;
  planDocument: unknown;
}

/** Where --out-dir saves a stack's plan. */
export function savedPlanPath(dir: string, ref: StackRef): string {
  return path.join(dir, `${ref.city}.${ref.env}${SAVED_PLAN_SUFFIX}`);
}

export const SAVED_PLAN_SUFFIX = '.tfplan';

export function sidecarPath(planFile: string): string {
  return `${planFile}.storm.json`;
}

/** A plan file written, not yet read back: everything of the plan's result but its summary. */
export interface StartedPlan {
  stack: PreparedStack;
  base: Omit<StackPlanResult, 'summary'>;
  hasChanges: boolean;
  resourceChanges: number;
}

export async function planStack(ctx: LifecycleContext, ref: StackRef, options: PlanOptions): Promise<ReviewedPlan> {
  const started = await startPlan(ctx, ref, options);
  const planDocument = await ctx.deps.tofu.showPlan(started.stack.run, started.base.planFile);
  return { stack: started.stack, result: { ...started.base, summary: summarizePlan(planDocument) }, planDocument };
}

export async function startPlan(ctx: LifecycleContext, ref: StackRef, options: PlanOptions): Promise<StartedPlan> {
  const stack = await prepareStack(ctx, ref, options.lockTimeout, options.runLocks);
  const pre = await preflight(stack, options.skipPreflight);
  await ctx.deps.tofu.ensureInit(stack.run, stack.terraformJson);
  const planFile =
    options.out !== undefined
      ? path.resolve(ctx.cwd, options.out)
      : options.outDir !== undefined
        ? savedPlanPath(path.resolve(ctx.cwd, options.outDir), ref)
        : runPlanFile(stack.run.ws, 'apply');
  ctx.progress({ kind: 'step', message: `${label(stack.run)}: planning` });
  const written = await ctx.deps.tofu.planOnly(stack.run, planFile, 'apply');
  const sidecar: PlanSidecar = {
    schemaVersion: 2,
    storm: STORM_VERSION,
    city: stack.ref.city,
    env: stack.ref.env,
    synthHash: stack.synthHash,
    stateSerial: stack.state.serial,
    stateLineage: stack.state.lineage,
    cloud: stack.target.cloud,
    skipPreflight: options.skipPreflight,
    createdAt: new Date().toISOString(),
    planSha256: planFileSha256(planFile),
  };
  fs.writeFileSync(sidecarPath(planFile), `${JSON.stringify(sidecar, null, 2)}\n`);
  return {
    stack,
    base: {
      city: stack.ref.city,
      env: stack.ref.env,
      target: stack.target,
      preflight: pre,
      planFile,
      synthHash: stack.synthHash,
    },
    hasChanges: written.hasChanges,
    resourceChanges: written.resourceChanges,
  };
}

export async function planStacks(
  ctx: LifecycleContext,
  refs: readonly StackRef[],
  options: PlanOptions & { concurrency: number },
): Promise<StackOutcome<StackPlanResult>[]> {
  if (options.out !== undefined && refs.length > 1)
    throw new StormError('usage', '--out saves the plan of exactly one city/environment', {
      hint: 'save the plans of several cities with --out-dir <dir>',
    });
  if (options.out !== undefined && options.outDir !== undefined)
    throw new StormError('usage', 'use --out or --out-dir, not both');
  if (options.outDir !== undefined) fs.mkdirSync(path.resolve(ctx.cwd, options.outDir), { recursive: true });
  return runEach(ctx, refs, options.concurrency, async (ref) => {
    try {
      const { stack, result, planDocument } = await planStack(ctx, ref, options);
      const policy = policyGate(stack.loaded, stack.ref.env, {
        terraform: stack.terraformJson,
        plan: planDocument,
        allowViolations: true,
      }).summary;
      await audit(
        ctx,
        stack,
        'plan',
        { skipPreflight: options.skipPreflight },
        result.summary,
        result.summary.hasChanges ? 'planned' : 'no-changes',
        { planFile: result.planFile, policy },
      );
      if (options.out === undefined && options.outDir === undefined) removeRunPlan(result.planFile);
      return result;
    } catch (err) {
      await auditFailure(ctx, ref, 'plan', options.skipPreflight, err);
      throw err;
    }
  });
}

/**
 * The plans --out-dir saved in a directory (a CI apply job's artifacts), each with the stack
 * its sidecar names, in name order. A plan without a sidecar, or one naming another file
 * name than its stack's, is refused: the directory came from elsewhere and is not trusted.
 */
export function savedPlansIn(dir: string): { ref: StackRef; planFile: string }[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    throw new StormError(
      'not-found',
      `cannot read plan directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      { hint: "pass the directory `storm plan --out-dir` wrote (CI: the plan jobs' artifacts)" },
    );
  }
  const plans = names
    .filter((n) => n.endsWith(SAVED_PLAN_SUFFIX))
    .sort()
    .map((name) => {
      const planFile = path.join(dir, name);
      let sidecar: Partial<PlanSidecar>;
      try {
        sidecar = JSON.parse(fs.readFileSync(sidecarPath(planFile), 'utf8')) as Partial<PlanSidecar>;
      } catch {
        throw new StormError(
          'stale-plan',
          `${planFile} has no readable storm record (${path.basename(sidecarPath(planFile))})`,
          {
            hint: 'make plan files with `storm plan --out-dir <dir>` and keep the .storm.json beside them',
          },
        );
      }
      const { city, env } = sidecar;
      if (typeof city !== 'string' || typeof env !== 'string' || name !== `${city}.${env}${SAVED_PLAN_SUFFIX}`)
        throw new StormError(
          'stale-plan',
          `${planFile} does not match its storm record (it names ${String(city)}/${String(env)})`,
          {
            hint: 'apply only the files `storm plan --out-dir` wrote, under the names it gave them',
          },
        );
      return { ref: { city, env }, planFile };
    });
  return plans;
}

/** Loads a saved plan and refuses it when the manifest/synthesis or the state moved since. */
export async function reviewSavedPlan(
  ctx: LifecycleContext,
  ref: StackRef,
  planFile: string,
  options: { skipPreflight: boolean; lockTimeout: string; runLocks?: RunLock[] },
): Promise<ReviewedPlan> {
  const file = path.resolve(ctx.cwd, planFile);
  if (!fs.existsSync(file))
    throw new StormError('not-found', `plan file ${planFile} does not exist`, {
      hint: 'create it with `storm plan <city> --out <file>`',
    });
  let sidecar: PlanSidecar;
  try {
    sidecar = JSON.parse(fs.readFileSync(sidecarPath(file), 'utf8')) as PlanSidecar;
  } catch {
    throw new StormError(
      'stale-plan',
      `${planFile} has no storm record (${path.basename(sidecarPath(file))}): storm cannot tell what it was made from`,
      { hint: 'make plan files with `storm plan <city> --out <file>` and keep the .storm.json beside them' },
    );
  }
  if (sidecar.schemaVersion !== 2 || typeof sidecar.planSha256 !== 'string') {
    throw new StormError(
      'stale-plan',
      `${planFile} was saved without the plan's sha256 (an older storm): storm cannot tell it is the plan that was reviewed`,
      { hint: 'make the plan again with `storm plan <city> --out <file>` and review it' },
    );
  }
  const actualSha256 = planFileSha256(file);
  if (actualSha256 !== sidecar.planSha256) {
    throw new StormError(
      'stale-plan',
      `${planFile} is not the plan that was saved: its sha256 is ${actualSha256.slice(0, 12)}…, the plan storm wrote had ${sidecar.planSha256.slice(0, 12)}… (${path.basename(sidecarPath(file))})`,
      {
        hint: 'apply only the plan file `storm plan --out` wrote, with its .storm.json; if it was replaced, review a fresh plan',
      },
    );
  }
  const stack = await prepareStack(ctx, ref, options.lockTimeout, options.runLocks);
  if (sidecar.city !== stack.ref.city || sidecar.env !== stack.ref.env) {
    throw new StormError(
      'stale-plan',
      `${planFile} is a plan for ${sidecar.city}/${sidecar.env}, not ${stack.ref.city}/${stack.ref.env}`,
      { hint: `run \`storm provision ${sidecar.city} --env ${sidecar.env} --plan ${planFile}\`` },
    );
  }
  if (sidecar.synthHash !== stack.synthHash) {
    throw new StormError(
      'stale-plan',
      `${planFile} is stale: ${stack.loaded.file} (or what storm synthesizes from it) changed since the plan was made at ${sidecar.createdAt} (configuration ${sidecar.synthHash.slice(0, 12)} then, ${stack.synthHash.slice(0, 12)} now)`,
      {
        hint: `review a fresh plan: \`storm plan ${stack.ref.city} --env ${stack.ref.env} --out ${planFile}\``,
      },
    );
  }
  if (sidecar.stateSerial !== stack.state.serial || sidecar.stateLineage !== stack.state.lineage) {
    throw new StormError(
      'stale-plan',
      `${planFile} is stale: the state of ${stack.ref.city}/${stack.ref.env} changed since the plan was made (serial ${sidecar.stateSerial} → ${stack.state.serial})`,
      {
        hint: `review a fresh plan: \`storm plan ${stack.ref.city} --env ${stack.ref.env} --out ${planFile}\``,
      },
    );
  }
  const pre = await preflight(stack, options.skipPreflight);
  await ctx.deps.tofu.ensureInit(stack.run, stack.terraformJson);
  // Read from the very file that will be applied: the policy gate judges this document, not a fresh synthesis.
  const planDocument = await ctx.deps.tofu.showPlan(stack.run, file);
  const summary = summarizePlan(planDocument);
  return {
    stack,
    planDocument,
    result: {
      city: stack.ref.city,
      env: stack.ref.env,
      target: stack.target,
      preflight: pre,
      summary,
      planFile: file,
      synthHash: stack.synthHash,
    },
  };
}
