/** Renders `storm doctor` for humans (the --json document is the EngineDiagnosis itself). */
import type { ChalkInstance } from 'chalk';
import type { EngineDiagnosis } from '../engine/diagnosis';

export function renderDoctor(d: EngineDiagnosis, chalk: ChalkInstance): string {
  const mark = (ok: boolean): string => (ok ? chalk.green('✓') : chalk.yellow('…'));
  const engineOk = d.engine.source !== 'to-build';
  const lines = [
    `${mark(engineOk)} engine     ${d.engine.path}  ${d.engine.version}  (${engineOk ? (d.engine.source === 'built' ? 'built now' : `from ${d.engine.source}`) : 'not built yet'})`,
    `${mark(d.provider.state === 'ready')} provider   terraform-provider-openstack ${d.provider.version}  mirror ${d.provider.mirrorDir}${d.provider.state === 'ready' ? '' : '  (not built yet)'}`,
    `  cache      ${d.cacheDir}`,
  ];
  if (d.cliConfigPath !== undefined) lines.push(`  cli config ${d.cliConfigPath}`);
  lines.push(
    d.go === undefined ? `${chalk.yellow('!')} go         not found` : `  go         ${d.go.path}  ${d.go.version}`,
  );
  for (const s of d.skipped) lines.push(`${chalk.yellow('!')} skipped    ${s.path}: ${s.reason}`);
  lines.push('');
  for (const a of d.actions) lines.push(`  ${a}`);
  lines.push(
    d.ready
      ? chalk.green('ready')
      : chalk.yellow('not ready: run `storm doctor` (without --check) to build what is missing'),
  );
  return lines.join('\n');
}
