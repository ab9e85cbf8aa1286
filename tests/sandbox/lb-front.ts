/**
 * Shared by the load-balancer traffic tests: a tenant network routed to the
 * sandbox's public network, a load balancer with one listener, a pool and its
 * members built through the API, a floating IP on the VIP, and tiny loopback
 * HTTP servers to play members.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { type Answer, call, type TestSandbox } from './helpers';

export const LB = '/load-balancer/v2/lbaas';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = (a: Answer): any => a.json;

export async function api(sb: TestSandbox, method: string, p: string, token: string, body?: unknown): Promise<Answer> {
  const a = await call(`${sb.url}${p}`, {
    method,
    token,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return a;
}

export interface Tenant {
  subnetId: string;
  publicId: string;
}

/** A network and subnet joined by a router to the public network (so the VIP can have a floating IP). */
export async function tenantNetwork(sb: TestSandbox, token: string, cidr: string): Promise<Tenant> {
  const nets = json(await api(sb, 'GET', '/networking/v2.0/networks?router:external=true', token));
  const publicId = nets.networks[0].id as string;
  const net = json(await api(sb, 'POST', '/networking/v2.0/networks', token, { network: { name: `n-${cidr}` } }));
  const sub = json(
    await api(sb, 'POST', '/networking/v2.0/subnets', token, {
      subnet: { network_id: net.network.id, cidr, ip_version: 4 },
    }),
  );
  const router = json(
    await api(sb, 'POST', '/networking/v2.0/routers', token, {
      router: { external_gateway_info: { network_id: publicId } },
    }),
  );
  const joined = await api(sb, 'PUT', `/networking/v2.0/routers/${router.router.id}/add_router_interface`, token, {
    subnet_id: sub.subnet.id,
  });
  expect(joined.status, joined.text).toBe(200);
  return { subnetId: sub.subnet.id, publicId };
}

export interface FrontDoor {
  lbId: string;
  listenerId: string;
  poolId: string;
  memberIds: string[];
  address: string;
  port: number;
}

export interface FrontSpec {
  protocol?: string;
  port: number;
  algorithm?: string;
  persistence?: Record<string, unknown>;
  members: { address: string; port: number }[];
  monitor?: Record<string, unknown>;
  tlsRef?: string;
  /** Give the VIP a floating IP (default true). */
  floating?: boolean;
}

export async function frontDoor(sb: TestSandbox, token: string, tenant: Tenant, spec: FrontSpec): Promise<FrontDoor> {
  const ok = (a: Answer): Answer => {
    expect(a.status, a.text).toBeLessThan(300);
    return a;
  };
  const lb = json(
    ok(await api(sb, 'POST', `${LB}/loadbalancers`, token, { loadbalancer: { vip_subnet_id: tenant.subnetId } })),
  ).loadbalancer;
  const protocol = spec.protocol ?? 'HTTP';
  const listener = json(
    ok(
      await api(sb, 'POST', `${LB}/listeners`, token, {
        listener: {
          loadbalancer_id: lb.id,
          protocol,
          protocol_port: spec.port,
          ...(spec.tlsRef === undefined ? {} : { default_tls_container_ref: spec.tlsRef }),
        },
      }),
    ),
  ).listener;
  const pool = json(
    ok(
      await api(sb, 'POST', `${LB}/pools`, token, {
        pool: {
          listener_id: listener.id,
          protocol: protocol === 'TCP' ? 'TCP' : 'HTTP',
          lb_algorithm: spec.algorithm ?? 'ROUND_ROBIN',
          ...(spec.persistence === undefined ? {} : { session_persistence: spec.persistence }),
        },
      }),
    ),
  ).pool;
  const memberIds: string[] = [];
  for (const m of spec.members) {
    const member = json(
      ok(
        await api(sb, 'POST', `${LB}/pools/${pool.id}/members`, token, {
          member: { address: m.address, protocol_port: m.port },
        }),
      ),
    ).member;
    memberIds.push(member.id);
  }
  if (spec.monitor !== undefined)
    ok(await api(sb, 'POST', `${LB}/healthmonitors`, token, { healthmonitor: { pool_id: pool.id, ...spec.monitor } }));
  let address = '';
  if (spec.floating !== false) {
    const fip = json(
      ok(
        await api(sb, 'POST', '/networking/v2.0/floatingips', token, {
          floatingip: { floating_network_id: tenant.publicId, port_id: lb.vip_port_id },
        }),
      ),
    ).floatingip;
    address = fip.floating_ip_address;
  }
  return { lbId: lb.id, listenerId: listener.id, poolId: pool.id, memberIds, address, port: spec.port };
}

/** Waits until something accepts connections on address:port (the data plane reconciles every 250 ms). */
export async function listening(address: string, port: number, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: address, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${address}:${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Member {
  name: string;
  port: number;
  /** Requests answered. */
  hits: number;
  healthy: boolean;
  server: http.Server;
  close(): Promise<void>;
}

/** A loopback HTTP server answering its name; /healthz follows `healthy`; /slow answers after 800 ms. */
export async function member(name: string): Promise<Member> {
  const m: Partial<Member> & { hits: number; healthy: boolean } = { name, hits: 0, healthy: true };
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(m.healthy ? 200 : 500).end(m.healthy ? 'ok' : 'sick');
      return;
    }
    m.hits += 1;
    const answer = (): void => {
      res
        .writeHead(200, { 'content-type': 'text/plain', 'x-member': name })
        .end(`${name} ${req.headers['x-forwarded-for'] ?? ''}`.trim());
    };
    if (req.url === '/slow') setTimeout(answer, 800);
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  m.server = server;
  m.port = (server.address() as AddressInfo).port;
  m.close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return m as Member;
}

/** One GET on a fresh connection: status and body. */
export function get(
  url: string,
  options: https.RequestOptions = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
      );
    });
    req.on('error', reject);
  });
}
