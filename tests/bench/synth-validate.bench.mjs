// Issue 3's figures: whole-process `storm synth` for one city and for all
// three, and `storm validate` over 1,000 generated manifests. Issue 17's target:
// `storm synth valladolid --env production`, whole process, median of 7 runs ≤ 0.25 s
// and ≤ 100 MiB, beside `node -e 0` (the floor every storm command pays) on the same
// machine at the same time; the CPU figure (user + system) is what storm itself costs,
// less disturbed by whatever else runs on the machine.
import { mkdtempSync, rmSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureProcess } from './process-stats.mjs';

export async function run({ root }) {
  const storm = join(root, 'bin', 'storm');
  const figures = [];
  const out = mkdtempSync(join(tmpdir(), 'storm-bench-synth-'));
  try {
    const args = ['synth', 'valladolid', '--env', 'production', '--out', out];
    // One run first: it fills the validator cache a fresh machine starts without.
    measureProcess(storm, args, { cwd: root, runs: 1 });
    const one = measureProcess(storm, args, { cwd: root, runs: 7 });
    const floor = measureProcess(process.execPath, ['-e', '0'], { cwd: root, runs: 7 });
    figures.push({
      name: 'storm synth valladolid production (wall, median of 7)',
      value: one.wallSeconds,
      unit: 's',
      target: { op: '<=', value: 0.25 },
    });
    figures.push({ name: 'storm synth valladolid production (CPU, median of 7)', value: one.cpuSeconds, unit: 's' });
    figures.push({
      name: 'storm synth valladolid (peak RSS)',
      value: one.peakMiB,
      unit: 'MiB',
      target: { op: '<=', value: 100 },
    });
    figures.push({ name: 'node -e 0 (wall, median of 7: the floor)', value: floor.wallSeconds, unit: 's' });
    figures.push({ name: 'node -e 0 (CPU, median of 7)', value: floor.cpuSeconds, unit: 's' });
    figures.push({ name: 'load average (1 min) before the synth runs', value: one.load, unit: '' });
    let wall = 0;
    let peak = 0;
    for (const city of ['valladolid', 'thessaloniki', 'agueda']) {
      const m = measureProcess(storm, ['synth', city, '--env', 'production', '--out', join(out, city)], {
        cwd: root,
        runs: 3,
      });
      wall += m.wallSeconds;
      peak = Math.max(peak, m.peakMiB);
    }
    figures.push({ name: 'storm synth ×3 cities (wall, sum of processes)', value: wall, unit: 's' });
    figures.push({ name: 'storm synth ×3 cities (peak RSS)', value: peak, unit: 'MiB' });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }

  const project = mkdtempSync(join(tmpdir(), 'storm-bench-validate-'));
  try {
    const { generateManifests } = await import(join(root, 'tests', 'manifest', 'generate-manifests.mjs')).catch(() => ({
      generateManifests: undefined,
    }));
    if (generateManifests === undefined) throw new Error('tests/manifest/generate-manifests.mjs is missing');
    cpSync(join(root, 'templates'), join(project, 'templates'), { recursive: true });
    mkdirSync(join(project, 'stacks'));
    for (const m of generateManifests(1000)) writeFileSync(join(project, 'stacks', `${m.name}.yaml`), m.text);
    const v = measureProcess(join(root, 'bin', 'storm'), ['validate', '--all', '--cwd', project], {
      cwd: project,
      runs: 3,
    });
    figures.push({ name: 'storm validate --all, 1,000 manifests (wall)', value: v.wallSeconds, unit: 's' });
    figures.push({ name: 'storm validate --all, 1,000 manifests (peak RSS)', value: v.peakMiB, unit: 'MiB' });
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
  return figures;
}
