import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/sandbox/core/store';

describe('SqliteStore', () => {
  it('inserts, reads, lists in insertion order, filters by project, updates and deletes', () => {
    const s = new SqliteStore(':memory:');
    s.insert('k', { id: 'b', n: 1 }, 'p1');
    s.insert('k', { id: 'a', n: 2 }, 'p2');
    s.insert('other', { id: 'a', n: 3 }, null);
    expect(s.get('k', 'a')).toEqual({ id: 'a', n: 2 });
    expect(s.list<{ id: string }>('k').map((d) => d.id)).toEqual(['b', 'a']);
    expect(s.list<{ id: string }>('k', { projectId: 'p2' }).map((d) => d.id)).toEqual(['a']);
    expect(s.count('k')).toBe(2);
    expect(s.count('k', { projectId: 'p1' })).toBe(1);
    s.update('k', { id: 'b', n: 10 });
    expect(s.get('k', 'b')).toEqual({ id: 'b', n: 10 });
    expect(s.ownerOf('k', 'b')).toBe('p1');
    expect(s.ownerOf('other', 'a')).toBeNull();
    expect(() => s.update('k', { id: 'zz' })).toThrow(/no k with id zz/);
    expect(s.delete('k', 'b')).toBe(true);
    expect(s.delete('k', 'b')).toBe(false);
    expect(s.countsByKind()).toEqual({ k: 1, other: 1 });
    s.close();
  });

  it('rolls a failed transaction back entirely', () => {
    const s = new SqliteStore(':memory:');
    s.insert('k', { id: 'keep' }, null);
    expect(() =>
      s.transaction(() => {
        s.insert('k', { id: 'half' }, null);
        s.update('k', { id: 'keep', changed: true });
        throw new Error('crash in the middle');
      }),
    ).toThrow('crash in the middle');
    expect(s.get('k', 'half')).toBeUndefined();
    expect(s.get('k', 'keep')).toEqual({ id: 'keep' });
    s.close();
  });

  it('matches id prefixes literally and case-sensitively, sorted by id', () => {
    const s = new SqliteStore(':memory:');
    for (const id of ['acct/c/b', 'acct/c/A', 'acct/c/a%', 'acct/c_/x', 'acct/C/z']) s.insert('o', { id }, null);
    expect(s.listByIdPrefix<{ id: string }>('o', 'acct/c/').map((d) => d.id)).toEqual([
      'acct/c/A',
      'acct/c/a%',
      'acct/c/b',
    ]);
    expect(s.listByIdPrefix<{ id: string }>('o', 'acct/c_').map((d) => d.id)).toEqual(['acct/c_/x']);
    s.close();
  });

  it('persists across reopen and keeps insertion order after it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-store-'));
    const a = new SqliteStore(dir);
    a.insert('k', { id: 'x' }, null);
    a.close();
    const b = new SqliteStore(dir);
    b.insert('k', { id: 'a' }, null);
    expect(b.list<{ id: string }>('k').map((d) => d.id)).toEqual(['x', 'a']);
    b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
