/**
 * The deploy step: package each service of a city, put its artifact and seed
 * objects in the city's object storage (only what changed: compared by ETag),
 * then wait for every instance's health check through its public address.
 * Instances pick a new artifact up themselves (cloud-init's release updater,
 * or the sandbox's equivalent), so nothing is replaced.
 */
import type { Progress } from '../progress';
import type { ResolvedCity } from '../manifest/model';
import type { LoadedTemplate } from '../manifest/templates';
import { cloudName } from '../synth/naming';
import { StormError } from '../errors';
import { containerSeedObjects, packTemplateArtifact } from './artifact';
import { isIP } from 'node:net';
import { type HealthResult, type HealthTarget, requireHealthy, waitForHealthy } from './health-check';
import { type ObjectStore, md5Hex } from './object-store';

/**
 * The container of one city and environment's releases (artifacts and signed
 * pointers): its own, so no other city's or environment's deploy writes into
 * it, with no write ACL (storm clears one whenever it deploys). Public-read
 * because instances fetch without credentials (artifacts hold code and seed
 * data, no secret).
 */
export function releaseContainer(city: string, env: string): string {
  return `storm-releases-${city}-${env}`;
}

/** The container every city shared before releases were signed; withdraw still empties it. */
export const LEGACY_ARTIFACTS_CONTAINER = 'storm-artifacts';

/** Stable object name of a service's artifact: user data names it, so a new version does not change user data. */
export function artifactObjectName(service: string): string {
  return `${service}.tar.gz`;
}

export function artifactUrl(objectStoreEndpoint: string, city: string, env: string, service: string): string {
  return `${objectStoreEndpoint.replace(/\/+$/, '')}/${encodeURIComponent(releaseContainer(city, env))}/${encodeURIComponent(artifactObjectName(service))}`;
}

export interface PublishedService {
  service: string;
  template: string;
  version: string;
  artifact: { url: string; sha256: string; uploaded: boolean };
  seedObjects: { uploaded: number; unchanged: number };
}

/** Uploads what changed; re-running with nothing changed uploads nothing. */
export async function publishServices(
  city: ResolvedCity,
  templates: readonly LoadedTemplate[],
  store: ObjectStore,
  progress: Progress,
): Promise<PublishedService[]> {
  if (city.services.length === 0) return [];
  const container = releaseContainer(city.city.name, city.env);
  await store.ensureContainer(container, { publicRead: true });
  const out: PublishedService[] = [];
  for (const service of city.services) {
    const template = templates.find((t) => t.definition.name === service.template);
    if (template === undefined)
      throw new StormError('deploy', `service ${service.name} uses unknown template ${service.template}`, {
        hint: 'run `storm templates list`',
      });
    const packed = packTemplateArtifact(template);
    const object = artifactObjectName(service.name);
    const uploaded = (await store.objectEtag(container, object)) !== md5Hex(packed.bytes);
    if (uploaded) {
      progress({
        kind: 'step',
        message: `uploading ${service.name} ${packed.version} (${Math.ceil(packed.bytes.length / 1024)} KiB)`,
      });
      await store.putObject(container, object, packed.bytes, 'application/gzip');
    } else {
      progress({ kind: 'detail', message: `${service.name} ${packed.version}: artifact unchanged` });
    }
    let seeded = 0;
    let unchanged = 0;
    for (const o of containerSeedObjects(template)) {
      const seedContainer = cloudName(city.city.name, city.env, o.container);
      if ((await store.objectEtag(seedContainer, o.name)) === md5Hex(o.content)) {
        unchanged += 1;
        continue;
      }
      await store.putObject(seedContainer, o.name, o.content, o.contentType);
      seeded += 1;
    }
    if (seeded > 0)
      progress({
        kind: 'detail',
        message: `${service.name}: ${seeded} seed object${seeded === 1 ? '' : 's'} uploaded`,
      });
    out.push({
      service: service.name,
      template: template.definition.name,
      version: packed.version,
      artifact: {
        url: artifactUrl(store.endpoint, city.city.name, city.env, service.name),
        sha256: packed.sha256,
        uploaded,
      },
      seedObjects: { uploaded: seeded, unchanged },
    });
  }
  return out;
}

/**
 * The `services` output synthesis writes: per service, its health-check path and one URL per instance — or, for a
 * service behind a front door, the load balancer's address (its instances have only fixed addresses, which nothing
 * outside the cloud reaches): one probe per instance goes through it, so a release counts as served when the front
 * door answered with it as many times as there are instances, and the health monitor keeps failing members out.
 * `frontDoorCa` is the PEM of the city CA that issued the certificates storm generated, if any.
 */
export function healthTargets(
  published: readonly PublishedService[],
  servicesOutput: unknown,
  frontDoorCa?: string,
): HealthTarget[] {
  const services = (servicesOutput ?? {}) as Record<
    string,
    { urls?: unknown; health_check?: unknown; group?: unknown; url?: unknown; address?: unknown }
  >;
  const targets: HealthTarget[] = [];
  for (const p of published) {
    const s = services[p.service];
    const urls = Array.isArray(s?.urls) ? s.urls.filter((u): u is string => typeof u === 'string') : [];
    if (urls.length === 0)
      throw new StormError('deploy', `no instance address for service ${p.service} in the stack outputs`, {
        hint: 'run `storm provision` so the instances and their addresses exist',
      });
    const group = typeof s?.group === 'string' ? s.group : p.service;
    const healthCheck = typeof s?.health_check === 'string' ? s.health_check : '/healthz';
    const door = typeof s?.url === 'string' && typeof s?.address === 'string' ? new URL(s.url) : undefined;
    urls.forEach((url, i) => {
      if (door === undefined) {
        targets.push({
          service: p.service,
          instance: `${group}-${i + 1}`,
          url,
          healthCheck,
          expectedVersion: p.version,
        });
        return;
      }
      const name = isIP(door.hostname) === 0 ? door.hostname : undefined;
      targets.push({
        service: p.service,
        instance: `${group}-${i + 1} via the front door`,
        url: `${door.protocol}//${String(s?.address)}${door.port === '' ? '' : `:${door.port}`}`,
        healthCheck,
        expectedVersion: p.version,
        frontDoor: { name, ca: door.protocol === 'https:' ? frontDoorCa : undefined, url: door.href },
      });
    });
  }
  return targets;
}

export interface ServicesDeployment {
  published: PublishedService[];
  health: HealthResult[];
}

/** Publishes, then waits for health; throws a deploy error naming every unhealthy instance. */
export async function deployServices(
  city: ResolvedCity,
  templates: readonly LoadedTemplate[],
  store: ObjectStore,
  servicesOutput: unknown,
  options: { timeoutMs: number; intervalMs?: number; progress: Progress; signal?: AbortSignal },
): Promise<ServicesDeployment> {
  const published = await publishServices(city, templates, store, options.progress);
  if (published.length === 0) return { published, health: [] };
  const targets = healthTargets(published, servicesOutput);
  options.progress({
    kind: 'step',
    message: `waiting for ${targets.length} service instance${targets.length === 1 ? '' : 's'} to report healthy`,
  });
  const health = await waitForHealthy(targets, {
    timeoutMs: options.timeoutMs,
    progress: options.progress,
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { published, health: requireHealthy(health, options.timeoutMs) };
}
