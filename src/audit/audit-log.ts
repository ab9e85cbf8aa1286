/**
 * The audit log of a city: append-only, hash-chained JSON lines in
 * .storm/audit/<city>.jsonl (or PostgreSQL tables when the manifest's state
 * backend is pg, see audit-log-pg.ts). Appends take a lock, open the file with
 * O_APPEND and fsync; a head file beside the log remembers the last record, so
 * removing records at the end is detected as well.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StormError } from '../errors';
import { readManifest, resolveManifestRef } from '../manifest/load';
import { recordBody, type AuditRecord, type AuditRecordInput } from './audit-record';
import { appendAuditRecordPg, auditTable, connectionString, readAuditRowsPg } from './audit-log-pg';
import {
  parseRecord,
  seal,
  serialise,
  verifyChain,
  type ChainHead,
  type ChainVerification,
  type StoredLine,
} from './audit-chain';
import { withFileLock } from './file-lock';
import { PRIVATE_FILE_MODE, ensurePrivateDir, writePrivateFile } from '../private-files';

export const AUDIT_DIR = path.join('.storm', 'audit');

/** Where a city's audit log lives. */
export type AuditBackend = { kind: 'file' } | { kind: 'pg'; connectionStringEnv: string };

export interface AuditLogOptions {
  /** Default: read from the city's manifest (see auditBackendOf). */
  backend?: AuditBackend;
  /** Where connection-string variables are read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A city's log goes to PostgreSQL when its state does: the top-level state
 * backend, else the first environment (preprod, production, ...) whose state is
 * pg — one chain per city, so records of every environment go to one place.
 */
export function auditBackendOf(manifest: unknown): AuditBackend {
  const m = (manifest ?? {}) as {
    state?: { backend?: unknown; connectionStringEnv?: unknown };
    environments?: Record<string, { state?: { backend?: unknown; connectionStringEnv?: unknown } } | undefined>;
  };
  const states = [
    m.state,
    ...Object.keys(m.environments ?? {})
      .sort()
      .map((e) => m.environments?.[e]?.state),
  ];
  for (const st of states) {
    if (st?.backend === 'pg' && typeof st.connectionStringEnv === 'string')
      return { kind: 'pg', connectionStringEnv: st.connectionStringEnv };
  }
  return { kind: 'file' };
}

/** The backend named by stacks/<city>.yaml; a file log when the manifest cannot be read. */
export function detectAuditBackend(cwd: string, city: string): AuditBackend {
  try {
    return auditBackendOf(readManifest(resolveManifestRef(city, cwd), cwd).data);
  } catch {
    return { kind: 'file' };
  }
}

export interface AuditLogLocation {
  file: string;
  head: string;
  lock: string;
}

const CITY_NAME = /^[a-z][a-z0-9-]{0,62}$/;

export function auditLogLocation(cwd: string, city: string): AuditLogLocation {
  if (!CITY_NAME.test(city))
    throw new StormError('usage', `"${city}" is not a city name`, {
      hint: 'city names are DNS-safe: lower-case letters, digits and hyphens',
    });
  const file = path.join(cwd, AUDIT_DIR, `${city}.jsonl`);
  return { file, head: `${file}.head`, lock: `${file}.lock` };
}

function readLines(file: string): StoredLine[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((t, i) => ({ line: i + 1, text: t }));
}

function readHead(file: string): ChainHead | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ChainHead>;
    if (Number.isInteger(value.seq) && typeof value.hash === 'string')
      return { seq: value.seq as number, hash: value.hash };
    return undefined;
  } catch {
    return undefined;
  }
}

function lastRecord(lines: readonly StoredLine[]): AuditRecord | undefined {
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const text = lines[i]?.text ?? '';
    if (text.trim() === '') continue;
    const record = parseRecord(text);
    if (record !== undefined) return record;
  }
  return undefined;
}

/**
 * Appends one record to the city's log and returns it as stored. Safe against
 * concurrent storm processes (lock + O_APPEND). The lifecycle commands call this
 * once per plan, provision and destroy.
 */
export async function appendAuditRecord(
  cwd: string,
  input: AuditRecordInput,
  options: AuditLogOptions = {},
): Promise<AuditRecord> {
  const loc = auditLogLocation(cwd, input.city);
  const backend = options.backend ?? detectAuditBackend(cwd, input.city);
  if (backend.kind === 'pg')
    return appendAuditRecordPg(connectionString(backend.connectionStringEnv, options.env), input);
  ensurePrivateDir(cwd, ...path.relative(cwd, path.dirname(loc.file)).split(path.sep));
  return withFileLock(loc.lock, () => {
    const previous = lastRecord(readLines(loc.file));
    const record = seal(
      recordBody(input),
      previous === undefined ? undefined : { seq: previous.seq, hash: previous.hash },
    );
    const fd = fs.openSync(
      loc.file,
      fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT,
      PRIVATE_FILE_MODE,
    );
    try {
      fs.fchmodSync(fd, PRIVATE_FILE_MODE);
      fs.writeSync(fd, `${serialise(record)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    writePrivateFile(loc.head, `${JSON.stringify({ seq: record.seq, hash: record.hash })}\n`);
    return record;
  });
}

export interface AuditLogEntry {
  line: number;
  record: AuditRecord;
}

export interface AuditLogListing {
  city: string;
  file: string;
  entries: AuditLogEntry[];
  /** Lines that are not records (verify says why). */
  unreadable: number[];
}

export async function readAuditLog(cwd: string, city: string, options: AuditLogOptions = {}): Promise<AuditLogListing> {
  const loc = auditLogLocation(cwd, city);
  const backend = options.backend ?? detectAuditBackend(cwd, city);
  const lines =
    backend.kind === 'pg'
      ? (await readAuditRowsPg(connectionString(backend.connectionStringEnv, options.env), city)).lines
      : readLines(loc.file);
  const entries: AuditLogEntry[] = [];
  const unreadable: number[] = [];
  for (const { line, text } of lines) {
    const record = parseRecord(text);
    if (record === undefined) unreadable.push(line);
    else entries.push({ line, record });
  }
  return {
    city,
    file: backend.kind === 'pg' ? `postgresql:${auditTable(city)}` : path.relative(cwd, loc.file) || loc.file,
    entries,
    unreadable,
  };
}

export interface AuditLogVerification extends ChainVerification {
  city: string;
  file: string;
}

export async function verifyAuditLog(
  cwd: string,
  city: string,
  options: AuditLogOptions = {},
): Promise<AuditLogVerification> {
  const loc = auditLogLocation(cwd, city);
  const backend = options.backend ?? detectAuditBackend(cwd, city);
  if (backend.kind === 'pg') {
    const { lines, head } = await readAuditRowsPg(connectionString(backend.connectionStringEnv, options.env), city);
    if (lines.length === 0 && head === undefined)
      throw new StormError('not-found', `no audit records for ${city} in PostgreSQL (${auditTable(city)})`, {
        hint: 'storm plan, provision and destroy write them',
      });
    return { city, file: `postgresql:${auditTable(city)}`, ...verifyChain(lines, head) };
  }
  if (!fs.existsSync(loc.file)) {
    if (fs.existsSync(loc.head)) {
      const head = readHead(loc.head);
      return { city, file: path.relative(cwd, loc.file), ...verifyChain([], head) };
    }
    throw new StormError('not-found', `no audit log for ${city} (${path.relative(cwd, loc.file)})`, {
      hint: 'storm plan, provision and destroy write it',
    });
  }
  return { city, file: path.relative(cwd, loc.file), ...verifyChain(readLines(loc.file), readHead(loc.head)) };
}
