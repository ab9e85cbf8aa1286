/** The registry of built-in policy rules, in the order reports and the README list them. */
import type { PolicyRule } from '../policy-types';
import { availabilityRules } from './availability';
import { dataRules } from './data';
import { environmentRules } from './environments';
import { frontDoorAvailabilityRules, frontDoorSecurityRules } from './front-door';
import { governanceRules } from './governance';
import { residencyRules } from './residency';
import { securityRules } from './security';
import { sharingRules } from './sharing';
import { waiverRules } from './waiver-rules';

export const POLICY_RULES: readonly PolicyRule[] = [
  ...securityRules,
  ...frontDoorSecurityRules,
  ...dataRules,
  ...residencyRules,
  ...governanceRules,
  ...availabilityRules,
  ...frontDoorAvailabilityRules,
  ...sharingRules,
  ...environmentRules,
  ...waiverRules(() => POLICY_RULES),
];

export function ruleById(id: string): PolicyRule | undefined {
  return POLICY_RULES.find((r) => r.id === id);
}
