import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/server.js';
import { onServerLifecycle, type ServerLifecycleNotice } from '../../src/sandbox/services/compute.js';
import { ApiClient, mv, nova, waitFor, type Answer, type Sandbox, type Session } from './compute-client.js';

/** Nova over real HTTP against an in-process sandbox (status delay 400 ms, so BUILD is observable). */
let sandbox: Sandbox;
let api: ApiClient;
let dataDir: string;
let admin: Session;
let demo: Session;
let cirros: string;
let netId: string;
const notices: ServerLifecycleNotice[] = [];
let stopListening: () => void;

const fault = (kind: string, code: number, message: string) => ({ [kind]: { code, message } });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'storm-compute-'));
  sandbox = await createSandbox({ port: 0, dataDir, statusDelayMs: 400 });
  api = new ApiClient(sandbox);
  stopListening = onServerLifecycle((n) => notices.push(n));
  admin = await api.loginAs('admin');
  demo = await api.loginAs('demo');
  const images = await api.call('GET', '/image/v2/images?name=cirros-0.6', demo.token);
  cirros = images.body.images[0].id;
  const net = await api.call('POST', '/networking/v2.0/networks', demo.token, { network: { name: 'app-net' } });
  netId = net.body.network.id;
  await api.call('POST', '/networking/v2.0/subnets', demo.token, {
    subnet: { network_id: netId, ip_version: 4, cidr: '10.70.0.0/24' },
  });
});

