import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { storm, type StormResult } from '../support/storm';

const root = path.join(__dirname, '..', '..');

function run(args: string[], env: NodeJS.ProcessEnv = process.env): StormResult {
  return storm(args, { env, timeout: 900_000 });
}

describe('storm doctor', () => {
  it('reports a working pinned engine and provider (building them once if needed)', () => {
    const first = run(['doctor', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const doc = JSON.parse(first.stdout) as {
      ok: boolean;
      result: {
        ready: boolean;
        engine: { path: string; version: string; source: string };
        provider: { version: string; mirrorDir: string; state: string };
        cliConfigPath: string;
      };
    };
    expect(doc.ok).toBe(true);
    const schema = JSON.parse(
      fs.readFileSync(path.join(root, 'src', 'report', 'json-schemas', 'doctor.v1.schema.json'), 'utf8'),
    ) as object;
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.result.ready).toBe(true);
    expect(doc.result.provider).toMatchObject({ version: '3.4.0', state: 'ready' });
    expect(fs.existsSync(doc.result.engine.path)).toBe(true);
    expect(doc.result.engine.version).toMatch(/^1\.\d+\.\d+/);
    expect(fs.readFileSync(doc.result.cliConfigPath, 'utf8')).toContain(doc.result.provider.mirrorDir);

    // Second run: nothing to build, and it says so.
    const again = run(['doctor', '--json']);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/building/);
    expect((JSON.parse(again.stdout) as { result: { engine: { source: string } } }).result.engine.source).not.toBe(
      'built',
    );
  });

  it('says exactly what to install when there is no engine and no go', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-nocache-'));
    try {
      const res = run(['doctor', '--json'], { HOME: cache, PATH: path.join(cache, 'bin'), STORM_CACHE_DIR: cache });
      expect(res.code).toBe(1);
      const doc = JSON.parse(res.stdout) as { error: { code: string; message: string; hint: string } };
      expect(doc.error.code).toBe('engine-missing');
      expect(doc.error.message).toMatch(/no `go` on PATH/);
      expect(doc.error.hint).toMatch(/go\.dev/);
      expect(doc.error.hint).toMatch(/STORM_TOFU/);
      expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });

  it('refuses a STORM_TOFU that is not an engine', () => {
    const res = run(['doctor', '--check'], { ...process.env, STORM_TOFU: '/nonexistent/tofu' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/STORM_TOFU=\/nonexistent\/tofu is not a runnable OpenTofu or Terraform binary/);
  });
});
