import { Option } from 'commander';
import type { CommandModule } from '../context';
import { JSON_SCHEMA_VERSION, type Output } from '../output';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diffRevisions } from '../../audit/revision-diff';
import { planDiffReport, planDocumentDiff } from '../../audit/plan-diff';
import type { DiffReport } from '../../audit/change-report';
import { planStacks } from '../../lifecycle/plan';
import { loadCity } from '../../manifest/load';
import { StormError } from '../../errors';
import { lifecycleContext, liveProgress, parseLockTimeout, throwIfSingleFailure } from './lifecycle-common';
import { addSelectionOptions, selectForRun } from './selection-options';
import { renderDiffMarkdown, renderDiffText } from '../../report/diff';

type Format = 'text' | 'markdown' | 'json';

/** `--format json` prints the same versioned document as the global --json. */
function emitJson(out: Output, exitCode: number, result: unknown): void {
  if (out.options.json) out.jsonResult('diff', exitCode, result);
  else
    out.text(
      JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command: 'diff', ok: true, exitCode, result }, null, 2),
    );
}

function readPlanJson(file: string, cwd: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new StormError(
      'not-found',
      `cannot read plan ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new StormError('usage', `${file} is not a JSON plan document`, {
      hint: 'pass the output of `tofu show -json <planfile>`',
    });
  }
}

export const diffCommand: CommandModule = (program, ctx) => {
  const cmd = program
    .command('diff')
    .description(
      'Show what would change, grouped by layer with risk flags: against the live state (a plan), or between git revisions (--from, offline)',
    )
    .argument('[city]', 'city name (stacks/<city>.yaml)')
    .option('--from <ref>', 'git revision to compare from (e.g. HEAD, origin/main); no cloud and no state needed')
    .option('--to <ref>', 'git revision to compare to (default: the working tree)')
    .option('--env <env>', 'environment', 'preprod')
    .option('--plan <file>', 'read a saved plan (`tofu show -json` document) instead of planning')
    .option('--skip-preflight', 'plan without checking the cloud first (recorded)', false)
    .option('--lock-timeout <duration>', 'how long to wait for a state lock', '30s')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .option('--detailed-exitcode', 'exit 2 when there are changes', false);
  addSelectionOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  $ storm diff valladolid --env production                     # live state → plan (needs the cloud)
  $ storm diff valladolid --plan plan.json                     # a saved \`tofu show -json\` document
  $ storm diff valladolid --from HEAD                          # working tree against the last commit
  $ storm diff valladolid --from origin/main --format markdown # for a merge-request comment
  $ storm diff valladolid --from v1.2 --to v1.3 --env production --format json
  $ storm diff --changed-since origin/main --from origin/main --format markdown   # one comment for a merge request
  $ storm diff --all --shard 2/4 --env production                                # live, one share of the fleet

With --all, --shard or --changed-since the --json result is { reports: [...] }, one per city.`,
    )
    .action(
      async (
        city: string | undefined,
        opts: {
          all: boolean;
          shard?: string;
          changedSince?: string;
          from?: string;
          to?: string;
          env: string;
          plan?: string;
          skipPreflight: boolean;
          lockTimeout: string;
          format: Format;
          detailedExitcode: boolean;
        },
      ) => {
        ctx.setCommand('diff');
        const out = ctx.output();
        const cwd = ctx.globals().cwd;
        if (opts.to !== undefined && opts.from === undefined)
          throw new StormError('usage', '--to needs --from', {
            hint: `storm diff ${city ?? '<city>'} --from HEAD~1 --to HEAD`,
          });
        if (opts.plan !== undefined && opts.from !== undefined)
          throw new StormError('usage', 'use --plan or --from, not both');
        if (opts.all || opts.shard !== undefined || opts.changedSince !== undefined) {
          if (opts.plan !== undefined)
            throw new StormError('usage', '--plan is the saved plan of one city, not of --all/--shard');
          const selection = await selectForRun(out, cwd, city === undefined ? [] : [city], opts);
          const reports: DiffReport[] = [];
          if (opts.from !== undefined) {
            for (const c of selection.cities)
              reports.push(
                await diffRevisions({
                  cwd,
                  city: c,
                  from: opts.from,
                  ...(opts.to === undefined ? {} : { to: opts.to }),
                  env: opts.env,
                }),
              );
          } else {
            const outcomes = await planStacks(
              lifecycleContext(ctx, liveProgress(out)),
              selection.cities.map((c) => ({ city: c, env: opts.env })),
              { skipPreflight: opts.skipPreflight, lockTimeout: parseLockTimeout(opts.lockTimeout), concurrency: 2 },
            );
            for (const o of outcomes) {
              if (!o.ok) throw o.error;
              reports.push(planDiffReport(o.city, o.env, o.value.summary));
            }
          }
          const code = opts.detailedExitcode && reports.some((r) => r.hasChanges) ? 2 : 0;
          if (out.options.json || opts.format === 'json') emitJson(out, code, { reports });
          else
            out.text(
              reports.length === 0
                ? 'no city selected: nothing to compare'
                : reports
                    .map((r) => (opts.format === 'markdown' ? renderDiffMarkdown(r) : renderDiffText(r, out.chalk)))
                    .join('\n\n'),
            );
          ctx.setExitCode(code);
          return;
        }
        if (city === undefined)
          throw new StormError('usage', 'name the city to compare (or use --all, --shard, --changed-since)', {
            hint: 'storm diff valladolid --from HEAD',
          });
        let report: DiffReport;
        if (opts.from !== undefined) {
          report = await diffRevisions({
            cwd,
            city,
            from: opts.from,
            ...(opts.to === undefined ? {} : { to: opts.to }),
            env: opts.env,
          });
        } else if (opts.plan !== undefined) {
          loadCity(city, { cwd });
          report = planDocumentDiff(city, opts.env, readPlanJson(opts.plan, cwd), opts.plan);
        } else {
          const outcomes = await planStacks(lifecycleContext(ctx, liveProgress(out)), [{ city, env: opts.env }], {
            skipPreflight: opts.skipPreflight,
            lockTimeout: parseLockTimeout(opts.lockTimeout),
            concurrency: 1,
          });
          throwIfSingleFailure(outcomes);
          const o = outcomes[0];
          if (o === undefined || !o.ok) throw new StormError('internal', 'the plan produced no result');
          report = planDiffReport(city, opts.env, o.value.summary);
        }
        const code = opts.detailedExitcode && report.hasChanges ? 2 : 0;
        if (out.options.json || opts.format === 'json') emitJson(out, code, report);
        else out.text(opts.format === 'markdown' ? renderDiffMarkdown(report) : renderDiffText(report, out.chalk));
        ctx.setExitCode(code);
      },
    );
};
