import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parseDocument } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateEnvironments, evaluatePolicies, policyGate } from '../../src/audit/policy';
import { POLICY_RULES } from '../../src/audit/rules/index';
import { loadCity, type LoadedManifest } from '../../src/manifest/load';
import type { CityManifest } from '../../src/manifest/model';
import { parseManifest } from '../../src/manifest/source';
import { DEFAULT_POLICY_CONFIG } from '../../src/audit/policy-config';
import type { PolicyReport } from '../../src/audit/policy-types';
import { storm, type StormResult } from '../support/storm';

const ROOT = path.join(__dirname, '..', '..');
const BASE = fs.readFileSync(path.join(ROOT, 'stacks', 'valladolid.yaml'), 'utf8');
const TODAY = '2026-11-29';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A project with one manifest: the valladolid pilot edited by `edit` (a YAML document edit). */
function project(edit: (doc: ReturnType<typeof parseDocument>) => void, city = 'valladolid'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-policy-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'stacks'));
  fs.symlinkSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'));
  const doc = parseDocument(BASE);
  edit(doc);
  fs.writeFileSync(path.join(dir, 'stacks', `${city}.yaml`), doc.toString());
  return dir;
}

function audit(dir: string, env: string): PolicyReport {
  return evaluatePolicies(loadCity('valladolid', { cwd: dir }), env, { today: TODAY });
}

