/**
 * `storm import` when the cloud says no, or changes while it is read: a user with only the
 * `reader` role (Swift refuses it the account, as a real Swift with operator roles member and
 * admin does), a user with no role in the project (Keystone gives no token), and a server
 * deleted while storm reads the project. Each exits as the README's table says, and the
 * manifest is written whole or not at all: a failed run leaves no file, and an existing one
 * untouched. No tofu runs here: an import is GET requests only, so the sandbox is served
 * from this process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, createSandbox } from '../../src/sandbox/server';
import { makeProject } from './lifecycle-support';
import { type ClientResult, clientEnv, runClient } from '../support/openstack-client';
import { cleanEnv, stormAsync } from '../support/storm';

const USER_PASSWORD = 'lab-user-password-1';
// The second listing of servers (presence check) is the only plain GET /servers an import
// makes (discovery reads /servers/detail): slowed down so a deletion lands in between.
const FAULTS = 'compute:GET:/v2.1/servers:latency=2500ms';

describe('storm import when the cloud refuses or changes', { timeout: 300_000 }, () => {
  let sandbox: Sandbox;
  let dataDir: string;
  let confDir: string;
  let project: string;
  let env: NodeJS.ProcessEnv;

  const stacks = (): string => path.join(project, 'stacks');
  const storm = (...args: string[]) => stormAsync(args, { project, env, timeout: 120_000 });
  async function os_(...args: string[]): Promise<ClientResult> {
    const r = await runClient(
      'openstack',
      args,
      clientEnv(sandbox.url, { username: 'admin', password: sandbox.logins.admin, project: 'admin' }),
    );
    expect(r.code, `openstack ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  }
  async function labAdmin(...args: string[]): Promise<ClientResult> {
    const r = await runClient(
      'openstack',
      args,
      clientEnv(sandbox.url, { username: 'admin', password: sandbox.logins.admin, project: 'lab' }),
    );
    expect(r.code, `openstack ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  }
  const leftovers = (): string[] => fs.readdirSync(stacks()).filter((f) => f.endsWith('.tmp'));

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-import-fail-data-'));
    sandbox = await createSandbox({ port: 0, dataDir, statusDelayMs: 0, faults: FAULTS });
    project = makeProject('import-fail');
    await os_('project', 'create', 'lab');
    await os_('role', 'add', '--user', 'admin', '--project', 'lab', 'admin');
    await os_('user', 'create', '--password', USER_PASSWORD, 'lab-reader');
    await os_('role', 'add', '--user', 'lab-reader', '--project', 'lab', 'reader');
    // A reader of another project only.
    await os_('user', 'create', '--password', USER_PASSWORD, 'outsider');
    await os_('role', 'add', '--user', 'outsider', '--project', 'demo', 'reader');
    await labAdmin('network', 'create', 'lab-net');
    await labAdmin('subnet', 'create', 'lab-sub', '--network', 'lab-net', '--subnet-range', '10.50.0.0/24');
    await labAdmin('security', 'group', 'create', 'lab-web');
    for (const name of ['web-1', 'web-2'])
      await labAdmin(
        'server',
        'create',
        name,
        '--flavor',
        'm1.small',
        '--image',
        'debian-12',
        '--network',
        'lab-net',
        '--security-group',
        'lab-web',
        '--wait',
      );
    await labAdmin('container', 'create', 'lab-files');
    // Outside the project directory, named explicitly: storm reads it without asking to trust it.
    confDir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-import-fail-conf-'));
    const cloud = (username: string, password: string): Record<string, unknown> => ({
      auth: {
        auth_url: `${sandbox.url}/identity/v3`,
        username,
        password,
        project_name: 'lab',
        user_domain_name: 'Default',
        project_domain_name: 'Default',
      },
      region_name: 'RegionOne',
    });
    fs.writeFileSync(
      path.join(confDir, 'clouds.yaml'),
      JSON.stringify({
        clouds: {
          'lab-admin': cloud('admin', sandbox.logins.admin),
          'lab-reader': cloud('lab-reader', USER_PASSWORD),
          'lab-outsider': cloud('outsider', USER_PASSWORD),
        },
      }),
      { mode: 0o600 },
    );
    env = cleanEnv({ OS_CLIENT_CONFIG_FILE: path.join(confDir, 'clouds.yaml') });
  }, 240_000);

  afterAll(async () => {
    await sandbox?.close();
    for (const dir of [project, dataDir, confDir])
      if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports the project with a member of it (the baseline the failures are judged against)', async () => {
    const r = await storm('import', 'lab', '--cloud', 'lab-admin', '--country', 'PT', '--json');
    expect(r.code, r.stderr).toBe(0);
    const text = fs.readFileSync(path.join(stacks(), 'lab.yaml'), 'utf8');
    expect(text).toMatch(/- name: web\n\s+flavor: m1.small\n\s+image: debian-12\n\s+count: 2/);
    expect(text).toContain('lab-files');
  });

  it('a server deleted while storm reads the project: a clear error, exit 1, the old files untouched', async () => {
    const manifest = fs.readFileSync(path.join(stacks(), 'lab.yaml'), 'utf8');
    const record = fs.readFileSync(path.join(stacks(), 'lab.adoption.json'), 'utf8');
    const server = (await labAdmin('server', 'show', 'web-2', '-f', 'value', '-c', 'id')).stdout.trim();
    const token = await adminToken(sandbox, 'lab');
    let deleted: Promise<number> | undefined;
    const r = await stormAsync(['import', 'lab', '--cloud', 'lab-admin', '--country', 'PT', '--force'], {
      project,
      env,
      timeout: 120_000,
      // After the lists were read, while storm confirms what it found (the slowed GET /servers).
      onStderr: (text) => {
        if (deleted === undefined && text.includes('adopted resources are still there'))
          deleted = fetch(`${sandbox.url}/compute/v2.1/servers/${server}`, {
            method: 'DELETE',
            headers: { 'X-Auth-Token': token },
          }).then((res) => res.status);
      },
    });
    expect(await deleted).toBe(204);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/resources? (was|were) deleted while storm read the project: .*"web-2"/);
    expect(r.stderr).toContain('nothing was written');
    expect(r.stderr).toContain('run `storm import` again');
    expect(fs.readFileSync(path.join(stacks(), 'lab.yaml'), 'utf8')).toBe(manifest);
    expect(fs.readFileSync(path.join(stacks(), 'lab.adoption.json'), 'utf8')).toBe(record);
    expect(leftovers()).toEqual([]);
    // Once the project is quiet again, the import goes through with what is left.
    const again = await storm('import', 'lab', '--cloud', 'lab-admin', '--country', 'PT', '--force');
    expect(again.code, again.stderr).toBe(0);
    expect(fs.readFileSync(path.join(stacks(), 'lab.yaml'), 'utf8')).toMatch(/count: 1\n/);
  });

  it('a reader may not list the object store: a report line, the rest imported, exit 0', async () => {
    const r = await storm('import', 'labread', '--cloud', 'lab-reader', '--country', 'PT', '--json');
    expect(r.code, r.stderr).toBe(0);
    const findings = (
      JSON.parse(r.stdout) as { result: { findings: Array<{ kind: string; subject: string; message: string }> } }
    ).result.findings;
    expect(findings).toContainEqual(
      expect.objectContaining({
        kind: 'not-readable',
        subject: 'containers',
        message: 'not allowed to list containers (HTTP 403)',
      }),
    );
    const text = fs.readFileSync(path.join(stacks(), 'labread.yaml'), 'utf8');
    expect(text).toContain('- name: web');
    expect(text).not.toContain('lab-files');
    const plain = await storm('import', 'labread2', '--cloud', 'lab-reader', '--country', 'PT');
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain('Could not be read (');
    expect(plain.stdout).toContain('- containers: not allowed to list containers (HTTP 403)');
  });

  it('a user with no role in the project gets no token: a clear error, exit 1, nothing written', async () => {
    const r = await storm('import', 'outside', '--cloud', 'lab-outsider', '--country', 'PT');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain('gave no token for project "lab"');
    expect(r.stderr).not.toContain('    at ');
    expect(fs.existsSync(path.join(stacks(), 'outside.yaml'))).toBe(false);
    expect(fs.existsSync(path.join(stacks(), 'outside.adoption.json'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });
});

/** A token of the sandbox's admin scoped to `project`, for the one raw call the test makes. */
async function adminToken(sandbox: Sandbox, project: string): Promise<string> {
  const res = await fetch(`${sandbox.url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', domain: { name: 'Default' }, password: sandbox.logins.admin } },
        },
        scope: { project: { name: project, domain: { name: 'Default' } } },
      },
    }),
  });
  const token = res.headers.get('x-subject-token');
  if (res.status !== 201 || token === null) throw new Error(`no admin token for ${project}: HTTP ${res.status}`);
  return token;
}
