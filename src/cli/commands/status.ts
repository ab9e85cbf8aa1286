import type { CommandModule } from '../context';
import { failureOf } from '../../lifecycle/fan-out';
import { fleetStatus, statusStacks } from '../../lifecycle/status';
import { renderStatus } from '../../report/plan-summary';
import { renderFleetStatus } from '../../report/status-fleet';
import { selectForRun } from './selection-options';
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
  shard?: string;
  changedSince?: string;
  plan: boolean;
  health: boolean;
  env?: string;
  concurrency?: string;
  lockTimeout?: string;
}

export const statusCommand: CommandModule = (program, ctx) => {
  const cmd = program
    .command('status')
    .argument('[cities...]', 'cities (stacks/<city>.yaml)')
    .description(
      'What exists (from state), drift from the cloud and from the manifest, and the outputs; with --all, --shard or --changed-since one row per city and environment from the audit log and state (no plan)',
    );
  addStackOptions(cmd)
    .option(
      '--plan',
      'with --all/--shard/--changed-since: the full status of each stack (two plans each) instead of the fleet view',
      false,
    )
    .option('--no-health', 'fleet view: do not probe the services');
  addRunOptions(cmd).addHelpText(
    'after',
    `
The fleet view (--all, --shard, --changed-since without --plan) runs no plan: each row says
when the last apply, plan and policy judgement were (from the audit log) and probes the services.
Without --env it lists every environment of each city.

Examples:
  $ storm status valladolid
  $ storm status --all
  $ storm status --shard 2/4 --env production --json
  $ storm status --all --plan --json`,
  );
  cmd.action(async (cities: string[], flags: StatusFlags) => {
    ctx.setCommand('status');
    const out = ctx.output();
    const g = ctx.globals();
    if (
      cities.length === 0 &&
      !flags.plan &&
      (flags.all || flags.shard !== undefined || flags.changedSince !== undefined)
    ) {
      const selection = await selectForRun(out, g.cwd, cities, flags);
      const view = await fleetStatus(lifecycleContext(ctx, out.progress), selection.cities, {
        ...(flags.env === undefined ? {} : { env: flags.env }),
        health: flags.health,
        concurrency: parseConcurrency(flags.concurrency),
      });
      const code = view.failed.length > 0 ? 1 : 0;
      out.jsonResult('status', code, { view: 'fleet', ...view });
      out.text(renderFleetStatus(view, { color: out.options.color }));
      ctx.setExitCode(code);
      return;
    }
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
