#!/usr/bin/env node
// `npm run bench`: runs every tests/bench/*.bench.mjs, prints each figure, its
// target where one is set, and its ratio to the recorded baseline
// (tests/bench/baseline.json; `npm run bench -- --record` rewrites it).
// `npm run bench -- fleet --cities 50` runs only the files whose name holds "fleet",
// with a fleet of 50 synthetic cities instead of 200.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const args = process.argv.slice(2);
const record = args.includes('--record');
const citiesAt = args.indexOf('--cities');
const cities = citiesAt < 0 ? undefined : Number(args[citiesAt + 1]);
if (cities !== undefined && !(Number.isInteger(cities) && cities >= 4 && cities <= 2000)) {
  process.stderr.write('--cities takes a whole number from 4 to 2000\n');
  process.exit(2);
}
const only = args.filter((a, i) => !a.startsWith('--') && !(citiesAt >= 0 && i === citiesAt + 1));

execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});

const baselinePath = join(here, 'baseline.json');
const baseline = existsSync(baselinePath) ? JSON.parse(readFileSync(baselinePath, 'utf8')) : {};
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));

const results = {};
let failures = 0;
for (const file of files) {
  const mod = await import(pathToFileURL(join(here, file)).href);
  process.stderr.write(`» ${file}\n`);
  let figures;
  try {
    figures = await mod.run({ root, ...(cities === undefined ? {} : { cities }) });
  } catch (err) {
    failures++;
    process.stdout.write(`${file}: FAILED ${err instanceof Error ? err.message : String(err)}\n`);
    continue;
  }
  for (const f of figures) {
    results[f.name] = f;
    const base = baseline[f.name]?.value;
    const ratio =
      typeof base === 'number' && base > 0 ? ` ×${(f.value / base).toFixed(2)} vs baseline ${fmt(base)} ${f.unit}` : '';
    const target =
      f.target === undefined
        ? ''
        : ` (target ${f.target.op} ${fmt(f.target.value)} ${f.unit}: ${meets(f) ? 'met' : 'MISSED'})`;
    process.stdout.write(`${f.name.padEnd(58)} ${fmt(f.value).padStart(10)} ${f.unit}${target}${ratio}\n`);
  }
}
if (record) {
  writeFileSync(
    baselinePath,
    `${JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { value: v.value, unit: v.unit }])), null, 2)}\n`,
  );
  process.stderr.write(`baseline recorded in ${baselinePath}\n`);
}
process.exitCode = failures > 0 ? 1 : 0;

function fmt(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 3 : 1);
}
function meets(f) {
  return f.target.op === '<=' ? f.value <= f.target.value : f.value >= f.target.value;
}
