/**
 * --all, --shard and --changed-since for every per-city command. Kept apart from
 * lifecycle-common so that validate, list and synth do not load the engine at start-up.
 */
import type { Command } from 'commander';
import { selectCities, type CitySelection, type SelectionFlags } from '../../lifecycle/selection';
import type { Output } from '../output';

/** --all, --shard and --changed-since: the fleet options every per-city command shares. */
export function addSelectionOptions(cmd: Command, fleet = true): Command {
  cmd.option('--all', 'every city in stacks/', false);
  if (!fleet) return cmd;
  return cmd
    .option('--shard <I/N>', 'only the I-th of N shares of the selected cities (sorted by name, dealt round-robin)')
    .option(
      '--changed-since <git-ref>',
      'only the cities whose manifest, templates, storm version or policy settings changed since this revision',
    );
}

/**
 * The cities a command covers. A fleet selection (--all, --shard, --changed-since) that is
 * empty is no error: a CI shard with nothing to do succeeds. Says on stderr what was selected and why.
 */
export async function selectForRun(
  out: Output,
  cwd: string,
  cities: readonly string[],
  flags: SelectionFlags,
): Promise<CitySelection> {
  const selection = await selectCities(cwd, cities, flags);
  if (!selection.fleet || (flags.shard === undefined && flags.changedSince === undefined)) return selection;
  const scope = [
    flags.changedSince === undefined ? undefined : `changed since ${flags.changedSince}`,
    selection.shard === undefined ? undefined : `shard ${selection.shard.index}/${selection.shard.count}`,
  ]
    .filter((x) => x !== undefined)
    .join(', ');
  out.note(
    selection.cities.length === 0
      ? `no city selected (${scope}): nothing to do`
      : `${selection.cities.length} ${selection.cities.length === 1 ? 'city' : 'cities'} selected (${scope}): ${selection.cities.join(', ')}`,
  );
  if (selection.reasons !== undefined)
    for (const city of selection.cities) out.note(`  ${city}: ${(selection.reasons[city] ?? []).join('; ')}`);
  return selection;
}
