/**
 * A lock file beside the audit log, so concurrent storm processes append one at
 * a time: created with O_CREAT|O_EXCL, holding the owner's pid; a lock whose
 * owner is gone (or that is older than STALE_MS) is taken over.
 */
import * as fs from 'node:fs';
import { StormError } from '../errors';

const STALE_MS = 60_000;
const WAIT_MS = 15_000;

function ownerAlive(lockPath: string): boolean {
  try {
    const pid = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(lockPath: string): boolean {
  try {
    const age = Date.now() - fs.statSync(lockPath).mtimeMs;
    return age > STALE_MS || !ownerAlive(lockPath);
  } catch {
    return false;
  }
}

export async function withFileLock<T>(lockPath: string, work: () => Promise<T> | T): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let delay = 5;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (isStale(lockPath)) {
        fs.rmSync(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new StormError('state-locked', `audit log is locked by another storm process (${lockPath})`, { hint: 'wait for the other run to finish; remove the lock file only if no storm process is running' });
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 200);
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}
