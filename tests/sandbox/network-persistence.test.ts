import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/server.js';

/** Neutron state lives in SQLite: a restarted sandbox answers the same resources and keeps allocating without clashes. */
const dataDir = mkdtempSync(join(tmpdir(), 'storm-network-persist-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function session() {
  const sandbox = await createSandbox({ port: 0, dataDir, statusDelayMs: 0 });
  // The sandbox answers only requests addressed to itself (its Host check against DNS rebinding).
  const host = new URL(sandbox.url).host;
  const login = await sandbox.app.inject({
    method: 'POST',
    url: '/identity/v3/auth/tokens',
    headers: { host },
    payload: {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', domain: { name: 'Default' }, password: sandbox.logins.admin } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    },
  });
  const token = String(login.headers['x-subject-token']);
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => {
    const res = await sandbox.app.inject({
      method,
      url: `/networking/v2.0${url}`,
      headers: { host, 'x-auth-token': token },
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.body === '' ? undefined : res.json() };
  };
  return { sandbox, call };
}

describe('Neutron persistence', () => {
  it('keeps networks, ports and quotas across a restart and keeps allocating fresh ids and addresses', async () => {
    const first = await session();
    const n = (await first.call('POST', '/networks', { network: { name: 'kept' } })).body.network;
    const s = (
      await first.call('POST', '/subnets', { subnet: { network_id: n.id, ip_version: 4, cidr: '10.44.0.0/24' } })
    ).body.subnet;
    const p1 = (await first.call('POST', '/ports', { port: { network_id: n.id } })).body.port;
    const project = n.project_id as string;
    await first.call('PUT', `/quotas/${project}`, { quota: { port: 3 } });
    await first.sandbox.close();

    const second = await session();
    const shown = await second.call('GET', `/networks/${n.id}`);
    expect(shown.body.network).toMatchObject({ name: 'kept', subnets: [s.id], revision_number: n.revision_number + 1 });
    expect((await second.call('GET', `/ports/${p1.id}`)).body.port.fixed_ips).toEqual(p1.fixed_ips);
    const other = (await second.call('POST', '/networks', { network: { name: 'fresh' } })).body.network;
    expect(other['provider:segmentation_id']).not.toBe(n['provider:segmentation_id']);
    const p2 = (await second.call('POST', '/ports', { port: { network_id: n.id } })).body.port;
    expect(p2.fixed_ips[0].ip_address).not.toBe(p1.fixed_ips[0].ip_address);
    expect((await second.call('GET', `/quotas/${project}`)).body.quota.port).toBe(3);
    await second.call('POST', '/ports', { port: { network_id: n.id } });
    const over = await second.call('POST', '/ports', { port: { network_id: n.id } });
    expect(over.status).toBe(409);
    expect(over.body).toEqual({
      NeutronError: { type: 'OverQuota', message: "Quota exceeded for resources: ['port'].", detail: '' },
    });
    await second.sandbox.close();
  });
});
