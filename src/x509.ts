/**
 * X.509 certificates storm issues itself: a city's CA and the certificates it signs for a
 * service's DNS name (`tls: { generate: true }`, sandbox and preprod). Node can sign but not
 * build certificates, so the few DER structures a certificate needs are written here
 * (ECDSA P-256 / SHA-256; v3 extensions: basic constraints, key usage, extended key usage,
 * subject alternative names, key identifiers) — the same construction as the sandbox's own
 * HTTPS (src/sandbox/core/tls.ts), which is a program apart and keeps its copy.
 */
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
} from 'node:crypto';
import { isIP } from 'node:net';

const DAY_MS = 24 * 3600 * 1000;

export interface PemPair {
  certPem: string;
  keyPem: string;
}

/** A self-signed CA (`days` long, from an hour before `now`). */
export function makeCa(commonName: string, now = new Date(), days = 3650): PemPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const name = distinguishedName(commonName);
  const tbs = tbsCertificate({
    issuer: name,
    subject: name,
    spki,
    notBefore: new Date(now.getTime() - 3600 * 1000),
    notAfter: new Date(now.getTime() + days * DAY_MS),
    extensions: [
      extension(OID.basicConstraints, true, seq(boolean(true))),
      extension(OID.keyUsage, true, bitString(Buffer.from([0x06]), 1)), // keyCertSign, cRLSign
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki))),
    ],
  });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { certPem: pem('CERTIFICATE', signed(tbs, keyPem)), keyPem };
}

/** A server certificate for `hosts` (DNS names or IPv4 addresses) signed by `ca`, valid from `notBefore` for `days`. */
export function issueCertificate(
  ca: PemPair,
  hosts: readonly string[],
  options: { notBefore?: Date; days?: number } = {},
): PemPair {
  if (hosts.length === 0) throw new RangeError('a certificate names at least one host');
  const notBefore = options.notBefore ?? new Date(Date.now() - 3600 * 1000);
  const days = options.days ?? 397;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const caSpki = createPublicKey(ca.certPem).export({ type: 'spki', format: 'der' });
  const tbs = tbsCertificate({
    issuer: subjectName(new X509Certificate(ca.certPem)),
    subject: distinguishedName(hosts[0] ?? ''),
    spki,
    notBefore,
    notAfter: new Date(notBefore.getTime() + days * DAY_MS),
    extensions: [
      extension(OID.basicConstraints, true, seq()),
      extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)), // digitalSignature
      extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
      extension(OID.subjectAltName, false, seq(...hosts.map(generalName))),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki))),
      extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, keyIdentifier(caSpki)))),
    ],
  });
  return {
    certPem: pem('CERTIFICATE', signed(tbs, ca.keyPem)),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** base64 of the sha256 of a certificate's public key (what Chromium's --ignore-certificate-errors-spki-list takes). */
export function spkiSha256(certPem: string): string {
  const spki = createPublicKey(certPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

// ---------------------------------------------------------------------------------------------
// DER, just what a certificate needs.

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let length: Buffer;
  if (n < 0x80) length = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const boolean = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const octetString = (b: Buffer): Buffer => tlv(0x04, b);
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const bitString = (b: Buffer, unusedBits = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), b]));

function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && ((b[i + 1] ?? 0) & 0x80) === 0) i += 1;
  const trimmed = b.subarray(i);
  return tlv(0x02, ((trimmed[0] ?? 0) & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [40 * (parts[0] ?? 0) + (parts[1] ?? 0)];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, 'ascii'))
    : tlv(0x18, Buffer.from(`${iso}Z`, 'ascii'));
}

function distinguishedName(commonName: string): Buffer {
  // RFC 5280 caps a common name at 64 characters; the names are in the SAN anyway.
  return seq(
    set(seq(oid(OID.organization), utf8('storm'))),
    set(seq(oid(OID.commonName), utf8(commonName.slice(0, 64)))),
  );
}

/** The CA's subject as DER, byte for byte, so a verifier matches the issuer name exactly. */
function subjectName(ca: X509Certificate): Buffer {
  const der = ca.raw;
  // Certificate → tbsCertificate → [version, serial, signature algorithm, issuer, validity, subject, …]
  const tbs = children(der, 0)[0];
  if (tbs === undefined) throw new RangeError('the CA certificate cannot be read');
  const subject = children(der, tbs.offset)[5];
  if (subject === undefined) throw new RangeError('the CA certificate has no subject');
  return der.subarray(subject.offset, subject.end);
}

/** The elements inside the constructed element at `offset`, as [offset, end) ranges. */
function children(der: Buffer, offset: number): { offset: number; end: number }[] {
  const { contentStart, end } = header(der, offset);
  const out: { offset: number; end: number }[] = [];
  for (let at = contentStart; at < end;) {
    const h = header(der, at);
    out.push({ offset: at, end: h.end });
    at = h.end;
  }
  return out;
}

function header(der: Buffer, offset: number): { contentStart: number; end: number } {
  const first = der[offset + 1] ?? 0;
  if (first < 0x80) return { contentStart: offset + 2, end: offset + 2 + first };
  const n = first & 0x7f;
  let length = 0;
  for (let i = 0; i < n; i += 1) length = length * 256 + (der[offset + 2 + i] ?? 0);
  return { contentStart: offset + 2 + n, end: offset + 2 + n + length };
}

function generalName(host: string): Buffer {
  if (isIP(host) === 4) return tlv(0x87, Buffer.from(host.split('.').map(Number)));
  if (isIP(host) === 6) throw new RangeError(`a certificate names IPv4 addresses or DNS names, not ${host}`);
  return tlv(0x82, Buffer.from(host, 'ascii'));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

function keyIdentifier(spki: Buffer): Buffer {
  return createHash('sha1').update(spki).digest();
}

function tbsCertificate(t: {
  issuer: Buffer;
  subject: Buffer;
  spki: Buffer;
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
}): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01; // positive and never zero
  return seq(
    tlv(0xa0, integer(Buffer.from([2]))), // v3
    integer(serial),
    seq(oid(OID.ecdsaWithSha256)),
    t.issuer,
    seq(time(t.notBefore), time(t.notAfter)),
    t.subject,
    t.spki,
    tlv(0xa3, seq(...t.extensions)),
  );
}

function signed(tbs: Buffer, signerKeyPem: string): Buffer {
  const signature = sign('sha256', tbs, createPrivateKey(signerKeyPem));
  return seq(tbs, seq(oid(OID.ecdsaWithSha256)), bitString(signature));
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.endsWith('\n') ? b64 : `${b64}\n`}-----END ${label}-----\n`;
}
