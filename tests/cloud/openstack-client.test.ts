/**
 * The ways a real cloud lets storm sign in, against the sandbox's Keystone (over HTTPS with its
 * own CA, as a private cloud would be): application credentials by id and by name + user, and an
 * existing token — each resolved from a clouds.yaml entry the way an operator writes it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCloudTarget } from '../../src/cloud/credentials';
import { OpenStackClient } from '../../src/cloud/openstack-client';
import { sandboxCredentials } from '../../src/cloud/sandbox-target';
import { type TestSandbox, startTestSandbox } from '../sandbox/helpers';

let sbx: TestSandbox;
let home: string;
let admin: OpenStackClient;
let appCred: { id: string; secret: string };

async function signIn(cloud: string): Promise<OpenStackClient> {
  const t = resolveCloudTarget(cloud, {
    cwd: home,
    env: { OS_CLIENT_CONFIG_FILE: path.join(home, 'clouds.yaml') },
    home,
    etcDir: home,
  });
  if (t.kind !== 'configured') throw new Error(`${cloud} is not configured`);
  return OpenStackClient.authenticate(t.credentials);
}

beforeAll(async () => {
  sbx = await startTestSandbox({ tls: true });
  const cacert = sbx.sandbox.caFile ?? '';
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-auth-'));
  admin = await OpenStackClient.authenticate(
    sandboxCredentials(sbx.url, `${sbx.url}/identity/v3`, sbx.sandbox.logins.admin, cacert),
  );
  const users = (await admin.get(['identity'], '/users?name=admin')) as { users: { id: string }[] };
  const created = (await admin.post(['identity'], `/users/${users.users[0]?.id ?? ''}/application_credentials`, {
    application_credential: { name: 'storm-ci' },
  })) as { application_credential: { id: string; secret: string } };
  appCred = created.application_credential;
  const token = admin.authHeaders()['X-Auth-Token'] ?? '';
  const authUrl = `${sbx.url}/identity/v3`;
  fs.writeFileSync(
    path.join(home, 'clouds.yaml'),
    [
      'clouds:',
      '  by-id:',
      '    auth_type: v3applicationcredential',
      `    auth: {auth_url: "${authUrl}", application_credential_id: ${appCred.id}, application_credential_secret: "${appCred.secret}"}`,
      `    cacert: ${cacert}`,
      '  by-name:',
      '    auth_type: v3applicationcredential',
      `    auth: {auth_url: "${authUrl}", application_credential_name: storm-ci, username: admin, user_domain_name: Default, application_credential_secret: "${appCred.secret}"}`,
      `    cacert: ${cacert}`,
      '  wrong-secret:',
      `    auth: {auth_url: "${authUrl}", application_credential_id: ${appCred.id}, application_credential_secret: not-it}`,
      `    cacert: ${cacert}`,
      '  token:',
      '    auth_type: token',
      `    auth: {auth_url: "${authUrl}", token: "${token}", project_name: admin}`,
      `    cacert: ${cacert}`,
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await sbx.close();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(sbx.dataDir, { recursive: true, force: true });
});

describe('signing in to a cloud', () => {
  it('with an application credential by id, scoped to its project, and reading through the catalog', async () => {
    const client = await signIn('by-id');
    expect(client.projectId).toBe(admin.projectId);
    expect(await client.get(['network'], '/v2.0/networks')).toHaveProperty('networks');
  });

  it('with an application credential by name and its user', async () => {
    expect((await signIn('by-name')).projectId).toBe(admin.projectId);
  });

  it('refuses a wrong secret, naming the credential and how to replace it', async () => {
    await expect(signIn('wrong-secret')).rejects.toThrow(
      `cloud "wrong-secret" rejected application credential "${appCred.id}": it has expired, was deleted, or the secret is wrong`,
    );
  });

  it('with an existing token, rescoped to the project named', async () => {
    const client = await signIn('token');
    expect(client.projectId).toBe(admin.projectId);
    expect(await client.get(['compute'], '/flavors')).toHaveProperty('flavors');
  });
});
