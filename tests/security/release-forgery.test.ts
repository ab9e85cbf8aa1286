/**
 * Item 4 of the trust review: releases that cannot be forged. Each attack is
 * performed against cloud-init's real release updater (sh, curl, node,
 * sha256sum, tar) fed by a local object store, and against the check the
 * sandbox's service runner applies: whoever can write objects but does not
 * hold the city's release key cannot get code installed, and a missing
 * pointer keeps the running release instead of installing whatever is there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tarGzip } from '../../src/deploy/artifact';
import { renderCloudInit, shQuote, systemdArg } from '../../src/deploy/cloud-init';
import { verifyReleasePointer } from '../../src/deploy/release';
import { loadReleaseKey } from '../../src/deploy/release-key';
import { loadTemplate, resolveServiceParameters } from '../../src/manifest/templates';
import { participaWriteFiles } from '../deploy/participa-user-data';
import { testReleaseKey } from '../support/release-key';
import { type InstalledUpdater, installUpdater, sha256, signedPointer } from '../support/release-updater';

const city = { city: 'agueda', environment: 'preprod', service: 'participa' };
const v1 = tarGzip([{ path: 'template.yaml', content: Buffer.from('version: 1.0.0\n') }]);
const evil = tarGzip([{ path: 'template.yaml', content: Buffer.from('version: 6.6.6 (attacker)\n') }]);

/** An object store: what the attacker (or storm) last put there, served with ETags. */
class Store {
  objects = new Map<string, Buffer>();
  requested: string[] = [];
  server = http.createServer((req, res) => {
    this.requested.push(req.url ?? '');
    const body = this.objects.get(req.url ?? '');
    if (body === undefined) return void res.writeHead(404).end('Not Found');
    const etag = `"${crypto.createHash('md5').update(body).digest('hex')}"`;
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { ETag: etag }).end();
    res.writeHead(200, { ETag: etag, 'Content-Length': body.length }).end(body);
  });
  base = '';
  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('the release updater on an instance', () => {
  const store = new Store();
  const key = testReleaseKey();
  const stranger = testReleaseKey();
  let work = '';
  let updater: InstalledUpdater;
  const current = (): string | undefined => {
    try {
      return fs.readFileSync(path.join(updater.root, 'current', 'template.yaml'), 'utf8');
    } catch {
      return undefined;
    }
  };
  const publish = (artifact: Buffer, pointer: string | undefined): void => {
    store.objects.set('/participa.tar.gz', artifact);
    if (pointer === undefined) store.objects.delete('/participa.release.json');
    else store.objects.set('/participa.release.json', Buffer.from(pointer));
  };

  beforeAll(() => store.start());
  afterAll(() => store.stop());
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-forgery-'));
    updater = installUpdater(
      participaWriteFiles(`${store.base}/participa.tar.gz`, key.publicKeyPem),
      work,
      'participa',
    );
  });

  it('installs nothing from an artifact without a release pointer (fails closed)', async () => {
    publish(evil, undefined);
    const r = await updater.run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no release pointer at');
    expect(current()).toBeUndefined();
    expect(store.requested).not.toContain('/participa.tar.gz');
  });

  it('keeps the running release when the pointer disappears, and says why in its status', async () => {
    publish(v1, signedPointer(key.privateKey, v1, city));
    expect((await updater.run()).status).toBe(0);
    publish(evil, undefined);
    const r = await updater.run();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /no release pointer at http:\/\/127\.0\.0\.1:\d+\/participa\.release\.json .*keeping the running release/,
    );
    expect(updater.status()).toMatch(/refused: no release pointer .*keeping the running release/);
    expect(current()).toBe('version: 1.0.0\n');
  });

  it('refuses a pointer signed by another key', async () => {
    publish(v1, signedPointer(key.privateKey, v1, city));
    expect((await updater.run()).status).toBe(0);
    publish(evil, signedPointer(stranger.privateKey, evil, city));
    const r = await updater.run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("its signature does not verify with this instance's release key");
    expect(current()).toBe('version: 1.0.0\n');
  });

  it('refuses an unsigned pointer and one whose payload was edited after signing', async () => {
    const plain = JSON.stringify({ apiVersion: 'storm/v1', kind: 'Release', ...city, sha256: sha256(evil) });
    publish(evil, plain);
    expect((await updater.run()).stderr).toContain('is not signed');
    const envelope = JSON.parse(signedPointer(key.privateKey, v1, city)) as { payload: string };
    const payload = Buffer.from(envelope.payload, 'base64').toString().replace(sha256(v1), sha256(evil));
    publish(evil, JSON.stringify({ ...envelope, payload: Buffer.from(payload).toString('base64') }));
    const r = await updater.run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('signature does not verify');
    expect(current()).toBeUndefined();
  });

  it('refuses a tampered artifact: its sha256 is not the one the signed pointer names', async () => {
    publish(v1, signedPointer(key.privateKey, v1, city));
    store.objects.set('/participa.tar.gz', evil);
    const r = await updater.run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`has sha256 ${sha256(evil)}, the signed release pointer says ${sha256(v1)}`);
    expect(current()).toBeUndefined();
  });

  it('refuses a genuine pointer replayed from another environment or city', async () => {
    publish(evil, signedPointer(key.privateKey, evil, { ...city, environment: 'production' }));
    const r = await updater.run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('it is for agueda/production/participa, not agueda/preprod/participa');
    expect(current()).toBeUndefined();
  });
});

