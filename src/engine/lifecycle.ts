/**
 * The lifecycle of one or many city stacks: manifest → synth → workspace →
 * pre-flight → plan → (confirm) → apply → deploy → outputs, and destroy, status
 * and output. Each stack has its own workspace and state; one failure does not
 * stop the others. The collaborators (engine, synth, sandbox, deploy, audit) come
 * in through LifecycleDeps so this file only orchestrates.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CloudCredentials, CloudTarget } from '../cloud/credentials';
import { describeCredentials, resolveCloudTarget, tofuCloudEnvironment } from '../cloud/credentials';
import type { ManifestPath, PreflightReport } from '../cloud/preflight';
import { QUOTA_LABELS } from '../cloud/inventory';
import { runPreflight } from '../cloud/preflight';
import { type PolicyGate, policyGate } from '../audit/policy';
import type { AuditPolicySummary } from '../audit/audit-record';
import { ensureSandboxPartnerProjects } from '../cloud/sandbox-partners';
import type { Diagnostic, SourceLocation } from '../errors';
import { StormError, isStormError } from '../errors';
import type { AuditRecordInput, AuditResult } from '../audit/audit-record';
import type { LoadedManifest } from '../manifest/load';
import { loadCity } from '../manifest/load';
import type { ResolvedCity } from '../manifest/model';
import { environmentNames, overrideOrigin, resolveEnvironment } from '../manifest/model';
import type { Progress, ProgressEvent } from '../progress';
import { STORM_VERSION } from '../version';
import type { AppliedResource } from './apply';
import { applyPlanFile } from './apply';
import { adoptInterruptedCreates } from './interrupt-recovery';
import type { PlanSummary } from './plan-changes';
import type { StackRun } from './plan';
import { ensureInit, label, planOnly, planToFile, readState, showPlan, writeWorkspace } from './plan';
import { summarizePlan } from './plan-changes';
import type { StateBackend, StateSnapshot } from './state';
import { backendSetup, maskOutputs } from './state';
import type { EngineRef } from './tofu';
import type { Workspace } from './workspace';
import { canonicalJson, removeRunPlan, runPlanFile, sha256, workspaceFor } from './workspace';

export type EngineInfo = EngineRef & { tofuVersion?: string; providerVersion?: string };

/** What the lifecycle needs from the rest of storm. */
export interface LifecycleDeps {
  engine(progress: Progress, signal?: AbortSignal): Promise<EngineInfo>;
  /** Synthesizes one resolved environment exactly as `storm synth` does (services' needs included). */
  synth(loaded: LoadedManifest, resolved: ResolvedCity, cwd: string, credentials: CloudCredentials): Promise<unknown>;
  /** Starts (or finds) storm's sandbox and returns credentials for it. */
  sandbox(cwd: string, progress: Progress): Promise<CloudCredentials>;
  deploy(input: DeployInput): Promise<DeployReport>;
  /** Before destroy: removes what deploy stored in object storage, so the containers can go. */
  withdraw(input: Omit<DeployInput, 'outputs' | 'service' | 'signal'>): Promise<void>;
  audit(cwd: string, record: AuditRecordInput): Promise<void>;
  /** One probe of each service instance the stack's outputs name (status). */
  serviceHealth(outputs: Record<string, unknown>): Promise<ServiceHealth[]>;
}

export interface DeployInput {
  cwd: string;
  city: ResolvedCity;
  credentials: CloudCredentials;
  outputs: Record<string, unknown>;
  progress: Progress;
  /** `storm deploy --service S`: only this one. */
  service?: string;
  signal?: AbortSignal;
}

export interface DeployReport {
  status: 'deployed' | 'nothing-to-deploy';
  services: Array<{ name: string; url?: string; healthy?: boolean }>;
  message: string;
}

export interface LifecycleContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  progress: Progress;
  signal?: AbortSignal;
  deps: LifecycleDeps;
}

export interface StackRef {
  city: string;
  env: string;
}

export interface TargetInfo {
  cloud: string;
  sandbox: boolean;
  /** Where the credentials came from (no secret). */
  description: string;
}

