import { StormError } from '../../errors';
import { CI_FILES, ciPipeline, parseShardCount, writeCiPipeline, type CiSystem } from '../../lifecycle/ci-pipeline';
import type { CommandModule } from '../context';

export const ciCommand: CommandModule = (program, ctx) => {
  const ci = program.command('ci').description('Run the fleet on the CI system the region already operates');
  ci.command('init')
    .description(
      'Write a pipeline: validate and audit every city, plan the changed ones in shards, apply exactly the reviewed plans',
    )
    .option('--gitlab', `GitLab CI (${CI_FILES.gitlab})`, false)
    .option('--github', `GitHub Actions (${CI_FILES.github})`, false)
    .option('--shards <n>', 'parallel plan jobs per environment (1 to 50)', '2')
    .option('--print', 'print the pipeline on stdout instead of writing it', false)
    .option('--force', 'overwrite an existing pipeline file', false)
    .addHelpText(
      'after',
      `
Merge requests: validate + audit every city; plan the cities the change reaches
(--changed-since the merge base), N shards per environment, plans and markdown diffs
as artifacts, one comment with every diff. Default branch: plan the same way, apply
exactly those plans to preprod, then to production behind a manual gate; a plan gone
stale in between is refused.

Examples:
  $ storm ci init --gitlab --shards 4
  $ storm ci init --github --print`,
    )
    .action((opts: { gitlab: boolean; github: boolean; shards: string; print: boolean; force: boolean }) => {
      ctx.setCommand('ci init');
      const out = ctx.output();
      if (opts.gitlab === opts.github)
        throw new StormError('usage', 'name the CI system: --gitlab or --github', {
          hint: 'storm ci init --gitlab --shards 3',
        });
      const system: CiSystem = opts.gitlab ? 'gitlab' : 'github';
      const shards = parseShardCount(opts.shards);
      if (opts.print) {
        const text = ciPipeline(system, { shards });
        out.jsonResult('ci init', 0, { file: null, system, shards, pipeline: text });
        out.text(text.trimEnd());
        ctx.setExitCode(0);
        return;
      }
      const written = writeCiPipeline(ctx.globals().cwd, system, { shards }, opts.force);
      out.jsonResult('ci init', 0, written);
      out.text(
        `wrote ${written.file}: ${system === 'gitlab' ? 'GitLab CI' : 'GitHub Actions'}, ${shards} plan shard(s) per environment`,
      );
      ctx.setExitCode(0);
    });
};
