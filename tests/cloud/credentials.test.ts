import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  configSearchPaths,
  resolveCloudTarget,
  secretValues,
  tofuCloudEnvironment,
  type CredentialLookup,
} from '../../src/cloud/credentials';
import { StormError } from '../../src/errors';

let dir: string;
let lookup: (env?: NodeJS.ProcessEnv) => CredentialLookup;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-cred-'));
  for (const d of ['project', 'home/.config/openstack', 'etc']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  lookup = (env = {}) => ({
    cwd: path.join(dir, 'project'),
    env,
    home: path.join(dir, 'home'),
    etcDir: path.join(dir, 'etc'),
  });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (rel: string, text: string): void => fs.writeFileSync(path.join(dir, rel), text);

describe('resolveCloudTarget', () => {
  it('uses the sandbox only for a cloud named "sandbox"; another unconfigured cloud fails, saying where storm looked', () => {
    expect(resolveCloudTarget('sandbox', lookup())).toEqual({ kind: 'sandbox', cloudName: 'sandbox' });
    expect(() => resolveCloudTarget('city-cloud', lookup())).toThrow(
      /cloud "city-cloud" is not configured: no clouds\.yaml found \(searched: .*clouds\.yaml.*\), and OS_AUTH_URL is not set; storm uses its local sandbox only for a cloud named "sandbox"/,
    );
    expect(() => resolveCloudTarget('sandbox', lookup({ OS_CLOUD: 'aio' }))).toThrow(
      /cloud "aio" \(from OS_CLOUD\) is not configured/,
    );
  });

  it('reads the named entry from ./clouds.yaml and merges secure.yaml', () => {
    write(
      'project/clouds.yaml',
      'clouds:\n  ava:\n    region_name: RegionTwo\n    auth:\n      auth_url: https://keystone.ava.es:5000/v3\n      username: deployer\n      project_name: urbanismo\n      user_domain_name: AVA\n',
    );
    write('home/.config/openstack/secure.yaml', 'clouds:\n  ava:\n    auth:\n      password: canary-7f3a\n');
    const t = resolveCloudTarget('ava', lookup());
    expect(t.kind).toBe('configured');
    if (t.kind !== 'configured') return;
    expect(t.credentials.auth).toEqual({
      type: 'password',
      authUrl: 'https://keystone.ava.es:5000/v3',
      password: 'canary-7f3a',
      username: 'deployer',
      userDomainName: 'AVA',
      projectName: 'urbanismo',
      projectDomainName: 'Default',
    });
    expect(t.credentials.regionName).toBe('RegionTwo');
    expect(t.credentials.source).toEqual({
      kind: 'clouds-yaml',
      file: path.join(dir, 'project/clouds.yaml'),
      secureFile: path.join(dir, 'home/.config/openstack/secure.yaml'),
    });
    expect(secretValues(t.credentials)).toEqual(['canary-7f3a']);
  });

  it('searches OS_CLIENT_CONFIG_FILE, then ./, then ~/.config/openstack, then /etc/openstack', () => {
    const l = lookup({ OS_CLIENT_CONFIG_FILE: '/x/mine.yaml' });
    expect(configSearchPaths('clouds.yaml', l)).toEqual([
      '/x/mine.yaml',
      ...['project', 'home/.config/openstack', 'etc'].flatMap((d) =>
        ['clouds.yaml', 'clouds.yml', 'clouds.json'].map((f) => path.join(dir, d, f)),
      ),
    ]);
    expect(configSearchPaths('secure.yaml', lookup())[1]).toBe(path.join(dir, 'project/secure.yml'));
    write(
      'etc/clouds.yaml',
      'clouds:\n  sys:\n    auth: {auth_url: "http://etc:5000/v3", username: u, password: p, project_name: pr}\n',
    );
    write(
      'home/.config/openstack/clouds.yaml',
      'clouds:\n  home:\n    auth: {auth_url: "http://home:5000/v3", username: u, password: p, project_name: pr}\n',
    );
    // The first file found wins: ~/.config hides /etc.
    expect(() => resolveCloudTarget('sys', lookup())).toThrow(/unknown cloud "sys"/);
    const t = resolveCloudTarget('home', lookup());
    expect(t.kind === 'configured' && t.credentials.auth.authUrl).toBe('http://home:5000/v3');
  });

  it('OS_CLOUD selects the entry instead of the manifest name', () => {
    write(
      'project/clouds.yaml',
      'clouds:\n  a:\n    auth: {auth_url: "http://a/v3", username: u, password: p}\n  b:\n    auth: {auth_url: "http://b/v3", username: u, password: p}\n',
    );
    const t = resolveCloudTarget('a', lookup({ OS_CLOUD: 'b' }));
    expect(t.kind === 'configured' && t.credentials.auth.authUrl).toBe('http://b/v3');
  });

  it('uses OS_* variables when no clouds.yaml entry matches', () => {
    const t = resolveCloudTarget(
      'sandbox',
      lookup({
        OS_AUTH_URL: 'http://k:5000/v3',
        OS_USERNAME: 'u',
        OS_PASSWORD: 'canary-1',
        OS_PROJECT_NAME: 'p',
        OS_REGION_NAME: 'R1',
      }),
    );
    expect(t.kind).toBe('configured');
    if (t.kind !== 'configured') return;
    expect(t.credentials.source).toEqual({ kind: 'environment' });
    expect(t.credentials.auth).toMatchObject({
      type: 'password',
      username: 'u',
      password: 'canary-1',
      projectName: 'p',
    });
    expect(t.credentials.regionName).toBe('R1');
  });

  it('supports application credentials', () => {
    write(
      'project/clouds.yaml',
      'clouds:\n  ci:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: http://k/v3\n      application_credential_id: abc123\n      application_credential_secret: s3cret\n',
    );
    const t = resolveCloudTarget('ci', lookup());
    expect(t.kind === 'configured' && t.credentials.auth).toEqual({
      type: 'v3applicationcredential',
      authUrl: 'http://k/v3',
      applicationCredentialId: 'abc123',
      applicationCredentialSecret: 's3cret',
    });
    if (t.kind !== 'configured') return;
    const env = tofuCloudEnvironment(t.credentials);
    expect(env.OS_AUTH_TYPE).toBe('v3applicationcredential');
    expect(env.OS_APPLICATION_CREDENTIAL_SECRET).toBe('s3cret');
    expect(env.OS_CLOUD).toBeUndefined();
    expect('OS_CLOUD' in env).toBe(true);
  });

  it('reads cacert, cert/key and verify: false, and hands them to tofu as OS_CACERT, OS_CERT, OS_KEY, OS_INSECURE', () => {
    write(
      'home/.config/openstack/clouds.yaml',
      'clouds:\n  tls:\n    auth: {auth_url: "https://k/v3", username: u, password: p, project_name: x}\n    cacert: /etc/ca.pem\n    cert: /etc/client.pem\n    key: /etc/client-key.pem\n    verify: false\n',
    );
    const t = resolveCloudTarget('tls', lookup());
    expect(t.kind === 'configured' && t.credentials).toMatchObject({
      cacert: '/etc/ca.pem',
      cert: '/etc/client.pem',
      key: '/etc/client-key.pem',
      insecure: true,
    });
    if (t.kind !== 'configured') return;
    expect(tofuCloudEnvironment(t.credentials)).toMatchObject({
      OS_CACERT: '/etc/ca.pem',
      OS_CERT: '/etc/client.pem',
      OS_KEY: '/etc/client-key.pem',
      OS_INSECURE: 'true',
    });
    const fromEnv = resolveCloudTarget(
      'sandbox',
      lookup({
        OS_AUTH_URL: 'https://k/v3',
        OS_USERNAME: 'u',
        OS_PASSWORD: 'p',
        OS_CACERT: '/a.pem',
        OS_CERT: '/c.pem',
        OS_KEY: '/k.pem',
      }),
    );
    expect(fromEnv.kind === 'configured' && fromEnv.credentials).toMatchObject({
      cacert: '/a.pem',
      cert: '/c.pem',
      key: '/k.pem',
    });
  });

  it('reads clouds.yml and clouds.json as openstacksdk does, .yaml first in each folder', () => {
    write(
      'home/.config/openstack/clouds.json',
      JSON.stringify({ clouds: { j: { auth: { auth_url: 'http://j/v3', username: 'u', password: 'p' } } } }),
    );
    const t = resolveCloudTarget('j', lookup());
    expect(t.kind === 'configured' && t.credentials.auth.authUrl).toBe('http://j/v3');
    write(
      'home/.config/openstack/clouds.yml',
      'clouds:\n  y:\n    auth: {auth_url: "http://y/v3", username: u, password: p}\n',
    );
    expect(() => resolveCloudTarget('j', lookup())).toThrow(/unknown cloud "j": .*clouds\.yml defines "y"/);
  });

  it('picks the region as openstacksdk does: regions or region_name, OS_REGION_NAME choosing among them', () => {
    write(
      'home/.config/openstack/clouds.yaml',
      'clouds:\n  multi:\n    auth: {auth_url: "http://m/v3", username: u, password: p}\n    regions: [Porto, {name: Aveiro}]\n  one:\n    auth: {auth_url: "http://o/v3", username: u, password: p}\n    region_name: RA\n',
    );
    const region = (name: string, env: NodeJS.ProcessEnv = {}): string | undefined => {
      const t = resolveCloudTarget(name, lookup(env));
      return t.kind === 'configured' ? t.credentials.regionName : undefined;
    };
    expect(region('multi')).toBe('Porto');
    expect(region('multi', { OS_REGION_NAME: 'Aveiro' })).toBe('Aveiro');
    expect(region('one')).toBe('RA');
    expect(() => region('one', { OS_REGION_NAME: 'RENV' })).toThrow(
      /OS_REGION_NAME "RENV" is not a region of cloud "one": .*clouds\.yaml lists "RA"/,
    );
  });

  it('OS_CLOUD=envvars (or OS_CLOUD_NAME) names the cloud of the OS_* variables', () => {
    const env = { OS_AUTH_URL: 'http://e/v3', OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_PROJECT_NAME: 'x' };
    const t = resolveCloudTarget('city', lookup({ ...env, OS_CLOUD: 'envvars' }));
    expect(t.kind === 'configured' && t.credentials.source).toEqual({ kind: 'environment' });
    const named = resolveCloudTarget('city', lookup({ ...env, OS_CLOUD: 'ci', OS_CLOUD_NAME: 'ci' }));
    expect(named.kind === 'configured' && named.credentials.auth.authUrl).toBe('http://e/v3');
    expect(() => resolveCloudTarget('city', lookup({ ...env, OS_CLOUD: 'other' }))).toThrow(
      /cloud "other" \(from OS_CLOUD\)/,
    );
  });

  it('supports token auth (auth.token or OS_TOKEN), scoped to the project, and hands the token to tofu as OS_TOKEN', () => {
    write(
      'home/.config/openstack/clouds.yaml',
      'clouds:\n  tok:\n    auth_type: token\n    auth: {auth_url: "http://t/v3", token: gAAAA-canary, project_name: city}\n',
    );
    const t = resolveCloudTarget('tok', lookup());
    expect(t.kind === 'configured' && t.credentials.auth).toEqual({
      type: 'token',
      authUrl: 'http://t/v3',
      token: 'gAAAA-canary',
      projectName: 'city',
      projectDomainName: 'Default',
    });
    if (t.kind !== 'configured') return;
    expect(secretValues(t.credentials)).toEqual(['gAAAA-canary']);
    expect(tofuCloudEnvironment(t.credentials)).toMatchObject({ OS_TOKEN: 'gAAAA-canary', OS_PROJECT_NAME: 'city' });
    const fromEnv = resolveCloudTarget(
      'x',
      lookup({ OS_AUTH_URL: 'http://t/v3', OS_TOKEN: 'tk', OS_PROJECT_ID: 'p1' }),
    );
    expect(fromEnv.kind === 'configured' && fromEnv.credentials.auth).toMatchObject({
      type: 'token',
      token: 'tk',
      projectId: 'p1',
    });
    write(
      'home/.config/openstack/clouds.yaml',
      'clouds:\n  tok:\n    auth_type: v3token\n    auth: {auth_url: "http://t/v3"}\n',
    );
    expect(() => resolveCloudTarget('tok', lookup())).toThrow(/uses token auth but no token is set/);
  });

  it('names the clouds that exist for an unknown cloud, with a did-you-mean', () => {
    write(
      'project/clouds.yaml',
      'clouds:\n  valladolid-prod:\n    auth: {auth_url: "http://a/v3", username: u, password: p}\n',
    );
    try {
      resolveCloudTarget('valladolid-prd', lookup());
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(StormError);
      expect((err as StormError).message).toContain('unknown cloud "valladolid-prd"');
      expect((err as StormError).message).toContain('"valladolid-prod"');
      expect((err as StormError).hint).toBe('did you mean "valladolid-prod"?');
    }
  });

  it('refuses password auth without a password, naming where to put it', () => {
    write('project/clouds.yaml', 'clouds:\n  x:\n    auth: {auth_url: "http://a/v3", username: u}\n');
    expect(() => resolveCloudTarget('x', lookup())).toThrow(/no password is set/);
    const t = resolveCloudTarget('x', lookup({ OS_PASSWORD: 'from-env', STORM_TRUST_PROJECT_CLOUDS: '1' }));
    expect(t.kind === 'configured' && t.credentials.auth.type === 'password' && t.credentials.auth.password).toBe(
      'from-env',
    );
  });

  it("never sends an environment secret to an auth_url from the project's own clouds.yaml without being told", () => {
    write('project/clouds.yaml', 'clouds:\n  x:\n    auth: {auth_url: "http://attacker.example/v3", username: u}\n');
    expect(() => resolveCloudTarget('x', lookup({ OS_PASSWORD: 'ci-secret' }))).toThrow(
      /inside the project being planned, and its secret would come from OS_PASSWORD in the environment: storm does not send environment secrets to an auth_url the repository chose \(http:\/\/attacker\.example\/v3\)/,
    );
    expect(() =>
      resolveCloudTarget(
        'x',
        lookup({ OS_APPLICATION_CREDENTIAL_SECRET: 'ci-secret', OS_AUTH_TYPE: 'v3applicationcredential' }),
      ),
    ).toThrow(/OS_APPLICATION_CREDENTIAL_SECRET/);
    // Named by the operator, or trusted explicitly, or outside the repository: used.
    const named = path.join(dir, 'project', 'clouds.yaml');
    expect(resolveCloudTarget('x', lookup({ OS_PASSWORD: 'p', OS_CLIENT_CONFIG_FILE: named })).kind).toBe('configured');
    fs.rmSync(named);
    write('home/.config/openstack/clouds.yaml', 'clouds:\n  x:\n    auth: {auth_url: "http://a/v3", username: u}\n');
    expect(resolveCloudTarget('x', lookup({ OS_PASSWORD: 'p' })).kind).toBe('configured');
  });
});

describe('a credentials file that does not parse', () => {
  it('is reported by position and kind, never by its text', () => {
    write('project/clouds.yaml', 'clouds:\n  ava:\n    auth:\n      password: canary-line-3c9: x\n');
    let caught: unknown;
    try {
      resolveCloudTarget('ava', lookup());
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StormError);
    const e = caught as StormError;
    expect(e.message).toBe(
      `${path.join(dir, 'project', 'clouds.yaml')} is not valid YAML (line 4, column 17: block as implicit key)`,
    );
    expect(`${e.message} ${e.hint ?? ''}`).not.toContain('canary-line-3c9');
  });
});
