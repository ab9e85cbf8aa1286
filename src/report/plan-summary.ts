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
  lines.push(chalk.bold(`${title}: ${summary.hasChanges ? renderCounts(summary) : 'no changes'}`));
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
    for (const o of summary.outputs) lines.push(`  ${paint(o.change, chalk)(SYMBOL[o.change])} ${o.name}${o.sensitive ? ' (sensitive)' : ''}`);
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
  const lines = [`  ${color(SYMBOL[r.change].padEnd(3))} ${r.address}${r.change === 'replace' ? chalk.red(' (replace)') : ''}`];
  const attrs = r.change === 'create' ? r.attributes.slice(0, maxCreate) : r.attributes;
  for (const a of attrs) {
    const forced = a.forcesReplacement === true ? chalk.red(' # forces replacement') : '';
    if (r.change === 'create') lines.push(`        ${a.path} = ${a.after ?? 'null'}`);
    else lines.push(`        ${a.path}: ${a.before ?? 'null'} → ${a.after ?? 'null'}${forced}`);
  }
  if (r.change === 'create' && r.attributes.length > attrs.length) lines.push(chalk.dim(`        … and ${r.attributes.length - attrs.length} more`));
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
