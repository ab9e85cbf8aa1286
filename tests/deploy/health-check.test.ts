import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeHealthFailure, requireHealthy, waitForHealthy } from '../../src/deploy/health-check';
import { freePort } from '../support/net';
import { type RunningApp, buildTemplate, repoRoot, startApp, tempDataDir } from '../templates/app-process';

const version = /^version:\s*(\S+)/m.exec(
  fs.readFileSync(path.join(repoRoot, 'templates/participa/template.yaml'), 'utf8'),
)?.[1];

describe('waiting for service health', () => {
  const apps: RunningApp[] = [];
  let healthy: RunningApp;
  let broken: RunningApp;

  beforeAll(async () => {
    buildTemplate('participa');
    healthy = await startApp('participa', { dataDir: tempDataDir('health-ok') });
    broken = await startApp('participa', { dataDir: tempDataDir('health-broken') });
    apps.push(healthy, broken);
    fs.rmSync(broken.dataDir, { recursive: true, force: true });
  });
  afterAll(async () => {
    for (const a of apps) await a.stop();
  });

  it('reports each instance: healthy, unhealthy with what /healthz said, wrong version, unreachable', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const results = await waitForHealthy(
      [
        {
          service: 'participa',
          instance: 'agueda-preprod-app-1',
          url: healthy.url,
          healthCheck: '/healthz',
          expectedVersion: version,
        },
        { service: 'participa', instance: 'agueda-preprod-app-2', url: broken.url, healthCheck: '/healthz' },
        {
          service: 'participa',
          instance: 'agueda-preprod-app-3',
          url: healthy.url,
          healthCheck: '/healthz',
          expectedVersion: '9.9.9',
        },
        { service: 'participa', instance: 'agueda-preprod-app-4', url: nowhere, healthCheck: '/healthz' },
      ],
      { timeoutMs: 1200, intervalMs: 300 },
    );
    expect(results.map((r) => r.outcome.kind)).toEqual(['healthy', 'unhealthy', 'wrong-version', 'unreachable']);
    expect(results[1]!.outcome).toMatchObject({ httpStatus: 503 });
    expect(describeHealthFailure(results[1]!)).toMatch(
      /^participa on agueda-preprod-app-2 \(http:\/\/127\.0\.0\.1:\d+\/healthz\): HTTP 503 — storage: ENOENT/,
    );
    expect(describeHealthFailure(results[2]!)).toContain(`still reports version ${version}, expected 9.9.9`);
    expect(results[2]!.outcome.attempts).toBeGreaterThan(1);
    expect(describeHealthFailure(results[3]!)).toMatch(/unreachable — .*ECONNREFUSED/);
    expect(() => requireHealthy(results, 1200)).toThrow(
      /3 of 4 service instances not healthy after 1 s:\n {2}participa on agueda-preprod-app-2/,
    );
    expect(requireHealthy([results[0]!], 1200)).toHaveLength(1);
  });

  it('keeps polling until an instance that is still starting answers', async () => {
    const port = await freePort();
    const waiting = waitForHealthy(
      [
        {
          service: 'participa',
          instance: 'late',
          url: `http://127.0.0.1:${port}`,
          healthCheck: '/healthz',
          expectedVersion: version,
        },
      ],
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    await new Promise((r) => setTimeout(r, 800));
    const late = await startApp('participa', { dataDir: tempDataDir('health-late'), env: { PORT: String(port) } });
    apps.push(late);
    const [result] = await waiting;
    expect(result!.outcome.kind).toBe('healthy');
    expect(result!.outcome.attempts).toBeGreaterThan(1);
  });
});
