/**
 * The audit log of a city: append-only, hash-chained JSON lines in
 * .storm/audit/<city>.jsonl (or PostgreSQL tables when the manifest's state
 * backend is pg, see audit-log-pg.ts). Appends take a lock, open the file with
 * O_APPEND and fsync; a head file beside the log remembers the last record, so
 * removing records at the end is detected as well.
 *
 * storm never appends to a log that does not verify up to its head: a record
 * added after a truncation would otherwise make the log look whole again. A
 * write cut short by a crash (a torn last line) is moved aside by `storm audit
 * repair`, never silently. With an audit key (audit-key.ts) the chain and the
 * head are keyed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StormError, isStormError } from '../errors';
import { readManifest, resolveManifestRef } from '../manifest/load';
import { recordBody, type AuditRecord, type AuditRecordInput } from './audit-record';
import { appendAuditRecordPg, auditTable, connectionString, readAuditRowsPg } from './audit-log-pg';
import {
  formatAnchor,
  headOf,
  parseRecord,
  seal,
  serialise,
  verifyChain,
  type ChainAnchor,
  type ChainHead,
  type ChainVerification,
  type StoredLine,
} from './audit-chain';
import { auditKeyFrom } from './audit-key';
import { withFileLock } from './file-lock';
import { PRIVATE_FILE_MODE, ensurePrivateDir, writePrivateFile } from '../private-files';

export const AUDIT_DIR = path.join('.storm', 'audit');

/** Where a city's audit log lives. */
export type AuditBackend = { kind: 'file' } | { kind: 'pg'; connectionStringEnv: string };

export interface AuditLogOptions {
  /** Default: read from the city's manifest (see auditBackendOf). */
  backend?: AuditBackend;
  /** Where connection-string variables and the audit key are read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The audit key; default from STORM_AUDIT_KEY / STORM_AUDIT_KEY_FILE; null: none. */
  key?: Buffer | null;
}

function keyOf(cwd: string, options: AuditLogOptions): Buffer | undefined {
  if (options.key === null) return undefined;
  return options.key ?? auditKeyFrom(options.env ?? process.env, cwd);
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
  const terminated = parts[parts.length - 1] === '';
  if (terminated) parts.pop();
  return parts.map((t, i) => ({
    line: i + 1,
    text: t,
    ...(!terminated && i === parts.length - 1 ? { unterminated: true } : {}),
  }));
}

function readHead(file: string): ChainHead | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ChainHead>;
    if (Number.isInteger(value.seq) && typeof value.hash === 'string')
      return {
        seq: value.seq as number,
        hash: value.hash,
        ...(typeof value.mac === 'string' ? { mac: value.mac } : {}),
      };
    return undefined;
  } catch {
    return undefined;
  }
}

