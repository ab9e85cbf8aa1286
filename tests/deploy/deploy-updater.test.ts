/**
 * A VM's release updater (cloud-init's update-service script, run for real by
 * sh with curl, sha256sum and tar) honours the release pointer the deploy step
 * writes beside the artifact: it installs an artifact whose sha256 the pointer
 * names, and refuses one the pointer does not (a deploy still under way).
 */
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarGzip } from '../../src/deploy/artifact';
import { participaWriteFiles } from './participa-user-data';

function updaterScript(): string {
  const file = participaWriteFiles('http://127.0.0.1:9/unused.tar.gz').find((f) => f.path.endsWith('/update-service'));
  if (file === undefined) throw new Error('no update-service in the user data');
  return file.content;
}

describe('release updater and the release pointer', () => {
  let server: http.Server;
  let base = '';
  let artifact = tarGzip([{ path: 'template.yaml', content: Buffer.from('version: 1.0.0\n') }]);
  let pointerSha = '';
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-updater-'));
  const script = path.join(work, 'update-service');
  const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

  beforeAll(async () => {
    fs.writeFileSync(script, updaterScript());
    server = http.createServer((req, res) => {
      if (req.url === '/participa.release.json') {
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(
            `${JSON.stringify({ apiVersion: 'storm/v1', kind: 'Release', service: 'participa', version: 'x', sha256: pointerSha, configSha256: 'c'.repeat(64) }, null, 2)}\n`,
          );
        return;
      }
      const etag = `"${crypto.createHash('md5').update(artifact).digest('hex')}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { ETag: etag }).end();
      res
        .writeHead(200, { ETag: etag, 'Content-Type': 'application/gzip', 'Content-Length': artifact.length })
        .end(artifact);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    fs.rmSync(work, { recursive: true, force: true });
  });

  const run = (): Promise<{ status: number | null; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn('sh', [script, 'participa', `${base}/participa.tar.gz`], {
        env: { ...process.env, STORM_SERVICES_ROOT: path.join(work, 'opt') },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (status) => resolve({ status, stderr }));
    });
  const currentVersion = (): string =>
    fs.readFileSync(path.join(work, 'opt', 'participa', 'current', 'template.yaml'), 'utf8');

  it('installs the artifact the pointer names', async () => {
    pointerSha = sha(artifact);
    const r = await run();
    expect(r.status, r.stderr).toBe(0);
    expect(currentVersion()).toBe('version: 1.0.0\n');
  });

  it('refuses an artifact the pointer does not name yet, keeps the running release, and takes it once the pointer moves', async () => {
    artifact = tarGzip([{ path: 'template.yaml', content: Buffer.from('version: 1.1.0\n') }]);
    const r = await run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`has sha256 ${sha(artifact)}, its release pointer says ${pointerSha}`);
    expect(currentVersion()).toBe('version: 1.0.0\n');

    pointerSha = sha(artifact);
    const again = await run();
    expect(again.status, again.stderr).toBe(0);
    expect(currentVersion()).toBe('version: 1.1.0\n');
  });
});
