import { describe, expect, it } from 'vitest';
import { StormError } from '../../src/errors';
import { runEach } from '../../src/lifecycle/fan-out';

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