function lineOf(dir: string, needle: string): number {
  const lines = fs.readFileSync(path.join(dir, 'stacks', 'valladolid.yaml'), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

function lineAt(dir: string, line: number): string {
  return fs.readFileSync(path.join(dir, 'stacks', 'valladolid.yaml'), 'utf8').split('\n')[line - 1] ?? '';
}

function violations(r: PolicyReport): string[] {
  return r.findings.filter((f) => f.status === 'violation').map((f) => f.rule);
}

const sshToWorld = {
  direction: 'ingress',
  protocol: 'tcp',
  ports: 22,
  remote: '0.0.0.0/0',
  description: 'ssh-from-anywhere',
};
const webRules = [{ direction: 'ingress', protocol: 'tcp', ports: 443, remote: '0.0.0.0/0' }, sshToWorld];

describe('policy rules', () => {
  it('has at least 12 rules with stable, unique ids', () => {
    expect(POLICY_RULES.length).toBeGreaterThanOrEqual(12);
    const ids = POLICY_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^STORM-[A-Z]+-\d{3}$/);
  });

  it.each(['valladolid', 'thessaloniki', 'agueda'])('pilot %s passes in preprod and production', (city) => {
    for (const env of ['preprod', 'production']) {
      const r = evaluatePolicies(loadCity(city, { cwd: ROOT }), env, { today: TODAY });
      expect(
        r.findings.filter((f) => f.status === 'violation' && f.severity === 'error'),
        `${city}/${env}`,
      ).toEqual([]);
      expect(r.passed).toBe(true);
    }
  });

  it('SSH open to the world in production names the rule and the override line', () => {
    const dir = project((d) =>
      d.setIn(['environments', 'production', 'security'], { groups: { web: { rules: webRules } } }),
    );
    const r = audit(dir, 'production');
    const f = r.findings.find((x) => x.rule === 'STORM-SEC-001');
    expect(f?.status).toBe('violation');
    expect(f?.location.file).toBe('stacks/valladolid.yaml');
    expect(lineAt(dir, f!.location.line)).toContain('ports: 22');
    expect(f!.location.line).toBeGreaterThan(lineOf(dir, 'production:'));
    expect(f?.subject).toBe('security.groups.web.rules[1]');
    expect(r.passed).toBe(false);
    // The rule change is production-only, so the environments differ too.
    expect(violations(r)).toContain('STORM-ENV-001');
    expect(audit(dir, 'preprod').passed).toBe(true);
  });

  it('a valid waiver next to the rule waives it; an expired one is itself a violation', () => {
    const waiver = (expires: string) => ({
      rule: 'storm-sec-001',
      reason: 'break-glass access during migration',
      approvedBy: 'CISO <ciso@ava.es>',
      expires,
    });
    const withWaiver = (expires: string) =>
      project((d) => {
        d.setIn(['security', 'groups', 0, 'rules'], [webRules[0], { ...sshToWorld, waivers: [waiver(expires)] }]);
      });
    const ok = audit(withWaiver('2027-01-31'), 'production');
    expect(ok.passed).toBe(true);
    expect(ok.findings.find((f) => f.rule === 'STORM-SEC-001')?.status).toBe('waived');
    expect(ok.waiversUsed.filter((w) => w.rule === 'storm-sec-001')).toHaveLength(1);

    const lastDay = audit(withWaiver(TODAY), 'production');
    expect(lastDay.passed).toBe(true);

    const dir = withWaiver('2026-11-28');
    const expired = audit(dir, 'production');
    expect(expired.passed).toBe(false);
    expect(violations(expired)).toEqual(expect.arrayContaining(['STORM-SEC-001', 'STORM-WVR-001']));
    const w = expired.findings.find((f) => f.rule === 'STORM-WVR-001');
    expect(w?.location.line).toBe(lineOf(dir, 'expires: 2026-11-28'));
  });

  it('a top-level waiver with a target covers only that target', () => {
    const dir = project((d) => {
      d.setIn(['security', 'groups', 0, 'rules'], webRules);
      d.setIn(
        ['waivers'],
        [
          {
            rule: 'sec.admin-port-open-to-world',
            reason: 'only the data tier is waived',
            approvedBy: 'CISO',
            expires: '2027-01-01',
            target: 'security.groups.data',
          },
        ],
      );
    });
    expect(violations(audit(dir, 'preprod'))).toContain('STORM-SEC-001');
  });

  const cases: [string, string, (d: ReturnType<typeof parseDocument>) => void, string?][] = [
    [
      'STORM-SEC-002',
      'preprod',
      (d) =>
        d.setIn(['security', 'groups', 1, 'rules', 0], {
          direction: 'ingress',
          protocol: 'tcp',
          ports: '5000-6000',
          remote: '::/0',
        }),
    ],
    ['STORM-SEC-003', 'preprod', (d) => d.setIn(['security', 'adminCidrs'], ['0.0.0.0/0'])],
    [
      'STORM-SEC-004',
      'preprod',
      (d) =>
        d.setIn(['security', 'groups', 0, 'rules'], [{ direction: 'ingress', protocol: 'any', remote: '0.0.0.0/0' }]),
    ],
    ['STORM-SEC-005', 'preprod', (d) => d.deleteIn(['compute', 'keypairs'])],
    ['STORM-DATA-001', 'preprod', (d) => d.setIn(['storage', 'containers', 0, 'openData'], false)],
    ['STORM-DATA-002', 'preprod', (d) => d.setIn(['storage', 'containers', 0, 'personalData'], true)],
    ['STORM-DATA-003', 'preprod', (d) => d.setIn(['compute', 'groups', 1, 'personalData'], true)],
    ['STORM-DATA-004', 'preprod', (d) => d.setIn(['storage', 'containers', 1, 'versioning'], false)],
    ['STORM-RES-001', 'preprod', (d) => d.setIn(['city', 'country'], 'US')],
    ['STORM-GOV-001', 'preprod', (d) => d.deleteIn(['tags', 'cost-centre'])],
    ['STORM-GOV-002', 'preprod', (d) => d.setIn(['tags', 'data-classification'], 'secretish')],
    ['STORM-GOV-003', 'preprod', (d) => d.deleteIn(['city', 'contacts'])],
    ['STORM-SHR-001', 'preprod', (d) => d.setIn(['partners', 0, 'access', 0, 'mode'], 'write')],
    [
      'STORM-SHR-002',
      'preprod',
      (d) => {
        d.setIn(['partners', 1, 'access'], [{ network: 'data' }]);
        d.setIn(['compute', 'groups', 1, 'personalData'], true);
      },
    ],
    [
      'STORM-SHR-003',
      'preprod',
      (d) => {
        d.setIn(['partners', 0, 'kind'], 'private');
        d.setIn(['storage', 'containers', 1, 'personalData'], true);
      },
    ],
    [
      'STORM-ENV-001',
      'production',
      (d) => d.setIn(['environments', 'production', 'compute', 'groups', 'db', 'image'], 'debian-13'),
    ],
    [
      'STORM-WVR-002',
      'preprod',
      (d) =>
        d.setIn(
          ['waivers'],
          [{ rule: 'storm-nope-001', reason: 'a rule that does not exist', approvedBy: 'CISO', expires: '2027-01-01' }],
        ),
    ],
  ];

  it.each(cases)('%s fires on a manifest that breaks it (%s)', (rule, env, edit) => {
    const r = audit(project(edit), env);
    expect(violations(r)).toContain(rule);
    const f = r.findings.find((x) => x.rule === rule);
    expect(f?.location.line).toBeGreaterThan(1);
    expect(f?.hint.length).toBeGreaterThan(0);
  });

  it('AVL-001 fires on a production group without anti-affinity (a literal manifest the validator would also refuse)', () => {
    const doc = parseDocument(BASE);
    doc.setIn(['environments', 'production', 'compute', 'groups', 'web', 'antiAffinity'], false);
    const parsed = parseManifest(doc.toString(), 'stacks/valladolid.yaml', '/nonexistent/stacks/valladolid.yaml');
    const loaded: LoadedManifest = {
      file: parsed.source.file,
      absPath: parsed.source.absPath,
      text: parsed.source.text,
      doc: parsed.data as CityManifest,
      locate: parsed.source.locate,
      locateKey: parsed.source.locateKey,
      warnings: [],
    };
    const r = evaluatePolicies(loaded, 'production', { today: TODAY, config: DEFAULT_POLICY_CONFIG });
    expect(r.findings.find((f) => f.rule === 'STORM-AVL-001')).toMatchObject({
      status: 'violation',
      subject: 'compute.groups.web',
    });
  });

  it('RES-002 honours the project allow-list', () => {
    const dir = project((d) => {
      d.setIn(['cloud', 'name'], 'ovh-gra');
      d.setIn(['cloud', 'region'], 'US-EAST-1');
      // Off the sandbox, production cannot use a certificate from storm's city CA.
      d.deleteIn(['environments', 'production', 'services']);
    });
    fs.writeFileSync(path.join(dir, 'storm.policy.json'), JSON.stringify({ regions: ['GRA11', 'SBG5'] }));
    expect(violations(audit(dir, 'preprod'))).toContain('STORM-RES-002');
  });

  it('a plan that opens SSH to the world is caught even when the manifest does not', () => {
    const plan = {
      planned_values: {
        root_module: {
          resources: [
            {
              address: 'openstack_networking_secgroup_rule_v2.web_22',
              mode: 'managed',
              type: 'openstack_networking_secgroup_rule_v2',
              values: {
                direction: 'ingress',
                protocol: 'tcp',
                port_range_min: 22,
                port_range_max: 22,
                remote_ip_prefix: '0.0.0.0/0',
              },
            },
          ],
        },
      },
    };
    const r = evaluatePolicies(loadCity('valladolid', { cwd: ROOT }), 'preprod', { today: TODAY, plan });
    const f = r.findings.find((x) => x.rule === 'STORM-SEC-001');
    expect(f).toMatchObject({
      status: 'violation',
      source: 'plan',
      subject: 'plan.openstack_networking_secgroup_rule_v2.web_22',
    });
  });
});

describe('storm audit (CLI)', () => {
  const schema = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'src', 'report', 'json-schemas', 'audit.schema.json'), 'utf8'),
  ) as object;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const run = (dir: string, ...args: string[]): StormResult => storm(['--no-color', ...args], { project: dir });

  it('exits 3 naming the rule id and file:line (every environment by default); --json validates against the schema', () => {
    const dir = project((d) =>
      d.setIn(['environments', 'production', 'security'], { groups: { web: { rules: webRules } } }),
    );
    const text = run(dir, 'audit', 'valladolid');
    expect(text.code).toBe(3);
    const m = /stacks\/valladolid\.yaml:(\d+):\d+ +error +STORM-SEC-001 /.exec(text.stdout);
    expect(m, text.stdout).not.toBeNull();
    expect(lineAt(dir, Number(m![1]))).toContain('ports: 22');
    expect(text.stdout).toContain('valladolid (production)');
    expect(text.stderr).toContain('valladolid (production) violates');
    expect(text.stderr).not.toMatch(/\n\s+at /);
    expect(run(dir, 'audit', 'valladolid', '--env', 'preprod').code).toBe(0);
    const json = run(dir, '--json', 'audit', 'valladolid');
    expect(json.code).toBe(3);
    const doc = JSON.parse(json.stdout) as { result: { passed: boolean; reports: { env: string; passed: boolean }[] } };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.result.reports.map((r) => [r.env, r.passed])).toEqual([
      ['preprod', true],
      ['production', false],
    ]);
  });

  it.each(['valladolid', 'thessaloniki', 'agueda'])('pilot %s exits 0 for both environments, JSON valid', (city) => {
    const r = run(ROOT, '--json', 'audit', city);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { result: { reports: { env: string }[] } };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.result.reports.map((x) => x.env)).toEqual(['preprod', 'production']);
  });

  it('a valid waiver next to the production rule exits 0, an expired one exits 3', () => {
    const waived = (expires: string) =>
      project((d) => {
        d.setIn(['environments', 'production', 'security'], {
          groups: {
            web: {
              rules: [
                webRules[0],
                {
                  ...sshToWorld,
                  waivers: [
                    {
                      rule: 'sec.admin-port-open-to-world',
                      reason: 'vendor support during go-live',
                      approvedBy: 'CISO <ciso@ava.es>',
                      expires,
                    },
                  ],
                },
              ],
            },
          },
        });
        // Beside the pilot's own production waiver (its front door).
        d.addIn(['environments', 'production', 'waivers'], {
          rule: 'storm-env-001',
          reason: 'go-live support access exists only in production',
          approvedBy: 'CISO <ciso@ava.es>',
          expires: '2099-12-31',
          target: 'security.groups.web',
        });
      });
    const ok = run(waived('2099-12-31'), 'audit', 'valladolid');
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/waived +STORM-SEC-001/);
    const expired = run(waived('2020-01-01'), 'audit', 'valladolid');
    expect(expired.code).toBe(3);
    expect(expired.stdout).toMatch(/error +STORM-WVR-001 +waiver of sec\.admin-port-open-to-world/);
    expect(expired.stdout).toMatch(/error +STORM-SEC-001/);
  });

  it('markdown has a summary table and collapsible details', () => {
    const dir = project((d) => d.setIn(['security', 'adminCidrs'], ['0.0.0.0/0']));
    const r = run(dir, 'audit', 'valladolid', '--format', 'markdown');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('| errors | warnings | waived | rules |');
    expect(r.stdout).toMatch(/<details open><summary>Violations \(\d+\)<\/summary>/);
  });

  it('--rules lists every rule, and validates as JSON', () => {
    const r = run(ROOT, 'audit', '--rules', '--format', 'json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { result: { rules: unknown[] } };
    expect(doc.result.rules).toHaveLength(POLICY_RULES.length);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });
});

