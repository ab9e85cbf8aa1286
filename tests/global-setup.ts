/**
 * Runs once before the suite: makes sure dist/ and each templates/<name>/dist are current so e2e tests that
 * spawn bin/storm run the code under test.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

export default function setup(): void {
  const root = path.join(__dirname, '..');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
  // The pilot applications (deployed by e2e tests as artifacts) build separately.
  execFileSync(process.execPath, [tsc, '-b', path.join(root, 'templates')], { stdio: 'inherit' });
}
