/**
 * The lifecycle run in-process against fake collaborators (tests/support/fake-lifecycle.ts):
 * what it asks the engine to do, in which order, what it records, and what it refuses.
 * The e2e tests (tests/e2e/) run the same code with real tofu against the sandbox.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployStacks } from '../../src/lifecycle/deploy';
import { destroyStacks } from '../../src/lifecycle/destroy';
import { planFileSha256, planStacks, savedPlansIn, sidecarPath } from '../../src/lifecycle/plan';
import type { ProvisionOptions } from '../../src/lifecycle/provision';
import { provisionStacks } from '../../src/lifecycle/provision';
import { outputStacks, statusStacks } from '../../src/lifecycle/status';
import { FakeLifecycle, fakeProject } from '../support/fake-lifecycle';

const ROOT = path.join(__dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function fake(edit?: (city: string, text: string) => string): FakeLifecycle {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-lifecycle-'));
  dirs.push(dir);
  fakeProject(ROOT, dir, edit);
  return new FakeLifecycle(dir);
}

const AGUEDA = { city: 'agueda', env: 'preprod' };
const VALLADOLID = { city: 'valladolid', env: 'preprod' };

function provisionOptions(
  confirm: ProvisionOptions['confirm'],
  extra: Partial<ProvisionOptions> = {},
): ProvisionOptions {
  return {
    skipPreflight: true,
    lockTimeout: '1s',
    concurrency: 2,
    autoApprove: false,
    allowViolations: false,
    confirm,
    ...extra,
  };
}

const plan = { skipPreflight: true, lockTimeout: '1s', concurrency: 2 };

describe('plan', () => {
  it('plans each stack, records it with the plan hash and policy, and keeps no plan file', async () => {
    const f = fake();
    const out = await planStacks(f.context(), [AGUEDA, VALLADOLID], plan);
    expect(out.map((o) => o.ok && `${o.value.city}/${o.value.env} +${o.value.summary.counts.create}`)).toEqual([
      'agueda/preprod +2',
      'valladolid/preprod +3',
    ]);
    for (const o of out) if (o.ok) expect(fs.existsSync(o.value.planFile)).toBe(false);
    expect(f.calls.filter((c) => c.startsWith('apply'))).toEqual([]);
    expect(f.audits.map((a) => `${a.operation} ${a.city} ${a.result} ${a.changes?.create}`).sort()).toEqual([
      'plan agueda succeeded 2',
      'plan valladolid succeeded 3',
    ]);
    const record = f.audits[0];
    expect(record?.planHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record?.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record?.versions).toMatchObject({ engine: '1.12.6' });
    expect(record?.policy?.errors).toBe(0);
    // The engine is asked for once per run, not once per stack.
    expect(f.calls.filter((c) => c === 'engine')).toHaveLength(1);
  });

  it('keeps one stack failing without stopping the others, and records nothing for a manifest it cannot use', async () => {
    const f = fake();
    const out = await planStacks(f.context(), [{ city: 'agueda', env: 'nowhere' }, VALLADOLID], plan);
    expect(out[0]?.ok === false && `${out[0].error.code}: ${out[0].error.message}`).toMatch(
      /^usage: .*agueda\.yaml has no environment "nowhere"$/,
    );
    expect(out[1]?.ok).toBe(true);
    expect(f.audits.map((a) => a.city)).toEqual(['valladolid']);
  });

  it('saves a plan with its sidecar only when asked, for exactly one stack', async () => {
    const f = fake();
    await expect(planStacks(f.context(), [AGUEDA, VALLADOLID], { ...plan, out: 'x.plan' })).rejects.toThrow(
      /--out saves the plan of exactly one/,
    );
    const [o] = await planStacks(f.context(), [AGUEDA], { ...plan, out: 'agueda.plan' });
    const file = path.join(f.cwd, 'agueda.plan');
    expect(o?.ok && o.value.planFile).toBe(file);
    expect(JSON.parse(fs.readFileSync(sidecarPath(file), 'utf8'))).toMatchObject({
      schemaVersion: 2,
      city: 'agueda',
      env: 'preprod',
      stateSerial: 0,
      skipPreflight: true,
      planSha256: planFileSha256(file),
    });
  });
});

describe('provision', () => {
  it('asks once for every stack with changes, applies, deploys with the raw outputs and records each', async () => {
    const f = fake();
    const asked: string[][] = [];
    const out = await provisionStacks(
      f.context(),
      [AGUEDA, VALLADOLID],
      provisionOptions((plans) => {
        asked.push(plans.map((p) => `${p.city} ${p.summary.counts.create}`));
        return Promise.resolve(true);
      }),
    );
    expect(asked).toEqual([['agueda 2', 'valladolid 3']]);
    expect(out.map((o) => o.ok && `${o.value.city} ${o.value.status} ${o.value.applied.length}`)).toEqual([
      'agueda applied 2',
      'valladolid applied 3',
    ]);
    // Reports see masked outputs; the deploy step gets the values.
    expect(out[0]?.ok && out[0].value.outputs).toEqual({
      admin_secret: '(sensitive)',
      network_name: 'agueda-preprod-net',
    });
    expect(f.deploys.map((d) => d.outputs.admin_secret)).toEqual(['not-for-reports', 'not-for-reports']);
    expect(f.state('agueda', 'preprod')?.serial).toBe(1);
    expect(f.audits.map((a) => `${a.operation} ${a.city} ${a.result}`).sort()).toEqual([
      'provision agueda succeeded',
      'provision valladolid succeeded',
    ]);
    expect(fs.readdirSync(path.join(f.cwd, '.storm')).length).toBeGreaterThan(0);

    // Again: nothing to change, nobody asked, the services still deployed.
    const again = await provisionStacks(
      f.context(),
      [AGUEDA],
      provisionOptions(() => Promise.reject(new Error('not asked when nothing changes'))),
    );
    expect(again[0]?.ok && again[0].value.status).toBe('no-changes');
    expect(f.deploys).toHaveLength(3);
    expect(f.audits.at(-1)).toMatchObject({ operation: 'provision', result: 'no-changes' });
  });

  it('applies without deploying with --skip-deploy, says so, and records the flag', async () => {
    const f = fake();
    const outcome = await provisionStacks(
      f.context(),
      [VALLADOLID],
      provisionOptions(() => Promise.resolve(true), { skipDeploy: true }),
    );
    expect(outcome[0]?.ok && outcome[0].value.status).toBe('applied');
    expect(outcome[0]?.ok && outcome[0].value.deploy).toBeUndefined();
    expect(f.deploys).toEqual([]);
    expect(f.messages('warning').join('\n')).toMatch(
      /valladolid\/preprod: services not deployed \(--skip-deploy\); `storm deploy valladolid` deploys them/,
    );
    expect(f.audits.at(-1)).toMatchObject({ result: 'succeeded', flags: { skipDeploy: true } });
  });

  it('applies nothing when the confirmation is declined, and records the refusal', async () => {
    const f = fake();
    const out = await provisionStacks(
      f.context(),
      [AGUEDA],
      provisionOptions(() => Promise.resolve(false)),
    );
    expect(out[0]?.ok && out[0].value.status).toBe('cancelled');
    expect(f.calls.filter((c) => c.startsWith('apply'))).toEqual([]);
    expect(f.deploys).toEqual([]);
    expect(f.audits).toMatchObject([{ operation: 'provision', result: 'refused', message: 'not confirmed' }]);
  });

  it('with --yes shows the summary before anything the apply reports', async () => {
    const f = fake();
    const out = await provisionStacks(
      f.context(),
      [AGUEDA],
      provisionOptions(
        (plans) => {
          f.events.push({ kind: 'step', message: `summary shown: ${plans.length}` });
          return Promise.resolve(true);
        },
        { autoApprove: true },
      ),
    );
    expect(out[0]?.ok && out[0].value.status).toBe('applied');
    const shown = f.events.findIndex((e) => e.kind === 'step' && e.message === 'summary shown: 1');
    const firstResource = f.events.findIndex((e) => e.kind === 'resource');
    expect(shown).toBeGreaterThan(-1);
    expect(firstResource).toBeGreaterThan(shown);
    expect(f.audits).toMatchObject([{ result: 'succeeded', flags: { autoApprove: true } }]);
  });

  it('refuses a plan that breaks an error-severity policy rule, unless violations are allowed (and recorded)', async () => {
    const worldAdmin = (city: string, text: string): string =>
      city === 'agueda' ? text.replace('adminCidrs: [85.139.112.0/25]', 'adminCidrs: [0.0.0.0/0]') : text;
    const f = fake(worldAdmin);
    const refused = await provisionStacks(
      f.context(),
      [AGUEDA],
      provisionOptions(() => Promise.resolve(true)),
    );
    expect(refused[0]?.ok === false && refused[0].error.code).toBe('policy-violation');
    expect(f.calls.filter((c) => c.startsWith('apply'))).toEqual([]);
    expect(f.audits).toMatchObject([{ result: 'refused', policy: { errors: 2 } }]);

    const allowed = await provisionStacks(
      f.context(),
      [AGUEDA],
      provisionOptions(() => Promise.resolve(true), { allowViolations: true }),
    );
    expect(allowed[0]?.ok && allowed[0].value.status).toBe('applied');
    expect(f.messages('warning').join('\n')).toMatch(/applying despite 2 policy violations /);
    expect(f.audits.at(-1)).toMatchObject({ result: 'succeeded', flags: { allowViolations: true } });
  });

  it('adopts what an interrupted apply left half-created and records the interruption', async () => {
    const f = fake();
    f.stopNextApply = { unfinishedCreates: ['openstack_compute_instance_v2.app'] };
    const out = await provisionStacks(
      f.context(),
      [AGUEDA],
      provisionOptions(() => Promise.resolve(true)),
    );
    expect(out[0]?.ok === false && out[0].error.code).toBe('interrupted');
    expect(f.adoptions).toEqual([['openstack_compute_instance_v2.app']]);
    expect(f.messages('step').join('\n')).toMatch(/adopted 1 resource the stopped run left half-created/);
    expect(f.deploys).toEqual([]);
    expect(f.audits).toMatchObject([{ operation: 'provision', result: 'interrupted' }]);
  });

  it('refuses a saved plan once the state has moved, or for another stack', async () => {
    const f = fake();
    await planStacks(f.context(), [AGUEDA], { ...plan, out: 'agueda.plan' });
    const other = await provisionStacks(
      f.context(),
      [VALLADOLID],
      provisionOptions(() => Promise.resolve(true), { planFile: 'agueda.plan' }),
    );
    expect(other[0]?.ok === false && other[0].error.message).toMatch(/is a plan for agueda\/preprod, not valladolid/);

    await provisionStacks(
      f.context(),
      [AGUEDA],
      provisionOptions(() => Promise.resolve(true)),
    );
    const stale = await provisionStacks(
      f.context(),
      [AGUEDA],
      provisionOptions(() => Promise.resolve(true), { planFile: 'agueda.plan' }),
    );
    expect(stale[0]?.ok === false && `${stale[0].error.code}: ${stale[0].error.message}`).toMatch(
      /^stale-plan: .*the state of agueda\/preprod changed since the plan was made \(serial 0 → 1\)/,
    );
    expect(f.calls.filter((c) => c.startsWith('apply'))).toEqual(['apply agueda/preprod apply']);
  });
});

describe('a CI shard: plan --out-dir, provision --plan-dir', () => {
  it('saves one plan per stack under <city>.<env>.tfplan; applies exactly those, each to the stack its record names', async () => {
    const f = fake();
    const planned = await planStacks(f.context(), [AGUEDA, VALLADOLID], { ...plan, outDir: 'plans' });
    expect(planned.every((o) => o.ok)).toBe(true);
    const dir = path.join(f.cwd, 'plans');
    const saved = savedPlansIn(dir);
    expect(saved.map((p) => `${p.ref.city}/${p.ref.env} ${path.basename(p.planFile)}`)).toEqual([
      'agueda/preprod agueda.preprod.tfplan',
      'valladolid/preprod valladolid.preprod.tfplan',
    ]);
    const applied = await provisionStacks(
      f.context(),
      saved.map((p) => p.ref),
      provisionOptions(() => Promise.resolve(true), {
        planFiles: Object.fromEntries(saved.map((p) => [`${p.ref.city}/${p.ref.env}`, p.planFile])),
      }),
    );
    expect(applied.map((o) => o.ok && o.value.status)).toEqual(['applied', 'applied']);
    expect(f.calls.filter((c) => c.startsWith('apply'))).toEqual([
      'apply agueda/preprod apply',
      'apply valladolid/preprod apply',
    ]);
    // The reviewed plan files stay (they are the artifacts); a stack without one is not planned afresh.
    expect(fs.existsSync(path.join(dir, 'agueda.preprod.tfplan'))).toBe(true);
    const missing = await provisionStacks(
      f.context(),
      [AGUEDA],
      provisionOptions(() => Promise.resolve(true), { planFiles: {} }),
    );
    expect(missing[0]?.ok === false && missing[0].error.message).toBe('no saved plan for agueda/preprod');
  });

  it('refuses a plan directory whose files and records disagree', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-plan-dir-'));
    try {
      fs.writeFileSync(path.join(dir, 'agueda.preprod.tfplan'), 'x');
      expect(() => savedPlansIn(dir)).toThrow(/has no readable storm record/);
      fs.writeFileSync(
        path.join(dir, 'agueda.preprod.tfplan.storm.json'),
        JSON.stringify({ city: 'agueda', env: 'production' }),
      );
      expect(() => savedPlansIn(dir)).toThrow(/does not match its storm record \(it names agueda\/production\)/);
      expect(() => savedPlansIn(path.join(dir, 'none'))).toThrow(/cannot read plan directory/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('destroy', () => {
  it('needs the city named to destroy production, before planning anything', async () => {
    const f = fake();
    const options = {
      lockTimeout: '1s',
      concurrency: 1,
      autoApprove: true,
      confirm: () => Promise.resolve(true),
    };
    await expect(destroyStacks(f.context(), [{ city: 'agueda', env: 'production' }], options)).rejects.toMatchObject({
      code: 'confirmation-required',
    });
    expect(f.calls).toEqual([]);
  });

  it('withdraws what deploy stored, then destroys, and says so when there is nothing left', async () => {
    const f = fake();
    await provisionStacks(
      f.context(),
      [AGUEDA],
      provisionOptions(() => Promise.resolve(true)),
    );
    const options = { lockTimeout: '1s', concurrency: 1, autoApprove: false, confirm: () => Promise.resolve(true) };
    const out = await destroyStacks(f.context(), [AGUEDA], options);
    expect(out[0]?.ok && `${out[0].value.status} ${out[0].value.summary.counts.delete}`).toBe('destroyed 2');
    expect(f.withdrawals).toEqual(['agueda/preprod']);
    expect(f.state('agueda', 'preprod')?.resources.size).toBe(0);
    const again = await destroyStacks(f.context(), [AGUEDA], options);
    expect(again[0]?.ok && again[0].value.status).toBe('nothing-to-destroy');
    expect(f.withdrawals).toHaveLength(1);
    expect(f.audits.filter((a) => a.operation === 'destroy').map((a) => a.result)).toEqual(['succeeded', 'no-changes']);
  });
});

describe('status, output and deploy', () => {
  it('reports what the state holds, what applying would change, and the services', async () => {
    const f = fake();
    await provisionStacks(
      f.context(),
      [AGUEDA],
      provisionOptions(() => Promise.resolve(true)),
    );
    const [status] = await statusStacks(f.context(), [AGUEDA], { lockTimeout: '1s', concurrency: 1 });
    expect(status?.ok && status.value).toMatchObject({
      serial: 1,
      pending: { hasChanges: false },
      outputs: { admin_secret: '(sensitive)' },
      services: [{ service: 'web', url: 'agueda-preprod-net', healthy: true }],
    });
    const [output] = await outputStacks(f.context(), [AGUEDA], { lockTimeout: '1s' });
    expect(output?.ok && output.value.outputs).toEqual({
      admin_secret: '(sensitive)',
      network_name: 'agueda-preprod-net',
    });
  });

  it('deploys only to a provisioned stack', async () => {
    const f = fake();
    const step = (input: { outputs: Record<string, unknown> }): Promise<unknown> => Promise.resolve(input.outputs);
    const [before] = await deployStacks(f.context(), [AGUEDA], { lockTimeout: '1s' }, step);
    expect(before?.ok === false && before.error.message).toBe(
      'agueda/preprod is not provisioned: its state holds no resources',
    );
    await provisionStacks(
      f.context(),
      [AGUEDA],
      provisionOptions(() => Promise.resolve(true)),
    );
    const [after] = await deployStacks(f.context(), [AGUEDA], { lockTimeout: '1s', service: 'participa' }, step);
    expect(after?.ok && after.value.deploy).toEqual({
      admin_secret: 'not-for-reports',
      network_name: 'agueda-preprod-net',
    });
  });

  it('starts no stack once the run is interrupted', async () => {
    const f = fake();
    const ctl = new AbortController();
    ctl.abort();
    const out = await planStacks(f.context({ signal: ctl.signal }), [AGUEDA], plan);
    expect(out[0]?.ok === false && out[0].error.code).toBe('interrupted');
    expect(f.calls).toEqual([]);
  });
});
