/**
 * Issue 10, item 1: one tenant cannot reach another's tokens, credentials,
 * images or objects. Each attack is performed against a running sandbox and
 * refused the way Keystone, Nova, Cinder and Swift refuse it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicRead } from '../../src/sandbox/services/object-store/acl';
import { call, issueToken, sandboxLogin, startTestSandbox, type TestSandbox } from '../sandbox/helpers';

let sb: TestSandbox;
let admin: { token: string; userId: string; projectId: string };
let demo: { token: string; userId: string; projectId: string };

async function login(user: 'admin' | 'demo'): Promise<{ token: string; userId: string; projectId: string }> {
  const l = sandboxLogin(sb, user);
  const { token, body } = await issueToken(sb.url, l.user, l.password, l.project);
  return { token, userId: body.token.user.id, projectId: body.token.project.id };
}

beforeAll(async () => {
  sb = await startTestSandbox();
  admin = await login('admin');
  demo = await login('demo');
});
afterAll(async () => sb.close());

describe('Keystone tokens', () => {
  const tokens = (): string => `${sb.url}/identity/v3/auth/tokens`;

  it("refuses to show, check or revoke another user's token (403 identity:validate_token)", async () => {
    const get = await call(tokens(), { token: demo.token, headers: { 'x-subject-token': admin.token } });
    expect(get.status).toBe(403);
    expect(get.json).toEqual({
      error: {
        code: 403,
        message: 'You are not authorized to perform the requested action: identity:validate_token.',
        title: 'Forbidden',
      },
    });
    expect(get.text).not.toContain(admin.projectId);
    const head = await call(tokens(), {
      method: 'HEAD',
      token: demo.token,
      headers: { 'x-subject-token': admin.token },
    });
    expect(head.status).toBe(403);
    const del = await call(tokens(), {
      method: 'DELETE',
      token: demo.token,
      headers: { 'x-subject-token': admin.token },
    });
    expect(del.status).toBe(403);
    // The admin's token still works.
    expect((await call(`${sb.url}/identity/v3/projects`, { token: admin.token })).status).toBe(200);
  });

  it('lets a user look at its own tokens, and an admin at anybody’s', async () => {
    const other = await login('demo');
    expect((await call(tokens(), { token: demo.token, headers: { 'x-subject-token': other.token } })).status).toBe(200);
    expect((await call(tokens(), { token: admin.token, headers: { 'x-subject-token': demo.token } })).status).toBe(200);
  });
});

describe('Keystone application credentials', () => {
  async function credential(token: string, userId: string, name: string, unrestricted: boolean) {
    const a = await call(`${sb.url}/identity/v3/users/${userId}/application_credentials`, {
      method: 'POST',
      token,
      body: JSON.stringify({ application_credential: { name, unrestricted } }),
    });
    return a;
  }
  async function tokenOf(c: { id: string; secret: string }): Promise<string> {
    const a = await call(`${sb.url}/identity/v3/auth/tokens`, {
      method: 'POST',
      body: JSON.stringify({
        auth: { identity: { methods: ['application_credential'], application_credential: c } },
      }),
    });
    expect(a.status).toBe(201);
    return a.headers.get('x-subject-token') ?? '';
  }

  it('refuses a restricted credential making (or deleting) credentials, as Keystone does', async () => {
    const made = await credential(demo.token, demo.userId, 'ci', false);
    expect(made.status).toBe(201);
    const c = (made.json as { application_credential: { id: string; secret: string } }).application_credential;
    const restricted = await tokenOf(c);
    const escalate = await credential(restricted, demo.userId, 'forever', true);
    expect(escalate.status).toBe(403);
    expect(escalate.json).toMatchObject({
      error: {
        code: 403,
        message:
          "You are not authorized to perform the requested action: Using method 'application_credential' is not allowed for managing additional application credentials.",
      },
    });
    const del = await call(`${sb.url}/identity/v3/users/${demo.userId}/application_credentials/${c.id}`, {
      method: 'DELETE',
      token: restricted,
    });
    expect(del.status).toBe(403);
  });

  it('lets an unrestricted credential make another', async () => {
    const made = await credential(demo.token, demo.userId, 'ops', true);
    const c = (made.json as { application_credential: { id: string; secret: string } }).application_credential;
    expect((await credential(await tokenOf(c), demo.userId, 'ops-2', false)).status).toBe(201);
  });
});

describe("another project's shared image", () => {
  let shared = '';
  beforeAll(async () => {
    const c = await call(`${sb.url}/image/v2/images`, {
      method: 'POST',
      token: admin.token,
      body: JSON.stringify({ name: 'internal', disk_format: 'raw', container_format: 'bare', visibility: 'shared' }),
    });
    shared = (c.json as { id: string }).id;
    const put = await call(`${sb.url}/image/v2/images/${shared}/file`, {
      method: 'PUT',
      token: admin.token,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(1024),
    });
    expect(put.status).toBe(204);
  });

  const boot = (token: string) =>
    call(`${sb.url}/compute/v2.1/servers`, {
      method: 'POST',
      token,
      headers: { 'openstack-api-version': 'compute 2.37' },
      body: JSON.stringify({ server: { name: 'x', flavorRef: '1', imageRef: shared, networks: 'none' } }),
    });
  const volume = (token: string, projectId: string) =>
    call(`${sb.url}/volume/v3/${projectId}/volumes`, {
      method: 'POST',
      token,
      body: JSON.stringify({ volume: { size: 1, imageRef: shared } }),
    });

  it('is not bootable by Nova nor copied by Cinder without a membership', async () => {
    const n = await boot(demo.token);
    expect(n.status).toBe(400);
    expect(n.json).toEqual({ badRequest: { code: 400, message: 'Can not find requested image' } });
    const v = await volume(demo.token, demo.projectId);
    expect(v.status).toBe(400);
    expect(v.json).toEqual({
      badRequest: { code: 400, message: 'Invalid image identifier or unable to access requested image.' },
    });
  });

  it('is, once the owner adds the project as a member', async () => {
    const m = await call(`${sb.url}/image/v2/images/${shared}/members`, {
      method: 'POST',
      token: admin.token,
      body: JSON.stringify({ member: demo.projectId }),
    });
    expect(m.status).toBe(200);
    expect((await boot(demo.token)).status).toBe(202);
    expect((await volume(demo.token, demo.projectId)).status).toBe(202);
  });
});

describe('Swift referrer ACLs', () => {
  let account = '';
  const put = async (container: string, acl: string): Promise<void> => {
    expect(
      (
        await call(`${account}/${container}`, {
          method: 'PUT',
          token: admin.token,
          headers: { 'x-container-read': acl },
        })
      ).status,
    ).toBe(201);
    expect(
      (await call(`${account}/${container}/o.txt`, { method: 'PUT', token: admin.token, body: 'secret' })).status,
    ).toBe(201);
  };
  beforeAll(async () => {
    account = `${sb.url}/object-store/v1/AUTH_${admin.projectId}`;
    await put('partners', '.r:partner.example');
    await put('everyone', '.r:*');
  });

  it('.r:<host> is not public: anonymous reads need a matching Referer', async () => {
    expect((await call(`${account}/partners/o.txt`)).status).toBe(401);
    expect((await call(`${account}/partners/o.txt`, { headers: { referer: 'https://evil.example/' } })).status).toBe(
      401,
    );
    expect((await call(`${account}/partners/o.txt`, { token: demo.token })).status).toBe(403);
    const ok = await call(`${account}/partners/o.txt`, { headers: { referer: 'https://partner.example/page' } });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('secret');
  });

  it('.r:* is public', async () => {
    expect((await call(`${account}/everyone/o.txt`)).status).toBe(200);
  });

  it('publicRead reads the entries in order, as Swift', () => {
    expect(publicRead('.r:*')).toBe(true);
    expect(publicRead('.r:partner.example')).toBe(false);
    expect(publicRead('.r:partner.example', 'http://partner.example/x')).toBe(true);
    expect(publicRead('.r:.example.org', 'http://www.example.org/')).toBe(true);
    expect(publicRead('.r:.example.org,.r:-bad.example.org', 'http://bad.example.org/')).toBe(false);
    expect(publicRead('.r:*,.r:-bad.example.org', 'http://bad.example.org/')).toBe(false);
    expect(publicRead('.r:-bad.example.org,.r:*', 'http://bad.example.org/')).toBe(true);
    expect(publicRead('.rlistings')).toBe(false);
  });
});
