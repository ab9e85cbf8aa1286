/**
 * The audit log in PostgreSQL, for cities whose state lives there (state
 * backend pg): one table per city holding the same canonical JSON lines as the
 * file backend, in insertion order, plus a heads table remembering each city's
 * last record. Appends run in a transaction under an advisory lock, so
 * concurrent storm processes on different machines extend one chain; like the
 * file log, an append first verifies the whole chain up to its head and refuses
 * a log that does not verify (a last row that does not parse included: the
 * chain never restarts at 1).
 */
import type { Client } from 'pg';
import { StormError } from '../errors';
import { recordBody, type AuditRecord, type AuditRecordInput } from './audit-record';
import { headOf, seal, serialise, verifyChain, type ChainHead, type StoredLine } from './audit-chain';

export const HEADS_TABLE = 'storm_audit_heads';

export function auditTable(city: string): string {
  return `storm_audit_${city.replace(/-/g, '_')}`;
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

export function connectionString(
  envVar: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const value = env[envVar];
  if (value === undefined || value === '') {
    throw new StormError('usage', `the audit log of this city is in PostgreSQL, but ${envVar} is not set`, {
      hint: `export ${envVar}=postgres://user@host/db (the manifest's state.connectionStringEnv names it)`,
    });
  }
  return value;
}

async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
  // Loaded on first use: a file-backed audit log (the default) never needs pg.
  const { Client: PgClient } = await import('pg');
  const client = new PgClient({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    // The message of a failed connection can hold the URL; never show it (it may carry a password).
    throw new StormError(
      'cloud',
      `cannot connect to the PostgreSQL audit log: ${(err as { code?: string }).code ?? 'connection failed'}`,
      { hint: 'check the connection string variable and that the server is reachable' },
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureTables(c: Client, city: string): Promise<void> {
  await c.query(
    `CREATE TABLE IF NOT EXISTS ${quote(auditTable(city))} (line bigserial PRIMARY KEY, record text NOT NULL)`,
  );
  await c.query(
    `CREATE TABLE IF NOT EXISTS ${quote(HEADS_TABLE)} (city text PRIMARY KEY, seq integer NOT NULL, hash text NOT NULL)`,
  );
  // Keyed logs store the head's MAC (added to tables made by an older storm).
  await c.query(`ALTER TABLE ${quote(HEADS_TABLE)} ADD COLUMN IF NOT EXISTS mac text`);
}

async function readRows(c: Client, city: string): Promise<{ lines: StoredLine[]; head: ChainHead | undefined }> {
  const rows = await c.query<{ record: string }>(`SELECT record FROM ${quote(auditTable(city))} ORDER BY line`);
  const head = await c.query<{ seq: number; hash: string; mac: string | null }>(
    `SELECT seq, hash, mac FROM ${quote(HEADS_TABLE)} WHERE city = $1`,
    [city],
  );
  const h = head.rows[0];
  return {
    lines: rows.rows.map((r, i) => ({ line: i + 1, text: r.record })),
    head: h === undefined ? undefined : { seq: h.seq, hash: h.hash, ...(h.mac === null ? {} : { mac: h.mac }) },
  };
}

export async function appendAuditRecordPg(url: string, input: AuditRecordInput, key?: Buffer): Promise<AuditRecord> {
  return withClient(url, async (c) => {
    await c.query('BEGIN');
    try {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`storm-audit:${input.city}`]);
      await ensureTables(c, input.city);
      const { lines, head } = await readRows(c, input.city);
      const verification = verifyChain(lines, head, {
        requireHead: true,
        city: input.city,
        ...(key === undefined ? {} : { key }),
      });
      if (!verification.ok) {
        const p = verification.problem;
        throw new StormError(
          'audit-tampered',
          `the audit log of ${input.city} (postgresql:${auditTable(input.city)}) does not verify, so storm will not add to it: ${p?.message ?? 'unknown problem'}`,
          {
            hint: `inspect it with \`storm audit verify ${input.city}\` and \`storm audit log ${input.city}\`; restore the table from a backup and find out who changed it`,
          },
        );
      }
      const previous =
        verification.records === 0 ? undefined : { seq: verification.records, hash: verification.lastHash };
      const record = seal(recordBody(input), previous, key);
      const newHead = headOf(record, input.city, key);
      await c.query(`INSERT INTO ${quote(auditTable(input.city))} (record) VALUES ($1)`, [serialise(record)]);
      await c.query(
        `INSERT INTO ${quote(HEADS_TABLE)} (city, seq, hash, mac) VALUES ($1, $2, $3, $4) ON CONFLICT (city) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, mac = EXCLUDED.mac`,
        [input.city, newHead.seq, newHead.hash, newHead.mac ?? null],
      );
      await c.query('COMMIT');
      return record;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

/** Rows in insertion order, numbered 1.. like lines of the file backend. */
export async function readAuditRowsPg(
  url: string,
  city: string,
): Promise<{ lines: StoredLine[]; head: ChainHead | undefined }> {
  return withClient(url, async (c) => {
    await ensureTables(c, city);
    return readRows(c, city);
  });
}
