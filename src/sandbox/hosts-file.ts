/**
 * Names for a browser (issue 14): `<data>/hosts`, an /etc/hosts-style file the
 * sandbox keeps with one line per address of every ACTIVE A record set in
 * Designate (`<address> <name without the trailing dot>`), sorted, rewritten
 * only when it changes. A browser uses it through its own resolver rules
 * (Chromium: `--host-resolver-rules="MAP web.valladolid.example 127.42.0.12"`)
 * or a person adds the lines to /etc/hosts; nothing here touches the system.
 * Only loopback addresses are written: a record pointing elsewhere is left out.
 */
import * as fs from 'node:fs';
import type { SandboxContext } from './core/context';
import { KIND, type RecordSetDoc } from './services/dns/model';

export const HOSTS_FILE = 'hosts';

const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

export function hostsText(ctx: SandboxContext): string {
  const nowMs = ctx.now().getTime();
  const lines = new Set<string>();
  for (const rs of ctx.store.list<RecordSetDoc>(KIND.recordset)) {
    if (rs.type !== 'A' || rs._managed) continue;
    const p = rs._pending;
    // Designate's pool manager has pushed it (ACTIVE), or the push is due; a deletion due removes it.
    const active = p === null || (p.at <= nowMs && p.action !== 'DELETE') || (p.at > nowMs && p.action === 'UPDATE');
    if (!active) continue;
    const name = rs.name.replace(/\.$/, '').toLowerCase();
    for (const a of rs.records) if (LOOPBACK.test(a)) lines.add(`${a} ${name}`);
  }
  return [...lines]
    .sort()
    .map((l) => `${l}\n`)
    .join('');
}

/** Writes the file when its content changed; returns whether it wrote. */
export function refreshHostsFile(ctx: SandboxContext, file: string, previous: { text?: string }): boolean {
  const text = `# storm sandbox: A records of Designate (loopback addresses only)\n${hostsText(ctx)}`;
  if (previous.text === text) return false;
  fs.writeFileSync(`${file}.tmp`, text, { mode: 0o644 });
  fs.renameSync(`${file}.tmp`, file);
  previous.text = text;
  return true;
}
