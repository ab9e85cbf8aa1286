/** Production resilience. */
import type { PolicyRule, RuleHit } from '../policy-types';
import { groupField } from './rule-helpers';

export const PRODUCTION_ENV = 'production';

export const availabilityRules: PolicyRule[] = [
  {
    id: 'STORM-AVL-001',
    name: 'avl.production-group-without-anti-affinity',
    family: 'AVL',
    scope: 'environment',
    severity: 'error',
    title: 'production groups of more than one instance are spread by anti-affinity',
    hint: 'set antiAffinity: true so one hypervisor failure cannot stop every instance',
    check: (ctx) => {
      if (ctx.env !== PRODUCTION_ENV) return [];
      const hits: RuleHit[] = [];
      ctx.city.compute.groups.forEach((g, gi) => {
        if (g.count > 1 && !g.antiAffinity) {
          hits.push({
            subject: `compute.groups.${g.name}`,
            path: groupField(ctx, 'compute.groups', gi, 'count'),
            message: `production group "${g.name}" runs ${g.count} instances without anti-affinity`,
          });
        }
      });
      return hits;
    },
  },
];
