/** storm's own version, read once from package.json. */
import * as fs from 'node:fs';
import * as path from 'node:path';

function readVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export const STORM_VERSION: string = readVersion();
/** Root of the storm installation (holds package.json, templates/ shipped with storm). */
export const STORM_ROOT: string = path.join(__dirname, '..');
