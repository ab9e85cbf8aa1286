/**
 * Renders a PolicyReport: text for terminals (aligned, coloured), markdown for
 * merge-request comments (summary table + collapsible details). The --json
 * document is the report itself (schema: json-schemas/audit.schema.json).
 */
import type { ChalkInstance } from 'chalk';
import { formatLocation } from '../errors';
import type { PolicyFinding, PolicyReport, PolicyRule } from '../audit/policy-types';
import type { PolicyRun } from '../audit/policy';

function statusLabel(f: PolicyFinding): string {
  return f.status === 'waived' ? 'waived' : f.severity;
}

export function renderAuditText(run: PolicyRun, chalk: ChalkInstance): string {
  const parts = run.reports.map((r) => renderReportText(r, chalk));
  if (run.reports.length > 1) {
    const c = run.counts;
    const summary = `${run.reports.length} environments: ${c.errors} error(s), ${c.warnings} warning(s), ${c.waived} waived`;
    parts.push(
      run.passed
        ? chalk.green(chalk.bold(`✓ ${run.city} passed (${summary})`))
        : chalk.red(chalk.bold(`✗ ${run.city} failed (${summary})`)),
    );
  }
  return parts.join('\n\n');
}

export function renderReportText(report: PolicyReport, chalk: ChalkInstance): string {
  const lines: string[] = [];
  const head = `${report.city} (${report.env}) — ${report.file}: ${report.rulesEvaluated} rules`;
  lines.push(chalk.bold(head));
  if (report.findings.length > 0) {
    const locs = report.findings.map((f) => formatLocation(f.location));
    const lw = Math.max(...locs.map((l) => l.length));
    const rw = Math.max(...report.findings.map((f) => f.rule.length));
    report.findings.forEach((f, i) => {
      const label = statusLabel(f);
      const colour = f.status === 'waived' ? chalk.dim : f.severity === 'error' ? chalk.red : chalk.yellow;
      lines.push(`${(locs[i] ?? '').padEnd(lw)}  ${colour(label.padEnd(7))}  ${f.rule.padEnd(rw)}  ${f.message}`);
      const indent = ' '.repeat(lw + 2 + 7 + 2 + rw + 2);
      if (f.status === 'waived')
        lines.push(
          chalk.dim(
            `${indent}waived until ${f.waiver.expires} by ${f.waiver.approvedBy}: ${f.waiver.reason} (${formatLocation(f.waiver.location)})`,
          ),
        );
      else lines.push(chalk.dim(`${indent}fix: ${f.hint}`));
    });
  }
  const c = report.counts;
  const summary = `${c.errors} error(s), ${c.warnings} warning(s), ${c.waived} waived`;
  lines.push(report.passed ? chalk.green(`✓ policy passed: ${summary}`) : chalk.red(`✗ policy failed: ${summary}`));
  return lines.join('\n');
}

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderAuditMarkdown(run: PolicyRun): string {
  return run.reports.map(renderReportMarkdown).join('\n\n');
}

export function renderReportMarkdown(report: PolicyReport): string {
  const c = report.counts;
  const lines = [
    `### storm audit: ${report.city} (${report.env}) ${report.passed ? '✅ passed' : '❌ failed'}`,
    '',
    '| errors | warnings | waived | rules |',
    '|---:|---:|---:|---:|',
    `| ${c.errors} | ${c.warnings} | ${c.waived} | ${report.rulesEvaluated} |`,
  ];
  const groups: [string, PolicyFinding[]][] = [
    ['Violations', report.findings.filter((f) => f.status === 'violation')],
    ['Waived', report.findings.filter((f) => f.status === 'waived')],
  ];
  for (const [title, fs] of groups) {
    if (fs.length === 0) continue;
    lines.push(
      '',
      `<details${title === 'Violations' ? ' open' : ''}><summary>${title} (${fs.length})</summary>`,
      '',
      '| severity | rule | where | finding | fix / waiver |',
      '|---|---|---|---|---|',
    );
    for (const f of fs) {
      const extra =
        f.status === 'waived'
          ? `waived until ${f.waiver.expires} by ${f.waiver.approvedBy}: ${f.waiver.reason}`
          : f.hint;
      lines.push(
        `| ${f.severity} | \`${f.rule}\` | \`${formatLocation(f.location)}\` | ${mdCell(f.message)} | ${mdCell(extra)} |`,
      );
    }
    lines.push('', '</details>');
  }
  return lines.join('\n');
}

/** The rule table (`storm audit --rules`; the README table is generated from it). */
export function renderRulesTable(rules: readonly PolicyRule[], format: 'text' | 'markdown'): string {
  if (format === 'markdown') {
    return [
      '| id | name (for waivers) | severity | rule | fix |',
      '|---|---|---|---|---|',
      ...rules.map((r) => `| \`${r.id}\` | \`${r.name}\` | ${r.severity} | ${mdCell(r.title)} | ${mdCell(r.hint)} |`),
    ].join('\n');
  }
  const iw = Math.max(...rules.map((r) => r.id.length));
  const nw = Math.max(...rules.map((r) => r.name.length));
  return rules.map((r) => `${r.id.padEnd(iw)}  ${r.name.padEnd(nw)}  ${r.severity.padEnd(7)}  ${r.title}`).join('\n');
}
