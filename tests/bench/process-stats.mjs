// Whole-process wall time, CPU time and peak memory of a command, measured by GNU time
// (/usr/bin/time -f), so node start-up and module loading are included.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Runs cmd `runs` times; returns the median wall seconds, the median CPU seconds (user +
 * system: what the process itself costs, less disturbed by other load on the machine), the
 * max peak RSS in MiB and the 1-minute load average before the runs.
 */
export function measureProcess(cmd, args, { cwd, env, runs = 5 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'storm-bench-'));
  const walls = [];
  const cpus = [];
  let peak = 0;
  const load = loadavg()[0];
  try {
    for (let i = 0; i < runs; i++) {
      const out = join(dir, `time-${i}`);
      const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', out, cmd, ...args], {
        cwd,
        env: env ?? process.env,
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
      const [wall, user, sys, rssKb] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-4).map(Number);
      walls.push(wall);
      cpus.push(user + sys);
      peak = Math.max(peak, rssKb / 1024);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { wallSeconds: median(walls), cpuSeconds: median(cpus), peakMiB: peak, load };
}
