/**
 * The release pointer instances poll. Beside each service's artifact
 * (`storm-releases-<city>-<env>/<service>.tar.gz`, deploy-services.ts) the
 * deploy step writes `<service>.release.json`: which version is current, the
 * artifact's sha256, and a digest of the service's configuration — signed
 * with the city's release key (release-key.ts). An instance installs an
 * artifact only when a pointer signed by the key its user data names says so
 * and the artifact's sha256 matches; anything else (no pointer, another key,
 * another city, environment or service, other bytes) keeps the running release.
 *
 * On the wire the pointer is an envelope whose payload is the pointer's exact
 * JSON bytes (base64), so what is verified is what was signed:
 *   { apiVersion: storm/v1, kind: SignedRelease, keyId, payload, signature }
 * The updater on a VM checks it with the same rules (cloud-init.ts, verify-release).
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { ResolvedCity, ResolvedService } from '../manifest/model';
import { type LoadedTemplate, resolveServiceParameters } from '../manifest/templates';
import { cloudName } from '../synth/naming';
import { artifactObjectName, artifactUrl, releaseContainer } from './deploy-services';
import { publicKeyId } from './release-key';
import type { ServiceLocations } from './user-data';

const ARTIFACT_SUFFIX = '.tar.gz';
const POINTER_SUFFIX = '.release.json';

export interface ReleasePointer {
  apiVersion: 'storm/v1';
  kind: 'Release';
  city: string;
  environment: string;
  service: string;
  template: string;
  version: string;
  /** The artifact object, `<container>/<name>`. */
  artifact: string;
  sha256: string;
  bytes: number;
  /** sha256 of the service's resolved parameters and container names. */
  configSha256: string;
}

export interface SignedRelease {
  apiVersion: 'storm/v1';
  kind: 'SignedRelease';
  keyId: string;
  /** base64 of the pointer's JSON bytes. */
  payload: string;
  /** base64 Ed25519 signature of those bytes. */
  signature: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function releasePointerName(service: string): string {
  return artifactObjectName(service).slice(0, -ARTIFACT_SUFFIX.length) + POINTER_SUFFIX;
}

/** The pointer's URL beside an artifact URL (what the sandbox's runner polls); undefined for another layout. */
export function releasePointerUrl(artifactUrlText: string): string | undefined {
  return artifactUrlText.endsWith(ARTIFACT_SUFFIX)
    ? artifactUrlText.slice(0, -ARTIFACT_SUFFIX.length) + POINTER_SUFFIX
    : undefined;
}

/** Where instances find a city's artifacts and containers in a cloud whose object-store account URL is `objectStore`. */
export function serviceLocations(objectStore: string, city: ResolvedCity, releaseKeyPem: string): ServiceLocations {
  const base = objectStore.replace(/\/+$/, '');
  return {
    artifactUrl: (service: ResolvedService) => artifactUrl(base, city.city.name, city.env, service.name),
    containerUrl: (container: string) =>
      `${base}/${encodeURIComponent(cloudName(city.city.name, city.env, container))}`,
    releaseKey: releaseKeyPem,
  };
}

export function configDigest(template: LoadedTemplate, service: ResolvedService, city: ResolvedCity): string {
  const containers = Object.fromEntries(
    template.definition.needs.containers.map((c) => [c.name, cloudName(city.city.name, city.env, c.name)]),
  );
  return createHash('sha256')
    .update(JSON.stringify({ parameters: resolveServiceParameters(template, service.parameters), containers }))
    .digest('hex');
}

export function releasePointer(input: {
  city: ResolvedCity;
  service: ResolvedService;
  template: LoadedTemplate;
  version: string;
  sha256: string;
  bytes: number;
}): ReleasePointer {
  return {
    apiVersion: 'storm/v1',
    kind: 'Release',
    city: input.city.city.name,
    environment: input.city.env,
    service: input.service.name,
    template: input.template.definition.name,
    version: input.version,
    artifact: `${releaseContainer(input.city.city.name, input.city.env)}/${artifactObjectName(input.service.name)}`,
    sha256: input.sha256,
    bytes: input.bytes,
    configSha256: configDigest(input.template, input.service, input.city),
  };
}

export function parseReleasePointer(text: string): ReleasePointer | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const strings = [
    'city',
    'environment',
    'service',
    'template',
    'version',
    'artifact',
    'sha256',
    'configSha256',
  ] as const;
  if (
    r.apiVersion !== 'storm/v1' ||
    r.kind !== 'Release' ||
    strings.some((k) => typeof r[k] !== 'string') ||
    typeof r.bytes !== 'number' ||
    !SHA256.test(r.sha256 as string)
  )
    return undefined;
  return r as unknown as ReleasePointer;
}

/** The object the deploy step stores: the pointer's bytes and their signature. */
export function signReleasePointer(pointer: ReleasePointer, privateKey: KeyObject): string {
  const payload = Buffer.from(JSON.stringify(pointer, null, 2));
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const envelope: SignedRelease = {
    apiVersion: 'storm/v1',
    kind: 'SignedRelease',
    keyId: publicKeyId(publicPem),
    payload: payload.toString('base64'),
    signature: sign(null, payload, privateKey).toString('base64'),
  };
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

export type ReleaseVerdict = { ok: true; pointer: ReleasePointer } | { ok: false; reason: string };

/**
 * What an instance (and the sandbox's runner) accepts: a pointer signed by
 * the key its user data names, for its own city, environment and service.
 */
export function verifyReleasePointer(
  text: string,
  publicKeyPem: string,
  expected: { city: string; environment: string; service: string },
): ReleaseVerdict {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the release pointer is not JSON' };
  }
  const e = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (
    e.apiVersion !== 'storm/v1' ||
    e.kind !== 'SignedRelease' ||
    typeof e.payload !== 'string' ||
    typeof e.signature !== 'string'
  )
    return { ok: false, reason: 'the release pointer is not signed (a storm/v1 SignedRelease was expected)' };
  const payload = Buffer.from(e.payload, 'base64');
  let good = false;
  try {
    good = verify(null, payload, createPublicKey(publicKeyPem), Buffer.from(e.signature, 'base64'));
  } catch {
    good = false;
  }
  if (!good)
    return {
      ok: false,
      reason: `the release pointer's signature does not verify with this instance's release key ${keyIdOf(publicKeyPem)}${typeof e.keyId === 'string' ? ` (it names key ${e.keyId.slice(0, 16)})` : ''}`,
    };
  const pointer = parseReleasePointer(payload.toString('utf8'));
  if (pointer === undefined) return { ok: false, reason: 'the signed release pointer is malformed' };
  if (
    pointer.city !== expected.city ||
    pointer.environment !== expected.environment ||
    pointer.service !== expected.service
  )
    return {
      ok: false,
      reason: `the release pointer is for ${pointer.city}/${pointer.environment}/${pointer.service}, not ${expected.city}/${expected.environment}/${expected.service}`,
    };
  return { ok: true, pointer };
}

function keyIdOf(publicKeyPem: string): string {
  try {
    return publicKeyId(publicKeyPem);
  } catch {
    return '(unreadable)';
  }
}
