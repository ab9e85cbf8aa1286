import type { CommandModule } from '../context';
import { diagnoseEngine } from '../../engine/diagnosis';
import { renderDoctor } from '../../report/doctor';

export const doctorCommand: CommandModule = (program, ctx) => {
  program
    .command('doctor')
    .description('Check (and on first use build) the OpenTofu engine and the OpenStack provider storm uses')
    .option('--check', 'only report what is there and what bootstrap would do; build nothing', false)
    .addHelpText(
      'after',
      `
Examples:
  $ storm doctor               # builds OpenTofu and the provider into ~/.cache/storm once, then reports
  $ storm doctor --check       # reports without building
  $ STORM_TOFU=/usr/bin/terraform storm doctor --json`,
    )
    .action(async (opts: { check: boolean }) => {
      ctx.setCommand('doctor');
      const out = ctx.output();
      const result = await diagnoseEngine({ build: !opts.check }, out.progress);
      out.jsonResult('doctor', 0, result);
      out.text(renderDoctor(result, out.chalk));
      ctx.setExitCode(0);
    });
};
