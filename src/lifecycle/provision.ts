/**
 * `storm provision`: plan (or review a saved plan), pass the policy gate, ask once
 * for every stack with changes, apply, adopt what a stopped apply left
 * half-created, deploy the services, and record each run.
 */
import { type PolicyGate, policyGate } from '../audit/policy';
import type { AppliedResource } from '../engine/apply';
import type { StackRun } from '../engine/plan';
import { label } from '../engine/plan';
import type { PlanSummary } from '../engine/plan-changes';
import { summarizePlan } from '../engine/plan-changes';
import { maskOutputs } from '../engine/state';
import { removeRunPlan } from '../engine/workspace';
import type { DeployReport } from '../deploy/deploy-step';
import type { RunLock } from '../engine/run-lock';
import { StormError, isStormError } from '../errors';
import type { Progress, ProgressEvent } from '../progress';
import { audit, auditFailure } from './audit-entry';
import type { LifecycleContext, PreparedStack, StackOutcome, StackRef } from './context';
import { asStormError, runEach } from './fan-out';
import type { ReviewedPlan, StackPlanResult, StartedPlan } from './plan';
import { planStack, reviewSavedPlan, startPlan } from './plan';
import { locateAddress, rawOutputs } from './prepare';

export interface ProvisionOptions {
  /** A plan file saved by `storm plan --out` (exactly one stack). */
  planFile?: string;
  /** Saved plans by "city/env" (`storm plan --out-dir`): each stack applies exactly its own. */
  planFiles?: Readonly<Record<string, string>>;
  skipPreflight: boolean;
  lockTimeout: string;
  concurrency: number;
  /** --yes: recorded in the audit log. */
  autoApprove: boolean;
  /** --allow-violations: apply even when error-severity policy rules fail (recorded). */
  allowViolations: boolean;
  /**
   * --skip-deploy: apply the tenancy without deploying its services (recorded). For clouds whose
   * instances never boot, such as an all-in-one with a fake virt driver; `storm deploy` does it later.
   */
  skipDeploy?: boolean;
  /** Asked once, with every stack that has changes; false cancels everything. */
  confirm: (plans: readonly StackPlanResult[]) => Promise<boolean>;
}

export interface StackProvisionResult extends StackPlanResult {
  status: 'applied' | 'no-changes' | 'cancelled';
  applied: AppliedResource[];
  outputs: Record<string, unknown>;
  deploy: DeployReport | undefined;
  durationMs: number;
}

export async function provisionStacks(
  ctx: LifecycleContext,
  refs: readonly StackRef[],
  options: ProvisionOptions,
): Promise<StackOutcome<StackProvisionResult>[]> {
  // Each stack's run lock is held from before its state is read until the run ends (pg backend).
  const runLocks: RunLock[] = [];
  try {
    return await provisionLocked(ctx, refs, { ...options, runLocks });
  } finally {
    await Promise.all(runLocks.map((l) => l.release()));
  }
}

