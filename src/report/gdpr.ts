/** `storm audit <city> --gdpr` as text: the Art. 30 record, one block per environment. */
import type { GdprContact, GdprRecord } from '../audit/gdpr';

function who(c: GdprContact): string {
  return `${c.name} <${c.email}>${c.phone === undefined ? '' : `, ${c.phone}`}`;
}

export function renderGdprText(r: GdprRecord): string {
  const lines: string[] = [
    `Record of processing activities (GDPR Art. 30) — ${r.city} (${r.file})`,
    '',
    `Controller:               ${r.controller.name} (${r.controller.country}); owner ${r.controller.owner.team} <${r.controller.owner.email}>`,
    `Data protection officer:  ${r.dataProtectionOfficer === null ? 'none named (add a contact with role: dpo)' : who(r.dataProtectionOfficer)}`,
    `Data classification:      ${r.dataClassification ?? 'not tagged'}`,
  ];
  for (const c of r.contacts)
    lines.push(`Contact:                  ${who(c)}${c.role === undefined ? '' : ` (${c.role})`}`);
  for (const e of r.environments) {
    lines.push('', `Environment ${e.env}${e.description === null ? '' : ` — ${e.description}`}`);
    lines.push(`  Cloud, region:          ${e.cloud}, ${e.region ?? 'default'}`);
    for (const p of e.processing)
      lines.push(
        `  Service ${p.service} (${p.template}): ${p.personalData ? 'personal data' : 'no personal data'}; ${p.runsOn.instances} × ${p.runsOn.group}${p.volumes.length === 0 ? '' : `; volumes ${p.volumes.join(', ')}`}`,
        `    Purpose: ${p.purpose}`,
      );
    for (const v of e.volumesWithPersonalData)
      lines.push(
        `  Volume ${v.name}: ${v.sizeGb} GB, type ${v.type ?? 'cloud default'}, ${v.encrypted ? 'encrypted' : 'NOT ENCRYPTED'}${v.attachedTo.length === 0 ? '' : `, on ${v.attachedTo.join(', ')}`}${v.description === null ? '' : ` — ${v.description}`}`,
      );
    for (const c of e.containersWithPersonalData)
      lines.push(`  Container ${c.name}: ${c.acl}${c.openData ? ', open data' : ''}`);
    if (e.recipients.length === 0) lines.push('  Recipients:             none outside the city');
    for (const p of e.recipients)
      lines.push(
        `  Recipient ${p.name} (${p.kind}, project ${p.project}): ${p.access.map((a) => `${a.mode} ${a.container ?? a.network}`).join(', ')}${p.description === null ? '' : ` — ${p.description}`}`,
      );
  }
  return lines.join('\n');
}
