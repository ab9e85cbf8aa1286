/** Renders `storm validate` and `storm list` for people (--json prints the data itself). */
import type { ChalkInstance } from 'chalk';
import type { CitySummary } from '../manifest/city-list';
import type { ScaffoldResult } from '../manifest/scaffold';
import type { ValidationReport } from '../manifest/validate';

/** One line per city and environment: "✓ valladolid production". */
export function renderValidationLines(report: ValidationReport, chalk: ChalkInstance): string {
  const lines: string[] = [];
  for (const f of report.files) {
    const name = f.city ?? f.file;
    if (f.environments.length === 0) {
      lines.push(`${chalk.red('✗')} ${name}`);
      continue;
    }
    for (const env of f.environments) lines.push(`${env.ok ? chalk.green('✓') : chalk.red('✗')} ${name} ${env.name}`);
  }
  return lines.join('\n');
}

/** The closing line on stderr: counts, or nothing when all is well and quiet. */
export function renderValidationSummary(report: ValidationReport): string | undefined {
  const files = report.files.length;
  const bad = report.files.filter((f) => !f.ok).length;
  if (report.ok)
    return report.warnings === 0
      ? undefined
      : `${files} ${files === 1 ? 'manifest' : 'manifests'} valid, ${report.warnings} ${report.warnings === 1 ? 'warning' : 'warnings'}`;
  return `${bad} of ${files} ${files === 1 ? 'manifest' : 'manifests'} invalid: ${report.errors} ${report.errors === 1 ? 'error' : 'errors'}${report.warnings === 0 ? '' : `, ${report.warnings} ${report.warnings === 1 ? 'warning' : 'warnings'}`}`;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length));
}

/** A city row of `storm list`; shard and changes only with --shard / --changed-since. */
export type CityListRow = CitySummary & { shard?: number; changes?: string[] };

export function renderCityList(cities: readonly CityListRow[], chalk: ChalkInstance): string {
  if (cities.length === 0) return 'no cities: add stacks/<city>.yaml';
  const withShard = cities.some((c) => c.shard !== undefined);
  const withChanges = cities.some((c) => c.changes !== undefined);
  const rows = cities.map((c) => [
    c.name,
    ...(withShard ? [c.shard === undefined ? '' : String(c.shard)] : []),
    c.country ?? '',
    c.displayName ?? '',
    c.services.join(', ') || '—',
    c.environments.join(', '),
    ...(withChanges ? [(c.changes ?? []).join('; ')] : []),
    c.errors === 0 ? '' : `${c.errors} ${c.errors === 1 ? 'error' : 'errors'}`,
  ]);
  const header = [
    'CITY',
    ...(withShard ? ['SHARD'] : []),
    'COUNTRY',
    'NAME',
    'SERVICES',
    'ENVIRONMENTS',
    ...(withChanges ? ['CHANGED'] : []),
    '',
  ];
  const last = header.length - 1;
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const fmt = (r: string[]): string =>
    r
      .map((cell, i) => pad(cell, i === r.length - 1 ? 0 : (widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [chalk.bold(fmt(header)), ...rows.map((r) => (r[last] === '' ? fmt(r) : chalk.red(fmt(r))))].join('\n');
}

export function renderScaffold(result: ScaffoldResult, chalk: ChalkInstance): string {
  return [
    `${chalk.green('✓')} ${result.file} from ${result.from}: network ${result.network.from} → ${result.network.to}`,
    ...(result.fillIn.length === 0 ? [] : [`  fill in: ${result.fillIn.join(', ')}`]),
  ].join('\n');
}