export type StackFailure = { code: string; message: string; hint?: string; diagnostics: Diagnostic[] };

export type PreflightStatus = { status: 'passed'; report: PreflightReport } | { status: 'skipped' };

/** A stack made ready: loaded, synthesized, initialised, with credentials. */
interface PreparedStack {
  ref: StackRef;
  loaded: LoadedManifest;
  resolved: ResolvedCity;
  terraformJson: unknown;
  synthHash: string;
  credentials: CloudCredentials;
  target: TargetInfo;
  run: StackRun;
  engine: EngineInfo;
  state: StateSnapshot;
}

// ---------------------------------------------------------------------------
// Preparing a stack

const sandboxCredentials = new WeakMap<LifecycleDeps, Promise<CloudCredentials>>();
const engines = new WeakMap<LifecycleDeps, Promise<EngineInfo>>();

async function prepareStack(ctx: LifecycleContext, ref: StackRef, lockTimeout: string): Promise<PreparedStack> {
  const loaded = loadCity(ref.city, { cwd: ctx.cwd });
  const envs = environmentNames(loaded.doc);
  if (!envs.includes(ref.env))
    throw new StormError('usage', `${loaded.file} has no environment "${ref.env}"`, {
      hint: `environments: ${envs.join(', ')}`,
    });
  const resolved = resolveEnvironment(loaded.doc, ref.env);
  const city = resolved.city.name;
  const tag = `${city}/${ref.env}`;
  const targetSpec = resolveCloudTarget(resolved.cloud.name, { cwd: ctx.cwd, env: ctx.env });
  const credentials = await credentialsFor(ctx, targetSpec);
  const withRegion: CloudCredentials =
    credentials.regionName === undefined ? { ...credentials, regionName: resolved.cloud.region } : credentials;
  const target: TargetInfo = {
    cloud: targetSpec.kind === 'sandbox' ? targetSpec.cloudName : withRegion.cloudName,
    sandbox: targetSpec.kind === 'sandbox',
    description: describeCredentials(withRegion),
  };
  ctx.progress({ kind: 'detail', message: `${tag}: ${target.description}` });
  // The sandbox's partner projects are only looked up at plan time: made while synthesis runs.
  const partners =
    targetSpec.kind === 'sandbox'
      ? ensureSandboxPartnerProjects(
          withRegion,
          resolved.partners.map((p) => p.project),
        )
      : Promise.resolve([]);
  const [terraformJson, created] = await Promise.all([ctx.deps.synth(loaded, resolved, ctx.cwd, withRegion), partners]);
  if (created.length > 0)
    ctx.progress({ kind: 'detail', message: `${tag}: sandbox partner projects created: ${created.join(', ')}` });
  const synthHash = sha256(canonicalJson(terraformJson));
  let engine = engines.get(ctx.deps);
  if (engine === undefined) {
    engine = ctx.deps.engine(ctx.progress, ctx.signal);
    engines.set(ctx.deps, engine);
  }
  const ws = workspaceFor(ctx.cwd, city, ref.env);
  const engineInfo = await engine;
  const run: StackRun = {
    engine: engineInfo,
    ws,
    backend: backendSetup(ws, resolved.state as StateBackend, ctx.env),
    env: definedOnly(tofuCloudEnvironment(withRegion)),
    progress: ctx.progress,
    lockTimeout,
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  };
  writeWorkspace(run, terraformJson);
  // A local state is read straight from its file, so pre-flight can run before tofu
  // does; other backends need an initialised workspace to pull the state.
  if (run.backend.kind !== 'local') await ensureInit(run, terraformJson);
  const state = await readState(run);
  return {
    ref: { city, env: ref.env },
    loaded,
    resolved,
    terraformJson,
    synthHash,
    credentials: withRegion,
    target,
    run,
    engine: engineInfo,
    state,
  };
}

