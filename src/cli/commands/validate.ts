import { validateManifests } from '../../manifest/validate';
import { renderValidationLines, renderValidationSummary } from '../../report/manifest-validation';
import { StormError } from '../../errors';
import { listCities } from '../../manifest/load';
import type { CommandModule } from '../context';

export const validateCommand: CommandModule = (program, ctx) => {
  program
    .command('validate')
    .description('Check city manifests against the schema and the rules the schema cannot express')
    .argument('[manifests...]', 'city names (stacks/<city>.yaml) or .yaml/.yml files')
    .option('--all', 'validate every manifest in stacks/', false)
    .addHelpText(
      'after',
      `
Prints one line per city and environment; findings go to stderr as
file:line:col  path: message — hint. Exit code 1 when anything is wrong.

Examples:
  $ storm validate --all
  $ storm validate valladolid
  $ storm validate ./drafts/miskolc.yaml --json`,
    )
    .action((manifests: string[], opts: { all: boolean }) => {
      ctx.setCommand('validate');
      const out = ctx.output();
      const { cwd } = ctx.globals();
      if (manifests.length === 0 && !opts.all) {
        const cities = listCities(cwd);
        throw new StormError('usage', 'name the cities or files to validate, or pass --all', {
          hint: cities.length === 0 ? 'there are no manifests in stacks/ yet' : `cities: ${cities.join(', ')}`,
        });
      }
      const report = validateManifests(manifests, { cwd, all: opts.all });
      const code = report.ok ? 0 : 1;
      out.jsonResult('validate', code, report);
      out.text(renderValidationLines(report, out.chalk));
      for (const f of report.files) for (const d of f.diagnostics) out.note(out.renderDiagnostic(d));
      const summary = renderValidationSummary(report);
      if (summary !== undefined) out.note(summary);
      ctx.setExitCode(code);
    });
};
