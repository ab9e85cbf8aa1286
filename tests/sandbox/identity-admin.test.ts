/**
 * Keystone administration in the sandbox: domains, regions, services and
 * endpoints (and the token catalog following them), roles, policies and
 * groups, as a real Keystone (Zed) answers; a member is refused every admin call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConformant } from './openapi';
import type { SandboxContext } from '../../src/sandbox/core/context';
import { SqliteStore } from '../../src/sandbox/core/store';
import { K, type RoleDoc } from '../../src/sandbox/services/identity/model';
import { ensureImpliedRoles } from '../../src/sandbox/services/identity/seed';
import { call, issueToken, loginToken, startTestSandbox, type Answer, type TestSandbox } from './helpers';

let sb: TestSandbox;
let admin: string;
let member: string;
beforeAll(async () => {
  sb = await startTestSandbox({ tokenTtlSeconds: 600 });
  admin = await loginToken(sb, 'admin');
  member = await loginToken(sb, 'demo');
});
afterAll(async () => sb.close());

const v3 = (path: string): string => `${sb.url}/identity/v3${path}`;
const send = (method: string, path: string, body?: unknown, token = admin): Promise<Answer> =>
  call(v3(path), { method, token, body: body === undefined ? undefined : JSON.stringify(body) });
const field = <T>(a: Answer, key: string): T => (a.json as Record<string, T>)[key] as T;
const errorOf = (a: Answer): { code: number; title: string; message: string } =>
  (a.json as { error: { code: number; title: string; message: string } }).error;

describe('domains', () => {
  it('creates, updates, shows and deletes a domain; an enabled domain cannot be deleted', async () => {
    const created = await send('POST', '/domains', { domain: { name: 'dom-a', description: 'first' } });
    expect(created.status).toBe(201);
    expectConformant('identity', 'POST', '/v3/domains', 201, created.json);
    const d = field<{ id: string; name: string; enabled: boolean; links: { self: string } }>(created, 'domain');
    expect(d).toMatchObject({ name: 'dom-a', description: 'first', enabled: true, tags: [], options: {} });
    expect(d.links.self).toBe(v3(`/domains/${d.id}`));
    expect((await send('POST', '/domains', { domain: { name: 'dom-a' } })).status).toBe(409);

    const enabledDelete = await send('DELETE', `/domains/${d.id}`);
    expect(enabledDelete.status).toBe(403);
    expect(errorOf(enabledDelete)).toEqual({
      code: 403,
      title: 'Forbidden',
      message: 'Cannot delete a domain that is enabled, please disable it first.',
    });

    const updated = await send('PATCH', `/domains/${d.id}`, {
      domain: { name: 'dom-b', description: 'second', enabled: false },
    });
    expect(updated.status).toBe(200);
    expectConformant('identity', 'PATCH', '/v3/domains/{domain_id}', 200, updated.json);
    expect(field(updated, 'domain')).toMatchObject({ name: 'dom-b', description: 'second', enabled: false });
    const shown = await send('GET', `/domains/${d.id}`);
    expectConformant('identity', 'GET', '/v3/domains/{domain_id}', 200, shown.json);
    expect(field(shown, 'domain')).toMatchObject({ name: 'dom-b', enabled: false });

    expect((await send('DELETE', `/domains/${d.id}`)).status).toBe(204);
    expect((await send('GET', `/domains/${d.id}`)).status).toBe(404);
    const list = await send('GET', '/domains');
    expect(field<{ id: string }[]>(list, 'domains').map((x) => x.id)).not.toContain(d.id);
  });

  it("takes a deleted domain's projects, users and groups with it, and a disabled domain's users get no token", async () => {
    const d = field<{ id: string }>(await send('POST', '/domains', { domain: { name: 'dom-c' } }), 'domain');
    const p = field<{ id: string }>(
      await send('POST', '/projects', { project: { name: 'p-c', domain_id: d.id } }),
      'project',
    );
    const u = field<{ id: string }>(
      await send('POST', '/users', { user: { name: 'u-c', domain_id: d.id, password: 'secret-c' } }),
      'user',
    );
    const g = field<{ id: string }>(
      await send('POST', '/groups', { group: { name: 'g-c', domain_id: d.id } }),
      'group',
    );
    const role = field<{ id: string }[]>(await send('GET', '/roles?name=member'), 'roles')[0]?.id ?? '';
    expect((await send('PUT', `/projects/${p.id}/users/${u.id}/roles/${role}`)).status).toBe(204);
    const login = () =>
      call(v3('/auth/tokens'), {
        method: 'POST',
        body: JSON.stringify({
          auth: {
            identity: { methods: ['password'], password: { user: { id: u.id, password: 'secret-c' } } },
            scope: { project: { id: p.id } },
          },
        }),
      });
    expect((await login()).status).toBe(201);
    expect((await send('PATCH', `/domains/${d.id}`, { domain: { enabled: false } })).status).toBe(200);
    expect((await login()).status).toBe(401);
    expect((await send('DELETE', `/domains/${d.id}`)).status).toBe(204);
    expect((await send('GET', `/projects/${p.id}`)).status).toBe(404);
    expect((await send('GET', `/users/${u.id}`)).status).toBe(404);
    expect((await send('GET', `/groups/${g.id}`)).status).toBe(404);
  });
});

describe('regions, services and endpoints', () => {
  it('creates a region with a given id and a child region; a parent must exist; 409 on a taken id', async () => {
    const id = '6f1a3c1e-3b5e-4f6a-9d55-2f8b6f0a1c11';
    const created = await send('POST', '/regions', { region: { id, description: 'r1' } });
    expect(created.status).toBe(201);
    expect(field(created, 'region')).toEqual({
      id,
      description: 'r1',
      parent_region_id: null,
      links: { self: v3(`/regions/${id}`) },
    });
    const dup = await send('POST', '/regions', { region: { id } });
    expect(dup.status).toBe(409);
    expect(errorOf(dup).message).toBe(`Conflict occurred attempting to store region - Duplicate ID, ${id}..`);
    const child = await send('POST', '/regions', { region: { parent_region_id: id } });
    expect(child.status).toBe(201);
    expectConformant('identity', 'POST', '/v3/regions', 201, child.json);
    const childId = field<{ id: string; parent_region_id: string }>(child, 'region').id;
    expect(field<{ parent_region_id: string }>(child, 'region').parent_region_id).toBe(id);
    expect((await send('POST', '/regions', { region: { parent_region_id: 'nowhere' } })).status).toBe(404);
    const children = await send('GET', `/regions?parent_region_id=${id}`);
    expect(field<{ id: string }[]>(children, 'regions').map((r) => r.id)).toEqual([childId]);
    const patched = await send('PATCH', `/regions/${id}`, { region: { description: 'r1 again' } });
    expectConformant('identity', 'PATCH', '/v3/regions/{region_id}', 200, patched.json);
    expect((await send('PATCH', `/regions/${id}`, { region: { parent_region_id: childId } })).status).toBe(400);
    expect((await send('DELETE', `/regions/${id}`)).status).toBe(204);
    expect((await send('GET', `/regions/${childId}`)).status).toBe(404);
  });

  it('administers a service and its endpoints, and the token catalog follows them', async () => {
    const svc = await send('POST', '/services', { service: { type: 'widget', name: 'widgets', description: 'd1' } });
    expect(svc.status).toBe(201);
    expectConformant('identity', 'POST', '/v3/services', 201, svc.json);
    const s = field<{ id: string }>(svc, 'service');
    expect(s).toMatchObject({ type: 'widget', name: 'widgets', description: 'd1', enabled: true });
    const upd = await send('PATCH', `/services/${s.id}`, { service: { description: 'd2' } });
    expectConformant('identity', 'PATCH', '/v3/services/{service_id}', 200, upd.json);
    expect(field(await send('GET', `/services/${s.id}`), 'service')).toEqual(field(upd, 'service'));

    const ep = await send('POST', '/endpoints', {
      endpoint: {
        service_id: s.id,
        interface: 'public',
        url: 'http://127.0.0.1:9/widgets/$(project_id)s',
        region: 'r-w',
      },
    });
    expect(ep.status).toBe(201);
    expectConformant('identity', 'POST', '/v3/endpoints', 201, ep.json);
    const e = field<{ id: string; region: string; region_id: string; url: string }>(ep, 'endpoint');
    expect(e).toMatchObject({ region: 'r-w', region_id: 'r-w', url: 'http://127.0.0.1:9/widgets/$(project_id)s' });
    // The legacy `region` is created on the fly; `region_id` must name an existing one.
    expect((await send('GET', '/regions/r-w')).status).toBe(200);
    const badRegion = await send('POST', '/endpoints', {
      endpoint: { service_id: s.id, interface: 'public', url: 'http://127.0.0.1:9/', region_id: 'nope' },
    });
    expect(badRegion.status).toBe(400);
    const badService = await send('POST', '/endpoints', {
      endpoint: { service_id: 'nope', interface: 'public', url: 'http://127.0.0.1:9/' },
    });
    expect(badService.status).toBe(400);
    expect(
      (await send('POST', '/endpoints', { endpoint: { service_id: s.id, interface: 'side', url: 'http://x/' } }))
        .status,
    ).toBe(400);

    const issued = await issueToken(sb.url, 'admin', sb.sandbox.logins.admin, 'admin');
    const projectId = issued.body.token.project.id;
    const widget = () =>
      issueToken(sb.url, 'admin', sb.sandbox.logins.admin, 'admin').then((t) =>
        t.body.token.catalog.find((c) => c.type === 'widget'),
      );
    expect((await widget())?.endpoints.map((x) => x.url)).toEqual([`http://127.0.0.1:9/widgets/${projectId}`]);

    const moved = await send('PATCH', `/endpoints/${e.id}`, {
      endpoint: { interface: 'internal', url: 'http://127.0.0.1:9/w2', region: 'r-w2', enabled: false },
    });
    expect(moved.status).toBe(200);
    expectConformant('identity', 'PATCH', '/v3/endpoints/{endpoint_id}', 200, moved.json);
    expect(field(moved, 'endpoint')).toMatchObject({ interface: 'internal', region: 'r-w2', enabled: false });
    expect((await widget())?.endpoints).toEqual([]);
    // A region with endpoints cannot go.
    expect((await send('DELETE', '/regions/r-w2')).status).toBe(403);

    expect((await send('DELETE', `/services/${s.id}`)).status).toBe(204);
    expect(await widget()).toBeUndefined();
    expect((await send('GET', `/endpoints/${e.id}`)).status).toBe(404);
    expect((await send('DELETE', '/regions/r-w2')).status).toBe(204);
    // The built-in services are untouched.
    const types = issued.body.token.catalog.map((c) => c.type);
    for (const t of ['identity', 'compute', 'network', 'image']) expect(types).toContain(t);
  });
});

describe('roles and policies', () => {
  it('creates, renames, shows and lists a role; the built-in roles are immutable', async () => {
    const created = await send('POST', '/roles', { role: { name: 'auditor' } });
    expect(created.status).toBe(201);
    const r = field<{ id: string }>(created, 'role');
    const renamed = await send('PATCH', `/roles/${r.id}`, { role: { name: 'auditor2', description: 'reads' } });
    expect(renamed.status).toBe(200);
    expectConformant('identity', 'PATCH', '/v3/roles/{role_id}', 200, renamed.json);
    expect(field(await send('GET', `/roles/${r.id}`), 'role')).toMatchObject({
      name: 'auditor2',
      description: 'reads',
    });
    expect(field<{ id: string }[]>(await send('GET', '/roles'), 'roles').map((x) => x.id)).toContain(r.id);
    expect((await send('PATCH', `/roles/${r.id}`, { role: { name: 'member' } })).status).toBe(409);
    const adminRole = field<{ id: string }[]>(await send('GET', '/roles?name=admin'), 'roles')[0]?.id ?? '';
    const refused = await send('PATCH', `/roles/${adminRole}`, { role: { name: 'boss' } });
    expect(refused.status).toBe(403);
    expect(errorOf(refused).message).toContain('Unable to update immutable role resource');
    expect((await send('DELETE', `/roles/${adminRole}`)).status).toBe(403);
    expect((await send('DELETE', `/roles/${r.id}`)).status).toBe(204);
  });

  it('creates, updates, shows, lists and deletes a policy', async () => {
    const created = await send('POST', '/policies', { policy: { blob: '{"x": 1}', type: 'application/json' } });
    expect(created.status).toBe(201);
    expectConformant('identity', 'POST', '/v3/policies', 201, created.json);
    const p = field<{ id: string }>(created, 'policy');
    expect(p).toMatchObject({ blob: '{"x": 1}', type: 'application/json' });
    expect((await send('POST', '/policies', { policy: { type: 'application/json' } })).status).toBe(400);
    // Other attributes are kept and answered back as Keystone does, a "__proto__" one as a plain attribute.
    const extra = await call(v3('/policies'), {
      method: 'POST',
      token: admin,
      body: '{"policy": {"blob": "b", "type": "t", "owner": "ops", "__proto__": {"polluted": true}, "id": "mine"}}',
    });
    expect(extra.status).toBe(201);
    const kept = field<Record<string, unknown>>(extra, 'policy');
    expect(kept.owner).toBe('ops');
    expect(kept.id).not.toBe('mine');
    expect(Object.getOwnPropertyDescriptor(kept, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await send('DELETE', `/policies/${String(kept.id)}`)).status).toBe(204);
    const upd = await send('PATCH', `/policies/${p.id}`, { policy: { type: 'text/plain' } });
    expectConformant('identity', 'PATCH', '/v3/policies/{policy_id}', 200, upd.json);
    const shown = await send('GET', `/policies/${p.id}`);
    expect(field(shown, 'policy')).toMatchObject({ id: p.id, blob: '{"x": 1}', type: 'text/plain' });
    const list = await send('GET', '/policies?type=text/plain');
    expectConformant('identity', 'GET', '/v3/policies', 200, list.json);
    expect(field<{ id: string }[]>(list, 'policies').map((x) => x.id)).toEqual([p.id]);
    expect((await send('DELETE', `/policies/${p.id}`)).status).toBe(204);
    expect((await send('GET', `/policies/${p.id}`)).status).toBe(404);
  });
});

describe('groups', () => {
  it('adds, checks, lists and removes members', async () => {
    const created = await send('POST', '/groups', { group: { name: 'ops', description: 'operators' } });
    expect(created.status).toBe(201);
    expectConformant('identity', 'POST', '/v3/groups', 201, created.json);
    const g = field<{ id: string }>(created, 'group');
    expect(g).toMatchObject({ name: 'ops', description: 'operators', domain_id: 'default' });
    expect((await send('POST', '/groups', { group: { name: 'ops' } })).status).toBe(409);
    const u = field<{ id: string; name: string }>(
      await send('POST', '/users', { user: { name: 'op1', password: 'pw-op1', email: 'op1@example.test' } }),
      'user',
    );
    expect((await send('HEAD', `/groups/${g.id}/users/${u.id}`)).status).toBe(404);
    expect((await send('PUT', `/groups/${g.id}/users/${u.id}`)).status).toBe(204);
    expect((await send('HEAD', `/groups/${g.id}/users/${u.id}`)).status).toBe(204);
    const users = await send('GET', `/groups/${g.id}/users`);
    expectConformant('identity', 'GET', '/v3/groups/{group_id}/users', 200, users.json);
    expect(field(users, 'users')).toEqual([field(await send('GET', `/users/${u.id}`), 'user')]);
    const groups = await send('GET', `/users/${u.id}/groups`);
    expectConformant('identity', 'GET', '/v3/users/{user_id}/groups', 200, groups.json);
    expect(field<{ id: string }[]>(groups, 'groups').map((x) => x.id)).toEqual([g.id]);

    const upd = await send('PATCH', `/groups/${g.id}`, { group: { name: 'ops2' } });
    expectConformant('identity', 'PATCH', '/v3/groups/{group_id}', 200, upd.json);
    expect(field(upd, 'group')).toMatchObject({ name: 'ops2', description: 'operators' });

    expect((await send('DELETE', `/groups/${g.id}/users/${u.id}`)).status).toBe(204);
    const again = await send('DELETE', `/groups/${g.id}/users/${u.id}`);
    expect(again.status).toBe(404);
    expect(errorOf(again).message).toBe(`User '${u.id}' not found in group '${g.id}'`);
    expect(field(await send('GET', `/groups/${g.id}/users`), 'users')).toEqual([]);
    expect((await send('DELETE', `/groups/${g.id}`)).status).toBe(204);
    expect((await send('GET', `/groups/${g.id}`)).status).toBe(404);
  });
});

describe('a member administers nothing', () => {
  it('gets 403 from every admin call', async () => {
    const calls: [string, string, unknown?][] = [
      ['POST', '/domains', { domain: { name: 'evil' } }],
      ['PATCH', '/domains/default', { domain: { enabled: false } }],
      ['DELETE', '/domains/default'],
      ['POST', '/regions', { region: { id: 'evil' } }],
      ['PUT', '/regions/evil', { region: {} }],
      ['PATCH', '/regions/RegionOne', { region: { description: 'evil' } }],
      ['DELETE', '/regions/RegionOne'],
      ['GET', '/services'],
      ['POST', '/services', { service: { type: 'evil' } }],
      ['GET', '/endpoints'],
      ['POST', '/endpoints', { endpoint: { service_id: 'x', interface: 'public', url: 'http://127.0.0.1:9/' } }],
      ['POST', '/roles', { role: { name: 'evil' } }],
      ['GET', '/policies'],
      ['POST', '/policies', { policy: { blob: '{}', type: 'evil' } }],
      ['GET', '/groups'],
      ['POST', '/groups', { group: { name: 'evil' } }],
    ];
    for (const [method, path, body] of calls) {
      const a = await send(method, path, body, member);
      expect(a.status, `${method} ${path}`).toBe(403);
      expect(errorOf(a).title).toBe('Forbidden');
    }
    // The catalog administration routes that name an object answer 403 before looking it up.
    const services = field<{ id: string }[]>(await send('GET', '/services'), 'services');
    const endpoints = field<{ id: string }[]>(await send('GET', '/endpoints'), 'endpoints');
    for (const [method, path] of [
      ['PATCH', `/services/${services[0]?.id}`],
      ['DELETE', `/services/${services[0]?.id}`],
      ['PATCH', `/endpoints/${endpoints[0]?.id}`],
      ['DELETE', `/endpoints/${endpoints[0]?.id}`],
    ] as const) {
      const body = method === 'PATCH' ? { [path.split('/')[1]?.slice(0, -1) ?? '']: { enabled: false } } : undefined;
      expect((await send(method, path, body, member)).status, `${method} ${path}`).toBe(403);
    }
    // Nothing changed.
    expect(field<{ enabled: boolean }>(await send('GET', '/domains/default'), 'domain').enabled).toBe(true);
    expect(field<{ description: string }>(await send('GET', '/regions/RegionOne'), 'region').description).toBe('');
  });
});

describe('application credential expiry', () => {
  it('keeps the microseconds of expires_at as given', async () => {
    const { token, body } = await issueToken(sb.url, 'demo', sb.sandbox.logins.demo, 'demo');
    const created = await call(v3(`/users/${body.token.user.id}/application_credentials`), {
      method: 'POST',
      token,
      body: JSON.stringify({ application_credential: { name: 'micro', expires_at: '2099-12-07T23:40:52.214724' } }),
    });
    expect(created.status).toBe(201);
    expect(field<{ expires_at: string }>(created, 'application_credential').expires_at).toBe(
      '2099-12-07T23:40:52.214724',
    );
  });
});

describe('trusts', () => {
  /** A trustor with two roles on its own project, and its project-scoped token. */
  const trustor = async (name: string) => {
    const p = field<{ id: string }>(await send('POST', '/projects', { project: { name: `${name}-p` } }), 'project');
    const u = field<{ id: string }>(
      await send('POST', '/users', { user: { name, password: `${name}-pw`, default_project_id: p.id } }),
      'user',
    );
    const give = field<{ id: string }>(await send('POST', '/roles', { role: { name: `${name}-give` } }), 'role');
    const keep = field<{ id: string }>(await send('POST', '/roles', { role: { name: `${name}-keep` } }), 'role');
    for (const r of [give, keep]) await send('PUT', `/projects/${p.id}/users/${u.id}/roles/${r.id}`);
    const t = await call(v3('/auth/tokens'), {
      method: 'POST',
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { id: u.id, password: `${name}-pw` } } },
          scope: { project: { id: p.id } },
        },
      }),
    });
    return { project: p.id, user: u.id, give, keep, token: t.headers.get('x-subject-token') ?? '' };
  };
  const demoId = async (): Promise<string> =>
    field<{ id: string }[]>(await send('GET', '/users?name=demo'), 'users')[0]?.id ?? '';

  it('creates, shows, lists and deletes a trust, with the roles it delegates', async () => {
    const t = await trustor('alice');
    const trustee = await demoId();
    const created = await send(
      'POST',
      '/OS-TRUST/trusts',
      {
        trust: {
          trustor_user_id: t.user,
          trustee_user_id: trustee,
          project_id: t.project,
          roles: [{ name: 'alice-give' }],
          impersonation: true,
          expires_at: '2099-01-02T03:04:05.123456',
        },
      },
      t.token,
    );
    expect(created.status).toBe(201);
    expectConformant('identity', 'POST', '/v3/OS-TRUST/trusts', 201, created.json);
    const trust = field<{ id: string; roles: { id: string; name: string }[]; links: { self: string } }>(
      created,
      'trust',
    );
    expect(trust).toMatchObject({
      trustor_user_id: t.user,
      trustee_user_id: trustee,
      project_id: t.project,
      impersonation: true,
      expires_at: '2099-01-02T03:04:05.123456Z',
      remaining_uses: null,
    });
    expect(trust.roles.map((r) => r.id)).toEqual([t.give.id]);
    expect(trust.links.self).toBe(v3(`/OS-TRUST/trusts/${trust.id}`));

    const shown = await send('GET', `/OS-TRUST/trusts/${trust.id}`, undefined, t.token);
    expectConformant('identity', 'GET', '/v3/OS-TRUST/trusts/{trust_id}', 200, shown.json);
    const all = await send('GET', '/OS-TRUST/trusts');
    expectConformant('identity', 'GET', '/v3/OS-TRUST/trusts', 200, all.json);
    const listed = field<Record<string, unknown>[]>(all, 'trusts').find((x) => x.id === trust.id);
    expect(listed).toMatchObject({ trustor_user_id: t.user, project_id: t.project });
    expect(listed?.roles).toBeUndefined();
    const mine = await send('GET', `/OS-TRUST/trusts?trustor_user_id=${t.user}`, undefined, t.token);
    expect(field<{ id: string }[]>(mine, 'trusts').map((x) => x.id)).toEqual([trust.id]);
    const asTrustee = await send('GET', `/OS-TRUST/trusts?trustee_user_id=${trustee}`, undefined, member);
    expect(field<{ id: string }[]>(asTrustee, 'trusts').map((x) => x.id)).toContain(trust.id);

    const roles = await send('GET', `/OS-TRUST/trusts/${trust.id}/roles`, undefined, member);
    expect(field<{ id: string }[]>(roles, 'roles').map((r) => r.id)).toEqual([t.give.id]);
    expect((await send('HEAD', `/OS-TRUST/trusts/${trust.id}/roles/${t.give.id}`, undefined, t.token)).status).toBe(
      200,
    );
    expect((await send('GET', `/OS-TRUST/trusts/${trust.id}/roles/${t.keep.id}`, undefined, t.token)).status).toBe(404);

    // Only the trustor (or an admin) deletes it; the trustee may not.
    expect((await send('DELETE', `/OS-TRUST/trusts/${trust.id}`, undefined, member)).status).toBe(403);
    expect((await send('DELETE', `/OS-TRUST/trusts/${trust.id}`, undefined, t.token)).status).toBe(204);
    expect((await send('GET', `/OS-TRUST/trusts/${trust.id}`, undefined, t.token)).status).toBe(404);
  });

  it('cannot delegate a role the trustor does not hold, nor be made for someone else', async () => {
    const t = await trustor('bob');
    const trustee = await demoId();
    const adminRole = field<{ id: string }[]>(await send('GET', '/roles?name=admin'), 'roles')[0]?.id ?? '';
    const escalate = await send(
      'POST',
      '/OS-TRUST/trusts',
      {
        trust: {
          trustor_user_id: t.user,
          trustee_user_id: trustee,
          project_id: t.project,
          roles: [{ id: adminRole }],
          impersonation: false,
        },
      },
      t.token,
    );
    expect(escalate.status).toBe(404);
    expect(errorOf(escalate).message).toBe(`Could not find role: ${adminRole}.`);
    // A member cannot make a trust in another user's name, nor list every trust.
    const forged = await send(
      'POST',
      '/OS-TRUST/trusts',
      {
        trust: {
          trustor_user_id: t.user,
          trustee_user_id: trustee,
          project_id: t.project,
          roles: [{ id: t.give.id }],
          impersonation: true,
        },
      },
      member,
    );
    expect(forged.status).toBe(403);
    expect((await send('GET', '/OS-TRUST/trusts', undefined, member)).status).toBe(403);
    expect((await send('GET', `/OS-TRUST/trusts?trustor_user_id=${t.user}`, undefined, member)).status).toBe(403);
    const noRoles = await send(
      'POST',
      '/OS-TRUST/trusts',
      { trust: { trustor_user_id: t.user, trustee_user_id: trustee, project_id: t.project, impersonation: true } },
      t.token,
    );
    expect(noRoles.status).toBe(403);
  });
});

