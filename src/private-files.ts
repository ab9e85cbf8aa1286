/**
 * Files storm writes that may hold secrets or tenancy details (state, plans,
 * the audit log, the sandbox database) are created 0600 in 0700 folders, so
 * another account on a shared build machine reads none of them. The process
 * umask (set by the CLI and the sandbox at start) covers what tofu and SQLite
 * create; these helpers make storm's own writes private even without it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** The umask that gives every file created afterwards (by storm or its children) no group/other access. */
export const PRIVATE_UMASK = 0o077;

/**
 * Creates `root/segments...` and makes each folder below root (existing ones
 * included, e.g. a .storm/ made by an older storm) 0700.
 */
export function ensurePrivateDir(root: string, ...segments: string[]): string {
  let dir = root;
  for (const segment of segments) {
    dir = path.join(dir, segment);
    try {
      fs.mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if ((fs.statSync(dir).mode & 0o777) !== PRIVATE_DIR_MODE) fs.chmodSync(dir, PRIVATE_DIR_MODE);
  }
  return dir;
}

/** Folder `dir` (created with its parents) made 0700 — for a folder outside a known root. */
export function ensurePrivateFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if ((fs.statSync(dir).mode & 0o777) !== PRIVATE_DIR_MODE) fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Writes a file 0600 (atomically: private temp file, then rename). */
export function writePrivateFile(file: string, content: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: PRIVATE_FILE_MODE });
  fs.chmodSync(tmp, PRIVATE_FILE_MODE);
  fs.renameSync(tmp, file);
}
