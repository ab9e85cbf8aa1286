/** Parameters with the defaults template.yaml declares (a test keeps them equal). */
import { type ServiceConfig, parameter } from '../../_runtime/config';

export const DEFAULT_PARAMETERS = {
  parishes: [
    'Águeda e Borralha',
    'Barrô e Aguada de Baixo',
    'Fermentelos',
    'Macinhata do Vouga',
    'Recardães e Espinhel',
    'Valongo do Vouga',
  ],
  votingOpen: true,
  maxIdeaLength: 2000,
  newVotersPerAddressPerDay: 50,
};

export type Parameters = typeof DEFAULT_PARAMETERS;

export function readParameters(config: ServiceConfig): Parameters {
  return {
    parishes: parameter(config, 'parishes', DEFAULT_PARAMETERS.parishes),
    votingOpen: parameter(config, 'votingOpen', DEFAULT_PARAMETERS.votingOpen),
    maxIdeaLength: parameter(config, 'maxIdeaLength', DEFAULT_PARAMETERS.maxIdeaLength),
    newVotersPerAddressPerDay: parameter(
      config,
      'newVotersPerAddressPerDay',
      DEFAULT_PARAMETERS.newVotersPerAddressPerDay,
    ),
  };
}
