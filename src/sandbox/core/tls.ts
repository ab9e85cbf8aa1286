/**
 * HTTPS for the sandbox (`storm sandbox up --tls`): a certificate authority of its own and a
 * server certificate it signs, so clients exercise `cacert` (and fail on an unknown CA) the way
 * they do against a real cloud behind a private CA. Kept in <data>/tls/: ca.pem (what clients
 * trust), ca-key.pem (0600), server.pem and server-key.pem (0600); made once per data directory
 * and reused, the server certificate renewed when it nears its end or no longer names the host.
 *
 * Node can sign but not build X.509 certificates, so the few DER structures a certificate needs
 * are written here (ECDSA P-256 / SHA-256, v3 extensions: basic constraints, key usage, extended
 * key usage, subject alternative names, key identifiers). Light on purpose: control.ts reads the
 * CA path without loading the server.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import { isIP } from 'node:net';
import * as path from 'node:path';

export const TLS_DIR = 'tls';
export const CA_FILE = 'ca.pem';
const CA_KEY_FILE = 'ca-key.pem';
const SERVER_CERT_FILE = 'server.pem';
const SERVER_KEY_FILE = 'server-key.pem';

const DAY_MS = 24 * 3600 * 1000;
const CA_DAYS = 3650;
const SERVER_DAYS = 397;

export interface SandboxTls {
  /** PEM of the CA certificate: what a client's `cacert` names. */
  caPem: string;
  /** <data>/tls/ca.pem, or undefined for an in-memory sandbox. */
  caFile: string | undefined;
  certPem: string;
  keyPem: string;
}

/** The path a client trusts for a sandbox of this data directory (whether or not it exists yet). */
export function sandboxCaFile(dataDir: string): string {
  return path.join(dataDir, TLS_DIR, CA_FILE);
}

/**
 * The data directory's CA and a server certificate for `hosts` (names and addresses), made on
 * first use; an existing CA is kept so clients that trust it keep working across restarts.
 */
export function ensureSandboxTls(dataDir: string, hosts: readonly string[], now = new Date()): SandboxTls {
  const dir = path.join(dataDir, TLS_DIR);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const file = (name: string): string => path.join(dir, name);
  let ca = readPair(file(CA_FILE), file(CA_KEY_FILE));
  if (ca === undefined || !validAt(ca.certPem, now)) {
    ca = makeCa(now);
    writeFile(file(CA_KEY_FILE), ca.keyPem, 0o600);
    writeFile(file(CA_FILE), ca.certPem, 0o644);
    fs.rmSync(file(SERVER_CERT_FILE), { force: true });
  }
  let server = readPair(file(SERVER_CERT_FILE), file(SERVER_KEY_FILE));
  if (server === undefined || !serverCertFits(server.certPem, ca.certPem, hosts, now)) {
    server = makeServerCert(ca, hosts, now);
    writeFile(file(SERVER_KEY_FILE), server.keyPem, 0o600);
    writeFile(file(SERVER_CERT_FILE), server.certPem, 0o644);
  }
  return { caPem: ca.certPem, caFile: file(CA_FILE), certPem: server.certPem, keyPem: server.keyPem };
}

/** A CA and server certificate that live only in memory (an in-memory sandbox, tests). */
export function ephemeralSandboxTls(hosts: readonly string[], now = new Date()): SandboxTls {
  const ca = makeCa(now);
  const server = makeServerCert(ca, hosts, now);
  return { caPem: ca.certPem, caFile: undefined, certPem: server.certPem, keyPem: server.keyPem };
}

/** A self-signed CA of a given name, for tests that need a CA the sandbox does not use. */
export function makeCa(now = new Date(), commonName = 'storm sandbox CA'): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const name = distinguishedName(`${commonName} ${randomBytes(4).toString('hex')}`);
  const keyId = keyIdentifier(spki);
  const tbs = tbsCertificate({
    issuer: name,
    subject: name,
    spki,
    notBefore: new Date(now.getTime() - 3600 * 1000),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY_MS),
    extensions: [
      extension(OID.basicConstraints, true, seq(boolean(true))),
      extension(OID.keyUsage, true, bitString(Buffer.from([0x06]), 1)), // keyCertSign, cRLSign
      extension(OID.subjectKeyIdentifier, false, octetString(keyId)),
    ],
  });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { certPem: pem('CERTIFICATE', signed(tbs, keyPem)), keyPem };
}

function makeServerCert(
  ca: { certPem: string; keyPem: string },
  hosts: readonly string[],
  now: Date,
): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const caCert = new X509Certificate(ca.certPem);
  const caSpki = createPublicKey(ca.certPem).export({ type: 'spki', format: 'der' });
  const names = [...new Set(['localhost', '127.0.0.1', ...hosts])];
  const tbs = tbsCertificate({
    issuer: issuerName(caCert),
    subject: distinguishedName('storm sandbox'),
    spki,
    notBefore: new Date(now.getTime() - 3600 * 1000),
    notAfter: new Date(now.getTime() + SERVER_DAYS * DAY_MS),
    extensions: [
      extension(OID.basicConstraints, true, seq()),
      extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)), // digitalSignature
      // clientAuth too: tests reuse a sandbox certificate as a client certificate (mutual TLS).
      extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth), oid(OID.clientAuth))),
      extension(OID.subjectAltName, false, seq(...names.map(generalName))),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(spki))),
      extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, keyIdentifier(caSpki)))),
    ],
  });
  return {
    certPem: pem('CERTIFICATE', signed(tbs, ca.keyPem)),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function readPair(certFile: string, keyFile: string): { certPem: string; keyPem: string } | undefined {
  try {
    const certPem = fs.readFileSync(certFile, 'utf8');
    const keyPem = fs.readFileSync(keyFile, 'utf8');
    // Both must parse and belong together; anything else is made again.
    const cert = new X509Certificate(certPem);
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return undefined;
    fs.chmodSync(keyFile, 0o600);
    return { certPem, keyPem };
  } catch {
    return undefined;
  }
}

function validAt(certPem: string, now: Date): boolean {
  const cert = new X509Certificate(certPem);
  // Renewed a month before its end, so a long-running sandbox never serves an expired one.
  return Date.parse(cert.validFrom) <= now.getTime() && Date.parse(cert.validTo) > now.getTime() + 30 * DAY_MS;
}

function serverCertFits(certPem: string, caPem: string, hosts: readonly string[], now: Date): boolean {
  const cert = new X509Certificate(certPem);
  if (!validAt(certPem, now) || !cert.verify(createPublicKey(caPem))) return false;
  return hosts.every((h) => (isIP(h) === 0 ? cert.checkHost(h) !== undefined : cert.checkIP(h) !== undefined));
}

function writeFile(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
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
  clientAuth: '1.3.6.1.5.5.7.3.2',
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
  return seq(set(seq(oid(OID.organization), utf8('storm'))), set(seq(oid(OID.commonName), utf8(commonName))));
}

/** The CA's subject as DER, byte for byte, so a verifier matches the issuer name exactly. */
function issuerName(ca: X509Certificate): Buffer {
  const der = ca.raw;
  // Certificate → tbsCertificate → [version, serial, signature algorithm, issuer, validity, subject, …]
  const tbs = children(der, 0)[0];
  if (tbs === undefined) throw new Error('the sandbox CA certificate cannot be read');
  const subject = children(der, tbs.offset)[5];
  if (subject === undefined) throw new Error('the sandbox CA certificate has no subject');
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
  if (isIP(host) === 6) throw new Error(`the sandbox serves TLS on IPv4 or a name, not ${host}`);
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
