/**
 * Attack: apply something other than what was reviewed. A reviewer approves `reviewed.plan`; the attacker
 * replaces the file with another plan (made from a different manifest) and keeps the reviewed sidecar.
 * storm must refuse before any apply, because the sidecar names the sha256 of the file it wrote.
 * The lifecycle runs in-process with fake engine collaborators (tests/support/fake-lifecycle.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planStacks, sidecarPath } from '../../src/lifecycle/plan';
import { provisionStacks } from '../../src/lifecycle/provision';
import { FakeLifecycle, fakeProject } from '../support/fake-lifecycle';

const ROOT = path.join(__dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function fake(): FakeLifecycle {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-plan-swap-'));
  dirs.push(dir);
  fakeProject(ROOT, dir);
  return new FakeLifecycle(dir);
}

const AGUEDA = { city: 'agueda', env: 'preprod' };
const planOptions = { skipPreflight: true, lockTimeout: '1s', concurrency: 1 };
const provisionOptions = (planFile: string) => ({
  ...planOptions,
  autoApprove: true,
  allowViolations: false,
  confirm: () => Promise.resolve(true),
  planFile,
});

describe('a saved plan is applied only if it is the file storm wrote', () => {
  it('refuses a plan file swapped under the reviewed sidecar, before any apply', async () => {
    const f = fake();
    await planStacks(f.context(), [AGUEDA], { ...planOptions, out: 'reviewed.plan' });
    await planStacks(f.context(), [AGUEDA], { ...planOptions, out: 'other.plan' });
    const reviewed = path.join(f.cwd, 'reviewed.plan');
    // The attacker's plan: another plan file's bytes, changed, under the reviewed name and sidecar.
    fs.writeFileSync(reviewed, `${fs.readFileSync(path.join(f.cwd, 'other.plan'), 'utf8')} `);
    expect(fs.existsSync(sidecarPath(reviewed))).toBe(true);

    const out = await provisionStacks(f.context(), [AGUEDA], provisionOptions('reviewed.plan'));
    expect(out[0]?.ok === false && `${out[0].error.code}: ${out[0].error.message}`).toMatch(
      /^stale-plan: reviewed\.plan is not the plan that was saved: its sha256 is [0-9a-f]{12}…, the plan storm wrote had [0-9a-f]{12}…/,
    );
    expect(f.calls.filter((c) => c.startsWith('apply'))).toEqual([]);
  });

  it('refuses a sidecar without the plan hash (written by an older storm, or edited)', async () => {
    const f = fake();
    await planStacks(f.context(), [AGUEDA], { ...planOptions, out: 'reviewed.plan' });
    const side = sidecarPath(path.join(f.cwd, 'reviewed.plan'));
    const { planSha256: _dropped, ...rest } = JSON.parse(fs.readFileSync(side, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(side, JSON.stringify({ ...rest, schemaVersion: 1 }));

    const out = await provisionStacks(f.context(), [AGUEDA], provisionOptions('reviewed.plan'));
    expect(out[0]?.ok === false && out[0].error.message).toMatch(/saved without the plan's sha256/);
    expect(f.calls.filter((c) => c.startsWith('apply'))).toEqual([]);
  });

  it('applies the untouched reviewed plan', async () => {
    const f = fake();
    await planStacks(f.context(), [AGUEDA], { ...planOptions, out: 'reviewed.plan' });
    const out = await provisionStacks(f.context(), [AGUEDA], provisionOptions('reviewed.plan'));
    expect(out[0]?.ok).toBe(true);
    expect(f.calls.filter((c) => c.startsWith('apply'))).toHaveLength(1);
  });
});
