/**
 * The sandbox's load balancers carry traffic: a floating IP on the VIP, a
 * listener, a pool of loopback HTTP servers playing members. Round robin,
 * least connections and source IP; failover when a member dies (the health
 * monitor takes it out and the API says so); draining a disabled member;
 * TLS terminated with a certificate container from Barbican; TCP; and every
 * listener closed with the sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralSandboxTls } from '../../src/sandbox/core/tls';
import { loginToken, startTestSandbox, type TestSandbox } from './helpers';
import { validateResponse } from './openapi';
import {
  LB,
  api,
  frontDoor,
  get,
  json,
  listening,
  member,
  type Member,
  type Tenant,
  tenantNetwork,
  until,
} from './lb-front';

let sb: TestSandbox;
let demo: string;
let tenant: Tenant;
const members: Member[] = [];

beforeAll(async () => {
  sb = await startTestSandbox();
  demo = await loginToken(sb, 'demo');
  tenant = await tenantNetwork(sb, demo, '10.61.0.0/24');
});

afterAll(async () => {
  await sb?.close();
  await Promise.all(members.map((m) => m.close()));
});

async function pair(): Promise<[Member, Member]> {
  const a = await member('a');
  const b = await member('b');
  members.push(a, b);
  return [a, b];
}

describe('HTTP through the VIP', () => {
  it('round robin spreads requests over both members; X-Forwarded-For is inserted when asked', async () => {
    const [a, b] = await pair();
    const door = await frontDoor(sb, demo, tenant, {
      port: 18080,
      members: [
        { address: '127.0.0.1', port: a.port },
        { address: '127.0.0.1', port: b.port },
      ],
    });
    expect(door.address).toMatch(/^127\.42\.0\.\d+$/);
    await listening(door.address, door.port);
    const seen: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const r = await get(`http://${door.address}:${door.port}/`);
      expect(r.status).toBe(200);
      seen.push(String(r.headers['x-member']));
    }
    expect(seen.filter((s) => s === 'a')).toHaveLength(3);
    expect(seen.filter((s) => s === 'b')).toHaveLength(3);
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('a dead member is skipped at once, the monitor marks it ERROR, and it comes back ONLINE', async () => {
    const [a, b] = await pair();
    const door = await frontDoor(sb, demo, tenant, {
      port: 18081,
      members: [
        { address: '127.0.0.1', port: a.port },
        { address: '127.0.0.1', port: b.port },
      ],
      monitor: { type: 'HTTP', delay: 1, timeout: 1, max_retries: 1, max_retries_down: 1, url_path: '/healthz' },
    });
    await listening(door.address, door.port);
    const status = async (): Promise<string[]> => {
      const tree = json(await api(sb, 'GET', `${LB}/loadbalancers/${door.lbId}/status`, demo)).statuses.loadbalancer;
      return [
        tree.operating_status,
        ...tree.listeners[0].pools[0].members.map((m: { operating_status: string }) => m.operating_status),
      ];
    };
    await until('both members ONLINE', async () => (await status()).join() === 'ONLINE,ONLINE,ONLINE');
    b.healthy = false;
    await until('member b ERROR and the load balancer DEGRADED', async () => {
      const s = await status();
      return s[0] === 'DEGRADED' && s.includes('ERROR');
    });
    const memberB = json(await api(sb, 'GET', `${LB}/pools/${door.poolId}/members/${door.memberIds[1]}`, demo)).member;
    const memberA = json(await api(sb, 'GET', `${LB}/pools/${door.poolId}/members/${door.memberIds[0]}`, demo)).member;
    expect([memberA.operating_status, memberB.operating_status].sort()).toEqual(['ERROR', 'ONLINE']);
    const before = b.hits;
    for (let i = 0; i < 4; i += 1)
      expect((await get(`http://${door.address}:${door.port}/`)).headers['x-member']).toBe('a');
    expect(b.hits).toBe(before);
    b.healthy = true;
    await until('member b back ONLINE', async () => (await status()).join() === 'ONLINE,ONLINE,ONLINE');

    // A member whose process is gone: the next request goes to the other one, without waiting for the monitor.
    await a.close();
    for (let i = 0; i < 3; i += 1) {
      const r = await get(`http://${door.address}:${door.port}/`);
      expect(r.status).toBe(200);
      expect(r.headers['x-member']).toBe('b');
    }
    await until('member a ERROR', async () => (await status()).includes('ERROR'));
  });

  it('drains a member with admin_state_up false: its request under way finishes, new ones go elsewhere', async () => {
    const [a, b] = await pair();
    const door = await frontDoor(sb, demo, tenant, {
      port: 18082,
      algorithm: 'LEAST_CONNECTIONS',
      members: [
        { address: '127.0.0.1', port: a.port },
        { address: '127.0.0.1', port: b.port },
      ],
    });
    await listening(door.address, door.port);
    const first = await get(`http://${door.address}:${door.port}/`);
    const drained = first.headers['x-member'] === 'a' ? 0 : 1;
    const drainedName = drained === 0 ? 'a' : 'b';
    // With least connections, a slow request keeps its member busy: the next one goes to the other.
    const slow = get(`http://${door.address}:${door.port}/slow`);
    await new Promise((r) => setTimeout(r, 100));
    const off = await api(sb, 'PUT', `${LB}/pools/${door.poolId}/members/${door.memberIds[drained]}`, demo, {
      member: { admin_state_up: false },
    });
    expect(off.status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 4; i += 1)
      expect((await get(`http://${door.address}:${door.port}/`)).headers['x-member']).not.toBe(drainedName);
    expect((await slow).status).toBe(200);
    const shown = json(await api(sb, 'GET', `${LB}/pools/${door.poolId}/members/${door.memberIds[drained]}`, demo));
    expect(shown.member.operating_status).toBe('OFFLINE');
  });

  it('SOURCE_IP keeps one client on one member', async () => {
    const [a, b] = await pair();
    const door = await frontDoor(sb, demo, tenant, {
      port: 18083,
      algorithm: 'SOURCE_IP',
      members: [
        { address: '127.0.0.1', port: a.port },
        { address: '127.0.0.1', port: b.port },
      ],
    });
    await listening(door.address, door.port);
    const seen = new Set<string>();
    for (let i = 0; i < 5; i += 1)
      seen.add(String((await get(`http://${door.address}:${door.port}/`)).headers['x-member']));
    expect(seen.size).toBe(1);
  });
});

describe('L7 policies', () => {
  it('a REDIRECT_PREFIX policy with a rule sends HTTP to HTTPS; without rules it applies to nothing', async () => {
    const [a] = await pair();
    const door = await frontDoor(sb, demo, tenant, { port: 18086, members: [{ address: '127.0.0.1', port: a.port }] });
    await listening(door.address, door.port);
    const created = await api(sb, 'POST', `${LB}/l7policies`, demo, {
      l7policy: {
        listener_id: door.listenerId,
        action: 'REDIRECT_PREFIX',
        redirect_prefix: 'https://web.valladolid.example',
        redirect_http_code: 301,
        name: 'to-https',
      },
    });
    expect(created.status, created.text).toBe(201);
    const policy = json(created).l7policy;
    expect(policy).toMatchObject({ position: 1, redirect_http_code: 301, rules: [] });
    // No rule yet: Octavia applies no policy without rules.
    await new Promise((r) => setTimeout(r, 300));
    expect((await get(`http://${door.address}:${door.port}/x`)).status).toBe(200);
    const rule = await api(sb, 'POST', `${LB}/l7policies/${policy.id}/rules`, demo, {
      rule: { type: 'PATH', compare_type: 'STARTS_WITH', value: '/' },
    });
    expect(rule.status, rule.text).toBe(201);
    await until('the redirect', async () => (await get(`http://${door.address}:${door.port}/a/b?c=1`)).status === 301);
    const r = await get(`http://${door.address}:${door.port}/a/b?c=1`);
    expect(r.headers.location).toBe('https://web.valladolid.example/a/b?c=1');
    const listener = json(await api(sb, 'GET', `${LB}/listeners/${door.listenerId}`, demo)).listener;
    expect(listener.l7policies).toEqual([{ id: policy.id }]);
    const shown = json(await api(sb, 'GET', `${LB}/l7policies/${policy.id}`, demo)).l7policy;
    expect(shown.rules).toEqual([{ id: json(rule).rule.id }]);
    const rules = json(await api(sb, 'GET', `${LB}/l7policies/${policy.id}/rules`, demo)).rules;
    expect(rules[0]).toMatchObject({ type: 'PATH', compare_type: 'STARTS_WITH', value: '/', invert: false });
    const bad = await api(sb, 'POST', `${LB}/l7policies`, demo, {
      l7policy: { listener_id: door.listenerId, action: 'REDIRECT_PREFIX' },
    });
    expect(bad.status).toBe(400);
    expect((await api(sb, 'DELETE', `${LB}/l7policies/${policy.id}`, demo)).status).toBe(204);
    await until('no redirect', async () => (await get(`http://${door.address}:${door.port}/x`)).status === 200);
    for (const answer of [created, rule])
      expect(
        validateResponse(
          'load-balancer',
          'POST',
          new URL(answer === created ? `${sb.url}${LB}/l7policies` : `${sb.url}${LB}/l7policies/${policy.id}/rules`)
            .pathname,
          201,
          answer.json,
        ),
      ).toBeUndefined();
  });
});

describe('TLS and TCP', () => {
  it('terminates TLS with the certificate container Barbican holds', async () => {
    const [a] = await pair();
    const cert = ephemeralSandboxTls(['web.valladolid.example']);
    const secret = async (payload: string): Promise<string> =>
      json(await api(sb, 'POST', '/key-manager/v1/secrets', demo, { payload, payload_content_type: 'text/plain' }))
        .secret_ref;
    const container = json(
      await api(sb, 'POST', '/key-manager/v1/containers', demo, {
        type: 'certificate',
        secret_refs: [
          { name: 'certificate', secret_ref: await secret(cert.certPem) },
          { name: 'private_key', secret_ref: await secret(cert.keyPem) },
        ],
      }),
    ).container_ref;
    const door = await frontDoor(sb, demo, tenant, {
      protocol: 'TERMINATED_HTTPS',
      port: 18443,
      tlsRef: container,
      members: [{ address: '127.0.0.1', port: a.port }],
    });
    await listening(door.address, door.port);
    const r = await get(`https://${door.address}:${door.port}/`, {
      ca: cert.caPem,
      servername: 'web.valladolid.example',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^a/);
    // A client that does not trust the city CA is refused by TLS itself.
    await expect(
      get(`https://${door.address}:${door.port}/`, { servername: 'web.valladolid.example' }),
    ).rejects.toThrow();
  });

  it('a TCP listener joins each connection to a member', async () => {
    const [a] = await pair();
    const door = await frontDoor(sb, demo, tenant, {
      protocol: 'TCP',
      port: 18084,
      members: [{ address: '127.0.0.1', port: a.port }],
    });
    await listening(door.address, door.port);
    const r = await get(`http://${door.address}:${door.port}/`);
    expect(r.headers['x-member']).toBe('a');
  });

  it('closing the sandbox closes every listener', async () => {
    const [a] = await pair();
    const other = await startTestSandbox({ floatingCidr: '127.42.7.0/24' });
    const token = await loginToken(other, 'demo');
    const t = await tenantNetwork(other, token, '10.62.0.0/24');
    const door = await frontDoor(other, token, t, { port: 18085, members: [{ address: '127.0.0.1', port: a.port }] });
    await listening(door.address, door.port);
    await other.close();
    await expect(get(`http://${door.address}:${door.port}/`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
