/**
 * The sandbox program's command line: node dist/sandbox/main.js --port N --data DIR [--host H]
 * [--delay-ms N] [--floating-cidr A.B.C.0/24] [--token-ttl S] [--faults SPEC] [--fault-seed N]
 * [--allow-private-imports] [--tls]. Apart from main.ts (which starts a server on import) so it is tested
 * with literal argument lists; every flag that takes a value consumes it, and a bad value is refused here.
 */
import * as path from 'node:path';
import { floatingRange } from './core/floating-range';
import { DEFAULT_PORT } from './server';

export interface MainArgs {
  port: number;
  host: string;
  dataDir: string;
  statusDelayMs: number | undefined;
  floatingCidr: string | undefined;
  tokenTtlSeconds: number | undefined;
  faults: string | undefined;
  faultSeed: number | undefined;
  allowPrivateImports: boolean;
  /** HTTPS with the data directory's own CA (<data>/tls/ca.pem). */
  tls: boolean;
}

export function parseSandboxArgs(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): MainArgs {
  const args: MainArgs = {
    port: DEFAULT_PORT,
    host: '127.0.0.1',
    dataDir: path.resolve(cwd, '.storm', 'sandbox'),
    statusDelayMs: undefined,
    floatingCidr: undefined,
    tokenTtlSeconds: undefined,
    faults: env.STORM_SANDBOX_FAULTS,
    faultSeed: env.STORM_SANDBOX_FAULT_SEED === undefined ? undefined : Number(env.STORM_SANDBOX_FAULT_SEED),
    allowPrivateImports: env.STORM_SANDBOX_ALLOW_PRIVATE_IMPORTS === '1',
    tls: false,
  };
  const number = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0)
      throw new Error(`${flag} needs a non-negative number, got ${String(v)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--port':
        args.port = number(flag, value);
        i += 1;
        break;
      case '--host':
        if (value === undefined) throw new Error('--host needs a value');
        args.host = value;
        i += 1;
        break;
      case '--data':
        if (value === undefined) throw new Error('--data needs a directory');
        args.dataDir = path.resolve(cwd, value);
        i += 1;
        break;
      case '--floating-cidr':
        if (value === undefined) throw new Error('--floating-cidr needs a /24, e.g. 127.42.0.0/24');
        floatingRange(value); // refuses anything but a /24 now, not after the database is seeded
        args.floatingCidr = value;
        i += 1;
        break;
      case '--allow-private-imports':
        args.allowPrivateImports = true;
        break;
      case '--tls':
        args.tls = true;
        break;
      case '--delay-ms':
        args.statusDelayMs = number(flag, value);
        i += 1;
        break;
      case '--token-ttl':
        args.tokenTtlSeconds = number(flag, value);
        i += 1;
        break;
      case '--faults':
        args.faults = value ?? '';
        i += 1;
        break;
      case '--fault-seed':
        args.faultSeed = number(flag, value);
        i += 1;
        break;
      default:
        throw new Error(`unknown argument ${String(flag)}`);
    }
  }
  if (args.faultSeed !== undefined && !Number.isInteger(args.faultSeed))
    throw new Error('--fault-seed needs a whole number');
  return args;
}
