/**
 * Partner projects get what the city's `partners` entry grants and nothing more. storm grants with
 * a Neutron RBAC `access_as_shared` policy on the city network (synth/sharing.ts) and Swift container
 * ACLs `<project>:*` (read, or read+write). Here the city is the sandbox's admin project and the
 * partner its demo project: the partner tries to widen what it was given, and the sandbox refuses
 * as Neutron and Swift do. Nothing of the city changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerAcl } from '../../src/synth/sharing';
import { call, issueToken, sandboxLogin, startTestSandbox, type TestSandbox } from '../sandbox/helpers';

let sb: TestSandbox;
let city: { token: string; projectId: string };
let partner: { token: string; projectId: string };

async function login(user: 'admin' | 'demo'): Promise<{ token: string; projectId: string }> {
  const l = sandboxLogin(sb, user);
  const { token, body } = await issueToken(sb.url, l.user, l.password, l.project);
  return { token, projectId: body.token.project.id };
}

const neutron = (p: string): string => `${sb.url}/networking/v2.0${p}`;

beforeAll(async () => {
  sb = await startTestSandbox();
  city = await login('admin');
  partner = await login('demo');
});
afterAll(async () => sb.close());

async function network(name: string): Promise<string> {
  const r = await call(neutron('/networks'), {
    method: 'POST',
    token: city.token,
    body: JSON.stringify({ network: { name } }),
  });
  expect(r.status).toBe(201);
  return (r.json as { network: { id: string } }).network.id;
}

describe('a partner given the city network (RBAC access_as_shared)', () => {
  let shared: string;
  let internal: string;
  let rbacId: string;
  beforeAll(async () => {
    shared = await network('city-net');
    internal = await network('city-internal');
    const r = await call(neutron('/rbac-policies'), {
      method: 'POST',
      token: city.token,
      body: JSON.stringify({
        rbac_policy: {
          object_type: 'network',
          object_id: shared,
          action: 'access_as_shared',
          target_tenant: partner.projectId,
        },
      }),
    });
    expect(r.status).toBe(201);
    rbacId = (r.json as { rbac_policy: { id: string } }).rbac_policy.id;
  });

  it('sees and uses that network, and no other of the city', async () => {
    const list = await call(neutron('/networks'), { token: partner.token });
    const ids = (list.json as { networks: { id: string }[] }).networks.map((n) => n.id);
    expect(ids).toContain(shared);
    expect(ids).not.toContain(internal);
    expect((await call(neutron(`/networks/${internal}`), { token: partner.token })).status).toBe(404);
    const port = await call(neutron('/ports'), {
      method: 'POST',
      token: partner.token,
      body: JSON.stringify({ port: { network_id: shared, name: 'partner-port' } }),
    });
    expect(port.status).toBe(201);
    const onInternal = await call(neutron('/ports'), {
      method: 'POST',
      token: partner.token,
      body: JSON.stringify({ port: { network_id: internal } }),
    });
    expect(onInternal.status).toBe(404);
  });

  it('cannot rename, delete or re-share it, nor remove the grant', async () => {
    const rename = await call(neutron(`/networks/${shared}`), {
      method: 'PUT',
      token: partner.token,
      body: JSON.stringify({ network: { name: 'taken', shared: true } }),
    });
    expect(rename.status).toBeGreaterThanOrEqual(403);
    expect(rename.status).toBeLessThan(500);
    const del = await call(neutron(`/networks/${shared}`), { method: 'DELETE', token: partner.token });
    expect(del.status).toBeGreaterThanOrEqual(403);
    expect(del.status).toBeLessThan(500);
    const reshare = await call(neutron('/rbac-policies'), {
      method: 'POST',
      token: partner.token,
      body: JSON.stringify({
        rbac_policy: { object_type: 'network', object_id: shared, action: 'access_as_shared', target_tenant: '*' },
      }),
    });
    expect(reshare.status).toBeGreaterThanOrEqual(403);
    expect(reshare.status).toBeLessThan(500);
    const revoke = await call(neutron(`/rbac-policies/${rbacId}`), { method: 'DELETE', token: partner.token });
    expect(revoke.status).toBeGreaterThanOrEqual(403);
    expect(revoke.status).toBeLessThan(500);

    const after = await call(neutron(`/networks/${shared}`), { token: city.token });
    expect((after.json as { network: { name: string; shared: boolean } }).network).toMatchObject({
      name: 'city-net',
      shared: false,
    });
    expect((await call(neutron(`/rbac-policies/${rbacId}`), { token: city.token })).status).toBe(200);
  });
});

describe('a partner given read access to a container (Swift ACL <project>:*)', () => {
  const account = (): string => `${sb.url}/object-store/v1/AUTH_${city.projectId}`;
  beforeAll(async () => {
    const { read, write } = containerAcl('private', [{ partner: 'demo', projectId: partner.projectId, mode: 'read' }]);
    expect(write).toEqual([]);
    const put = await call(`${account()}/open-data`, {
      method: 'PUT',
      token: city.token,
      headers: { 'x-container-read': read.join(',') },
    });
    expect(put.status).toBe(201);
    expect(
      (await call(`${account()}/open-data/report.csv`, { method: 'PUT', token: city.token, body: 'a,b\n' })).status,
    ).toBe(201);
    expect((await call(`${account()}/private`, { method: 'PUT', token: city.token })).status).toBe(201);
    expect(
      (await call(`${account()}/private/secret.txt`, { method: 'PUT', token: city.token, body: 'no' })).status,
    ).toBe(201);
  });

  it('reads what is in it', async () => {
    const get = await call(`${account()}/open-data/report.csv`, { token: partner.token });
    expect(get.status).toBe(200);
    expect(get.text).toBe('a,b\n');
  });

  it('cannot write, overwrite or delete in it, change its ACL, or read the city’s other containers', async () => {
    const write = await call(`${account()}/open-data/new.csv`, { method: 'PUT', token: partner.token, body: 'x' });
    expect(write.status).toBe(403);
    const over = await call(`${account()}/open-data/report.csv`, { method: 'PUT', token: partner.token, body: 'x' });
    expect(over.status).toBe(403);
    const del = await call(`${account()}/open-data/report.csv`, { method: 'DELETE', token: partner.token });
    expect(del.status).toBe(403);
    const acl = await call(`${account()}/open-data`, {
      method: 'POST',
      token: partner.token,
      headers: { 'x-container-write': `${partner.projectId}:*` },
    });
    expect(acl.status).toBe(403);
    expect((await call(`${account()}/private/secret.txt`, { token: partner.token })).status).toBe(403);
    expect((await call(account(), { token: partner.token })).status).toBe(403);
    // The city's object is as it wrote it.
    expect((await call(`${account()}/open-data/report.csv`, { token: city.token })).text).toBe('a,b\n');
  });
});
