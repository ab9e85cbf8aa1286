import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  atLeast,
  compareMicroversion,
  formatMicroversion,
  parseMicroversion,
} from '../../src/sandbox/services/compute/microversion.js';
import { pythonRepr } from '../../src/sandbox/services/compute/python-repr.js';
import {
  fingerprintOfPublicKey,
  generateRsaKeypair,
  md5Fingerprint,
} from '../../src/sandbox/services/compute/ssh-keys.js';

describe('pythonRepr', () => {
  it('renders values the way Nova quotes them in validation messages', () => {
    expect(pythonRepr({ name: 'tf-group', policy: 'anti-affinity' })).toBe(
      "{'name': 'tf-group', 'policy': 'anti-affinity'}",
    );
    expect(pythonRepr({ a: [1, true, null], b: "it's" })).toBe(`{'a': [1, True, None], 'b': "it's"}`);
    expect(pythonRepr(false)).toBe('False');
  });
});

describe('microversions', () => {
  it('parses, compares and formats', () => {
    expect(parseMicroversion('2.93')).toEqual({ major: 2, minor: 93 });
    expect(parseMicroversion('2.x')).toBeUndefined();
    expect(compareMicroversion({ major: 2, minor: 9 }, { major: 2, minor: 10 })).toBeLessThan(0);
    expect(atLeast({ major: 2, minor: 47 }, '2.47')).toBe(true);
    expect(atLeast({ major: 2, minor: 46 }, '2.47')).toBe(false);
    expect(formatMicroversion({ major: 3, minor: 70 })).toBe('3.70');
  });
});

describe('ssh keys', () => {
  it('fingerprints an imported OpenSSH key as the MD5 of its blob and rejects non-keys', () => {
    const blob = 'AAAAC3NzaC1lZDI1NTE5AAAAIBJe8f5nK4aJ1oM0pE1m5l2rH6mQ3b4Z6sYx7c8v9w0d';
    const expected = createHash('md5').update(Buffer.from(blob, 'base64')).digest('hex').match(/../g)!.join(':');
    expect(fingerprintOfPublicKey(`ssh-ed25519 ${blob} me@host`)).toBe(expected);
    expect(fingerprintOfPublicKey(`ssh-rsa ${blob}`)).toBeUndefined();
    expect(fingerprintOfPublicKey('not a key')).toBeUndefined();
  });

  it('generates an RSA keypair whose OpenSSH public key matches the private key', () => {
    const kp = generateRsaKeypair();
    const priv = createPrivateKey(kp.privateKey);
    const jwk = createPublicKey(priv).export({ format: 'jwk' });
    const blob = Buffer.from(kp.publicKey.split(' ')[1] ?? '', 'base64');
    // ssh-rsa blob: string "ssh-rsa", mpint e, mpint n — n is the last field.
    const nFromBlob = blob.subarray(blob.length - Buffer.from(jwk.n ?? '', 'base64url').length);
    expect(nFromBlob.equals(Buffer.from(jwk.n ?? '', 'base64url'))).toBe(true);
    expect(kp.fingerprint).toBe(md5Fingerprint(blob));
    expect(fingerprintOfPublicKey(kp.publicKey)).toBe(kp.fingerprint);
  });
});
