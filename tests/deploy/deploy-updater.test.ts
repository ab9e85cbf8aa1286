/**
 * A VM's release updater (cloud-init's update-service script, run for real by
 * sh with curl, node, sha256sum and tar) honours the signed release pointer the
 * deploy step writes beside the artifact: it installs an artifact whose sha256
 * the pointer names, and refuses one the pointer does not (a deploy still under way).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarGzip } from '../../src/deploy/artifact';
import { testReleaseKey } from '../support/release-key';
import { type InstalledUpdater, installUpdater, sha256, signedPointer } from '../support/release-updater';
import { participaWriteFiles } from './participa-user-data';

describe('release updater and the release pointer', () => {
  let server: http.Server;
  let artifact = tarGzip([{ path: 'template.yaml', content: Buffer.from('version: 1.0.0\n') }]);
  let pointed = artifact;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-updater-'));
  const key = testReleaseKey();
  let updater: InstalledUpdater;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const body =
        req.url === '/participa.release.json'
          ? Buffer.from(
              signedPointer(key.privateKey, pointed, { city: 'agueda', environment: 'preprod', service: 'participa' }),
            )
          : artifact;
      const etag = `"${crypto.createHash('md5').update(body).digest('hex')}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { ETag: etag }).end();
      res.writeHead(200, { ETag: etag, 'Content-Length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    updater = installUpdater(participaWriteFiles(`${base}/participa.tar.gz`, key.publicKeyPem), work, 'participa');
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    fs.rmSync(work, { recursive: true, force: true });
  });

  const currentVersion = (): string => fs.readFileSync(path.join(updater.root, 'current', 'template.yaml'), 'utf8');

  it('installs the artifact the pointer names', async () => {
    const r = await updater.run();
    expect(r.status, r.stderr).toBe(0);
    expect(currentVersion()).toBe('version: 1.0.0\n');
  });

  it('refuses an artifact the pointer does not name yet, keeps the running release, and takes it once the pointer moves', async () => {
    const old = pointed;
    artifact = tarGzip([{ path: 'template.yaml', content: Buffer.from('version: 1.1.0\n') }]);
    // A new pointer for bytes not uploaded yet: the artifact still holds other ones.
    pointed = tarGzip([{ path: 'template.yaml', content: Buffer.from('version: 1.2.0\n') }]);
    const r = await updater.run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`has sha256 ${sha256(artifact)}, the signed release pointer says ${sha256(pointed)}`);
    expect(currentVersion()).toBe('version: 1.0.0\n');
    expect(old).not.toBe(pointed);

    pointed = artifact;
    const again = await updater.run();
    expect(again.status, again.stderr).toBe(0);
    expect(currentVersion()).toBe('version: 1.1.0\n');
  });
});
