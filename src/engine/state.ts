/**
 * Where a stack's state lives (the manifest's `state:`) and what storm reads
 * from it. The backend block is written as an override file next to the
 * synthesized config; connection strings and backend credentials stay in the
 * environment (PG_CONN_STR, AWS_*, TF_HTTP_*).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StormError } from '../errors';
import { registerSecret } from '../redact';
import { BACKEND_CREDENTIAL_ENV, BACKEND_SECRET_SETTINGS, pgSchemaName } from '../manifest/state-keys';

export { pgSchemaName };
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

/** The default folder of local state, relative to the project. */
export const DEFAULT_STATE_DIR = path.join('.storm', 'state');

/**
 * Every backend is keyed by city and environment, so two environments (or two
 * cities) can never share one state, whatever a top-level `state:` says:
 * - local: `path` is a folder; the state is <path>/<city>/<env>/terraform.tfstate;
 * - pg: the schema storm_<city>_<env>, or an explicit schemaName that validation
 *   makes sure no other environment resolves to;
 * - s3: `key` is a prefix; the object is <key>/<city>/<env>/terraform.tfstate;
 * - http: `address` (and lock/unlock addresses) are base URLs; /<city>/<env> is appended.
 */
export function localStateFile(root: string, folder: string | undefined, city: string, env: string): string {
  return path.resolve(root, folder ?? DEFAULT_STATE_DIR, city, env, 'terraform.tfstate');
}

/** The s3 object key of a city's environment: the manifest's `key` is a prefix. */
export function s3StateKey(prefix: unknown, city: string, env: string): string {
  const base = typeof prefix === 'string' ? prefix.replace(/^\/+|\/+$/g, '') : '';
  return [base === '' ? 'storm' : base, city, env, 'terraform.tfstate'].join('/');
}

/** An http backend URL of a city's environment: the manifest's URL is a base. */
export function httpStateUrl(base: string, city: string, env: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(city)}/${encodeURIComponent(env)}`;
  return url.toString();
}

/** The environment variables a backend's credentials come from, passed to tofu (nowhere else). */
function credentialEnv(kind: 's3' | 'http', processEnv: NodeJS.ProcessEnv): Record<string, string> {
  const prefix = kind === 's3' ? 'AWS_' : 'TF_HTTP_';
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(processEnv))
    if (name.startsWith(prefix) && value !== undefined && value !== '') out[name] = value;
  return out;
}

export function backendSetup(ws: Workspace, state: StateBackend, processEnv: NodeJS.ProcessEnv): BackendSetup {
  switch (state.backend) {
    case 'local': {
      const file = localStateFile(ws.root, state.path, ws.city, ws.env);
      // state.path used to name the state file itself: refuse to start a second, empty state beside it.
      if (state.path !== undefined) {
        const old = path.resolve(ws.root, state.path);
        if (fs.existsSync(old) && fs.statSync(old).isFile())
          throw new StormError(
            'usage',
            `state.path ${state.path} is a file, but it names a folder: storm keeps ${path.relative(ws.root, file)}`,
            {
              hint: `move the state file there (mkdir -p ${path.relative(ws.root, path.dirname(file))} && mv ${state.path} ${path.relative(ws.root, file)}) if it belongs to ${ws.city}/${ws.env}`,
            },
          );
      }
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
      registerSecret(conn);
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
    case 'http': {
      const secret = BACKEND_SECRET_SETTINGS[state.backend].find((k) => state.config[k] !== undefined);
      if (secret !== undefined)
        throw new StormError('usage', `the manifest's ${state.backend} state sets "${secret}", a credential`, {
          hint: `remove it and export ${BACKEND_CREDENTIAL_ENV[state.backend]} instead`,
        });
      const config: Record<string, string | number | boolean | undefined> = { ...state.config };
      let where: string;
      if (state.backend === 's3') {
        config.key = s3StateKey(state.config.key, ws.city, ws.env);
        where = `key ${config.key}`;
      } else {
        for (const k of ['address', 'lock_address', 'unlock_address']) {
          const v = state.config[k];
          if (typeof v === 'string' && v !== '') config[k] = httpStateUrl(v, ws.city, ws.env);
        }
        where = typeof config.address === 'string' ? stripUserInfo(config.address) : 'no address';
      }
      return {
        kind: state.backend,
        overrideJson: backendJson({ [state.backend]: config }),
        env: credentialEnv(state.backend, processEnv),
        description: `${state.backend} state (${where}, credentials from ${BACKEND_CREDENTIAL_ENV[state.backend]})`,
      };
    }
  }
}

function stripUserInfo(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
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

/**
 * Reads a pg-backed state straight from its table (the `default` workspace's row), for a
 * read-only look such as the fleet view: no workspace, no `tofu init`. Absent → empty.
 */
export async function readPgState(connectionString: string, schema: string): Promise<StateSnapshot> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    // The message of a failed connection can hold the URL (and its password): only the code is shown.
    throw new StormError(
      'cloud',
      `cannot connect to the PostgreSQL state backend: ${(err as { code?: string }).code ?? 'connection failed'}`,
      { hint: 'check the connection string variable and that the server is reachable' },
    );
  }
  try {
    const ident = `"${schema.replace(/"/g, '""')}"`;
    const exists = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`${ident}.states`]);
    if (exists.rows[0]?.t === null || exists.rows[0] === undefined) return EMPTY_STATE;
    const row = await client.query<{ data: string }>(`SELECT data FROM ${ident}.states WHERE name = 'default'`);
    return row.rows[0] === undefined ? EMPTY_STATE : parseState(row.rows[0].data);
  } finally {
    await client.end().catch(() => undefined);
  }
}
