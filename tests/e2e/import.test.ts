/**
 * `storm import` end to end on the sandbox: a project built by hand with the standard
 * `openstack` client (not with storm) — two networks, a router, three security groups
 * with group-to-group rules, five servers in two shapes with volumes and floating IPs,
 * two containers (one public), a network shared with a partner project — becomes
 * stacks/hand.yaml; it validates, its first plan changes no resource, the provision
 * only adopts, one more web server plans exactly that server, audit runs, and destroy
 * removes what was adopted and leaves alone what was not (the second network). In the same
 * sandbox, another project built by a Terraform configuration storm did not write (applied
 * with the pinned OpenTofu) is imported too: validate passes, the first plan changes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, makeProject, startProjectSandbox } from './lifecycle-support';
import { conforms } from '../support/json-schema';
import { type ClientResult, clientEnv, runClient } from '../support/openstack-client';
import { cleanEnv, stormAsync } from '../support/storm';
import { sandboxTofuEnv, tofu } from '../support/tofu';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDEaEL6TgJUZ5tpf3CMZWIrTq4R9OKnIL4o9Qy4Kg/ze ops@hand';

/**
 * A project as a team's own Terraform configuration builds it (JSON syntax, applied with the
 * pinned OpenTofu and provider): a network, subnet and router, two security groups with a
 * group-to-group rule, two servers, a volume attached to one, an object container.
 */
const TERRA_CONFIG = {
  terraform: {
    required_providers: { openstack: { source: 'terraform-provider-openstack/openstack', version: '3.4.0' } },
  },
  provider: { openstack: {} },
  data: { openstack_networking_network_v2: { public: { name: 'public' } } },
  resource: {
    openstack_networking_network_v2: { net: { name: 'terra-net' } },
    openstack_networking_subnet_v2: {
      sub: {
        name: 'terra-sub',
        network_id: '${openstack_networking_network_v2.net.id}',
        cidr: '10.40.0.0/24',
        dns_nameservers: ['9.9.9.9'],
      },
    },
    openstack_networking_router_v2: {
      router: { name: 'terra-router', external_network_id: '${data.openstack_networking_network_v2.public.id}' },
    },
    openstack_networking_router_interface_v2: {
      sub: {
        router_id: '${openstack_networking_router_v2.router.id}',
        subnet_id: '${openstack_networking_subnet_v2.sub.id}',
      },
    },
    openstack_networking_secgroup_v2: {
      app: { name: 'app', description: 'application servers' },
      db: { name: 'db', description: 'database' },
    },
    openstack_networking_secgroup_rule_v2: {
      app_https: {
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        port_range_min: 443,
        port_range_max: 443,
        remote_ip_prefix: '0.0.0.0/0',
        security_group_id: '${openstack_networking_secgroup_v2.app.id}',
      },
      db_from_app: {
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        port_range_min: 5432,
        port_range_max: 5432,
        remote_group_id: '${openstack_networking_secgroup_v2.app.id}',
        security_group_id: '${openstack_networking_secgroup_v2.db.id}',
      },
    },
    openstack_compute_instance_v2: {
      app: {
        name: 'app-1',
        flavor_name: 'm1.small',
        image_name: 'debian-12',
        security_groups: ['${openstack_networking_secgroup_v2.app.name}'],
        network: [{ uuid: '${openstack_networking_network_v2.net.id}' }],
        depends_on: ['openstack_networking_subnet_v2.sub'],
      },
      db: {
        name: 'db-1',
        flavor_name: 'm1.medium',
        image_name: 'debian-12',
        security_groups: ['${openstack_networking_secgroup_v2.db.name}'],
        network: [{ uuid: '${openstack_networking_network_v2.net.id}' }],
        depends_on: ['openstack_networking_subnet_v2.sub'],
      },
    },
    openstack_blockstorage_volume_v3: { data: { name: 'db-1-data', size: 5, description: 'database files' } },
    openstack_compute_volume_attach_v2: {
      data: {
        instance_id: '${openstack_compute_instance_v2.db.id}',
        volume_id: '${openstack_blockstorage_volume_v3.data.id}',
      },
    },
    openstack_objectstorage_container_v1: { assets: { name: 'tf-assets' } },
  },
};