async function credentialsFor(ctx: LifecycleContext, target: CloudTarget): Promise<CloudCredentials> {
  switch (target.kind) {
    case 'configured':
      return target.credentials;
    case 'sandbox': {
      let pending = sandboxCredentials.get(ctx.deps);
      if (pending === undefined) {
        pending = ctx.deps.sandbox(ctx.cwd, ctx.progress).then((c) => {
          const why =
            target.reason === 'nothing-configured'
              ? `no clouds.yaml entry or OS_* settings for cloud "${target.cloudName}"`
              : 'the manifest names cloud "sandbox"';
          ctx.progress({ kind: 'step', message: `using storm's local sandbox cloud at ${c.auth.authUrl} (${why})` });
          return c;
        });
        sandboxCredentials.set(ctx.deps, pending);
      }
      return { ...(await pending), cloudName: target.cloudName };
    }
  }
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  // An empty value overrides whatever OS_* the parent has, so the provider only sees storm's choice.
  for (const [k, v] of Object.entries(env)) out[k] = v ?? '';
  return out;
}

async function preflight(stack: PreparedStack, skip: boolean): Promise<PreflightStatus> {
  if (skip) {
    stack.run.progress({
      kind: 'warning',
      message: `${label(stack.run)}: pre-flight skipped (--skip-preflight); cloud problems will surface during apply`,
    });
    return { status: 'skipped' };
  }
  stack.run.progress({ kind: 'detail', message: `${label(stack.run)}: pre-flight against ${stack.target.cloud}` });
  const report = await runPreflight({
    credentials: stack.credentials,
    city: stack.resolved,
    terraformJson: stack.terraformJson,
    existingAddresses: new Set(stack.state.addresses),
    locate: (p) => locateResolvedPath(stack.loaded, stack.resolved.env, p),
  });
  const quotas = report.quotas
    .map((q) => `${QUOTA_LABELS[q.quota]} ${q.used}+${q.needed}/${q.limit < 0 ? '∞' : q.limit}`)
    .join(', ');
  stack.run.progress({
    kind: 'step',
    message: `${label(stack.run)}: pre-flight passed (${report.checked} names found in ${report.cloud}${quotas === '' ? '' : `; quota used+needed/limit: ${quotas}`})`,
  });
  return { status: 'passed', report };
}

/** Maps a path of the resolved city to where it is written (the environment override when it sets it). */
export function locateResolvedPath(loaded: LoadedManifest, env: string, p: ManifestPath): SourceLocation {
  const [a, b, i, field] = p;
  if (a === 'partners' && typeof b === 'number')
    return loaded.locate(overrideOrigin(loaded.doc, env, 'partners', b, typeof i === 'string' ? i : undefined));
  if (typeof i === 'number') {
    const collection = `${String(a)}.${String(b)}`;
    if (
      collection === 'compute.groups' ||
      collection === 'storage.volumes' ||
      collection === 'storage.containers' ||
      collection === 'security.groups' ||
      collection === 'network.subnets'
    ) {
      return loaded.locate(
        overrideOrigin(loaded.doc, env, collection, i, typeof field === 'string' ? field : undefined),
      );
    }
  }
  if (a === 'cloud' && typeof b === 'string') {
    const override = loaded.doc.environments[env]?.cloud as Record<string, unknown> | undefined;
    if (override?.[b] !== undefined) return loaded.locate(['environments', env, 'cloud', ...p.slice(1)]);
  }
  return loaded.locate(p);
}

