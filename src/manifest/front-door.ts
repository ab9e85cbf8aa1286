/**
 * The checks of a service's front door (load balancer, TLS, DNS name) that the schema
 * cannot express, and the reading of TLS files a manifest names. A certificate that does
 * not match its key, has expired or does not name the service's DNS name is found here,
 * at the line that names it, rather than by a browser after the apply.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FixedDiagnosticCode } from '../diagnostic-codes';
import type { CityManifest } from './city-manifest.types';
import { overrideOrigin, type ResolvedCity } from './model';
import type { DocPath } from './source';

/** The storm sandbox's cloud name: a city CA's certificate is only for clouds nobody outside trusts. */
const SANDBOX_CLOUD = 'sandbox';

/** TLS files are small; a larger one is not a PEM certificate or key. */
const MAX_PEM_BYTES = 256 * 1024;

export type ReportFinding = (code: FixedDiagnosticCode, path: DocPath, message: string, hint?: string) => void;

export interface TlsFiles {
  /** The leaf certificate first, then any chain, as written. */
  certificatePem: string;
  /** The first certificate of the file (the one the key must match). */
  certificate: X509Certificate;
  /** The intermediates that followed it (PEM, in order). */
  chainPem: string[];
  keyPem: string;
  key: KeyObject;
}

export class TlsFileError extends Error {
  constructor(
    readonly code: FixedDiagnosticCode,
    message: string,
    readonly hint: string,
    /** Which of the two files it is about. */
    readonly field: 'certificate' | 'key',
  ) {
    super(message);
  }
}

/**
 * Where a TLS file of the manifest lives: relative to the manifest's directory, and never
 * outside the project (the directory holding stacks/), so a manifest cannot make storm
 * upload an arbitrary file of the machine to the cloud.
 */
