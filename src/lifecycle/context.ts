/**
 * What every lifecycle action shares: its context (where, which environment,
 * how to report progress, how to stop), its collaborators (LifecycleDeps, so
 * the actions only orchestrate), and the shapes of a stack and of its outcome.
 */
import type { AuditRecordInput } from '../audit/audit-record';
import type { CloudCredentials } from '../cloud/credentials';
import type { PreflightReport } from '../cloud/preflight';
import type { DeployInput, DeployReport } from '../deploy/deploy-step';
import type { applyPlanFile } from '../engine/apply';
import type { StackRun, ensureInit, planOnly, planToFile, readState, showPlan, writeWorkspace } from '../engine/plan';
import type { StateSnapshot } from '../engine/state';
import type { EngineRef } from '../engine/tofu';
import type { Diagnostic, StormError } from '../errors';
import type { LoadedManifest } from '../manifest/load';
import type { ResolvedCity } from '../manifest/model';
import type { Progress } from '../progress';
import type { adoptInterruptedCreates } from './adoption';

export type EngineInfo = EngineRef & { tofuVersion?: string; providerVersion?: string };

/** What the lifecycle needs from the rest of storm. */
export interface LifecycleDeps {
  engine(progress: Progress, signal?: AbortSignal): Promise<EngineInfo>;
  /** What the lifecycle has tofu do in a stack's workspace. */
  tofu: TofuOperations;
  /** Synthesizes one resolved environment exactly as `storm synth` does (services' needs included). */
  synth(loaded: LoadedManifest, resolved: ResolvedCity, cwd: string, credentials: CloudCredentials): Promise<unknown>;
  /** Starts (or finds) storm's sandbox and returns credentials for it. */
  sandbox(cwd: string, progress: Progress): Promise<CloudCredentials>;
  deploy(input: DeployInput): Promise<DeployReport>;
  /** Before destroy: removes what deploy stored in object storage, so the containers can go. */
  withdraw(input: Omit<DeployInput, 'outputs' | 'service' | 'signal'>): Promise<void>;
  audit(cwd: string, record: AuditRecordInput): Promise<void>;
  /** Refuses before anything changes when the city's audit log could not record the run (it does not verify). */
  auditReady(cwd: string, city: string): Promise<void>;
  /** One probe of each service instance the stack's outputs name (status). */
  serviceHealth(outputs: Record<string, unknown>): Promise<ServiceHealth[]>;
}

/**
 * The tofu operations of engine/ (plan.ts, apply.ts) and the adoption of what a stopped
 * apply left half-created, as the lifecycle calls them: one seam, so that the
 * orchestration can run in-process against a fake engine.
 */
export interface TofuOperations {
  writeWorkspace: typeof writeWorkspace;
  ensureInit: typeof ensureInit;
  readState: typeof readState;
  planOnly: typeof planOnly;
  planToFile: typeof planToFile;
  showPlan: typeof showPlan;
  applyPlanFile: typeof applyPlanFile;
  adoptInterruptedCreates: typeof adoptInterruptedCreates;
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
export interface PreparedStack {
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
  /** Addresses this plan imports from the cloud (`storm import`'s adoption record): they exist already. */
  adopting?: readonly string[];
}

export type StackOutcome<T> =
  { city: string; env: string; ok: true; value: T } | { city: string; env: string; ok: false; error: StormError };

export interface ServiceHealth {
  service: string;
  url: string;
  healthy: boolean;
  /** Version reported, or what went wrong. */
  detail: string;
}
