import { scaffoldCity } from '../../manifest/scaffold';
import { renderScaffold } from '../../report/manifest-validation';
import type { CommandModule } from '../context';

export const initCommand: CommandModule = (program, ctx) => {
  program
    .command('init')
    .description("Start a new city's manifest from an existing city: same services and infrastructure, its own network")
    .argument('<city>', 'name of the new city (DNS-safe: becomes stacks/<city>.yaml)')
    .requiredOption('--from <city>', 'the city (or manifest file) to start from')
    .option('--display-name <name>', 'official name of the city or its administration')
    .option('--country <code>', "ISO 3166-1 alpha-2 country code (default: the original city's)")
    .option('--force', 'overwrite an existing stacks/<city>.yaml', false)
    .addHelpText(
      'after',
      `
Services, their parameters and the infrastructure are kept; the network moves to a
private range no other city uses; contacts, owner, partners, key pairs, admin
networks and waivers of the original city are cleared and marked FILL IN.

Examples:
  $ storm init miskolc --from valladolid
  $ storm init braga --from agueda --display-name "Município de Braga"
  $ storm init miskolc --from valladolid --country HU && storm validate miskolc`,
    )
    .action((city: string, opts: { from: string; displayName?: string; country?: string; force: boolean }) => {
      ctx.setCommand('init');
      const out = ctx.output();
      const result = scaffoldCity({
        cwd: ctx.globals().cwd,
        name: city,
        from: opts.from,
        force: opts.force,
        ...(opts.displayName === undefined ? {} : { displayName: opts.displayName }),
        ...(opts.country === undefined ? {} : { country: opts.country }),
      });
      out.jsonResult('init', 0, result);
      for (const w of result.warnings) out.note(out.renderDiagnostic(w));
      out.text(renderScaffold(result, out.chalk));
      ctx.setExitCode(0);
    });
};
