/** The fleet view's rows from an audit log, with literal records. */
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/audit-record';
import { recordBody } from '../../src/audit/audit-record';
import { fleetRowFromRecords } from '../../src/lifecycle/status';

const NOW = new Date('2026-12-08T12:00:00.000Z');
const MANIFEST = 'a'.repeat(64);
const OLD_MANIFEST = 'b'.repeat(64);
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

let seq = 0;
function rec(fields: Partial<AuditRecord> & Pick<AuditRecord, 'operation' | 'result' | 'time'>): AuditRecord {
  seq += 1;
  return {
    seq,
    user: 'ana',
    host: 'runner-1',
    city: 'agueda',
    env: 'preprod',
    versions: { storm: '0.1.0' },
    flags: { skipPreflight: false, allowViolations: false, autoApprove: false },
    prevHash: '0'.repeat(64),
    hash: '1'.repeat(64),
    ...fields,
  };
}

const POLICY_OK = { errors: 0, warnings: 0, violations: [], waiversUsed: [] };

describe('fleetRowFromRecords', () => {
  it('a city never run has nothing to say', () => {
    expect(fleetRowFromRecords('preprod', [], MANIFEST, NOW)).toEqual({
      lastRun: null,
      lastApply: null,
      drift: null,
      policy: null,
    });
  });

  it('last apply with who and which commit; drift and policy from the plan after it; other environments ignored', () => {
    const records = [
      rec({
        operation: 'provision',
        result: 'succeeded',
        time: '2026-12-08T09:00:00.000Z',
        commit: COMMIT,
        manifestHash: OLD_MANIFEST,
        changes: { create: 12, update: 0, replace: 0, delete: 0 },
        policy: POLICY_OK,
      }),
      rec({
        operation: 'plan',
        result: 'succeeded',
        time: '2026-12-08T11:55:00.000Z',
        manifestHash: MANIFEST,
        changes: { create: 1, update: 2, replace: 0, delete: 0 },
        policy: { errors: 0, warnings: 1, violations: [], waiversUsed: [] },
      }),
      rec({ operation: 'plan', result: 'failed', time: '2026-12-08T11:59:00.000Z', message: 'cloud unreachable' }),
      rec({
        env: 'production',
        operation: 'provision',
        result: 'succeeded',
        time: '2026-12-08T11:59:30.000Z',
        changes: { create: 0, update: 0, replace: 0, delete: 9 },
      }),
    ];
    expect(fleetRowFromRecords('preprod', records, MANIFEST, NOW)).toEqual({
      lastRun: { at: '2026-12-08T11:59:00.000Z', ageSeconds: 60, operation: 'plan', result: 'failed', commit: null },
      lastApply: {
        at: '2026-12-08T09:00:00.000Z',
        ageSeconds: 3 * 3600,
        operation: 'provision',
        user: 'ana',
        host: 'runner-1',
        commit: COMMIT,
        changes: { create: 12, update: 0, replace: 0, delete: 0 },
      },
      drift: {
        at: '2026-12-08T11:55:00.000Z',
        ageSeconds: 300,
        source: 'plan',
        pending: true,
        changes: { create: 1, update: 2, replace: 0, delete: 0 },
        manifestChanged: false,
      },
      policy: { at: '2026-12-08T11:55:00.000Z', ageSeconds: 300, result: 'warnings', errors: 0, warnings: 1 },
    });
  });

  it('after a successful provision nothing is pending, unless the manifest changed since', () => {
    const records = [
      rec({
        operation: 'provision',
        result: 'succeeded',
        time: '2026-12-07T12:00:00.000Z',
        manifestHash: OLD_MANIFEST,
        changes: { create: 3, update: 0, replace: 0, delete: 0 },
        policy: { errors: 2, warnings: 0, violations: [], waiversUsed: [] },
      }),
    ];
    const row = fleetRowFromRecords('preprod', records, MANIFEST, NOW);
    expect(row.drift).toEqual({
      at: '2026-12-07T12:00:00.000Z',
      ageSeconds: 86_400,
      source: 'provision',
      pending: false,
      changes: { create: 0, update: 0, replace: 0, delete: 0 },
      manifestChanged: true,
    });
    expect(row.policy?.result).toBe('violations');
    expect(row.lastApply?.commit).toBeNull();
    // An unknown current manifest leaves the question open rather than answering it.
    expect(fleetRowFromRecords('preprod', records, undefined, NOW).drift?.manifestChanged).toBeNull();
  });

  it('a destroy is the last apply; a refused provision is not', () => {
    const records = [
      rec({ operation: 'destroy', result: 'succeeded', time: '2026-12-08T10:00:00.000Z', user: 'bo' }),
      rec({ operation: 'provision', result: 'refused', time: '2026-12-08T11:00:00.000Z' }),
    ];
    const row = fleetRowFromRecords('preprod', records, MANIFEST, NOW);
    expect(row.lastApply).toMatchObject({ operation: 'destroy', user: 'bo', ageSeconds: 7200 });
    expect(row.lastRun).toMatchObject({ operation: 'provision', result: 'refused' });
    expect(row.drift).toBeNull();
  });
});

describe('the commit of an audit record', () => {
  const input = {
    operation: 'plan' as const,
    city: 'agueda',
    env: 'preprod',
    result: 'succeeded' as const,
    versions: { storm: '0.1.0' },
    time: '2026-12-08T12:00:00.000Z',
    user: 'ana',
    host: 'h',
  };
  it('is kept when it is a git object name and left out otherwise', () => {
    expect(recordBody({ ...input, commit: COMMIT }, {}).commit).toBe(COMMIT);
    expect(recordBody({ ...input, commit: 'c'.repeat(64) }, {}).commit).toBe('c'.repeat(64));
    expect('commit' in recordBody({ ...input, commit: 'HEAD; rm -rf /' }, {})).toBe(false);
    expect('commit' in recordBody(input, {})).toBe(false);
  });
});
