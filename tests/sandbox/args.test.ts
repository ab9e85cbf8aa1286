import { describe, expect, it } from 'vitest';
import { parseSandboxArgs } from '../../src/sandbox/args';

describe('the sandbox command line', () => {
  it('takes --floating-cidr with its value wherever it stands, and the flags after it', () => {
    const args = parseSandboxArgs(
      ['--floating-cidr', '127.43.1.0/24', '--port', '0', '--data', 'd', '--host', '127.0.0.2'],
      {},
      '/srv/p',
    );
    expect(args).toMatchObject({ floatingCidr: '127.43.1.0/24', port: 0, dataDir: '/srv/p/d', host: '127.0.0.2' });
    expect(parseSandboxArgs(['--port', '0', '--floating-cidr', '127.44.0.0/24'], {}, '/srv/p').floatingCidr).toBe(
      '127.44.0.0/24',
    );
  });

  it('refuses a floating range that is not a /24, a missing value and an unknown flag', () => {
    expect(() => parseSandboxArgs(['--floating-cidr', '127.43.0.0/16'], {}, '/')).toThrow(/\/24/);
    expect(() => parseSandboxArgs(['--floating-cidr'], {}, '/')).toThrow(/needs a \/24/);
    expect(() => parseSandboxArgs(['--floating'], {}, '/')).toThrow(/unknown argument --floating/);
    expect(() => parseSandboxArgs(['--port', '-1'], {}, '/')).toThrow(/non-negative/);
  });

  it('reads faults and the private-import switch from the environment when the flags are absent', () => {
    const args = parseSandboxArgs([], { STORM_SANDBOX_FAULTS: 'nova:503@1', STORM_SANDBOX_FAULT_SEED: '7' }, '/srv');
    expect(args).toMatchObject({
      faults: 'nova:503@1',
      faultSeed: 7,
      allowPrivateImports: false,
      dataDir: '/srv/.storm/sandbox',
    });
    expect(parseSandboxArgs(['--faults', ''], { STORM_SANDBOX_FAULTS: 'x' }, '/').faults).toBe('');
  });
});
