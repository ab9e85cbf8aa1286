/** What partners may reach. */
import type { PolicyRule, RuleHit } from '../policy-types';
import { groupField, personalDataGroups } from './rule-helpers';

export const sharingRules: PolicyRule[] = [
  {
    id: 'STORM-SHR-001',
    name: 'shr.partner-write-access',
    family: 'SHR',
    scope: 'environment',
    severity: 'error',
    title: 'partners get read-only access unless a waiver states why they must write',
    hint: 'use mode: read, or record the approved need to write as a waiver on the partner',
    check: (ctx) => {
      const hits: RuleHit[] = [];
      ctx.city.partners.forEach((p, pi) => {
        const accessPath = groupField(ctx, 'partners', pi, 'access');
        p.access.forEach((a, ai) => {
          if (a.mode !== 'write') return;
          const what = 'container' in a ? `container "${a.container}"` : `network "${a.network}"`;
          hits.push({
            subject: `partners.${p.name}.access[${ai}]`,
            path: [...accessPath, ai, 'mode'],
            message: `partner "${p.name}" (${p.kind}) may write to ${what}`,
          });
        });
      });
      return hits;
    },
  },
  {
    id: 'STORM-SHR-002',
    name: 'shr.network-shared-with-personal-data',
    family: 'SHR',
    scope: 'environment',
    severity: 'error',
    title: 'no network is shared with a partner while it carries personal-data services',
    hint: 'move the personal-data instances to a network that is not shared, or give the partner an API instead of the network',
    check: (ctx) => {
      const hits: RuleHit[] = [];
      const personal = personalDataGroups(ctx.city);
      if (personal.size === 0) return hits;
      ctx.city.partners.forEach((p, pi) => {
        const accessPath = groupField(ctx, 'partners', pi, 'access');
        p.access.forEach((a, ai) => {
          if (!('network' in a)) return;
          // RBAC shares the whole network, so naming one subnet exposes every instance on it.
          const names = [...personal]
            .sort()
            .map((n) => `"${n}"`)
            .join(', ');
          hits.push({
            subject: `partners.${p.name}.access[${ai}]`,
            path: [...accessPath, ai, 'network'],
            message: `network "${a.network}" is shared with partner "${p.name}" but carries personal-data instances (${names})`,
          });
        });
      });
      return hits;
    },
  },
  {
    id: 'STORM-SHR-003',
    name: 'shr.private-partner-personal-data',
    family: 'SHR',
    scope: 'environment',
    severity: 'error',
    title: 'a private-sector partner gets no access to a container holding personal data',
    hint: 'share an anonymised export instead, or record the data-processing agreement as a waiver',
    check: (ctx) => {
      const hits: RuleHit[] = [];
      const personal = new Set(ctx.city.storage.containers.filter((c) => c.personalData).map((c) => c.name));
      ctx.city.partners.forEach((p, pi) => {
        if (p.kind !== 'private') return;
        const accessPath = groupField(ctx, 'partners', pi, 'access');
        p.access.forEach((a, ai) => {
          if ('container' in a && personal.has(a.container)) {
            hits.push({
              subject: `partners.${p.name}.access[${ai}]`,
              path: [...accessPath, ai, 'container'],
              message: `private partner "${p.name}" may reach container "${a.container}", which holds personal data`,
            });
          }
        });
      });
      return hits;
    },
  },
];
