/**
 * A lock file beside the audit log, so concurrent storm processes append one at
 * a time. The lock is created atomically with its content (written to a private
 * file, then hard-linked into place: link fails if the lock exists), so nobody
 * ever sees an empty lock. It holds "<pid> <token>"; a lock whose owner process
 * is gone, or that is older than STALE_MS, is broken by renaming it away — and
 * put back if what was renamed turns out to be a fresh lock taken meanwhile.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { StormError } from '../errors';
import { processAlive } from '../process-alive';

const STALE_MS = 60_000;
const WAIT_MS = 15_000;

function readLock(lockPath: string): string | undefined {
  try {
    return fs.readFileSync(lockPath, 'utf8');
  } catch {
    return undefined;
  }
}

function ownerAlive(content: string): boolean {
  const pid = Number.parseInt(content.split(' ')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  return processAlive(pid);
}

function staleContent(lockPath: string): string | undefined {
  const content = readLock(lockPath);
  if (content === undefined) return undefined;
  let age = 0;
  try {
    age = Date.now() - fs.statSync(lockPath).mtimeMs;
  } catch {
    return undefined;
  }
  return age > STALE_MS || !ownerAlive(content) ? content : undefined;
}

function breakStale(lockPath: string, judged: string): void {
  const grave = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    fs.renameSync(lockPath, grave);
  } catch {
    return; // someone else broke it first
  }
  if (readLock(grave) !== judged) {
    // We moved a lock taken after we judged: give it back.
    try {
      fs.linkSync(grave, lockPath);
    } catch {
      // Another process locked in between; the owner we disturbed will fail its own release check.
    }
  }
  fs.rmSync(grave, { force: true });
}

function tryCreate(lockPath: string, content: string): boolean {
  const mine = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  fs.writeFileSync(mine, content);
  try {
    fs.linkSync(mine, lockPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    fs.rmSync(mine, { force: true });
  }
}

export async function withFileLock<T>(lockPath: string, work: () => Promise<T> | T): Promise<T> {
  const content = `${process.pid} ${randomBytes(8).toString('hex')}`;
  const deadline = Date.now() + WAIT_MS;
  let delay = 5;
  while (!tryCreate(lockPath, content)) {
    const stale = staleContent(lockPath);
    if (stale !== undefined) {
      breakStale(lockPath, stale);
      continue;
    }
    if (Date.now() > deadline)
      throw new StormError('state-locked', `audit log is locked by another storm process (${lockPath})`, {
        hint: 'wait for the other run to finish; remove the lock file only if no storm process is running',
      });
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await work();
  } finally {
    // Release only our own lock.
    if (readLock(lockPath) === content) fs.rmSync(lockPath, { force: true });
  }
}
