import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConformant } from './openapi';
import { call, issueToken, passwordAuth, startTestSandbox, type TestSandbox, sandboxLogin } from './helpers';

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox({ tokenTtlSeconds: 600 });
});
afterAll(async () => sb.close());

const tokens = (): string => `${sb.url}/identity/v3/auth/tokens`;

describe('Keystone token issue', () => {
  it('answers 201 with X-Subject-Token, a full catalog and the real body shape', async () => {
    const a = await call(tokens(), {
      method: 'POST',
      body: passwordAuth('admin', sandboxLogin(sb, 'admin').password, 'admin'),
    });
    expect(a.status).toBe(201);
    expect(a.headers.get('x-subject-token')).toMatch(/^gAAAAA/);
    expect(a.headers.get('x-openstack-request-id')).toMatch(/^req-[0-9a-f-]{36}$/);
    expectConformant('identity', 'POST', '/v3/auth/tokens', 201, a.json);
    const token = (a.json as { token: Record<string, unknown> }).token;
    expect(token.methods).toEqual(['password']);
    expect((token.project as { name: string }).name).toBe('admin');
    expect((token.roles as { name: string }[]).map((r) => r.name)).toEqual(['admin', 'reader', 'member']);
    expect(token.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const catalog = token.catalog as {
      type: string;
      name: string;
      endpoints: { interface: string; region: string; region_id: string; url: string }[];
    }[];
    const types = catalog.map((c) => c.type);
    for (const t of ['identity', 'image', 'object-store', 'network', 'volumev3']) expect(types).toContain(t);
    for (const entry of catalog) {
      expect(entry.endpoints.map((e) => e.interface).sort()).toEqual(['admin', 'internal', 'public']);
      for (const e of entry.endpoints) expect(e.region_id).toBe('RegionOne');
    }
    const projectId = (token.project as { id: string }).id;
    expect(projectId).toMatch(/^[0-9a-f]{32}$/);
    const swift = catalog.find((c) => c.type === 'object-store');
    expect(swift?.endpoints[0]?.url).toBe(`${sb.url}/object-store/v1/AUTH_${projectId}`);
    const identity = catalog.find((c) => c.type === 'identity');
    expect(identity?.endpoints[0]?.url).toBe(`${sb.url}/identity/v3/`);
  });

  it('refuses a wrong password with 401 and WWW-Authenticate', async () => {
    const a = await call(tokens(), { method: 'POST', body: passwordAuth('admin', 'nope', 'admin') });
    expect(a.status).toBe(401);
    expect(a.json).toEqual({
      error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' },
    });
    expect(a.headers.get('www-authenticate')).toBe(`Keystone uri="${sb.url}/identity/v3"`);
  });

  it('refuses a project the user has no role on', async () => {
    const a = await call(tokens(), {
      method: 'POST',
      body: passwordAuth('demo', sandboxLogin(sb, 'demo').password, 'admin'),
    });
    expect(a.status).toBe(401);
  });

  it('scopes a scope-less request of demo to its default project', async () => {
    const a = await call(tokens(), { method: 'POST', body: passwordAuth('demo', sandboxLogin(sb, 'demo').password) });
    expect(a.status).toBe(201);
    expect((a.json as { token: { project: { name: string } } }).token.project.name).toBe('demo');
  });

  it('answers 400 in Keystone style for a malformed body', async () => {
    const a = await call(tokens(), { method: 'POST', body: JSON.stringify({ auth: {} }) });
    expect(a.status).toBe(400);
    expect((a.json as { error: { code: number } }).error.code).toBe(400);
  });
});

describe('token validate and revoke', () => {
  it('validates (200/HEAD), revokes (204) and then refuses the token everywhere', async () => {
    const admin = await issueToken(sb.url, 'admin', sandboxLogin(sb, 'admin').password);
    const victim = await issueToken(sb.url, 'admin', sandboxLogin(sb, 'admin').password);
    const v = await call(tokens(), { token: admin.token, headers: { 'x-subject-token': victim.token } });
    expect(v.status).toBe(200);
    expect(v.headers.get('x-subject-token')).toBe(victim.token);
    expectConformant('identity', 'GET', '/v3/auth/tokens', 200, v.json);
    expect(
      (await call(tokens(), { method: 'HEAD', token: admin.token, headers: { 'x-subject-token': victim.token } }))
        .status,
    ).toBe(200);
    expect(
      (await call(tokens(), { method: 'DELETE', token: admin.token, headers: { 'x-subject-token': victim.token } }))
        .status,
    ).toBe(204);
    const after = await call(tokens(), { token: admin.token, headers: { 'x-subject-token': victim.token } });
    expect(after.status).toBe(404);
    expect((after.json as { error: { title: string } }).error.title).toBe('Not Found');
    const use = await call(`${sb.url}/image/v2/images`, { token: victim.token });
    expect(use.status).toBe(401);
    expect(use.text).toContain('<h1>401 Unauthorized</h1>');
    expect((await call(`${sb.url}/identity/v3/projects`, { token: victim.token })).status).toBe(401);
  });

  it('lets a token revoke itself without a separate X-Auth-Token', async () => {
    const self = await issueToken(sb.url, 'demo', sandboxLogin(sb, 'demo').password);
    expect((await call(tokens(), { method: 'DELETE', headers: { 'x-subject-token': self.token } })).status).toBe(204);
    expect((await call(`${sb.url}/image/v2/images`, { token: self.token })).status).toBe(401);
  });

  it('expires tokens after their lifetime', async () => {
    const short = await startTestSandbox({ tokenTtlSeconds: 2 });
    try {
      const { token } = await issueToken(short.url, 'admin', sandboxLogin(short, 'admin').password);
      expect((await call(`${short.url}/image/v2/images`, { token })).status).toBe(200);
      short.advance(2500);
      const a = await call(`${short.url}/networking/v2.0/networks`, { token });
      expect(a.status).toBe(401);
      expect(a.json).toEqual({
        error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
      });
      expect(
        (
          await call(`${short.url}/identity/v3/auth/tokens`, {
            method: 'POST',
            body: JSON.stringify({ auth: { identity: { methods: ['token'], token: { id: token } } } }),
          })
        ).status,
      ).toBe(401);
    } finally {
      await short.close();
    }
  });
});

describe('identity resources', () => {
  it('lists domains, projects, users, roles, services, endpoints, regions conformantly', async () => {
    const { token } = await issueToken(sb.url, 'admin', sandboxLogin(sb, 'admin').password);
    for (const p of [
      '/v3/domains',
      '/v3/projects',
      '/v3/users',
      '/v3/roles',
      '/v3/services',
      '/v3/endpoints',
      '/v3/regions',
      '/v3/auth/projects',
      '/v3/auth/catalog',
      '/v3/role_assignments',
      '/v3/groups',
      '/v3/credentials',
      '/v3/limits',
      '/v3/registered_limits',
    ]) {
      const a = await call(`${sb.url}/identity${p}`, { token });
      expect(a.status, p).toBe(200);
      expectConformant('identity', 'GET', p, 200, a.json);
    }
    const projects = (await call(`${sb.url}/identity/v3/projects`, { token })).json as { projects: { name: string }[] };
    expect(projects.projects.map((p) => p.name)).toEqual(['admin', 'service', 'demo']);
  });

  it('lets a member see only its own project and user', async () => {
    const { token } = await issueToken(sb.url, 'demo', sandboxLogin(sb, 'demo').password);
    const projects = (await call(`${sb.url}/identity/v3/projects`, { token })).json as { projects: { name: string }[] };
    expect(projects.projects.map((p) => p.name)).toEqual(['demo']);
    const users = (await call(`${sb.url}/identity/v3/users`, { token })).json as { users: { name: string }[] };
    expect(users.users.map((u) => u.name)).toEqual(['demo']);
    const create = await call(`${sb.url}/identity/v3/projects`, {
      method: 'POST',
      token,
      body: JSON.stringify({ project: { name: 'x' } }),
    });
    expect(create.status).toBe(403);
  });

  it('creates and deletes projects and users as admin, with 409 on a duplicate', async () => {
    const { token } = await issueToken(sb.url, 'admin', sandboxLogin(sb, 'admin').password);
    const created = await call(`${sb.url}/identity/v3/projects`, {
      method: 'POST',
      token,
      body: JSON.stringify({ project: { name: 'city-x', description: 'pilot' } }),
    });
    expect(created.status).toBe(201);
    expectConformant('identity', 'POST', '/v3/projects', 201, created.json);
    const dup = await call(`${sb.url}/identity/v3/projects`, {
      method: 'POST',
      token,
      body: JSON.stringify({ project: { name: 'city-x' } }),
    });
    expect(dup.status).toBe(409);
    const id = (created.json as { project: { id: string } }).project.id;
    expect((await call(`${sb.url}/identity/v3/projects/${id}`, { method: 'DELETE', token })).status).toBe(204);
    const gone = await call(`${sb.url}/identity/v3/projects/${id}`, { token });
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({ error: { code: 404, message: `Could not find project: ${id}.`, title: 'Not Found' } });
  });
});

describe('self-service password change', () => {
  it('changes the password with the original one and revokes the user tokens', async () => {
    const admin = (await issueToken(sb.url, 'admin', sandboxLogin(sb, 'admin').password)).token;
    const created = await call(`${sb.url}/identity/v3/users`, {
      method: 'POST',
      token: admin,
      body: JSON.stringify({ user: { name: 'pw-user', password: 'one' } }),
    });
    const userId = (created.json as { user: { id: string } }).user.id;
    const token =
      (await call(tokens(), { method: 'POST', body: passwordAuth('pw-user', 'one') })).headers.get('x-subject-token') ??
      '';
    const wrong = await call(`${sb.url}/identity/v3/users/${userId}/password`, {
      method: 'POST',
      token,
      body: JSON.stringify({ user: { original_password: 'nope', password: 'two' } }),
    });
    expect(wrong.status).toBe(401);
    const ok = await call(`${sb.url}/identity/v3/users/${userId}/password`, {
      method: 'POST',
      token,
      body: JSON.stringify({ user: { original_password: 'one', password: 'two' } }),
    });
    expect(ok.status).toBe(204);
    expect((await call(tokens(), { method: 'POST', body: passwordAuth('pw-user', 'one') })).status).toBe(401);
    expect((await call(tokens(), { method: 'POST', body: passwordAuth('pw-user', 'two') })).status).toBe(201);
    expect((await call(tokens(), { token: admin, headers: { 'x-subject-token': token } })).status).toBe(404);
  });
});

describe('application credentials', () => {
  it('issues a token from id+secret, shows the secret only once, and 401s once expired', async () => {
    const { token, body } = await issueToken(sb.url, 'demo', sandboxLogin(sb, 'demo').password);
    const userId = body.token.user.id;
    const expires = new Date(Date.now() + 60_000).toISOString();
    const created = await call(`${sb.url}/identity/v3/users/${userId}/application_credentials`, {
      method: 'POST',
      token,
      body: JSON.stringify({ application_credential: { name: 'ci', expires_at: expires } }),
    });
    expect(created.status).toBe(201);
    const cred = (created.json as { application_credential: { id: string; secret: string; project_id: string } })
      .application_credential;
    expect(cred.secret.length).toBeGreaterThan(20);
    const shown = await call(`${sb.url}/identity/v3/users/${userId}/application_credentials/${cred.id}`, { token });
    expect(shown.status).toBe(200);
    expect(
      (shown.json as { application_credential: Record<string, unknown> }).application_credential.secret,
    ).toBeUndefined();
    const login = (secret: string) =>
      call(tokens(), {
        method: 'POST',
        body: JSON.stringify({
          auth: { identity: { methods: ['application_credential'], application_credential: { id: cred.id, secret } } },
        }),
      });
    const ok = await login(cred.secret);
    expect(ok.status).toBe(201);
    const t = (ok.json as { token: { project: { id: string }; application_credential: { id: string } } }).token;
    expect(t.project.id).toBe(cred.project_id);
    expect(t.application_credential.id).toBe(cred.id);
    expect((await login('wrong')).status).toBe(401);
    const byName = await call(tokens(), {
      method: 'POST',
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['application_credential'],
            application_credential: {
              name: 'ci',
              user: { name: 'demo', domain: { name: 'Default' } },
              secret: cred.secret,
            },
          },
        },
      }),
    });
    expect(byName.status).toBe(201);
    sb.advance(120_000);
    expect((await login(cred.secret)).status).toBe(401);
  });
});