/** Best effort: the manifest item a resource address comes from, by its name. */
export function locateAddress(
  loaded: LoadedManifest,
  resolved: ResolvedCity,
  address: string,
): SourceLocation | undefined {
  const m = /(?:^|\.)(openstack_[a-z0-9_]+)\.([A-Za-z0-9_-]+)/.exec(address);
  if (m === null) return undefined;
  const [, type = '', name = ''] = m;
  const tokens = name.toLowerCase().split(/[_-]+/);
  const has = (item: string): boolean => {
    const parts = item.toLowerCase().split(/[_-]+/);
    return tokens.some((_, k) => parts.every((p, j) => tokens[k + j] === p));
  };
  const pick = (
    collection: 'compute.groups' | 'storage.volumes' | 'storage.containers' | 'security.groups' | 'network.subnets',
    items: ReadonlyArray<{ name: string }>,
  ): SourceLocation | undefined => {
    const i = items.findIndex((it) => has(it.name));
    return i < 0 ? undefined : locateResolvedPath(loaded, resolved.env, [...collection.split('.'), i]);
  };
  if (/compute_instance|servergroup|floatingip|volume_attach|keypair|interface_attach/.test(type))
    return pick('compute.groups', resolved.compute.groups) ?? loaded.locate(['compute']);
  if (/blockstorage_volume/.test(type))
    return pick('storage.volumes', resolved.storage.volumes) ?? loaded.locate(['storage']);
  if (/objectstorage/.test(type))
    return pick('storage.containers', resolved.storage.containers) ?? loaded.locate(['storage']);
  if (/secgroup/.test(type)) return pick('security.groups', resolved.security.groups) ?? loaded.locate(['security']);
  if (/subnet|router_interface/.test(type))
    return pick('network.subnets', resolved.network.subnets) ?? loaded.locate(['network']);
  if (/rbac/.test(type)) return loaded.locate(['partners']);
  if (/networking/.test(type)) return loaded.locate(['network']);
  return undefined;
}

// ---------------------------------------------------------------------------
// Plan

export interface PlanOptions {
  out?: string;
  skipPreflight: boolean;
  lockTimeout: string;
}

