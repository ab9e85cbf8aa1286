/**
 * Runs once before the suite, so the first test finds everything it needs, or no test runs at all:
 * 1. the programs the tests use (tests/support/prepare.ts lists them): present and recent enough, or
 *    installed with apt when the user is root (or has password-less sudo), one line each; otherwise the
 *    run stops here with the exact apt-get command;
 * 2. dist/ and each templates/<name>/dist current, so tests that spawn bin/storm run the code under test;
 * 3. the pinned engine built (once, into ~/.cache/storm) by `storm doctor`, with its progress line.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { postgresBinDirs, requirements } from './support/prepare';
import { prepareEngine, prepareMachine } from './support/prepare-machine';

function stop(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

function postgresMajors(): string[] {
  try {
    return fs.readdirSync('/usr/lib/postgresql');
  } catch {
    return [];
  }
}

export default function setup(): void {
  const root = path.join(__dirname, '..');
  const log = (line: string): void => void process.stderr.write(`${line}\n`);

  const tools = prepareMachine({
    requirements: requirements({
      chromium: process.env.STORM_CHROMIUM,
      postgresDirs: postgresBinDirs(postgresMajors()),
    }),
    env: process.env,
    uid: process.getuid?.() ?? -1,
    cacheFile: path.join(root, 'node_modules', '.cache', 'storm-tests', 'program-versions.json'),
    log,
  });
  if (!tools.ok) stop(tools.message);

  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
  // The pilot applications (deployed by e2e tests as artifacts) build separately.
  execFileSync(process.execPath, [tsc, '-b', path.join(root, 'templates')], { stdio: 'inherit' });

  const engine = prepareEngine(root, process.env);
  if (!engine.ok) stop(engine.message);
  log(`» ${tools.present + tools.installed.length} programs the tests use are ready; ${engine.line.slice(2)}`);
}
