/**
 * Renders what the deploy step did: per service, the release it published (or
 * that nothing changed), each instance's health, and the URLs people open.
 */
import { Chalk } from 'chalk';
import type { DeployResult, ServiceDeployResult } from '../deploy/deploy';

function renderService(s: ServiceDeployResult, chalk: InstanceType<typeof Chalk>): string[] {
  const action =
    s.action === 'published'
      ? chalk.green(
          s.previousVersion === undefined || s.previousVersion === s.version
            ? 'published'
            : `published (was ${s.previousVersion})`,
        )
      : chalk.dim('unchanged');
  const lines = [`  ${chalk.bold(s.name)} ${s.template} ${s.version} ${chalk.dim(s.sha256.slice(0, 12))} ${action}`];
  if (s.seedObjects.uploaded > 0)
    lines.push(`    seed objects: ${s.seedObjects.uploaded} uploaded, ${s.seedObjects.unchanged} unchanged`);
  for (const i of s.instances) {
    lines.push(
      i.status === 'healthy'
        ? `    ${chalk.green('✓')} ${i.instance} ${i.url} healthy (${i.version})`
        : `    ${chalk.red('✗')} ${i.instance} ${i.url} /healthz said ${i.said}`,
    );
  }
  return lines;
}

export function renderDeployResult(result: DeployResult, options: { color: boolean }): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const lines = [chalk.bold(`${result.city}/${result.env}: ${result.message}`)];
  for (const s of result.services) lines.push(...renderService(s, chalk));
  const urls = result.services.flatMap((s) => s.urls.map((u) => `  ${s.name}: ${u}`));
  if (urls.length > 0) lines.push('', chalk.underline('service URLs'), ...urls);
  return `${lines.join('\n')}\n`;
}
