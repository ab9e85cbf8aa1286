import { describe, expect, it } from 'vitest';
import {
  formatAnchor,
  headOf,
  parseAnchor,
  seal,
  serialise,
  verifyChain,
  type StoredLine,
} from '../../src/audit/audit-chain';
import { recordBody, scrubText, type AuditRecordInput } from '../../src/audit/audit-record';

function input(i: number): AuditRecordInput {
  return {
    operation: i % 2 === 0 ? 'destroy' : 'provision',
    city: 'valladolid',
    env: 'preprod',
    result: 'succeeded',
    versions: { storm: '0.1.0', engine: 'OpenTofu v1.12.6' },
    time: `2026-11-29T0${i}:00:00.000Z`,
    user: 'ana',
    host: 'ci-1',
    changes: { create: i, update: 0, replace: 0, delete: 0 },
  };
}

function chain(n: number): StoredLine[] {
  const lines: StoredLine[] = [];
  let prev: { seq: number; hash: string } | undefined;
  for (let i = 1; i <= n; i += 1) {
    const r = seal(recordBody(input(i), {}), prev);
    prev = { seq: r.seq, hash: r.hash };
    lines.push({ line: i, text: serialise(r) });
  }
  return lines;
}

const renumber = (lines: StoredLine[]): StoredLine[] => lines.map((l, i) => ({ line: i + 1, text: l.text }));

describe('audit hash chain', () => {
  it('an untouched chain verifies, with and without its head', () => {
    const lines = chain(4);
    const last = JSON.parse(lines[3]!.text) as { hash: string };
    expect(verifyChain(lines, undefined)).toMatchObject({ ok: true, records: 4 });
    expect(verifyChain(lines, { seq: 4, hash: last.hash })).toMatchObject({ ok: true, records: 4 });
  });

  it('an edited byte names the edited record', () => {
    const lines = chain(4);
    lines[2] = { line: 3, text: lines[2]!.text.replace('"create":3', '"create":4') };
    const v = verifyChain(lines, undefined);
    expect(v.ok).toBe(false);
    expect(v.problem).toMatchObject({ kind: 'hash-mismatch', seq: 3, line: 3 });
  });

  it('a deleted line names the record after the gap', () => {
    const lines = chain(4);
    const v = verifyChain(renumber([lines[0]!, lines[2]!, lines[3]!]), undefined);
    expect(v.problem).toMatchObject({ kind: 'out-of-sequence', seq: 3, expectedSeq: 2, line: 2 });
  });

  it('two swapped lines name the first of them', () => {
    const lines = chain(4);
    const v = verifyChain(renumber([lines[0]!, lines[2]!, lines[1]!, lines[3]!]), undefined);
    expect(v.problem).toMatchObject({ kind: 'out-of-sequence', seq: 3, line: 2 });
  });

  it('an inserted record with a forged seq breaks the link', () => {
    const lines = chain(3);
    const forged = JSON.parse(lines[1]!.text) as Record<string, unknown>;
    forged.result = 'failed';
    const v = verifyChain(
      renumber([lines[0]!, { line: 0, text: JSON.stringify(forged) }, lines[1]!, lines[2]!]),
      undefined,
    );
    expect(v.problem).toMatchObject({ kind: 'hash-mismatch', seq: 2, line: 2 });
  });

  it('a re-hashed insertion is caught by the next record link', () => {
    const lines = chain(3);
    const first = JSON.parse(lines[0]!.text) as { seq: number; hash: string };
    const inserted = seal(recordBody({ ...input(9), time: '2026-11-29T09:30:00.000Z' }, {}), {
      seq: first.seq,
      hash: first.hash,
    });
    const tail = lines.slice(1).map((l) => {
      const r = JSON.parse(l.text) as { seq: number };
      return { line: 0, text: l.text, seq: r.seq };
    });
    const v = verifyChain(renumber([lines[0]!, { line: 0, text: serialise(inserted) }, ...tail]), undefined);
    expect(v.problem).toMatchObject({ kind: 'out-of-sequence', seq: 2, expectedSeq: 3, line: 3 });
  });

  it('removing the last record is detected through the head', () => {
    const lines = chain(3);
    const last = JSON.parse(lines[2]!.text) as { hash: string };
    const v = verifyChain(lines.slice(0, 2), { seq: 3, hash: last.hash });
    expect(v.problem).toMatchObject({ kind: 'records-missing-at-end', expectedSeq: 3 });
  });

  it('garbage in a line is named', () => {
    const lines = chain(2);
    lines[1] = { line: 2, text: '{"seq": 2, oops' };
    expect(verifyChain(lines, undefined).problem).toMatchObject({ kind: 'not-json', line: 2, expectedSeq: 2 });
  });
});

