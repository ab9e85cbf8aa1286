import { summarizeCities } from '../../manifest/city-list';
import { dealShards } from '../../lifecycle/selection';
import { renderCityList, type CityListRow } from '../../report/manifest-validation';
import type { CommandModule } from '../context';
import { selectForRun } from './selection-options';

export const listCommand: CommandModule = (program, ctx) => {
  program
    .command('list')
    .description('List the cities in stacks/ with their country, services and environments')
    .option('--all', 'every city (the default; accepted so that CI can pass one selection to every command)', false)
    .option('--shard <I/N>', 'only the cities of shard I of N (sorted by name, dealt round-robin), with their shard')
    .option('--changed-since <git-ref>', 'only the cities a change since this revision affects, with the reasons')
    .addHelpText(
      'after',
      `
Examples:
  $ storm list
  $ storm list --shard 1/3                          # what CI job 1 of 3 runs
  $ storm list --changed-since origin/main          # what a merge request affects, and why
  $ storm list --json | jq '.result.cities[].name'`,
    )
    .action(async (opts: { shard?: string; changedSince?: string }) => {
      ctx.setCommand('list');
      const out = ctx.output();
      const { cwd } = ctx.globals();
      let cities: CityListRow[] = summarizeCities(cwd);
      if (opts.shard !== undefined || opts.changedSince !== undefined) {
        const selection = await selectForRun(out, cwd, [], opts);
        const chosen = new Set(selection.cities);
        // The shard each city has among the cities selected before dealing (all, or the changed ones).
        const dealt =
          selection.shard === undefined
            ? undefined
            : dealShards(
                opts.changedSince === undefined ? cities.map((c) => c.name) : Object.keys(selection.reasons ?? {}),
                selection.shard.count,
              );
        cities = cities
          .filter((c) => chosen.has(c.name))
          .map((c) => ({
            ...c,
            ...(dealt === undefined ? {} : { shard: dealt.get(c.name) as number }),
            ...(selection.reasons === undefined ? {} : { changes: selection.reasons[c.name] ?? [] }),
          }));
      }
      out.jsonResult('list', 0, { cities });
      out.text(
        cities.length === 0 && (opts.shard !== undefined || opts.changedSince !== undefined)
          ? 'no city selected'
          : renderCityList(cities, out.chalk),
      );
      ctx.setExitCode(0);
    });
};
