/**
 * Attack (trust review, item 6): apply a plan that breaks policy by passing it off as the reviewed one.
 * The attacker can write the plan folder: they put a plan made from a manifest that opens SSH to the
 * internet under the reviewed plan's name and rewrite the sidecar's sha256 to match, so every
 * staleness check passes. The policy gate must judge `tofu show -json` of that very file — not a fresh
 * synthesis of the (clean) manifest — and refuse with exit 3 before anything is applied.
 * Real tofu and provider against the project's own sandbox.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, makeProject, startProjectSandbox, stateOf } from '../e2e/lifecycle-support';
import { cleanEnv, stormAsync } from '../support/storm';

let project: string;
let sandbox: RunningSandbox;
let manifestFile: string;
let clean: string;

beforeAll(() => {
  project = makeProject('reviewed-plan-policy');
  manifestFile = path.join(project, 'stacks', 'agueda.yaml');
  clean = fs.readFileSync(manifestFile, 'utf8');
  sandbox = startProjectSandbox(project);
});

afterAll(async () => {
  await stormAsync(['destroy', 'agueda', '--yes'], { project, env: cleanEnv() });
  sandbox.stop();
  fs.rmSync(project, { recursive: true, force: true });
});

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('a saved plan whose sidecar was rewritten to match it', () => {
  it('is judged by the policy gate as the plan it is: exit 3, STORM-SEC-001, nothing applied', async () => {
    const opened = clean.replace(
      '{ direction: ingress, protocol: tcp, ports: 22, remote: admin }',
      '{ direction: ingress, protocol: tcp, ports: 22, remote: 0.0.0.0/0 }',
    );
    expect(opened).not.toBe(clean);
    fs.writeFileSync(manifestFile, opened);
    const evil = await stormAsync(['plan', 'agueda', '--out', 'evil.plan'], { project, env: cleanEnv() });
    expect(evil.stderr).not.toMatch(/^error/m);
    fs.writeFileSync(manifestFile, clean);
    const reviewed = await stormAsync(['plan', 'agueda', '--out', 'reviewed.plan'], { project, env: cleanEnv() });
    expect(reviewed.stderr).not.toMatch(/^error/m);

    // The swap, with the sidecar brought up to date by the attacker.
    const reviewedPlan = path.join(project, 'reviewed.plan');
    fs.copyFileSync(path.join(project, 'evil.plan'), reviewedPlan);
    const sidecarFile = `${reviewedPlan}.storm.json`;
    const sidecar = JSON.parse(fs.readFileSync(sidecarFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(sidecarFile, JSON.stringify({ ...sidecar, planSha256: sha256(reviewedPlan) }));

    const r = await stormAsync(['provision', 'agueda', '--plan', 'reviewed.plan', '--yes'], {
      project,
      env: cleanEnv(),
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/STORM-SEC-001/);
    expect(r.stderr).toMatch(/refusing to apply/);
    expect(stateOf(project, 'agueda')?.resources ?? []).toEqual([]);
  }, 300_000);
});
