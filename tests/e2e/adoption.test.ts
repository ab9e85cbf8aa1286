/**
 * Half-created resources after a failed apply, made to happen on purpose with
 * sandbox faults (the SIGINT step of lifecycle.test.ts meets the same cases by
 * timing, so it cannot promise to): Neutron answers the network create but
 * fails the GET the provider waits on, so the provider forgets the network it
 * made; and it fails the floating IP's tag update, so the floating IP is kept
 * tainted without an address. storm must adopt the network even though an
 * output template ("http://${address}:8080") cannot be evaluated against that
 * state, and the next provision must finish with nothing orphaned.
 */
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxReader, cleanEnv, makeProject, startProjectSandbox, stateOf, storm, type RunningSandbox } from './lifecycle-support';

const FAULTS = 'network:GET:/v2.0/networks/*:503@times=1,network:PUT:/v2.0/floatingips/*:503';
const PARTNERS = ['dg-catastro', 'jcyl-infraestructura-datos-espaciales', 'ua-deti-smart-cities', 'ebeth-chamber-of-commerce'];
const KINDS = ['openstack_compute_instance_v2', 'openstack_networking_network_v2', 'openstack_networking_secgroup_v2', 'openstack_networking_port_v2', 'openstack_blockstorage_volume_v3', 'openstack_networking_router_v2'];

let project: string;
let sandbox: RunningSandbox | undefined;
const env = cleanEnv();

interface StateResource {
  type: string;
  name: string;
  instances: Array<{ status?: string; attributes: { name?: string; address?: string | null } }>;
}

function resources(): StateResource[] {
  return (stateOf(project, 'thessaloniki')?.resources ?? []) as StateResource[];
}

beforeAll(async () => {
  project = makeProject('adoption');
  sandbox = startProjectSandbox(project, { faults: FAULTS });
  const admin = new SandboxReader(sandbox.url);
  await admin.login();
  for (const name of PARTNERS) await admin.request('POST', 'identity', '/projects', { project: { name, domain_id: 'default' } });
}, 120_000);

afterAll(() => {
  sandbox?.stop();
  fs.rmSync(project, { recursive: true, force: true });
});

describe('adopting what a failed apply left half-created', { timeout: 300_000 }, () => {
  it('fails on the injected 503, adopts the network the provider forgot, and keeps the tainted floating IP', async () => {
    const r = await storm(['provision', 'thessaloniki', '--yes'], { cwd: project, env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/503|Service ?Unavailable/i);
    expect(r.stderr).toContain('adopting openstack_networking_network_v2.network');
    expect(r.stderr).not.toContain('could not import');
    const network = resources().find((x) => x.type === 'openstack_networking_network_v2' && x.name === 'network');
    expect(network?.instances[0]?.attributes.name).toBe('thessaloniki-preprod-net');
    // The case that used to break the import: a floating IP in the state with no address.
    const fip = resources().find((x) => x.type === 'openstack_networking_floatingip_v2');
    expect(fip?.instances[0]?.status).toBe('tainted');
    expect(fip?.instances[0]?.attributes.address ?? null).toBeNull();
    expect(fs.readdirSync(`${project}/.storm/work/thessaloniki/preprod`)).not.toContain('storm_adopt_override.tf.json');
  });

  it('without faults, the next provision completes and the cloud holds only what the state knows', async () => {
    sandbox?.stop();
    sandbox = startProjectSandbox(project);
    const r = await storm(['provision', 'thessaloniki', '--yes'], { cwd: project, env });
    expect(r.code, r.stderr).toBe(0);
    const inState = resources()
      .filter((x) => KINDS.includes(x.type))
      .flatMap((x) => x.instances.map((i) => i.attributes.name ?? ''))
      .filter((n) => n.startsWith('thessaloniki'))
      .sort();
    const reader = new SandboxReader(sandbox.url);
    await reader.login();
    expect(await reader.namesWithPrefix('thessaloniki')).toEqual(inState);
    const plan = await storm(['plan', 'thessaloniki', '--detailed-exitcode'], { cwd: project, env });
    expect(plan.code, plan.stderr).toBe(0);
  });
});
