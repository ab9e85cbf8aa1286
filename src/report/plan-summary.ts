/**
 * Renders a PlanSummary for people: counts, changes grouped by layer with their
 * attributes (before → after), and the warnings last so they are what is seen.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { ChangeKind, Layer, PlanSummary, ResourceChange } from '../engine/plan-changes';
import { LAYERS } from '../engine/plan-changes';

export interface RenderOptions {
  color: boolean;
  /** Attributes listed per created resource before "… and N more". */
  maxCreateAttributes?: number;
}

const SYMBOL: Record<ChangeKind, string> = { create: '+', update: '~', replace: '-/+', delete: '-', read: '<=' };

export function renderCounts(summary: PlanSummary): string {
  const c = summary.counts;
  return `${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to delete`;
}

export function renderPlanSummary(title: string, summary: PlanSummary, options: RenderOptions): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const lines: string[] = [];
  const existing = `${summary.adopts} existing resource${summary.adopts === 1 ? '' : 's'}`;
  const adopting =
    summary.adopts === 0
      ? ''
      : summary.hasChanges
        ? `; adopts ${existing}`
        : ` (adopts ${existing} into the state; nothing in the cloud changes)`;
  lines.push(chalk.bold(`${title}: ${summary.hasChanges ? renderCounts(summary) : 'no changes'}${adopting}`));
  const byLayer = new Map<Layer, ResourceChange[]>();
  for (const r of summary.resources) byLayer.set(r.layer, [...(byLayer.get(r.layer) ?? []), r]);
  for (const layer of LAYERS) {
    const rs = byLayer.get(layer);
    if (rs === undefined) continue;
    lines.push('', chalk.underline(layer));
    for (const r of rs) lines.push(...renderResource(r, chalk, options.maxCreateAttributes ?? 12));
  }
  if (summary.outputs.length > 0) {
    lines.push('', chalk.underline('outputs'));
    for (const o of summary.outputs)
      lines.push(`  ${paint(o.change, chalk)(SYMBOL[o.change])} ${o.name}${o.sensitive ? ' (sensitive)' : ''}`);
  }
  if (summary.drift.length > 0) {
    lines.push('', chalk.underline('changed outside storm (drift)'));
    for (const r of summary.drift) lines.push(...renderResource(r, chalk, 0));
  }
  if (summary.warnings.length > 0) {
    lines.push('', chalk.yellow.bold('warnings'));
    for (const w of summary.warnings) lines.push(chalk.yellow(`  ! ${w.message}`));
  }
  return lines.join('\n');
}

function renderResource(r: ResourceChange, chalk: ChalkInstance, maxCreate: number): string[] {
  const color = paint(r.change, chalk);
  const lines = [
    `  ${color(SYMBOL[r.change].padEnd(3))} ${r.address}${r.change === 'replace' ? chalk.red(' (replace)') : ''}`,
  ];
  const attrs = r.change === 'create' ? r.attributes.slice(0, maxCreate) : r.attributes;
  for (const a of attrs) {
    const forced = a.forcesReplacement === true ? chalk.red(' # forces replacement') : '';
    if (r.change === 'create') lines.push(`        ${a.path} = ${a.after ?? 'null'}`);
    else lines.push(`        ${a.path}: ${a.before ?? 'null'} → ${a.after ?? 'null'}${forced}`);
  }
  if (r.change === 'create' && r.attributes.length > attrs.length)
    lines.push(chalk.dim(`        … and ${r.attributes.length - attrs.length} more`));
  return lines;
}

function paint(kind: ChangeKind, chalk: ChalkInstance): ChalkInstance {
  switch (kind) {
    case 'create':
      return chalk.green;
    case 'update':
      return chalk.yellow;
    case 'replace':
      return chalk.magenta;
    case 'delete':
      return chalk.red;
    case 'read':
      return chalk.cyan;
  }
}

export interface ResultRow {
  stack: string;
  status: string;
  ok: boolean;
  detail: string;
}

/** The final table of a multi-city run: one row per city/environment. */
export function renderResultsTable(rows: readonly ResultRow[], options: { color: boolean }): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const w1 = Math.max(5, ...rows.map((r) => r.stack.length));
  const w2 = Math.max(6, ...rows.map((r) => r.status.length));
  const lines = [chalk.bold(`${'STACK'.padEnd(w1)}  ${'RESULT'.padEnd(w2)}  DETAIL`)];
  for (const r of rows)
    lines.push(`${r.stack.padEnd(w1)}  ${(r.ok ? chalk.green : chalk.red)(r.status.padEnd(w2))}  ${r.detail}`);
  return lines.join('\n');
}

/** Outputs as `name = value` lines (values already masked when sensitive). */
export function renderOutputs(outputs: Record<string, unknown>): string {
  const keys = Object.keys(outputs).sort();
  if (keys.length === 0) return '(no outputs)';
  return keys
    .map((k) => `${k} = ${typeof outputs[k] === 'string' ? String(outputs[k]) : JSON.stringify(outputs[k])}`)
    .join('\n');
}

export interface StatusView {
  city: string;
  env: string;
  target: { cloud: string; sandbox: boolean };
  backend: string;
  serial: number;
  resources: ReadonlyArray<{ address: string; id: string | undefined; name: string | undefined }>;
  drift: PlanSummary['drift'];
  pending: PlanSummary;
  outputs: Record<string, unknown>;
  services: ReadonlyArray<{ service: string; url: string; healthy: boolean; detail: string }>;
}

export function renderStatus(s: StatusView, options: { color: boolean }): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const lines = [
    chalk.bold(`${s.city}/${s.env}`) +
      ` on ${s.target.cloud}${s.target.sandbox ? ' (sandbox)' : ''} — ${s.backend}, serial ${s.serial}`,
  ];
  lines.push(`  ${s.resources.length} resource${s.resources.length === 1 ? '' : 's'} in state`);
  for (const r of s.resources)
    lines.push(
      chalk.dim(`    ${r.address}${r.name !== undefined ? ` (${r.name})` : ''}${r.id !== undefined ? ` ${r.id}` : ''}`),
    );
  if (s.drift.length === 0) lines.push(`  cloud drift: ${chalk.green('none')}`);
  else {
    lines.push(
      `  cloud drift: ${chalk.yellow(`${s.drift.length} resource${s.drift.length === 1 ? '' : 's'} changed outside storm`)}`,
    );
    for (const r of s.drift) {
      lines.push(`    ${r.change} ${r.address}`);
      for (const a of r.attributes) lines.push(`        ${a.path}: ${a.before ?? 'null'} → ${a.after ?? 'null'}`);
    }
  }
  lines.push(
    `  manifest: ${s.pending.hasChanges ? chalk.yellow(`not applied — ${renderCounts(s.pending)} (storm plan ${s.city} --env ${s.env})`) : chalk.green('in sync')}${s.pending.adopts > 0 ? ` (${s.pending.adopts} existing resources join the state at the next storm provision)` : ''}`,
  );
  for (const h of s.services)
    lines.push(
      `  service ${h.service} at ${h.url}: ${h.healthy ? chalk.green('healthy') : chalk.red('NOT healthy')} (${h.detail})`,
    );
  lines.push(
    '  outputs:',
    ...renderOutputs(s.outputs)
      .split('\n')
      .map((l) => `    ${l}`),
  );
  return lines.join('\n');
}
