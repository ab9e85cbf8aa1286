/**
 * storm sandbox up|status|logs|down|reset: the local OpenStack-compatible cloud.
 */
import { Command, Option } from 'commander';
import type { CommandModule } from '../context';
import { StormError } from '../../errors';
import {
  readRequestLog,
  resetSandbox,
  sandboxStatus,
  startDetached,
  startForeground,
  stopSandbox,
  type SandboxSettings,
} from '../../sandbox/control';
import { renderConnection, renderLogEntry, renderStatus } from '../../report/sandbox';

interface UpOptions {
  port: string;
  detach: boolean;
  delayMs: string;
  tokenTtl: string;
  fault: string[];
  faultSeed?: string;
  tls: boolean;
}

function whole(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new StormError('usage', `${flag} expects a whole number, got "${text}"`);
  return n;
}

/** Ctrl-C (and SIGTERM) abort the returned signal instead of killing the process. */
function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    },
  };
}

export const sandboxCommand: CommandModule = (program, ctx) => {
  const sandbox = new Command('sandbox').description(
    "Run storm's local OpenStack-compatible cloud (Keystone, Nova, Neutron, Cinder, Glance, Swift)",
  );

  sandbox
    .command('up')
    .description('Start the sandbox (foreground until Ctrl-C, or --detach) and print how to reach it')
    .option('--port <n>', 'TCP port on 127.0.0.1 (0: any free port)', '8800')
    .option('--detach', 'run in the background and return once it answers', false)
    .option('--delay-ms <n>', 'delay of asynchronous status changes (BUILD→ACTIVE, creating→available)', '300')
    .option('--token-ttl <seconds>', 'lifetime of issued tokens', '3600')
    .addOption(
      new Option('--fault <rule>', 'inject faults, e.g. compute:503@0.1 (repeatable; grammar in src/sandbox/SPEC.md)')
        .argParser((v: string, prev: string[] = []) => [...prev, v])
        .default([]),
    )
    .option('--fault-seed <n>', 'seed of the fault PRNG (same seed, same faults)')
    .option(
      '--tls',
      'serve HTTPS with a CA the sandbox generates (.storm/sandbox/tls/ca.pem, printed as cacert)',
      false,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ storm sandbox up --detach
  $ storm sandbox up --detach --tls
  $ storm sandbox up --port 0 --fault 'compute:503@0.1' --fault 'network:503@0.1' --fault-seed 7
  $ STORM_SANDBOX_FAULTS='image:hang' storm sandbox up`,
    )
    .action(async (opts: UpOptions) => {
      ctx.setCommand('sandbox up');
      const out = ctx.output();
      const { cwd } = ctx.globals();
      const faults = opts.fault.length > 0 ? opts.fault.join(',') : (process.env.STORM_SANDBOX_FAULTS ?? '');
      const seedText = opts.faultSeed ?? process.env.STORM_SANDBOX_FAULT_SEED;
      const settings: Partial<SandboxSettings> = {
        port: whole('--port', opts.port),
        statusDelayMs: whole('--delay-ms', opts.delayMs),
        tokenTtlSeconds: whole('--token-ttl', opts.tokenTtl),
        faults,
        ...(seedText === undefined ? {} : { faultSeed: whole('--fault-seed', seedText) }),
        ...(opts.tls ? { tls: true } : {}),
      };
      if (opts.detach) {
        const started = await startDetached({ cwd, settings, progress: out.progress });
        out.jsonResult('sandbox up', 0, started);
        out.text(
          renderConnection(
            started,
            out.chalk,
            started.alreadyRunning
              ? `sandbox already running (pid ${started.pid})`
              : `sandbox running in the background (pid ${started.pid}); stop it with \`storm sandbox down\``,
          ),
        );
        ctx.setExitCode(0);
        return;
      }
      const interrupt = interruptSignal();
      try {
        const handle = await startForeground({ cwd, settings, signal: interrupt.signal, progress: out.progress });
        out.jsonResult('sandbox up', 0, {
          url: handle.url,
          authUrl: handle.authUrl,
          logins: handle.logins,
          cloudsYamlEntry: handle.cloudsYamlEntry,
          env: handle.env,
          ...(handle.cacert === undefined ? {} : { cacert: handle.cacert }),
          pid: handle.pid,
          dataDir: handle.dataDir,
          faultSeed: handle.faultSeed,
        });
        out.text(renderConnection(handle, out.chalk, `sandbox running (pid ${handle.pid}); Ctrl-C stops it`));
        if (faults !== '') out.note(`fault injection: ${faults} (seed ${handle.faultSeed})`);
        await handle.done;
        out.note('sandbox stopped');
      } finally {
        interrupt.dispose();
      }
      ctx.setExitCode(0);
    });

  sandbox
    .command('status')
    .description('Is the sandbox running? pid, URL, uptime and resource counts')
    .action(async () => {
      ctx.setCommand('sandbox status');
      const out = ctx.output();
      const status = await sandboxStatus({ cwd: ctx.globals().cwd });
      out.jsonResult('sandbox status', 0, status);
      out.text(renderStatus(status, out.chalk));
      ctx.setExitCode(0);
    });

  sandbox
    .command('logs')
    .description('Show the request log: method, status, latency, request id, path (and injected faults)')
    .option('--follow', 'keep printing new requests until Ctrl-C', false)
    .option('--tail <n>', 'only the last n requests')
    .action(async (opts: { follow: boolean; tail?: string }) => {
      ctx.setCommand('sandbox logs');
      const out = ctx.output();
      const entries: unknown[] = [];
      const interrupt = interruptSignal();
      try {
        await readRequestLog({
          cwd: ctx.globals().cwd,
          follow: opts.follow && !out.options.json,
          signal: interrupt.signal,
          ...(opts.tail === undefined ? {} : { tail: whole('--tail', opts.tail) }),
          onEntry: (e) => {
            if (out.options.json) entries.push(e);
            else out.text(renderLogEntry(e, out.chalk));
          },
        });
      } finally {
        interrupt.dispose();
      }
      out.jsonResult('sandbox logs', 0, { entries });
      ctx.setExitCode(0);
    });

  sandbox
    .command('down')
    .description('Stop the sandbox (its state stays on disk)')
    .action(async () => {
      ctx.setCommand('sandbox down');
      const out = ctx.output();
      const result = await stopSandbox({ cwd: ctx.globals().cwd, progress: out.progress });
      out.jsonResult('sandbox down', 0, result);
      out.text(result.stopped ? `sandbox stopped (pid ${result.pid ?? '?'})` : 'sandbox was not running');
      ctx.setExitCode(0);
    });

  sandbox
    .command('reset')
    .description('Empty the sandbox back to its seed (restarts it if it was running)')
    .action(async () => {
      ctx.setCommand('sandbox reset');
      const out = ctx.output();
      const result = await resetSandbox({ cwd: ctx.globals().cwd, progress: out.progress });
      out.jsonResult('sandbox reset', 0, result);
      out.text(
        result.restarted
          ? `sandbox reset to its seed and running again at ${result.url ?? ''}`
          : 'sandbox reset to its seed (it starts fresh on the next `storm sandbox up`)',
      );
      ctx.setExitCode(0);
    });

  program.addCommand(sandbox);
};
