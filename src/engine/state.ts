/**
 * Where a stack's state lives (the manifest's `state:`) and what storm reads
 * from it. The backend block is written as an override file next to the
 * synthesized config; connection strings stay in the environment (PG_CONN_STR).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StormError } from '../errors';
import type { Workspace } from './workspace';

export type StateBackend =
  | { backend: 'local'; path?: string }
  | { backend: 'pg'; connectionStringEnv: string; schemaName?: string }
  | { backend: 's3'; config: Record<string, string | number | boolean | undefined> }
  | { backend: 'http'; config: Record<string, string | number | boolean | undefined> };

export interface BackendSetup {
  kind: StateBackend['backend'];
  /** Content of the override file that selects the backend (no secret in it). */
  overrideJson: string;
  /** Environment tofu needs for the backend (e.g. PG_CONN_STR): secret, never written. */
  env: Record<string, string>;
  /** Human description, safe to print. */
  description: string;
  /** For the pg backend: where to look up who holds a lock. */
  pg?: { connectionString: string; schema: string };
}

/** pg schema names: lowercase letters, digits and underscores. */
export function pgSchemaName(city: string, env: string): string {
  return `storm_${city}_${env}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

export function backendSetup(ws: Workspace, state: StateBackend, processEnv: NodeJS.ProcessEnv): BackendSetup {
  switch (state.backend) {
    case 'local': {
      const file = state.path === undefined ? ws.localStateFile : path.resolve(ws.root, state.path);
      const rel = path.relative(ws.dir, file).split(path.sep).join('/');
      return {
        kind: 'local',
        overrideJson: backendJson({ local: { path: rel } }),
        env: {},
        description: `local state ${path.relative(ws.root, file)}`,
      };
    }
    case 'pg': {
      const conn = processEnv[state.connectionStringEnv];
      if (conn === undefined || conn === '') {
        throw new StormError(
          'usage',
          `the manifest keeps ${ws.city}/${ws.env} state in PostgreSQL, but $${state.connectionStringEnv} is not set`,
          {
            hint: `export ${state.connectionStringEnv}=postgres://user:password@host/db (the manifest names the variable, never the secret)`,
          },
        );
      }
      const schema = state.schemaName ?? pgSchemaName(ws.city, ws.env);
      return {
        kind: 'pg',
        overrideJson: backendJson({ pg: { schema_name: schema } }),
        env: { PG_CONN_STR: withApplicationName(conn, lockOwnerName()) },
        description: `pg state (schema ${schema}, connection from $${state.connectionStringEnv})`,
        pg: { connectionString: conn, schema },
      };
    }
    case 's3':
    case 'http':
      return {
        kind: state.backend,
        overrideJson: backendJson({ [state.backend]: state.config }),
        env: {},
        description: `${state.backend} state`,
      };
  }
}

function backendJson(backend: Record<string, unknown>): string {
  return `${JSON.stringify({ '//': 'written by storm: selects the state backend; no secrets here', terraform: { backend } }, null, 2)}\n`;
}

export interface StateSnapshot {
  serial: number;
  lineage: string;
  /** Resource instance addresses (managed resources only), sorted. */
  addresses: string[];
  resources: StateResource[];
  outputs: Record<string, { sensitive: boolean; value: unknown }>;
}

export interface StateResource {
  address: string;
  type: string;
  id: string | undefined;
  name: string | undefined;
}

export const EMPTY_STATE: StateSnapshot = { serial: 0, lineage: '', addresses: [], resources: [], outputs: {} };

/** Parses a raw terraform.tfstate document (v4), as `tofu state pull` prints it. */
export function parseState(raw: string): StateSnapshot {
  if (raw.trim() === '') return EMPTY_STATE;
  const doc = JSON.parse(raw) as Record<string, unknown>;
  const resources: StateResource[] = [];
  for (const r of Array.isArray(doc.resources) ? doc.resources : []) {
    if (typeof r !== 'object' || r === null) continue;
    const res = r as Record<string, unknown>;
    if (res.mode !== 'managed') continue;
    const prefix = `${typeof res.module === 'string' ? `${res.module}.` : ''}${String(res.type)}.${String(res.name)}`;
    for (const inst of Array.isArray(res.instances) ? res.instances : []) {
      const i = (typeof inst === 'object' && inst !== null ? inst : {}) as Record<string, unknown>;
      const key = i.index_key;
      const address =
        key === undefined
          ? prefix
          : typeof key === 'number'
            ? `${prefix}[${key}]`
            : `${prefix}[${JSON.stringify(key)}]`;
      const attrs = (typeof i.attributes === 'object' && i.attributes !== null ? i.attributes : {}) as Record<
        string,
        unknown
      >;
      resources.push({
        address,
        type: String(res.type),
        id: typeof attrs.id === 'string' ? attrs.id : undefined,
        name: typeof attrs.name === 'string' ? attrs.name : undefined,
      });
    }
  }
  resources.sort((a, b) => a.address.localeCompare(b.address));
  const outputs: StateSnapshot['outputs'] = {};
  if (typeof doc.outputs === 'object' && doc.outputs !== null) {
    for (const [k, v] of Object.entries(doc.outputs as Record<string, unknown>)) {
      const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
      outputs[k] = { sensitive: o.sensitive === true, value: o.value };
    }
  }
  return {
    serial: typeof doc.serial === 'number' ? doc.serial : 0,
    lineage: typeof doc.lineage === 'string' ? doc.lineage : '',
    addresses: resources.map((r) => r.address),
    resources,
    outputs,
  };
}

