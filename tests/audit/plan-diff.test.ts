import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { planDocumentDiff } from '../../src/audit/plan-diff';
import { renderDiffMarkdown } from '../../src/report/diff';
import { REPO_ROOT, storm } from '../support/storm';

const ROOT = path.join(__dirname, '..', '..');

/** The shape `tofu show -json` gives for a plan (format 1.2), trimmed to what matters. */
const showJson = {
  format_version: '1.2',
  resource_changes: [
    {
      address: 'openstack_networking_secgroup_rule_v2.web_3',
      mode: 'managed',
      type: 'openstack_networking_secgroup_rule_v2',
      name: 'web_3',
      change: {
        actions: ['delete', 'create'],
        before: {
          direction: 'ingress',
          port_range_min: 22,
          port_range_max: 22,
          protocol: 'tcp',
          remote_ip_prefix: '193.146.0.0/24',
        },
        after: {
          direction: 'ingress',
          port_range_min: 22,
          port_range_max: 22,
          protocol: 'tcp',
          remote_ip_prefix: '0.0.0.0/0',
        },
        after_unknown: { id: true },
        before_sensitive: {},
        after_sensitive: {},
        replace_paths: [['remote_ip_prefix']],
      },
    },
    {
      address: 'openstack_compute_instance_v2.web_2',
      mode: 'managed',
      type: 'openstack_compute_instance_v2',
      name: 'web_2',
      change: {
        actions: ['delete'],
        before: { name: 'valladolid-production-web-2', admin_pass: 'hunter2' },
        after: null,
        after_unknown: {},
        before_sensitive: { admin_pass: true },
        after_sensitive: false,
      },
    },
    {
      address: 'openstack_objectstorage_container_v1.plan_documents',
      mode: 'managed',
      type: 'openstack_objectstorage_container_v1',
      name: 'plan_documents',
      change: {
        actions: ['update'],
        before: { name: 'plan-documents', container_read: '' },
        after: { name: 'plan-documents', container_read: '.r:*,.rlistings' },
        after_unknown: {},
        before_sensitive: {},
        after_sensitive: {},
      },
    },
  ],
};

describe('diff against a plan', () => {
  it('groups by layer and flags replace, exposure, delete, public container and production; masks secrets', () => {
    const r = planDocumentDiff('valladolid', 'production', showJson);
    expect(r.kind).toBe('plan');
    expect(r.counts).toMatchObject({ create: 0, update: 1, replace: 1, delete: 1 });
    expect(r.layers.map((l) => l.layer)).toEqual(['security', 'compute', 'storage']);
    expect(r.risks.map((x) => x.kind)).toEqual(['delete', 'replace', 'exposure', 'public-container', 'production']);
    expect(JSON.stringify(r)).not.toContain('hunter2');
    const md = renderDiffMarkdown(r);
    expect(md).toContain('<details><summary>security (1)</summary>');
    expect(md).toContain('`"193.146.0.0/24"` | `"0.0.0.0/0"`');
  });

  it('storm diff --plan prints JSON that validates against the schema', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-plan-diff-'));
    const file = path.join(dir, 'plan.json');
    fs.writeFileSync(file, JSON.stringify(showJson));
    const r = storm(['diff', 'valladolid', '--env', 'production', '--plan', file, '--format', 'json'], {
      project: REPO_ROOT,
    });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.code, r.stderr).toBe(0);
    const schema = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'src', 'report', 'json-schemas', 'diff.schema.json'), 'utf8'),
    ) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const doc = JSON.parse(r.stdout) as unknown;
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });
});