describe('policyGate (for provision)', () => {
  it('refuses a violating manifest unless violations are allowed, and summarises for the audit record', async () => {
    const dir = project((d) => d.setIn(['security', 'adminCidrs'], ['0.0.0.0/0']));
    const loaded = loadCity('valladolid', { cwd: dir });
    const refused = policyGate(loaded, 'preprod', { today: TODAY, allowViolations: false });
    expect(refused.refusal?.code).toBe('policy-violation');
    expect(refused.summary.violations.map((v) => v.rule)).toContain('STORM-SEC-003');
    expect(refused.summary.violations[0]?.location).toMatch(/^stacks\/valladolid\.yaml:\d+:\d+$/);
    expect(policyGate(loaded, 'preprod', { today: TODAY, allowViolations: true }).refusal).toBeUndefined();
  });
});

describe('checks on the synthesized configuration', () => {
  it('a configuration that opens SSH to the world is caught and blamed on the manifest rule it comes from', () => {
    const loaded = loadCity('valladolid', { cwd: ROOT });
    const terraform = {
      resource: {
        openstack_networking_secgroup_rule_v2: {
          web_in_tcp_22_from_193_146_0_0_24: {
            direction: 'ingress',
            protocol: 'tcp',
            port_range_min: 22,
            port_range_max: 22,
            remote_ip_prefix: '0.0.0.0/0',
          },
        },
        openstack_objectstorage_container_v1: {
          cadastre_exchange: { name: 'valladolid-preprod-cadastre-exchange', container_read: '.r:*' },
        },
      },
    };
    const r = evaluatePolicies(loaded, 'preprod', { today: TODAY, terraform });
    const ssh = r.findings.find((f) => f.rule === 'STORM-SEC-001');
    expect(ssh).toMatchObject({
      status: 'violation',
      source: 'config',
      subject: 'config.openstack_networking_secgroup_rule_v2.web_in_tcp_22_from_193_146_0_0_24',
    });
    const text = fs.readFileSync(path.join(ROOT, 'stacks', 'valladolid.yaml'), 'utf8').split('\n');
    expect(text[ssh!.location.line - 1]).toContain('ports: 22');
    expect(r.findings.find((f) => f.rule === 'STORM-DATA-001')).toMatchObject({
      source: 'config',
      status: 'violation',
    });
  });
});

