/**
 * The hash chain, independent of where records are stored: sealing a new record
 * onto a chain, and verifying a stored chain line by line. A record's hash is the
 * sha256 of the canonical JSON of the record without `hash`; it includes seq and
 * prevHash, so an edited, removed, inserted or reordered record breaks the chain
 * at that record.
 */
import { canonicalJson, sha256Hex } from './canonical-json';
import { AUDIT_OPERATIONS, AUDIT_RESULTS, GENESIS_HASH, type AuditRecord } from './audit-record';

/** The last record of a chain, kept apart so removing records at the end is detected too. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** One stored record as text, with its 1-based line (or row) number. */
export interface StoredLine {
  line: number;
  text: string;
}

export type ChainProblemKind =
  | 'not-json'
  | 'bad-shape'
  | 'out-of-sequence'
  | 'broken-link'
  | 'hash-mismatch'
  | 'records-missing-at-end'
  | 'head-mismatch';

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
}

export function computeHash(record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _hash, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
}

export function seal(
  body: Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>,
  previous: ChainHead | undefined,
): AuditRecord {
  const unsealed = { ...body, seq: (previous?.seq ?? 0) + 1, prevHash: previous?.hash ?? GENESIS_HASH };
  return { ...unsealed, hash: computeHash(unsealed) };
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
export function verifyChain(lines: readonly StoredLine[], head: ChainHead | undefined): ChainVerification {
  let previous = GENESIS_HASH;
  let expectedSeq = 1;
  const hashes: string[] = [];
  const fail = (problem: ChainProblem): ChainVerification => ({
    ok: false,
    records: expectedSeq - 1,
    problem,
    lastHash: previous,
  });
  for (const { line, text } of lines) {
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
    const actual = computeHash(record);
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
  return { ok: true, records: count, lastHash: previous };
}
