/**
 * Attack: a syntax error in clouds.yaml / secure.yaml used to be quoted (with the
 * password on the offending line) to stderr, into the --json document and into
 * the hash-chained audit log, where it can never be removed. bin/storm runs for
 * real against files holding canary values; none may appear anywhere.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Output } from '../../src/cli/output';
import { StormError } from '../../src/errors';
import { forgetSecrets, registerSecret } from '../../src/redact';
import { filesUnder, makeProject } from '../e2e/lifecycle-support';
import { cleanEnv, stormAsync as storm } from '../support/storm';

const PASSWORD_CANARY = 'canary-pw-5b1e9d7c';
const APP_SECRET_CANARY = 'canary-appsecret-0f4e2a';

let project: string;

beforeAll(() => {
  project = makeProject('sec-secrets');
});
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

function allStormFiles(): string[] {
  return filesUnder(path.join(project, '.storm'));
}

function expectNoCanary(texts: readonly string[], canary: string): void {
  for (const t of texts) expect(t.includes(canary), t.slice(0, 400)).toBe(false);
  for (const file of allStormFiles()) expect(fs.readFileSync(file).includes(canary), file).toBe(false);
}

describe('a broken credentials file never leaks its secrets', { timeout: 120_000 }, () => {
  it('clouds.yaml with a password on the bad line: not in stderr, --json stdout or the audit log, every environment', async () => {
    fs.writeFileSync(
      path.join(project, 'clouds.yaml'),
      `clouds:\n  sandbox:\n    auth:\n      auth_url: http://127.0.0.1:9/v3\n      username: deployer\n      password: ${PASSWORD_CANARY}: oops\n`,
    );
    try {
      for (const env of ['preprod', 'production']) {
        const json = await storm(['plan', 'valladolid', '--env', env, '--json'], { project, env: cleanEnv() });
        expect(json.code, json.stderr).toBe(1);
        const doc = JSON.parse(json.stdout) as { ok: boolean; error: { code: string; message: string } };
        expect(doc.ok).toBe(false);
        expect(doc.error.code).toBe('cloud');
        expect(doc.error.message).toContain('clouds.yaml is not valid YAML (line 6, column');
        const text = await storm(['plan', 'valladolid', '--env', env], { project, env: cleanEnv() });
        expect(text.code).toBe(1);
        expect(text.stderr).toContain('storm never quotes a credentials file');
        expectNoCanary([json.stdout, json.stderr, text.stdout, text.stderr], PASSWORD_CANARY);
      }
      const log = fs.readFileSync(path.join(project, '.storm', 'audit', 'valladolid.jsonl'), 'utf8');
      expect(log).toContain('is not valid YAML');
    } finally {
      fs.rmSync(path.join(project, 'clouds.yaml'), { force: true });
    }
  });

  it('secure.yaml with an application_credential_secret on the bad line: not quoted either', async () => {
    fs.writeFileSync(
      path.join(project, 'secure.yaml'),
      `clouds:\n  sandbox:\n    auth:\n      application_credential_secret: "${APP_SECRET_CANARY}\n      other: x\n`,
    );
    try {
      const r = await storm(['plan', 'valladolid', '--json'], { project, env: cleanEnv() });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('secure.yaml is not valid YAML');
      expectNoCanary([r.stdout, r.stderr], APP_SECRET_CANARY);
      const audit = await storm(['audit', 'log', 'valladolid', '--json'], { project, env: cleanEnv() });
      expect(audit.code).toBe(0);
      expectNoCanary([audit.stdout, audit.stderr], APP_SECRET_CANARY);
    } finally {
      fs.rmSync(path.join(project, 'secure.yaml'), { force: true });
    }
  });

  it('keeps the audit log and .storm/ private: 0600 files in 0700 folders', () => {
    for (const dir of [path.join(project, '.storm'), path.join(project, '.storm', 'audit')])
      expect((fs.statSync(dir).mode & 0o777).toString(8), dir).toBe('700');
    for (const file of allStormFiles()) expect((fs.statSync(file).mode & 0o777).toString(8), file).toBe('600');
  });
});

describe('cli/output redacts every message and JSON document', () => {
  function capture(): { stream: NodeJS.WriteStream; text: () => string } {
    let buf = '';
    const stream = { write: (s: string) => ((buf += s), true), isTTY: false } as unknown as NodeJS.WriteStream;
    return { stream, text: () => buf };
  }

  it('masks a registered secret and a secret environment value in notes, text, results and failures', () => {
    const prevEnv = process.env.OS_PASSWORD;
    process.env.OS_PASSWORD = 'env-canary-77aa';
    registerSecret(PASSWORD_CANARY);
    try {
      for (const json of [false, true]) {
        const out = capture();
        const err = capture();
        const o = new Output({ json, color: false, verbose: true }, out.stream, err.stream);
        o.note(`note ${PASSWORD_CANARY}`);
        o.text(`text env-canary-77aa`);
        o.progress({ kind: 'warning', message: `warn ${PASSWORD_CANARY}` });
        o.jsonResult('plan', 0, { nested: [{ v: `x${PASSWORD_CANARY}y` }] });
        const o2 = new Output({ json, color: false, verbose: true }, out.stream, err.stream);
        o2.failure(
          'plan',
          new StormError('cloud', `bad ${PASSWORD_CANARY}`, {
            hint: 'env-canary-77aa',
            diagnostics: [{ severity: 'error', code: 'manifest.invalid-value', message: PASSWORD_CANARY }],
          }),
          1,
        );
        for (const t of [out.text(), err.text()]) {
          expect(t).not.toContain(PASSWORD_CANARY);
          expect(t).not.toContain('env-canary-77aa');
        }
        expect(err.text()).toContain('(masked)');
      }
    } finally {
      forgetSecrets();
      if (prevEnv === undefined) delete process.env.OS_PASSWORD;
      else process.env.OS_PASSWORD = prevEnv;
    }
  });
});
