/** Data residency: where the tenancy runs. */
import type { PolicyRule, RuleHit } from '../policy-types';

export const residencyRules: PolicyRule[] = [
  {
    id: 'STORM-RES-001',
    name: 'res.country-not-allowed',
    family: 'RES',
    scope: 'environment',
    severity: 'error',
    title: 'the city is in an allowed country (default: EU/EEA)',
    hint: 'list the country in storm.policy.json "countries" only if its data-protection regime allows it',
    check: (ctx) =>
      ctx.config.countries.includes(ctx.city.city.country)
        ? []
        : [
            {
              subject: 'city.country',
              path: ['city', 'country'],
              message: `country ${ctx.city.city.country} is not in the data-residency allow-list (${ctx.config.countries.length} countries)`,
            },
          ],
  },
  {
    id: 'STORM-RES-002',
    name: 'res.cloud-or-region-not-allowed',
    family: 'RES',
    scope: 'environment',
    severity: 'error',
    title: 'cloud and region are in the allow-list (storm.policy.json)',
    hint: 'run the tenancy in an allowed cloud and region, or have the allow-list in storm.policy.json extended',
    check: (ctx) => {
      const hits: RuleHit[] = [];
      const override = ctx.manifest.environments[ctx.env]?.cloud;
      const where = (field: 'name' | 'region'): (string | number)[] =>
        override?.[field] !== undefined ? ['environments', ctx.env, 'cloud', field] : ['cloud', field];
      const { name, region } = ctx.city.cloud;
      if (name !== 'sandbox' && ctx.config.clouds.length > 0 && !ctx.config.clouds.includes(name)) {
        hits.push({
          subject: 'cloud.name',
          path: where('name'),
          message: `cloud "${name}" is not in the allow-list (${ctx.config.clouds.join(', ')})`,
        });
      }
      if (name !== 'sandbox' && ctx.config.regions.length > 0 && !ctx.config.regions.includes(region)) {
        hits.push({
          subject: 'cloud.region',
          path: where('region'),
          message: `region "${region}" is not in the allow-list (${ctx.config.regions.join(', ')})`,
        });
      }
      return hits;
    },
  },
];
