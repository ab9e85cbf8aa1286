/**
 * The audit record of a lifecycle run, assembled from the prepared stack (hashes
 * of the manifest, the configuration and the plan file; versions; flags; policy)
 * and handed to LifecycleDeps.audit.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { AuditPolicySummary, AuditRecordInput, AuditResult } from '../audit/audit-record';
import type { PlanSummary } from '../engine/plan-changes';
import { sha256 } from '../engine/workspace';
import { STORM_VERSION } from '../version';
import type { LifecycleContext, PreparedStack, StackRef } from './context';
import { asStormError } from './fan-out';
import { sourceCommit } from './source-commit';

function commitOf(ctx: LifecycleContext): { commit?: string } {
  const commit = sourceCommit(ctx.cwd, ctx.env);
  return commit === undefined ? {} : { commit };
}

function sha256Bytes(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export type AuditOutcome = 'planned' | 'applied' | 'no-changes' | 'failed' | 'cancelled' | 'refused' | 'interrupted';

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

export async function audit(
  ctx: LifecycleContext,
  stack: PreparedStack,
  operation: AuditRecordInput['operation'],
  flags: { skipPreflight: boolean; autoApprove?: boolean; allowViolations?: boolean; skipDeploy?: boolean },
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
    ...commitOf(ctx),
    changes: summary.counts,
    flags: {
      skipPreflight: flags.skipPreflight,
      ...(flags.autoApprove === undefined ? {} : { autoApprove: flags.autoApprove }),
      ...(flags.allowViolations === undefined ? {} : { allowViolations: flags.allowViolations }),
      ...(flags.skipDeploy === true ? { skipDeploy: true } : {}),
    },
    ...(extra.policy === undefined ? {} : { policy: extra.policy }),
    ...(extra.message === undefined ? {} : { message: extra.message }),
  });
}

/** A failure before the stack was even prepared (bad manifest, cloud unreachable, pre-flight). */
export async function auditFailure(
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
    ...commitOf(ctx),
    flags: { skipPreflight },
    message: e.message,
  });
}
