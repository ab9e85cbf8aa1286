import { summarizeCities } from '../../manifest/city-list';
import { describeTemplate, listTemplates } from '../../manifest/templates';
import { renderTemplateDetail, renderTemplateList } from '../../report/templates';
import type { CommandModule } from '../context';

export const templatesCommand: CommandModule = (program, ctx) => {
  const templates = program
    .command('templates')
    .description('List the pilot service templates and show their parameters, needs and version')
    .addHelpText(
      'after',
      `
Examples:
  $ storm templates list
  $ storm templates show participa
  $ storm templates show urbanismo-en-red --json | jq '.result.parameters'`,
    );

  templates
    .command('list')
    .description('List templates/ with version, languages and tiers')
    .action(() => {
      ctx.setCommand('templates list');
      const out = ctx.output();
      const { templates: found, diagnostics } = listTemplates(ctx.globals().cwd);
      const code = diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
      out.jsonResult('templates list', code, { templates: found, diagnostics });
      out.text(renderTemplateList(found, out.chalk));
      for (const d of diagnostics)
        out.warn(
          `${d.location === undefined ? '' : `${d.location.file}:${d.location.line}:${d.location.column}  `}${d.message}`,
        );
      ctx.setExitCode(code);
    });

  templates
    .command('show <name>')
    .description("Show a template's parameters (with defaults), infrastructure needs, version and the cities using it")
    .action((name: string) => {
      ctx.setCommand('templates show');
      const out = ctx.output();
      const cwd = ctx.globals().cwd;
      const detail = describeTemplate(cwd, name, summarizeCities(cwd));
      out.jsonResult('templates show', 0, detail);
      out.text(renderTemplateDetail(detail, out.chalk));
      ctx.setExitCode(0);
    });
};
