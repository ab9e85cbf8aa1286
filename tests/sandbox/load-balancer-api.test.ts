/**
 * Octavia over real HTTP against an in-process sandbox whose clock the test
 * moves (status delay 1 s): provisioning statuses and the load balancer's lock,
 * the VIP port in Neutron, children, quotas, Octavia's error bodies, and every
 * successful answer validated against load-balancer-v2.yaml.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedResponse } from '../../src/sandbox/server.js';
import { type Answer, call, loginToken, startTestSandbox, type TestSandbox } from './helpers.js';
import { validateResponse } from './openapi.js';

let sb: TestSandbox;
let admin: string;
let demo: string;
let subnetId: string;
let networkId: string;
const recorded: RecordedResponse[] = [];
const DELAY = 1000;

const LB = '/load-balancer/v2/lbaas';
const LB20 = '/load-balancer/v2.0/lbaas';

async function api(method: string, path: string, token: string, body?: unknown): Promise<Answer> {
  return call(`${sb.url}${path}`, {
    method,
    token,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (a: Answer): any => a.json;

/** Moves the sandbox clock past the status delay: every pending change is done. */
const settle = (): void => sb.advance(DELAY + 1);

const fault = (status: number, message: string) => ({
  faultcode: status >= 500 ? 'Server' : 'Client',
  faultstring: message,
  debuginfo: null,
});

beforeAll(async () => {
  sb = await startTestSandbox({ statusDelayMs: DELAY, onJsonResponse: (r) => recorded.push(r) });
  admin = await loginToken(sb, 'admin');
  demo = await loginToken(sb, 'demo');
  const net = await api('POST', '/networking/v2.0/networks', demo, { network: { name: 'lb-net' } });
  networkId = json(net).network.id;
  const sub = await api('POST', '/networking/v2.0/subnets', demo, {
    subnet: { network_id: networkId, cidr: '10.9.0.0/24', ip_version: 4, name: 'lb-sub' },
  });
  subnetId = json(sub).subnet.id;
});

afterAll(async () => {
  // The version document (GET /load-balancer/) is not in the file, which knows the API below /v2 only.
  const answers = recorded.filter(
    (r) => r.service === 'load-balancer' && r.status < 300 && r.path !== '/load-balancer/',
  );
  const violations = answers
    .map((r) => validateResponse('load-balancer', r.method, r.path, r.status, r.body))
    .filter((v) => v !== undefined);
  expect(violations).toEqual([]);
  expect(answers.length).toBeGreaterThan(20);
  await sb?.close();
});

async function activeLb(token = demo, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api('POST', `${LB}/loadbalancers`, token, { loadbalancer: { vip_subnet_id: subnetId, ...extra } });
  expect(res.status, res.text).toBe(201);
  settle();
  return json(res).loadbalancer.id;
}

describe('catalog and discovery', () => {
  it('lists Octavia as load-balancer in the token catalog and answers its versions', async () => {
    const res = await call(`${sb.url}/identity/v3/auth/tokens`, {
      method: 'POST',
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'demo', domain: { name: 'Default' }, password: sb.sandbox.logins.demo } },
          },
          scope: { project: { name: 'demo', domain: { name: 'Default' } } },
        },
      }),
    });
    const entry = json(res).token.catalog.find((c: { type: string }) => c.type === 'load-balancer');
    expect(entry.name).toBe('octavia');
    expect(entry.endpoints.map((e: { url: string }) => e.url)).toContain(`${sb.url}/load-balancer`);
    const root = await api('GET', '/load-balancer/', demo);
    expect(json(root).versions.map((v: { status: string }) => v.status)).toContain('CURRENT');
    const providers = await api('GET', `${LB}/providers`, demo);
    expect(json(providers).providers.map((p: { name: string }) => p.name)).toEqual(['amphora', 'octavia']);
  });

  it('refuses a request without a token with keystonemiddleware 401', async () => {
    const res = await call(`${sb.url}${LB}/loadbalancers`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Keystone uri=/);
  });
});

