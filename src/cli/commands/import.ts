import { importCity } from '../../lifecycle/import';
import { renderImport } from '../../report/import';
import type { CommandModule } from '../context';
import { lifecycleContext, parseConcurrency } from './lifecycle-common';
import { StormError } from '../../errors';

interface ImportFlags {
  cloud?: string;
  project?: string;
  env: string;
  country?: string;
  select?: string;
  force: boolean;
  concurrency?: string;
}

export const importCommand: CommandModule = (program, ctx) => {
  program
    .command('import')
    .description(
      "Bring an existing OpenStack project under storm: write the city's manifest and adopt its resources (read-only)",
    )
    .argument('<city>', 'name of the city (DNS-safe: becomes stacks/<city>.yaml)')
    .option('--cloud <name>', 'cloud in clouds.yaml, or "sandbox" (default: OS_CLOUD, else sandbox)')
    .option('--project <name|id>', "project to import (default: the credentials' own)")
    .option('--env <env>', 'environment that adopts the resources', 'preprod')
    .option('--country <code>', 'ISO 3166-1 alpha-2 country code of the city (the cloud does not know it)')
    .option('--select <expr>', 'only part of the project: network=<name|id> and what hangs off it')
    .option('--force', 'overwrite an existing stacks/<city>.yaml and its adoption record', false)
    .option('--concurrency <n>', 'API requests in flight at once (default 4)')
    .addHelpText(
      'after',
      `
Only GET requests reach the cloud. Writes stacks/<city>.yaml and stacks/<city>.adoption.json
(which cloud resource is which resource address) together, or nothing. Servers that share
flavor, image, subnet and security groups become one compute group. What storm cannot express
is listed in the report and left alone; passwords, private keys and user data are never written.

Examples:
  $ storm import leiria --cloud leiria-prod --project participa --country PT
  $ storm import leiria --country PT --select network=participa-net --json`,
    )
    .action(async (city: string, flags: ImportFlags) => {
      ctx.setCommand('import');
      const out = ctx.output();
      if (flags.country === undefined)
        throw new StormError(
          'usage',
          'storm import needs --country: the cloud does not say which country the city is in',
          {
            hint: 'e.g. --country PT (ISO 3166-1 alpha-2)',
          },
        );
      const report = await importCity(lifecycleContext(ctx, out.progress), {
        city,
        cloud: flags.cloud,
        project: flags.project,
        env: flags.env,
        country: flags.country.toUpperCase(),
        select: flags.select,
        force: flags.force,
        concurrency: flags.concurrency === undefined ? undefined : parseConcurrency(flags.concurrency),
      });
      out.jsonResult('import', 0, report);
      out.text(renderImport(report, out.chalk));
      ctx.setExitCode(0);
    });
};
