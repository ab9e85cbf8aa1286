/**
 * The sandbox process: node dist/sandbox/main.js --port N --data DIR [--host H]
 * [--delay-ms N] [--floating-cidr A.B.C.0/24] [--token-ttl S] [--faults SPEC] [--fault-seed N]
 * [--allow-private-imports]. Environment: STORM_SANDBOX_FAULTS, STORM_SANDBOX_FAULT_SEED and
 * STORM_SANDBOX_ALLOW_PRIVATE_IMPORTS=1 apply when the flags are absent. Prints one JSON line {"ready": true, url, pid, ...} on
 * stdout once listening; diagnostics go to stderr. Exits on SIGINT/SIGTERM
 * after closing the server (state is already on disk).
 */
import { floatingCidrFor } from './core/floating-range';
import * as path from 'node:path';
import { FaultSpecError } from './core/faults';
import { DEFAULT_PORT, createSandbox } from './server';
import { PRIVATE_UMASK } from '../private-files';

interface MainArgs {
  port: number;
  host: string;
  dataDir: string;
  statusDelayMs: number | undefined;
  floatingCidr: string | undefined;
  tokenTtlSeconds: number | undefined;
  faults: string | undefined;
  faultSeed: number | undefined;
  allowPrivateImports: boolean;
}

function parseArgs(argv: readonly string[]): MainArgs {
  const args: MainArgs = {
    port: DEFAULT_PORT,
    host: '127.0.0.1',
    dataDir: path.resolve('.storm', 'sandbox'),
    statusDelayMs: undefined,
    floatingCidr: undefined,
    tokenTtlSeconds: undefined,
    faults: process.env.STORM_SANDBOX_FAULTS,
    faultSeed:
      process.env.STORM_SANDBOX_FAULT_SEED === undefined ? undefined : Number(process.env.STORM_SANDBOX_FAULT_SEED),
    allowPrivateImports: process.env.STORM_SANDBOX_ALLOW_PRIVATE_IMPORTS === '1',
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
        args.dataDir = path.resolve(value);
        i += 1;
        break;
      case '--floating-cidr':
        if (value === undefined) throw new Error('--floating-cidr needs a /24, e.g. 127.42.0.0/24');
        args.floatingCidr = value;
        i += 1;
        break;
      case '--allow-private-imports':
        args.allowPrivateImports = true;
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

async function run(): Promise<void> {
  // The database, blobs and logs hold tenants' data and tokens: 0600 files in 0700 folders.
  process.umask(PRIVATE_UMASK);
  const args = parseArgs(process.argv.slice(2));
  const sandbox = await createSandbox({
    port: args.port,
    host: args.host,
    dataDir: args.dataDir,
    ...(args.statusDelayMs === undefined ? {} : { statusDelayMs: args.statusDelayMs }),
    ...(args.tokenTtlSeconds === undefined ? {} : { tokenTtlSeconds: args.tokenTtlSeconds }),
    ...(args.faults === undefined ? {} : { faults: args.faults }),
    // A range of its own per data directory, so sandboxes of different projects never share addresses.
    floatingCidr: args.floatingCidr ?? floatingCidrFor(args.dataDir),
    ...(args.faultSeed === undefined ? {} : { faultSeed: args.faultSeed }),
    allowPrivateImports: args.allowPrivateImports,
    log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
  const cpu = process.cpuUsage();
  const ready = {
    ready: true,
    url: sandbox.url,
    pid: process.pid,
    dataDir: args.dataDir,
    faults: args.faults ?? '',
    faultSeed: sandbox.faultSeed,
    startupCpuMs: Math.round((cpu.user + cpu.system) / 1000),
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

run().catch((err: unknown) => {
  const message = err instanceof FaultSpecError || err instanceof Error ? err.message : String(err);
  process.stderr.write(`storm sandbox: ${message}\n`);
  process.exit(1);
});
