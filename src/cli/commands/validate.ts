import { validateManifests, type ValidationReport } from '../../manifest/validate';
import { renderValidationLines, renderValidationSummary } from '../../report/manifest-validation';
import { StormError } from '../../errors';
import { listCities } from '../../manifest/load';
import type { CommandModule } from '../context';
import { addSelectionOptions, selectForRun } from './selection-options';

export const validateCommand: CommandModule = (program, ctx) => {
  const cmd = program
    .command('validate')
    .description('Check city manifests against the schema and the rules the schema cannot express')
    .argument('[manifests...]', 'city names (stacks/<city>.yaml) or .yaml/.yml files');
  addSelectionOptions(cmd)
    .addHelpText(
      'after',
      `
Prints one line per city and environment; findings go to stderr as
file:line:col  path: message — hint. Exit code 1 when anything is wrong.

Examples:
  $ storm validate --all
  $ storm validate --shard 2/4                      # the second of four shares of stacks/
  $ storm validate --changed-since origin/main      # only what a merge request touches
  $ storm validate valladolid
  $ storm validate ./drafts/miskolc.yaml --json`,
    )
    .action(async (manifests: string[], opts: { all: boolean; shard?: string; changedSince?: string }) => {
      ctx.setCommand('validate');
      const out = ctx.output();
      const { cwd } = ctx.globals();
      if (opts.shard !== undefined || opts.changedSince !== undefined) {
        const selection = await selectForRun(out, cwd, manifests, opts);
        const report =
          selection.cities.length === 0
            ? { ok: true, files: [], errors: 0, warnings: 0 }
            : validateManifests(selection.cities, { cwd, all: false });
        finish(report);
        return;
      }
      if (manifests.length === 0 && !opts.all) {
        const cities = listCities(cwd);
        throw new StormError('usage', 'name the cities or files to validate, or pass --all', {
          hint: cities.length === 0 ? 'there are no manifests in stacks/ yet' : `cities: ${cities.join(', ')}`,
        });
      }
      finish(validateManifests(manifests, { cwd, all: opts.all }));

      function finish(report: ValidationReport): void {
        const code = report.ok ? 0 : 1;
        out.jsonResult('validate', code, report);
        if (report.files.length > 0) out.text(renderValidationLines(report, out.chalk));
        for (const f of report.files) for (const d of f.diagnostics) out.note(out.renderDiagnostic(d));
        const summary = renderValidationSummary(report);
        if (summary !== undefined) out.note(summary);
        ctx.setExitCode(code);
      }
    });
};
