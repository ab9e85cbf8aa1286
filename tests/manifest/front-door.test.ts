import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../src/manifest/files';
import { resolveFrontDoor } from '../../src/manifest/model';
import { validateParsed } from '../../src/manifest/validate';
import { issueCertificate, makeCa } from '../../src/x509';

const root = path.join(__dirname, '..', '..');
const PILOT = fs.readFileSync(path.join(root, 'stacks', 'valladolid.yaml'), 'utf8');
// The production override of the pilot's service, replaced by each case's own.
const PILOT_OVERRIDE = / {4}services:\n {6}urbanismo-en-red:\n(?: {8}.*\n)+/;

let project: string;
beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-front-door-'));
  fs.mkdirSync(path.join(project, 'stacks', 'tls'), { recursive: true });
  fs.symlinkSync(path.join(root, 'templates'), path.join(project, 'templates'));
  const ca = makeCa('test CA');
  const write = (name: string, text: string): void => fs.writeFileSync(path.join(project, 'stacks', 'tls', name), text);
  const good = issueCertificate(ca, ['urbanismo.valladolid.example']);
  write('good.pem', good.certPem + ca.certPem);
  write('good-key.pem', good.keyPem);
  write('other-key.pem', issueCertificate(ca, ['x.example']).keyPem);
  const expired = issueCertificate(ca, ['urbanismo.valladolid.example'], {
    notBefore: new Date('2020-01-01T00:00:00Z'),
    days: 30,
  });
  write('expired.pem', expired.certPem);
  write('expired-key.pem', expired.keyPem);
  const wrongName = issueCertificate(ca, ['www.valladolid.example']);
  write('wrong-name.pem', wrongName.certPem);
  write('wrong-name-key.pem', wrongName.keyPem);
  write('not-a-cert.pem', 'hello\n');
  fs.writeFileSync(path.join(project, 'outside.pem'), good.certPem);
});
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

/** Validates the pilot with `override` (lines under environments.production.services.urbanismo-en-red). */
function check(override: string, cloud = 'sandbox'): { at: string; code: string; message: string }[] {
  const lines = override
    .trim()
    .split('\n')
    .map((l) => `        ${l}`)
    .join('\n');
  const text = PILOT.replace(PILOT_OVERRIDE, `    services:\n      urbanismo-en-red:\n${lines}\n`).replace(
    '  name: sandbox\n',
    `  name: ${cloud}\n`,
  );
  const file = path.join(project, 'stacks', 'valladolid.yaml');
  fs.writeFileSync(file, text);
  const result = validateParsed(readManifest(file, project), { cwd: project });
  const overrideLine = text.split('\n').findIndex((l) => l === '      urbanismo-en-red:') + 1;
  return result.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => ({
      // Lines relative to the override block, so the cases read as what they write.
      at: `+${(d.location?.line ?? 0) - overrideLine}:${d.location?.column ?? 0}`,
      code: d.code,
      message: d.message,
    }));
}

