// Issue 17's synthetic fleet: N cities (default 200, `--cities N`) made from the three
// pilots by `storm init --from`, with varied sizes, in a temporary project on one sandbox.
// Reports validate and synth throughput over all of them; `storm plan` wall time per
// shard with 1, 2 and 4 shards over one share of the fleet (each shard a process with
// --concurrency 1, all at once, as CI jobs would run them); storm's own time per city
// outside tofu (from STORM_TRACE_FILE, which records every tofu run); and `storm plan
// --all` over a quarter, a half and the whole fleet, whose time per city must not grow
// with the fleet. Every plan starts from a cold workspace (tofu init included), as a CI
// job does.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureProcess } from './process-stats.mjs';

const PILOTS = ['valladolid', 'thessaloniki', 'agueda'];

export async function run({ root, cities = 200 }) {
  const require = createRequire(import.meta.url);
  const control = require(join(root, 'dist', 'sandbox', 'control.js'));
  const storm = join(root, 'bin', 'storm');
  const project = mkdtempSync(join(tmpdir(), 'storm-bench-fleet-'));
  const quiet = () => undefined;
  const env = { ...cleanEnv(), NO_COLOR: '1' };
  const figures = [];
  const add = (name, value, unit, target) =>
    figures.push({ name: `fleet: ${name}`, value, unit, ...(target === undefined ? {} : { target }) });
  try {
    cpSync(join(root, 'templates'), join(project, 'templates'), {
      recursive: true,
      filter: (src) => !src.includes('node_modules'),
    });
    mkdirSync(join(project, 'pilots'));
    mkdirSync(join(project, 'stacks'));
    for (const p of PILOTS) cpSync(join(root, 'stacks', `${p}.yaml`), join(project, 'pilots', `${p}.yaml`));
    add('cities', cities, '');
    add('machine: CPU cores', cpus().length, '');
    add('load average (1 min) at the start', loadavg()[0], '');

    // The fleet: city-001 … city-N, each from a pilot in turn, sized 1–3 instances a group.
    const names = Array.from({ length: cities }, (_, i) => `city-${String(i + 1).padStart(3, '0')}`);
    const initWall = await timedAll(
      names.map(
        (name, i) => () => stormAsync(storm, ['init', name, '--from', `pilots/${PILOTS[i % 3]}.yaml`], project, env),
      ),
      2,
    );
    names.forEach((name, i) => {
      const file = join(project, 'stacks', `${name}.yaml`);
      const size = 1 + (i % 3);
      writeFileSync(file, readFileSync(file, 'utf8').replace(/\bcount: 1\b/g, `count: ${size}`));
    });
    add(`storm init --from ×${cities} (wall, 2 at a time)`, initWall, 's');

    const v = measureProcess(storm, ['validate', '--all'], { cwd: project, env, runs: 3 });
    add(`storm validate --all, ${cities} cities (wall, median of 3)`, v.wallSeconds, 's');
    add('storm validate --all (throughput)', cities / v.wallSeconds, 'cities/s');
    const s = measureProcess(storm, ['synth', '--all'], { cwd: project, env, runs: 3 });
    add(`storm synth --all, ${cities} cities × their environments (wall, median of 3)`, s.wallSeconds, 's');
    add('storm synth --all (throughput)', cities / s.wallSeconds, 'cities/s');
    add('storm synth --all (peak RSS)', s.peakMiB, 'MiB');

    await control.ensureSandbox({ cwd: project, progress: quiet, settings: { port: 0 } });
    // One plan first: the sandbox's first answers and the engine's first start are not the fleet's.
    await plan(storm, ['plan', names[0]], project, env);

    // Shards: one share of the fleet (a CI stage's worth), planned by 1, 2 and 4 jobs at once.
    const share = names.slice(0, Math.max(4, Math.min(24, Math.floor(cities / 8))));
    const perShard = {};
    for (const shards of [1, 2, 4]) {
      coldWorkspaces(project);
      const trace = join(project, `trace-shards-${shards}`);
      const started = process.hrtime.bigint();
      const runs = await Promise.all(
        Array.from({ length: shards }, (_, i) =>
          plan(storm, ['plan', '--shard', `${i + 1}/${shards}`, '--concurrency', '1', ...share], project, {
            ...env,
            STORM_TRACE_FILE: trace,
          }),
        ),
      );
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      perShard[shards] = wall;
      add(
        `storm plan, ${share.length} cities in ${shards} shard${shards === 1 ? '' : 's'} (wall, slowest shard)`,
        Math.max(...runs.map((r) => r.wall)),
        's',
      );
      if (shards === 1) {
        const tofu = readTrace(trace).reduce((sum, t) => sum + t.durationMs / 1000, 0);
        add("storm's own time per city outside tofu (1 shard, one city at a time)", (wall - tofu) / share.length, 's');
        add('tofu time per city (init + plan + show)', tofu / share.length, 's');
      }
    }
    add('shard speed-up, 2 shards (1 shard wall / 2 shards wall)', perShard[1] / perShard[2], '×');
    add('shard speed-up, 4 shards (1 shard wall / 4 shards wall)', perShard[1] / perShard[4], '×');

    // storm plan --all over a quarter, a half and all of the fleet: time per city must stay flat.
    const perCity = {};
    for (const [label, selection] of [
      ['1/4', ['--all', '--shard', '1/4']],
      ['1/2', ['--all', '--shard', '1/2']],
      ['all', ['--all']],
    ]) {
      coldWorkspaces(project);
      const count = label === 'all' ? cities : names.filter((_, i) => i % (label === '1/4' ? 4 : 2) === 0).length;
      const r = await plan(storm, ['plan', ...selection], project, env);
      perCity[label] = r.wall / count;
      add(`storm plan --all over ${count} cities (wall, --concurrency 2)`, r.wall, 's');
      add(`storm plan --all over ${count} cities (wall per city)`, r.wall / count, 's');
    }
    add(
      `plan --all growth: time per city at ${cities} / at ${Math.ceil(cities / 4)} cities`,
      perCity.all / perCity['1/4'],
      '×',
      { op: '<=', value: 1.15 },
    );
    add('load average (1 min) at the end', loadavg()[0], '');
    return figures;
  } finally {
    await control.stopSandbox({ cwd: project, progress: quiet }).catch(() => undefined);
    rmSync(project, { recursive: true, force: true });
  }
}

function coldWorkspaces(project) {
  rmSync(join(project, '.storm', 'work'), { recursive: true, force: true });
}

function readTrace(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
    .filter((t) => t.program === 'tofu');
}

async function plan(storm, args, cwd, env) {
  const started = process.hrtime.bigint();
  const r = await stormAsync(storm, args, cwd, env);
  return { ...r, wall: Number(process.hrtime.bigint() - started) / 1e9 };
}

function stormAsync(storm, args, cwd, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [storm, ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr = (stderr + c.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve({ code })
        : reject(new Error(`storm ${args.slice(0, 4).join(' ')} exited ${code}: ${stderr}`)),
    );
  });
}

/** Runs the tasks, at most `width` at once; returns the wall seconds of the whole. */
async function timedAll(tasks, width) {
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: width }, worker));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** No OS_* and no machine TF_CLI_CONFIG_FILE: the user with nothing configured. */
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OS_') && k !== 'TF_CLI_CONFIG_FILE') env[k] = v;
  return env;
}
