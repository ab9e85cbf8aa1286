/**
 * The vocabulary of storm's policy checks: rules, what a rule reports, and the
 * report `storm audit` prints and `provision` consults.
 */
import type { PolicyRuleId } from '../diagnostic-codes';
import type { SourceLocation } from '../errors';
import type { LoadedManifest } from '../manifest/load';
import type { CityManifest, ResolvedCity } from '../manifest/model';
import type { DocPath } from '../manifest/source';

export type PolicySeverity = 'error' | 'warning';

export type FindingSource = 'manifest' | 'config' | 'plan';

/** Families group rules in the README table and in ids (STORM-<FAMILY>-NNN). */
export type RuleFamily = 'SEC' | 'DATA' | 'RES' | 'GOV' | 'AVL' | 'SHR' | 'ENV' | 'WVR';

/** What a rule needs: the manifest, the environment resolved, and the settings of this project. */
export interface PolicyContext {
  loaded: LoadedManifest;
  manifest: CityManifest;
  env: string;
  city: ResolvedCity;
  /** Every environment resolved (for rules that compare environments). */
  resolve(env: string): ResolvedCity;
  config: PolicyConfig;
  /** Today, YYYY-MM-DD (UTC): waivers expire at the end of their `expires` day. */
  today: string;
  /** The `tofu show -json` document of a plan, when one is given. */
  plan?: unknown;
  /** The synthesized Terraform JSON of this environment. */
  terraform?: unknown;
}

/** One problem a rule found, before waivers are applied. */
export interface RuleHit {
  /**
   * What is at fault, named the way waivers name it: security.groups.web.rules[2],
   * compute.groups.db, storage.containers.open-data, partners.catastro.access[0], ...
   */
  subject: string;
  /** The manifest setting to change (blamed at file:line:col). */
  path: DocPath;
  message: string;
  /** A more precise fix than the rule's general hint. */
  hint?: string;
  /** Where the problem was seen: the manifest (default), the synthesized configuration, or a plan. */
  source?: FindingSource;
}

interface RuleInfo {
  /** Stable id, STORM-<FAMILY>-NNN. */
  id: PolicyRuleId;
  /**
   * Readable alias, e.g. sec.admin-port-open-to-world. Waivers may name a rule by
   * either (the manifest schema wants lower-case rule names, so the id is also
   * accepted in lower case: storm-sec-001).
   */
  name: string;
  family: RuleFamily;
  severity: PolicySeverity;
  /** One line: what the rule requires. */
  title: string;
  /** How to comply, in general. */
  hint: string;
}

/** What a city-wide rule sees: every environment's report and waivers. */
export interface CityPolicyInput {
  loaded: LoadedManifest;
  today: string;
  reports: readonly PolicyReport[];
  /** Waivers in scope, per environment. */
  waivers: ReadonlyMap<string, readonly (WaiverRef & { path: DocPath })[]>;
}

/**
 * A rule judges one environment (most), or the whole city once every
 * environment has been judged (e.g. a waiver that waives nothing anywhere).
 */
export type PolicyRule =
  | (RuleInfo & { scope: 'environment'; check(ctx: PolicyContext): RuleHit[] })
  | (RuleInfo & { scope: 'city'; checkCity(input: CityPolicyInput): (RuleHit & { env: string })[] });

export interface WaiverRef {
  rule: string;
  reason: string;
  approvedBy: string;
  expires: string;
  /** What it waives (same naming as RuleHit.subject; '' = the whole city). */
  subject: string;
  location: SourceLocation;
}

interface FindingBase {
  rule: PolicyRuleId;
  severity: PolicySeverity;
  title: string;
  message: string;
  subject: string;
  location: SourceLocation;
  hint: string;
  source: FindingSource;
}

export type PolicyFinding =
  (FindingBase & { status: 'violation' }) | (FindingBase & { status: 'waived'; waiver: WaiverRef });

export interface PolicyCounts {
  errors: number;
  warnings: number;
  waived: number;
}

export interface PolicyReport {
  city: string;
  env: string;
  file: string;
  /** The date waivers were judged against. */
  date: string;
  rulesEvaluated: number;
  /** True when no error-severity finding is left unwaived. */
  passed: boolean;
  counts: PolicyCounts;
  /** Violations first (errors, then warnings), then waived findings; each in manifest order. */
  findings: PolicyFinding[];
  waiversUsed: WaiverRef[];
}

/** Data-residency and allow-list settings; storm.policy.json at the project root overrides the defaults. */
export interface PolicyConfig {
  /** ISO 3166 codes a city may be in (default: EU and EEA). */
  countries: string[];
  /** Regions tenancies may run in; empty = any region of an allowed cloud. */
  regions: string[];
  /** clouds.yaml names tenancies may use; empty = any. "sandbox" is always allowed. */
  clouds: string[];
  /** Volume types that are encrypted (default: any type whose name contains "encrypt" or "luks"). */
  encryptedVolumeTypes: string[];
}
