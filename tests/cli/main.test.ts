/**
 * storm's commands run in-process through main(), with stdout and stderr captured: the CLI layer's
 * wiring (flags, one document under --json, exit codes, usage errors) without a process per case.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type CliIo, main } from '../../src/cli/main';
import { REPO_ROOT } from '../support/storm';

/** An in-memory stream standing in for stdout or stderr (not a terminal). */
class Captured extends Writable {
  text = '';
  readonly isTTY = false;
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Captured();
  const stderr = new Captured();
  const io: CliIo = { stdout, stderr, env: { NO_COLOR: '1' } };
  const code = await main(['node', 'storm', '--cwd', REPO_ROOT, ...args], io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('main() with injected streams', () => {
  it('validate --all: exit 0, one line per city and environment on stdout, nothing on stderr', async () => {
    const r = await run('validate', '--all');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      '✓ agueda preprod',
      '✓ agueda production',
      '✓ thessaloniki preprod',
      '✓ thessaloniki production',
      '✓ valladolid preprod',
      '✓ valladolid production',
    ]);
  });

  it('--json list: exactly one versioned document on stdout', async () => {
    const r = await run('--json', 'list');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { schemaVersion: number; command: string; ok: boolean; result: unknown };
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'list', ok: true, exitCode: 0 });
  });

  it('a bad manifest: exit 1, file:line:col on stderr, no stack trace', async () => {
    const r = await run('validate', 'tests/cli/fixtures/bad-api-version.yaml');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tests\/cli\/fixtures\/bad-api-version\.yaml:\d+:\d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown command: exit 1 with the usage hint on the injected stderr; --json still one document', async () => {
    const text = await run('frobnicate');
    expect(text.code).toBe(1);
    expect(text.stderr).toContain("unknown command 'frobnicate'");
    expect(text.stdout).toBe('');
    const json = await run('--json', 'frobnicate');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, exitCode: 1, error: { code: 'usage' } });
  });

  it('--help goes to the injected stdout and exits 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: storm /);
  });
});
