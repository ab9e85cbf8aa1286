import type { CommandModule } from '../context';
import { ExitCode } from '../../errors';
import { destroyStacks } from '../../lifecycle/destroy';
import { failureOf } from '../../lifecycle/fan-out';
import { renderResultsTable, renderPlanSummary } from '../../report/plan-summary';
import { formatElapsed } from '../../report/progress';
import {
  addRunOptions,
  addStackOptions,
  confirmOrRefuse,
  exitCodeOf,
  lifecycleContext,
  liveProgress,
  parseConcurrency,
  parseLockTimeout,
  reportFailures,
  selectStacks,
  throwIfSingleFailure,
} from './lifecycle-common';

interface DestroyFlags {
  all: boolean;
  env?: string;
  yes: boolean;
  confirm?: string;
  concurrency?: string;
  lockTimeout?: string;
}

export const destroyCommand: CommandModule = (program, ctx) => {
  const cmd = program
    .command('destroy')
    .argument('[cities...]', 'cities (stacks/<city>.yaml)')
    .description("Delete everything storm created for a city's environment (production also needs --confirm <city>)");
  addStackOptions(cmd, false);
  addRunOptions(cmd)
    .option('-y, --yes', 'destroy without asking (required when there is no terminal)', false)
    .option('--confirm <city>', 'repeat the city name: required to destroy production')
    .addHelpText(
      'after',
      `
Examples:
  $ storm destroy valladolid                 # preprod, asks first
  $ storm destroy valladolid --yes
  $ storm destroy agueda --env production --confirm agueda --yes`,
    )
    .action(async (cities: string[], flags: DestroyFlags) => {
      ctx.setCommand('destroy');
      const out = ctx.output();
      const g = ctx.globals();
      const refs = await selectStacks(out, g.cwd, cities, flags);
      const outcomes = await destroyStacks(lifecycleContext(ctx, liveProgress(out)), refs, {
        lockTimeout: parseLockTimeout(flags.lockTimeout),
        concurrency: parseConcurrency(flags.concurrency),
        autoApprove: flags.yes,
        ...(flags.confirm === undefined ? {} : { confirmCity: flags.confirm }),
        confirm: async (plans) => {
          for (const p of plans)
            out.note(
              renderPlanSummary(`${p.city}/${p.env}`, p.summary, { color: out.options.color, maxCreateAttributes: 0 }),
            );
          return confirmOrRefuse(
            out,
            flags.yes,
            `DESTROY ${plans.map((p) => `${p.city}/${p.env}`).join(', ')}?`,
            'destroy',
          );
        },
      });
      throwIfSingleFailure(outcomes);
      // Declining the confirmation ends like a refused apply does in tofu: exit 1, nothing changed.
      const cancelled = outcomes.some((o) => o.ok && o.value.status === 'cancelled');
      const code = exitCodeOf(outcomes) || (cancelled ? ExitCode.error : ExitCode.ok);
      out.jsonResult('destroy', code, {
        stacks: outcomes.map((o) =>
          o.ok
            ? {
                city: o.city,
                env: o.env,
                status: o.value.status,
                cloud: o.value.target,
                summary: o.value.summary,
                applied: o.value.applied,
                durationMs: o.value.durationMs,
              }
            : { city: o.city, env: o.env, status: 'failed', error: failureOf(o.error) },
        ),
      });
      for (const o of outcomes) {
        if (!o.ok) continue;
        const v = o.value;
        const what =
          v.status === 'destroyed'
            ? `destroyed ${v.summary.counts.delete} resources in ${formatElapsed(v.durationMs / 1000)}`
            : v.status === 'cancelled'
              ? 'cancelled, nothing was changed'
              : 'nothing to destroy';
        out.text(`${o.city}/${o.env}: ${what}`);
      }
      reportFailures(out, outcomes);
      if (outcomes.length > 1) {
        out.text(
          renderResultsTable(
            outcomes.map((o) =>
              o.ok
                ? { stack: `${o.city}/${o.env}`, status: o.value.status, ok: true, detail: '' }
                : { stack: `${o.city}/${o.env}`, status: 'failed', ok: false, detail: o.error.message },
            ),
            { color: out.options.color },
          ),
        );
      }
      ctx.setExitCode(code);
    });
};
