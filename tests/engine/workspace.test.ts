import { describe, expect, it } from 'vitest';
import { canonicalJson, initKey } from '../../src/engine/workspace';

describe('init cache key', () => {
  it('changes with providers or backend, not with resources', () => {
    const base = { terraform: { required_providers: { openstack: { version: '3.4.0' } } }, resource: { a: { b: {} } } };
    const k = initKey('tofu', base, '{"local":{}}');
    expect(initKey('tofu', { ...base, resource: { a: { c: {} } } }, '{"local":{}}')).toBe(k);
    expect(initKey('tofu', base, '{"pg":{}}')).not.toBe(k);
    expect(
      initKey(
        'tofu',
        { ...base, terraform: { required_providers: { openstack: { version: '3.5.0' } } } },
        '{"local":{}}',
      ),
    ).not.toBe(k);
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});
