/**
 * Evaluates the built-in policy rules on one environment of a city, applies the
 * manifest's waivers, and returns a PolicyReport. `storm audit` renders it;
 * `provision` refuses to apply when it has not passed (unless
 * --allow-violations, which the audit record keeps).
 */
import * as path from 'node:path';
import { StormError, formatLocation } from '../errors';
import { STACKS_DIR, type LoadedManifest } from '../manifest/load';
import { environmentNames, resolveEnvironment, type ResolvedCity } from '../manifest/model';
import type { ServiceNeeds } from '../manifest/templates';
import { serviceGroupName, withServiceNeeds } from '../synth/services';
import { synthesizeResolved } from '../synth/synth-city';
import type { AuditPolicySummary } from './audit-record';
import { loadPolicyConfig } from './policy-config';
import type { PolicyConfig, PolicyContext, PolicyFinding, PolicyReport, PolicyRule, RuleHit } from './policy-types';
import { POLICY_RULES } from './rules/index';
import { configResources, plannedResources, RESOURCE_CHECKS } from './rules/plan-values';
import { serviceNeedsOrNone } from './service-needs';
import { collectWaivers, covers, isExpired, toWaiverRef } from './waivers';

export interface EvaluateOptions {
  /** The `tofu show -json` document of a plan. */
  plan?: unknown;
  /** The synthesized Terraform JSON of this environment (synthesized here when absent). */
  terraform?: unknown;
  /** Defaults to storm.policy.json of the manifest's project. */
  config?: PolicyConfig;
  /** Defaults to today (UTC). */
  today?: string;
  /** Rules to evaluate (defaults to every built-in rule). */
  rules?: readonly PolicyRule[];
}

function projectOf(loaded: LoadedManifest): string {
  const dir = path.dirname(loaded.absPath);
  return path.basename(dir) === STACKS_DIR ? path.dirname(dir) : dir;
}

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

export function evaluatePolicies(loaded: LoadedManifest, env: string, options: EvaluateOptions = {}): PolicyReport {
  const manifest = loaded.doc;
  if (manifest.environments[env] === undefined) {
    throw new StormError('usage', `${loaded.file} has no environment "${env}"`, {
      hint: `environments: ${Object.keys(manifest.environments).join(', ')}`,
    });
  }
  const project = projectOf(loaded);
  // Rules judge what will really run: the manifest plus what its services' templates add (volumes, containers, open ports).
  const cache = new Map<string, { declared: ResolvedCity; needs: ServiceNeeds[]; effective: ResolvedCity }>();
  const resolveBoth = (e: string): { declared: ResolvedCity; needs: ServiceNeeds[]; effective: ResolvedCity } => {
    let r = cache.get(e);
    if (r === undefined) {
      const declared = resolveEnvironment(manifest, e);
      const needs = serviceNeedsOrNone(declared, project);
      r = { declared, needs, effective: withServiceNeeds(declared, needs) };
      cache.set(e, r);
    }
    return r;
  };
  const resolve = (e: string): ResolvedCity => resolveBoth(e).effective;
  const today = options.today ?? todayUtc();
  const ctx: PolicyContext = {
    loaded,
    manifest,
    env,
    city: resolve(env),
    resolve,
    config: options.config ?? loadPolicyConfig(project),
    today,
    ...(options.plan === undefined ? {} : { plan: options.plan }),
  };
  const terraform =
    options.terraform ?? synthesizeResolved(resolveBoth(env).declared, { services: resolveBoth(env).needs });
  const configured = configResources(terraform);
  const planned = options.plan === undefined ? undefined : plannedResources(options.plan);
  const waivers = collectWaivers(loaded, manifest, env).filter((w) => !isExpired(w, today));
  const rules = options.rules ?? POLICY_RULES;
  const findings: PolicyFinding[] = [];
  const used = new Map<string, ReturnType<typeof toWaiverRef>>();
  for (const rule of rules) {
    if (rule.scope !== 'environment') continue;
    const hits: RuleHit[] = rule.check(ctx).map((h) => blameServiceItem(ctx, h));
    const resourceCheck = RESOURCE_CHECKS[rule.id];
    // Configuration and plan add information only where the manifest did not already show the problem.
    if (resourceCheck !== undefined && hits.length === 0) hits.push(...resourceCheck(ctx, configured, 'config'));
    if (resourceCheck !== undefined && planned !== undefined && hits.length === 0)
      hits.push(...resourceCheck(ctx, planned, 'plan'));
    for (const hit of hits) {
      const base = {
        rule: rule.id,
        severity: rule.severity,
        title: rule.title,
        message: hit.message,
        subject: hit.subject,
        location: loaded.locate(hit.path),
        hint: hit.hint ?? rule.hint,
        source: hit.source ?? 'manifest',
      } as const;
      // WVR rules judge waivers themselves: they cannot be waived.
      const waiver = rule.family === 'WVR' ? undefined : waivers.find((w) => covers(w, rule, hit.subject));
      if (waiver === undefined) {
        findings.push({ ...base, status: 'violation' });
      } else {
        const ref = toWaiverRef(waiver);
        used.set(formatLocation(ref.location), ref);
        findings.push({ ...base, status: 'waived', waiver: ref });
      }
    }
  }
  return finish({
    city: manifest.city.name,
    env,
    file: loaded.file,
    date: today,
    rulesEvaluated: rules.length,
    findings,
    waiversUsed: [...used.values()].sort((a, b) => a.location.line - b.location.line),
  });
}

