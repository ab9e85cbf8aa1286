/**
 * `storm destroy`: plan each stack's destruction, ask once (production needs the
 * city named with --confirm), withdraw what deploy stored, destroy, and record it.
 */
import type { AppliedResource } from '../engine/apply';
import { label } from '../engine/plan';
import { removeRunPlan, runPlanFile } from '../engine/workspace';
import { StormError, isStormError } from '../errors';
import { audit } from './audit-entry';
import type { LifecycleContext, PreparedStack, StackOutcome, StackRef } from './context';
import { asStormError, runEach } from './fan-out';
import type { StackPlanResult } from './plan';
import { locateAddress, prepareStack } from './prepare';
import type { RunLock } from '../engine/run-lock';

export interface DestroyOptions {
  lockTimeout: string;
  concurrency: number;
  /** The city named by --confirm (production needs it). */
  confirmCity?: string;
  autoApprove: boolean;
  confirm: (plans: readonly StackPlanResult[]) => Promise<boolean>;
}

export interface StackDestroyResult extends StackPlanResult {
  status: 'destroyed' | 'nothing-to-destroy' | 'cancelled';
  applied: AppliedResource[];
  durationMs: number;
}

export const PROTECTED_ENVIRONMENTS = new Set(['production']);

export async function destroyStacks(
  ctx: LifecycleContext,
  refs: readonly StackRef[],
  options: DestroyOptions,
): Promise<StackOutcome<StackDestroyResult>[]> {
  for (const ref of refs) {
    if (PROTECTED_ENVIRONMENTS.has(ref.env) && options.confirmCity !== ref.city) {
      throw new StormError('confirmation-required', `destroying ${ref.city}/${ref.env} needs --confirm ${ref.city}`, {
        hint: `this deletes the ${ref.env} tenancy of ${ref.city}; repeat the city name with --confirm ${ref.city} if that is what you want`,
      });
    }
  }
  // Each stack's run lock is held from before its state is read until the run ends (pg backend).
  const runLocks: RunLock[] = [];
  try {
    return await destroyLocked(ctx, refs, options, runLocks);
  } finally {
    await Promise.all(runLocks.map((l) => l.release()));
  }
}

async function destroyLocked(
  ctx: LifecycleContext,
  refs: readonly StackRef[],
  options: DestroyOptions,
  runLocks: RunLock[],
): Promise<StackOutcome<StackDestroyResult>[]> {
  const started = Date.now();
  const planned = await runEach(ctx, refs, options.concurrency, async (ref) => {
    const stack = await prepareStack(ctx, ref, options.lockTimeout, runLocks);
    // A destroy whose record could not be written would be an unrecorded change: refuse before it.
    await ctx.deps.auditReady(ctx.cwd, stack.ref.city);
    await ctx.deps.tofu.ensureInit(stack.run, stack.terraformJson);
    ctx.progress({ kind: 'step', message: `${label(stack.run)}: planning destruction` });
    const outcome = await ctx.deps.tofu.planToFile(stack.run, runPlanFile(stack.run.ws, 'destroy'), 'destroy');
    const result: StackPlanResult = {
      city: stack.ref.city,
      env: stack.ref.env,
      target: stack.target,
      preflight: { status: 'skipped' },
      summary: outcome.summary,
      planFile: outcome.planFile,
      synthHash: stack.synthHash,
    };
    return { stack, result };
  });
  const withChanges = planned.flatMap((p) => (p.ok && p.value.result.summary.hasChanges ? [p.value.result] : []));
  const approved = withChanges.length === 0 ? true : await options.confirm(withChanges);
  return runEach(ctx, refs, options.concurrency, async (ref): Promise<StackDestroyResult> => {
    const p = planned.find((x) => x.city === ref.city && x.env === ref.env);
    if (p === undefined) throw new StormError('internal', `no plan for ${ref.city}/${ref.env}`);
    if (!p.ok) throw p.error;
    const { stack, result } = p.value;
    try {
      return await destroyReviewed(stack, result);
    } finally {
      removeRunPlan(result.planFile);
    }
  });

  async function destroyReviewed(stack: PreparedStack, result: StackPlanResult): Promise<StackDestroyResult> {
    if (!approved) {
      await audit(
        ctx,
        stack,
        'destroy',
        { skipPreflight: true, autoApprove: options.autoApprove },
        result.summary,
        'cancelled',
        { message: 'not confirmed' },
      );
      return { ...result, status: 'cancelled', applied: [], durationMs: Date.now() - started };
    }
    try {
      if (!result.summary.hasChanges) {
        await audit(
          ctx,
          stack,
          'destroy',
          { skipPreflight: true, autoApprove: options.autoApprove },
          result.summary,
          'no-changes',
        );
        return { ...result, status: 'nothing-to-destroy', applied: [], durationMs: Date.now() - started };
      }
      await ctx.deps.withdraw({
        cwd: ctx.cwd,
        city: stack.resolved,
        credentials: stack.credentials,
        progress: ctx.progress,
      });
      ctx.progress({
        kind: 'step',
        message: `${label(stack.run)}: destroying ${result.summary.counts.delete} resource${result.summary.counts.delete === 1 ? '' : 's'}`,
      });
      const outcome = await ctx.deps.tofu.applyPlanFile(
        stack.run,
        result.planFile,
        result.summary.resources.length,
        (address) => locateAddress(stack.loaded, stack.resolved, address),
      );
      await audit(
        ctx,
        stack,
        'destroy',
        { skipPreflight: true, autoApprove: options.autoApprove },
        result.summary,
        'applied',
        { planFile: result.planFile },
      );
      return { ...result, status: 'destroyed', applied: outcome.applied, durationMs: Date.now() - started };
    } catch (err) {
      await audit(
        ctx,
        stack,
        'destroy',
        { skipPreflight: true, autoApprove: options.autoApprove },
        result.summary,
        isStormError(err) && err.code === 'interrupted' ? 'interrupted' : 'failed',
        { planFile: result.planFile, message: asStormError(err).message },
      );
      throw err;
    }
  }
}
