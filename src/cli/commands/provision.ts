import * as path from 'node:path';
import type { CommandModule } from '../context';
import { ExitCode, StormError } from '../../errors';
import type { StackRef } from '../../lifecycle/context';
import { savedPlansIn } from '../../lifecycle/plan';
import { failureOf } from '../../lifecycle/fan-out';
import { provisionStacks } from '../../lifecycle/provision';
import { renderCounts, renderOutputs, renderPlanSummary, renderResultsTable } from '../../report/plan-summary';
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

interface ProvisionFlags {
  all: boolean;
  env?: string;
  yes: boolean;
  plan?: string;
  planDir?: string;
  shard?: string;
  changedSince?: string;
  skipPreflight: boolean;
  allowViolations: boolean;
  skipDeploy: boolean;
  concurrency?: string;
  lockTimeout?: string;
}

export const provisionCommand: CommandModule = (program, ctx) => {
  const cmd = program
    .command('provision')
    .argument('[cities...]', 'cities (stacks/<city>.yaml)')
    .description(
      "Create or update a city's tenancy: pre-flight, plan, confirm, apply exactly that plan, deploy services, print outputs",
    );
  addStackOptions(cmd);
  addRunOptions(cmd)
    .option('-y, --yes', 'apply without asking (required when there is no terminal)', false)
    .option('--plan <file>', 'apply a plan saved by `storm plan --out` (refused if stale)')
    .option(
      '--plan-dir <dir>',
      'apply exactly the plans `storm plan --out-dir` saved there, each to the city and environment it names (stale ones refused)',
    )
    .option('--skip-preflight', 'do not check the cloud before planning (recorded)', false)
    .option('--allow-violations', 'apply even when error-severity policy rules fail (recorded in the audit log)', false)
    .option(
      '--skip-deploy',
      'apply the tenancy but do not deploy its services, e.g. on a cloud whose instances never boot (recorded in the audit log)',
      false,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ storm provision valladolid                       # asks before applying
  $ storm provision valladolid --yes                 # CI / scripts
  $ storm plan agueda --out p.plan && storm provision agueda --plan p.plan --yes
  $ storm provision --all --yes --concurrency 3
  $ storm provision valladolid --yes --skip-deploy      # an all-in-one whose fake virt driver boots nothing
  $ storm provision --plan-dir plans/production --yes   # CI: apply the reviewed plans of every shard`,
    )
    .action(async (cities: string[], flags: ProvisionFlags) => {
      ctx.setCommand('provision');
      const out = ctx.output();
      const g = ctx.globals();
      let refs: StackRef[];
      let planFiles: Record<string, string> | undefined;
      if (flags.planDir !== undefined) {
        if (cities.length > 0 || flags.all || flags.shard !== undefined || flags.changedSince !== undefined)
          throw new StormError('usage', '--plan-dir applies the plans it holds: name no city and no other selection');
        if (flags.plan !== undefined) throw new StormError('usage', 'use --plan or --plan-dir, not both');
        const saved = savedPlansIn(path.resolve(g.cwd, flags.planDir));
        if (flags.env !== undefined && saved.some((p) => p.ref.env !== flags.env))
          throw new StormError(
            'usage',
            `${flags.planDir} holds plans of other environments than ${flags.env}: ${saved
              .filter((p) => p.ref.env !== flags.env)
              .map((p) => `${p.ref.city}/${p.ref.env}`)
              .join(', ')}`,
            { hint: 'keep one directory per environment (plans/preprod, plans/production)' },
          );
        refs = saved.map((p) => p.ref);
        planFiles = Object.fromEntries(saved.map((p) => [`${p.ref.city}/${p.ref.env}`, p.planFile]));
        out.note(
          refs.length === 0
            ? `no saved plans in ${flags.planDir}: nothing to apply`
            : `applying the ${refs.length} saved plan${refs.length === 1 ? '' : 's'} in ${flags.planDir}: ${refs.map((r) => `${r.city}/${r.env}`).join(', ')}`,
        );
      } else refs = await selectStacks(out, g.cwd, cities, flags);
      const outcomes = await provisionStacks(lifecycleContext(ctx, liveProgress(out)), refs, {
        ...(flags.plan === undefined ? {} : { planFile: flags.plan }),
        ...(planFiles === undefined ? {} : { planFiles }),
        skipPreflight: flags.skipPreflight,
        lockTimeout: parseLockTimeout(flags.lockTimeout),
        concurrency: parseConcurrency(flags.concurrency),
        autoApprove: flags.yes,
        allowViolations: flags.allowViolations,
        skipDeploy: flags.skipDeploy,
        confirm: async (plans) => {
          for (const p of plans)
            out.note(renderPlanSummary(`${p.city}/${p.env}`, p.summary, { color: out.options.color }));
          return confirmOrRefuse(
            out,
            flags.yes,
            `Apply these changes to ${plans.map((p) => `${p.city}/${p.env}`).join(', ')}?`,
            'apply changes',
          );
        },
      });
      throwIfSingleFailure(outcomes);
      // Declining the confirmation ends like a refused apply does in tofu: exit 1, nothing changed.
      const cancelled = outcomes.some((o) => o.ok && o.value.status === 'cancelled');
      const code = exitCodeOf(outcomes) || (cancelled ? ExitCode.error : ExitCode.ok);
      out.jsonResult('provision', code, {
        stacks: outcomes.map((o) =>
          o.ok
            ? {
                city: o.city,
                env: o.env,
                status: o.value.status,
                cloud: o.value.target,
                preflight: o.value.preflight,
                summary: o.value.summary,
                applied: o.value.applied,
                outputs: o.value.outputs,
                deploy: o.value.deploy ?? null,
                durationMs: o.value.durationMs,
              }
            : { city: o.city, env: o.env, status: 'failed', error: failureOf(o.error) },
        ),
      });
      for (const o of outcomes) {
        if (!o.ok) continue;
        const v = o.value;
        if (v.status === 'cancelled') {
          out.note(`${o.city}/${o.env}: cancelled, nothing was changed`);
          continue;
        }
        if (v.deploy !== undefined) out.note(`${o.city}/${o.env}: ${v.deploy.message}`);
        out.text(
          `${out.chalk.bold(`${o.city}/${o.env}`)} ${v.status === 'applied' ? `applied (${renderCounts(v.summary)}) in ${formatElapsed(v.durationMs / 1000)}` : 'no changes'}\n${renderOutputs(v.outputs)}`,
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
                    status: o.value.status,
                    ok: true,
                    detail: o.value.status === 'applied' ? renderCounts(o.value.summary) : '',
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
