import { StormError } from '../../errors';
import { citySchema } from '../../manifest/validate';
import { renderSchemaReference } from '../../report/schema-reference';
import type { CommandModule } from '../context';

export const schemaCommand: CommandModule = (program, ctx) => {
  program
    .command('schema')
    .description('Print the JSON Schema (2020-12) of city manifests, or its reference in Markdown')
    .option('--format <format>', 'json (the schema) or markdown (a reference table per object)', 'json')
    .addHelpText(
      'after',
      `
Each manifest names the schema in its first line, so editors with the YAML
language server validate and complete it:
  # yaml-language-server: $schema=../src/manifest/city-manifest.schema.json

Examples:
  $ storm schema > city-manifest.schema.json
  $ storm schema --format markdown > docs/manifest-reference.md
  $ storm schema --json | jq '.result.schema."$defs" | keys'`,
    )
    .action((opts: { format: string }) => {
      ctx.setCommand('schema');
      const out = ctx.output();
      if (opts.format !== 'json' && opts.format !== 'markdown')
        throw new StormError('usage', `unknown format "${opts.format}"`, {
          hint: 'use --format json or --format markdown',
        });
      const reference = opts.format === 'markdown' ? renderSchemaReference(citySchema) : undefined;
      out.jsonResult(
        'schema',
        0,
        reference === undefined ? { schema: citySchema } : { schema: citySchema, markdown: reference },
      );
      out.text(reference ?? JSON.stringify(citySchema, null, 2));
      ctx.setExitCode(0);
    });
};
