import * as path from 'node:path';
import { synthCity } from '../../synth/synth-city';
import { renderSynth, synthJsonResult } from '../../report/synth';
import type { CommandModule } from '../context';

export const synthCommand: CommandModule = (program, ctx) => {
  program
    .command('synth')
    .description("Synthesize a city's environment into Terraform JSON (main.tf.json) for OpenTofu")
    .argument('<city>', 'city name (stacks/<city>.yaml) or a .yaml/.yml file')
    .option('--env <env>', 'environment to synthesize (production is always named explicitly)', 'preprod')
    .option('--out <dir>', 'directory for main.tf.json (default: .storm/synth/<city>/<env>/)')
    .addHelpText(
      'after',
      `
Runs in-process; the same manifest always gives the same bytes. No credential is
ever written: tofu gets them from clouds.yaml / OS_* when it runs.

Examples:
  $ storm synth valladolid
  $ storm synth valladolid --env production --json
  $ storm synth ./drafts/miskolc.yaml --out /tmp/miskolc`,
    )
    .action((city: string, opts: { env: string; out?: string }) => {
      ctx.setCommand('synth');
      const started = Date.now();
      const out = ctx.output();
      const { cwd } = ctx.globals();
      const result = synthCity(city, { cwd, env: opts.env, ...(opts.out === undefined ? {} : { outDir: opts.out }) });
      const shown =
        result.file === undefined
          ? undefined
          : path.relative(cwd, result.file).startsWith('..')
            ? result.file
            : path.relative(cwd, result.file);
      const doc = synthJsonResult(result, shown, Date.now() - started);
      for (const d of result.warnings) out.note(out.renderDiagnostic(d));
      out.jsonResult('synth', 0, doc);
      out.text(renderSynth(doc, out.chalk));
      ctx.setExitCode(0);
    });
};
