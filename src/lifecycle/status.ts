/**
 * `storm status` and `storm output`: what each stack's state holds, how the cloud
 * and the manifest have drifted from it, and whether its services answer.
 */
import type { PlanSummary } from '../engine/plan-changes';
import type { StateSnapshot } from '../engine/state';
import { maskOutputs } from '../engine/state';
import { removeRunPlan, runPlanFile } from '../engine/workspace';
import type { LifecycleContext, ServiceHealth, StackOutcome, StackRef, TargetInfo } from './context';
import { runEach } from './fan-out';
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
