import { summarizeCities } from '../../manifest/city-list';
import { renderCityList } from '../../report/manifest-validation';
import type { CommandModule } from '../context';

export const listCommand: CommandModule = (program, ctx) => {
  program
    .command('list')
    .description('List the cities in stacks/ with their country, services and environments')
    .addHelpText(
      'after',
      `
Examples:
  $ storm list
  $ storm list --json | jq '.result.cities[].name'`,
    )
    .action(() => {
      ctx.setCommand('list');
      const out = ctx.output();
      const cities = summarizeCities(ctx.globals().cwd);
      out.jsonResult('list', 0, { cities });
      out.text(renderCityList(cities, out.chalk));
      ctx.setExitCode(0);
    });
};
