// Regenerates the seed documents (small, valid one-page PDFs) from documents.json:
//   node templates/urbanismo-en-red/seed/make-documents.mjs
// Output is deterministic (no dates), so re-running changes no bytes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Buffer } from 'node:buffer';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const docs = JSON.parse(fs.readFileSync(path.join(here, 'documents.json'), 'utf8'));

function pdfString(s) {
  // WinAnsi covers Spanish accents; escape PDF string delimiters.
  return Buffer.from(
    s.replace(/[\\()]/g, (c) => `\\${c}`),
    'latin1',
  ).toString('latin1');
}

function makePdf(lines) {
  const content = ['BT', '/F1 16 Tf', '56 780 Td', '20 TL']
    .concat(lines.map((l, i) => `${i === 0 ? '' : 'T* '}(${pdfString(l)}) Tj`.replace(/^/, '')))
    .concat(['ET'])
    .join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

for (const d of docs) {
  const file = path.join(here, 'documents', d.object);
  if (d.object.endsWith('.pdf')) fs.writeFileSync(file, makePdf(d.lines));
  else fs.writeFileSync(file, `${d.lines.join('\n')}\n`);
}
console.log(`wrote ${docs.length} documents`);