describe('front door checks at file:line:col', () => {
  it('accepts the pilot as it is, and a certificate that matches its key and name', () => {
    expect(check('tls: { generate: true }\ndns: { zone: valladolid.example., name: urbanismo }')).toEqual([]);
    expect(
      check(
        'tls: { certificate: tls/good.pem, key: tls/good-key.pem }\ndns: { zone: valladolid.example., name: urbanismo }',
        'prod-cloud',
      ),
    ).toEqual([]);
  });

  const cases: [what: string, override: string, at: string, code: string, message: RegExp][] = [
    [
      'a key of another certificate',
      'tls: { certificate: tls/good.pem, key: tls/other-key.pem }\ndns: { zone: valladolid.example., name: urbanismo }',
      '+1:48',
      'manifest.tls-key-mismatch',
      /private key does not belong to the certificate/,
    ],
    [
      'an expired certificate',
      'tls: { certificate: tls/expired.pem, key: tls/expired-key.pem }\ndns: { zone: valladolid.example., name: urbanismo }',
      '+1:29',
      'manifest.tls-expired',
      /expired on 2020-01-31/,
    ],
    [
      'a certificate for another name',
      'tls: { certificate: tls/wrong-name.pem, key: tls/wrong-name-key.pem }\ndns: { zone: valladolid.example., name: urbanismo }',
      '+1:29',
      'manifest.tls-name-mismatch',
      /does not cover urbanismo\.valladolid\.example \(it names DNS:www\.valladolid\.example\)/,
    ],
    [
      'a missing file',
      'tls: { certificate: tls/none.pem, key: tls/good-key.pem }',
      '+1:29',
      'manifest.tls-file-missing',
      /tls\/none\.pem cannot be read/,
    ],
    [
      'a file that is no certificate',
      'tls: { certificate: tls/not-a-cert.pem, key: tls/good-key.pem }',
      '+1:29',
      'manifest.tls-invalid-file',
      /holds no readable PEM certificate/,
    ],
    [
      'a file outside the project',
      'tls: { certificate: ../../outside.pem, key: tls/good-key.pem }',
      '+1:29',
      'manifest.tls-file-outside-project',
      /is outside the project/,
    ],
    [
      'an absolute path',
      'tls: { certificate: /etc/passwd, key: tls/good-key.pem }',
      '+1:29',
      'manifest.tls-file-outside-project',
      /must be a path relative to the manifest/,
    ],
    [
      'a zone without its dot',
      'dns: { zone: valladolid.example, name: urbanismo }',
      '+1:22',
      'manifest.dns-zone-not-absolute',
      /must end with a dot/,
    ],
    [
      'tls with the load balancer turned off',
      'loadBalancer: false\ntls: { generate: true }\ndns: { zone: valladolid.example. }',
      '+1:23',
      'manifest.front-door-off',
      /has tls but `loadBalancer: false`/,
    ],
    [
      'a health check timeout not below its interval',
      'loadBalancer: { healthCheck: { interval: 2, timeout: 2 } }',
      '+1:62',
      'manifest.health-check-timeout',
      /times out after 2s but probes every 2s/,
    ],
    [
      'a generated certificate without a name',
      'tls: { generate: true }',
      '+1:14',
      'manifest.tls-without-name',
      /has no dns name/,
    ],
  ];
  for (const [what, override, at, code, message] of cases)
    it(`finds ${what}`, () => {
      const found = check(override);
      expect(found.map((f) => [f.at, f.code])).toEqual([[at, code]]);
      expect(found[0]?.message).toMatch(message);
    });

  it("refuses storm's city CA for production on a real cloud, not on the sandbox", () => {
    const override = 'tls: { generate: true }\ndns: { zone: valladolid.example., name: urbanismo }';
    expect(check(override, 'sandbox')).toEqual([]);
    expect(check(override, 'prod-cloud').map((f) => [f.at, f.code])).toEqual([
      ['+1:26', 'manifest.tls-generated-in-production'],
    ]);
  });
});

describe('resolveFrontDoor (defaults)', () => {
  it('gives a production service on two instances a load balancer unless it says false', () => {
    expect(resolveFrontDoor({}, 'web', 'production', 2, 'a@b.es')).toEqual({
      algorithm: 'ROUND_ROBIN',
      healthCheck: { path: undefined, interval: 5, timeout: 3, retries: 3 },
      sessionPersistence: undefined,
      tls: undefined,
      dns: undefined,
    });
    expect(resolveFrontDoor({ loadBalancer: false }, 'web', 'production', 2, 'a@b.es')).toBeUndefined();
    expect(resolveFrontDoor({}, 'web', 'production', 1, 'a@b.es')).toBeUndefined();
    expect(resolveFrontDoor({}, 'web', 'preprod', 3, 'a@b.es')).toBeUndefined();
  });

  it('gives one to a service that asks, with its name in the zone', () => {
    const fd = resolveFrontDoor(
      {
        loadBalancer: { algorithm: 'LEAST_CONNECTIONS', healthCheck: { path: '/up' }, sessionPersistence: 'SOURCE_IP' },
        dns: { zone: 'city.example.' },
        tls: { generate: true },
      },
      'web',
      'preprod',
      1,
      'a@b.es',
    );
    expect(fd).toEqual({
      algorithm: 'LEAST_CONNECTIONS',
      healthCheck: { path: '/up', interval: 5, timeout: 3, retries: 3 },
      sessionPersistence: 'SOURCE_IP',
      tls: { generate: true },
      dns: { zone: 'city.example.', fqdn: 'web.city.example.', email: 'a@b.es' },
    });
  });
});