describe('grants and role assignments', () => {
  it("grants a group a role on a project (its members' tokens carry it), a user one on a domain and on the system", async () => {
    const p = field<{ id: string }>(await send('POST', '/projects', { project: { name: 'grant-p' } }), 'project');
    const u = field<{ id: string }>(
      await send('POST', '/users', { user: { name: 'grant-u', password: 'grant-pw' } }),
      'user',
    );
    const g = field<{ id: string }>(await send('POST', '/groups', { group: { name: 'grant-g' } }), 'group');
    const memberRole = field<{ id: string }[]>(await send('GET', '/roles?name=member'), 'roles')[0]?.id ?? '';
    const readerRole = field<{ id: string }[]>(await send('GET', '/roles?name=reader'), 'roles')[0]?.id ?? '';
    const login = () =>
      call(v3('/auth/tokens'), {
        method: 'POST',
        body: JSON.stringify({
          auth: {
            identity: { methods: ['password'], password: { user: { id: u.id, password: 'grant-pw' } } },
            scope: { project: { id: p.id } },
          },
        }),
      });
    expect((await login()).status).toBe(401);
    await send('PUT', `/groups/${g.id}/users/${u.id}`);
    const groupGrant = `/projects/${p.id}/groups/${g.id}/roles/${memberRole}`;
    expect((await send('HEAD', groupGrant)).status).toBe(404);
    expect((await send('PUT', groupGrant)).status).toBe(204);
    expect((await send('HEAD', groupGrant)).status).toBe(204);
    const listed = await send('GET', `/projects/${p.id}/groups/${g.id}/roles`);
    expectConformant('identity', 'GET', '/v3/projects/{project_id}/groups/{group_id}/roles', 200, listed.json);
    expect(field<{ id: string }[]>(listed, 'roles').map((r) => r.id)).toEqual([memberRole]);
    const token = await login();
    expect(token.status).toBe(201);
    expect((token.json as { token: { roles: { name: string }[] } }).token.roles.map((r) => r.name)).toEqual([
      'reader',
      'member',
    ]);

    const domainGrant = `/domains/default/users/${u.id}/roles/${readerRole}`;
    expect((await send('PUT', domainGrant)).status).toBe(204);
    expect((await send('GET', domainGrant)).status).toBe(204);
    const systemGrant = `/system/users/${u.id}/roles/${readerRole}`;
    expect((await send('PUT', systemGrant)).status).toBe(204);
    const system = await send('GET', `/system/users/${u.id}/roles`);
    expectConformant('identity', 'GET', '/v3/system/users/{user_id}/roles', 200, system.json);
    expect(field<{ id: string }[]>(system, 'roles').map((r) => r.id)).toEqual([readerRole]);

    const direct = await send('GET', `/role_assignments?user.id=${u.id}`);
    expectConformant('identity', 'GET', '/v3/role_assignments', 200, direct.json);
    expect(field<Record<string, unknown>[]>(direct, 'role_assignments')).toEqual([
      {
        scope: { domain: { id: 'default' } },
        user: { id: u.id },
        role: { id: readerRole },
        links: { assignment: v3(`/domains/default/users/${u.id}/roles/${readerRole}`) },
      },
      {
        scope: { system: { all: true } },
        user: { id: u.id },
        role: { id: readerRole },
        links: { assignment: v3(`/system/users/${u.id}/roles/${readerRole}`) },
      },
    ]);
    const effective = await send('GET', `/role_assignments?user.id=${u.id}&scope.project.id=${p.id}&effective`);
    expect(field<Record<string, unknown>[]>(effective, 'role_assignments')).toEqual([
      {
        scope: { project: { id: p.id } },
        user: { id: u.id },
        role: { id: memberRole },
        links: {
          assignment: v3(`/projects/${p.id}/groups/${g.id}/roles/${memberRole}`),
          membership: v3(`/groups/${g.id}/users/${u.id}`),
        },
      },
      {
        scope: { project: { id: p.id } },
        user: { id: u.id },
        role: { id: readerRole },
        links: {
          assignment: v3(`/projects/${p.id}/groups/${g.id}/roles/${memberRole}`),
          membership: v3(`/groups/${g.id}/users/${u.id}`),
          prior_role: v3(`/prior_role/${readerRole}/implies/${memberRole}`),
        },
      },
    ]);
    const byGroup = await send('GET', `/role_assignments?group.id=${g.id}&include_names`);
    expect(field<Record<string, unknown>[]>(byGroup, 'role_assignments')).toEqual([
      {
        scope: { project: { id: p.id, name: 'grant-p', domain: { id: 'default', name: 'Default' } } },
        group: { id: g.id, name: 'grant-g', domain: { id: 'default', name: 'Default' } },
        role: { id: memberRole, name: 'member' },
        links: { assignment: v3(`/projects/${p.id}/groups/${g.id}/roles/${memberRole}`) },
      },
    ]);

    // Revoking the group's grant revokes the member's token and its next login.
    const t = token.headers.get('x-subject-token') ?? '';
    expect((await send('DELETE', groupGrant)).status).toBe(204);
    expect((await send('DELETE', groupGrant)).status).toBe(404);
    expect((await call(v3('/auth/tokens'), { token: admin, headers: { 'x-subject-token': t } })).status).toBe(404);
    expect((await login()).status).toBe(401);
  });

  it('refuses every grant call to a member', async () => {
    const demo = field<{ id: string }[]>(await send('GET', '/users?name=demo'), 'users')[0]?.id ?? '';
    const adminRole = field<{ id: string }[]>(await send('GET', '/roles?name=admin'), 'roles')[0]?.id ?? '';
    const demoProject = field<{ id: string }[]>(await send('GET', '/projects?name=demo'), 'projects')[0]?.id ?? '';
    for (const path of [
      `/projects/${demoProject}/users/${demo}/roles/${adminRole}`,
      `/domains/default/users/${demo}/roles/${adminRole}`,
      `/system/users/${demo}/roles/${adminRole}`,
    ]) {
      expect((await send('PUT', path, undefined, member)).status, path).toBe(403);
      expect((await send('HEAD', path, undefined, member)).status, path).toBe(403);
    }
    expect((await send('GET', '/role_assignments', undefined, member)).status).toBe(403);
    expect((await send('GET', `/role_assignments?user.id=${demo}`, undefined, member)).status).toBe(200);
    expect(field<unknown[]>(await send('GET', `/system/users/${demo}/roles`), 'roles')).toEqual([]);
  });
});

