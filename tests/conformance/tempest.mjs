#!/usr/bin/env node
/**
 * OpenStack's own conformance suite against the sandbox (opt-in, never part of `npm test`: about 17 minutes):
 *
 *   npm run test:conformance [-- --kit DIR] [--regex RE] [--out DIR]
 *
 * Starts a fresh sandbox in OUT (default: a new temporary directory), writes a Tempest configuration for it and
 * runs the kit's test selection (../shared/tempest: Debian's `tempest` 33, 316 API tests, run one at a time), then
 * judges the run against what a real OpenStack Zed all-in-one passes (the kit's baseline-zed-aio.txt): every test
 * the real Zed passes must pass on the sandbox, except the ones tests/conformance/tempest-known-gaps.txt names,
 * each with why. Prints pass/fail/skip beside the baseline, the gaps, and known gaps that now pass (drop them from
 * the file); writes OUT/compare.md. Exits 0 when nothing new is missing, 1 otherwise, 2 when Tempest or the kit is
 * not there. --regex runs only the selected tests whose id matches (as the kit's TEMPEST_REGEX).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STORM = path.join(ROOT, 'bin', 'storm');
const KNOWN_GAPS = path.join(ROOT, 'tests', 'conformance', 'tempest-known-gaps.txt');

function parseArgs(argv) {
  const args = {
    kit: process.env.STORM_TEMPEST_KIT ?? path.resolve(ROOT, '..', 'shared', 'tempest'),
    regex: '',
    out: '',
  };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v === '') throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--kit') args.kit = path.resolve(value());
    else if (a === '--regex') args.regex = value();
    else if (a === '--out') args.out = path.resolve(value());
    else
      throw new Error(
        `unknown argument ${a} (usage: npm run test:conformance -- [--kit DIR] [--regex RE] [--out DIR])`,
      );
  }
  return args;
}

/** `<test id> pass|fail|skip` lines (the kit's results format). */
export function readResults(file) {
  const results = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [id, verdict] = line.trim().split(/\s+/);
    if (id && (verdict === 'pass' || verdict === 'fail' || verdict === 'skip')) results.set(id, verdict);
  }
  return results;
}

/** Known gaps: one test id per line, `#` starts the reason. */
export function readKnownGaps(file) {
  const gaps = new Map();
  if (!fs.existsSync(file)) return gaps;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const [id = '', ...reason] = line.split('#');
    if (id.trim() !== '') gaps.set(id.trim(), reason.join('#').trim());
  }
  return gaps;
}

/** What the run owes the baseline: tests the real Zed passes that did not pass here, split by known or new. */
export function judge(baseline, results, known) {
  const missing = [...results.keys()].filter((id) => baseline.get(id) === 'pass' && results.get(id) !== 'pass');
  return {
    newGaps: missing.filter((id) => !known.has(id)),
    knownGaps: missing.filter((id) => known.has(id)),
    closedGaps: [...known.keys()].filter((id) => results.get(id) === 'pass'),
  };
}

function counts(results, ids) {
  const c = { pass: 0, fail: 0, skip: 0 };
  for (const id of ids) {
    const v = results.get(id);
    if (v !== undefined) c[v] += 1;
  }
  return `${c.pass} pass / ${c.fail} fail / ${c.skip} skip`;
}

function run(program, argv, options) {
  const r = spawnSync(program, argv, { stdio: 'inherit', ...options });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  for (const f of ['make_conf.sh', 'run.sh', 'baseline-zed-aio.txt']) {
    if (!fs.existsSync(path.join(args.kit, f))) {
      console.error(`test:conformance: no ${f} in the Tempest kit ${args.kit} (give its folder with --kit DIR)`);
      return 2;
    }
  }
  if (spawnSync('sh', ['-c', 'command -v tempest'], { stdio: 'ignore' }).status !== 0) {
    console.error(
      'test:conformance: tempest is missing; install it with: apt-get install -y --no-install-recommends tempest python3-openstackclient',
    );
    return 2;
  }
  const out = args.out || fs.mkdtempSync(path.join(os.tmpdir(), 'storm-tempest-'));
  fs.mkdirSync(out, { recursive: true });
  const up = spawnSync(process.execPath, [STORM, 'sandbox', 'up', '--detach', '--port', '0'], {
    cwd: out,
    encoding: 'utf8',
  });
  if (up.status !== 0) {
    console.error(`test:conformance: the sandbox did not start:\n${up.stderr}`);
    return 1;
  }
  const env = { ...process.env };
  for (const m of up.stdout.matchAll(/^export (OS_[A-Z_]+)=(.*)$/gm)) env[m[1]] = m[2];
  try {
    const conf = path.join(out, 'tempest');
    if (run(path.join(args.kit, 'make_conf.sh'), [conf], { env }) !== 0) return 1;
    run(path.join(args.kit, 'run.sh'), [conf], { env: { ...env, TEMPEST_REGEX: args.regex } });
    const resultsFile = path.join(conf, 'results.txt');
    if (!fs.existsSync(resultsFile)) {
      console.error(`test:conformance: Tempest wrote no results (see ${path.join(conf, 'run.log')})`);
      return 1;
    }
    const baseline = readResults(path.join(args.kit, 'baseline-zed-aio.txt'));
    const results = readResults(resultsFile);
    const compare = spawnSync(
      '/usr/bin/python3',
      [path.join(args.kit, 'compare.py'), path.join(args.kit, 'baseline-zed-aio.txt'), resultsFile],
      {
        encoding: 'utf8',
      },
    );
    fs.writeFileSync(path.join(out, 'compare.md'), compare.stdout ?? '');
    const ids = [...results.keys()];
    const verdict = judge(baseline, results, readKnownGaps(KNOWN_GAPS));
    console.log(`\nTempest, ${ids.length} tests: sandbox ${counts(results, ids)}; real Zed ${counts(baseline, ids)}`);
    for (const id of verdict.knownGaps) console.log(`  known gap: ${id}`);
    for (const id of verdict.closedGaps)
      console.log(`  now passes (remove it from tests/conformance/tempest-known-gaps.txt): ${id}`);
    for (const id of verdict.newGaps) console.log(`  FAILS, and the real Zed passes it: ${id}`);
    console.log(`details: ${path.join(out, 'compare.md')}, ${path.join(conf, 'reasons.json')}`);
    return verdict.newGaps.length === 0 ? 0 : 1;
  } finally {
    spawnSync(process.execPath, [STORM, 'sandbox', 'down'], { cwd: out, stdio: 'ignore' });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main();
  } catch (e) {
    console.error(`test:conformance: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  }
}
