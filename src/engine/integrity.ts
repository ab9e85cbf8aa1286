/**
 * What storm checks before it builds with or runs the pinned engine:
 *   - Go's module hash (`h1:`, dirhash Hash1) of the source it is about to
 *     build, against the hash the checksum database records (pins.ts);
 *   - the sha256 of each binary it built, recorded in a manifest next to it
 *     (the stamp) and checked before use.
 * A recorded binary is re-hashed whenever its inode, size, mtime or ctime
 * differ from what was recorded; ctime moves on every write and a user cannot
 * set it back, so an unchanged stat means unchanged bytes and the common
 * case costs one stat, not hashing 160 MB.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StormError } from '../errors';

/** Go's dirhash.Hash1 over the regular files under `dir`, named `prefix/relative/path` (no prefix: the bare path). */
export function dirHash1(dir: string, prefix: string): string {
  const files: { name: string; full: string }[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(childRel);
      else if (entry.isFile())
        files.push({ name: prefix === '' ? childRel : `${prefix}/${childRel}`, full: path.join(dir, childRel) });
      else
        throw new StormError('engine-failed', `${path.join(dir, childRel)} is not a regular file`, {
          hint: 'a module or provider directory holds only regular files; remove it and let storm fetch it again',
        });
    }
  };
  walk('');
  // Go sorts names as byte strings.
  files.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  const summary = createHash('sha256');
  for (const f of files) {
    if (f.name.includes('\n'))
      throw new StormError('engine-failed', `file name with a newline: ${JSON.stringify(f.name)}`, {
        hint: 'a module source never has one; remove the module and let storm fetch it again',
      });
    summary.update(`${sha256File(f.full)}  ${f.name}\n`);
  }
  return `h1:${summary.digest('base64')}`;
}

/** sha256 (hex) of a file, read in chunks. */
export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** One built file in the manifest: its hash, and the stat that says it has not been written since. */
export interface FileRecord {
  sha256: string;
  size: number;
  ino: string;
  mtimeNs: string;
  ctimeNs: string;
}

function statOf(file: string): Omit<FileRecord, 'sha256'> {
  const s = fs.statSync(file, { bigint: true });
  return { size: Number(s.size), ino: String(s.ino), mtimeNs: String(s.mtimeNs), ctimeNs: String(s.ctimeNs) };
}

export function recordFile(file: string): FileRecord {
  return { sha256: sha256File(file), ...statOf(file) };
}

export function isFileRecord(value: unknown): value is FileRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(r.sha256) &&
    typeof r.size === 'number' &&
    typeof r.ino === 'string' &&
    typeof r.mtimeNs === 'string' &&
    typeof r.ctimeNs === 'string'
  );
}

export type FileCheck =
  | { ok: true; /** a new stat to record when the bytes were re-hashed and still match */ refreshed?: FileRecord }
  | { ok: false; actual: string };

/** Whether `file` still holds the bytes `record` names. */
export function checkFile(file: string, record: FileRecord): FileCheck {
  const now = statOf(file);
  if (
    now.size === record.size &&
    now.ino === record.ino &&
    now.mtimeNs === record.mtimeNs &&
    now.ctimeNs === record.ctimeNs
  )
    return { ok: true };
  const actual = sha256File(file);
  if (actual !== record.sha256) return { ok: false, actual };
  return { ok: true, refreshed: { sha256: actual, ...now } };
}
