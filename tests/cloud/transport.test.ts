import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudCredentials } from '../../src/cloud/credentials';
import { cloudFetch } from '../../src/cloud/transport';
import { StormError } from '../../src/errors';
import { HttpFetchError, httpFetch, tlsProblem } from '../../src/http-fetch';
import { ephemeralSandboxTls } from '../../src/sandbox/core/tls';

const server = ephemeralSandboxTls(['127.0.0.1']);
/** A second CA and certificate: the client's, for mutual TLS. */
const client = ephemeralSandboxTls(['127.0.0.1']);
let dir: string;
let plain: https.Server;
let mutual: https.Server;
const urlOf = (s: https.Server): string => `https://127.0.0.1:${(s.address() as AddressInfo).port}`;
const file = (name: string, text: string): string => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};
const listen = (s: https.Server): Promise<void> => new Promise((r) => s.listen(0, '127.0.0.1', () => r()));

function credentials(extra: Partial<CloudCredentials>): CloudCredentials {
  return {
    cloudName: 'city-cloud',
    source: { kind: 'clouds-yaml', file: '/etc/openstack/clouds.yaml' },
    auth: { type: 'password', authUrl: 'https://127.0.0.1/identity/v3', username: 'u', password: 'p' },
    ...extra,
  };
}

async function failure(p: Promise<unknown>): Promise<StormError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(StormError);
    return err as StormError;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-transport-'));
  const answer: http.RequestListener = (req, res) => {
    res.setHeader('x-seen-method', req.method ?? '');
    res.end(JSON.stringify({ ok: true }));
  };
  plain = https.createServer({ key: server.keyPem, cert: server.certPem }, answer);
  mutual = https.createServer(
    { key: server.keyPem, cert: server.certPem, ca: client.caPem, requestCert: true, rejectUnauthorized: true },
    answer,
  );
  await Promise.all([listen(plain), listen(mutual)]);
});

afterAll(() => {
  plain.close();
  mutual.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("a cloud's transport", () => {
  it('trusts the CA that cacert names, and answers a standard Response', async () => {
    const http = cloudFetch(credentials({ cacert: file('ca.pem', server.caPem) }));
    const res = await http(`${urlOf(plain)}/x`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-seen-method')).toBe('POST');
    expect(await res.json()).toEqual({ ok: true });
    expect((await http(`${urlOf(plain)}/x`, { method: 'HEAD' })).status).toBe(200);
  });

  it('names the cloud, the endpoint and the clouds.yaml entry to fix when the CA is unknown', async () => {
    const err = await failure(cloudFetch(credentials({}))(`${urlOf(plain)}/x`));
    expect(err.message).toBe(
      `cloud "city-cloud": the TLS certificate of ${urlOf(plain)} is signed by a certificate authority this machine does not trust (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`,
    );
    expect(err.hint).toContain('set cacert');
    expect(err.hint).toContain('the "city-cloud" entry of /etc/openstack/clouds.yaml');
    const wrong = await failure(cloudFetch(credentials({ cacert: file('other.pem', client.caPem) }))(urlOf(plain)));
    expect(wrong.message).toContain(`is not signed by the CA in ${path.join(dir, 'other.pem')}`);
  });

  it('skips verification only when told (insecure)', async () => {
    expect((await cloudFetch(credentials({ insecure: true }))(urlOf(plain))).status).toBe(200);
  });

  it('presents the client certificate that cert and key name (mutual TLS)', async () => {
    const ca = file('ca.pem', server.caPem);
    const withCert = cloudFetch(
      credentials({ cacert: ca, cert: file('client.pem', client.certPem), key: file('client-key.pem', client.keyPem) }),
    );
    expect((await withCert(urlOf(mutual))).status).toBe(200);
    const without = cloudFetch(credentials({ cacert: ca }));
    await expect(without(urlOf(mutual))).rejects.toThrow(/city-cloud/);
  });

  it('refuses a TLS file it cannot read, and a certificate without its key, before any request', () => {
    expect(() => cloudFetch(credentials({ cacert: path.join(dir, 'missing.pem') }))).toThrow(
      /cloud "city-cloud": cannot read its CA certificate \(cacert\) .*missing\.pem \(ENOENT\)/,
    );
    expect(() => cloudFetch(credentials({ cert: file('c.pem', client.certPem) }))).toThrow(
      /names a client certificate without its key/,
    );
  });
});

describe('httpFetch', () => {
  it('says why no answer came: refused connection, timeout', async () => {
    const closed = https.createServer();
    await listen(closed);
    const url = urlOf(closed);
    closed.close();
    await expect(httpFetch(url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const slow = https.createServer({ key: server.keyPem, cert: server.certPem }, () => undefined);
    await listen(slow);
    try {
      const err = await httpFetch(urlOf(slow), { tls: { ca: server.caPem }, signal: AbortSignal.timeout(100) }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HttpFetchError);
      expect((err as HttpFetchError).code).toBe('TimeoutError');
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });

  it('classifies TLS failures', () => {
    expect(tlsProblem('SELF_SIGNED_CERT_IN_CHAIN')).toBe('unknown-ca');
    expect(tlsProblem('CERT_HAS_EXPIRED')).toBe('expired');
    expect(tlsProblem('ERR_TLS_CERT_ALTNAME_INVALID')).toBe('wrong-name');
    expect(tlsProblem('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')).toBe('client-certificate');
    expect(tlsProblem('ECONNREFUSED')).toBeUndefined();
  });
});
