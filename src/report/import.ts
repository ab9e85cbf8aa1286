/** The import report as text: what was written, what was found, and what storm cannot express. */
import type { ChalkInstance } from 'chalk';

/** What the renderer reads of lifecycle's import report (report/ does not import lifecycle/). */
export interface ImportReportView {
  city: string;
  env: string;
  cloud: string;
  project: { id: string; name: string | undefined };
  manifest: string;
  adoption: string;
  found: Record<string, number>;
  imported: { servers: number; computeGroups: number; resources: number };
  findings: ReadonlyArray<{ kind: string; subject: string; message: string; action: string }>;
  elapsedSeconds: number;
}

type FindingKind = ImportReportView['findings'][number]['kind'];

const HEADINGS: ReadonlyArray<[FindingKind, string]> = [
  ['not-expressible', 'Not expressible in a storm manifest (left alone)'],
  ['plan-adds', 'The first plan would add'],
  ['left-alone', 'Not imported'],
  ['kept', 'Kept as the cloud has it'],
  ['not-readable', 'Could not be read'],
  ['guessed', 'Guessed — review'],
  ['user-data', 'User data'],
];

export function renderImport(report: ImportReportView, chalk: ChalkInstance): string {
  const found = Object.entries(report.found)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const lines = [
    `${chalk.green('✓')} ${report.manifest} and ${report.adoption} from project ${report.project.name ?? report.project.id} of cloud ${report.cloud} (${report.elapsedSeconds}s)`,
    `  found: ${found === '' ? 'nothing' : found}`,
    `  imported: ${report.imported.servers} servers in ${report.imported.computeGroups} compute groups; ${report.imported.resources} resources adopted in environment ${report.env}`,
  ];
  for (const [kind, heading] of HEADINGS) {
    const items = report.findings.filter((f) => f.kind === kind);
    if (items.length === 0) continue;
    lines.push('', chalk.bold(`${heading} (${items.length}):`));
    // One user-data line for all servers: the same advice each time.
    if (kind === 'user-data') {
      lines.push(`  - ${items.length} servers: ${items[0]?.message ?? ''}`);
      continue;
    }
    for (const f of items) lines.push(`  - ${f.subject}: ${f.message} → ${f.action}`);
  }
  lines.push('', `next: storm validate ${report.city} && storm plan ${report.city} --env ${report.env}`);
  return lines.join('\n');
}
