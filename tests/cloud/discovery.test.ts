import { describe, expect, it } from 'vitest';
import { limiter, nextPage } from '../../src/cloud/discovery';

describe('discovery: pages and concurrency', () => {
  const base = 'https://cloud.example:9696';

  it("follows a service's next link under its own endpoint, whatever the scheme a proxy answers with", () => {
    expect(
      nextPage(
        { networks: [], networks_links: [{ rel: 'next', href: `${base}/v2.0/networks?limit=2&marker=abc` }] },
        'networks',
        base,
      ),
    ).toBe('/v2.0/networks?limit=2&marker=abc');
    expect(
      nextPage(
        { servers: [], servers_links: [{ rel: 'next', href: 'http://cloud.example:9696/servers/detail?marker=x' }] },
        'servers',
        base,
      ),
    ).toBe('/servers/detail?marker=x');
    expect(nextPage({ volumes: [], links: [{ rel: 'previous', href: `${base}/x` }] }, 'volumes', base)).toBeUndefined();
    expect(nextPage({ volumes: [] }, 'volumes', base)).toBeUndefined();
  });

  it('refuses a next link that leads off the endpoint (a list is untrusted)', () => {
    expect(() =>
      nextPage({ ports: [], ports_links: [{ rel: 'next', href: 'https://elsewhere.example/steal' }] }, 'ports', base),
    ).toThrow(/outside its endpoint/);
  });

  it('keeps at most the limit in flight and the results in order', async () => {
    let active = 0;
    let peak = 0;
    const tasks = Array.from({ length: 12 }, (_, i) => async () => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5 + ((i * 7) % 11)));
      active -= 1;
      return i;
    });
    const limit = limiter(3);
    expect(await Promise.all(tasks.map((t) => limit(t)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(peak).toBe(3);
    const failing = limiter(1);
    await expect(failing(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await failing(() => Promise.resolve('next'))).toBe('next');
  });
});