describe('values cloud-init puts into shell and systemd units', () => {
  const nasty = `it's;$(touch PWNED)&\`touch PWNED2\`%n"q"\\`;

  it('reach sh as one word, expanding nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-quote-'));
    const out = execFileSync('sh', ['-c', `printf '%s' ${shQuote(nasty)}`], { cwd: dir, encoding: 'utf8' });
    expect(out).toBe(nasty);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('are one quoted argument in a unit systemd accepts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-quote-'));
    const unit = path.join(dir, 'storm-quoting.service');
    fs.writeFileSync(
      unit,
      `[Unit]\nDescription=x\n\n[Service]\nType=oneshot\nExecStart=/bin/true ${systemdArg(nasty)}\n`,
    );
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    // Only what it says of this unit: verify also lints units the machine has installed (e.g. keystone.service).
    const aboutUnit = r.stderr
      .split('\n')
      .filter((l) => l.includes('storm-quoting'))
      .join('\n');
    expect({ code: r.status, stderr: aboutUnit }).toEqual({ code: 0, stderr: '' });
    expect(systemdArg(nasty)).toBe(`"it's;$$(touch PWNED)&\`touch PWNED2\`%%n\\"q\\"\\\\"`);
  });

  it('an artifact URL full of metacharacters is fetched as it is, and nothing in it runs', async () => {
    const store = new Store();
    await store.start();
    try {
      const key = testReleaseKey();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-quote-'));
      const name = `/a'b;$(touch${'${IFS}'}${dir}/PWNED)&\`touch${'${IFS}'}${dir}/PWNED2\`%25n"q"`;
      const files = participaWriteFiles(`${store.base}${name}.tar.gz`, key.publicKeyPem, {
        displayName: `Águeda $(touch ${dir}/PWNED3) %n`,
      });
      const updater = installUpdater(files, path.join(dir, 'instance'), 'participa');
      store.objects.set(`${name}.tar.gz`, v1);
      store.objects.set(`${name}.release.json`, Buffer.from(signedPointer(key.privateKey, v1, city)));
      const r = await updater.run();
      expect(r.status, r.stderr).toBe(0);
      expect(store.requested).toEqual([`${name}.release.json`, `${name}.tar.gz`]);
      expect(fs.readdirSync(dir)).toEqual(['instance']);
      // The units carry no value that could be re-read as shell or a %-specifier.
      for (const f of files.filter((x) => x.path.startsWith('/etc/systemd/system/')))
        expect(f.content).not.toMatch(/PWNED|\$\(/);
    } finally {
      await store.stop();
    }
  });

  it('a service name or entry script that could escape its quoting or folder is refused at synthesis', () => {
    const t = loadTemplate(path.join(__dirname, '..', '..'), 'participa');
    const input = {
      city: { name: 'agueda', displayName: 'Águeda', languages: ['pt'] },
      environment: 'preprod',
      service: { name: 'participa', parameters: resolveServiceParameters(t, {}) },
      template: t.definition,
      tier: 'web',
      instance: { name: 'agueda-preprod-app-1' },
      artifactUrl: 'http://127.0.0.1:9/participa.tar.gz',
      releaseKey: testReleaseKey().publicKeyPem,
      containerUrls: {},
    };
    expect(() => renderCloudInit({ ...input, service: { ...input.service, name: 'x;reboot' } })).toThrow(
      /service name "x;reboot" cannot name files and units/,
    );
    expect(() =>
      renderCloudInit({
        ...input,
        template: { ...t.definition, runtime: { ...t.definition.runtime, entry: 'dist/../../../etc/x.js' } },
      }),
    ).toThrow(/is not a plain absolute path/);
  });
});