describe('load balancers', () => {
  it('goes PENDING_CREATE → ACTIVE with a VIP port in Neutron, and is removed with it', async () => {
    const res = await api('POST', `${LB20}/loadbalancers`, demo, {
      loadbalancer: { name: 'web', vip_subnet_id: subnetId, tags: ['a'] },
    });
    expect(res.status).toBe(201);
    const lb = json(res).loadbalancer;
    expect(lb).toMatchObject({
      name: 'web',
      provisioning_status: 'PENDING_CREATE',
      operating_status: 'OFFLINE',
      vip_subnet_id: subnetId,
      vip_network_id: networkId,
      provider: 'amphora',
      listeners: [],
      pools: [],
      tags: ['a'],
      flavor_id: null,
      updated_at: null,
    });
    expect(lb.vip_address).toMatch(/^10\.9\.0\.\d+$/);
    expect(lb.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const port = json(await api('GET', `/networking/v2.0/ports/${lb.vip_port_id}`, demo)).port;
    expect(port).toMatchObject({ device_owner: 'Octavia', device_id: `lb-${lb.id}`, name: `octavia-lb-${lb.id}` });
    expect(port.fixed_ips).toEqual([{ subnet_id: subnetId, ip_address: lb.vip_address }]);

    const early = await api('PUT', `${LB}/loadbalancers/${lb.id}`, demo, { loadbalancer: { name: 'x' } });
    expect(early.status).toBe(409);
    expect(early.json).toEqual(fault(409, `Load Balancer ${lb.id} is immutable and cannot be updated.`));

    settle();
    const shown = json(await api('GET', `${LB}/loadbalancers/${lb.id}`, demo)).loadbalancer;
    expect(shown).toMatchObject({ provisioning_status: 'ACTIVE', operating_status: 'ONLINE' });

    const renamed = await api('PUT', `${LB}/loadbalancers/${lb.id}`, demo, { loadbalancer: { name: 'web2' } });
    expect(json(renamed).loadbalancer).toMatchObject({ name: 'web2', provisioning_status: 'PENDING_UPDATE' });
    settle();

    expect((await api('DELETE', `${LB}/loadbalancers/${lb.id}`, demo)).status).toBe(204);
    expect(json(await api('GET', `${LB}/loadbalancers/${lb.id}`, demo)).loadbalancer.provisioning_status).toBe(
      'PENDING_DELETE',
    );
    settle();
    const gone = await api('GET', `${LB}/loadbalancers/${lb.id}`, demo);
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual(fault(404, `Load Balancer ${lb.id} not found.`));
    expect((await api('GET', `/networking/v2.0/ports/${lb.vip_port_id}`, demo)).status).toBe(404);
  });

  it("answers Octavia's errors for bad input and for another project's load balancer", async () => {
    const none = await api('POST', `${LB}/loadbalancers`, demo, { loadbalancer: { name: 'x' } });
    expect(none.status).toBe(400);
    expect(none.json).toEqual(
      fault(400, 'Validation failure: VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id.'),
    );
    const missing = await api('POST', `${LB}/loadbalancers`, demo, {
      loadbalancer: { vip_subnet_id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(missing.json).toEqual(
      fault(400, 'Validation failure: Subnet 00000000-0000-4000-8000-000000000000 not found.'),
    );
    const badType = await api('POST', `${LB}/loadbalancers`, demo, {
      loadbalancer: { vip_subnet_id: subnetId, admin_state_up: 'yes' },
    });
    expect(json(badType).faultstring).toMatch(/^Invalid input for field\/attribute admin_state_up\. Value: 'yes'\./);
    const id = await activeLb();
    const foreign = await api('GET', `${LB}/loadbalancers/${id}`, admin);
    expect(foreign.status).toBe(200);
    const demoIds = json(await api('GET', `${LB}/loadbalancers`, demo)).loadbalancers.map((l: { id: string }) => l.id);
    expect(demoIds).toContain(id);
    // Seen from a project that does not own it.
    const mine = await activeLb(admin);
    const refused = await api('GET', `${LB}/loadbalancers/${mine}`, demo);
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual(fault(403, 'Policy does not allow this request to be performed.'));
    for (const lb of [id, mine]) await api('DELETE', `${LB}/loadbalancers/${lb}?cascade=true`, admin);
    settle();
  });
});

describe('listeners, pools, members and health monitors', () => {
  it('builds the tree, locks the load balancer while a child changes, and reports the status tree', async () => {
    const lbId = await activeLb();
    const lis = await api('POST', `${LB20}/listeners`, demo, {
      listener: { loadbalancer_id: lbId, protocol: 'HTTP', protocol_port: 80, name: 'http' },
    });
    expect(lis.status).toBe(201);
    const listener = json(lis).listener;
    expect(listener).toMatchObject({
      provisioning_status: 'PENDING_CREATE',
      loadbalancers: [{ id: lbId }],
      connection_limit: -1,
      default_pool_id: null,
      timeout_client_data: 50000,
    });
    const lbNow = json(await api('GET', `${LB}/loadbalancers/${lbId}`, demo)).loadbalancer;
    expect(lbNow.provisioning_status).toBe('PENDING_UPDATE');
    const busy = await api('POST', `${LB}/pools`, demo, {
      pool: { listener_id: listener.id, protocol: 'HTTP', lb_algorithm: 'ROUND_ROBIN' },
    });
    expect(busy.status).toBe(409);
    settle();

    const dup = await api('POST', `${LB}/listeners`, demo, {
      listener: { loadbalancer_id: lbId, protocol: 'TCP', protocol_port: 80 },
    });
    expect(dup.json).toEqual(fault(409, 'Another Listener on this Load Balancer is already using protocol_port 80'));
    const tls = await api('POST', `${LB}/listeners`, demo, {
      listener: { loadbalancer_id: lbId, protocol: 'TERMINATED_HTTPS', protocol_port: 443 },
    });
    expect(tls.status).toBe(400);
    const badProto = await api('POST', `${LB}/pools`, demo, {
      pool: { listener_id: listener.id, protocol: 'UDP', lb_algorithm: 'ROUND_ROBIN' },
    });
    expect(json(badProto).faultstring).toBe(
      "Validation failure: The pool protocol 'UDP' is invalid while the listener protocol is 'HTTP'.",
    );

    const poolRes = await api('POST', `${LB}/pools`, demo, {
      pool: {
        listener_id: listener.id,
        protocol: 'HTTP',
        lb_algorithm: 'LEAST_CONNECTIONS',
        session_persistence: { type: 'HTTP_COOKIE' },
      },
    });
    expect(poolRes.status, poolRes.text).toBe(201);
    const pool = json(poolRes).pool;
    expect(pool).toMatchObject({ listeners: [{ id: listener.id }], loadbalancers: [{ id: lbId }], members: [] });
    settle();
    expect(json(await api('GET', `${LB}/listeners/${listener.id}`, demo)).listener.default_pool_id).toBe(pool.id);

    const memberRes = await api('POST', `${LB}/pools/${pool.id}/members`, demo, {
      member: { address: '10.9.0.20', protocol_port: 8080, subnet_id: subnetId },
    });
    expect(memberRes.status, memberRes.text).toBe(201);
    const member = json(memberRes).member;
    expect(member).toMatchObject({ weight: 1, backup: false, provisioning_status: 'PENDING_CREATE' });
    settle();
    expect(json(await api('GET', `${LB}/pools/${pool.id}/members/${member.id}`, demo)).member.operating_status).toBe(
      'NO_MONITOR',
    );
    const twice = await api('POST', `${LB}/pools/${pool.id}/members`, demo, {
      member: { address: '10.9.0.20', protocol_port: 8080 },
    });
    expect(json(twice).faultstring).toBe(
      'Another member on this pool is already using ip 10.9.0.20 on protocol_port 8080',
    );

    const hmRes = await api('POST', `${LB}/healthmonitors`, demo, {
      healthmonitor: { pool_id: pool.id, type: 'HTTP', delay: 5, timeout: 3, max_retries: 3, url_path: '/healthz' },
    });
    expect(hmRes.status, hmRes.text).toBe(201);
    expect(json(hmRes).healthmonitor).toMatchObject({
      http_method: 'GET',
      expected_codes: '200',
      url_path: '/healthz',
      max_retries_down: 3,
      pools: [{ id: pool.id }],
    });
    settle();
    const second = await api('POST', `${LB}/healthmonitors`, demo, {
      healthmonitor: { pool_id: pool.id, type: 'TCP', delay: 5, timeout: 3, max_retries: 3 },
    });
    expect(second.json).toEqual(fault(409, 'This pool already has a health monitor'));
    const tooLong = await api('POST', `${LB}/healthmonitors`, demo, {
      healthmonitor: { pool_id: pool.id, type: 'TCP', delay: 1, timeout: 3, max_retries: 3 },
    });
    expect(tooLong.status).toBe(400);

    const tree = json(await api('GET', `${LB}/loadbalancers/${lbId}/status`, demo)).statuses.loadbalancer;
    expect(tree.provisioning_status).toBe('ACTIVE');
    expect(tree.listeners[0].pools[0].members[0]).toMatchObject({ id: member.id, operating_status: 'ONLINE' });
    expect(tree.listeners[0].pools[0].health_monitor.id).toBe(json(hmRes).healthmonitor.id);

    const listed = json(await api('GET', `${LB}/pools/${pool.id}/members?address=10.9.0.20`, demo));
    expect(listed.members.map((m: { id: string }) => m.id)).toEqual([member.id]);
    const disabled = await api('PUT', `${LB}/pools/${pool.id}/members/${member.id}`, demo, {
      member: { admin_state_up: false },
    });
    expect(json(disabled).member).toMatchObject({ provisioning_status: 'PENDING_UPDATE', operating_status: 'OFFLINE' });
    settle();

    const refused = await api('DELETE', `${LB}/loadbalancers/${lbId}`, demo);
    expect(refused.json).toEqual(
      fault(400, `Validation failure: Cannot delete Load Balancer ${lbId} - it has children`),
    );
    expect((await api('DELETE', `${LB}/pools/${pool.id}`, demo)).status).toBe(204);
    settle();
    expect((await api('GET', `${LB}/pools/${pool.id}/members/${member.id}`, demo)).status).toBe(404);
    expect(json(await api('GET', `${LB}/healthmonitors`, demo)).healthmonitors).toEqual([]);
    expect(json(await api('GET', `${LB}/listeners/${listener.id}`, demo)).listener.default_pool_id).toBeNull();
    expect((await api('DELETE', `${LB}/loadbalancers/${lbId}?cascade=true`, demo)).status).toBe(204);
    settle();
    expect(json(await api('GET', `${LB}/listeners`, demo)).listeners).toEqual([]);
  });
});

describe('quotas', () => {
  it('are unlimited by default, set by an admin, and enforced with 403', async () => {
    const demoProject = json(await api('GET', '/identity/v3/projects?name=demo', admin)).projects[0].id;
    const shown = json(await api('GET', `${LB}/quotas/${demoProject}`, demo)).quota;
    expect(shown.loadbalancer).toBe(-1);
    expect((await api('PUT', `${LB}/quotas/${demoProject}`, demo, { quota: { loadbalancer: 1 } })).status).toBe(403);
    const set = await api('PUT', `${LB}/quotas/${demoProject}`, admin, { quota: { loadbalancer: 1 } });
    expect(set.status).toBe(202);
    expect(json(set).quota).toMatchObject({ loadbalancer: 1, load_balancer: 1 });
    const first = await activeLb();
    const over = await api('POST', `${LB}/loadbalancers`, demo, { loadbalancer: { vip_subnet_id: subnetId } });
    expect(over.json).toEqual(fault(403, 'Quota has been met for resources: Load Balancer'));
    expect((await api('DELETE', `${LB}/quotas/${demoProject}`, admin)).status).toBe(202);
    await api('DELETE', `${LB}/loadbalancers/${first}`, demo);
    settle();
  });
});
