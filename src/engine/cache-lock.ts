/**
 * A cross-process lock for storm's cache: a lock file created with O_EXCL that
 * records who holds it. A lock left by a dead process on this host (or one older
 * than staleAfterMs, whatever host) is taken over; everyone else waits.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { StormError } from '../errors';
import { processAlive } from '../process-alive';

export interface LockOwner {
  pid: number;
  host: string;
  acquiredAt: string;
  /** Distinguishes holders inside one process (same pid). */
  token: string;
}

export interface LockOptions {
  pollMs?: number;
  staleAfterMs?: number;
  /** Give up after this long (default: wait as long as the holder is alive). */
  timeoutMs?: number;
  /** Called once when the lock is busy, with its holder. */
  onWait?: (owner: LockOwner | undefined) => void;
  signal?: AbortSignal;
}

export interface HeldLock {
  readonly path: string;
  readonly owner: LockOwner;
  release(): void;
}

let tokenCounter = 0;

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    const doc = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockOwner>;
    if (typeof doc.pid !== 'number' || typeof doc.host !== 'string' || typeof doc.acquiredAt !== 'string')
      return undefined;
    return { pid: doc.pid, host: doc.host, acquiredAt: doc.acquiredAt, token: String(doc.token ?? '') };
  } catch {
    return undefined;
  }
}

/** Whether a lock's holder can no longer release it (pure apart from the liveness probe). */
export function isStale(
  owner: LockOwner | undefined,
  ageMs: number,
  staleAfterMs: number,
  host = os.hostname(),
): boolean {
  if (ageMs > staleAfterMs) return true;
  // A half-written lock file: its writer died between open and write, or is writing now.
  if (owner === undefined) return ageMs > 5_000;
  return owner.host === host && !processAlive(owner.pid);
}

export async function acquireLock(lockPath: string, options: LockOptions = {}): Promise<HeldLock> {
  const pollMs = options.pollMs ?? 500;
  const staleAfterMs = options.staleAfterMs ?? 2 * 60 * 60 * 1000;
  const started = Date.now();
  tokenCounter += 1;
  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    acquiredAt: new Date().toISOString(),
    token: `${process.pid}-${tokenCounter}`,
  };
  let announced = false;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o644);
      try {
        fs.writeSync(fd, `${JSON.stringify(owner)}\n`);
      } finally {
        fs.closeSync(fd);
      }
      return {
        path: lockPath,
        owner,
        release(): void {
          // Only remove the file if it is still ours (a stale takeover may have replaced it).
          if (readOwner(lockPath)?.token === owner.token) fs.rmSync(lockPath, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readOwner(lockPath);
    let ageMs = 0;
    try {
      ageMs = Date.now() - fs.statSync(lockPath).mtimeMs;
    } catch {
      continue; // released between our open and stat: try again at once
    }
    if (isStale(holder, ageMs, staleAfterMs)) {
      // Rename-then-remove so two takers cannot both delete a fresh lock.
      const aside = `${lockPath}.stale-${owner.token}`;
      try {
        fs.renameSync(lockPath, aside);
        const moved = readOwner(aside);
        // Another taker may have replaced the stale lock with a fresh one just
        // before our rename: put that one back (link never overwrites).
        if (moved !== undefined && holder !== undefined && moved.token !== holder.token) {
          try {
            fs.linkSync(aside, lockPath);
          } catch {
            // a third process holds it now; the restored one is lost to nobody
          }
        }
        fs.rmSync(aside, { force: true });
      } catch {
        // someone else took it over first
      }
      continue;
    }
    if (!announced) {
      announced = true;
      options.onWait?.(holder);
    }
    if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) {
      throw new StormError('engine-failed', `timed out waiting for the lock ${lockPath}`, {
        hint:
          holder === undefined
            ? 'remove the lock file if no storm process is running'
            : `held by pid ${holder.pid} on ${holder.host} since ${holder.acquiredAt}`,
      });
    }
    if (options.signal?.aborted === true)
      throw new StormError('interrupted', 'interrupted while waiting for the cache lock');
    await sleep(pollMs);
  }
}

export async function withLock<T>(lockPath: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(lockPath, options);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
