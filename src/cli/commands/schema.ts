import { citySchema } from '../../manifest/validate';
import type { CommandModule } from '../context';

export const schemaCommand: CommandModule = (program, ctx) => {
  program
    .command('schema')
    .description('Print the JSON Schema (2020-12) of city manifests')
    .addHelpText(
      'after',
      `
Each manifest names the schema in its first line, so editors with the YAML
language server validate and complete it:
  # yaml-language-server: $schema=../src/manifest/city-manifest.schema.json

Examples:
  $ storm schema > city-manifest.schema.json
  $ storm schema --json | jq '.result.schema."$defs" | keys'`,
    )
    .action(() => {
      ctx.setCommand('schema');
      const out = ctx.output();
      out.jsonResult('schema', 0, { schema: citySchema });
      out.text(JSON.stringify(citySchema, null, 2));
      ctx.setExitCode(0);
    });
};
