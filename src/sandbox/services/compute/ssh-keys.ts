/**
 * SSH keypairs as Nova handles them: generated keys are RSA 2048 with a PKCS#1
 * PEM private key and an OpenSSH public key commented `Generated-by-Nova`;
 * fingerprints are the MD5 colon-hex of the public key blob.
 */
import { createHash, generateKeyPairSync, createPublicKey } from 'node:crypto';

export interface GeneratedKeypair {
  privateKey: string;
  publicKey: string;
  fingerprint: string;
}

function sshString(buf: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(buf.length, 0);
  return Buffer.concat([len, buf]);
}

/** An SSH mpint: big-endian, with a leading zero byte when the top bit is set. */
function sshMpint(unsigned: Buffer): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  let body = unsigned.subarray(start);
  if ((body[0] ?? 0) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return sshString(body);
}

export function md5Fingerprint(blob: Buffer): string {
  const hex = createHash('md5').update(blob).digest('hex');
  return hex.match(/../g)!.join(':');
}

export function generateRsaKeypair(): GeneratedKeypair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 65537,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const jwk = createPublicKey(publicKey).export({ format: 'jwk' });
  const n = Buffer.from(jwk.n ?? '', 'base64url');
  const e = Buffer.from(jwk.e ?? '', 'base64url');
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), sshMpint(e), sshMpint(n)]);
  return {
    privateKey,
    publicKey: `ssh-rsa ${blob.toString('base64')} Generated-by-Nova`,
    fingerprint: md5Fingerprint(blob),
  };
}

const KNOWN_SSH_TYPES = new Set([
  'ssh-rsa',
  'ssh-dss',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);

/**
 * Fingerprint of an imported OpenSSH public key, or undefined when the text
 * is not one (Nova then answers 400 "Keypair data is invalid").
 */
export function fingerprintOfPublicKey(text: string): string | undefined {
  const parts = text.trim().split(/\s+/);
  const [type, b64] = parts;
  if (type === undefined || b64 === undefined || !KNOWN_SSH_TYPES.has(type)) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  const blob = Buffer.from(b64, 'base64');
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  if (4 + len > blob.length || blob.subarray(4, 4 + len).toString('latin1') !== type) return undefined;
  return md5Fingerprint(blob);
}

/** Fingerprint of an x509 PEM certificate (keypair type x509, microversion 2.2+). */
export function fingerprintOfCertificate(pem: string): string | undefined {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!m?.[1]) return undefined;
  const der = Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
  if (der.length === 0) return undefined;
  const hex = createHash('sha1').update(der).digest('hex');
  return hex.match(/../g)!.join(':');
}
