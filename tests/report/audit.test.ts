import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { PolicyRun } from '../../src/audit/policy';
import type { PolicyReport } from '../../src/audit/policy-types';
import { renderAuditMarkdown, renderAuditText } from '../../src/report/audit';

const loc = (line: number, column: number) => ({ file: 'stacks/valladolid.yaml', line, column });

const production: PolicyReport = {
  city: 'valladolid',
  env: 'production',
  file: 'stacks/valladolid.yaml',
  date: '2026-11-29',
  rulesEvaluated: 21,
  passed: false,
  counts: { errors: 1, warnings: 0, waived: 1 },
  findings: [
    {
      status: 'violation',
      rule: 'STORM-SEC-001',
      severity: 'error',
      title: 't',
      message: 'security group "web" opens SSH (22) to 0.0.0.0/0',
      subject: 'security.groups.web.rules[1]',
      location: loc(140, 22),
      hint: 'restrict it | now',
      source: 'manifest',
    },
    {
      status: 'waived',
      rule: 'STORM-DATA-004',
      severity: 'warning',
      title: 't',
      message: 'container "x" keeps no versions',
      subject: 'storage.containers.x',
      location: loc(9, 7),
      hint: 'h',
      source: 'manifest',
      waiver: {
        rule: 'storm-data-004',
        reason: 'exports are regenerated weekly',
        approvedBy: 'DPO',
        expires: '2027-01-01',
        subject: 'storage.containers.x',
        location: loc(12, 11),
      },
    },
  ],
  waiversUsed: [],
};
const preprod: PolicyReport = {
  ...production,
  env: 'preprod',
  passed: true,
  counts: { errors: 0, warnings: 0, waived: 0 },
  findings: [],
};
const run: PolicyRun = {
  city: 'valladolid',
  file: 'stacks/valladolid.yaml',
  passed: false,
  counts: { errors: 1, warnings: 0, waived: 1 },
  reports: [preprod, production],
};

describe('audit renderers', () => {
  it('text: aligned columns, location first, waiver details, verdict per environment and overall', () => {
    const text = renderAuditText(run, new Chalk({ level: 0 }));
    const lines = text.split('\n');
    const a = lines.find((l) => l.includes('STORM-SEC-001'))!;
    const b = lines.find((l) => l.includes('STORM-DATA-004'))!;
    expect(a.startsWith('stacks/valladolid.yaml:140:22  error  ')).toBe(true);
    expect(a.indexOf('STORM-SEC-001')).toBe(b.indexOf('STORM-DATA-004'));
    expect(text).toContain(
      'waived until 2027-01-01 by DPO: exports are regenerated weekly (stacks/valladolid.yaml:12:11)',
    );
    expect(text).toContain('✓ policy passed: 0 error(s)');
    expect(text).toContain('✗ valladolid failed (2 environments: 1 error(s), 0 warning(s), 1 waived)');
  });

  it('markdown: summary table and collapsible violations/waived, pipes escaped', () => {
    const md = renderAuditMarkdown(run);
    expect(md).toContain('### storm audit: valladolid (production) ❌ failed');
    expect(md).toContain('| 1 | 0 | 1 | 21 |');
    expect(md).toContain('<details open><summary>Violations (1)</summary>');
    expect(md).toContain('<details><summary>Waived (1)</summary>');
    expect(md).toContain('restrict it \\| now');
  });
});
