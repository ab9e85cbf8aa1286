/**
 * A cloud behind a private CA, for real: `storm sandbox up --tls` serves HTTPS signed by a CA it
 * generates, and every HTTP client storm has (pre-flight, tofu's provider, the deploy step, the
 * sandbox's service runner) must trust it through `cacert` — and name the cloud and the fix when
 * they do not.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCa } from '../../src/sandbox/core/tls';
import { makeProject } from './lifecycle-support';
import { type StormResult, cleanEnv, jsonResult, storm, stormAsync } from '../support/storm';

describe('a sandbox serving HTTPS with its own CA', { timeout: 300_000 }, () => {
  let project: string;
  let configDir: string;
  let url = '';
  let cacert = '';
  let password = '';
  const env = cleanEnv();

  /** A clouds.yaml outside the project, named by OS_CLIENT_CONFIG_FILE, with the cloud `tlscloud`. */
  const cloudsFile = (name: string, extra: string[]): string => {
    const file = path.join(configDir, `${name}.yaml`);
    fs.writeFileSync(
      file,
      [
        'clouds:',
        '  tlscloud:',
        '    auth:',
        `      auth_url: ${url}/identity/v3`,
        '      username: admin',
        `      password: ${password}`,
        '      project_name: admin',
        '      user_domain_name: Default',
        '      project_domain_name: Default',
        '    region_name: RegionOne',
        ...extra.map((l) => `    ${l}`),
        '',
      ].join('\n'),
    );
    return file;
  };
  const planWith = (file: string): Promise<StormResult> =>
    stormAsync(['plan', 'thessaloniki', '--detailed-exitcode'], {
      project,
      env: { ...env, OS_CLOUD: 'tlscloud', OS_CLIENT_CONFIG_FILE: file },
    });

  beforeAll(() => {
    project = makeProject('tls');
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-tls-config-'));
    const up = storm(['sandbox', 'up', '--detach', '--tls', '--port', '0', '--delay-ms', '50', '--json'], {
      project,
      env,
    });
    expect(up.code, up.stderr).toBe(0);
    const started = jsonResult(up) as { url?: string; cacert?: string; logins?: { admin?: string } };
    url = started.url ?? '';
    cacert = started.cacert ?? '';
    password = started.logins?.admin ?? '';
  }, 60_000);

  afterAll(() => {
    storm(['sandbox', 'down'], { project, env });
    fs.rmSync(project, { recursive: true, force: true });
    fs.rmSync(configDir, { recursive: true, force: true });
  });

  it('serves HTTPS and keeps its CA in the data directory, keys 0600', () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(cacert).toBe(path.join(project, '.storm', 'sandbox', 'tls', 'ca.pem'));
    expect(fs.readFileSync(cacert, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    for (const key of ['ca-key.pem', 'server-key.pem'])
      expect(fs.statSync(path.join(path.dirname(cacert), key)).mode & 0o777).toBe(0o600);
  });

  it('provisions a city through it: pre-flight, tofu, the upload and the instance all trust the CA', async () => {
    const r = await stormAsync(['provision', 'thessaloniki', '--yes'], { project, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/deployed virtual-city-marketplace 1\.0\.0/);
  });

  it('plans with no changes for a clouds.yaml entry whose cacert names the CA', async () => {
    const r = await planWith(cloudsFile('with-cacert', [`cacert: ${cacert}`]));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/pre-flight passed \(\d+ names found in tlscloud\)/);
    expect(r.stdout).toMatch(/no changes/);
  });

  it('refuses a cloud whose CA is unknown, naming the cloud, the file and the setting', async () => {
    const file = cloudsFile('no-cacert', []);
    const r = await planWith(file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `cloud "tlscloud": the TLS certificate of ${url} is signed by a certificate authority this machine does not trust`,
    );
    expect(r.stderr).toContain(`set cacert to the cloud's CA certificate (PEM) in the "tlscloud" entry of ${file}`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('refuses a cacert that names another CA, saying which file', async () => {
    const other = path.join(configDir, 'other-ca.pem');
    fs.writeFileSync(other, makeCa(new Date(), 'not the sandbox').certPem);
    const r = await planWith(cloudsFile('other-ca', [`cacert: ${other}`]));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the TLS certificate of ${url} is not signed by the CA in ${other}`);
  });

  it('honours verify: false (insecure) in pre-flight and in tofu alike', async () => {
    const r = await planWith(cloudsFile('insecure', ['verify: false']));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no changes/);
  });

  it('destroys through it, leaving nothing', async () => {
    const r = await stormAsync(['destroy', 'thessaloniki', '--yes'], { project, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/destroyed 18 resources/);
  });
});
