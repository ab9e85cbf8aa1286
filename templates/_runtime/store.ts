/**
 * A JSON document kept in memory and persisted to the service's data
 * directory (the tier's attached volume). Every change is written to a temp
 * file, fsynced, renamed over the old file and the directory fsynced, so a
 * crash or power cut leaves either the old or the new document, never half.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeFileAtomic(file: string, content: string, mode = 0o644): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

export class JsonStore<T> {
  private data: T;

  /**
   * Loads `file`, or — on first start, when it does not exist — the value
   * `seed()` returns, which is written at once so the next start reads it.
   */
  constructor(
    readonly file: string,
    seed: () => T,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (fs.existsSync(file)) {
      this.data = JSON.parse(fs.readFileSync(file, 'utf8')) as T;
    } else {
      this.data = seed();
      this.flush();
    }
  }

  read(): T {
    return this.data;
  }

  /** Applies a change and persists it before returning; a failed write rolls the change back. */
  update<R>(change: (data: T) => R): R {
    const before = JSON.stringify(this.data);
    try {
      const result = change(this.data);
      this.flush();
      return result;
    } catch (err) {
      this.data = JSON.parse(before) as T;
      throw err;
    }
  }

  private flush(): void {
    writeFileAtomic(this.file, `${JSON.stringify(this.data, null, 2)}\n`);
  }
}

/** Reads a seed file shipped with the artifact (seed/<name>.json). */
export function readSeed<T>(seedDir: string, name: string): T {
  return JSON.parse(fs.readFileSync(path.join(seedDir, name), 'utf8')) as T;
}