describe('audit record body', () => {
  it('copies only known fields and masks credentials', () => {
    const body = recordBody(
      {
        ...input(1),
        message: 'apply failed: postgres://storm:s3cr3t-pw@db/x and OS_PASSWORD leaked hunter22',
        extra: 'nope',
      } as AuditRecordInput,
      { OS_PASSWORD: 'hunter22' },
    );
    expect(JSON.stringify(body)).not.toContain('s3cr3t-pw');
    expect(JSON.stringify(body)).not.toContain('hunter22');
    expect(JSON.stringify(body)).not.toContain('nope');
    expect(body.flags).toEqual({ skipPreflight: false, allowViolations: false, autoApprove: false });
  });

  it('refuses a hash that is not a sha256 digest', () => {
    expect(() => recordBody({ ...input(1), manifestHash: 'abc' }, {})).toThrow(/sha256/);
  });

  it('scrubs key=value secrets', () => {
    expect(scrubText('token: abc123 and password=xyz', {})).toBe('token: (masked) and password=(masked)');
  });
});

describe('keyed chain, anchors and torn lines', () => {
  const KEY = Buffer.from('0123456789abcdef0123456789abcdef');
  function keyedChain(n: number, key: Buffer | undefined): { lines: StoredLine[]; head: ReturnType<typeof headOf> } {
    const lines: StoredLine[] = [];
    let prev: { seq: number; hash: string } | undefined;
    let last;
    for (let i = 1; i <= n; i += 1) {
      last = seal(recordBody(input(i), {}), prev, key);
      prev = { seq: last.seq, hash: last.hash };
      lines.push({ line: i, text: serialise(last) });
    }
    return { lines, head: headOf(last!, 'valladolid', key) };
  }
  const opts = { key: KEY, city: 'valladolid', requireHead: true };

  it('a keyed chain verifies only with its key, and its head must carry the MAC', () => {
    const { lines, head } = keyedChain(3, KEY);
    expect(verifyChain(lines, head, opts)).toMatchObject({ ok: true, records: 3, keyed: true });
    expect(verifyChain(lines, head, { city: 'valladolid' }).problem).toMatchObject({ kind: 'key-required', seq: 1 });
    expect(verifyChain(lines, { seq: head.seq, hash: head.hash }, opts).problem).toMatchObject({
      kind: 'head-unsigned',
    });
    expect(verifyChain(lines, head, { ...opts, city: 'agueda' }).problem?.kind).toBe('head-unsigned');
  });

  it('an unkeyed (re-hashed) chain fails when a key is configured', () => {
    const { lines, head } = keyedChain(2, undefined);
    expect(verifyChain(lines, head, opts).problem).toMatchObject({ kind: 'unkeyed-record', seq: 1, line: 1 });
  });

  it('a missing head is reported when required', () => {
    const { lines } = keyedChain(2, undefined);
    expect(verifyChain(lines, undefined, { requireHead: true }).problem?.kind).toBe('head-missing');
    expect(verifyChain([], undefined, { requireHead: true }).ok).toBe(true);
  });

  it('an anchor must be a record of the chain, at its seq when given', () => {
    const { lines, head } = keyedChain(3, undefined);
    const second = JSON.parse(lines[1]!.text) as { hash: string };
    expect(verifyChain(lines, head, { anchor: { seq: 2, hash: second.hash } })).toMatchObject({
      ok: true,
      anchor: { seq: 2, hash: second.hash },
    });
    expect(verifyChain(lines, head, { anchor: { seq: 3, hash: second.hash } }).problem?.kind).toBe('anchor-not-found');
    expect(verifyChain(lines, head, { anchor: { hash: 'f'.repeat(64) } }).problem?.kind).toBe('anchor-not-found');
    expect(parseAnchor(`2:${second.hash}`)).toEqual({ seq: 2, hash: second.hash });
    expect(parseAnchor(second.hash.toUpperCase())).toEqual({ hash: second.hash });
    expect(parseAnchor('2:abc')).toBeUndefined();
    expect(formatAnchor(head)).toBe(`3:${head.hash}`);
  });

  it('an unterminated last line is a torn write, even when it parses', () => {
    const { lines, head } = keyedChain(2, undefined);
    const torn = [...lines.slice(0, 1), { ...lines[1]!, unterminated: true }];
    expect(verifyChain(torn, head).problem).toMatchObject({ kind: 'torn-last-line', line: 2 });
  });
});
