/** Waivers are themselves checked: an expired one is a violation, an unknown rule id a mistake. */
import type { PolicyRule, RuleHit } from '../policy-types';
import { formatLocation } from '../../errors';
import { collectWaivers, isExpired, namesRule } from '../waivers';

export function waiverRules(known: () => readonly { id: string; name: string }[]): PolicyRule[] {
  return [
    {
      id: 'STORM-WVR-001',
      name: 'wvr.expired-waiver',
      family: 'WVR',
      scope: 'environment',
      severity: 'error',
      title: 'no expired waiver',
      hint: 'renew the waiver (new expires date, approved again) or fix what it waived and remove it',
      check: (ctx) =>
        collectWaivers(ctx.loaded, ctx.manifest, ctx.env)
          .filter((w) => isExpired(w, ctx.today))
          .map((w): RuleHit => ({
            subject: w.subject === '' ? 'waivers' : w.subject,
            path: [...w.path, 'expires'],
            message: `waiver of ${w.rule}${w.subject === '' ? '' : ` for ${w.subject}`} (approved by ${w.approvedBy}) expired on ${w.expires}`,
          })),
    },
    {
      id: 'STORM-WVR-002',
      name: 'wvr.unknown-rule',
      family: 'WVR',
      scope: 'environment',
      severity: 'warning',
      title: 'waivers name an existing rule',
      hint: 'use a rule id or name from `storm audit --rules` (e.g. storm-sec-001 or sec.admin-port-open-to-world)',
      check: (ctx) => {
        const rules = known();
        return collectWaivers(ctx.loaded, ctx.manifest, ctx.env)
          .filter((w) => !rules.some((r) => namesRule(w.rule, r)))
          .map((w): RuleHit => ({
            subject: w.subject === '' ? 'waivers' : w.subject,
            path: [...w.path, 'rule'],
            message: `waiver names rule "${w.rule}", which does not exist: it waives nothing`,
          }));
      },
    },
    {
      id: 'STORM-WVR-003',
      name: 'wvr.unused-waiver',
      family: 'WVR',
      scope: 'city',
      severity: 'warning',
      title: 'every waiver still waives something in some environment',
      hint: 'remove the waiver: what it excused is fixed (a stale waiver would silently excuse the next problem)',
      checkCity: (input) => {
        const used = new Set(
          input.reports.flatMap((r) =>
            r.findings.flatMap((f) => (f.status === 'waived' ? [formatLocation(f.waiver.location)] : [])),
          ),
        );
        const rules = known();
        const seen = new Set<string>();
        const hits: (RuleHit & { env: string })[] = [];
        for (const report of input.reports) {
          for (const w of input.waivers.get(report.env) ?? []) {
            const key = formatLocation(w.location);
            if (seen.has(key)) continue;
            seen.add(key);
            // Expired or unknown-rule waivers have their own findings.
            if (used.has(key) || isExpired(w, input.today) || !rules.some((r) => namesRule(w.rule, r))) continue;
            hits.push({
              env: report.env,
              subject: w.subject === '' ? 'waivers' : w.subject,
              path: [...w.path, 'rule'],
              message: `waiver of ${w.rule}${w.subject === '' ? '' : ` for ${w.subject}`} waives nothing in any environment`,
            });
          }
        }
        return hits;
      },
    },
  ];
}
