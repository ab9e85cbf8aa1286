/**
 * A hostile tenant's load balancer: the sandbox never listens on the API's own
 * port, never sends a member's traffic to the sandbox API, to a host outside
 * 127.0.0.0/8, or back into one of its own listeners (a loop).
 */
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback } from '../../src/sandbox/lb-dataplane';
import { loginToken, startTestSandbox, type TestSandbox } from '../sandbox/helpers';
import { LB, api, frontDoor, get, json, listening, type Tenant, tenantNetwork, until } from '../sandbox/lb-front';

let sb: TestSandbox;
let demo: string;
let tenant: Tenant;
let apiPort: number;

beforeAll(async () => {
  sb = await startTestSandbox();
  apiPort = Number(new URL(sb.url).port);
  demo = await loginToken(sb, 'demo');
  tenant = await tenantNetwork(sb, demo, '10.71.0.0/24');
});

afterAll(async () => {
  await sb?.close();
});

const refused = (address: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect({ host: address, port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

describe('listeners', () => {
  it("never take the sandbox API's port; the listener says ERROR", async () => {
    const door = await frontDoor(sb, demo, tenant, { port: apiPort, members: [] });
    await until('the listener in ERROR', async () => {
      const l = json(await api(sb, 'GET', `${LB}/listeners/${door.listenerId}`, demo)).listener;
      return l.operating_status === 'ERROR';
    });
    expect(await refused(door.address, apiPort)).toBe(true);
    expect(door.address).not.toBe('127.0.0.1');
  });
});

describe('members', () => {
  it('the sandbox API, an address outside loopback and the data plane itself are never proxied to', async () => {
    // A member at the API's port (on its address), one at a private address, one at the VIP's own listener.
    const door = await frontDoor(sb, demo, tenant, {
      port: 18190,
      members: [
        { address: '127.0.0.1', port: apiPort },
        { address: '10.71.0.200', port: 80 },
        { address: '192.168.1.1', port: 80 },
      ],
    });
    await listening(door.address, door.port);
    const loop = await api(sb, 'POST', `${LB}/pools/${door.poolId}/members`, demo, {
      member: { address: door.address, protocol_port: door.port },
    });
    expect(loop.status).toBe(201);
    for (let i = 0; i < 4; i += 1) {
      const r = await get(`http://${door.address}:${door.port}/identity/v3`);
      expect(r.status).toBe(503);
      expect(r.body).not.toMatch(/version/);
    }
  });

  it('isLoopback accepts 127.0.0.0/8 only', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.42.0.10')).toBe(true);
    for (const a of ['10.0.0.1', '0.0.0.0', '::1', '127.0.0.256', '1127.0.0.1', 'localhost'])
      expect(isLoopback(a)).toBe(false);
  });
});
