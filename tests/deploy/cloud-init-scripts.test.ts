/**
 * The files cloud-init writes, exercised for real: systemd parses the units,
 * and the release updater fetches, installs and switches artifacts served
 * over HTTP with ETags the way object storage serves them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarGzip } from '../../src/deploy/artifact';
import { testReleaseKey } from '../support/release-key';
import { type InstalledUpdater, installUpdater, signedPointer } from '../support/release-updater';
import { participaWriteFiles } from './participa-user-data';

describe('systemd units', () => {
  it('parse cleanly with systemd-analyze verify', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-units-'));
    const units = participaWriteFiles('http://127.0.0.1:9/a.tar.gz', testReleaseKey().publicKeyPem).filter((f) =>
      f.path.startsWith('/etc/systemd/system/'),
    );
    expect(units.map((u) => path.basename(u.path)).sort()).toEqual([
      'storm-participa-update.service',
      'storm-participa-update.timer',
      'storm-participa.service',
    ]);
    for (const u of units) {
      // Programs that exist only on the instance are swapped for /bin/true; every key and section is still checked.
      fs.writeFileSync(
        path.join(dir, path.basename(u.path)),
        u.content.replace(/\/usr\/local\/lib\/storm\/[a-z-]+/g, '/bin/true').replace(/\/usr\/bin\/node/g, '/bin/true'),
      );
    }
    for (const u of units) {
      const r = spawnSync('systemd-analyze', ['verify', path.join(dir, path.basename(u.path))], { encoding: 'utf8' });
      // Only what it says of storm's units: verify also lints units the machine has installed (e.g. keystone.service).
      const aboutStorm = r.stderr
        .split('\n')
        .filter((l) => l.includes('storm-'))
        .join('\n');
      expect({ unit: path.basename(u.path), code: r.status, stderr: aboutStorm }).toEqual({
        unit: path.basename(u.path),
        code: 0,
        stderr: '',
      });
    }
  });
});

describe('release updater', () => {
  let server: http.Server;
  let base = '';
  let artifact = tarGzip([{ path: 'template.yaml', content: Buffer.from('version: 1.0.0\n') }]);
  let status = 200;
  const seen: { url: string | undefined; etag: string | undefined }[] = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-update-'));
  const key = testReleaseKey();
  let updater: InstalledUpdater;
  const pointer = (): string =>
    signedPointer(key.privateKey, artifact, { city: 'agueda', environment: 'preprod', service: 'participa' });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url, etag: req.headers['if-none-match'] });
      if (status !== 200) return void res.writeHead(status).end('gone');
      const body = req.url === '/participa.release.json' ? Buffer.from(pointer()) : artifact;
      const etag = `"${crypto.createHash('md5').update(body).digest('hex')}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { ETag: etag }).end();
      res.writeHead(200, { ETag: etag, 'Content-Length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    updater = installUpdater(participaWriteFiles(`${base}/participa.tar.gz`, key.publicKeyPem), work, 'participa');
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const current = () => fs.realpathSync(path.join(updater.root, 'current'));

  it('installs the first release the signed pointer names and points current at it', async () => {
    const r = await updater.run();
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(current(), 'template.yaml'), 'utf8')).toBe('version: 1.0.0\n');
    expect(updater.status()).toMatch(/running the release with sha256 [0-9a-f]{64}/);
  });

  it('does nothing when the pointer did not change (conditional GET, 304)', async () => {
    const before = current();
    const asked = seen.length;
    const r = await updater.run();
    expect(r.status).toBe(0);
    expect(current()).toBe(before);
    expect(seen.slice(asked)).toEqual([
      { url: '/participa.release.json', etag: expect.stringMatching(/^"[0-9a-f]{32}"$/) },
    ]);
  });

  it('switches to a new release in place when a new pointer names a new artifact, keeping the previous one', async () => {
    const before = current();
    artifact = tarGzip([{ path: 'template.yaml', content: Buffer.from('version: 1.1.0\n') }]);
    const r = await updater.run();
    expect(r.status, r.stderr).toBe(0);
    expect(current()).not.toBe(before);
    expect(fs.readFileSync(path.join(current(), 'template.yaml'), 'utf8')).toBe('version: 1.1.0\n');
    expect(fs.existsSync(before)).toBe(true);
  });

  it('fails, naming the HTTP status, when the pointer cannot be fetched, and keeps the running release', async () => {
    const before = current();
    status = 500;
    const r = await updater.run();
    status = 200;
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('answered HTTP 500; keeping the running release');
    expect(current()).toBe(before);
    execFileSync('sh', ['-n', updater.script]);
  });
});