const ITEM_LISTS: readonly (readonly [string, string])[] = [
  ['storage', 'volumes'],
  ['storage', 'containers'],
  ['security', 'groups'],
  ['compute', 'groups'],
];

/**
 * A hit on an item a service's template added (it has no place in the manifest)
 * is blamed on the service entry, and named under it so a waiver on the service
 * covers it.
 */
function blameServiceItem(ctx: PolicyContext, hit: RuleHit): RuleHit {
  const [a, b, i] = hit.path;
  if (typeof i !== 'number' || !ITEM_LISTS.some(([x, y]) => x === a && y === b)) return hit;
  const declared = (
    (ctx.manifest as unknown as Record<string, Record<string, unknown[] | undefined> | undefined>)[a as string]?.[
      b as string
    ] ?? []
  ).length;
  if (i < declared) return hit;
  const items =
    (ctx.city as unknown as Record<string, Record<string, { name: string }[]>>)[a as string]?.[b as string] ?? [];
  const name = items[i]?.name ?? '';
  const si = ctx.city.services.findIndex(
    (s) => name === serviceGroupName(s.name) || name.startsWith(`${s.name}-`) || name.startsWith(`${s.template}-`),
  );
  const service = ctx.city.services[si < 0 ? 0 : si];
  if (service === undefined) return hit;
  return {
    ...hit,
    path: ['services', si < 0 ? 0 : si],
    subject: `services.${service.name}.${hit.subject}`,
    message: `${hit.message} (added by template ${service.template} for service "${service.name}": declare it in the manifest to choose its settings)`,
  };
}

