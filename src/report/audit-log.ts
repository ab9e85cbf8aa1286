/** Renders `storm audit log` and `storm audit verify` for people. */
import type { ChalkInstance } from 'chalk';
import type { AuditAnchor, AuditLogListing, AuditLogVerification, AuditRepair } from '../audit/audit-log';
import type { AuditRecord, AuditResult } from '../audit/audit-record';

function resultColour(result: AuditResult, chalk: ChalkInstance): (s: string) => string {
  switch (result) {
    case 'succeeded':
    case 'no-changes':
      return chalk.green;
    case 'failed':
    case 'interrupted':
      return chalk.red;
    case 'refused':
      return chalk.yellow;
  }
}

function changes(r: AuditRecord): string {
  if (r.changes === undefined) return '-';
  const c = r.changes;
  return `+${c.create} ~${c.update} ±${c.replace} -${c.delete}`;
}

function policy(r: AuditRecord): string {
  if (r.policy === undefined) return '-';
  const waived = r.policy.waiversUsed.length === 0 ? '' : ` ${r.policy.waiversUsed.length}w`;
  return `${r.policy.errors}e ${r.policy.warnings}w${waived === '' ? '' : `,${waived.trim()} waived`}`;
}

function flags(r: AuditRecord): string {
  const out: string[] = [];
  if (r.flags.allowViolations) out.push('allow-violations');
  if (r.flags.skipPreflight) out.push('skip-preflight');
  if (r.flags.autoApprove) out.push('auto-approve');
  return out.join(',');
}

export function renderAuditLog(listing: AuditLogListing, chalk: ChalkInstance): string {
  if (listing.entries.length === 0 && listing.unreadable.length === 0)
    return `no audit records for ${listing.city} yet (${listing.file})`;
  const header = ['SEQ', 'TIME', 'OPERATION', 'ENV', 'RESULT', 'CHANGES', 'POLICY', 'USER@HOST', 'MANIFEST', 'FLAGS'];
  const rows = listing.entries.map(({ record: r }) => [
    String(r.seq),
    r.time,
    r.operation,
    r.env,
    r.result,
    changes(r),
    policy(r),
    `${r.user}@${r.host}`,
    r.manifestHash === undefined ? '-' : r.manifestHash.slice(0, 12),
    flags(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const pad = (cells: string[]): string[] => cells.map((c, i) => c.padEnd(widths[i] ?? 0));
  const lines = [chalk.bold(pad(header).join('  ').trimEnd())];
  listing.entries.forEach(({ record }, idx) => {
    const cells = pad(rows[idx] ?? []);
    cells[4] = resultColour(record.result, chalk)(cells[4] ?? '');
    lines.push(cells.join('  ').trimEnd());
  });
  if (listing.unreadable.length > 0)
    lines.push(
      chalk.red(`unreadable lines: ${listing.unreadable.join(', ')} (run \`storm audit verify ${listing.city}\`)`),
    );
  lines.push(chalk.dim(`${listing.entries.length} record(s) in ${listing.file}`));
  return lines.join('\n');
}

export function renderAuditVerification(v: AuditLogVerification, chalk: ChalkInstance): string {
  if (v.ok) {
    const keyed = v.keyed ? ', keyed (HMAC) with the configured key' : '';
    const anchored = v.anchor === undefined ? '' : `\n  extends the published head ${v.anchor.hash.slice(0, 16)}…`;
    return `${chalk.green('✓')} ${v.file}: ${v.records} record(s), chain intact${keyed} (last hash ${v.lastHash.slice(0, 16)}…)${anchored}`;
  }
  const p = v.problem;
  const where = p === undefined ? '' : `first bad record: seq ${p.seq ?? p.expectedSeq} at line ${p.line}`;
  return [
    `${chalk.red('✗')} ${v.file}: chain broken — ${where}`,
    p === undefined ? '' : `  ${p.message}`,
    chalk.dim(`  ${v.records} record(s) before it verify`),
  ]
    .filter((l) => l !== '')
    .join('\n');
}

export function renderAuditAnchor(a: AuditAnchor): string {
  return [
    a.anchor,
    `  head of ${a.file}: record ${a.seq}${a.keyed ? ' (keyed chain)' : ''}`,
    `  publish it (e.g. in the merge request); later: storm audit verify ${a.city} --anchor ${a.anchor}`,
  ].join('\n');
}

export function renderAuditRepair(r: AuditRepair, chalk: ChalkInstance): string {
  if (r.actions.length === 0)
    return `${chalk.green('✓')} ${r.file}: nothing to repair (${r.verification.records} record(s) verify)`;
  return [
    ...r.actions.map((a) => `${chalk.yellow('!')} ${a}`),
    `${chalk.green('✓')} ${r.file}: ${r.verification.records} record(s) verify`,
  ].join('\n');
}