describe('implied roles', () => {
  it('lists the default rules, adds and removes one, and tokens follow it', async () => {
    const roleId = async (name: string): Promise<string> =>
      field<{ id: string }[]>(await send('GET', `/roles?name=${name}`), 'roles')[0]?.id ?? '';
    const [adminRole, memberRole, readerRole] = [await roleId('admin'), await roleId('member'), await roleId('reader')];
    const rules = await send('GET', '/role_inferences');
    expectConformant('identity', 'GET', '/v3/role_inferences', 200, rules.json);
    const pairs = field<{ prior_role: { id: string }; implies: { id: string }[] }[]>(rules, 'role_inferences').map(
      (x) => [x.prior_role.id, x.implies.map((i) => i.id)],
    );
    expect(pairs).toEqual([
      [adminRole, [memberRole]],
      [memberRole, [readerRole]],
    ]);

    const viewer = field<{ id: string }>(await send('POST', '/roles', { role: { name: 'viewer' } }), 'role');
    const rule = `/roles/${readerRole}/implies/${viewer.id}`;
    expect((await send('HEAD', rule)).status).toBe(404);
    const put = await send('PUT', rule);
    expect(put.status).toBe(201);
    expectConformant('identity', 'PUT', '/v3/roles/{prior_role_id}/implies/{implied_role_id}', 201, put.json);
    expect(put.json).toEqual({
      role_inference: {
        prior_role: { id: readerRole, links: { self: v3(`/roles/${readerRole}`) }, name: 'reader' },
        implies: { id: viewer.id, links: { self: v3(`/roles/${viewer.id}`) }, name: 'viewer' },
      },
      links: { self: v3(rule) },
    });
    expect((await send('HEAD', rule)).status).toBe(204);
    const ofReader = await send('GET', `/roles/${readerRole}/implies`);
    expectConformant('identity', 'GET', '/v3/roles/{prior_role_id}/implies', 200, ofReader.json);
    // demo (member on demo) now gets viewer through member ⇒ reader ⇒ viewer.
    const demoToken = await issueToken(sb.url, 'demo', sb.sandbox.logins.demo, 'demo');
    const names = (demoToken.body.token as unknown as { roles: { name: string }[] }).roles.map((r) => r.name);
    expect(names.sort()).toEqual(['member', 'reader', 'viewer']);
    // Nothing may imply admin (Keystone's prohibited_implied_role).
    expect((await send('PUT', `/roles/${viewer.id}/implies/${adminRole}`)).status).toBe(403);
    expect((await send('PUT', `/roles/${viewer.id}/implies/${memberRole}`, undefined, member)).status).toBe(403);

    expect((await send('DELETE', rule)).status).toBe(204);
    const gone = await send('GET', rule);
    expect(gone.status).toBe(404);
    expect(errorOf(gone).message).toBe(`${readerRole} does not imply ${viewer.id}.`);
    // The token that carried the rule's role is revoked; a new one no longer has it.
    expect(
      (await call(v3('/auth/tokens'), { token: admin, headers: { 'x-subject-token': demoToken.token } })).status,
    ).toBe(404);
    member = await loginToken(sb, 'demo');
    const again = await issueToken(sb.url, 'demo', sb.sandbox.logins.demo, 'demo');
    expect((again.body.token as unknown as { roles: { name: string }[] }).roles.map((r) => r.name)).not.toContain(
      'viewer',
    );
    expect((await send('DELETE', `/roles/${viewer.id}`)).status).toBe(204);
  });

  it('gives a database seeded before the rules were stored the default ones, once', () => {
    const store = new SqliteStore(':memory:');
    const role = (name: string) =>
      store.insert<RoleDoc>(K.role, { id: `${name}-id`, name, domain_id: null, description: null, options: {} }, null);
    role('admin');
    role('member');
    role('reader');
    const ctx = { store } as unknown as SandboxContext;
    ensureImpliedRoles(ctx);
    expect(
      store
        .list<{ prior_role_id: string; implied_role_id: string }>(K.implied)
        .map((x) => `${x.prior_role_id}>${x.implied_role_id}`),
    ).toEqual(['admin-id>member-id', 'member-id>reader-id']);
    store.delete(K.implied, 'member-id:reader-id');
    ensureImpliedRoles(ctx);
    expect(store.list(K.implied)).toHaveLength(1);
    store.close();
  });
});
