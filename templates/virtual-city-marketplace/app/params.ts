/** Parameters with the defaults template.yaml declares (a test keeps them equal). */
import { type ServiceConfig, parameter } from '../../_runtime/config';

export const DEFAULT_PARAMETERS = {
  categories: ['repairs', 'food', 'tourism', 'health', 'education', 'culture', 'mobility'],
  areas: ['Kentro', 'Ano Poli', 'Kalamaria', 'Toumba', 'Charilaou', 'Evosmos'],
  currency: 'EUR',
  requestRetentionDays: 180,
};

export type Parameters = typeof DEFAULT_PARAMETERS;

export function readParameters(config: ServiceConfig): Parameters {
  return {
    categories: parameter(config, 'categories', DEFAULT_PARAMETERS.categories),
    areas: parameter(config, 'areas', DEFAULT_PARAMETERS.areas),
    currency: parameter(config, 'currency', DEFAULT_PARAMETERS.currency),
    requestRetentionDays: parameter(config, 'requestRetentionDays', DEFAULT_PARAMETERS.requestRetentionDays),
  };
}
