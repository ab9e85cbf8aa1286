/** Renders `storm templates list` and `storm templates show` for people (--json prints the data itself). */
import type { ChalkInstance } from 'chalk';
import type { TemplateDetail, TemplateSummary } from '../manifest/templates';

function table(header: string[], rows: string[][], chalk: ChalkInstance): string {
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const fmt = (r: string[]): string =>
    r
      .map((cell, i) =>
        i === r.length - 1 ? cell : cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - [...cell].length)),
      )
      .join('  ')
      .trimEnd();
  return [chalk.bold(fmt(header)), ...rows.map(fmt)].join('\n');
}

export function renderTemplateList(templates: readonly TemplateSummary[], chalk: ChalkInstance): string {
  if (templates.length === 0) return 'no templates: add templates/<name>/template.yaml';
  return table(
    ['TEMPLATE', 'VERSION', 'LANGUAGES', 'TIERS', 'PERSONAL DATA', 'DESCRIPTION'],
    templates.map((t) => [
      t.name,
      t.version,
      t.languages.join(', '),
      t.tiers.join(', '),
      t.personalData ? 'yes' : 'no',
      firstSentence(t.description),
    ]),
    chalk,
  );
}

function firstSentence(text: string): string {
  const s = text.split(/(?<=\.)\s/)[0] ?? text;
  return s.length > 70 ? `${s.slice(0, 69)}…` : s;
}

export function renderTemplateDetail(t: TemplateDetail, chalk: ChalkInstance): string {
  const lines: string[] = [];
  lines.push(`${chalk.bold(t.name)} ${t.version}  (${t.file})`);
  lines.push(t.description, '');
  lines.push(`${chalk.bold('Languages:')} ${t.languages.join(', ')}`);
  lines.push(`${chalk.bold('Runtime:')} node ${t.runtime.node}, entry ${t.runtime.entry}`);
  lines.push(
    `${chalk.bold('Personal data:')} ${t.needs.personalData ? 'yes (names, emails): policy and audit apply' : 'no'}`,
  );
  lines.push(`${chalk.bold('Used by:')} ${t.usedBy.length === 0 ? 'no city yet' : t.usedBy.join(', ')}`, '');
  lines.push(chalk.bold('Parameters'));
  if (t.parameters.length === 0) lines.push('  none');
  for (const p of t.parameters) {
    lines.push(`  ${chalk.cyan(p.name)} (${p.type}) default ${JSON.stringify(p.default)}`);
    if (p.description !== '') lines.push(`    ${p.description}`);
    if (p.constraints.length > 0) lines.push(`    ${chalk.dim(p.constraints.join('; '))}`);
  }
  lines.push('', chalk.bold('Tiers'));
  for (const tier of t.needs.tiers) {
    const prod =
      tier.production === undefined
        ? ''
        : `; production ${tier.production.count ?? tier.count} × ${tier.production.flavor ?? tier.flavor}`;
    lines.push(
      `  ${chalk.cyan(tier.name)} (${tier.role}): ${tier.count} × ${tier.flavor}${prod}${tier.subnet === undefined ? '' : `, subnet ${tier.subnet}`}`,
    );
    lines.push(`    service port ${tier.servicePort}, health check ${tier.healthCheck}`);
    for (const v of tier.volumes) lines.push(`    volume ${v.name}: ${v.size} GiB at ${v.mountPath}`);
    for (const p of tier.ports) lines.push(`    open ${p.protocol}/${p.port} to ${p.from}`);
  }
  lines.push('', chalk.bold('Object containers'));
  if (t.needs.containers.length === 0) lines.push('  none');
  for (const c of t.needs.containers)
    lines.push(
      `  ${chalk.cyan(c.name)}: ${c.acl}${c.versioning ? ', versioned' : ''}${c.openData ? ', open data' : ''}${c.seedFrom === undefined ? '' : `, seeded from ${c.seedFrom}`}`,
    );
  return lines.join('\n');
}
