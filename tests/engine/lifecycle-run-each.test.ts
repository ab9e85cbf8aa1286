import { describe, expect, it } from 'vitest';
import { StormError } from '../../src/errors';
import { runEach } from '../../src/engine/lifecycle';
import { canonicalJson, initKey } from '../../src/engine/workspace';

describe('runEach', () => {
  it('keeps going after a failure, keeps order, and never runs more than `concurrency` at once', async () => {
    let running = 0;
    let peak = 0;
    const refs = ['a', 'b', 'c', 'd', 'e'].map((city) => ({ city, env: 'preprod' }));
    const out = await runEach({}, refs, 2, async (ref) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ref.city === 'a' ? 30 : 5));
      running--;
      if (ref.city === 'b') throw new StormError('engine-failed', 'b broke');
      if (ref.city === 'c') throw new Error('not a StormError');
      return ref.city.toUpperCase();
    });
    expect(peak).toBe(2);
    expect(out.map((o) => (o.ok ? o.value : `${o.error.code}: ${o.error.message}`))).toEqual([
      'A',
      'engine-failed: b broke',
      'internal: internal error: not a StormError',
      'D',
      'E',
    ]);
  });

  it('does not start stacks once the run is interrupted', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const out = await runEach({ signal: ctl.signal }, [{ city: 'a', env: 'preprod' }], 1, () => Promise.resolve(1));
    expect(out[0]?.ok).toBe(false);
    expect(!out[0]?.ok && out[0]?.error.code).toBe('interrupted');
  });
});

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