async function provisionLocked(
  ctx: LifecycleContext,
  refs: readonly StackRef[],
  options: ProvisionOptions & { runLocks: RunLock[] },
): Promise<StackOutcome<StackProvisionResult>[]> {
  if (options.planFile !== undefined && refs.length > 1)
    throw new StormError('usage', '--plan applies the saved plan of exactly one city/environment');
  const started = Date.now();
  const gates = new Map<string, PolicyGate>();
  const reviewing = options.planFile !== undefined || options.planFiles !== undefined;
  const savedPlanOf = (ref: StackRef): string | undefined => {
    if (options.planFile !== undefined) return options.planFile;
    if (options.planFiles === undefined) return undefined;
    const file = options.planFiles[`${ref.city}/${ref.env}`];
    if (file === undefined)
      throw new StormError('not-found', `no saved plan for ${ref.city}/${ref.env}`, {
        hint: 'apply only what was planned and reviewed: `storm plan --out-dir <dir>` first',
      });
    return file;
  };
  // --yes without a saved plan: nobody reads the summary before the apply starts, so tofu
  // applies the plan file while `tofu show -json` reads it back. The summary is still shown
  // (and the policy gate decided) before anything the apply reports.
  if (options.autoApprove && !reviewing) return runEach(ctx, refs, options.concurrency, provisionApproved);

  const planned = await runEach(ctx, refs, options.concurrency, async (ref) => {
    // An apply whose record could not be written would be an unrecorded change: refuse before it.
    await ctx.deps.auditReady(ctx.cwd, ref.city);
    let reviewed: ReviewedPlan;
    try {
      const saved = savedPlanOf(ref);
      reviewed =
        saved === undefined ? await planStack(ctx, ref, options) : await reviewSavedPlan(ctx, ref, saved, options);
    } catch (err) {
      await auditFailure(ctx, ref, 'provision', options.skipPreflight, err);
      throw err;
    }
    const { stack, result, planDocument } = reviewed;
    await passPolicyGate(stack, result.planFile, async () => result.summary, planDocument);
    return { stack, result };
  });
  const withChanges = planned.flatMap((p) => (p.ok && p.value.result.summary.hasChanges ? [p.value.result] : []));
  const approved = withChanges.length === 0 ? true : await options.confirm(withChanges);
  return runEach(ctx, refs, options.concurrency, async (ref): Promise<StackProvisionResult> => {
    const p = planned.find((x) => x.city === ref.city && x.env === ref.env);
    if (p === undefined) throw new StormError('internal', `no plan for ${ref.city}/${ref.env}`);
    if (!p.ok) throw p.error;
    const { stack, result } = p.value;
    try {
      if (!approved) {
        await audit(ctx, stack, 'provision', provisionFlags(options), result.summary, 'cancelled', {
          planFile: result.planFile,
          message: 'not confirmed',
          policy: gateOf(stack)?.summary,
        });
        return {
          ...result,
          status: 'cancelled',
          applied: [],
          outputs: maskOutputs(stack.state.outputs),
          deploy: undefined,
          durationMs: Date.now() - started,
        };
      }
      // An adoption changes nothing in the cloud, but its apply is what records the resources in the state.
      if (!result.summary.hasChanges && result.summary.adopts === 0)
        return await finishProvision(stack, result, undefined);
      announceApply(stack.run, result.summary.resources.length);
      return await finishProvision(
        stack,
        result,
        startApply(stack, stack.run, result.planFile, result.summary.resources.length),
      );
    } finally {
      if (!reviewing) removeRunPlan(result.planFile);
    }
  });

  async function provisionApproved(ref: StackRef): Promise<StackProvisionResult> {
    await ctx.deps.auditReady(ctx.cwd, ref.city);
    let plan: StartedPlan;
    try {
      plan = await startPlan(ctx, ref, options);
    } catch (err) {
      await auditFailure(ctx, ref, 'provision', options.skipPreflight, err);
      throw err;
    }
    const { stack, base } = plan;
    try {
      const reading = ctx.deps.tofu.showPlan(stack.run, base.planFile).then(summarizePlan);
      // Awaited below on every path; this only keeps a failure from counting as unhandled meanwhile.
      reading.catch(() => undefined);
      // Judged on the configuration this process synthesized and planned a moment ago (the plan's own input,
      // in a private workspace): waiting for `tofu show` here would serialize what --yes overlaps.
      await passPolicyGate(stack, base.planFile, () => reading, undefined);
      if (!plan.hasChanges) return await finishProvision(stack, { ...base, summary: await reading }, undefined);
      // The apply's progress waits until the summary has been shown.
      const held = heldProgress(ctx.progress);
      const applying = startApply(
        stack,
        { ...stack.run, progress: held.progress },
        base.planFile,
        plan.resourceChanges,
      );
      applying.catch(() => undefined);
      let summary: PlanSummary;
      try {
        summary = await reading;
        await options.confirm([{ ...base, summary }]);
      } catch (err) {
        // Only reading the plan back failed (or an interruption reached `tofu show`): the apply goes on.
        ctx.progress({
          kind: 'warning',
          message: `${label(stack.run)}: could not read the plan back for its summary (${asStormError(err).message}); applying it as planned`,
        });
        summary = summarizePlan({});
      }
      announceApply(stack.run, plan.resourceChanges);
      held.release();
      return await finishProvision(stack, { ...base, summary }, applying);
    } finally {
      removeRunPlan(base.planFile);
    }
  }

  /** Policy before any apply: a plan breaking an error-severity rule is refused unless --allow-violations, and either way recorded. */
  async function passPolicyGate(
    stack: PreparedStack,
    planFile: string,
    summary: () => Promise<PlanSummary>,
    /** `tofu show -json` of the plan file that will be applied, when it has been read before the apply. */
    planDocument: unknown,
  ): Promise<void> {
    const gate = policyGate(stack.loaded, stack.ref.env, {
      terraform: stack.terraformJson,
      ...(planDocument === undefined ? {} : { plan: planDocument }),
      allowViolations: options.allowViolations,
    });
    gates.set(`${stack.ref.city}/${stack.ref.env}`, gate);
    if (gate.refusal !== undefined) {
      await audit(
        ctx,
        stack,
        'provision',
        provisionFlags(options),
        await summary().catch(() => summarizePlan({})),
        'refused',
        { planFile, message: gate.refusal.message, policy: gate.summary },
      );
      if (!reviewing) removeRunPlan(planFile);
      throw gate.refusal;
    }
    if (!gate.report.passed)
      ctx.progress({
        kind: 'warning',
        message: `${label(stack.run)}: applying despite ${gate.summary.errors} policy violation${gate.summary.errors === 1 ? '' : 's'} (--allow-violations, recorded in the audit log)`,
      });
  }

  function announceApply(run: StackRun, total: number): void {
    ctx.progress({ kind: 'step', message: `${label(run)}: applying ${total} change${total === 1 ? '' : 's'}` });
  }

  function startApply(
    stack: PreparedStack,
    run: StackRun,
    planFile: string,
    total: number,
  ): Promise<AppliedResource[]> {
    const { tofu } = ctx.deps;
    return tofu
      .applyPlanFile(
        run,
        planFile,
        total,
        (address) => locateAddress(stack.loaded, stack.resolved, address),
        async (unfinished) => {
          const adopted = await tofu
            .adoptInterruptedCreates(run, stack.credentials, stack.terraformJson, unfinished)
            .catch((err: unknown) => {
              ctx.progress({
                kind: 'warning',
                message: `${label(run)}: could not check for half-created resources: ${err instanceof Error ? err.message : String(err)}`,
              });
              return [];
            });
          if (adopted.length > 0)
            ctx.progress({
              kind: 'step',
              message: `${label(run)}: adopted ${adopted.length} resource${adopted.length === 1 ? '' : 's'} the stopped run left half-created, so the next run does not duplicate them`,
            });
        },
      )
      .then((outcome) => outcome.applied);
  }

  /** After the apply (or with nothing to apply): deploy the services, read the outputs, record the run. */
  async function finishProvision(
    stack: PreparedStack,
    result: StackPlanResult,
    applying: Promise<AppliedResource[]> | undefined,
  ): Promise<StackProvisionResult> {
    try {
      if (applying === undefined) ctx.progress({ kind: 'step', message: `${label(stack.run)}: no changes` });
      const applied = applying === undefined ? [] : await applying;
      const after = await ctx.deps.tofu.readState(stack.run);
      const outputs = maskOutputs(after.outputs);
      if (options.skipDeploy === true && stack.resolved.services.length > 0)
        ctx.progress({
          kind: 'warning',
          message: `${label(stack.run)}: services not deployed (--skip-deploy); \`storm deploy ${stack.ref.city}\` deploys them`,
        });
      const deploy =
        options.skipDeploy === true
          ? undefined
          : await ctx.deps.deploy({
              cwd: ctx.cwd,
              city: stack.resolved,
              credentials: stack.credentials,
              outputs: rawOutputs(after),
              progress: ctx.progress,
              ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
            });
      await audit(
        ctx,
        stack,
        'provision',
        provisionFlags(options),
        result.summary,
        applying === undefined ? 'no-changes' : 'applied',
        { planFile: result.planFile, policy: gateOf(stack)?.summary },
      );
      return {
        ...result,
        status: applying === undefined ? 'no-changes' : 'applied',
        applied,
        outputs,
        deploy,
        durationMs: Date.now() - started,
      };
    } catch (err) {
      await audit(
        ctx,
        stack,
        'provision',
        provisionFlags(options),
        result.summary,
        isStormError(err) && err.code === 'interrupted' ? 'interrupted' : 'failed',
        { planFile: result.planFile, message: asStormError(err).message, policy: gateOf(stack)?.summary },
      );
      throw err;
    }
  }

  function gateOf(stack: PreparedStack): PolicyGate | undefined {
    return gates.get(`${stack.ref.city}/${stack.ref.env}`);
  }
}

/** Progress held back (in order) until release, then passed straight through. */
function heldProgress(progress: Progress): { progress: Progress; release: () => void } {
  let held: ProgressEvent[] | undefined = [];
  return {
    progress: (event) => {
      if (held === undefined) progress(event);
      else held.push(event);
    },
    release: () => {
      const events = held ?? [];
      held = undefined;
      for (const event of events) progress(event);
    },
  };
}

function provisionFlags(options: ProvisionOptions): {
  skipPreflight: boolean;
  autoApprove: boolean;
  allowViolations: boolean;
  skipDeploy: boolean;
} {
  return {
    skipPreflight: options.skipPreflight,
    autoApprove: options.autoApprove,
    allowViolations: options.allowViolations,
    skipDeploy: options.skipDeploy === true,
  };
}