/** Reads a local state file directly (no tofu run needed); absent → empty. */
export function readLocalState(file: string): StateSnapshot {
  try {
    return parseState(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_STATE;
    throw new StormError('internal', `cannot read state ${file}: ${(err as Error).message}`);
  }
}

/** Replaces sensitive output values, so they never reach a summary or the terminal. */
export function maskOutputs(outputs: StateSnapshot['outputs']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(outputs).sort()) {
    const o = outputs[k];
    if (o !== undefined) out[k] = o.sensitive ? '(sensitive)' : o.value;
  }
  return out;
}

export interface LockInfo {
  id?: string;
  who?: string;
  operation?: string;
  created?: string;
  path?: string;
}

/** Parses tofu's "Error acquiring the state lock" diagnostic (Lock Info block). */
export function parseLockError(text: string): LockInfo | undefined {
  if (!/acquiring the state lock|state lock/i.test(text)) return undefined;
  const field = (name: string): string | undefined => {
    const m = new RegExp(`^\\s*${name}:\\s*(.+)$`, 'mi').exec(text);
    return m?.[1]?.trim();
  };
  const info: LockInfo = {};
  const id = field('ID');
  const who = field('Who');
  const op = field('Operation');
  const created = field('Created');
  const p = field('Path');
  if (id !== undefined) info.id = id;
  if (who !== undefined) info.who = who;
  if (op !== undefined) info.operation = op;
  if (created !== undefined) info.created = created;
  if (p !== undefined) info.path = p;
  return info;
}

/**
 * tofu's pg backend reports the *requesting* run's lock info, not the holder's:
 * the holder is found from PostgreSQL itself. storm names every connection it
 * hands tofu (application_name, max 63 bytes) so the holder can be told.
 */
export function lockOwnerName(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return `storm ${user}@${os.hostname()} pid ${process.pid}`.slice(0, 63);
}

export function withApplicationName(conn: string, name: string): string {
  if (/^postgres(ql)?:\/\//i.test(conn)) {
    const url = new URL(conn);
    url.searchParams.set('application_name', name);
    return url.toString();
  }
  return `${conn} application_name='${name.replace(/['\\]/g, '')}'`;
}

/** The advisory-lock key tofu's pg backend takes while a workspace row is being created: -fnv32(schema \0 table). */
export function pgCreationLockKey(schema: string, table = 'states'): bigint {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(`${schema}\0${table}`, 'utf8')) {
    hash = Math.imul(hash, 0x01000193) >>> 0;
    hash = (hash ^ byte) >>> 0;
  }
  return -BigInt(hash);
}

/** Who holds the advisory lock of a pg-backed state, or undefined when nobody (or unknown). */
export async function findPgLockHolder(connectionString: string, schema: string): Promise<LockInfo | undefined> {
  // pg is loaded only for a pg backend's lock question, not by every storm start.
  const { Client } = await import('pg');
  const client = new Client({ connectionString, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const ident = `"${schema.replace(/"/g, '""')}"`;
    const keys = [pgCreationLockKey(schema)];
    try {
      const row = await client.query<{ id: string }>(
        `SELECT id::text AS id FROM ${ident}.states WHERE name = 'default'`,
      );
      if (row.rows[0] !== undefined) keys.unshift(BigInt(row.rows[0].id));
    } catch {
      // no table yet: only the creation lock can be held
    }
    for (const key of keys) {
      const unsigned = BigInt.asUintN(64, key);
      const holders = await client.query<{
        application_name: string | null;
        client_addr: string | null;
        backend_start: Date | null;
        pid: number;
      }>(
        `SELECT a.application_name, host(a.client_addr) AS client_addr, a.backend_start, a.pid
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid AND l.objsubid = 1`,
        [(unsigned >> 32n).toString(), (unsigned & 0xffffffffn).toString()],
      );
      const h = holders.rows[0];
      if (h === undefined) continue;
      return {
        who: `${h.application_name !== null && h.application_name !== '' ? h.application_name : 'an unnamed client'}${h.client_addr !== null ? ` from ${h.client_addr}` : ''} (PostgreSQL backend ${h.pid})`,
        ...(h.backend_start !== null ? { created: h.backend_start.toISOString() } : {}),
        path: `${schema}.states`,
      };
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}