export interface PlanSidecar {
  schemaVersion: 1;
  storm: string;
  city: string;
  env: string;
  synthHash: string;
  stateSerial: number;
  stateLineage: string;
  cloud: string;
  skipPreflight: boolean;
  createdAt: string;
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

export function sidecarPath(planFile: string): string {
  return `${planFile}.storm.json`;
}

/** A plan file written, not yet read back: everything of the plan's result but its summary. */
interface StartedPlan {
  stack: PreparedStack;
  base: Omit<StackPlanResult, 'summary'>;
  hasChanges: boolean;
  resourceChanges: number;
}

async function planStack(
  ctx: LifecycleContext,
  ref: StackRef,
  options: PlanOptions,
): Promise<{ stack: PreparedStack; result: StackPlanResult }> {
  const started = await startPlan(ctx, ref, options);
  const summary = summarizePlan(await showPlan(started.stack.run, started.base.planFile));
  return { stack: started.stack, result: { ...started.base, summary } };
}

async function startPlan(ctx: LifecycleContext, ref: StackRef, options: PlanOptions): Promise<StartedPlan> {
  const stack = await prepareStack(ctx, ref, options.lockTimeout);
  const pre = await preflight(stack, options.skipPreflight);
  await ensureInit(stack.run, stack.terraformJson);
  const planFile = options.out === undefined ? runPlanFile(stack.run.ws, 'apply') : path.resolve(ctx.cwd, options.out);
  ctx.progress({ kind: 'step', message: `${label(stack.run)}: planning` });
  const written = await planOnly(stack.run, planFile, 'apply');
  const sidecar: PlanSidecar = {
    schemaVersion: 1,
    storm: STORM_VERSION,
    city: stack.ref.city,
    env: stack.ref.env,
    synthHash: stack.synthHash,
    stateSerial: stack.state.serial,
    stateLineage: stack.state.lineage,
    cloud: stack.target.cloud,
    skipPreflight: options.skipPreflight,
    createdAt: new Date().toISOString(),
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

export type StackOutcome<T> =
  { city: string; env: string; ok: true; value: T } | { city: string; env: string; ok: false; error: StormError };

export async function planStacks(
  ctx: LifecycleContext,
  refs: readonly StackRef[],
  options: PlanOptions & { concurrency: number },
): Promise<StackOutcome<StackPlanResult>[]> {
  if (options.out !== undefined && refs.length > 1)
    throw new StormError('usage', '--out saves the plan of exactly one city/environment', {
      hint: 'plan the cities one at a time when saving plan files',
    });
  return runEach(ctx, refs, options.concurrency, async (ref) => {
    try {
      const { stack, result } = await planStack(ctx, ref, options);
      const policy = policyGate(stack.loaded, stack.ref.env, {
        terraform: stack.terraformJson,
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
      if (options.out === undefined) removeRunPlan(result.planFile);
      return result;
    } catch (err) {
      await auditFailure(ctx, ref, 'plan', options.skipPreflight, err);
      throw err;
    }
  });
}

// ---------------------------------------------------------------------------
// Provision

export interface ProvisionOptions {
  /** A plan file saved by `storm plan --out` (exactly one stack). */
  planFile?: string;
  skipPreflight: boolean;
  lockTimeout: string;
  concurrency: number;
  /** --yes: recorded in the audit log. */
  autoApprove: boolean;
  /** --allow-violations: apply even when error-severity policy rules fail (recorded). */
  allowViolations: boolean;
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
  if (options.planFile !== undefined && refs.length > 1)
    throw new StormError('usage', '--plan applies the saved plan of exactly one city/environment');
  const started = Date.now();
  const gates = new Map<string, PolicyGate>();
  // --yes without a saved plan: nobody reads the summary before the apply starts, so tofu
  // applies the plan file while `tofu show -json` reads it back. The summary is still shown
  // (and the policy gate decided) before anything the apply reports.
  if (options.autoApprove && options.planFile === undefined)
    return runEach(ctx, refs, options.concurrency, provisionApproved);

  const planned = await runEach(ctx, refs, options.concurrency, async (ref) => {
    let reviewed: { stack: PreparedStack; result: StackPlanResult };
    try {
      reviewed =
        options.planFile === undefined
          ? await planStack(ctx, ref, options)
          : await reviewSavedPlan(ctx, ref, options.planFile, options);
    } catch (err) {
      await auditFailure(ctx, ref, 'provision', options.skipPreflight, err);
      throw err;
    }
    const { stack, result } = reviewed;
    await passPolicyGate(stack, result.planFile, async () => result.summary);
    return reviewed;
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
      if (!result.summary.hasChanges) return await finishProvision(stack, result, undefined);
      announceApply(stack.run, result.summary.resources.length);
      return await finishProvision(
        stack,
        result,
        startApply(stack, stack.run, result.planFile, result.summary.resources.length),
      );
    } finally {
      if (options.planFile === undefined) removeRunPlan(result.planFile);
    }
  });

  async function provisionApproved(ref: StackRef): Promise<StackProvisionResult> {
    let plan: StartedPlan;
    try {
      plan = await startPlan(ctx, ref, options);
    } catch (err) {
      await auditFailure(ctx, ref, 'provision', options.skipPreflight, err);
      throw err;
    }
    const { stack, base } = plan;
    try {
      const reading = showPlan(stack.run, base.planFile).then(summarizePlan);
      // Awaited below on every path; this only keeps a failure from counting as unhandled meanwhile.
      reading.catch(() => undefined);
      await passPolicyGate(stack, base.planFile, () => reading);
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
  ): Promise<void> {
    const gate = policyGate(stack.loaded, stack.ref.env, {
      terraform: stack.terraformJson,
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
      if (options.planFile === undefined) removeRunPlan(planFile);
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
    return applyPlanFile(
      run,
      planFile,
      total,
      (address) => locateAddress(stack.loaded, stack.resolved, address),
      async (unfinished) => {
        const adopted = await adoptInterruptedCreates(run, stack.credentials, stack.terraformJson, unfinished).catch(
          (err: unknown) => {
            ctx.progress({
              kind: 'warning',
              message: `${label(run)}: could not check for half-created resources: ${err instanceof Error ? err.message : String(err)}`,
            });
            return [];
          },
        );
        if (adopted.length > 0)
          ctx.progress({
            kind: 'step',
            message: `${label(run)}: adopted ${adopted.length} resource${adopted.length === 1 ? '' : 's'} the stopped run left half-created, so the next run does not duplicate them`,
          });
      },
    ).then((outcome) => outcome.applied);
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
      const after = await readState(stack.run);
      const outputs = maskOutputs(after.outputs);
      const deploy = await ctx.deps.deploy({
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
        result.summary.hasChanges ? 'applied' : 'no-changes',
        { planFile: result.planFile, policy: gateOf(stack)?.summary },
      );
      return {
        ...result,
        status: result.summary.hasChanges ? 'applied' : 'no-changes',
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
} {
  return {
    skipPreflight: options.skipPreflight,
    autoApprove: options.autoApprove,
    allowViolations: options.allowViolations,
  };
}

/** Loads a saved plan and refuses it when the manifest/synthesis or the state moved since. */
async function reviewSavedPlan(
  ctx: LifecycleContext,
  ref: StackRef,
  planFile: string,
  options: { skipPreflight: boolean; lockTimeout: string },
): Promise<{ stack: PreparedStack; result: StackPlanResult }> {
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
  const stack = await prepareStack(ctx, ref, options.lockTimeout);
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
  await ensureInit(stack.run, stack.terraformJson);
  const summary = summarizePlan(await showPlan(stack.run, file));
  return {
    stack,
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

// ---------------------------------------------------------------------------
// Destroy

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
  const started = Date.now();
  const planned = await runEach(ctx, refs, options.concurrency, async (ref) => {
    const stack = await prepareStack(ctx, ref, options.lockTimeout);
    await ensureInit(stack.run, stack.terraformJson);
    ctx.progress({ kind: 'step', message: `${label(stack.run)}: planning destruction` });
    const outcome = await planToFile(stack.run, runPlanFile(stack.run.ws, 'destroy'), 'destroy');
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
      const outcome = await applyPlanFile(stack.run, result.planFile, result.summary.resources.length, (address) =>
        locateAddress(stack.loaded, stack.resolved, address),
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

// ---------------------------------------------------------------------------
// Status and output

export interface ServiceHealth {
  service: string;
  url: string;
  healthy: boolean;
  /** Version reported, or what went wrong. */
  detail: string;
}

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
    await ensureInit(stack.run, stack.terraformJson);
    // Drift from the cloud: a refresh-only plan (a normal plan only reports the drift
    // that feeds a change). Drift from the manifest: what a normal plan would change.
    const planFile = runPlanFile(stack.run.ws, 'status');
    const refreshed = await planToFile(stack.run, planFile, 'refresh-only').finally(() => removeRunPlan(planFile));
    const outcome = await planToFile(stack.run, planFile, 'apply').finally(() => removeRunPlan(planFile));
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

export interface StackDeployResult<T> {
  city: string;
  env: string;
  target: TargetInfo;
  deploy: T;
}

/** `storm deploy`: a deploy step alone (`deploy`, richer than the lifecycle's), against what the stack's state says is there. */
export async function deployStacks<T>(
  ctx: LifecycleContext,
  refs: readonly StackRef[],
  options: { lockTimeout: string; service?: string },
  deployStep: (input: DeployInput) => Promise<T>,
): Promise<StackOutcome<StackDeployResult<T>>[]> {
  return runEach(ctx, refs, 1, async (ref) => {
    const stack = await prepareStack(ctx, ref, options.lockTimeout);
    if (stack.state.resources.length === 0)
      throw new StormError(
        'not-found',
        `${stack.ref.city}/${stack.ref.env} is not provisioned: its state holds no resources`,
        { hint: `run \`storm provision ${stack.ref.city} --env ${stack.ref.env}\` first` },
      );
    const deploy = await deployStep({
      cwd: ctx.cwd,
      city: stack.resolved,
      credentials: stack.credentials,
      outputs: rawOutputs(stack.state),
      progress: ctx.progress,
      ...(options.service === undefined ? {} : { service: options.service }),
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
    return { city: stack.ref.city, env: stack.ref.env, target: stack.target, deploy };
  });
}

function rawOutputs(state: StateSnapshot): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state.outputs)) out[k] = v.value;
  return out;
}

// ---------------------------------------------------------------------------
// Running many stacks

/** Runs fn for every stack with at most `concurrency` at once; failures are kept, not thrown. */
export async function runEach<T>(
  ctx: { signal?: AbortSignal },
  refs: readonly StackRef[],
  concurrency: number,
  fn: (ref: StackRef) => Promise<T>,
): Promise<StackOutcome<T>[]> {
  const results: StackOutcome<T>[] = new Array<StackOutcome<T>>(refs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const ref = refs[i];
      if (ref === undefined) return;
      if (ctx.signal?.aborted === true) {
        results[i] = {
          city: ref.city,
          env: ref.env,
          ok: false,
          error: new StormError('interrupted', `${ref.city}/${ref.env}: not started, the run was interrupted`),
        };
        continue;
      }
      try {
        results[i] = { city: ref.city, env: ref.env, ok: true, value: await fn(ref) };
      } catch (err) {
        results[i] = { city: ref.city, env: ref.env, ok: false, error: asStormError(err) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, refs.length)) }, () => worker()));
  return results;
}

function asStormError(err: unknown): StormError {
  if (isStormError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new StormError('internal', `internal error: ${message}`, {
    cause: err,
    hint: 'this is a bug in storm; run again with --verbose',
  });
}

export function failureOf(error: StormError): StackFailure {
  return {
    code: error.code,
    message: error.message,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    diagnostics: [...error.diagnostics],
  };
}

function sha256Bytes(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

type AuditOutcome = 'planned' | 'applied' | 'no-changes' | 'failed' | 'cancelled' | 'refused' | 'interrupted';

function auditResult(outcome: AuditOutcome): AuditResult {
  switch (outcome) {
    case 'planned':
    case 'applied':
      return 'succeeded';
    case 'no-changes':
      return 'no-changes';
    case 'failed':
      return 'failed';
    case 'cancelled':
    case 'refused':
      return 'refused';
    case 'interrupted':
      return 'interrupted';
  }
}

async function audit(
  ctx: LifecycleContext,
  stack: PreparedStack,
  operation: AuditRecordInput['operation'],
  flags: { skipPreflight: boolean; autoApprove?: boolean; allowViolations?: boolean },
  summary: PlanSummary,
  outcome: AuditOutcome,
  extra: { planFile?: string; message?: string; policy?: AuditPolicySummary | undefined } = {},
): Promise<void> {
  await ctx.deps.audit(ctx.cwd, {
    operation,
    city: stack.ref.city,
    env: stack.ref.env,
    result: auditResult(outcome),
    versions: {
      storm: STORM_VERSION,
      ...(stack.engine.tofuVersion === undefined ? {} : { engine: stack.engine.tofuVersion }),
      ...(stack.engine.providerVersion === undefined ? {} : { provider: stack.engine.providerVersion }),
    },
    manifestHash: sha256(stack.loaded.text),
    configHash: stack.synthHash,
    ...(extra.planFile !== undefined && fs.existsSync(extra.planFile)
      ? { planHash: sha256Bytes(fs.readFileSync(extra.planFile)) }
      : {}),
    changes: summary.counts,
    flags: {
      skipPreflight: flags.skipPreflight,
      ...(flags.autoApprove === undefined ? {} : { autoApprove: flags.autoApprove }),
      ...(flags.allowViolations === undefined ? {} : { allowViolations: flags.allowViolations }),
    },
    ...(extra.policy === undefined ? {} : { policy: extra.policy }),
    ...(extra.message === undefined ? {} : { message: extra.message }),
  });
}

/** A failure before the stack was even prepared (bad manifest, cloud unreachable, pre-flight). */
async function auditFailure(
  ctx: LifecycleContext,
  ref: StackRef,
  operation: AuditRecordInput['operation'],
  skipPreflight: boolean,
  err: unknown,
): Promise<void> {
  const e = asStormError(err);
  // Nothing to record against a city that does not exist or a manifest storm could not read.
  if (e.code === 'not-found' || e.code === 'invalid-manifest' || e.code === 'usage') return;
  await ctx.deps.audit(ctx.cwd, {
    operation,
    city: ref.city,
    env: ref.env,
    result: e.code === 'interrupted' ? 'interrupted' : 'failed',
    versions: { storm: STORM_VERSION },
    flags: { skipPreflight },
    message: e.message,
  });
}

export type { Workspace };
