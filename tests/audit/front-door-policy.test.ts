import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluatePolicies } from '../../src/audit/policy';
import type { PolicyReport } from '../../src/audit/policy-types';
import { loadCity } from '../../src/manifest/load';

const ROOT = path.join(__dirname, '..', '..');
const BASE = fs.readFileSync(path.join(ROOT, 'stacks', 'valladolid.yaml'), 'utf8');
const TODAY = '2026-12-08';
const RULES = ['STORM-SEC-006', 'STORM-AVL-002'];

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The valladolid pilot with its production service override replaced by `override` (undefined: none). */
function project(override: Record<string, unknown> | undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-front-door-policy-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'stacks'));
  fs.symlinkSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'));
  const doc = parseDocument(BASE);
  if (override === undefined) doc.deleteIn(['environments', 'production', 'services']);
  else doc.setIn(['environments', 'production', 'services'], doc.createNode({ 'urbanismo-en-red': override }));
  fs.writeFileSync(path.join(dir, 'stacks', 'valladolid.yaml'), doc.toString());
  return dir;
}

function frontDoorFindings(r: PolicyReport): { rule: string; status: string; message: string }[] {
  return r.findings
    .filter((f) => RULES.includes(f.rule))
    .map((f) => ({ rule: f.rule, status: f.status, message: f.message }));
}

describe('front door policy', () => {
  it('passes the pilot: production behind a load balancer over HTTPS; preprod is not judged', () => {
    const loaded = loadCity('valladolid', { cwd: ROOT });
    for (const env of ['preprod', 'production'])
      expect(frontDoorFindings(evaluatePolicies(loaded, env, { today: TODAY }))).toEqual([]);
  });

  it('STORM-SEC-006: a production service on plain HTTP behind its load balancer', () => {
    const dir = project(undefined);
    const found = frontDoorFindings(
      evaluatePolicies(loadCity('valladolid', { cwd: dir }), 'production', { today: TODAY }),
    );
    expect(found.map((f) => [f.rule, f.status])).toEqual([['STORM-SEC-006', 'violation']]);
    expect(found[0]?.message).toBe('production service "urbanismo-en-red" is served over plain HTTP');
  });

  it('both rules: a public production service with no load balancer at all, blamed on the service', () => {
    const dir = project({ loadBalancer: false });
    const r = evaluatePolicies(loadCity('valladolid', { cwd: dir }), 'production', { today: TODAY });
    const found = r.findings.filter((f) => RULES.includes(f.rule));
    expect(found.map((f) => [f.rule, f.status]).sort()).toEqual([
      ['STORM-AVL-002', 'violation'],
      ['STORM-SEC-006', 'violation'],
    ]);
    const lines = fs.readFileSync(path.join(dir, 'stacks', 'valladolid.yaml'), 'utf8').split('\n');
    for (const f of found) expect(lines[f.location.line - 1]).toContain('on: web');
    expect(found.find((f) => f.rule === 'STORM-AVL-002')?.message).toContain('has no health monitor');
  });

  it('judges the synthesized configuration too: a load balancer without its monitor or HTTPS listener', () => {
    const loaded = loadCity('valladolid', { cwd: ROOT });
    const terraform = {
      resource: {
        openstack_lb_listener_v2: { urbanismo_en_red: { protocol: 'HTTP', protocol_port: 80 } },
        openstack_lb_pool_v2: { urbanismo_en_red: { protocol: 'HTTP' } },
      },
    };
    const r = evaluatePolicies(loaded, 'production', { today: TODAY, terraform });
    const found = r.findings.filter((f) => RULES.includes(f.rule));
    expect(found.map((f) => f.source)).toEqual(['config', 'config']);
    expect(found.map((f) => [f.rule, f.status, f.message]).sort()).toEqual([
      [
        'STORM-AVL-002',
        'violation',
        'public production service "urbanismo-en-red" has a load balancer but the synthesized configuration has no health monitor on its pool',
      ],
      [
        'STORM-SEC-006',
        'violation',
        'production service "urbanismo-en-red" asks for TLS but the synthesized configuration has no HTTPS listener for it',
      ],
    ]);
  });
});
