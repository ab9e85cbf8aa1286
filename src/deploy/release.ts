/**
 * The release pointer instances poll. Beside each service's artifact
 * (`storm-artifacts/<city>/<env>/<service>.tar.gz`, deploy-services.ts) the
 * deploy step writes `<service>.release.json`: which version is current, the
 * artifact object and its sha256, and a digest of the service's configuration.
 * An instance that sees a new pointer fetches the artifact, checks its sha256
 * and restarts on it; the instance itself is never replaced.
 */
import { createHash } from 'node:crypto';
import type { ResolvedCity, ResolvedService } from '../manifest/model';
import { type LoadedTemplate, resolveServiceParameters } from '../manifest/templates';
import { cloudName } from '../synth/naming';
import { ARTIFACTS_CONTAINER, artifactObjectName, artifactUrl } from './deploy-services';
import type { ServiceLocations } from './user-data';

const ARTIFACT_SUFFIX = '.tar.gz';
const POINTER_SUFFIX = '.release.json';

export interface ReleasePointer {
  apiVersion: 'storm/v1';
  kind: 'Release';
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

export function releasePointerName(city: string, env: string, service: string): string {
  return artifactObjectName(city, env, service).slice(0, -ARTIFACT_SUFFIX.length) + POINTER_SUFFIX;
}

/** The pointer's URL beside an artifact URL (what the sandbox's runner polls); undefined for another layout. */
export function releasePointerUrl(artifactUrlText: string): string | undefined {
  return artifactUrlText.endsWith(ARTIFACT_SUFFIX)
    ? artifactUrlText.slice(0, -ARTIFACT_SUFFIX.length) + POINTER_SUFFIX
    : undefined;
}

/** Where instances find a city's artifacts and containers in a cloud whose object-store account URL is `objectStore`. */
export function serviceLocations(objectStore: string, city: ResolvedCity): ServiceLocations {
  const base = objectStore.replace(/\/+$/, '');
  return {
    artifactUrl: (service: ResolvedService) => artifactUrl(base, city.city.name, city.env, service.name),
    containerUrl: (container: string) =>
      `${base}/${encodeURIComponent(cloudName(city.city.name, city.env, container))}`,
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
    service: input.service.name,
    template: input.template.definition.name,
    version: input.version,
    artifact: `${ARTIFACTS_CONTAINER}/${artifactObjectName(input.city.city.name, input.city.env, input.service.name)}`,
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
  const strings = ['service', 'template', 'version', 'artifact', 'sha256', 'configSha256'] as const;
  if (
    r.apiVersion !== 'storm/v1' ||
    r.kind !== 'Release' ||
    strings.some((k) => typeof r[k] !== 'string') ||
    typeof r.bytes !== 'number'
  )
    return undefined;
  return r as unknown as ReleasePointer;
}
