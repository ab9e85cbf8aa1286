import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool } from '../../src/engine/tofu';

describe('runTool (the subprocess door)', () => {
  it('streams lines and collects output', async () => {
    const lines: string[] = [];
    const res = await runTool('sh', ['-c', 'echo one; echo two >&2; printf three'], {
      cwd: os.tmpdir(),
      onLine: (l, s) => lines.push(`${s}:${l}`),
    });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toBe('one\nthree');
    expect(res.stderr).toBe('two\n');
    expect(lines.sort()).toEqual(['stderr:two', 'stdout:one', 'stdout:three']);
    expect(res.interrupted).toBe(false);
  });

  it('turns an abort into one SIGINT and waits for the child to finish cleanly', async () => {
    const controller = new AbortController();
    const pending = runTool(
      'sh',
      ['-c', 'trap "echo saved-state; exit 3" INT; echo ready; while :; do sleep 0.05; done'],
      {
        cwd: os.tmpdir(),
        signal: controller.signal,
        onLine: (l) => {
          if (l === 'ready') controller.abort();
        },
      },
    );
    const res = await pending;
    expect(res.interrupted).toBe(true);
    expect(res.exitCode).toBe(3);
    expect(res.stdout).toContain('saved-state');
  });

  it('reports a missing program as a StormError', async () => {
    await expect(runTool('/nonexistent/tool', [], { cwd: os.tmpdir() })).rejects.toMatchObject({
      code: 'engine-failed',
    });
  });
});

describe('Ctrl-C while a tool runs', () => {
  it('storm forwards one SIGINT to the child, waits, and reports the run as interrupted', async () => {
    const { spawn } = await import('node:child_process');
    const path = await import('node:path');
    const door = path.join(__dirname, '..', '..', 'dist', 'engine', 'tofu.js');
    const script = `require(${JSON.stringify(door)}).runTool('sh', ['-c', 'trap "echo ints; exit 3" INT; echo ready; while :; do sleep 0.05; done'], { cwd: '/', onLine: (l) => { if (l === 'ready') process.stdout.write('ready\\n'); } }).then((r) => process.stdout.write(JSON.stringify(r) + '\\n'))`;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    await new Promise<void>((resolve) => {
      parent.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready\n') && !out.includes('"interrupted"')) parent.kill('SIGINT');
      });
      parent.on('close', () => resolve());
    });
    const result = JSON.parse(out.split('\n').find((l) => l.startsWith('{')) ?? '{}') as {
      interrupted?: boolean;
      exitCode?: number;
      stdout?: string;
    };
    expect(result.interrupted).toBe(true);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toMatch(/^ready\nints\n$/);
  });

  it('with STORM_TRACE_FILE, appends one line per run: program, subcommand and timing, no other argument', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-trace-'));
    const file = path.join(dir, 'trace.jsonl');
    const before = process.env.STORM_TRACE_FILE;
    process.env.STORM_TRACE_FILE = file;
    try {
      await runTool('sh', ['-c', 'sleep 0.05', 'secret-value'], { cwd: os.tmpdir() });
      await runTool('sh', ['-c', 'exit 4'], { cwd: os.tmpdir() });
    } finally {
      if (before === undefined) delete process.env.STORM_TRACE_FILE;
      else process.env.STORM_TRACE_FILE = before;
    }
    const text = fs.readFileSync(file, 'utf8');
    fs.rmSync(dir, { recursive: true, force: true });
    expect(text).not.toContain('secret-value');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ program: 'sh', subcommand: '-c', pid: process.pid });
    expect(lines[0]?.durationMs).toBeGreaterThanOrEqual(40);
    expect(typeof lines[1]?.startedMs).toBe('number');
  });
});
