import * as fs from 'node:fs';
import type { CommandModule } from '../context';
import { planDiffReport } from '../../audit/plan-diff';
import { renderDiffMarkdown } from '../../report/diff';
import { ExitCode } from '../../errors';
import { failureOf } from '../../lifecycle/fan-out';
import { planStacks } from '../../lifecycle/plan';
import { renderCounts, renderPlanSummary, renderResultsTable } from '../../report/plan-summary';
import {
  addRunOptions,
  addStackOptions,
  exitCodeOf,
  lifecycleContext,
  liveProgress,
  parseConcurrency,
  parseLockTimeout,
  reportFailures,
  selectStacks,
  throwIfSingleFailure,
} from './lifecycle-common';

interface PlanFlags {
  all: boolean;
  shard?: string;
  changedSince?: string;
  env?: string;
  out?: string;
  outDir?: string;
  detailedExitcode: boolean;
  skipPreflight: boolean;
  concurrency?: string;
  lockTimeout?: string;
}

export const planCommand: CommandModule = (program, ctx) => {
  const cmd = program
    .command('plan')
    .argument('[cities...]', 'cities (stacks/<city>.yaml)')
    .description(
      'Show what provisioning would change: pre-flight, synth, tofu plan, and a summary by layer with warnings',
    );
  addStackOptions(cmd);
  addRunOptions(cmd)
    .option(
      '--out <file>',
      'save the plan (and a .storm.json record of what it was made from) for `storm provision --plan`',
    )
    .option(
      '--out-dir <dir>',
      'save each plan as <dir>/<city>.<env>.tfplan (with its .storm.json) and a markdown diff <city>.<env>.md beside it',
    )
    .option('--detailed-exitcode', 'exit 2 when there are changes, 0 when there are none', false)
    .option('--skip-preflight', 'do not check the cloud before planning (recorded)', false)
    .addHelpText(
      'after',
      `
Examples:
  $ storm plan valladolid
  $ storm plan agueda --env production --out agueda.plan
  $ storm plan --all --detailed-exitcode --json > plan.json   # CI: exit 2 means changes
  $ storm plan --changed-since origin/main --shard 2/4 --out-dir plans/preprod   # a CI shard's artifacts`,
    )
    .action(async (cities: string[], flags: PlanFlags) => {
      ctx.setCommand('plan');
      const out = ctx.output();
      const g = ctx.globals();
      const refs = await selectStacks(out, g.cwd, cities, flags);
      const outcomes = await planStacks(lifecycleContext(ctx, liveProgress(out)), refs, {
        ...(flags.out === undefined ? {} : { out: flags.out }),
        ...(flags.outDir === undefined ? {} : { outDir: flags.outDir }),
        skipPreflight: flags.skipPreflight,
        lockTimeout: parseLockTimeout(flags.lockTimeout),
        concurrency: parseConcurrency(flags.concurrency),
      });
      throwIfSingleFailure(outcomes);
      const anyChanges = outcomes.some((o) => o.ok && o.value.summary.hasChanges);
      const failed = exitCodeOf(outcomes);
      const code =
        failed !== ExitCode.ok ? failed : anyChanges && flags.detailedExitcode ? ExitCode.changesPending : ExitCode.ok;
      out.jsonResult('plan', code, {
        stacks: outcomes.map((o) =>
          o.ok
            ? {
                city: o.city,
                env: o.env,
                status: o.value.summary.hasChanges ? 'changes' : 'no-changes',
                cloud: o.value.target,
                preflight: o.value.preflight,
                planFile: o.value.planFile,
                summary: o.value.summary,
              }
            : { city: o.city, env: o.env, status: 'failed', error: failureOf(o.error) },
        ),
      });
      if (flags.outDir !== undefined) {
        for (const o of outcomes)
          if (o.ok)
            fs.writeFileSync(
              o.value.planFile.replace(/\.tfplan$/, '.md'),
              `${renderDiffMarkdown(planDiffReport(o.city, o.env, o.value.summary))}\n`,
            );
        const saved = outcomes.filter((o) => o.ok).length;
        out.note(
          `${saved} plan${saved === 1 ? '' : 's'} saved in ${flags.outDir}; apply exactly them with: storm provision --plan-dir ${flags.outDir} --yes`,
        );
      }
      for (const o of outcomes) {
        if (!o.ok) continue;
        out.text(renderPlanSummary(`${o.city}/${o.env}`, o.value.summary, { color: out.options.color }));
        if (flags.out !== undefined)
          out.note(
            `plan saved to ${o.value.planFile}; apply exactly it with: storm provision ${o.city} --env ${o.env} --plan ${flags.out}`,
          );
      }
      reportFailures(out, outcomes);
      if (outcomes.length > 1) {
        out.text(
          renderResultsTable(
            outcomes.map((o) =>
              o.ok
                ? {
                    stack: `${o.city}/${o.env}`,
                    status: o.value.summary.hasChanges ? 'changes' : 'no changes',
                    ok: true,
                    detail: renderCounts(o.value.summary),
                  }
                : { stack: `${o.city}/${o.env}`, status: 'failed', ok: false, detail: o.error.message },
            ),
            { color: out.options.color },
          ),
        );
      }
      ctx.setExitCode(code);
    });
};
