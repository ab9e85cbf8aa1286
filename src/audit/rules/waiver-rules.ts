/** Waivers are themselves checked: an expired one is a violation, an unknown rule id a mistake. */
import type { PolicyRule, RuleHit } from '../policy-types';
import { collectWaivers, isExpired, namesRule } from '../waivers';

export function waiverRules(known: () => readonly { id: string; name: string }[]): PolicyRule[] {
  return [
    {
      id: 'STORM-WVR-001',
      name: 'wvr.expired-waiver',
      family: 'WVR',
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
      severity: 'warning',
      title: 'waivers name an existing rule',
      hint: 'use a rule id or name from `storm audit --rules` (e.g. storm-sec-001 or sec.admin-port-open-to-world)',
      check: (ctx) => {
        const rules = known();
        return collectWaivers(ctx.loaded, ctx.manifest, ctx.env)
          .filter((w) => !rules.some((r) => namesRule(w.rule, r)))
          .map((w): RuleHit => ({ subject: w.subject === '' ? 'waivers' : w.subject, path: [...w.path, 'rule'], message: `waiver names rule "${w.rule}", which does not exist: it waives nothing` }));
      },
    },
  ];
}
