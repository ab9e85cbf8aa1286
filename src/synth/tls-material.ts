/**
 * The certificate each HTTPS front door serves: read from the manifest's files, named by
 * a Barbican container the cloud already holds, or issued by the city CA storm keeps in
 * `.storm/ca/<city>/` (`tls: { generate: true }`). The CA's key and every issued key are
 * 0600 in 0700 folders; an issued certificate is kept and reused while it is valid for a
 * month more, is signed by the current CA and names the service, so a re-plan changes nothing.
 *
 * Neither reaches main.tf.json: synthesis declares a variable for the certificate and a
 * sensitive one for the key, and the engine gets both in `TF_VAR_<name>` at run time
 * (tlsVariables) — the configuration stays the same on every machine, and audit and diff
 * synthesize it without reading a key.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StormError } from '../errors';
import { TlsFileError, certificateProblems, readTlsFiles } from '../manifest/front-door';
import type { ResolvedCity } from '../manifest/model';
import { ensurePrivateDir, writePrivateFile } from '../private-files';
import { issueCertificate, makeCa, type PemPair } from '../x509';
import { logicalId } from './naming';

export type ServiceTls =
  | {
      kind: 'pem';
      /** The certificate, any chain after it (public). */
      certificatePem: string;
      /** The private key: only ever in the engine's environment. */
      keyPem: string;
    }
  | { kind: 'container'; containerRef: string };

export const CA_DIR = 'ca';
const CA_FILE = 'ca.pem';
const CA_KEY_FILE = 'ca-key.pem';
const DAY_MS = 24 * 3600 * 1000;
/** An issued certificate is renewed this long before it ends. */
const RENEW_BEFORE_MS = 30 * DAY_MS;

/** The sensitive variable that carries a service's private key. */
export function tlsKeyVariable(service: string): string {
  return logicalId('tls_key', service);
}

/** The variable that carries a service's certificate (and chain). */
export function tlsCertificateVariable(service: string): string {
  return logicalId('tls_certificate', service);
}

/** `.storm/ca/<city>/ca.pem`: the certificate a browser trusts for the city's generated certificates. */
export function cityCaFile(cwd: string, city: string): string {
  return path.join(cwd, '.storm', CA_DIR, city, CA_FILE);
}

/** The TLS of each service with an HTTPS front door, by service name. */
export function tlsMaterialFor(
  city: ResolvedCity,
  manifestAbsPath: string,
  cwd: string,
  now = new Date(),
): Map<string, ServiceTls> {
  const out = new Map<string, ServiceTls>();
  for (const s of city.services) {
    const tls = s.frontDoor?.tls;
    if (tls === undefined) continue;
    if ('container' in tls) {
      out.set(s.name, { kind: 'container', containerRef: tls.container });
      continue;
    }
    if ('certificate' in tls) {
      let files;
      try {
        files = readTlsFiles(manifestAbsPath, tls);
      } catch (err) {
        if (!(err instanceof TlsFileError)) throw err;
        throw new StormError('invalid-manifest', `service ${s.name}: ${err.message}`, { hint: err.hint });
      }
      const problem = certificateProblems(files.certificate, files.key, undefined, now)[0];
      if (problem !== undefined)
        throw new StormError('invalid-manifest', `service ${s.name}: ${problem.message}`, { hint: problem.hint });
      out.set(s.name, {
        kind: 'pem',
        certificatePem: [files.certificate.toString(), ...files.chainPem].join(''),
        keyPem: files.keyPem,
      });
      continue;
    }
    const fqdn = s.frontDoor?.dns?.fqdn;
    if (fqdn === undefined)
      throw new StormError(
        'invalid-manifest',
        `service ${s.name} asks for a generated certificate but has no dns name`,
        {
          hint: 'add dns: { zone: <zone>., name: <name> } (storm validate says where)',
        },
      );
    const issued = generatedCertificate(cwd, city.city.name, city.env, s.name, fqdn.replace(/\.$/, ''), now);
    out.set(s.name, { kind: 'pem', certificatePem: issued.certPem, keyPem: issued.keyPem });
  }
  return out;
}

/** The engine's environment for the certificates and keys: TF_VAR_<variable> = PEM. */
export function tlsVariables(material: ReadonlyMap<string, ServiceTls>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [service, tls] of material) {
    if (tls.kind !== 'pem') continue;
    env[`TF_VAR_${tlsCertificateVariable(service)}`] = tls.certificatePem;
    env[`TF_VAR_${tlsKeyVariable(service)}`] = tls.keyPem;
  }
  return env;
}

/** The city CA, made on first use and kept (a browser that trusts it keeps trusting it). */
export function ensureCityCa(cwd: string, city: string, now = new Date()): PemPair {
  const dir = ensurePrivateDir(cwd, '.storm', CA_DIR, city);
  const existing = readPair(path.join(dir, CA_FILE), path.join(dir, CA_KEY_FILE));
  if (
    existing !== undefined &&
    Date.parse(new X509Certificate(existing.certPem).validTo) > now.getTime() + RENEW_BEFORE_MS
  )
    return existing;
  const ca = makeCa(`storm city CA ${city}`, now);
  writePrivateFile(path.join(dir, CA_KEY_FILE), ca.keyPem);
  writePrivateFile(path.join(dir, CA_FILE), ca.certPem);
  return ca;
}

function generatedCertificate(
  cwd: string,
  city: string,
  env: string,
  service: string,
  hostname: string,
  now: Date,
): PemPair {
  const ca = ensureCityCa(cwd, city, now);
  const dir = ensurePrivateDir(cwd, '.storm', CA_DIR, city, env);
  const certFile = path.join(dir, `${service}.pem`);
  const keyFile = path.join(dir, `${service}-key.pem`);
  const kept = readPair(certFile, keyFile);
  if (kept !== undefined) {
    const cert = new X509Certificate(kept.certPem);
    if (
      cert.verify(createPublicKey(ca.certPem)) &&
      Date.parse(cert.validTo) > now.getTime() + RENEW_BEFORE_MS &&
      cert.checkHost(hostname, { subject: 'never' }) !== undefined
    )
      return kept;
  }
  const issued = issueCertificate(ca, [hostname], { notBefore: new Date(now.getTime() - 3600 * 1000) });
  writePrivateFile(keyFile, issued.keyPem);
  writePrivateFile(certFile, issued.certPem);
  return issued;
}

function readPair(certFile: string, keyFile: string): PemPair | undefined {
  try {
    const certPem = fs.readFileSync(certFile, 'utf8');
    const keyPem = fs.readFileSync(keyFile, 'utf8');
    if (!new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))) return undefined;
    return { certPem, keyPem };
  } catch {
    return undefined;
  }
}
