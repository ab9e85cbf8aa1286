/**
 * The hash chain, independent of where records are stored: sealing a new record
 * onto a chain, and verifying a stored chain line by line. A record's hash is the
 * sha256 of the canonical JSON of the record without `hash`; it includes seq and
 * prevHash, so an edited, removed, inserted or reordered record breaks the chain
 * at that record.
 *
 * Anyone who can write the log can also re-hash all of it. Two defences:
 * - a keyed chain: with an audit key (audit-key.ts) every record says
 *   `alg: "hmac-sha256"` and its hash is an HMAC of the same bytes, and the head
 *   carries a MAC too — without the key nobody can forge a record or a head. A
 *   log is keyed or not from its first record on; mixing is refused.
 * - anchors: the head's hash, published elsewhere (a merge request); a log that
 *   no longer contains that record does not extend what was published.
 */
import { createHmac } from 'node:crypto';
import { StormError } from '../errors';
import { canonicalJson, sha256Hex } from './canonical-json';
import { AUDIT_OPERATIONS, AUDIT_RESULTS, GENESIS_HASH, type AuditRecord } from './audit-record';

/** The last record of a chain, kept apart so removing records at the end is detected too. */
export interface ChainHead {
  seq: number;
  hash: string;
  /** HMAC of the head under the audit key (keyed logs only): a truncated log cannot be given a matching head. */
  mac?: string;
}

/** One stored record as text, with its 1-based line (or row) number. */
export interface StoredLine {
  line: number;
  text: string;
  /** The file ended inside this line (no line end): a write that was cut short. */
  unterminated?: boolean;
}

export const KEYED_ALG = 'hmac-sha256';

/** A published head: the hash of a record, optionally with its seq ("12:ab12..."). */
export interface ChainAnchor {
  seq?: number;
  hash: string;
}

export interface VerifyOptions {
  /** The operator's audit key; with it every record and the head must be keyed. */
  key?: Buffer;
  /** Which city the head belongs to (part of the head's MAC). */
  city?: string;
  /** Records exist but no head does: a problem (a head that was deleted along with records at the end). */
  requireHead?: boolean;
  /** The log must still contain this published record. */
  anchor?: ChainAnchor;
}

export type ChainProblemKind =
  | 'not-json'
  | 'bad-shape'
  | 'out-of-sequence'
  | 'broken-link'
  | 'hash-mismatch'
  | 'records-missing-at-end'
  | 'head-mismatch'
  | 'head-missing'
  | 'head-unsigned'
  | 'torn-last-line'
  | 'key-required'
  | 'unkeyed-record'
  | 'anchor-not-found';

export interface ChainProblem {
  kind: ChainProblemKind;
  /** Line of the first bad record. */
  line: number;
  /** seq the record claims (when readable). */
  seq?: number;
  /** seq the chain expected at that line. */
  expectedSeq: number;
  message: string;
}

export interface ChainVerification {
  ok: boolean;
  records: number;
  /** The first bad record; verification stops there. */
  problem?: ChainProblem;
  lastHash: string;
  /** The records are HMAC-keyed (checked with the configured key). */
  keyed: boolean;
  /** The anchor that was checked and found, when one was given. */
  anchor?: ChainAnchor;
}

/** sha256 of the record without `hash`, or its HMAC under the audit key for a keyed record. */
export function computeHash(record: Omit<AuditRecord, 'hash'> & { hash?: string }, key?: Buffer): string {
  const { hash: _hash, ...rest } = record;
  if (rest.alg === KEYED_ALG) {
    if (key === undefined)
      throw new StormError('internal', 'a keyed audit record needs the audit key', {
        hint: 'set STORM_AUDIT_KEY or STORM_AUDIT_KEY_FILE to the key the log was written with',
      });
    return createHmac('sha256', key).update(canonicalJson(rest)).digest('hex');
  }
  return sha256Hex(canonicalJson(rest));
}

export function seal(
  body: Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>,
  previous: ChainHead | undefined,
  key?: Buffer,
): AuditRecord {
  const unsealed = {
    ...body,
    ...(key === undefined ? {} : { alg: KEYED_ALG }),
    seq: (previous?.seq ?? 0) + 1,
    prevHash: previous?.hash ?? GENESIS_HASH,
  } as Omit<AuditRecord, 'hash'>;
  return { ...unsealed, hash: computeHash(unsealed, key) };
}

