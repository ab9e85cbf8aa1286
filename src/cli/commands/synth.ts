import * as path from 'node:path';
import { StormError } from '../../errors';
import { synthCity } from '../../synth/synth-city';
import { renderSynth, synthJsonResult, type SynthJsonResult } from '../../report/synth';
import type { CommandModule } from '../context';
import { addSelectionOptions, selectForRun } from './selection-options';

interface SynthFlags {
  env: string;
  out?: string;
  all: boolean;
  shard?: string;
  changedSince?: string;
}

export const synthCommand: CommandModule = (program, ctx) => {
  const cmd = program
    .command('synth')
    .description("Synthesize a city's environment into Terraform JSON (main.tf.json) for OpenTofu")
    .argument('[cities...]', 'city names (stacks/<city>.yaml) or a .yaml/.yml file')
    .option('--env <env>', 'environment to synthesize (production is always named explicitly)', 'preprod')
    .option('--out <dir>', 'directory for main.tf.json (default: .storm/synth/<city>/<env>/; one city only)');
  addSelectionOptions(cmd).addHelpText(
    'after',
    `
Runs in-process; the same manifest always gives the same bytes. No credential is
ever written: tofu gets them from clouds.yaml / OS_* when it runs. With one city
the --json result is that city's synthesis; with several (or --all, --shard,
--changed-since) it is { cities: [...] }.

Examples:
  $ storm synth valladolid
  $ storm synth valladolid --env production --json
  $ storm synth --shard 1/4 --env production
  $ storm synth ./drafts/miskolc.yaml --out /tmp/miskolc`,
  );
  cmd.action(async (cities: string[], opts: SynthFlags) => {
    ctx.setCommand('synth');
    const out = ctx.output();
    const { cwd } = ctx.globals();
    const fleet = opts.all || opts.shard !== undefined || opts.changedSince !== undefined;
    if (cities.length === 0 && !fleet)
      throw new StormError('usage', 'name the city to synthesize (or use --all, --shard, --changed-since)', {
        hint: 'storm synth valladolid',
      });
    const selected = fleet || cities.length > 1 ? (await selectForRun(out, cwd, cities, opts)).cities : cities;
    if (opts.out !== undefined && (selected.length !== 1 || fleet))
      throw new StormError('usage', '--out writes the synthesis of exactly one city', {
        hint: 'without --out each city goes to .storm/synth/<city>/<env>/',
      });
    const docs: SynthJsonResult[] = [];
    for (const city of selected) {
      const started = Date.now();
      const result = synthCity(city, { cwd, env: opts.env, ...(opts.out === undefined ? {} : { outDir: opts.out }) });
      const shown =
        result.file === undefined
          ? undefined
          : path.relative(cwd, result.file).startsWith('..')
            ? result.file
            : path.relative(cwd, result.file);
      for (const d of result.warnings) out.note(out.renderDiagnostic(d));
      docs.push(synthJsonResult(result, shown, Date.now() - started));
    }
    const [only] = docs;
    out.jsonResult('synth', 0, !fleet && cities.length === 1 && only !== undefined ? only : { cities: docs });
    for (const doc of docs) out.text(renderSynth(doc, out.chalk));
    ctx.setExitCode(0);
  });
};