/** The refusal to extend a log that does not verify: what is wrong and how to look. */
export function refusalToAppend(city: string, where: string, v: ChainVerification): StormError {
  const p = v.problem;
  return new StormError(
    'audit-tampered',
    `the audit log of ${city} (${where}) does not verify, so storm will not add to it: ${p?.message ?? 'unknown problem'}`,
    {
      hint:
        p?.kind === 'torn-last-line'
          ? `a write was cut short: \`storm audit repair ${city}\` moves the incomplete line aside (check it first with \`storm audit verify ${city}\`)`
          : p?.kind === 'key-required' || p?.kind === 'unkeyed-record' || p?.kind === 'head-unsigned'
            ? `set the audit key this log was written with (STORM_AUDIT_KEY or STORM_AUDIT_KEY_FILE), then \`storm audit verify ${city}\`; a log begun without a key is archived (moved away) before a keyed one starts`
            : `inspect it with \`storm audit verify ${city}\` and \`storm audit log ${city}\`; restore it from a backup and find out who changed it`,
    },
  );
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
  const key = keyOf(cwd, options);
  if (backend.kind === 'pg')
    return appendAuditRecordPg(connectionString(backend.connectionStringEnv, options.env), input, key);
  ensurePrivateDir(cwd, ...path.relative(cwd, path.dirname(loc.file)).split(path.sep));
  return withFileLock(loc.lock, () => {
    const lines = readLines(loc.file);
    const head = readHead(loc.head);
    const verification = verifyChain(lines, head, {
      requireHead: true,
      city: input.city,
      ...(key === undefined ? {} : { key }),
    });
    if (!verification.ok) throw refusalToAppend(input.city, path.relative(cwd, loc.file), verification);
    const previous = lastRecord(lines);
    const record = seal(
      recordBody(input),
      previous === undefined ? undefined : { seq: previous.seq, hash: previous.hash },
      key,
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
    writePrivateFile(loc.head, `${JSON.stringify(headOf(record, input.city, key))}\n`);
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

export interface VerifyAuditLogOptions extends AuditLogOptions {
  /** A published head ("<hash>" or "<seq>:<hash>") the log must still contain. */
  anchor?: ChainAnchor;
}

export async function verifyAuditLog(
  cwd: string,
  city: string,
  options: VerifyAuditLogOptions = {},
): Promise<AuditLogVerification> {
  const loc = auditLogLocation(cwd, city);
  const backend = options.backend ?? detectAuditBackend(cwd, city);
  const key = keyOf(cwd, options);
  const verifyOptions = {
    requireHead: true,
    city,
    ...(key === undefined ? {} : { key }),
    ...(options.anchor === undefined ? {} : { anchor: options.anchor }),
  };
  if (backend.kind === 'pg') {
    const { lines, head } = await readAuditRowsPg(connectionString(backend.connectionStringEnv, options.env), city);
    if (lines.length === 0 && head === undefined)
      throw new StormError('not-found', `no audit records for ${city} in PostgreSQL (${auditTable(city)})`, {
        hint: 'storm plan, provision and destroy write them',
      });
    return { city, file: `postgresql:${auditTable(city)}`, ...verifyChain(lines, head, verifyOptions) };
  }
  if (!fs.existsSync(loc.file)) {
    if (fs.existsSync(loc.head)) {
      const head = readHead(loc.head);
      return { city, file: path.relative(cwd, loc.file), ...verifyChain([], head, verifyOptions) };
    }
    throw new StormError('not-found', `no audit log for ${city} (${path.relative(cwd, loc.file)})`, {
      hint: 'storm plan, provision and destroy write it',
    });
  }
  return {
    city,
    file: path.relative(cwd, loc.file),
    ...verifyChain(readLines(loc.file), readHead(loc.head), verifyOptions),
  };
}

/**
 * Refuses, before a run changes anything, when the city's log could not be
 * extended afterwards: an apply whose record cannot be written would be an
 * unrecorded change. An empty log (no records, no head) is fine: the run starts it.
 */
export async function assertAuditLogAppendable(
  cwd: string,
  city: string,
  options: AuditLogOptions = {},
): Promise<void> {
  let verification: AuditLogVerification;
  try {
    verification = await verifyAuditLog(cwd, city, options);
  } catch (err) {
    if (isStormError(err) && err.code === 'not-found') return;
    throw err;
  }
  if (!verification.ok) throw refusalToAppend(city, verification.file, verification);
}

export interface AuditAnchor {
  city: string;
  file: string;
  seq: number;
  hash: string;
  /** What to publish and later pass to `storm audit verify --anchor`. */
  anchor: string;
  keyed: boolean;
}

/** The head to publish (e.g. in a merge request); only for a log that verifies. */
export async function anchorAuditLog(cwd: string, city: string, options: AuditLogOptions = {}): Promise<AuditAnchor> {
  const v = await verifyAuditLog(cwd, city, options);
  if (!v.ok) {
    const refusal = refusalToAppend(city, v.file, v);
    throw new StormError(
      'audit-tampered',
      `the audit log of ${city} does not verify, so it has no head to publish: ${v.problem?.message ?? 'unknown problem'}`,
      refusal.hint === undefined ? {} : { hint: refusal.hint },
    );
  }
  const head = { seq: v.records, hash: v.lastHash };
  return { city, file: v.file, seq: head.seq, hash: head.hash, anchor: formatAnchor(head), keyed: v.keyed };
}

export interface AuditRepair {
  city: string;
  file: string;
  /** What was done; empty when the log needed nothing. */
  actions: string[];
  /** Where the torn bytes were moved, if any. */
  movedTo?: string;
  verification: AuditLogVerification;
}

/**
 * Repairs what a crash can leave, and nothing else: a torn last line (moved,
 * byte for byte, to <log>.torn-<time>, then the log is cut back to its last full
 * line) and a head one record behind a complete last record (the crash came
 * between the append and the head update; with a key, that record's HMAC proves
 * storm wrote it). Any other problem is tampering and is refused.
 */
export async function repairAuditLog(cwd: string, city: string, options: AuditLogOptions = {}): Promise<AuditRepair> {
  const loc = auditLogLocation(cwd, city);
  const backend = options.backend ?? detectAuditBackend(cwd, city);
  if (backend.kind === 'pg')
    throw new StormError(
      'usage',
      `the audit log of ${city} is in PostgreSQL, where appends are transactions and cannot be torn`,
      {
        hint: `storm audit verify ${city} names its first bad record`,
      },
    );
  const key = keyOf(cwd, options);
  const rel = path.relative(cwd, loc.file);
  if (!fs.existsSync(loc.file))
    throw new StormError('not-found', `no audit log for ${city} (${rel})`, { hint: 'nothing to repair' });
  return withFileLock(loc.lock, () => {
    const actions: string[] = [];
    let movedTo: string | undefined;
    const verifyOpts = { requireHead: true, city, ...(key === undefined ? {} : { key }) };
    let lines = readLines(loc.file);
    let head = readHead(loc.head);
    let v = verifyChain(lines, head, verifyOpts);
    if (!v.ok && v.problem?.kind === 'torn-last-line') {
      const torn = lines[lines.length - 1] as StoredLine;
      const whole = fs.readFileSync(loc.file);
      const cut = whole.lastIndexOf(0x0a) + 1;
      movedTo = `${loc.file}.torn-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      writePrivateFile(movedTo, whole.subarray(cut));
      fs.truncateSync(loc.file, cut);
      actions.push(
        `moved the incomplete line ${torn.line} (${whole.length - cut} bytes) to ${path.relative(cwd, movedTo)} and cut the log back to its last full line`,
      );
      lines = readLines(loc.file);
      v = verifyChain(lines, head, verifyOpts);
    }
    if (!v.ok && v.problem?.kind === 'head-mismatch' && head !== undefined && lines.length === head.seq + 1) {
      // Only the head lags: is everything up to the head exactly what the head says?
      const upToHead = verifyChain(lines.slice(0, head.seq), head, verifyOpts);
      const last = parseRecord(lines[lines.length - 1]?.text ?? '');
      const whole = verifyChain(lines, undefined, { ...verifyOpts, requireHead: false });
      if (upToHead.ok && whole.ok && last !== undefined) {
        head = headOf(last, city, key);
        writePrivateFile(loc.head, `${JSON.stringify(head)}\n`);
        actions.push(
          `moved the head from record ${last.seq - 1} to record ${last.seq}, which was written completely before the run stopped`,
        );
        v = verifyChain(lines, head, verifyOpts);
      }
    }
    if (!v.ok)
      throw new StormError(
        'audit-tampered',
        `the audit log of ${city} (${rel}) has a problem repair does not fix: ${v.problem?.message ?? 'unknown'}`,
        {
          hint: `repair only undoes what a crash leaves (a torn last line, a head one record behind); restore the log from a backup and find out who changed it${actions.length > 0 ? ` (already done: ${actions.join('; ')})` : ''}`,
        },
      );
    return {
      city,
      file: rel,
      actions,
      ...(movedTo === undefined ? {} : { movedTo: path.relative(cwd, movedTo) }),
      verification: { city, file: rel, ...v },
    };
  });
}
