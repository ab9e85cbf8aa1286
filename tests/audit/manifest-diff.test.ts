import { describe, expect, it } from 'vitest';
import { applyChange, diffManifests, invertChange } from '../../src/audit/manifest-diff';

interface Rule {
  ports: number;
  remote?: string;
  remoteGroup?: string;
}

const base: { security: { adminCidrs: string[]; groups: { name: string; rules: Rule[] }[] } } = {
  security: {
    adminCidrs: ['10.0.0.0/8'],
    groups: [
      {
        name: 'web',
        rules: [
          { ports: 80, remote: '0.0.0.0/0' },
          { ports: 22, remote: 'admin' },
        ],
      },
      { name: 'db', rules: [{ ports: 5432, remoteGroup: 'web' }] },
    ],
  },
};

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

describe('diffManifests', () => {
  it('names an edited rule field with document paths on both sides', () => {
    const after = clone(base);
    after.security.groups[0]!.rules[1]!.remote = '0.0.0.0/0';
    expect(diffManifests(base, after)).toEqual([
      {
        kind: 'changed',
        path: 'security.groups.web.rules[1].remote',
        fromPath: ['security', 'groups', 0, 'rules', 1, 'remote'],
        toPath: ['security', 'groups', 0, 'rules', 1, 'remote'],
        before: 'admin',
        after: '0.0.0.0/0',
      },
    ]);
  });

  it('matches named items by name: reordering is no change', () => {
    const after = clone(base);
    after.security.groups.reverse();
    expect(diffManifests(base, after)).toEqual([]);
  });

  it('an inserted rule is one addition, not a shift of every later rule', () => {
    const after = clone(base);
    after.security.groups[0]!.rules.unshift({ ports: 443, remote: '0.0.0.0/0' });
    const changes = diffManifests(base, after);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      kind: 'added',
      path: 'security.groups.web.rules[0]',
      toPath: ['security', 'groups', 0, 'rules', 0],
      fromParent: ['security', 'groups', 0, 'rules'],
    });
  });

  it('reports added and removed keys and items', () => {
    const after = clone(base) as Record<string, unknown> & typeof base;
    after.security.groups.pop();
    (after as Record<string, unknown>).tags = { owner: 'x' };
    const kinds = diffManifests(base, after).map((c) => `${c.kind} ${c.path}`);
    expect(kinds).toEqual(['removed security.groups.db', 'added tags']);
  });

  it('applyChange replays one change on the older document, leaving it untouched', () => {
    const after = clone(base);
    after.security.groups[0]!.rules.unshift({ ports: 443, remote: '0.0.0.0/0' });
    after.security.adminCidrs = ['192.0.2.0/24'];
    const changes = diffManifests(base, after);
    const onlyRule = applyChange(
      base,
      changes.find((c) => c.path.includes('rules'))!,
    ) as typeof base;
    expect(onlyRule.security.groups[0]!.rules).toHaveLength(3);
    expect(onlyRule.security.adminCidrs).toEqual(['10.0.0.0/8']);
    expect(base.security.groups[0]!.rules).toHaveLength(2);
    const removed = applyChange(
      after,
      diffManifests(after, base).find((c) => c.kind === 'removed')!,
    ) as typeof base;
    expect(removed.security.groups[0]!.rules).toHaveLength(2);
  });

  it('invertChange undoes a change on the newer document', () => {
    const after = clone(base);
    after.security.groups[1]!.rules.push({ ports: 6379, remoteGroup: 'web' });
    after.security.groups[0]!.rules.splice(0, 1);
    after.security.adminCidrs = ['192.0.2.0/24'];
    for (const c of diffManifests(base, after)) {
      const undone = applyChange(after, invertChange(c));
      expect(diffManifests(base, undone).map((x) => x.path)).not.toContain(c.path);
    }
  });
});