/** Sorts the findings (violations by severity, then waived; manifest order within) and counts them. */
function finish(r: Omit<PolicyReport, 'passed' | 'counts'>): PolicyReport {
  const order = (f: PolicyFinding): number => (f.status === 'waived' ? 2 : f.severity === 'error' ? 0 : 1);
  const findings = [...r.findings].sort(
    (a, b) =>
      order(a) - order(b) ||
      a.location.line - b.location.line ||
      a.location.column - b.location.column ||
      (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
  );
  const errors = findings.filter((f) => f.status === 'violation' && f.severity === 'error').length;
  const warnings = findings.filter((f) => f.status === 'violation' && f.severity === 'warning').length;
  const waived = findings.filter((f) => f.status === 'waived').length;
  return { ...r, findings, passed: errors === 0, counts: { errors, warnings, waived } };
}

/** `storm audit <city>`: every environment (or the ones named), one report each. */
export interface PolicyRun {
  city: string;
  file: string;
  passed: boolean;
  counts: PolicyReport['counts'];
  reports: PolicyReport[];
}

/**
 * Every environment (or the ones named). City-wide rules (unused waivers) run
 * only when every environment is judged: a waiver for production alone waives
 * nothing in preprod, and that is fine.
 */
export function evaluateEnvironments(
  loaded: LoadedManifest,
  envs: readonly string[] | undefined,
  options: EvaluateOptions = {},
): PolicyRun {
  const names = envs ?? environmentNames(loaded.doc);
  const config = options.config ?? loadPolicyConfig(projectOf(loaded));
  let reports = names.map((env) => evaluatePolicies(loaded, env, { ...options, config }));
  if (envs === undefined)
    reports = withCityRules(loaded, reports, options.rules ?? POLICY_RULES, options.today ?? todayUtc());
  const sum = (k: keyof PolicyReport['counts']): number => reports.reduce((n, r) => n + r.counts[k], 0);
  return {
    city: loaded.doc.city.name,
    file: loaded.file,
    passed: reports.every((r) => r.passed),
    counts: { errors: sum('errors'), warnings: sum('warnings'), waived: sum('waived') },
    reports,
  };
}

function withCityRules(
  loaded: LoadedManifest,
  reports: PolicyReport[],
  rules: readonly PolicyRule[],
  today: string,
): PolicyReport[] {
  const waivers = new Map(reports.map((r) => [r.env, collectWaivers(loaded, loaded.doc, r.env)] as const));
  const extra = new Map<string, PolicyFinding[]>();
  for (const rule of rules) {
    if (rule.scope !== 'city') continue;
    for (const hit of rule.checkCity({ loaded, today, reports, waivers })) {
      const finding: PolicyFinding = {
        status: 'violation',
        rule: rule.id,
        severity: rule.severity,
        title: rule.title,
        message: hit.message,
        subject: hit.subject,
        location: loaded.locate(hit.path),
        hint: hit.hint ?? rule.hint,
        source: hit.source ?? 'manifest',
      };
      extra.set(hit.env, [...(extra.get(hit.env) ?? []), finding]);
    }
  }
  return reports.map((r) => {
    const more = extra.get(r.env);
    return more === undefined ? r : finish({ ...r, findings: [...r.findings, ...more] });
  });
}

/** The part of a report an audit record keeps. */
export function auditPolicySummary(report: PolicyReport): AuditPolicySummary {
  return {
    errors: report.counts.errors,
    warnings: report.counts.warnings,
    violations: report.findings
      .filter((f) => f.status === 'violation')
      .map((f) => ({ rule: f.rule, severity: f.severity, subject: f.subject, location: formatLocation(f.location) })),
    waiversUsed: report.findings
      .filter((f): f is Extract<PolicyFinding, { status: 'waived' }> => f.status === 'waived')
      .map((f) => ({
        rule: f.rule,
        subject: f.subject,
        approvedBy: f.waiver.approvedBy,
        expires: f.waiver.expires,
        reason: f.waiver.reason,
      })),
  };
}

/** The policy-violation error (exit 3) naming every unwaived error of the reports. */
export function policyViolationError(report: PolicyReport | PolicyRun): StormError {
  const reports = 'reports' in report ? report.reports : [report];
  const errors = reports.flatMap((r) => r.findings.filter((f) => f.status === 'violation' && f.severity === 'error'));
  const failing = reports
    .filter((r) => !r.passed)
    .map((r) => r.env)
    .join(', ');
  return new StormError(
    'policy-violation',
    `${report.city} (${failing}) violates ${errors.length} policy rule${errors.length === 1 ? '' : 's'}: ${[...new Set(errors.map((f) => f.rule))].join(', ')}`,
    {
      hint: 'fix the findings, or add a waiver (rule, reason, approvedBy, expires) next to the setting',
      diagnostics: errors.map((f) => ({
        severity: 'error',
        code: f.rule,
        message: f.message,
        path: f.subject,
        location: f.location,
        hint: f.hint,
      })),
    },
  );
}

/**
 * What provision needs before it applies: the report, the summary its audit
 * record keeps, and the refusal to throw (after recording it) unless the
 * operator passed --allow-violations.
 */
export interface PolicyGate {
  report: PolicyReport;
  summary: AuditPolicySummary;
  /** Present when the plan must not be applied. */
  refusal?: StormError;
}

export function policyGate(
  loaded: LoadedManifest,
  env: string,
  options: EvaluateOptions & { allowViolations: boolean },
): PolicyGate {
  const { allowViolations, ...evaluate } = options;
  const report = evaluatePolicies(loaded, env, evaluate);
  const summary = auditPolicySummary(report);
  if (report.passed || allowViolations) return { report, summary };
  const err = policyViolationError(report);
  return {
    report,
    summary,
    refusal: new StormError('policy-violation', `${err.message}; refusing to apply`, {
      hint: 'fix the findings (storm audit shows them) or, if accepted, apply with --allow-violations (recorded in the audit log)',
      diagnostics: err.diagnostics,
    }),
  };
}
