import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultInjector, FaultSpecError, parseFaultSpec } from '../../src/sandbox/core/faults';
import { call, issueToken, startTestSandbox, type TestSandbox, sandboxLogin } from './helpers';

describe('fault spec grammar', () => {
  it('parses services, methods, paths, rates, after, times and latency', () => {
    const rules = parseFaultSpec(
      'compute:503@0.1, network:POST:/v2.0/ports:500@after=3,image:hang,*:latency=50ms,volume:500@times=1,swift:GET:/v1*:404@25%,cinder:reset@0.5',
    );
    expect(rules.map((r) => [r.service, r.method, r.path, r.effect, r.rate, r.after, r.times])).toEqual([
      ['compute', undefined, undefined, { kind: 'status', status: 503 }, 0.1, 0, undefined],
      ['network', 'POST', '/v2.0/ports', { kind: 'status', status: 500 }, 1, 3, undefined],
      ['image', undefined, undefined, { kind: 'hang' }, 1, 0, undefined],
      ['*', undefined, undefined, { kind: 'latency', ms: 50 }, 1, 0, undefined],
      ['volume', undefined, undefined, { kind: 'status', status: 500 }, 1, 0, 1],
      ['object-store', 'GET', '/v1*', { kind: 'status', status: 404 }, 0.25, 0, undefined],
      ['volume', undefined, undefined, { kind: 'reset' }, 0.5, 0, undefined],
    ]);
  });

  it('names the bad rule', () => {
    expect(() => parseFaultSpec('compute:200')).toThrow(FaultSpecError);
    expect(() => parseFaultSpec('heat:503')).toThrow(/unknown service "heat"/);
    expect(() => parseFaultSpec('compute:503@1.5')).toThrow(/rate "1.5"/);
    expect(() => parseFaultSpec('compute:FETCH:503')).toThrow(/neither an HTTP method nor a path/);
  });
});

describe('fault decisions', () => {
  const run = (seed: number): number[] => {
    const f = new FaultInjector(parseFaultSpec('compute:503@0.3'), seed);
    const hits: number[] = [];
    for (let i = 0; i < 200; i += 1)
      if (f.decide('compute', 'GET', '/v2.1/servers').failure !== undefined) hits.push(i);
    return hits;
  };

  it('is deterministic for a seed and different across seeds', () => {
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
    const n = run(42).length;
    expect(n).toBeGreaterThan(30);
    expect(n).toBeLessThan(90);
  });

  it('ignores traffic the rule does not match', () => {
    const a = new FaultInjector(parseFaultSpec('compute:503@0.5'), 9);
    const b = new FaultInjector(parseFaultSpec('compute:503@0.5'), 9);
    const seqA: boolean[] = [];
    const seqB: boolean[] = [];
    for (let i = 0; i < 50; i += 1) {
      seqA.push(a.decide('compute', 'GET', '/x').failure !== undefined);
      b.decide('network', 'GET', '/v2.0/networks');
      seqB.push(b.decide('compute', 'GET', '/x').failure !== undefined);
    }
    expect(seqA).toEqual(seqB);
  });

  it('passes the first N with after=N and stops after times=N', () => {
    const f = new FaultInjector(parseFaultSpec('network:POST:/v2.0/ports:500@after=3,volume:500@times=2'), 1);
    const ports = [1, 2, 3, 4, 5].map(() => f.decide('network', 'POST', '/v2.0/ports').failure?.kind ?? 'ok');
    expect(ports).toEqual(['ok', 'ok', 'ok', 'status', 'status']);
    expect(f.decide('network', 'GET', '/v2.0/ports').failure).toBeUndefined();
    const vols = [1, 2, 3].map(() => f.decide('volume', 'GET', '/v3').failure?.kind ?? 'ok');
    expect(vols).toEqual(['status', 'status', 'ok']);
  });
});

describe('faults on the wire', () => {
  let sb: TestSandbox | undefined;
  afterEach(async () => {
    await sb?.close();
    sb = undefined;
  });

  it('answers injected faults in the service style and marks them in the request log', async () => {
    sb = await startTestSandbox({
      faults: 'image:GET:/v2/images:503@after=1,network:500@times=1,*:latency=20ms',
      faultSeed: 7,
    });
    const { token } = await issueToken(sb.url, 'admin', sandboxLogin(sb, 'admin').password);
    expect((await call(`${sb.url}/image/v2/images`, { token })).status).toBe(200);
    const glance = await call(`${sb.url}/image/v2/images`, { token });
    expect(glance.status).toBe(503);
    expect(glance.text).toContain('<h1>503 Service Unavailable</h1>');
    const neutron = await call(`${sb.url}/networking/v2.0/networks`, { token });
    expect(neutron.status).toBe(500);
    expect(neutron.json).toMatchObject({ NeutronError: { type: 'HTTPInternalServerError', detail: '' } });
    expect((await call(`${sb.url}/networking/v2.0/networks`, { token })).status).toBe(200);
    const t0 = Date.now();
    await call(`${sb.url}/identity/v3`, { token });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(18);
    await sb.close();
    const log = fs
      .readFileSync(path.join(sb.dataDir, 'requests.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: number; path: string; fault?: string[]; requestId: string; ms: number });
    const faulted = log.filter((e) => e.fault?.some((f) => !f.includes('latency')));
    expect(faulted.map((e) => [e.status, e.path])).toEqual([
      [503, '/image/v2/images'],
      [500, '/networking/v2.0/networks'],
    ]);
    for (const e of log) expect(e.requestId).toMatch(/^req-/);
    sb = undefined;
  });

  it('drops the connection without an answer for reset, and logs it as status 0', async () => {
    sb = await startTestSandbox({ faults: 'volume:reset@times=1' });
    const { token, body } = await issueToken(sb.url, 'admin', sandboxLogin(sb, 'admin').password);
    const url = `${sb.url}/volume/v3/${body.token.project.id}/volumes`;
    await expect(call(url, { token })).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await call(url, { token })).status).toBe(200);
    await sb.close();
    const log = fs
      .readFileSync(path.join(sb.dataDir, 'requests.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: number; fault?: string[] });
    expect(log.filter((e) => e.fault !== undefined).map((e) => e.status)).toEqual([0]);
    sb = undefined;
  });

  it('holds a hung request until the client gives up', async () => {
    sb = await startTestSandbox({ faults: 'image:hang' });
    const { token } = await issueToken(sb.url, 'admin', sandboxLogin(sb, 'admin').password);
    await expect(
      fetch(`${sb.url}/image/v2/images`, { headers: { 'x-auth-token': token }, signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    expect((await call(`${sb.url}/identity/v3`)).status).toBe(200);
  });
});
