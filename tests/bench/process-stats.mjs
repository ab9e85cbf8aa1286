// Whole-process wall time and peak memory of a command, measured by GNU time
// (/usr/bin/time -f), so node start-up and module loading are included.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs cmd `runs` times; returns the median wall seconds and the max peak RSS in MiB. */
export function measureProcess(cmd, args, { cwd, env, runs = 5 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'storm-bench-'));
  const walls = [];
  let peak = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const out = join(dir, `time-${i}`);
      const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', out, cmd, ...args], {
        cwd,
        env: env ?? process.env,
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
      const [wall, rssKb] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
      walls.push(wall);
      peak = Math.max(peak, rssKb / 1024);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  walls.sort((a, b) => a - b);
  return { wallSeconds: walls[Math.floor(walls.length / 2)], peakMiB: peak };
}
