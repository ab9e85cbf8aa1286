/**
 * The lifecycle end to end: bin/storm with the real tofu and provider against a
 * private sandbox, in a temp project. Steps share one sandbox and run in order
 * (each apply costs seconds).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT,
  SandboxReader,
  filesUnder,
  makeProject,
  startProjectSandbox,
  stateOf,
  type RunningSandbox,
} from './lifecycle-support';
import { cleanEnv, stormAsync, type StormResult } from '../support/storm';

const CANARY = 'canary-7f3a9c2e51d4';
let project: string;
let sandbox: RunningSandbox;
let reader: SandboxReader;
let env: NodeJS.ProcessEnv;
const outputs: string[] = [];

const ajv = new Ajv2020({ strict: false, allErrors: true });
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
function expectSchema(command: string, stdout: string): Record<string, unknown> {
  const doc = JSON.parse(stdout) as Record<string, unknown>;
  const schemaFile = doc.ok === false && 'error' in doc ? 'failure' : command;
  let validate = validators.get(schemaFile);
  if (validate === undefined) {
    validate = ajv.compile(
      JSON.parse(
        fs.readFileSync(path.join(ROOT, 'src', 'report', 'json-schemas', `${schemaFile}.v1.schema.json`), 'utf8'),
      ) as object,
    );
    validators.set(schemaFile, validate);
  }
  if (!validate(doc))
    throw new Error(`${command} --json does not match its schema: ${ajv.errorsText(validate.errors)}`);
  return doc;
}

async function run(args: string[], extraEnv: Record<string, string> = {}, input?: string): Promise<StormResult> {
  const r = await stormAsync(args, {
    project,
    env: { ...env, ...extraEnv },
    ...(input === undefined ? {} : { input }),
  });
  outputs.push(r.stdout, r.stderr);
  return r;
}

function editManifest(city: string, edit: (text: string) => string): void {
  const file = path.join(project, 'stacks', `${city}.yaml`);
  fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
}

beforeAll(async () => {
  project = makeProject('lifecycle');
  // agueda's m1.tiny (1 GiB root disk) cannot boot debian-12 (min_disk 2 GiB): pre-flight says
  // so (see the thessaloniki step); here the city gets a flavor that fits so it can be applied.
  editManifest('agueda', (t) => t.replace('flavor: m1.tiny', 'flavor: m1.small'));
  sandbox = startProjectSandbox(project);
  env = cleanEnv();
  reader = new SandboxReader(sandbox);
  await reader.login();
  // Partner projects the pilot manifests share resources with, as a real cloud would have them.
  for (const name of [
    'dg-catastro',
    'jcyl-infraestructura-datos-espaciales',
    'ua-deti-smart-cities',
    'ebeth-chamber-of-commerce',
  ]) {
    await reader.request('POST', 'identity', '/projects', { project: { name, domain_id: 'default' } });
  }
  // A user whose password is the canary, for the secret-leak checks.
  const created = await reader.request('POST', 'identity', '/users', {
    user: { name: 'canary', password: CANARY, domain_id: 'default' },
  });
  const userId = (created.body as { user: { id: string } }).user.id;
  const projects = (await reader.get('identity', '/projects?name=admin')).projects as Array<{ id: string }>;
  const roles = (await reader.get('identity', '/roles?name=admin')).roles as Array<{ id: string }>;
  await reader.request('PUT', 'identity', `/projects/${projects[0]?.id}/users/${userId}/roles/${roles[0]?.id}`);
}, 120_000);

afterAll(() => {
  sandbox?.stop();
  if (project !== undefined) fs.rmSync(project, { recursive: true, force: true });
});

// Provisions include the services' deploy step (publish + wait for health): allow for it.
describe('storm lifecycle against the sandbox', { timeout: 300_000 }, () => {
  it('refuses to provision without a TTY and without --yes, changing nothing', async () => {
    const r = await run(['provision', 'agueda'], {}, '\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to apply changes without confirmation');
    expect(stateOf(project, 'agueda')?.resources ?? []).toEqual([]);
    expect(await reader.namesWithPrefix('agueda')).toEqual([]);
  });

  it('fails before tofu runs on a flavor that does not exist and on too many cores, naming the manifest lines', async () => {
    editManifest('thessaloniki', (t) => t.replace('flavor: m1.small', 'flavor: m1.smal'));
    const flavor = await run(['provision', 'thessaloniki', '--yes']);
    expect(flavor.code).toBe(1);
    expect(flavor.stderr).toMatch(
      /stacks\/thessaloniki\.yaml:\d+:\d+ +error compute\.groups\.0\.flavor: flavor "m1\.smal" does not exist in the target cloud \(available: [^)]*m1\.small/,
    );
    expect(flavor.stderr).toContain('did you mean "m1.small"?');
    expect(fs.existsSync(path.join(project, '.storm', 'work', 'thessaloniki', 'preprod', '.terraform'))).toBe(false);

    editManifest('thessaloniki', (t) =>
      t.replace('flavor: m1.smal', 'flavor: m1.xlarge').replace(/(name: market\n(?:.*\n)*?\s+count: )1/, '$19'),
    );
    const quota = await run(['provision', 'thessaloniki', '--yes', '--json']);
    expect(quota.code).toBe(1);
    expect(quota.stderr).toMatch(
      /stacks\/thessaloniki\.yaml:\d+:\d+ +error compute\.groups: quota cores: this run needs \d+ more, but only \d+ of \d+ are free \(used \d+ \/ needed \d+ \/ limit \d+\)/,
    );
    const doc = expectSchema('provision', quota.stdout);
    expect((doc.error as { code: string }).code).toBe('preflight');
    expect(fs.existsSync(path.join(project, '.storm', 'work', 'thessaloniki', 'preprod', '.terraform'))).toBe(false);
    editManifest('thessaloniki', () => fs.readFileSync(path.join(ROOT, 'stacks', 'thessaloniki.yaml'), 'utf8'));
  });

  it('provisions valladolid on the sandbox with per-resource progress and outputs; a second plan has no changes', async () => {
    const r = await run(['provision', 'valladolid', '--yes']);
    expect(r.stderr).toBe(r.stderr); // keep the full text in the failure message below
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/using storm's local sandbox/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/✓ valladolid\/preprod openstack_compute_instance_v2\.web_1 created/);
    // With --yes tofu starts applying while the plan is read back; the summary still comes first.
    const summaryAt = r.stderr.search(/valladolid\/preprod: \d+ to create/);
    const applyingAt = r.stderr.search(/applying \d+ changes/);
    expect(summaryAt, r.stderr).toBeGreaterThan(-1);
    expect(summaryAt).toBeLessThan(applyingAt);
    expect(applyingAt).toBeLessThan(r.stderr.search(/✓ valladolid\/preprod \S+ created/));
    expect(r.stdout).toContain('network_id = ');
    const plan = await run(['plan', 'valladolid', '--detailed-exitcode']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('valladolid/preprod: no changes');
  });

  it('shows an added instance (exit 2) and applies only that; warns that an image change rebuilds', async () => {
    editManifest('valladolid', (t) => t.replace(/(- name: web\n(?:.*\n)*?\s+count: )1/, '$12'));
    const plan = await run(['plan', 'valladolid', '--detailed-exitcode', '--json']);
    expect(plan.code, plan.stderr).toBe(2);
    const doc = expectSchema('plan', plan.stdout) as {
      result: {
        stacks: Array<{
          summary: { counts: Record<string, number>; resources: Array<{ address: string; change: string }> };
        }>;
      };
    };
    const summary = doc.result.stacks[0]?.summary;
    expect(summary?.counts.update).toBe(0);
    expect(summary?.counts.delete).toBe(0);
    expect(summary?.resources.filter((r) => r.change === 'create').map((r) => r.address)).toContain(
      'openstack_compute_instance_v2.web_2',
    );

    const apply = await run(['provision', 'valladolid', '--yes', '--json']);
    expect(apply.code, apply.stderr).toBe(0);
    const applied =
      (
        expectSchema('provision', apply.stdout) as {
          result: { stacks: Array<{ applied: Array<{ address: string; action: string }> }> };
        }
      ).result.stacks[0]?.applied ?? [];
    expect(applied.map((a) => a.action)).toEqual(applied.map(() => 'create'));
    expect(applied.map((a) => a.address)).toContain('openstack_compute_instance_v2.web_2');

    editManifest('valladolid', (t) => t.replace(/(- name: db\n(?:.*\n)*?\s+image: )debian-12/, '$1ubuntu-24.04'));
    const rebuild = await run(['plan', 'valladolid', '--detailed-exitcode']);
    expect(rebuild.code, rebuild.stderr).toBe(2);
    expect(rebuild.stdout).toMatch(
      /openstack_compute_instance_v2\.db_1: the image changes, so the server is REBUILT in place/,
    );
    editManifest('valladolid', (t) => t.replace(/(- name: db\n(?:.*\n)*?\s+image: )ubuntu-24.04/, '$1debian-12'));
  });

  it('applies exactly a saved plan, and refuses it once the manifest changed', async () => {
    const osEnv = {
      OS_AUTH_URL: `${sandbox.url}/identity/v3`,
      OS_USERNAME: 'canary',
      OS_PASSWORD: CANARY,
      OS_PROJECT_NAME: 'admin',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
    };
    const planFile = path.join(project, 'p.plan');
    const first = await run(['plan', 'agueda', '--out', planFile], osEnv);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toContain("using storm's local sandbox");
    editManifest('agueda', (t) => t.replace('size: 5', 'size: 6'));
    const stale = await run(['provision', 'agueda', '--plan', planFile, '--yes'], osEnv);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/p\.plan is stale: stacks\/agueda\.yaml .* changed since the plan was made/);
    expect(stateOf(project, 'agueda')?.resources ?? []).toEqual([]);

    const second = await run(['plan', 'agueda', '--out', planFile], osEnv);
    expect(second.code, second.stderr).toBe(0);
    const apply = await run(['provision', 'agueda', '--plan', planFile, '--yes', '--json'], osEnv);
    expect(apply.code, apply.stderr).toBe(0);
    expectSchema('provision', apply.stdout);
    const status = await run(['status', 'agueda', '--json'], osEnv);
    expect(status.code, status.stderr).toBe(0);
    const st = expectSchema('status', status.stdout) as {
      result: {
        stacks: Array<{
          pending: { hasChanges: boolean };
          resources: unknown[];
          services: Array<{ service: string; healthy: boolean }>;
        }>;
      };
    };
    expect(st.result.stacks[0]?.pending.hasChanges).toBe(false);
    expect(st.result.stacks[0]?.services.map((h) => [h.service, h.healthy])).toEqual([['participa', true]]);
    expect(st.result.stacks[0]?.resources.length).toBeGreaterThan(5);
    const out = await run(['output', 'agueda', '--json'], osEnv);
    expect(out.code, out.stderr).toBe(0);
    expectSchema('output', out.stdout);

    // A change made by hand in the cloud shows up as drift.
    const sg = (
      stateOf(project, 'agueda')?.resources as Array<{ type: string; instances: Array<{ attributes: { id: string } }> }>
    ).find((r) => r.type === 'openstack_networking_secgroup_v2');
    await reader.request('PUT', 'network', `/v2.0/security-groups/${sg?.instances[0]?.attributes.id}`, {
      security_group: { description: 'changed by hand' },
    });
    const drifted = await run(['status', 'agueda', '--json'], osEnv);
    expect(drifted.code, drifted.stderr).toBe(0);
    const dd = expectSchema('status', drifted.stdout) as {
      result: {
        stacks: Array<{ drift: Array<{ address: string; attributes: Array<{ path: string; after?: string }> }> }>;
      };
    };
    expect(
      dd.result.stacks[0]?.drift.flatMap((d) => d.attributes.map((a) => `${d.address} ${a.path} ${a.after}`)),
    ).toContain('openstack_networking_secgroup_v2.app description "changed by hand"');
  });

  it('stops on SIGINT with exit 130, and the next provision completes with nothing orphaned', async () => {
    let sent = false;
    const interrupted = await stormAsync(['provision', 'thessaloniki', '--yes'], {
      project,
      env,
      onStderr: (text, child) => {
        if (!sent && /✓ thessaloniki\/preprod \S+ created/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    outputs.push(interrupted.stdout, interrupted.stderr);
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(interrupted.stderr).toContain('was interrupted');
    expect(interrupted.stderr).toContain('storm plan thessaloniki');
    const plan = await run(['plan', 'thessaloniki', '--detailed-exitcode']);
    expect(plan.code, plan.stderr).toBe(2);
    const again = await run(['provision', 'thessaloniki', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    const inState = (
      stateOf(project, 'thessaloniki')?.resources as Array<{
        type: string;
        instances: Array<{ attributes: { name?: string } }>;
      }>
    )
      .filter((r) =>
        [
          'openstack_compute_instance_v2',
          'openstack_networking_network_v2',
          'openstack_networking_secgroup_v2',
          'openstack_networking_port_v2',
          'openstack_blockstorage_volume_v3',
          'openstack_networking_router_v2',
        ].includes(r.type),
      )
      .flatMap((r) => r.instances.map((i) => i.attributes.name ?? ''))
      .filter((n) => n.startsWith('thessaloniki'))
      .sort();
    expect(await reader.namesWithPrefix('thessaloniki')).toEqual(inState);
  });

  it('takes the password from secure.yaml beside a clouds.yaml entry named like the manifest cloud', async () => {
    const dir = fs.mkdtempSync(path.join(project, '..', 'storm-clouds-'));
    fs.writeFileSync(
      path.join(dir, 'clouds.yaml'),
      `clouds:\n  sandbox:\n    region_name: RegionOne\n    auth:\n      auth_url: ${sandbox.url}/identity/v3\n      username: canary\n      project_name: admin\n      user_domain_name: Default\n      project_domain_name: Default\n`,
    );
    fs.writeFileSync(path.join(dir, 'secure.yaml'), `clouds:\n  sandbox:\n    auth:\n      password: ${CANARY}\n`, {
      mode: 0o600,
    });
    try {
      // Key pairs belong to the user in Nova, so this user's plan may recreate one: only success is asserted.
      const r = await run(['plan', 'valladolid', '--verbose'], {
        OS_CLIENT_CONFIG_FILE: path.join(dir, 'clouds.yaml'),
        OS_CLIENT_SECURE_FILE: path.join(dir, 'secure.yaml'),
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toContain("using storm's local sandbox");
      expect(r.stderr).toContain('cloud "sandbox" (user canary / project admin');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('plans every city at once with a results table', async () => {
    const r = await run(['plan', '--all', '--concurrency', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/STACK +RESULT +DETAIL/);
    for (const city of ['agueda', 'thessaloniki', 'valladolid'])
      expect(r.stdout).toMatch(new RegExp(`${city}/preprod +(no changes|changes)`));
  });

  it('destroys: production needs --confirm; preprod empties the state and the sandbox', async () => {
    const refused = await run(['destroy', 'valladolid', '--env', 'production', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('needs --confirm valladolid');
    const r = await run(['destroy', 'valladolid', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expectSchema('destroy', r.stdout);
    expect(stateOf(project, 'valladolid')?.resources).toEqual([]);
    expect(await reader.namesWithPrefix('valladolid')).toEqual([]);
  });

  it('never shows or stores the canary password', () => {
    for (const file of [...filesUnder(path.join(project, '.storm')), path.join(project, 'p.plan')]) {
      if (file.includes(`${path.sep}.terraform${path.sep}providers`)) continue;
      expect(fs.readFileSync(file).includes(CANARY), file).toBe(false);
    }
    for (const text of outputs) expect(text.includes(CANARY)).toBe(false);
  });
});