/** MAC of a head under the audit key, bound to the city so heads cannot be swapped between logs. */
export function headMac(key: Buffer, city: string, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`storm-audit-head\0${city}\0${seq}\0${hash}`).digest('hex');
}

/** The head to store after `record`: with a MAC when the log is keyed. */
export function headOf(record: AuditRecord, city: string, key?: Buffer): ChainHead {
  return {
    seq: record.seq,
    hash: record.hash,
    ...(key === undefined ? {} : { mac: headMac(key, city, record.seq, record.hash) }),
  };
}

/** Parses "<hash>" or "<seq>:<hash>" as printed by `storm audit anchor`. */
export function parseAnchor(text: string): ChainAnchor | undefined {
  const m = /^(?:(\d+):)?([0-9a-f]{64})$/.exec(text.trim().toLowerCase());
  if (m === null) return undefined;
  return m[1] === undefined ? { hash: m[2] as string } : { seq: Number(m[1]), hash: m[2] as string };
}

export function formatAnchor(head: ChainHead): string {
  return `${head.seq}:${head.hash}`;
}

/** The line stored for a record: canonical JSON, so re-serialising never changes bytes. */
export function serialise(record: AuditRecord): string {
  return canonicalJson(record);
}

function shapeError(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const r = value as Record<string, unknown>;
  if (!Number.isInteger(r.seq)) return 'seq is missing or not an integer';
  for (const key of ['hash', 'prevHash', 'time', 'city', 'env'])
    if (typeof r[key] !== 'string') return `${key} is missing`;
  if (!(AUDIT_OPERATIONS as readonly unknown[]).includes(r.operation))
    return 'operation is not plan, provision or destroy';
  if (!(AUDIT_RESULTS as readonly unknown[]).includes(r.result)) return 'result is not a known result';
  if (r.alg !== undefined && r.alg !== KEYED_ALG) return `alg is not ${KEYED_ALG}`;
  return undefined;
}

