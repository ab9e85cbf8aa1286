/**
 * A load balancer in front of services the service runner runs, as storm will
 * build it: two servers of storm's project with a service hint and no floating
 * IP (the floating IP is on the VIP), members at their fixed IPs and the
 * service's port, a health monitor on /healthz. The runner runs each server
 * on the sandbox's internal loopback range; requests through the VIP reach
 * both; stopping one server keeps the URL answering.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarGzip } from '../../src/deploy/artifact';
import { type ReleasePointer, signReleasePointer } from '../../src/deploy/release';
import { floatingCidrFor } from '../../src/sandbox/core/floating-range';
import { RELEASE_KEY, hintUserData, sandboxRoot, serviceHint } from '../security/support';
import { call, issueToken, sandboxLogin, startTestSandbox, type TestSandbox } from './helpers';
import { LB, api, frontDoor, get, json, listening, tenantNetwork, until } from './lb-front';

let sb: TestSandbox;
let root: string;
let token: string;
let account: string;

const APP = Buffer.from(
  [
    "require('node:http').createServer((q, s) => {",
    "  if (q.url === '/healthz') return s.end('ok');",
    "  s.setHeader('x-served-by', process.env.HOST); s.end('hello from ' + process.env.HOST);",
    '}).listen(Number(process.env.PORT), process.env.HOST);',
    '',
  ].join('\n'),
);

beforeAll(async () => {
  const r = sandboxRoot();
  root = r.root;
  sb = await startTestSandbox({ dataDir: r.dataDir, floatingCidr: floatingCidrFor(r.dataDir) });
  const admin = sandboxLogin(sb, 'admin');
  const issued = await issueToken(sb.url, admin.user, admin.password, admin.project);
  token = issued.token;
  account = `${sb.url}/object-store/v1/AUTH_${issued.body.token.project.id}`;
});

afterAll(async () => {
  await sb?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function publish(): Promise<string> {
  const artifact = tarGzip([{ path: 'main.js', content: APP }]);
  expect((await call(`${account}/rel`, { method: 'PUT', token, headers: { 'x-container-read': '.r:*' } })).status).toBe(
    201,
  );
  const url = `${account}/rel/web.tar.gz`;
  expect((await call(url, { method: 'PUT', token, body: artifact })).status).toBe(201);
  const pointer = {
    apiVersion: 'storm/v1',
    kind: 'Release',
    city: 'c',
    environment: 'e',
    service: 'web',
    template: 'web',
    version: '1.0.0',
    artifact: 'rel/web.tar.gz',
    sha256: createHash('sha256').update(artifact).digest('hex'),
    bytes: artifact.length,
    configSha256: '0'.repeat(64),
  };
  const signed = signReleasePointer(pointer as unknown as ReleasePointer, RELEASE_KEY.privateKey);
  expect((await call(`${account}/rel/web.release.json`, { method: 'PUT', token, body: signed })).status).toBe(201);
  return url;
}

describe('a load balancer in front of the service runner', () => {
  it('reaches every member the runner runs without a floating IP, and keeps answering when one stops', async () => {
    const url = await publish();
    const tenant = await tenantNetwork(sb, token, '10.81.0.0/24');
    const nets = json(await api(sb, 'GET', '/networking/v2.0/subnets', token)).subnets.find(
      (s: { id: string }) => s.id === tenant.subnetId,
    );
    const images = json(await api(sb, 'GET', '/image/v2/images?name=cirros-0.6', token));
    const servers: { id: string; ip: string }[] = [];
    for (let i = 0; i < 2; i += 1) {
      const port = json(
        await api(sb, 'POST', '/networking/v2.0/ports', token, { port: { network_id: nets.network_id } }),
      ).port;
      const userData = hintUserData(serviceHint(url, { service: 'web', template: 'web', instance: `web-${i}` }));
      const server = json(
        await api(sb, 'POST', '/compute/v2.1/servers', token, {
          server: {
            name: `web-${i}`,
            flavorRef: '1',
            imageRef: images.images[0].id,
            networks: [{ port: port.id }],
            user_data: userData,
          },
        }),
      ).server;
      servers.push({ id: server.id, ip: port.fixed_ips[0].ip_address });
    }
    const door = await frontDoor(sb, token, tenant, {
      port: 18280,
      members: servers.map((s) => ({ address: s.ip, port: 8080 })),
      monitor: { type: 'HTTP', delay: 1, timeout: 1, max_retries: 1, max_retries_down: 1, url_path: '/healthz' },
    });
    await listening(door.address, door.port, 30_000);
    const seen = new Set<string>();
    await until(
      'both members answer through the VIP',
      async () => {
        const r = await get(`http://${door.address}:${door.port}/`);
        if (r.status === 200) seen.add(String(r.headers['x-served-by']));
        return seen.size === 2;
      },
      60_000,
    );
    // The runner's addresses: the internal range, not a floating IP.
    for (const a of seen) expect(a).not.toBe(door.address);

    // Stop one server: the runner stops its process; the URL keeps answering from the other.
    const stop = await api(sb, 'POST', `/compute/v2.1/servers/${servers[0]?.id}/action`, token, { 'os-stop': null });
    expect(stop.status).toBe(202);
    await until(
      'a member in ERROR',
      async () =>
        json(await api(sb, 'GET', `${LB}/loadbalancers/${door.lbId}/status`, token)).statuses.loadbalancer
          .operating_status === 'DEGRADED',
      30_000,
    );
    for (let i = 0; i < 4; i += 1) expect((await get(`http://${door.address}:${door.port}/`)).status).toBe(200);
  });
});
