/** Renders the `storm sandbox` subcommands for humans. */
import type { ChalkInstance } from 'chalk';
import type { ConnectionInfo, SandboxStatus } from '../sandbox/control';
import type { RequestLogEntry } from '../sandbox/server';

/** Auth URL, a clouds.yaml entry and OS_* export lines. */
export function renderConnection(info: ConnectionInfo, chalk: ChalkInstance, headline: string): string {
  const exports = Object.entries(info.env).map(([k, v]) => `export ${k}=${v}`);
  return [
    chalk.green(headline),
    `auth URL: ${info.authUrl}`,
    '',
    chalk.dim('# clouds.yaml (then: OS_CLOUD=sandbox openstack network list)'),
    info.cloudsYamlEntry.trimEnd(),
    '',
    chalk.dim('# or the environment'),
    ...exports,
    '',
    chalk.dim(`# a member of project demo: user demo, password ${info.logins.demo}`),
  ].join('\n');
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** Resource kinds worth showing in a status (tokens and bookkeeping left out). */
const SHOWN = /^(network|compute|volume|image|object)\./;

export function renderStatus(s: SandboxStatus, chalk: ChalkInstance): string {
  const lines: string[] = [];
  if (s.running) {
    lines.push(
      `${chalk.green('●')} running   pid ${s.pid ?? '?'}  ${s.url ?? ''}  up ${duration(s.uptimeSeconds ?? 0)}${s.answering === false ? chalk.red('  (not answering)') : ''}`,
    );
    if (s.settings !== undefined && s.settings.faults !== '')
      lines.push(
        `  faults    ${s.settings.faults}${s.settings.faultSeed === undefined ? '' : ` (seed ${s.settings.faultSeed})`}`,
      );
  } else {
    lines.push(`${chalk.dim('○')} stopped   (start it with \`storm sandbox up --detach\`)`);
  }
  lines.push(`  data      ${s.dataDir}`);
  const kinds = Object.entries(s.counts).filter(([k]) => SHOWN.test(k));
  if (kinds.length > 0) {
    lines.push('  resources');
    const width = Math.max(...kinds.map(([k]) => k.length));
    for (const [k, n] of kinds) lines.push(`    ${k.padEnd(width)}  ${n}`);
  }
  return lines.join('\n');
}

export function renderLogEntry(e: RequestLogEntry, chalk: ChalkInstance): string {
  const status =
    e.status >= 500
      ? chalk.red(String(e.status))
      : e.status >= 400
        ? chalk.yellow(String(e.status))
        : chalk.green(String(e.status));
  const fault = e.fault === undefined ? '' : chalk.magenta(`  [fault ${e.fault.join(', ')}]`);
  return `${e.time}  ${e.method.padEnd(6)} ${status} ${`${e.ms.toFixed(1)}ms`.padStart(9)}  ${e.requestId}  ${e.path}${fault}`;
}
