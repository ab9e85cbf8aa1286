/**
 * Attack: a CI job whose cloud secrets are missing. The manifest names a real cloud (`aio`) but nothing
 * configures it — no clouds.yaml entry, no OS_* variables. storm used to plan (and apply) against its local
 * sandbox instead, print "pre-flight passed" and record a success. Now it must fail with exit 1 for every
 * environment, say where it looked, and never start the sandbox.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject } from '../e2e/lifecycle-support';
import { cleanEnv, stormAsync as storm } from '../support/storm';

let project: string;

beforeAll(() => {
  project = makeProject('sec-sandbox-only');
  const file = path.join(project, 'stacks', 'valladolid.yaml');
  const text = fs.readFileSync(file, 'utf8');
  expect(text).toMatch(/^ {2}name: sandbox$/m);
  // A certificate storm generates is for the sandbox only: on a real cloud production brings its own, so the
  // move to aio takes the front door (its generated certificate and name) away.
  fs.writeFileSync(
    file,
    text
      .replace(/^ {2}name: sandbox$/m, '  name: aio')
      .replace(/^( +)tls: \{ generate: true \}\n/m, '$1loadBalancer: false\n')
      .replace(/^ +dns: \{[^}]*\}\n/m, ''),
  );
});
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

// No clouds.yaml anywhere storm looks: the project, and a home of its own.
const env = () => cleanEnv({ HOME: project, XDG_CONFIG_HOME: path.join(project, '.config') });

describe('the sandbox only when the manifest names it', { timeout: 120_000 }, () => {
  for (const environment of ['preprod', 'production']) {
    it(`a manifest naming an unconfigured cloud fails for ${environment}, saying where storm looked`, async () => {
      const json = await storm(['plan', 'valladolid', '--env', environment, '--json'], { project, env: env() });
      expect(json.code, json.stderr).toBe(1);
      const doc = JSON.parse(json.stdout) as { ok: boolean; error: { code: string; message: string; hint: string } };
      expect(doc.ok).toBe(false);
      expect(doc.error.code).toBe('cloud');
      expect(doc.error.message).toMatch(
        /cloud "aio" is not configured: no clouds\.yaml found \(searched: .*clouds\.yaml.*\), and OS_AUTH_URL is not set/,
      );
      expect(doc.error.hint).toMatch(/add a "aio" entry to clouds\.yaml/);

      const provision = await storm(['provision', 'valladolid', '--env', environment, '--yes'], {
        project,
        env: env(),
      });
      expect(provision.code).toBe(1);
      expect(provision.stderr).toContain('cloud "aio" is not configured');
      for (const out of [json.stderr, provision.stderr, provision.stdout]) {
        expect(out).not.toMatch(/using storm's local sandbox|pre-flight passed/);
      }
    });
  }

  it('never started a sandbox for it', () => {
    expect(fs.existsSync(path.join(project, '.storm', 'sandbox'))).toBe(false);
  });
});