describe('city-wide rules', () => {
  it('STORM-WVR-003 warns about a waiver that waives nothing in any environment, not about one used in production only', async () => {
    const dir = project((d) => {
      d.setIn(
        ['storage', 'containers', 1, 'waivers'],
        [
          {
            rule: 'storm-sec-001',
            reason: 'nothing here opens SSH any more',
            approvedBy: 'CISO',
            expires: '2099-01-01',
          },
        ],
      );
      d.setIn(['environments', 'production', 'security'], {
        groups: {
          web: {
            rules: [
              webRules[0],
              {
                ...sshToWorld,
                waivers: [
                  {
                    rule: 'storm-sec-001',
                    reason: 'vendor access during go-live',
                    approvedBy: 'CISO',
                    expires: '2099-01-01',
                  },
                ],
              },
            ],
          },
        },
      });
      // Beside the pilot's own production waiver (its front door).
      d.addIn(['environments', 'production', 'waivers'], {
        rule: 'storm-env-001',
        reason: 'go-live vendor access exists only in production',
        approvedBy: 'CISO',
        expires: '2099-01-01',
        target: 'security.groups.web',
      });
    });
    const run = evaluateEnvironments(loadCity('valladolid', { cwd: dir }), undefined, { today: TODAY });
    expect(run.passed).toBe(true);
    const stale = run.reports.flatMap((r) =>
      r.findings.filter((f) => f.rule === 'STORM-WVR-003').map((f) => [r.env, f.subject]),
    );
    expect(stale).toEqual([['preprod', 'storage.containers.cadastre-exchange']]);
    // Judging one environment alone says nothing about unused waivers.
    expect(
      evaluateEnvironments(loadCity('valladolid', { cwd: dir }), ['preprod'], {
        today: TODAY,
      }).reports[0]!.findings.map((f) => f.rule),
    ).not.toContain('STORM-WVR-003');
  });
});

