import type { CommandModule } from '../context';
import { failureOf } from '../../lifecycle/fan-out';
import { statusStacks } from '../../lifecycle/status';
import { renderStatus } from '../../report/plan-summary';
import {
  addRunOptions,
  addStackOptions,
  exitCodeOf,
  lifecycleContext,
  parseConcurrency,
  parseLockTimeout,
  reportFailures,
  selectStacks,
  throwIfSingleFailure,
} from './lifecycle-common';

interface StatusFlags {
  all: boolean;
  env?: string;
  concurrency?: string;
  lockTimeout?: string;
}

export const statusCommand: CommandModule = (program, ctx) => {
  const cmd = program
    .command('status')
    .argument('[cities...]', 'cities (stacks/<city>.yaml)')
    .description('What exists (from state), drift from the cloud and from the manifest, and the outputs');
  addStackOptions(cmd);
  addRunOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ storm status valladolid
  $ storm status --all --json`,
  );
  cmd.action(async (cities: string[], flags: StatusFlags) => {
    ctx.setCommand('status');
    const out = ctx.output();
    const g = ctx.globals();
    const outcomes = await statusStacks(
      lifecycleContext(ctx, out.progress),
      await selectStacks(out, g.cwd, cities, flags),
      {
        lockTimeout: parseLockTimeout(flags.lockTimeout),
        concurrency: parseConcurrency(flags.concurrency),
      },
    );
    throwIfSingleFailure(outcomes);
    const code = exitCodeOf(outcomes);
    out.jsonResult('status', code, {
      stacks: outcomes.map((o) =>
        o.ok ? { ...o.value, status: 'ok' } : { city: o.city, env: o.env, status: 'failed', error: failureOf(o.error) },
      ),
    });
    for (const o of outcomes) if (o.ok) out.text(renderStatus(o.value, { color: out.options.color }));
    reportFailures(out, outcomes);
    ctx.setExitCode(code);
  });
};
