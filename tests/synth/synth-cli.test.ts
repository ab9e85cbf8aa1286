/** `storm synth` as a user runs it: the acceptance criteria of issue 3, end to end. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conforms } from '../support/json-schema';
import { storm, type StormResult } from '../support/storm';

const root = path.join(__dirname, '..', '..');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-synth-cli-'));
const CANARY = 'canary-password-7a1e4c2b9d';

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

function run(args: string[]): StormResult {
  return storm(args, { env: { ...process.env, OS_PASSWORD: CANARY, OS_USERNAME: 'admin', NO_COLOR: '1' } });
}

describe('storm synth valladolid --env production --json', () => {
  it('writes the same bytes twice, with every layer and no secret, and reports them', () => {
    const dir = path.join(out, 'a');
    const first = run(['synth', 'valladolid', '--env', 'production', '--out', dir, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const doc = JSON.parse(first.stdout) as {
      result: { file: string; sha256: string; resources: Record<string, number> };
    };
    conforms('synth.v1.schema.json', doc);
    const file = path.join(dir, 'main.tf.json');
    expect(doc.result.file).toBe(file);
    const bytes = fs.readFileSync(file);

    const second = run(['synth', 'valladolid', '--env', 'production', '--out', path.join(out, 'b'), '--json']);
    expect(second.code).toBe(0);
    expect(Buffer.compare(bytes, fs.readFileSync(path.join(out, 'b', 'main.tf.json')))).toBe(0);
    expect((JSON.parse(second.stdout) as { result: { sha256: string } }).result.sha256).toBe(doc.result.sha256);

    for (const type of [
      'openstack_networking_network_v2',
      'openstack_networking_subnet_v2',
      'openstack_networking_router_v2',
      'openstack_networking_router_interface_v2',
      'openstack_networking_secgroup_v2',
      'openstack_networking_secgroup_rule_v2',
      'openstack_compute_instance_v2',
      'openstack_compute_servergroup_v2',
      'openstack_blockstorage_volume_v3',
      'openstack_compute_volume_attach_v2',
      'openstack_objectstorage_container_v1',
      'openstack_networking_floatingip_v2',
    ]) {
      expect(doc.result.resources[type], type).toBeGreaterThan(0);
    }
    const text = bytes.toString('utf8');
    expect(text).not.toContain(CANARY);
    expect(first.stdout + first.stderr).not.toContain(CANARY);
    expect(text).not.toMatch(/"(password|token|application_credential_secret|user_name)"/);
  });

  it('defaults to preprod and .storm/synth/<city>/<env>/, printing a summary', () => {
    const cwd = fs.mkdtempSync(path.join(out, 'project-'));
    fs.cpSync(path.join(root, 'stacks'), path.join(cwd, 'stacks'), { recursive: true });
    fs.cpSync(path.join(root, 'templates'), path.join(cwd, 'templates'), { recursive: true });
    const r = run(['synth', 'agueda', '--cwd', cwd]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^✓ agueda preprod → \.storm\/synth\/agueda\/preprod\/main\.tf\.json {2}\d+ resources, sha256 [0-9a-f]{12}\n/,
    );
    expect(fs.existsSync(path.join(cwd, '.storm', 'synth', 'agueda', 'preprod', 'main.tf.json'))).toBe(true);
  });
});
