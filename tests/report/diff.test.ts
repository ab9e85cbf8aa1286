import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { DiffReport } from '../../src/audit/change-report';
import { renderDiffMarkdown, renderDiffText } from '../../src/report/diff';

const report: DiffReport = {
  formatVersion: 1,
  kind: 'revision',
  city: 'valladolid',
  env: 'preprod',
  from: { ref: 'HEAD', commit: 'a'.repeat(40), file: 'stacks/valladolid.yaml', exists: true },
  to: { ref: 'working tree', file: 'stacks/valladolid.yaml', exists: true },
  hasChanges: true,
  counts: { manifestChanges: 1, create: 0, update: 0, replace: 1, delete: 0, risks: 2 },
  manifest: [
    {
      kind: 'changed',
      path: 'security.groups.web.rules[2].remote',
      before: '"admin"',
      after: '"0.0.0.0/0"',
      fromLocation: { file: 'stacks/valladolid.yaml', line: 50, column: 67 },
      toLocation: { file: 'stacks/valladolid.yaml', line: 50, column: 67 },
      affected: ['openstack_networking_secgroup_rule_v2.web_ssh'],
      risks: [
        {
          kind: 'exposure',
          subject: 'security.groups.web.rules[2].remote',
          message: 'opens access to the whole internet',
        },
      ],
    },
  ],
  layers: [
    {
      layer: 'security',
      resources: [
        {
          address: 'openstack_networking_secgroup_rule_v2.web_ssh',
          type: 'openstack_networking_secgroup_rule_v2',
          name: 'web_ssh',
          layer: 'security',
          change: 'replace',
          attributes: [
            { path: 'remote_ip_prefix', before: '"193.146.0.0/24"', after: '"0.0.0.0/0"', forcesReplacement: true },
          ],
          risks: [
            {
              kind: 'replace',
              subject: 'openstack_networking_secgroup_rule_v2.web_ssh',
              message: 'is destroyed and re-created',
            },
          ],
        },
      ],
    },
  ],
  risks: [
    {
      kind: 'replace',
      subject: 'openstack_networking_secgroup_rule_v2.web_ssh',
      message: 'openstack_networking_secgroup_rule_v2.web_ssh is destroyed and re-created',
    },
    {
      kind: 'exposure',
      subject: 'security.groups.web.rules[2].remote',
      message: 'security.groups.web.rules[2].remote opens access to the whole internet',
    },
  ],
  notes: [],
};

describe('diff renderers', () => {
  it('text: manifest change with both locations and affected resources, then layers and risks', () => {
    const text = renderDiffText(report, new Chalk({ level: 0 }));
    expect(text).toContain('valladolid (preprod): HEAD (aaaaaaaaaa) → working tree');
    expect(text).toContain(
      '~ security.groups.web.rules[2].remote  was stacks/valladolid.yaml:50:67, now stacks/valladolid.yaml:50:67',
    );
    expect(text).toContain('affects: openstack_networking_secgroup_rule_v2.web_ssh');
    expect(text).toMatch(
      /-\/\+ openstack_networking_secgroup_rule_v2\.web_ssh\n +remote_ip_prefix +"193\.146\.0\.0\/24" → "0\.0\.0\.0\/0" +# forces replacement/,
    );
    expect(text.indexOf('risks')).toBeGreaterThan(text.indexOf('security'));
  });

  it('markdown: summary table by layer, risks, and a <details> per layer', () => {
    const md = renderDiffMarkdown(report);
    expect(md).toContain('| security | 0 | 0 | 1 | 0 |');
    expect(md).toContain('| **total** | **0** | **0** | **1** | **0** |');
    expect(md).toContain('- ⚠️ **exposure**');
    expect(md).toContain('<details open><summary>manifest (1)</summary>');
    expect(md).toContain('<details><summary>security (1)</summary>');
    expect(md).toContain('| `remote_ip_prefix` (forces replacement) | `"193.146.0.0/24"` | `"0.0.0.0/0"` |');
  });

  it('colour only when asked', () => {
    expect(renderDiffText(report, new Chalk({ level: 0 }))).not.toContain('\u001b[');
    expect(renderDiffText(report, new Chalk({ level: 1 }))).toContain('\u001b[');
  });
});
