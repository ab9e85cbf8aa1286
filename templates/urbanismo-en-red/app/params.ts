/** Parameters with the defaults template.yaml declares (a test keeps them equal). */
import { type ServiceConfig, parameter } from '../../_runtime/config';

export const DEFAULT_PARAMETERS = {
  districts: ['Centro', 'Delicias', 'Parquesol', 'La Rondilla', 'Huerta del Rey', 'Pajarillos'],
  pageSize: 20,
  documentsContainer: 'plan-documents',
  planningOfficeEmail: 'urbanismo@example.org',
};

export type Parameters = typeof DEFAULT_PARAMETERS;

export function readParameters(config: ServiceConfig): Parameters {
  return {
    districts: parameter(config, 'districts', DEFAULT_PARAMETERS.districts),
    pageSize: parameter(config, 'pageSize', DEFAULT_PARAMETERS.pageSize),
    documentsContainer: parameter(config, 'documentsContainer', DEFAULT_PARAMETERS.documentsContainer),
    planningOfficeEmail: parameter(config, 'planningOfficeEmail', DEFAULT_PARAMETERS.planningOfficeEmail),
  };
}
