/**
 * The audit log in PostgreSQL, for cities whose state lives there (state
 * backend pg): one table per city holding the same canonical JSON lines as the
 * file backend, in insertion order, plus a heads table remembering each city's
 * last record. Appends run in a transaction under an advisory lock, so
 * concurrent storm processes on different machines extend one chain.
 */
import type { Client } from 'pg';
import { StormError } from '../errors';
import { recordBody, type AuditRecord, type AuditRecordInput } from './audit-record';
import { parseRecord, seal, serialise, type ChainHead, type StoredLine } from './audit-chain';

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
}

export async function appendAuditRecordPg(url: string, input: AuditRecordInput): Promise<AuditRecord> {
  return withClient(url, async (c) => {
    await c.query('BEGIN');
    try {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`storm-audit:${input.city}`]);
      await ensureTables(c, input.city);
      const last = await c.query<{ record: string }>(
        `SELECT record FROM ${quote(auditTable(input.city))} ORDER BY line DESC LIMIT 1`,
      );
      const previous = last.rows[0] === undefined ? undefined : parseRecord(last.rows[0].record);
      const record = seal(
        recordBody(input),
        previous === undefined ? undefined : { seq: previous.seq, hash: previous.hash },
      );
      await c.query(`INSERT INTO ${quote(auditTable(input.city))} (record) VALUES ($1)`, [serialise(record)]);
      await c.query(
        `INSERT INTO ${quote(HEADS_TABLE)} (city, seq, hash) VALUES ($1, $2, $3) ON CONFLICT (city) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash`,
        [input.city, record.seq, record.hash],
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
    const rows = await c.query<{ record: string }>(`SELECT record FROM ${quote(auditTable(city))} ORDER BY line`);
    const head = await c.query<{ seq: number; hash: string }>(
      `SELECT seq, hash FROM ${quote(HEADS_TABLE)} WHERE city = $1`,
      [city],
    );
    const h = head.rows[0];
    return {
      lines: rows.rows.map((r, i) => ({ line: i + 1, text: r.record })),
      head: h === undefined ? undefined : { seq: h.seq, hash: h.hash },
    };
  });
}
