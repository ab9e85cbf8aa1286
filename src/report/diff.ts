/**
 * Renders a DiffReport: text for terminals (colour, aligned), markdown for
 * merge-request comments (summary table, then one collapsible <details> per
 * layer). JSON is the report itself (json-schemas/diff.schema.json).
 */
import type { ChalkInstance } from 'chalk';
import { formatLocation } from '../errors';
import type { DiffReport, ManifestChangeView, RiskFlag } from '../audit/change-report';
import type { ResourceDiff } from '../audit/config-diff';

const SYMBOL: Record<ResourceDiff['change'], string> = { create: '+', update: '~', replace: '-/+', delete: '-' };
const MANIFEST_SYMBOL: Record<ManifestChangeView['kind'], string> = { added: '+', changed: '~', removed: '-' };

function title(r: DiffReport): string {
  if (r.kind === 'revision')
    return `${r.city} (${r.env}): ${r.from.ref}${r.from.commit === undefined ? '' : ` (${r.from.commit.slice(0, 10)})`} → ${r.to.ref}${r.to.commit === undefined ? '' : ` (${r.to.commit.slice(0, 10)})`}`;
  return `${r.city} (${r.env}): live state → plan${r.planFile === undefined ? '' : ` ${r.planFile}`}`;
}

function countsLine(r: DiffReport): string {
  const c = r.counts;
  const m = r.kind === 'revision' ? `${c.manifestChanges} manifest change(s); ` : '';
  return `${m}${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to delete; ${c.risks} risk(s)`;
}

function where(m: ManifestChangeView): string {
  const parts: string[] = [];
  if (m.fromLocation !== undefined) parts.push(`was ${formatLocation(m.fromLocation)}`);
  if (m.toLocation !== undefined) parts.push(`now ${formatLocation(m.toLocation)}`);
  return parts.join(', ');
}

function short(v: string | undefined, max = 100): string {
  if (v === undefined) return '(absent)';
  return v.length > max ? `${v.slice(0, max - 3)}...` : v;
}

function colourFor(
  change: ResourceDiff['change'] | ManifestChangeView['kind'],
  chalk: ChalkInstance,
): (s: string) => string {
  switch (change) {
    case 'create':
    case 'added':
      return chalk.green;
    case 'update':
    case 'changed':
      return chalk.yellow;
    case 'replace':
      return chalk.magenta;
    case 'delete':
    case 'removed':
      return chalk.red;
  }
}

export function renderDiffText(r: DiffReport, chalk: ChalkInstance): string {
  const lines: string[] = [chalk.bold(title(r)), r.hasChanges ? countsLine(r) : 'no changes'];
  for (const n of r.notes) lines.push(chalk.dim(`note: ${n}`));
  if (r.kind === 'revision' && r.manifest.length > 0) {
    lines.push('', chalk.underline('manifest'));
    const pw = Math.max(...r.manifest.map((m) => m.path.length));
    for (const m of r.manifest) {
      const c = colourFor(m.kind, chalk);
      lines.push(`  ${c(MANIFEST_SYMBOL[m.kind])} ${m.path.padEnd(pw)}  ${chalk.dim(where(m))}`);
      if (m.kind !== 'added') lines.push(`      ${chalk.red('-')} ${short(m.before)}`);
      if (m.kind !== 'removed') lines.push(`      ${chalk.green('+')} ${short(m.after)}`);
      if (m.affected !== undefined)
        lines.push(chalk.dim(`      affects: ${m.affected.length === 0 ? 'no resources' : m.affected.join(', ')}`));
    }
  }
  for (const layer of r.layers) {
    lines.push('', chalk.underline(layer.layer));
    for (const res of layer.resources) {
      const c = colourFor(res.change, chalk);
      lines.push(`  ${c(SYMBOL[res.change].padEnd(3))} ${res.address}`);
      const aw = Math.max(0, ...res.attributes.map((a) => a.path.length));
      for (const a of res.attributes) {
        const arrow = res.change === 'create' ? short(a.after, 80) : `${short(a.before, 60)} → ${short(a.after, 60)}`;
        lines.push(
          `        ${a.path.padEnd(aw)}  ${arrow}${a.forcesReplacement === true ? chalk.magenta('  # forces replacement') : ''}`,
        );
      }
    }
  }
  if (r.risks.length > 0) {
    lines.push('', chalk.underline('risks'));
    for (const risk of r.risks) lines.push(`  ${chalk.red('!')} ${risk.kind.padEnd(16)} ${risk.message}`);
  }
  return lines.join('\n');
}

