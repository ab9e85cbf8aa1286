import { Option } from 'commander';
import type { CommandModule } from '../context';
import { JSON_SCHEMA_VERSION, type Output } from '../output';
import { diffRevisions } from '../../audit/revision-diff';
import { StormError } from '../../errors';
import { renderDiffMarkdown, renderDiffText } from '../../report/diff';

type Format = 'text' | 'markdown' | 'json';

/** `--format json` prints the same versioned document as the global --json. */
function emitJson(out: Output, exitCode: number, result: unknown): void {
  if (out.options.json) out.jsonResult('diff', exitCode, result);
  else out.text(JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, command: 'diff', ok: true, exitCode, result }, null, 2));
}

export const diffCommand: CommandModule = (program, ctx) => {
  program
    .command('diff')
    .description('Show what a manifest change would change (--from <git-ref>, offline) grouped by layer, with risk flags')
    .argument('<city>', 'city name (stacks/<city>.yaml)')
    .option('--from <ref>', 'git revision to compare from (e.g. HEAD, origin/main); no cloud and no state needed')
    .option('--to <ref>', 'git revision to compare to (default: the working tree)')
    .option('--env <env>', 'environment to synthesize', 'preprod')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .option('--detailed-exitcode', 'exit 2 when there are changes', false)
    .addHelpText(
      'after',
      `
Examples:
  $ storm diff valladolid --from HEAD                          # working tree against the last commit
  $ storm diff valladolid --from origin/main --format markdown # for a merge-request comment
  $ storm diff valladolid --from v1.2 --to v1.3 --env production --format json`,
    )
    .action(async (city: string, opts: { from?: string; to?: string; env: string; format: Format; detailedExitcode: boolean }) => {
      ctx.setCommand('diff');
      const out = ctx.output();
      if (opts.from === undefined) {
        throw new StormError('usage', 'storm diff needs --from <git-ref> (the plan-based diff comes with storm plan)', { hint: `storm diff ${city} --from HEAD` });
      }
      const report = await diffRevisions({ cwd: ctx.globals().cwd, city, from: opts.from, ...(opts.to === undefined ? {} : { to: opts.to }), env: opts.env });
      const code = opts.detailedExitcode && report.hasChanges ? 2 : 0;
      if (out.options.json || opts.format === 'json') emitJson(out, code, report);
      else out.text(opts.format === 'markdown' ? renderDiffMarkdown(report) : renderDiffText(report, out.chalk));
      ctx.setExitCode(code);
    });
};