export function tlsFilePath(manifestAbsPath: string, written: string, field: 'certificate' | 'key'): string {
  const manifestDir = path.dirname(manifestAbsPath);
  const project = path.dirname(manifestDir);
  if (path.isAbsolute(written))
    throw new TlsFileError(
      'manifest.tls-file-outside-project',
      `the TLS ${field} must be a path relative to the manifest, not ${written}`,
      'copy the file into the project (e.g. stacks/tls/) and name it relatively',
      field,
    );
  const abs = path.resolve(manifestDir, written);
  const real = (() => {
    try {
      return fs.realpathSync(abs);
    } catch {
      return abs;
    }
  })();
  const inside = (p: string): boolean => {
    const rel = path.relative(project, p);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  if (!inside(abs) || !inside(real))
    throw new TlsFileError(
      'manifest.tls-file-outside-project',
      `the TLS ${field} ${written} is outside the project (${project})`,
      'keep certificates and keys inside the project, e.g. in stacks/tls/',
      field,
    );
  return abs;
}

function readPem(file: string, written: string, field: 'certificate' | 'key'): string {
  const missing = (): TlsFileError =>
    new TlsFileError(
      'manifest.tls-file-missing',
      `the TLS ${field} file ${written} cannot be read`,
      "create it (PEM) or correct the path; it is relative to the manifest's directory",
      field,
    );
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw missing();
  }
  if (!stat.isFile()) throw missing();
  if (stat.size > MAX_PEM_BYTES)
    throw new TlsFileError(
      'manifest.tls-invalid-file',
      `the TLS ${field} ${written} is ${stat.size} bytes: not a PEM ${field}`,
      `name a PEM ${field} file`,
      field,
    );
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw missing();
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Reads and parses a certificate (with any chain after it) and its private key. */
export function readTlsFiles(manifestAbsPath: string, tls: { certificate: string; key: string }): TlsFiles {
  const certText = readPem(
    tlsFilePath(manifestAbsPath, tls.certificate, 'certificate'),
    tls.certificate,
    'certificate',
  );
  const keyText = readPem(tlsFilePath(manifestAbsPath, tls.key, 'key'), tls.key, 'key');
  const blocks = certText.match(PEM_CERT) ?? [];
  const first = blocks[0];
  let certificate: X509Certificate | undefined;
  try {
    if (first !== undefined) certificate = new X509Certificate(first);
    for (const b of blocks.slice(1)) new X509Certificate(b);
  } catch {
    certificate = undefined;
  }
  if (first === undefined || certificate === undefined)
    throw new TlsFileError(
      'manifest.tls-invalid-file',
      `${tls.certificate} holds no readable PEM certificate`,
      'name the PEM file (-----BEGIN CERTIFICATE-----) of the certificate, its chain after it',
      'certificate',
    );
  if (/ENCRYPTED/.test(keyText))
    throw new TlsFileError(
      'manifest.tls-invalid-file',
      `the private key ${tls.key} is encrypted: the load balancer needs it in clear`,
      'export it without a passphrase (e.g. openssl pkey -in key.pem -out plain.pem) and keep that file private',
      'key',
    );
  let key: KeyObject;
  try {
    key = createPrivateKey(keyText);
  } catch {
    throw new TlsFileError(
      'manifest.tls-invalid-file',
      `${tls.key} holds no readable PEM private key`,
      'name the PEM private key (-----BEGIN PRIVATE KEY-----) of the certificate',
      'key',
    );
  }
  return {
    certificatePem: certText,
    certificate,
    chainPem: blocks.slice(1).map((b) => `${b}\n`),
    keyPem: keyText,
    key,
  };
}

/** What is wrong with a certificate for `fqdn` (without its final dot) at `now`, if anything. */
export function certificateProblems(
  cert: X509Certificate,
  key: KeyObject | undefined,
  hostname: string | undefined,
  now: Date,
): { code: FixedDiagnosticCode; message: string; hint: string; field: 'certificate' | 'key' }[] {
  const out: { code: FixedDiagnosticCode; message: string; hint: string; field: 'certificate' | 'key' }[] = [];
  if (key !== undefined && !cert.checkPrivateKey(key))
    out.push({
      code: 'manifest.tls-key-mismatch',
      message: `the private key does not belong to the certificate (${cert.subject.replace(/\n/g, ', ')})`,
      hint: 'name the key the certificate was issued for',
      field: 'key',
    });
  const notAfter = new Date(cert.validTo);
  const notBefore = new Date(cert.validFrom);
  if (notAfter.getTime() <= now.getTime())
    out.push({
      code: 'manifest.tls-expired',
      message: `the certificate expired on ${notAfter.toISOString()}`,
      hint: 'renew it and replace the file',
      field: 'certificate',
    });
  else if (notBefore.getTime() > now.getTime())
    out.push({
      code: 'manifest.tls-expired',
      message: `the certificate is not valid before ${notBefore.toISOString()}`,
      hint: "check the issuer's clock, or wait",
      field: 'certificate',
    });
  if (hostname !== undefined && cert.checkHost(hostname, { subject: 'never' }) === undefined)
    out.push({
      code: 'manifest.tls-name-mismatch',
      message: `the certificate does not cover ${hostname} (it names ${cert.subjectAltName ?? 'no alternative names'})`,
      hint: `issue it with ${hostname} in its subject alternative names, or change dns.name`,
      field: 'certificate',
    });
  return out;
}

/** The checks of every service's front door in one environment. */
export function checkFrontDoors(
  m: CityManifest,
  city: ResolvedCity,
  manifestAbsPath: string,
  report: ReportFinding,
  now: Date = new Date(),
): void {
  const env = city.env;
  city.services.forEach((s, si) => {
    const at = (field: string): DocPath => overrideOrigin(m, env, 'services', si, field);
    if (s.loadBalancer === false && (s.tls !== undefined || s.dns !== undefined)) {
      report(
        'manifest.front-door-off',
        at('loadBalancer'),
        `service "${s.name}" has ${s.tls !== undefined ? 'tls' : 'dns'} but \`loadBalancer: false\`: TLS and the name live on the load balancer`,
        'remove `loadBalancer: false`, or the tls and dns keys',
      );
    }
    const lb = s.loadBalancer;
    if (typeof lb === 'object' && lb.healthCheck !== undefined) {
      const interval = lb.healthCheck.interval ?? 5;
      const timeout = lb.healthCheck.timeout ?? 3;
      if (timeout >= interval)
        report(
          'manifest.health-check-timeout',
          [...at('loadBalancer'), 'healthCheck', lb.healthCheck.timeout !== undefined ? 'timeout' : 'interval'],
          `the health check of "${s.name}" times out after ${timeout}s but probes every ${interval}s: Octavia needs the timeout below the interval`,
          'make timeout smaller than interval',
        );
    }
    if (s.dns !== undefined && !s.dns.zone.endsWith('.'))
      report(
        'manifest.dns-zone-not-absolute',
        [...at('dns'), 'zone'],
        `DNS zone "${s.dns.zone}" must end with a dot (a fully qualified name, as Designate requires)`,
        `write zone: ${s.dns.zone}.`,
      );
    const tls = s.tls;
    if (tls === undefined || s.frontDoor === undefined) return;
    const hostname = s.frontDoor.dns?.fqdn.replace(/\.$/, '');
    if ('generate' in tls) {
      if (env === 'production' && city.cloud.name !== SANDBOX_CLOUD)
        report(
          'manifest.tls-generated-in-production',
          [...at('tls'), 'generate'],
          `service "${s.name}" would serve citizens in production with a certificate from storm's city CA, which no browser trusts`,
          'give production a certificate from a public CA (tls: { certificate: …, key: … }) or a Barbican container',
        );
      if (s.frontDoor.dns === undefined)
        report(
          'manifest.tls-without-name',
          at('tls'),
          `service "${s.name}" asks storm to issue its certificate but has no dns name to issue it for`,
          'add dns: { zone: <zone>., name: <name> }',
        );
      return;
    }
    if ('container' in tls) return; // pre-flight checks what only the cloud knows
    let files: TlsFiles;
    try {
      files = readTlsFiles(manifestAbsPath, tls);
    } catch (err) {
      if (!(err instanceof TlsFileError)) throw err;
      report(err.code, [...at('tls'), err.field], err.message, err.hint);
      return;
    }
    for (const p of certificateProblems(files.certificate, files.key, hostname, now))
      report(p.code, [...at('tls'), p.field], p.message, p.hint);
  });
}
