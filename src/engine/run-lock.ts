/**
 * The run lock of a city and environment: held by `storm provision` (and destroy)
 * from before it reads the state until its apply is done, so two runners that
 * pick the same stack never plan-then-apply at the same time — the second waits
 * up to --lock-timeout and then fails naming the holder. tofu's own state lock
 * only covers each single tofu command; between a plan and its apply another
 * runner could apply, and the first one's plan would be stale.
 *
 * With the pg backend it is a PostgreSQL session advisory lock on the state's
 * database: it spans runners on any machine, and dies with the connection, so a
 * killed runner never leaves it behind. Other backends have no shared place to
 * hold one; tofu's state lock (and the saved plan's serial check) protect them.
 */
import type { Client } from 'pg';
import { StormError } from '../errors';
import type { BackendSetup } from './state';
import { lockOwnerName, withApplicationName } from './state';

export interface RunLock {
  release(): Promise<void>;
}

/** Milliseconds of a duration like 30s, 2m, 500ms, 1h (the form --lock-timeout accepts). */
export function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(text);
  if (m === null) throw new StormError('usage', `"${text}" is not a duration like 30s or 2m`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

const NO_LOCK: RunLock = { release: () => Promise.resolve() };

/** "STOR": the first key of every storm run lock, apart from tofu's own advisory locks (single bigint keys). */
export const RUN_LOCK_CLASS = 0x53544f52;

/** The second key: FNV-1a of the pg schema that holds the stack's state, as a signed int4. */
export function runLockKey(schema: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(schema, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash | 0;
}

export interface RunLockHolder {
  who: string;
  since?: string;
}

async function holderOf(client: Client, key: number): Promise<RunLockHolder | undefined> {
  const r = await client.query<{
    application_name: string | null;
    client_addr: string | null;
    xact: Date | null;
    pid: number;
  }>(
    `SELECT a.application_name, host(a.client_addr) AS client_addr, a.backend_start AS xact, a.pid
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid`,
    [String(RUN_LOCK_CLASS), String(key >>> 0)],
  );
  const h = r.rows[0];
  if (h === undefined) return undefined;
  return {
    who: `${h.application_name !== null && h.application_name !== '' ? h.application_name : 'an unnamed client'}${h.client_addr !== null ? ` from ${h.client_addr}` : ''} (PostgreSQL backend ${h.pid})`,
    ...(h.xact !== null ? { since: h.xact.toISOString() } : {}),
  };
}

/**
 * Takes the run lock of a stack, waiting up to lockTimeout (e.g. "30s"); fails with
 * state-locked naming the holder. A no-op for backends other than pg.
 */
export async function acquireRunLock(
  backend: BackendSetup,
  label: string,
  lockTimeout: string,
  options: { signal?: AbortSignal; onWait?: (holder: RunLockHolder | undefined) => void } = {},
): Promise<RunLock> {
  if (backend.pg === undefined) return NO_LOCK;
  // pg is loaded only by a pg-backed run, not by every storm start.
  const { Client: PgClient } = await import('pg');
  const client = new PgClient({
    connectionString: withApplicationName(backend.pg.connectionString, lockOwnerName()),
    connectionTimeoutMillis: 10_000,
  });
  // A dropped connection releases the lock server-side; nothing to do here but not crash.
  client.on('error', () => undefined);
  const key = runLockKey(backend.pg.schema);
  const deadline = Date.now() + durationMs(lockTimeout);
  try {
    await client.connect();
    let announced = false;
    for (;;) {
      const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int4, $2::int4) AS ok', [
        RUN_LOCK_CLASS,
        key,
      ]);
      if (got.rows[0]?.ok === true) break;
      const holder = await holderOf(client, key);
      if (Date.now() >= deadline) {
        throw new StormError(
          'state-locked',
          `${label}: another storm run holds this city and environment (${holder === undefined ? 'holder unknown' : `held by ${holder.who}${holder.since === undefined ? '' : ` connected since ${holder.since}`}`}); gave up after waiting ${lockTimeout}`,
          {
            hint: 'wait for that run to finish and try again, or raise --lock-timeout; a runner that died releases the lock with its connection',
          },
        );
      }
      if (!announced) options.onWait?.(holder);
      announced = true;
      if (options.signal?.aborted === true)
        throw new StormError('interrupted', `${label}: interrupted while waiting for the run lock`);
      // Jitter keeps waiting runners from polling in step.
      await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 200)));
    }
  } catch (err) {
    await client.end().catch(() => undefined);
    if (err instanceof StormError) throw err;
    throw new StormError(
      'state-locked',
      `${label}: cannot take the run lock in PostgreSQL: ${(err as Error).message}`,
      {
        hint: 'check the connection string the manifest names (state.connectionStringEnv)',
      },
    );
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      await client.query('SELECT pg_advisory_unlock($1::int4, $2::int4)', [RUN_LOCK_CLASS, key]).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}