describe("the check the sandbox's service runner applies", () => {
  const key = testReleaseKey();
  const pem = key.publicKeyPem;

  it('accepts what the deploy step signs, for this city, environment and service only', () => {
    const text = signedPointer(key.privateKey, v1, city);
    expect(verifyReleasePointer(text, pem, city)).toMatchObject({ ok: true, pointer: { sha256: sha256(v1) } });
    expect(verifyReleasePointer(text, pem, { ...city, service: 'other' })).toEqual({
      ok: false,
      reason: 'the release pointer is for agueda/preprod/participa, not agueda/preprod/other',
    });
  });

  it('refuses another key and an unsigned pointer', () => {
    const forged = signedPointer(testReleaseKey().privateKey, evil, city);
    expect(verifyReleasePointer(forged, pem, city)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/signature does not verify with this instance's release key [0-9a-f]{16}/),
    });
    expect(verifyReleasePointer('{"apiVersion":"storm/v1","kind":"Release"}', pem, city)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not signed'),
    });
  });
});

describe('the release signing key', () => {
  it('is generated once per city and environment, 0600 in a 0700 folder, and reused', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-key-'));
    const a = loadReleaseKey(cwd, 'agueda', 'preprod', {});
    expect(a.file).toBe(path.join(cwd, '.storm', 'keys', 'agueda', 'preprod', 'release-key.pem'));
    expect(fs.statSync(a.file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(a.file)).mode & 0o777).toBe(0o700);
    expect(loadReleaseKey(cwd, 'agueda', 'preprod', {}).publicKeyPem).toBe(a.publicKeyPem);
    expect(loadReleaseKey(cwd, 'agueda', 'production', {}).publicKeyPem).not.toBe(a.publicKeyPem);
  });

  it('is the file STORM_RELEASE_KEY names, which must exist and hold an Ed25519 key', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-key-'));
    const file = path.join(cwd, 'ci-release.pem');
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    expect(loadReleaseKey(cwd, 'agueda', 'preprod', { STORM_RELEASE_KEY: file }).file).toBe(file);
    expect(() => loadReleaseKey(cwd, 'agueda', 'preprod', { STORM_RELEASE_KEY: 'missing.pem' })).toThrow(
      /cannot read the release signing key/,
    );
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    fs.writeFileSync(file, rsa.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => loadReleaseKey(cwd, 'agueda', 'preprod', { STORM_RELEASE_KEY: file })).toThrow(
      /holds a rsa key, not Ed25519/,
    );
    expect(fs.existsSync(path.join(cwd, '.storm'))).toBe(false);
  });
});