describe('storm import of a project built by hand', { timeout: 900_000 }, () => {
  let project: string;
  let sandbox: RunningSandbox | undefined;
  const env = cleanEnv();
  let osEnv: NodeJS.ProcessEnv;

  async function client(program: 'openstack' | 'swift', ...args: string[]): Promise<ClientResult> {
    const r = await runClient(program, args, osEnv);
    expect(r.code, `${program} ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  }
  const os = (...args: string[]): Promise<ClientResult> => client('openstack', ...args);
  const names = async (...args: string[]): Promise<string[]> =>
    (await os(...args, '-f', 'value', '-c', 'Name')).stdout
      .split('\n')
      .filter((l) => l !== '')
      .sort();
  const storm = (...args: string[]) => stormAsync(args, { project, env, timeout: 300_000 });
  const manifest = (): string => path.join(project, 'stacks', 'hand.yaml');
  const edit = (from: string, to: string): void => {
    const text = fs.readFileSync(manifest(), 'utf8');
    expect(text).toContain(from);
    fs.writeFileSync(manifest(), text.replace(from, to));
  };

  beforeAll(async () => {
    project = makeProject('import');
    sandbox = startProjectSandbox(project);
    osEnv = clientEnv(sandbox.url, { username: 'admin', password: sandbox.adminPassword, project: 'admin' });
    const keyFile = path.join(project, 'ops.pub');
    fs.writeFileSync(keyFile, `${KEY}\n`);
    await os('keypair', 'create', '--public-key', keyFile, 'ops-key');
    await os('network', 'create', 'app-net');
    await os(
      'subnet',
      'create',
      'web-sub',
      '--network',
      'app-net',
      '--subnet-range',
      '10.30.1.0/24',
      '--dns-nameserver',
      '9.9.9.9',
    );
    await os(
      'subnet',
      'create',
      'data-sub',
      '--network',
      'app-net',
      '--subnet-range',
      '10.30.2.0/24',
      '--allocation-pool',
      'start=10.30.2.10,end=10.30.2.99',
    );
    await os('network', 'create', 'backup-net');
    await os('subnet', 'create', 'backup-sub', '--network', 'backup-net', '--subnet-range', '10.31.0.0/24');
    await os('router', 'create', 'main-router');
    await os('router', 'set', 'main-router', '--external-gateway', 'public');
    await os('router', 'add', 'subnet', 'main-router', 'web-sub');
    await os('router', 'add', 'subnet', 'main-router', 'data-sub');
    await os('security', 'group', 'create', 'web', '--description', 'public web');
    await os('security', 'group', 'create', 'db');
    await os('security', 'group', 'create', 'ops');
    await os(
      'security',
      'group',
      'rule',
      'create',
      'web',
      '--ingress',
      '--protocol',
      'tcp',
      '--dst-port',
      '80',
      '--remote-ip',
      '0.0.0.0/0',
    );
    await os(
      'security',
      'group',
      'rule',
      'create',
      'web',
      '--ingress',
      '--protocol',
      'tcp',
      '--dst-port',
      '22',
      '--remote-ip',
      '192.0.2.0/24',
    );
    await os(
      'security',
      'group',
      'rule',
      'create',
      'db',
      '--ingress',
      '--protocol',
      'tcp',
      '--dst-port',
      '5432',
      '--remote-group',
      'web',
    );
    await os('security', 'group', 'rule', 'create', 'ops', '--ingress', '--protocol', 'icmp', '--remote-group', 'web');
    for (const i of [1, 2, 3]) {
      await os(
        'server',
        'create',
        `web-${i}`,
        '--flavor',
        'm1.small',
        '--image',
        'debian-12',
        '--network',
        'app-net',
        '--security-group',
        'web',
        '--security-group',
        'ops',
        '--key-name',
        'ops-key',
        '--availability-zone',
        'nova',
        '--wait',
      );
      const port = (await os('port', 'list', '--server', `web-${i}`, '-f', 'value', '-c', 'ID')).stdout.trim();
      await os('floating', 'ip', 'create', 'public', '--port', port);
    }
    for (const i of [1, 2]) {
      await os(
        'server',
        'create',
        `db-${i}`,
        '--flavor',
        'm1.medium',
        '--image',
        'debian-12',
        '--nic',
        `net-id=app-net,v4-fixed-ip=10.30.2.2${i}`,
        '--security-group',
        'db',
        '--key-name',
        'ops-key',
        '--availability-zone',
        'nova',
        '--wait',
      );
      await os('volume', 'create', `db-${i}-data`, '--size', '10', '--description', 'database files');
      await os('server', 'add', 'volume', `db-${i}`, `db-${i}-data`);
    }
    await os('container', 'create', 'public-data', 'private-docs');
    await client('swift', 'post', '-r', '.r:*,.rlistings', 'public-data');
    await os(
      'network',
      'rbac',
      'create',
      '--target-project',
      'demo',
      '--action',
      'access_as_shared',
      '--type',
      'network',
      'app-net',
    );
    // Some 40 `openstack` commands, each a Python start-up: on a loaded two-core machine over 10 minutes.
  }, 900_000);

  afterAll(() => {
    sandbox?.stop();
    if (project !== undefined) fs.rmSync(project, { recursive: true, force: true });
  });

  it('writes the manifest and the adoption record, and a versioned report of what it left alone', async () => {
    const r = await storm('import', 'hand', '--country', 'PT', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      result: { imported: Record<string, number>; findings: Array<{ kind: string; subject: string }> };
    };
    conforms('import.v1.schema.json', doc);
    expect(doc.result.imported).toMatchObject({ servers: 5, computeGroups: 2 });
    expect(doc.result.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'left-alone', subject: 'network backup-net' }),
        expect.objectContaining({ kind: 'guessed', subject: 'tags' }),
      ]),
    );
    expect(doc.result.findings.filter((f) => f.kind === 'plan-adds')).toEqual([]);
    const text = fs.readFileSync(manifest(), 'utf8');
    expect(text).toContain('# from servers web-1, web-2, web-3 (same flavor, image, subnet, security groups)');
    expect(text).toMatch(/- name: web\n\s+flavor: m1.small\n\s+image: debian-12\n\s+count: 3/);
    expect(text).toContain('- { direction: ingress, protocol: tcp, ports: 5432, remoteGroup: web }');
    const record = fs.readFileSync(path.join(project, 'stacks', 'hand.adoption.json'), 'utf8');
    for (const secret of [sandbox?.adminPassword ?? '', 'PRIVATE KEY', 'user_data'])
      for (const written of [text, record]) expect(written).not.toContain(secret);
  });

  it('refuses to overwrite what it wrote, and changes nothing', async () => {
    const before = fs.readFileSync(manifest(), 'utf8');
    const r = await storm('import', 'hand', '--country', 'PT');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stacks/hand.yaml already exists; nothing was written');
    expect(fs.readFileSync(manifest(), 'utf8')).toBe(before);
    expect(fs.readdirSync(path.join(project, 'stacks')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('validates, and its first plan changes no resource', async () => {
    const v = await storm('validate', 'hand');
    expect(v.code, v.stderr).toBe(0);
    // The review step the report asks for: the policy's tags.
    edit('cloud:\n', 'tags:\n  owner: ops-hand\n  cost-centre: CC-1\n  data-classification: internal\ncloud:\n');
    // The first plan, as CI runs it: an adoption only writes the state, so it is no change (exit 0, not 2).
    const plan = await storm('plan', 'hand', '--json', '--detailed-exitcode');
    expect(plan.code, plan.stderr).toBe(0);
    conforms('plan.v1.schema.json', JSON.parse(plan.stdout));
    const stack = (
      JSON.parse(plan.stdout) as {
        result: {
          stacks: Array<{
            status: string;
            summary: { counts: Record<string, number>; adopts: number; outputs: unknown[] };
          }>;
        };
      }
    ).result.stacks[0];
    expect(stack?.status).toBe('no-changes');
    expect(stack?.summary.counts).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
    expect(stack?.summary.adopts).toBe(37);
    expect(stack?.summary.outputs.length).toBeGreaterThan(0);
    expect(plan.stderr).toMatch(/adopting 37 existing resources/);
  });

  it('provision adopts without changing anything, and the next plan has no changes', async () => {
    const p = await storm('provision', 'hand', '--yes');
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain('0 to create, 0 to update, 0 to replace, 0 to delete');
    const plan = await storm('plan', 'hand', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('hand/preprod: no changes');
    expect(await names('server', 'list')).toEqual(['db-1', 'db-2', 'web-1', 'web-2', 'web-3']);
  });

  it('one more web server plans exactly that server', async () => {
    edit('      count: 3\n', '      count: 4\n');
    const plan = await storm('plan', 'hand', '--json');
    expect(plan.code, plan.stderr).toBe(0);
    const stack = (
      JSON.parse(plan.stdout) as {
        result: { stacks: Array<{ summary: { resources: Array<{ address: string; change: string }> } }> };
      }
    ).result.stacks[0];
    expect(stack?.summary.resources.map((r) => `${r.change} ${r.address}`).sort()).toEqual([
      'create openstack_compute_instance_v2.web_4',
      'create openstack_networking_floatingip_associate_v2.web_4',
      'create openstack_networking_floatingip_v2.web_4',
      'create openstack_networking_port_v2.web_4',
    ]);
    edit('      count: 4\n', '      count: 3\n');
  });

  it('audit runs, and destroy removes what was adopted and leaves the rest alone', async () => {
    const a = await storm('audit', 'hand');
    expect(a.code, a.stdout + a.stderr).toBe(0);
    const d = await storm('destroy', 'hand', '--yes');
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain('destroyed 37 resources');
    expect(await names('server', 'list')).toEqual([]);
    expect(await names('volume', 'list')).toEqual([]);
    expect(await names('network', 'list')).toEqual(['backup-net', 'public']);
    expect(await names('security', 'group', 'list')).toEqual(['default']);
    expect((await os('container', 'list', '-f', 'value')).stdout.trim()).toBe('');
    expect((await os('floating', 'ip', 'list', '-f', 'value')).stdout.trim()).toBe('');
  });

  // The same sandbox, another project: what a city built with its own Terraform configuration looks like.
  it('imports a project built by Terraform configuration storm did not write: validate passes, the plan changes nothing', async () => {
    await os('project', 'create', 'terra');
    await os('role', 'add', '--user', 'admin', '--project', 'terra', 'admin');
    const tfDir = path.join(project, 'terraform');
    fs.mkdirSync(tfDir);
    fs.writeFileSync(path.join(tfDir, 'main.tf.json'), `${JSON.stringify(TERRA_CONFIG, null, 2)}\n`);
    const tfEnv = { ...sandboxTofuEnv(sandbox?.url ?? '', sandbox?.adminPassword ?? ''), OS_PROJECT_NAME: 'terra' };
    const init = await tofu(['init', '-no-color'], { cwd: tfDir, env: tfEnv });
    expect(init.exitCode, init.stderr).toBe(0);
    const apply = await tofu(['apply', '-auto-approve', '-no-color'], { cwd: tfDir, env: tfEnv });
    expect(apply.exitCode, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/Apply complete! Resources: 13 added, 0 changed, 0 destroyed\./);

    const r = await storm('import', 'terra', '--project', 'terra', '--country', 'ES', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      result: { imported: Record<string, number>; findings: Array<{ kind: string; subject: string }> };
    };
    conforms('import.v1.schema.json', doc);
    expect(doc.result.imported).toMatchObject({ servers: 2, computeGroups: 2 });
    expect(doc.result.findings.filter((f) => f.kind === 'plan-adds' || f.kind === 'not-expressible')).toEqual([]);
    const text = fs.readFileSync(path.join(project, 'stacks', 'terra.yaml'), 'utf8');
    expect(text).toContain('project: terra');
    expect(text).toContain('- { direction: ingress, protocol: tcp, ports: 5432, remoteGroup: app }');
    expect(text).toContain('- name: tf-assets');

    const v = await storm('validate', 'terra');
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const plan = await storm('plan', 'terra', '--detailed-exitcode', '--json');
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const stack = (
      JSON.parse(plan.stdout) as {
        result: { stacks: Array<{ status: string; summary: { counts: Record<string, number>; adopts: number } }> };
      }
    ).result.stacks[0];
    expect(stack?.status).toBe('no-changes');
    expect(stack?.summary.counts).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
    // The 13 resources the configuration made, and the port Nova made for each server.
    expect(stack?.summary.adopts).toBe(15);
  });

  it('bad input: an unknown cloud or project is a clear error with exit code 1, and nothing is written', async () => {
    const cloud = await storm('import', 'other', '--country', 'PT', '--cloud', 'nowhere');
    expect(cloud.code).toBe(1);
    expect(cloud.stderr).toContain('cloud "nowhere" is not configured');
    const proj = await storm('import', 'other', '--country', 'PT', '--project', 'no-such-project');
    expect(proj.code).toBe(1);
    expect(proj.stderr).toContain('gave no token for project "no-such-project"');
    const sel = await storm('import', 'other', '--country', 'PT', '--select', 'network=nope');
    expect(sel.code).toBe(1);
    expect(sel.stderr).toContain('no network "nope"');
    const country = await storm('import', 'other');
    expect(country.code).toBe(1);
    expect(country.stderr).toContain('needs --country');
    expect(fs.existsSync(path.join(project, 'stacks', 'other.yaml'))).toBe(false);
    expect(fs.existsSync(path.join(project, 'stacks', 'other.adoption.json'))).toBe(false);
  });
});