describe('what services add', () => {
  it('a personal-data volume the template adds (not declared in the manifest) must be encrypted; blamed on the service', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-policy-svc-'));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, 'stacks'));
    fs.symlinkSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'));
    const doc = parseDocument(fs.readFileSync(path.join(ROOT, 'stacks', 'agueda.yaml'), 'utf8'));
    // The manifest no longer declares the template's volume: the template's own (typeless) volume is used.
    doc.deleteIn(['storage', 'volumes']);
    doc.deleteIn(['compute', 'groups', 0, 'volumes']);
    doc.deleteIn(['environments', 'production', 'storage', 'volumes']);
    fs.writeFileSync(path.join(dir, 'stacks', 'agueda.yaml'), doc.toString());
    const r = evaluatePolicies(loadCity('agueda', { cwd: dir }), 'preprod', { today: TODAY });
    const f = r.findings.find((x) => x.rule === 'STORM-DATA-003');
    expect(f).toMatchObject({ status: 'violation', subject: 'services.participa.storage.volumes.participa-data' });
    expect(f?.message).toContain('added by template participa');
    const line =
      fs.readFileSync(path.join(dir, 'stacks', 'agueda.yaml'), 'utf8').split('\n')[f!.location.line - 1] ?? '';
    expect(line).toContain('template: participa');
  });
});
