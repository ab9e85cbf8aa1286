import type { CommandModule } from '../context';
import { StormError } from '../../errors';
import { deployCities } from '../../lifecycle/deploy';
import { failureOf } from '../../lifecycle/fan-out';
import { renderDeployResult } from '../../report/deploy';
import {
  addStackOptions,
  exitCodeOf,
  lifecycleContext,
  liveProgress,
  parseLockTimeout,
  reportFailures,
  selectStacks,
  throwIfSingleFailure,
} from './lifecycle-common';

interface DeployFlags {
  all: boolean;
  env?: string;
  service?: string;
  lockTimeout?: string;
  healthTimeout?: string;
}

function parseHealthTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1)
    throw new StormError('usage', `--health-timeout ${value} is not a whole number of seconds`, {
      hint: 'e.g. --health-timeout 120',
    });
  return seconds * 1000;
}

export const deployCommand: CommandModule = (program, ctx) => {
  const cmd = program
    .command('deploy')
    .argument('[cities...]', 'cities (stacks/<city>.yaml)')
    .description(
      "Publish the city's services to its provisioned instances (no instance is replaced) and wait until every instance is healthy",
    );
  addStackOptions(cmd)
    .option('--service <name>', 'deploy only this service')
    .option('--lock-timeout <duration>', 'how long to wait for the state lock, e.g. 30s', '30s')
    .option(
      '--health-timeout <seconds>',
      'how long every instance has to report the new version on its health check (default 600)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ storm deploy valladolid
  $ storm deploy thessaloniki --service participa --json`,
    )
    .action(async (cities: string[], flags: DeployFlags) => {
      ctx.setCommand('deploy');
      const out = ctx.output();
      const g = ctx.globals();
      const outcomes = await deployCities(
        lifecycleContext(ctx, liveProgress(out)),
        await selectStacks(out, g.cwd, cities, flags),
        {
          lockTimeout: parseLockTimeout(flags.lockTimeout),
          ...(flags.service === undefined ? {} : { service: flags.service }),
          ...(flags.healthTimeout === undefined ? {} : { healthTimeoutMs: parseHealthTimeout(flags.healthTimeout) }),
        },
      );
      throwIfSingleFailure(outcomes);
      const code = exitCodeOf(outcomes);
      out.jsonResult('deploy', code, {
        stacks: outcomes.map((o) =>
          o.ok
            ? { city: o.city, env: o.env, status: 'ok', cloud: o.value.target, deploy: o.value.deploy }
            : { city: o.city, env: o.env, status: 'failed', error: failureOf(o.error) },
        ),
      });
      for (const o of outcomes) if (o.ok) out.text(renderDeployResult(o.value.deploy, { color: out.options.color }));
      reportFailures(out, outcomes);
      ctx.setExitCode(code);
    });
};
