/**
 * provision and policy: a plan that breaks an error-severity rule is refused
 * (exit 3, nothing applied, the refusal recorded) unless --allow-violations,
 * which applies and records that it was used.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, makeProject, startProjectSandbox, stateOf } from './lifecycle-support';
import { cleanEnv, stormAsync } from '../support/storm';

let project: string;
let sandbox: RunningSandbox;

beforeAll(() => {
  project = makeProject('policy-gate');
  // Águeda's administrators open SSH to the whole internet: STORM-SEC-001.
  const file = path.join(project, 'stacks', 'agueda.yaml');
  const text = fs.readFileSync(file, 'utf8');
  const opened = text.replace(
    '{ direction: ingress, protocol: tcp, ports: 22, remote: admin }',
    '{ direction: ingress, protocol: tcp, ports: 22, remote: 0.0.0.0/0 }',
  );
  expect(opened).not.toBe(text);
  fs.writeFileSync(file, opened);
  sandbox = startProjectSandbox(project);
});

afterAll(async () => {
  await stormAsync(['destroy', 'agueda', '--yes'], { project, env: cleanEnv() });
  sandbox.stop();
  fs.rmSync(project, { recursive: true, force: true });
});

function auditRecords(): Array<{
  operation: string;
  result: string;
  flags: { allowViolations: boolean };
  policy?: { errors: number; violations: Array<{ rule: string }> };
}> {
  return fs
    .readFileSync(path.join(project, '.storm', 'audit', 'agueda.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as never);
}

describe('provision and the policy gate', () => {
  it('refuses a plan with a policy violation: exit 3, rule and manifest line named, nothing applied, refusal recorded', async () => {
    const r = await stormAsync(['provision', 'agueda', '--yes'], { project, env: cleanEnv() });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/STORM-SEC-001/);
    expect(r.stderr).toMatch(/stacks\/agueda\.yaml:\d+:\d+/);
    expect(r.stderr).toMatch(/--allow-violations/);
    expect(stateOf(project, 'agueda')?.resources ?? []).toEqual([]);
    const last = auditRecords().at(-1);
    expect(last).toMatchObject({ operation: 'provision', result: 'refused', flags: { allowViolations: false } });
    expect(last?.policy?.violations.map((v) => v.rule)).toContain('STORM-SEC-001');
  }, 300_000);

  it('applies with --allow-violations and records that it was given', async () => {
    const r = await stormAsync(['provision', 'agueda', '--yes', '--allow-violations'], { project, env: cleanEnv() });
    expect(r.stderr).toMatch(/despite 1 policy violation/);
    expect(r.code).toBe(0);
    expect((stateOf(project, 'agueda')?.resources ?? []).length).toBeGreaterThan(0);
    expect(auditRecords().at(-1)).toMatchObject({
      operation: 'provision',
      result: 'succeeded',
      flags: { allowViolations: true },
    });
  }, 300_000);
});
