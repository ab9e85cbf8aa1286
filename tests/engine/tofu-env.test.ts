import { describe, expect, it } from 'vitest';
import { tofuEnvironment, withInputDisabled } from '../../src/engine/tofu';

describe('tofu invocation', () => {
  it('adds -input=false only where tofu accepts it', () => {
    expect(withInputDisabled(['init', '-backend=false'])).toEqual(['init', '-input=false', '-backend=false']);
    expect(withInputDisabled(['apply', 'plan.tfplan'])).toEqual(['apply', '-input=false', 'plan.tfplan']);
    expect(withInputDisabled(['validate', '-json'])).toEqual(['validate', '-json']);
    expect(withInputDisabled(['providers', 'schema', '-json'])).toEqual(['providers', 'schema', '-json']);
    expect(withInputDisabled(['plan', '-input=false'])).toEqual(['plan', '-input=false']);
  });

  it('passes an allow-list plus OS_*, and never the machine TF_CLI_CONFIG_FILE', () => {
    const env = tofuEnvironment(
      {
        PATH: '/bin',
        HOME: '/root',
        TF_CLI_CONFIG_FILE: '/root/.terraformrc',
        OS_CLOUD: 'city',
        OS_PASSWORD: 'pw',
        AWS_SECRET_ACCESS_KEY: 'no',
        NODE_OPTIONS: '--inspect',
      },
      '/c/tofurc',
      { TF_DATA_DIR: '/w/.terraform', TF_CLI_CONFIG_FILE: '/evil' },
    );
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/root',
      OS_CLOUD: 'city',
      OS_PASSWORD: 'pw',
      TF_DATA_DIR: '/w/.terraform',
      TF_CLI_CONFIG_FILE: '/c/tofurc',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
    });
  });
});
