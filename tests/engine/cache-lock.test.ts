import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, isStale, withLock } from '../../src/engine/cache-lock';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-lock-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('cache lock', () => {
  it("serialises two concurrent acquirers: the second waits, then sees the first one's work", async () => {
    const lockPath = path.join(dir, 'bootstrap.lock');
    const events: string[] = [];
    let waited = 0;
    const worker = (name: string) =>
      withLock(
        lockPath,
        {
          pollMs: 20,
          onWait: () => {
            waited += 1;
          },
        },
        async () => {
          events.push(`${name}:start`);
          const built = fs.existsSync(path.join(dir, 'artifact'));
          if (!built) {
            await sleep(100);
            fs.writeFileSync(path.join(dir, 'artifact'), name);
          }
          events.push(`${name}:end:${built ? 'reused' : 'built'}`);
        },
      );
    await Promise.all([worker('a'), worker('b')]);
    expect(events).toHaveLength(4);
    // No interleaving: each start is followed by its own end.
    expect(events[0]?.split(':')[0]).toBe(events[1]?.split(':')[0]);
    expect(events[1]).toMatch(/:built$/);
    expect(events[3]).toMatch(/:reused$/);
    expect(waited).toBe(1);
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it('takes over a lock left by a dead process on this host', async () => {
    const lockPath = path.join(dir, 'bootstrap.lock');
    fs.writeFileSync(
      lockPath,
      JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), acquiredAt: '2020-01-01T00:00:00Z', token: 'dead' }),
    );
    const lock = await acquireLock(lockPath, { pollMs: 10, timeoutMs: 2000 });
    expect(JSON.parse(fs.readFileSync(lockPath, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it('waits for a live holder and times out with who holds it', async () => {
    const lockPath = path.join(dir, 'bootstrap.lock');
    const held = await acquireLock(lockPath);
    await expect(acquireLock(lockPath, { pollMs: 10, timeoutMs: 100 })).rejects.toThrow(
      /timed out waiting for the lock/,
    );
    held.release();
  });

  it('judges staleness by age, liveness and host', () => {
    const host = 'here';
    expect(isStale({ pid: process.pid, host, acquiredAt: '', token: 't' }, 10, 1000, host)).toBe(false);
    expect(isStale({ pid: process.pid, host, acquiredAt: '', token: 't' }, 2000, 1000, host)).toBe(true);
    expect(isStale({ pid: 2 ** 22 + 12345, host, acquiredAt: '', token: 't' }, 10, 1000, host)).toBe(true);
    expect(isStale({ pid: 2 ** 22 + 12345, host: 'elsewhere', acquiredAt: '', token: 't' }, 10, 1000, host)).toBe(
      false,
    );
    expect(isStale(undefined, 10, 1000, host)).toBe(false);
    expect(isStale(undefined, 10_000, 100_000, host)).toBe(true);
  });
});
