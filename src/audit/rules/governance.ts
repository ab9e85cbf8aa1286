/** Accountability: tags and people to call. */
import type { PolicyRule, RuleHit } from '../policy-types';
import { processesPersonalData } from './rule-helpers';

export const REQUIRED_TAGS: readonly string[] = ['owner', 'cost-centre', 'data-classification'];
export const DATA_CLASSIFICATIONS: readonly string[] = ['public', 'internal', 'personal', 'confidential', 'restricted'];

export const governanceRules: PolicyRule[] = [
  {
    id: 'STORM-GOV-001',
    name: 'gov.required-tags-missing',
    family: 'GOV',
    scope: 'environment',
    severity: 'error',
    title: 'required tags are set: owner, cost-centre, data-classification',
    hint: 'add the missing keys under tags:',
    check: (ctx) => {
      const missing = REQUIRED_TAGS.filter((t) => (ctx.city.tags[t] ?? '').trim() === '');
      if (missing.length === 0) return [];
      return [
        {
          subject: 'tags',
          path: ['tags'],
          message: `missing required tag${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`,
          hint: `add ${missing.map((m) => `${m}: ...`).join(', ')} under tags:`,
        },
      ];
    },
  },
  {
    id: 'STORM-GOV-002',
    name: 'gov.data-classification',
    family: 'GOV',
    scope: 'environment',
    severity: 'warning',
    title: 'data-classification is a known level and not "public" when personal data is processed',
    hint: `use one of: ${DATA_CLASSIFICATIONS.join(', ')}`,
    check: (ctx) => {
      const value = ctx.city.tags['data-classification'];
      if (value === undefined) return [];
      const where =
        ctx.manifest.environments[ctx.env]?.tags?.['data-classification'] !== undefined
          ? ['environments', ctx.env, 'tags', 'data-classification']
          : ['tags', 'data-classification'];
      const hits: RuleHit[] = [];
      if (!DATA_CLASSIFICATIONS.includes(value))
        hits.push({ subject: 'tags', path: where, message: `data-classification "${value}" is not a known level` });
      else if (value === 'public' && processesPersonalData(ctx.city))
        hits.push({
          subject: 'tags',
          path: where,
          message: 'data-classification is "public" but the tenancy processes personal data',
          hint: 'classify it as personal (or higher)',
        });
      return hits;
    },
  },
  {
    id: 'STORM-GOV-003',
    name: 'gov.contacts-missing',
    family: 'GOV',
    scope: 'environment',
    severity: 'warning',
    title: 'contacts are listed, with a data-protection officer (role: dpo) when personal data is processed',
    hint: 'add city.contacts entries with name, email and role',
    check: (ctx) => {
      const contacts = ctx.city.city.contacts ?? [];
      if (contacts.length === 0)
        return [
          { subject: 'city.contacts', path: ['city'], message: 'no contacts: nobody to call about this tenancy' },
        ];
      if (processesPersonalData(ctx.city) && !contacts.some((c) => c.role === 'dpo')) {
        return [
          {
            subject: 'city.contacts',
            path: ['city', 'contacts'],
            message: 'personal data is processed but no contact has role: dpo',
          },
        ];
      }
      return [];
    },
  },
];
