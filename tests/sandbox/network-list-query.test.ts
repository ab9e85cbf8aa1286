import { describe, expect, it } from 'vitest';
import { applyListQuery, parseListQuery, type RawQuery } from '../../src/sandbox/services/network/list-query.js';
import { SandboxHttpError } from '../../src/sandbox/core/errors.js';

const docs = [
  { id: 'c', name: 'web', shared: false, tags: ['a', 'b'], fixed_ips: [{ subnet_id: 's1', ip_address: '10.0.0.3' }] },
  { id: 'a', name: 'db', shared: true, tags: ['b'], fixed_ips: [{ subnet_id: 's1', ip_address: '10.0.0.4' }] },
  { id: 'b', name: 'web', shared: false, tags: [], fixed_ips: [{ subnet_id: 's2', ip_address: '10.1.0.3' }] },
];
const attributes = new Set(['id', 'name', 'shared', 'tags', 'fixed_ips']);
const run = (raw: RawQuery) =>
  applyListQuery(docs, parseListQuery(raw), { attributes, collectionUrl: 'http://x/v2.0/ports', raw });

describe('Neutron list queries', () => {
  it('filters by attribute (repeated key = OR), boolean and fixed_ips', () => {
    expect(run({ name: 'web' }).items.map((d) => d.id)).toEqual(['c', 'b']);
    expect(run({ name: ['web', 'db'] }).items.map((d) => d.id)).toEqual(['c', 'a', 'b']);
    expect(run({ shared: 'True' }).items.map((d) => d.id)).toEqual(['a']);
    expect(run({ fixed_ips: 'ip_address=10.0.0.4' }).items.map((d) => d.id)).toEqual(['a']);
    expect(run({ fixed_ips: 'subnet_id=s1' }).items.map((d) => d.id)).toEqual(['c', 'a']);
  });

  it('filters by tags, tags-any, not-tags, not-tags-any', () => {
    expect(run({ tags: 'a,b' }).items.map((d) => d.id)).toEqual(['c']);
    expect(run({ 'tags-any': 'a,b' }).items.map((d) => d.id)).toEqual(['c', 'a']);
    expect(run({ 'not-tags': 'a,b' }).items.map((d) => d.id)).toEqual(['a', 'b']);
    expect(run({ 'not-tags-any': 'a' }).items.map((d) => d.id)).toEqual(['a', 'b']);
  });

  it('rejects unknown filters as Neutron does', () => {
    try {
      run({ colour: 'red' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SandboxHttpError);
      expect((e as SandboxHttpError).body).toEqual({
        NeutronError: { type: 'HTTPBadRequest', message: '[colour] is invalid attribute for filtering', detail: '' },
      });
    }
  });

  it('sorts, projects fields and pages with links', () => {
    expect(run({ sort_key: 'name', sort_dir: 'desc' }).items.map((d) => d.id)).toEqual(['c', 'b', 'a']);
    expect(run({ fields: ['id', 'name'] }).items[0]).toEqual({ id: 'c', name: 'web' });
    const first = run({ limit: '2' });
    expect(first.items.map((d) => d.id)).toEqual(['a', 'b']);
    expect(first.links).toEqual([{ rel: 'next', href: 'http://x/v2.0/ports?limit=2&marker=b' }]);
    const second = run({ limit: '2', marker: 'b' });
    expect(second.items.map((d) => d.id)).toEqual(['c']);
    expect(second.links).toEqual([{ rel: 'previous', href: 'http://x/v2.0/ports?limit=2&marker=c&page_reverse=True' }]);
    const back = run({ limit: '2', marker: 'c', page_reverse: 'True' });
    expect(back.items.map((d) => d.id)).toEqual(['a', 'b']);
  });
});
