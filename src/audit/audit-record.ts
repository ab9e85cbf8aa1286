/**
 * One audit record: what storm did to a city's tenancy, when, by whom and from
 * which inputs. Records are built field by field from this closed shape — never
 * by copying an environment, a provider block or a connection string — and free
 * text is scrubbed of anything that looks like a credential, so the log can be
 * shared with auditors.
 */
import * as os from 'node:os';
import { StormError } from '../errors';
import { MASKED, redactFreeText, redactValue } from '../redact';

export type AuditOperation = 'plan' | 'provision' | 'destroy';
export const AUDIT_OPERATIONS: readonly AuditOperation[] = ['plan', 'provision', 'destroy'];

/** How the run ended. */
export type AuditResult = 'succeeded' | 'no-changes' | 'failed' | 'refused' | 'interrupted';
export const AUDIT_RESULTS: readonly AuditResult[] = ['succeeded', 'no-changes', 'failed', 'refused', 'interrupted'];

export interface AuditChangeSummary {
  create: number;
  update: number;
  replace: number;
  delete: number;
}

/** A policy finding as the record keeps it: enough to find it again, no more. */
export interface AuditPolicyViolation {
  rule: string;
  severity: 'error' | 'warning';
  subject: string;
  /** file:line:col of the blamed manifest setting. */
  location?: string;
}

export interface AuditWaiverUse {
  rule: string;
  subject: string;
  approvedBy: string;
  expires: string;
  reason: string;
}

export interface AuditPolicySummary {
  errors: number;
  warnings: number;
  violations: AuditPolicyViolation[];
  waiversUsed: AuditWaiverUse[];
}

/** What a caller (plan, provision, destroy) hands to appendAuditRecord. */
export interface AuditRecordInput {
  operation: AuditOperation;
  city: string;
  env: string;
  result: AuditResult;
  versions: { storm: string; engine?: string; provider?: string };
  /** sha256 (hex) of the manifest file bytes. */
  manifestHash?: string;
  /** sha256 (hex) of the canonical synthesized Terraform JSON. */
  configHash?: string;
  /** sha256 (hex) of the saved plan file (or of its `tofu show -json` document). */
  planHash?: string;
  /** The git commit the project was at (CI's commit variable, else the checkout's HEAD). */
  commit?: string;
  changes?: AuditChangeSummary;
  policy?: AuditPolicySummary;
  flags?: { skipPreflight?: boolean; allowViolations?: boolean; autoApprove?: boolean; skipDeploy?: boolean };
  /** One line about the outcome, e.g. the error message of a failed apply. */
  message?: string;
  /** Defaults to now; tests pass a fixed time. */
  time?: string;
  /** Defaults to the OS user / host name. */
  user?: string;
  host?: string;
}

/** The stored record: the input normalised, plus its place in the chain. */
export interface AuditRecord {
  seq: number;
  time: string;
  user: string;
  host: string;
  operation: AuditOperation;
  city: string;
  env: string;
  result: AuditResult;
  versions: { storm: string; engine?: string; provider?: string };
  manifestHash?: string;
  configHash?: string;
  planHash?: string;
  /** Appears only when known, so records written before it existed hash as they did. */
  commit?: string;
  changes?: AuditChangeSummary;
  policy?: AuditPolicySummary;
  /** skipDeploy appears only when true, so records written before it existed hash as they did. */
  flags: { skipPreflight: boolean; allowViolations: boolean; autoApprove: boolean; skipDeploy?: true };
  message?: string;
  /** "hmac-sha256" when the log is keyed (hash is an HMAC under the operator's audit key). */
  alg?: 'hmac-sha256';
  /** Hash of the previous record; GENESIS_HASH for the first. */
  prevHash: string;
  /** sha256 of the canonical JSON of this record without `hash`. */
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
export { MASKED };

/**
 * Removes credentials from free text: the one redaction of src/redact.ts (known
 * secret values, secret-named environment variables, passwords in URLs and
 * `password=...`-style pairs).
 */
export function scrubText(text: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return redactFreeText(text, env);
}

const SHA256 = /^[0-9a-f]{64}$/;
/** A git object name: SHA-1 (40 hex digits) or SHA-256 (64). */
export const GIT_COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

function hashField(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!SHA256.test(value))
    throw new StormError('internal', `audit record: ${name} must be a sha256 hex digest`, {
      hint: 'storm computes these hashes itself; this is a bug in storm',
    });
  return value;
}

function cleanCount(n: number): number {
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/**
 * Normalises an input into the record body (no seq/prevHash/hash yet), copying
 * only the known fields so nothing else can slip into the log.
 */
export function recordBody(
  input: AuditRecordInput,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'> {
  const scrub = (s: string): string => scrubText(s, env);
  // The whole body goes through the one redaction once more: a record is sealed into the chain for good.
  return redactValue(recordBodyFields(input, scrub), env);
}

function recordBodyFields(
  input: AuditRecordInput,
  scrub: (s: string) => string,
): Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'> {
  return {
    time: input.time ?? new Date().toISOString(),
    user: scrub(input.user ?? currentUser()),
    host: scrub(input.host ?? os.hostname()),
    operation: input.operation,
    city: input.city,
    env: input.env,
    result: input.result,
    versions: {
      storm: input.versions.storm,
      ...(input.versions.engine === undefined ? {} : { engine: input.versions.engine }),
      ...(input.versions.provider === undefined ? {} : { provider: input.versions.provider }),
    },
    ...(input.manifestHash === undefined ? {} : { manifestHash: hashField('manifestHash', input.manifestHash) }),
    ...(input.configHash === undefined ? {} : { configHash: hashField('configHash', input.configHash) }),
    ...(input.planHash === undefined ? {} : { planHash: hashField('planHash', input.planHash) }),
    ...(input.commit === undefined || !GIT_COMMIT.test(input.commit) ? {} : { commit: input.commit }),
    ...(input.changes === undefined
      ? {}
      : {
          changes: {
            create: cleanCount(input.changes.create),
            update: cleanCount(input.changes.update),
            replace: cleanCount(input.changes.replace),
            delete: cleanCount(input.changes.delete),
          },
        }),
    ...(input.policy === undefined
      ? {}
      : {
          policy: {
            errors: cleanCount(input.policy.errors),
            warnings: cleanCount(input.policy.warnings),
            violations: input.policy.violations.map((v) => ({
              rule: v.rule,
              severity: v.severity,
              subject: v.subject,
              ...(v.location === undefined ? {} : { location: v.location }),
            })),
            waiversUsed: input.policy.waiversUsed.map((w) => ({
              rule: w.rule,
              subject: w.subject,
              approvedBy: scrub(w.approvedBy),
              expires: w.expires,
              reason: scrub(w.reason),
            })),
          },
        }),
    flags: {
      skipPreflight: input.flags?.skipPreflight === true,
      allowViolations: input.flags?.allowViolations === true,
      autoApprove: input.flags?.autoApprove === true,
      ...(input.flags?.skipDeploy === true ? { skipDeploy: true as const } : {}),
    },
    ...(input.message === undefined ? {} : { message: scrub(input.message).slice(0, 2000) }),
  };
}

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