/** Parses one stored line; undefined when it is not a record. */
export function parseRecord(text: string): AuditRecord | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return shapeError(value) === undefined ? (value as AuditRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Walks the chain in stored order and names the first record that does not fit:
 * seq must count up from 1, prevHash must be the previous record's hash, hash
 * must be the record's own; then the head must match the last record.
 */
export function verifyChain(
  lines: readonly StoredLine[],
  head: ChainHead | undefined,
  options: VerifyOptions = {},
): ChainVerification {
  const key = options.key;
  let previous = GENESIS_HASH;
  let expectedSeq = 1;
  const hashes: string[] = [];
  const fail = (problem: ChainProblem): ChainVerification => ({
    ok: false,
    records: expectedSeq - 1,
    problem,
    lastHash: previous,
    keyed: key !== undefined,
  });
  for (const { line, text, unterminated } of lines) {
    if (unterminated === true)
      return fail({
        kind: 'torn-last-line',
        line,
        expectedSeq,
        message: `line ${line} is an incomplete write (the file ends inside it): a storm run stopped while appending; \`storm audit repair\` moves it aside`,
      });
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return fail({
        kind: 'not-json',
        line,
        expectedSeq,
        message: `line ${line} is not a JSON record (expected seq ${expectedSeq})`,
      });
    }
    const bad = shapeError(value);
    const claimed =
      value !== null && typeof value === 'object' && Number.isInteger((value as { seq?: unknown }).seq)
        ? (value as { seq: number }).seq
        : undefined;
    if (bad !== undefined)
      return fail({
        kind: 'bad-shape',
        line,
        expectedSeq,
        ...(claimed === undefined ? {} : { seq: claimed }),
        message: `line ${line}: ${bad}`,
      });
    const record = value as AuditRecord;
    if (record.seq !== expectedSeq) {
      const what =
        record.seq > expectedSeq
          ? `record ${expectedSeq} was removed or records were reordered`
          : `record ${record.seq} is a duplicate, an insertion or out of order`;
      return fail({
        kind: 'out-of-sequence',
        line,
        seq: record.seq,
        expectedSeq,
        message: `line ${line} holds seq ${record.seq} where seq ${expectedSeq} belongs: ${what}`,
      });
    }
    if (record.prevHash !== previous) {
      return fail({
        kind: 'broken-link',
        line,
        seq: record.seq,
        expectedSeq,
        message: `record ${record.seq} (line ${line}) does not follow the previous record: its prevHash is not the previous record's hash (inserted or reordered?)`,
      });
    }
    if (record.alg === KEYED_ALG && key === undefined)
      return fail({
        kind: 'key-required',
        line,
        seq: record.seq,
        expectedSeq,
        message: `record ${record.seq} (line ${line}) is keyed (${KEYED_ALG}): set STORM_AUDIT_KEY or STORM_AUDIT_KEY_FILE to verify it`,
      });
    if (record.alg !== KEYED_ALG && key !== undefined)
      return fail({
        kind: 'unkeyed-record',
        line,
        seq: record.seq,
        expectedSeq,
        message: `record ${record.seq} (line ${line}) is not keyed although an audit key is configured: the chain was re-hashed without the key, or the log was begun without one`,
      });
    const actual = computeHash(record, key);
    if (actual !== record.hash) {
      return fail({
        kind: 'hash-mismatch',
        line,
        seq: record.seq,
        expectedSeq,
        message: `record ${record.seq} (line ${line}) was modified: its content no longer matches its hash`,
      });
    }
    previous = record.hash;
    hashes.push(record.hash);
    expectedSeq += 1;
  }
  const count = expectedSeq - 1;
  if (head === undefined && options.requireHead === true && count > 0)
    return fail({
      kind: 'head-missing',
      line: lines.length,
      seq: count,
      expectedSeq: count,
      message: `the head that records the last record written is missing: records at the end may have been removed along with it`,
    });
  if (head !== undefined && key !== undefined && count > 0) {
    const expected = headMac(key, options.city ?? '', head.seq, head.hash);
    if (head.mac !== expected)
      return fail({
        kind: 'head-unsigned',
        line: lines.length,
        seq: head.seq,
        expectedSeq: head.seq,
        message: `the head (seq ${head.seq}) does not carry a MAC made with the configured audit key: it was rewritten outside storm`,
      });
  }
  if (head !== undefined) {
    if (head.seq > count) {
      return fail({
        kind: 'records-missing-at-end',
        line: lines.length + 1,
        expectedSeq,
        message: `the log ends at seq ${count} but ${head.seq} records were written: record ${count + 1} onwards were removed`,
      });
    }
    if (head.seq === count && head.hash !== previous) {
      return fail({
        kind: 'head-mismatch',
        line: lines.length,
        seq: count,
        expectedSeq: count,
        message: `record ${count} (line ${lines.length}) is not the record that was last written`,
      });
    }
    if (head.seq < count) {
      const line = lines[head.seq]?.line ?? lines.length;
      const detail =
        hashes[head.seq - 1] === head.hash || head.seq === 0
          ? `records ${head.seq + 1}..${count} were appended outside storm`
          : `record ${head.seq} is not the record that was last written`;
      return fail({
        kind: 'head-mismatch',
        line,
        seq: head.seq + 1,
        expectedSeq: head.seq + 1,
        message: `line ${line}: ${detail}`,
      });
    }
  }
  if (options.anchor !== undefined) {
    const a = options.anchor;
    const at = hashes.indexOf(a.hash);
    if (at < 0 || (a.seq !== undefined && at + 1 !== a.seq))
      return fail({
        kind: 'anchor-not-found',
        line: lines.length,
        expectedSeq: a.seq ?? count,
        message:
          at < 0
            ? `the log does not contain the published record ${a.hash.slice(0, 16)}…: it does not extend what was published (rewritten or replaced)`
            : `the published record ${a.hash.slice(0, 16)}… is record ${at + 1} here, not ${a.seq}: the log was rewritten`,
      });
    return { ok: true, records: count, lastHash: previous, keyed: key !== undefined, anchor: a };
  }
  return { ok: true, records: count, lastHash: previous, keyed: key !== undefined };
}
