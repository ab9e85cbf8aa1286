/**
 * Renders the fleet view of `storm status --all` for people: one line per city and
 * environment, each figure with how long ago it was established.
 */
import { Chalk, type ChalkInstance } from 'chalk';

interface Counts {
  create: number;
  update: number;
  replace: number;
  delete: number;
}
interface Aged {
  at: string;
  ageSeconds: number;
}

/** The shape lifecycle/status.ts's FleetStatus has (report/ renders data, it does not import the core). */
export interface FleetView {
  checkedAt: string;
  rows: readonly {
    city: string;
    env: string;
    state: { backend: string; resources: number | null };
    lastRun: (Aged & { operation: string; result: string }) | null;
    lastApply: (Aged & { operation: string; user: string; host: string; commit: string | null }) | null;
    drift: (Aged & { source: string; pending: boolean; changes: Counts; manifestChanged: boolean | null }) | null;
    policy: (Aged & { result: string; errors: number; warnings: number }) | null;
    services:
      | (Aged & { checked: true; total: number; healthy: number; unhealthy: readonly { service: string }[] })
      | { checked: false; reason: string };
    problems: readonly string[];
  }[];
  failed: readonly { city: string; error: { message: string } }[];
}

/** "just now", "42s ago", "5m ago", "3h ago", "12d ago": coarse on purpose, a table is read at a glance. */
export function ageText(seconds: number): string {
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

function countsText(c: Counts): string {
  const parts = [
    c.create > 0 ? `+${c.create}` : '',
    c.update > 0 ? `~${c.update}` : '',
    c.replace > 0 ? `±${c.replace}` : '',
    c.delete > 0 ? `-${c.delete}` : '',
  ].filter((p) => p !== '');
  return parts.join(' ');
}

type Row = FleetView['rows'][number];

function applyCell(r: Row): { text: string; paint?: (s: string) => string } {
  const a = r.lastApply;
  if (a === null) return { text: 'never' };
  const commit = a.commit === null ? '' : ` @${a.commit.slice(0, 8)}`;
  const verb = a.operation === 'destroy' ? 'destroyed ' : '';
  return { text: `${verb}${ageText(a.ageSeconds)} by ${a.user}${commit}` };
}

function driftCell(r: Row, chalk: ChalkInstance): { text: string; paint?: (s: string) => string } {
  const d = r.drift;
  if (d === null) return { text: 'never planned', paint: chalk.dim };
  const what = d.pending ? countsText(d.changes) : 'in sync';
  const stale = d.manifestChanged === true ? ', manifest changed since' : '';
  return {
    text: `${what} (${d.source} ${ageText(d.ageSeconds)}${stale})`,
    paint: d.pending || d.manifestChanged === true ? chalk.yellow : chalk.green,
  };
}

function policyCell(r: Row, chalk: ChalkInstance): { text: string; paint?: (s: string) => string } {
  const p = r.policy;
  if (p === null) return { text: 'not judged', paint: chalk.dim };
  const what =
    p.result === 'violations'
      ? `${p.errors} violation${p.errors === 1 ? '' : 's'}`
      : p.result === 'warnings'
        ? `${p.warnings} warning${p.warnings === 1 ? '' : 's'}`
        : 'passed';
  return {
    text: `${what} (${ageText(p.ageSeconds)})`,
    paint: p.result === 'violations' ? chalk.red : p.result === 'warnings' ? chalk.yellow : chalk.green,
  };
}

function servicesCell(r: Row, chalk: ChalkInstance): { text: string; paint?: (s: string) => string } {
  const s = r.services;
  if (!s.checked) return { text: s.reason, paint: chalk.dim };
  if (s.total === 0) return { text: `no services (${ageText(s.ageSeconds)})` };
  const down = s.unhealthy.map((u) => u.service).join(', ');
  return {
    text: `${s.healthy}/${s.total} healthy${down === '' ? '' : ` (down: ${down})`} (${ageText(s.ageSeconds)})`,
    paint: s.healthy === s.total ? chalk.green : chalk.red,
  };
}

export function renderFleetStatus(view: FleetView, options: { color: boolean }): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const header = ['CITY', 'ENV', 'LAST APPLY', 'DRIFT (LAST PLAN/APPLY)', 'POLICY', 'SERVICES'];
  const cells = view.rows.map((r) => [
    { text: r.city },
    { text: r.env },
    applyCell(r),
    driftCell(r, chalk),
    policyCell(r, chalk),
    servicesCell(r, chalk),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]?.text.length ?? 0)));
  const line = (row: readonly { text: string; paint?: (s: string) => string }[]): string =>
    row
      .map((c, i) => {
        const padded = i === row.length - 1 ? c.text : c.text.padEnd(widths[i] ?? 0);
        return c.paint === undefined ? padded : c.paint(padded);
      })
      .join('  ');
  const cities = new Set(view.rows.map((r) => r.city)).size;
  const lines = [
    chalk.bold(
      `${cities} ${cities === 1 ? 'city' : 'cities'}, ${view.rows.length} environment${view.rows.length === 1 ? '' : 's'} (checked ${view.checkedAt}; no plan was run — storm plan refreshes the drift column)`,
    ),
    chalk.bold(line(header.map((text) => ({ text })))),
    ...cells.map(line),
  ];
  for (const r of view.rows) for (const p of r.problems) lines.push(chalk.yellow(`  ${r.city}/${r.env}: ${p}`));
  for (const f of view.failed) lines.push(chalk.red(`  ${f.city}: ${f.error.message}`));
  return lines.join('\n');
}
