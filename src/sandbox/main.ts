/**
 * The sandbox process: node dist/sandbox/main.js --port N --data DIR [--host H]
 * [--delay-ms N] [--floating-cidr A.B.C.0/24] [--token-ttl S] [--faults SPEC] [--fault-seed N]
 * [--allow-private-imports] [--tls]. Environment: STORM_SANDBOX_FAULTS, STORM_SANDBOX_FAULT_SEED and
 * STORM_SANDBOX_ALLOW_PRIVATE_IMPORTS=1 apply when the flags are absent. Prints one JSON line {"ready": true, url, pid, ...} on
 * stdout once listening; diagnostics go to stderr. Exits on SIGINT/SIGTERM
 * after closing the server (state is already on disk).
 */
import { floatingCidrFor } from './core/floating-range';
import { FaultSpecError } from './core/faults';
import { createSandbox } from './server';
import { parseSandboxArgs } from './args';
import { PRIVATE_UMASK } from '../private-files';

async function run(): Promise<void> {
  // The database, blobs and logs hold tenants' data and tokens: 0600 files in 0700 folders.
  process.umask(PRIVATE_UMASK);
  const args = parseSandboxArgs(process.argv.slice(2), process.env, process.cwd());
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
    tls: args.tls,
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
    ...(sandbox.caFile === undefined ? {} : { caFile: sandbox.caFile }),
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
