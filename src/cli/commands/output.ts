import type { CommandModule } from '../context';
import { failureOf } from '../../lifecycle/fan-out';
import { outputStacks } from '../../lifecycle/status';
import { renderOutputs } from '../../report/plan-summary';
import {
  addStackOptions,
  exitCodeOf,
  lifecycleContext,
  reportFailures,
  selectStacks,
  throwIfSingleFailure,
} from './lifecycle-common';

interface OutputFlags {
  all: boolean;
  env?: string;
}

export const outputCommand: CommandModule = (program, ctx) => {
  const cmd = program
    .command('output')
    .argument('[cities...]', 'cities (stacks/<city>.yaml)')
    .description("Print a city's outputs (addresses, URLs) from its state; sensitive values are masked");
  addStackOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ storm output valladolid
  $ storm output valladolid --env production --json`,
  );
  cmd.action(async (cities: string[], flags: OutputFlags) => {
    ctx.setCommand('output');
    const out = ctx.output();
    const g = ctx.globals();
    const outcomes = await outputStacks(
      lifecycleContext(ctx, out.progress),
      await selectStacks(out, g.cwd, cities, flags),
      {
        lockTimeout: '30s',
      },
    );
    throwIfSingleFailure(outcomes);
    const code = exitCodeOf(outcomes);
    out.jsonResult('output', code, {
      stacks: outcomes.map((o) =>
        o.ok ? { ...o.value, status: 'ok' } : { city: o.city, env: o.env, status: 'failed', error: failureOf(o.error) },
      ),
    });
    for (const o of outcomes)
      if (o.ok)
        out.text(
          outcomes.length > 1
            ? `${o.city}/${o.env}:\n${renderOutputs(o.value.outputs)}`
            : renderOutputs(o.value.outputs),
        );
    reportFailures(out, outcomes);
    ctx.setExitCode(code);
  });
};