function md(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;');
}

function code(text: string | undefined, max = 120): string {
  if (text === undefined) return '';
  return `\`${short(text, max).replace(/`/g, "'").replace(/\|/g, '\\|')}\``;
}

function riskBadges(risks: readonly RiskFlag[]): string {
  return [...new Set(risks.map((r) => r.kind))].map((k) => `⚠️ ${k}`).join(' ');
}

export function renderDiffMarkdown(r: DiffReport): string {
  const c = r.counts;
  const lines = [`### storm diff: ${md(title(r))}`, ''];
  lines.push('| layer | create | update | replace | delete |', '|---|---:|---:|---:|---:|');
  for (const layer of r.layers) {
    const n = { create: 0, update: 0, replace: 0, delete: 0 };
    for (const res of layer.resources) n[res.change] += 1;
    lines.push(`| ${layer.layer} | ${n.create} | ${n.update} | ${n.replace} | ${n.delete} |`);
  }
  lines.push(`| **total** | **${c.create}** | **${c.update}** | **${c.replace}** | **${c.delete}** |`);
  if (r.kind === 'revision') lines.push('', `**${c.manifestChanges}** manifest change(s), **${c.risks}** risk(s).`);
  else lines.push('', `**${c.risks}** risk(s).`);
  for (const n of r.notes) lines.push('', `> ${md(n)}`);
  if (r.risks.length > 0) {
    lines.push('', '#### Risks', '');
    for (const risk of r.risks) lines.push(`- ⚠️ **${risk.kind}** — ${md(risk.message)}`);
  }
  if (r.kind === 'revision' && r.manifest.length > 0) {
    lines.push(
      '',
      `<details open><summary>manifest (${r.manifest.length})</summary>`,
      '',
      '| | path | where | before | after | affected resources |',
      '|---|---|---|---|---|---|',
    );
    for (const m of r.manifest) {
      const loc = [
        m.fromLocation === undefined ? '' : `${code(formatLocation(m.fromLocation))} (${r.from.ref})`,
        m.toLocation === undefined ? '' : `${code(formatLocation(m.toLocation))} (${r.to.ref})`,
      ]
        .filter((s) => s !== '')
        .join('<br>');
      const affected =
        m.affected === undefined
          ? '(not isolated)'
          : m.affected.length === 0
            ? '—'
            : m.affected.map((a) => code(a)).join('<br>');
      lines.push(
        `| ${MANIFEST_SYMBOL[m.kind]} | ${code(m.path)} ${riskBadges(m.risks)} | ${loc} | ${code(m.before)} | ${code(m.after)} | ${affected} |`,
      );
    }
    lines.push('', '</details>');
  }
  for (const layer of r.layers) {
    lines.push('', `<details><summary>${layer.layer} (${layer.resources.length})</summary>`, '');
    for (const res of layer.resources) {
      lines.push(
        `**${SYMBOL[res.change]} \`${res.address}\`** ${res.change} ${riskBadges(res.risks.filter((x) => x.kind !== 'production'))}`,
        '',
      );
      if (res.attributes.length > 0) {
        lines.push('| attribute | before | after |', '|---|---|---|');
        for (const a of res.attributes)
          lines.push(
            `| ${code(a.path)}${a.forcesReplacement === true ? ' (forces replacement)' : ''} | ${code(a.before, 80)} | ${code(a.after, 80)} |`,
          );
        lines.push('');
      }
    }
    lines.push('</details>');
  }
  return lines.join('\n');
}
