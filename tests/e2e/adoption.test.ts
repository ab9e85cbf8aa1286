/**
 * Half-created resources after a failed apply, made to happen on purpose with
 * sandbox faults (the SIGINT step of lifecycle.test.ts meets the same cases by
 * timing, so it cannot promise to). A create the cloud answered, whose wait the
 * provider then lost to a 503, leaves a resource no state knows; storm must find
 * and import it, so the next provision neither duplicates it nor is refused
 * (a second router interface on a subnet is a 400).
 */
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxReader, makeProject, startProjectSandbox, stateOf, type RunningSandbox } from './lifecycle-support';
import { cleanEnv, stormAsync } from '../support/storm';

const PARTNERS = [
  'dg-catastro',
  'jcyl-infraestructura-datos-espaciales',
  'ua-deti-smart-cities',
  'ebeth-chamber-of-commerce',
];
const KINDS = [
  'openstack_compute_instance_v2',
  'openstack_networking_network_v2',
  'openstack_networking_secgroup_v2',
  'openstack_networking_port_v2',
  'openstack_blockstorage_volume_v3',
  'openstack_networking_router_v2',
];

interface StateResource {
  type: string;
  name: string;
  instances: Array<{ status?: string; attributes: { name?: string; address?: string | null } }>;
}

interface Scenario {
  title: string;
  faults: string;
  /** What the failed run must have adopted. */
  adopts: RegExp;
  /** Further checks of the state the failed run left. */
  check?: (resources: StateResource[]) => void;
}

const SCENARIOS: Scenario[] = [
  {
    // Neutron answers the network create, then fails the GET the provider waits on; and it
    // fails the floating IP's tag update, so that one is kept tainted without an address —
    // which made `tofu import` trip over the URL output template ("http://${address}:8080").
    title: 'a forgotten network, next to a floating IP tainted without an address',
    faults: 'network:GET:/v2.0/networks/*:503@times=1,network:PUT:/v2.0/floatingips/*:503',
    adopts: /adopting openstack_networking_network_v2\.network /,
    check: (resources) => {
      const network = resources.find((x) => x.type === 'openstack_networking_network_v2' && x.name === 'network');
      expect(network?.instances[0]?.attributes.name).toBe('thessaloniki-preprod-net');
      const fip = resources.find((x) => x.type === 'openstack_networking_floatingip_v2');
      expect(fip?.instances[0]?.status).toBe('tainted');
      expect(fip?.instances[0]?.attributes.address ?? null).toBeNull();
    },
  },
  {
    // The first port the provider waits on (the instance's port or the router's interface,
    // whichever tofu reaches first) is lost the same way.
    title: 'a forgotten port or router interface',
    faults: 'network:GET:/v2.0/ports/*:503@times=1',
    adopts: /adopting openstack_networking_(port_v2|router_interface_v2)\.\S+ /,
  },
];

describe.each(SCENARIOS)('adopting what a failed apply left half-created: $title', { timeout: 300_000 }, (scenario) => {
  let project: string;
  let sandbox: RunningSandbox | undefined;
  const env = cleanEnv();
  const resources = (): StateResource[] => (stateOf(project, 'thessaloniki')?.resources ?? []) as StateResource[];

  beforeAll(async () => {
    project = makeProject('adoption');
    sandbox = startProjectSandbox(project, { faults: scenario.faults });
    const admin = new SandboxReader(sandbox);
    await admin.login();
    for (const name of PARTNERS)
      await admin.request('POST', 'identity', '/projects', { project: { name, domain_id: 'default' } });
  }, 120_000);

  afterAll(() => {
    sandbox?.stop();
    fs.rmSync(project, { recursive: true, force: true });
  });

  it('fails on the injected 503 and imports what the provider created but forgot', async () => {
    const r = await stormAsync(['provision', 'thessaloniki', '--yes'], { project, env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/503|Service ?Unavailable/i);
    expect(r.stderr).toMatch(scenario.adopts);
    expect(r.stderr).not.toContain('could not import');
    scenario.check?.(resources());
    expect(fs.readdirSync(`${project}/.storm/work/thessaloniki/preprod`)).not.toContain('storm_adopt_override.tf.json');
  });

  it('without faults, the next provision completes and the cloud holds only what the state knows', async () => {
    sandbox?.stop();
    sandbox = startProjectSandbox(project);
    const r = await stormAsync(['provision', 'thessaloniki', '--yes'], { project, env });
    expect(r.code, r.stderr).toBe(0);
    const inState = resources()
      .filter((x) => KINDS.includes(x.type))
      .flatMap((x) => x.instances.map((i) => i.attributes.name ?? ''))
      .filter((n) => n.startsWith('thessaloniki'))
      .sort();
    const reader = new SandboxReader(sandbox);
    await reader.login();
    expect(await reader.namesWithPrefix('thessaloniki')).toEqual(inState);
    // Interfaces have no name: count the router's ports instead.
    const routerPorts = (
      (await reader.get('network', '/v2.0/ports?device_owner=network:router_interface')).ports as unknown[]
    ).length;
    expect(routerPorts).toBe(resources().filter((x) => x.type === 'openstack_networking_router_interface_v2').length);
    const plan = await stormAsync(['plan', 'thessaloniki', '--detailed-exitcode'], { project, env });
    expect(plan.code, plan.stderr).toBe(0);
  });
});