afterAll(async () => {
  stopListening?.();
  expect(api?.violations ?? []).toEqual([]);
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function bootServer(
  session: Session,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await api.call(
    'POST',
    nova('/servers'),
    session.token,
    { server: { name: 'vm', flavorRef: '1', imageRef: cirros, networks: [{ uuid: netId }], ...extra } },
    headers,
  );
  expect(res.status).toBe(202);
  return res.body.server.id;
}

async function waitStatus(session: Session, id: string, status: string): Promise<Answer['body']> {
  const res = await waitFor(
    () => api.call('GET', nova(`/servers/${id}`), session.token),
    (r) => r.body?.server?.status === status,
  );
  return res.body.server;
}

describe('microversions', () => {
  it('answers 2.1 by default, negotiates either header, latest, and refuses out-of-range versions with 406', async () => {
    const plain = await api.call('GET', nova('/flavors'), demo.token);
    expect(plain.headers.get('openstack-api-version')).toBe('compute 2.1');
    expect(plain.headers.get('x-openstack-nova-api-version')).toBe('2.1');
    expect(plain.headers.get('vary')).toBe('OpenStack-API-Version, X-OpenStack-Nova-API-Version');
    const legacy = await api.call('GET', nova('/flavors'), demo.token, undefined, {
      'X-OpenStack-Nova-API-Version': '2.26',
    });
    expect(legacy.headers.get('openstack-api-version')).toBe('compute 2.26');
    const latest = await api.call('GET', nova('/flavors'), demo.token, undefined, mv('latest'));
    expect(latest.headers.get('openstack-api-version')).toBe('compute 2.93');
    const tooNew = await api.call('GET', nova('/flavors'), demo.token, undefined, mv('2.200'));
    expect(tooNew.status).toBe(406);
    expect(tooNew.body).toEqual(
      fault('computeFault', 406, 'Version 2.200 is not supported by the API. Minimum is 2.1 and maximum is 2.93.'),
    );
    const garbage = await api.call('GET', nova('/flavors'), demo.token, undefined, mv('two'));
    expect(garbage.status).toBe(400);
    const doc = await api.call('GET', '/compute/v2.1/', undefined);
    expect(doc.body.version).toMatchObject({ id: 'v2.1', status: 'CURRENT', version: '2.93', min_version: '2.1' });
    // Every Nova lists the legacy v2.0 first; each self link leads to its version document.
    const root = await api.call('GET', '/compute/', undefined);
    expect(root.body.versions.map((v: { id: string; status: string }) => `${v.id} ${v.status}`)).toEqual([
      'v2.0 SUPPORTED',
      'v2.1 CURRENT',
    ]);
    for (const v of root.body.versions as { links: { rel: string; href: string }[] }[]) {
      const self = v.links.find((l) => l.rel === 'self')?.href ?? '';
      const followed = await api.call('GET', self.slice(sandbox.url.length), undefined);
      expect(followed.body.version.links.find((l: { rel: string }) => l.rel === 'self').href).toBe(self);
    }
  });

  it('shapes flavors by microversion and answers the real 404', async () => {
    const old = await api.call('GET', nova('/flavors/1'), demo.token);
    expect(old.body.flavor).toMatchObject({
      id: '1',
      name: 'm1.tiny',
      ram: 512,
      disk: 1,
      vcpus: 1,
      swap: '',
      'os-flavor-access:is_public': true,
    });
    expect(old.body.flavor.description).toBeUndefined();
    const fresh = await api.call('GET', nova('/flavors/1'), demo.token, undefined, mv('2.75'));
    expect(fresh.body.flavor).toMatchObject({ swap: 0, description: null, extra_specs: {} });
    const names = (await api.call('GET', nova('/flavors/detail'), demo.token)).body.flavors.map(
      (f: { name: string }) => f.name,
    );
    expect(names).toEqual(['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge']);
    const missing = await api.call('GET', nova('/flavors/no-such-flavor'), demo.token);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(fault('itemNotFound', 404, 'Flavor no-such-flavor could not be found.'));
  });
});

describe('keypairs', () => {
  it('generates a real RSA key (200 at 2.1), shows and lists it, refuses a duplicate with 409, deletes with 202', async () => {
    const created = await api.call('POST', nova('/os-keypairs'), demo.token, { keypair: { name: 'gen' } });
    expect(created.status).toBe(200);
    const kp = created.body.keypair;
    expect(Object.keys(kp)).toEqual(['private_key', 'name', 'public_key', 'fingerprint', 'user_id']);
    expect(kp.private_key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----\n$/);
    expect(kp.public_key).toMatch(/^ssh-rsa AAAA[A-Za-z0-9+/=]+ Generated-by-Nova$/);
    const blob = Buffer.from(kp.public_key.split(' ')[1], 'base64');
    expect(kp.fingerprint).toBe(createHash('md5').update(blob).digest('hex').match(/../g)!.join(':'));
    expect(kp.user_id).toBe(demo.userId);
    const shown = await api.call('GET', nova('/os-keypairs/gen'), demo.token);
    expect(shown.body.keypair).toMatchObject({
      name: 'gen',
      deleted: false,
      deleted_at: null,
      updated_at: null,
      fingerprint: kp.fingerprint,
    });
    expect(typeof shown.body.keypair.id).toBe('number');
    const dup = await api.call('POST', nova('/os-keypairs'), demo.token, { keypair: { name: 'gen' } });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual(fault('conflictingRequest', 409, "Key pair 'gen' already exists."));
    const list = await api.call('GET', nova('/os-keypairs'), demo.token);
    expect(list.body.keypairs).toEqual([
      { keypair: { name: 'gen', public_key: kp.public_key, fingerprint: kp.fingerprint } },
    ]);
    expect((await api.call('GET', nova('/os-keypairs'), admin.token)).body.keypairs).toEqual([]);
    expect((await api.call('DELETE', nova('/os-keypairs/gen'), demo.token)).status).toBe(202);
    expect((await api.call('GET', nova('/os-keypairs/gen'), demo.token)).status).toBe(404);
  });

  it('imports a public key, answers 201/204 with type from 2.2 and rejects garbage', async () => {
    const pub = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBJe8f5nK4aJ1oM0pE1m5l2rH6mQ3b4Z6sYx7c8v9w0d test';
    const created = await api.call(
      'POST',
      nova('/os-keypairs'),
      demo.token,
      { keypair: { name: 'imp', public_key: pub } },
      mv('2.2'),
    );
    expect(created.status).toBe(201);
    expect(created.body.keypair).toMatchObject({ name: 'imp', public_key: pub, type: 'ssh' });
    expect(created.body.keypair.private_key).toBeUndefined();
    const bad = await api.call('POST', nova('/os-keypairs'), demo.token, {
      keypair: { name: 'bad', public_key: 'not a key' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(fault('badRequest', 400, 'Keypair data is invalid: failed to generate fingerprint'));
    expect((await api.call('DELETE', nova('/os-keypairs/imp'), demo.token, undefined, mv('2.2'))).status).toBe(204);
    // A key file's trailing newline stays, as a real Zed keeps it.
    const fromFile = await api.call('POST', nova('/os-keypairs'), demo.token, {
      keypair: { name: 'file', public_key: `${pub}\n` },
    });
    expect(fromFile.body.keypair.public_key).toBe(`${pub}\n`);
    expect((await api.call('GET', nova('/os-keypairs/file'), demo.token)).body.keypair.public_key).toBe(`${pub}\n`);
    await api.call('DELETE', nova('/os-keypairs/file'), demo.token);
  });
});

describe('server groups', () => {
  it('refuses `policy` at 2.1 with the exact 400 the provider retries on, accepts `policies`, and `policy` from 2.64', async () => {
    const first = await api.call('POST', nova('/os-server-groups'), demo.token, {
      server_group: { name: 'tf-group', policy: 'anti-affinity' },
    });
    expect(first.status).toBe(400);
    expect(first.body).toEqual(
      fault(
        'badRequest',
        400,
        "Invalid input for field/attribute server_group. Value: {'name': 'tf-group', 'policy': 'anti-affinity'}. 'policies' is a required property",
      ),
    );
    const retry = await api.call('POST', nova('/os-server-groups'), demo.token, {
      server_group: { name: 'tf-group', policies: ['anti-affinity'] },
    });
    expect(retry.status).toBe(200);
    expect(retry.body.server_group).toEqual({
      id: retry.body.server_group.id,
      name: 'tf-group',
      policies: ['anti-affinity'],
      members: [],
      metadata: {},
    });
    const modern = await api.call(
      'POST',
      nova('/os-server-groups'),
      demo.token,
      { server_group: { name: 'm', policy: 'soft-affinity' } },
      mv('2.64'),
    );
    expect(modern.status).toBe(200);
    expect(modern.body.server_group).toMatchObject({
      policy: 'soft-affinity',
      rules: {},
      members: [],
      project_id: demo.projectId,
      user_id: demo.userId,
    });
    const viaOld = await api.call(
      'GET',
      nova(`/os-server-groups/${modern.body.server_group.id}`),
      demo.token,
      undefined,
      mv('2.15'),
    );
    expect(viaOld.body.server_group.policies).toEqual(['soft-affinity']);
    expect(
      (await api.call('DELETE', nova(`/os-server-groups/${modern.body.server_group.id}`), demo.token)).status,
    ).toBe(204);
  });
});

describe('servers', () => {
  it('creates (202), goes BUILD → ACTIVE with ports, addresses, group membership, user data and a lifecycle notice', async () => {
    await api.call('POST', nova('/os-keypairs'), demo.token, { keypair: { name: 'k' } });
    const group = (
      await api.call('POST', nova('/os-server-groups'), demo.token, {
        server_group: { name: 'g', policies: ['anti-affinity'] },
      })
    ).body.server_group;
    const userData = Buffer.from('#cloud-config\nruncmd: [echo hi]\n').toString('base64');
    const res = await api.call('POST', nova('/servers'), demo.token, {
      server: {
        name: 'web',
        flavorRef: '2',
        imageRef: cirros,
        key_name: 'k',
        metadata: { role: 'web' },
        user_data: userData,
        networks: [{ uuid: netId }],
      },
      'os:scheduler_hints': { group: group.id },
    });
    expect(res.status).toBe(202);
    expect(Object.keys(res.body.server).sort()).toEqual([
      'OS-DCF:diskConfig',
      'adminPass',
      'id',
      'links',
      'security_groups',
    ]);
    expect(res.headers.get('location')).toBe(`${sandbox.url}/compute/v2.1/servers/${res.body.server.id}`);
    expect(res.body.server.security_groups).toEqual([{ name: 'default' }]);
    const id = res.body.server.id;
    const building = (await api.call('GET', nova(`/servers/${id}`), demo.token)).body.server;
    expect(building).toMatchObject({
      status: 'BUILD',
      'OS-EXT-STS:vm_state': 'building',
      'OS-EXT-STS:power_state': 0,
      addresses: {},
      'OS-SRV-USG:launched_at': null,
    });
    const active = await waitStatus(demo, id, 'ACTIVE');
    expect(active).toMatchObject({
      'OS-EXT-STS:vm_state': 'active',
      'OS-EXT-STS:task_state': null,
      'OS-EXT-STS:power_state': 1,
      key_name: 'k',
      metadata: { role: 'web' },
    });
    expect(active['OS-SRV-USG:launched_at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000$/);
    expect(active['OS-EXT-SRV-ATTR:host']).toBeUndefined();
    const [addr] = active.addresses['app-net'];
    expect(addr).toMatchObject({ version: 4, 'OS-EXT-IPS:type': 'fixed' });
    expect(addr.addr).toMatch(/^10\.70\.0\.\d+$/);
    const ports = await api.call('GET', `/networking/v2.0/ports?device_id=${id}`, demo.token);
    expect(ports.body.ports).toHaveLength(1);
    expect(ports.body.ports[0]).toMatchObject({
      device_owner: 'compute:nova',
      mac_address: addr['OS-EXT-IPS-MAC:mac_addr'],
    });
    const g = await api.call('GET', nova(`/os-server-groups/${group.id}`), demo.token);
    expect(g.body.server_group.members).toEqual([id]);
    await waitFor(
      async () => notices.filter((n) => n.serverId === id),
      (list) => list.some((n) => n.event === 'active'),
    );
    expect(notices.find((n) => n.serverId === id && n.event === 'active')).toMatchObject({
      userData,
      projectId: demo.projectId,
      name: 'web',
      sandboxUrl: sandbox.url,
    });
    const ips = await api.call('GET', nova(`/servers/${id}/ips`), demo.token);
    expect(ips.body).toEqual({ addresses: { 'app-net': [{ version: 4, addr: addr.addr }] } });
    expect((await api.call('GET', nova(`/servers/${id}/ips/app-net`), demo.token)).body).toEqual({
      'app-net': [{ version: 4, addr: addr.addr }],
    });
    const asAdmin = (await api.call('GET', nova(`/servers/${id}`), admin.token, undefined, mv('2.3'))).body.server;
    expect(asAdmin).toMatchObject({ 'OS-EXT-SRV-ATTR:host': 'sandbox', 'OS-EXT-SRV-ATTR:user_data': userData });
    const modern = (await api.call('GET', nova(`/servers/${id}`), demo.token, undefined, mv('2.93'))).body.server;
    expect(modern.flavor).toEqual({
      vcpus: 1,
      ram: 2048,
      disk: 20,
      ephemeral: 0,
      swap: 0,
      original_name: 'm1.small',
      extra_specs: {},
    });
    expect(modern).toMatchObject({ tags: [], locked: false, description: null, server_groups: [group.id] });
  });

  it('keeps tenants apart: another project gets 404, admin lists it with all_tenants', async () => {
    const id = await bootServer(demo, { name: 'private' });
    const other = await api.call('GET', nova(`/servers/${id}`), admin.token.replace(/./, 'x'));
    expect(other.status).toBe(401);
    const mine = await api.call('GET', nova('/servers'), admin.token);
    expect(mine.body.servers.map((s: { id: string }) => s.id)).not.toContain(id);
    const notAllowed = await api.call('GET', nova('/servers/detail?all_tenants=1'), demo.token);
    expect(notAllowed.status).toBe(403);
    expect(notAllowed.body).toEqual(
      fault('forbidden', 403, "Policy doesn't allow os_compute_api:servers:detail:get_all_tenants to be performed."),
    );
    const all = await api.call('GET', nova('/servers/detail?all_tenants=1&name=^priv'), admin.token);
    expect(all.body.servers.map((s: { id: string }) => s.id)).toEqual([id]);
    const demoAlt = await api.loginAs('demo');
    const adminServer = await bootServer(admin, { name: 'admins', networks: 'none' }, mv('2.37'));
    const hidden = await api.call('GET', nova(`/servers/${adminServer}`), demoAlt.token);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual(fault('itemNotFound', 404, `Instance ${adminServer} could not be found.`));
    expect((await api.call('DELETE', nova(`/servers/${adminServer}`), demoAlt.token)).status).toBe(404);
  });

  it('validates the body like Nova', async () => {
    const body = { server: { name: 'x', imageRef: cirros } };
    const res = await api.call('POST', nova('/servers'), demo.token, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      fault(
        'badRequest',
        400,
        `Invalid input for field/attribute server. Value: {'name': 'x', 'imageRef': '${cirros}'}. 'flavorRef' is a required property`,
      ),
    );
    const badFlavor = await api.call('POST', nova('/servers'), demo.token, {
      server: { name: 'x', imageRef: cirros, flavorRef: '99' },
    });
    expect(badFlavor.body).toEqual(fault('badRequest', 400, 'Invalid flavorRef provided.'));
    const badKey = await api.call('POST', nova('/servers'), demo.token, {
      server: { name: 'x', imageRef: cirros, flavorRef: '1', key_name: 'nope' },
    });
    expect(badKey.body).toEqual(fault('badRequest', 400, 'Invalid key_name provided.'));
    const tooEarly = await api.call('POST', nova('/servers'), demo.token, {
      server: { name: 'x', imageRef: cirros, flavorRef: '1', description: 'd' },
    });
    expect(tooEarly.body).toEqual(
      fault(
        'badRequest',
        400,
        `Invalid input for field/attribute server. Value: {'name': 'x', 'imageRef': '${cirros}', 'flavorRef': '1', 'description': 'd'}. Additional properties are not allowed ('description' was unexpected)`,
      ),
    );
    const needsNetworks = await api.call(
      'POST',
      nova('/servers'),
      demo.token,
      { server: { name: 'x', imageRef: cirros, flavorRef: '1' } },
      mv('2.37'),
    );
    expect(needsNetworks.status).toBe(400);
  });

  it('enforces quotas with the real 403 message', async () => {
    const set = await api.call('PUT', nova(`/os-quota-sets/${demo.projectId}`), admin.token, {
      quota_set: { cores: 4, force: true },
    });
    expect(set.status).toBe(200);
    expect(set.body.quota_set.cores).toBe(4);
    expect(set.body.quota_set.id).toBeUndefined();
    const limits = await api.call('GET', nova('/limits'), demo.token);
    const used = limits.body.limits.absolute.totalCoresUsed;
    expect(limits.body.limits.absolute.maxTotalCores).toBe(4);
    const res = await api.call('POST', nova('/servers'), demo.token, {
      server: { name: 'big', flavorRef: '4', imageRef: cirros, networks: [{ uuid: netId }] },
    });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(
      fault('forbidden', 403, `Quota exceeded for cores: Requested 4, but already used ${used} of 4 cores`),
    );
    const detail = await api.call('GET', nova(`/os-quota-sets/${demo.projectId}/detail`), demo.token);
    expect(detail.body.quota_set.cores).toEqual({ in_use: used, limit: 4, reserved: 0 });
    const denied = await api.call('PUT', nova(`/os-quota-sets/${demo.projectId}`), demo.token, {
      quota_set: { cores: 40 },
    });
    expect(denied.status).toBe(403);
    await api.call('DELETE', nova(`/os-quota-sets/${demo.projectId}`), admin.token);
    expect((await api.call('GET', nova(`/os-quota-sets/${demo.projectId}`), demo.token)).body.quota_set.cores).toBe(20);
  });

  it('updates, manages metadata and tags, runs actions and deletes (ports released, 404 after)', async () => {
    const id = await bootServer(demo, { name: 'ops', metadata: { a: '1' } });
    await waitStatus(demo, id, 'ACTIVE');
    const put = await api.call('PUT', nova(`/servers/${id}`), demo.token, { server: { name: 'ops-2' } });
    expect(put.body.server.name).toBe('ops-2');
    expect(put.body.server['OS-EXT-STS:vm_state']).toBeUndefined();
    expect(
      (await api.call('POST', nova(`/servers/${id}/metadata`), demo.token, { metadata: { b: '2' } })).body.metadata,
    ).toEqual({ a: '1', b: '2' });
    expect(
      (await api.call('PUT', nova(`/servers/${id}/metadata/c`), demo.token, { meta: { c: '3' } })).body.meta,
    ).toEqual({ c: '3' });
    expect((await api.call('DELETE', nova(`/servers/${id}/metadata/a`), demo.token)).status).toBe(204);
    expect((await api.call('GET', nova(`/servers/${id}/metadata`), demo.token)).body.metadata).toEqual({
      b: '2',
      c: '3',
    });
    expect((await api.call('GET', nova(`/servers/${id}/tags`), demo.token)).status).toBe(404);
    expect((await api.call('PUT', nova(`/servers/${id}/tags/blue`), demo.token, undefined, mv('2.26'))).status).toBe(
      201,
    );
    expect(
      (await api.call('PUT', nova(`/servers/${id}/tags`), demo.token, { tags: ['x', 'y'] }, mv('2.26'))).body.tags,
    ).toEqual(['x', 'y']);
    const tagged = await api.call('GET', nova('/servers?tags=x'), demo.token, undefined, mv('2.26'));
    expect(tagged.body.servers.map((s: { id: string }) => s.id)).toEqual([id]);

    expect((await api.call('POST', nova(`/servers/${id}/action`), demo.token, { 'os-stop': null })).status).toBe(202);
    await waitStatus(demo, id, 'SHUTOFF');
    const again = await api.call('POST', nova(`/servers/${id}/action`), demo.token, { 'os-stop': null });
    expect(again.status).toBe(409);
    expect(again.body).toEqual(
      fault('conflictingRequest', 409, `Cannot 'stop' instance ${id} while it is in vm_state stopped`),
    );
    expect((await api.call('POST', nova(`/servers/${id}/action`), demo.token, { 'os-start': null })).status).toBe(202);
    await waitStatus(demo, id, 'ACTIVE');
    expect(
      (await api.call('POST', nova(`/servers/${id}/action`), demo.token, { reboot: { type: 'SOFT' } })).status,
    ).toBe(202);
    await waitStatus(demo, id, 'ACTIVE');
    expect(
      (await api.call('POST', nova(`/servers/${id}/action`), demo.token, { resize: { flavorRef: '2' } })).status,
    ).toBe(202);
    const verify = await waitStatus(demo, id, 'VERIFY_RESIZE');
    expect(verify.flavor.id).toBe('2');
    expect((await api.call('POST', nova(`/servers/${id}/action`), demo.token, { revertResize: null })).status).toBe(
      202,
    );
    const reverted = await waitStatus(demo, id, 'ACTIVE');
    expect(reverted.flavor.id).toBe('1');
    const console = await api.call('POST', nova(`/servers/${id}/action`), demo.token, {
      'os-getConsoleOutput': { length: 5 },
    });
    expect(console.body.output).toContain('login:');
    // Nova's _tail_log: the last 3 pieces of a log that ends in a newline are 2 lines and an empty one.
    const tail = await api.call('POST', nova(`/servers/${id}/action`), demo.token, {
      'os-getConsoleOutput': { length: 3 },
    });
    expect(tail.body.output.split('\n')).toHaveLength(3);
    expect(tail.body.output.endsWith('login: \n')).toBe(true);
    const ifaces = await api.call('GET', nova(`/servers/${id}/os-interface`), demo.token);
    expect(ifaces.body.interfaceAttachments).toHaveLength(1);
    const actions = await api.call('GET', nova(`/servers/${id}/os-instance-actions`), demo.token);
    expect(actions.body.instanceActions.map((a: { action: string }) => a.action)).toEqual([
      'revertResize',
      'resize',
      'reboot',
      'start',
      'stop',
      'create',
    ]);
    const create = actions.body.instanceActions[5];
    expect(create).toMatchObject({
      instance_uuid: id,
      user_id: demo.userId,
      project_id: demo.projectId,
      message: null,
    });
    expect(create.request_id).toMatch(/^req-/);
    const shown = await api.call(
      'GET',
      nova(`/servers/${id}/os-instance-actions/${create.request_id}`),
      demo.token,
      undefined,
      mv('2.51'),
    );
    expect(shown.body.instanceAction.events).toEqual([
      expect.objectContaining({ event: 'compute_create', result: 'Success' }),
    ]);

    expect((await api.call('DELETE', nova(`/servers/${id}`), demo.token)).status).toBe(204);
    const deleting = await api.call('GET', nova(`/servers/${id}`), demo.token);
    expect(deleting.status === 404 || deleting.body.server['OS-EXT-STS:task_state'] === 'deleting').toBe(true);
    await waitFor(
      () => api.call('GET', nova(`/servers/${id}`), demo.token),
      (r) => r.status === 404,
    );
    const ports = await api.call('GET', `/networking/v2.0/ports?device_id=${id}`, demo.token);
    expect(ports.body.ports).toEqual([]);
    await waitFor(
      async () => notices.some((n) => n.serverId === id && n.event === 'deleted'),
      (x) => x,
    );
    expect(notices.some((n) => n.serverId === id && n.event === 'stopped')).toBe(true);
  });

  it('attaches a volume (200), drives Cinder to in-use, refuses deleting it, detaches (202) back to available', async () => {
    const id = await bootServer(demo, { name: 'db' });
    await waitStatus(demo, id, 'ACTIVE');
    const cinder = (p: string) => `/volume/v3/${demo.projectId}${p}`;
    const vol = (await api.call('POST', cinder('/volumes'), demo.token, { volume: { name: 'data', size: 1 } })).body
      .volume;
    await waitFor(
      () => api.call('GET', cinder(`/volumes/${vol.id}`), demo.token),
      (r) => r.body.volume.status === 'available',
    );
    const att = await api.call('POST', nova(`/servers/${id}/os-volume_attachments`), demo.token, {
      volumeAttachment: { volumeId: vol.id },
    });
    expect(att.status).toBe(200);
    expect(att.body.volumeAttachment).toEqual({ id: vol.id, serverId: id, volumeId: vol.id, device: '/dev/vdb' });
    const reserved = (await api.call('GET', cinder(`/volumes/${vol.id}`), demo.token)).body.volume;
    expect(reserved).toMatchObject({ status: 'reserved', attachments: [] });
    const inUse = await waitFor(
      () => api.call('GET', cinder(`/volumes/${vol.id}`), demo.token),
      (r) => r.body.volume.status === 'in-use',
    );
    expect(inUse.body.volume.attachments[0]).toMatchObject({ server_id: id, volume_id: vol.id, device: '/dev/vdb' });
    const server = (await api.call('GET', nova(`/servers/${id}`), demo.token)).body.server;
    expect(server['os-extended-volumes:volumes_attached']).toEqual([{ id: vol.id }]);
    const refused = await api.call('DELETE', cinder(`/volumes/${vol.id}`), demo.token);
    expect(refused.status).toBe(400);
    expect(refused.body.badRequest.message).toMatch(/^Invalid volume: Volume status must be available/);
    const modern = await api.call(
      'GET',
      nova(`/servers/${id}/os-volume_attachments`),
      demo.token,
      undefined,
      mv('2.89'),
    );
    expect(modern.body.volumeAttachments[0]).toMatchObject({
      volumeId: vol.id,
      serverId: id,
      delete_on_termination: false,
      tag: null,
    });
    expect(modern.body.volumeAttachments[0].attachment_id).toBeDefined();
    expect((await api.call('DELETE', nova(`/servers/${id}/os-volume_attachments/${vol.id}`), demo.token)).status).toBe(
      202,
    );
    await waitFor(
      () => api.call('GET', nova(`/servers/${id}/os-volume_attachments/${vol.id}`), demo.token),
      (r) => r.status === 404,
    );
    await waitFor(
      () => api.call('GET', cinder(`/volumes/${vol.id}`), demo.token),
      (r) => r.body.volume.status === 'available',
    );
    expect((await api.call('DELETE', cinder(`/volumes/${vol.id}`), demo.token)).status).toBe(202);
    await waitFor(
      () => api.call('GET', cinder(`/volumes/${vol.id}`), demo.token),
      (r) => r.status === 404,
    );
  });

  it('boots from a volume created from an image and deletes it on termination', async () => {
    const res = await api.call('POST', nova('/servers'), demo.token, {
      server: {
        name: 'bfv',
        flavorRef: '1',
        imageRef: '',
        networks: [{ uuid: netId }],
        block_device_mapping_v2: [
          {
            boot_index: 0,
            uuid: cirros,
            source_type: 'image',
            destination_type: 'volume',
            volume_size: 2,
            delete_on_termination: true,
          },
        ],
      },
    });
    expect(res.status).toBe(202);
    const server = await waitStatus(demo, res.body.server.id, 'ACTIVE');
    expect(server.image).toBe('');
    const [attached] = server['os-extended-volumes:volumes_attached'];
    const vol = await api.call('GET', `/volume/v3/${demo.projectId}/volumes/${attached.id}`, demo.token);
    expect(vol.body.volume).toMatchObject({ status: 'in-use', bootable: 'true', size: 2 });
    expect((await api.call('DELETE', nova(`/servers/${server.id}`), demo.token)).status).toBe(204);
    await waitFor(
      () => api.call('GET', `/volume/v3/${demo.projectId}/volumes/${attached.id}`, demo.token),
      (r) => r.status === 404,
    );
  });

  it('shows an associated floating IP in addresses', async () => {
    const id = await bootServer(demo, { name: 'public-web' });
    await waitStatus(demo, id, 'ACTIVE');
    const router = (await api.call('POST', '/networking/v2.0/routers', demo.token, { router: { name: 'r' } })).body
      .router;
    const pub = (await api.call('GET', '/networking/v2.0/networks?name=public', demo.token)).body.networks[0];
    await api.call('PUT', `/networking/v2.0/routers/${router.id}`, demo.token, {
      router: { external_gateway_info: { network_id: pub.id } },
    });
    const subnetId = (await api.call('GET', `/networking/v2.0/subnets?network_id=${netId}`, demo.token)).body.subnets[0]
      .id;
    await api.call('PUT', `/networking/v2.0/routers/${router.id}/add_router_interface`, demo.token, {
      subnet_id: subnetId,
    });
    const port = (await api.call('GET', `/networking/v2.0/ports?device_id=${id}`, demo.token)).body.ports[0];
    const fip = await api.call('POST', '/networking/v2.0/floatingips', demo.token, {
      floatingip: { floating_network_id: pub.id, port_id: port.id },
    });
    expect(fip.status).toBe(201);
    const server = (await api.call('GET', nova(`/servers/${id}`), demo.token)).body.server;
    expect(server.addresses['app-net']).toEqual([
      {
        version: 4,
        addr: port.fixed_ips[0].ip_address,
        'OS-EXT-IPS:type': 'fixed',
        'OS-EXT-IPS-MAC:mac_addr': port.mac_address,
      },
      {
        version: 4,
        addr: fip.body.floatingip.floating_ip_address,
        'OS-EXT-IPS:type': 'floating',
        'OS-EXT-IPS-MAC:mac_addr': port.mac_address,
      },
    ]);
    expect(fip.body.floatingip.floating_ip_address).toMatch(/^127\.42\.0\.\d+$/);
  });

  it('lists availability zones and limits like Nova', async () => {
    const az = await api.call('GET', nova('/os-availability-zone'), demo.token);
    expect(az.body).toEqual({
      availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true }, hosts: null }],
    });
    const limits = await api.call('GET', nova('/limits'), demo.token, undefined, mv('2.57'));
    expect(limits.body.limits.absolute.maxPersonality).toBeUndefined();
    expect(limits.body.limits.absolute.maxSecurityGroups).toBeUndefined();
    expect(limits.body.limits.absolute.maxTotalKeypairs).toBe(100);
  });
});

describe('persistence', () => {
  it('finishes a pending BUILD after a restart on the same data directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'storm-compute-restart-'));
    try {
      let sb = await createSandbox({ port: 0, dataDir: dir, statusDelayMs: 300 });
      let client = new ApiClient(sb);
      let session = await client.loginAs('demo');
      const image = (await client.call('GET', '/image/v2/images?name=cirros-0.6', session.token)).body.images[0].id;
      const res = await client.call(
        'POST',
        nova('/servers'),
        session.token,
        { server: { name: 'durable', flavorRef: '1', imageRef: image, networks: 'none' } },
        mv('2.37'),
      );
      expect(res.status).toBe(202);
      expect((await client.call('GET', nova(`/servers/${res.body.server.id}`), session.token)).body.server.status).toBe(
        'BUILD',
      );
      await sb.close();
      sb = await createSandbox({ port: 0, dataDir: dir, statusDelayMs: 300 });
      client = new ApiClient(sb);
      session = await client.loginAs('demo');
      const active = await waitFor(
        () => client.call('GET', nova(`/servers/${res.body.server.id}`), session.token),
        (r) => r.body?.server?.status === 'ACTIVE',
      );
      expect(active.body.server.name).toBe('durable');
      await sb.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('os-security-groups (the proxy to Neutron below 2.36)', () => {
  it('creates, lists, shows and deletes groups and ingress rules as Nova shows them, and maps refusals', async () => {
    const created = await api.call('POST', nova('/os-security-groups'), demo.token, {
      security_group: { name: 'web', description: 'http in' },
    });
    expect(created.status).toBe(200);
    const group = created.body.security_group;
    expect(group).toEqual({ rules: [], tenant_id: demo.projectId, id: group.id, name: 'web', description: 'http in' });
    const listed = await api.call('GET', nova('/os-security-groups'), demo.token);
    expect(listed.body.security_groups).toContainEqual(group);
    const tcp = await api.call('POST', nova('/os-security-group-rules'), demo.token, {
      security_group_rule: { parent_group_id: group.id, ip_protocol: 'tcp', from_port: 22, to_port: 22 },
    });
    expect(tcp.status).toBe(200);
    expect(tcp.body.security_group_rule).toEqual({
      from_port: 22,
      group: {},
      ip_protocol: 'tcp',
      to_port: 22,
      parent_group_id: group.id,
      ip_range: { cidr: '0.0.0.0/0' },
      id: tcp.body.security_group_rule.id,
    });
    const icmp = await api.call('POST', nova('/os-security-group-rules'), demo.token, {
      security_group_rule: { parent_group_id: group.id, ip_protocol: 'icmp', from_port: -1, to_port: -1 },
    });
    expect(icmp.body.security_group_rule).toMatchObject({ from_port: -1, to_port: -1, ip_protocol: 'icmp' });
    // Neutron keeps it as an ICMP rule without type or code.
    const inNeutron = await api.call(
      'GET',
      `/networking/v2.0/security-group-rules/${icmp.body.security_group_rule.id}`,
      demo.token,
    );
    expect(inNeutron.body.security_group_rule).toMatchObject({ port_range_min: null, port_range_max: null });
    const fromGroup = await api.call('POST', nova('/os-security-group-rules'), demo.token, {
      security_group_rule: {
        parent_group_id: group.id,
        ip_protocol: 'tcp',
        from_port: 80,
        to_port: 80,
        group_id: group.id,
      },
    });
    expect(fromGroup.body.security_group_rule).toMatchObject({
      group: { name: 'web', tenant_id: demo.projectId },
      ip_range: {},
    });
    const shown = await api.call('GET', nova(`/os-security-groups/${group.id}`), demo.token);
    expect(shown.body.security_group.rules.map((r: { id: string }) => r.id).sort()).toEqual(
      [tcp, icmp, fromGroup].map((r) => r.body.security_group_rule.id).sort(),
    );
    const duplicate = await api.call('POST', nova('/os-security-group-rules'), demo.token, {
      security_group_rule: { parent_group_id: group.id, ip_protocol: 'tcp', from_port: 22, to_port: 22 },
    });
    expect(duplicate.status).toBe(403);
    const backwards = await api.call('POST', nova('/os-security-group-rules'), demo.token, {
      security_group_rule: { parent_group_id: group.id, ip_protocol: 'tcp', from_port: 90, to_port: 80 },
    });
    expect(backwards.body).toEqual(
      fault('badRequest', 400, 'Invalid port range 90:80. Former value cannot be greater than the later'),
    );
    const notUuid = await api.call('GET', nova('/os-security-groups/1'), demo.token);
    expect(notUuid.status).toBe(400);
    // Another project's group is not found, and neither can be changed through Nova.
    const other = await api.call('GET', nova(`/os-security-groups/${group.id}`), admin.token);
    expect(other.status).toBe(200);
    const adminGroup = (
      await api.call('POST', nova('/os-security-groups'), admin.token, {
        security_group: { name: 'admins', description: 'x' },
      })
    ).body.security_group;
    const hidden = await api.call('GET', nova(`/os-security-groups/${adminGroup.id}`), demo.token);
    expect(hidden.body).toEqual(fault('itemNotFound', 404, `Security group ${adminGroup.id} not found.`));
    expect((await api.call('DELETE', nova(`/os-security-groups/${adminGroup.id}`), demo.token)).status).toBe(404);
    expect((await api.call('GET', nova('/os-security-groups'), demo.token, undefined, mv('2.36'))).status).toBe(404);
    const deleted = await api.call(
      'DELETE',
      nova(`/os-security-group-rules/${tcp.body.security_group_rule.id}`),
      demo.token,
    );
    expect(deleted.status).toBe(202);
    expect((await api.call('DELETE', nova(`/os-security-groups/${group.id}`), demo.token)).status).toBe(202);
    expect((await api.call('DELETE', nova(`/os-security-groups/${adminGroup.id}`), admin.token)).status).toBe(202);
    expect((await api.call('GET', nova(`/os-security-groups/${group.id}`), demo.token)).status).toBe(404);
  });
});
