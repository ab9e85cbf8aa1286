/**
 * The deploy step as the lifecycle and `storm deploy` run it: authenticate
 * with the stack's credentials, publish each service (deploy-services.ts:
 * artifact and seed objects, only what changed), then its release pointer
 * (the commit point instances act on), then wait until every instance's
 * /healthz reports the new version through its public address.
 */
import * as fs from 'node:fs';
import type { CloudCredentials } from '../cloud/credentials';
import { OpenStackClient } from '../cloud/openstack-client';
import type { CloudFetch } from '../cloud/transport';
import { StormError } from '../errors';
import type { ResolvedCity } from '../manifest/model';
import { loadTemplateCatalog } from '../manifest/templates';
import type { SynthExtras } from '../synth/context';
import { cityCaFile } from '../synth/tls-material';
import { type PublishedService, healthTargets, publishServices, releaseContainer } from './deploy-services';
import { DEFAULT_HEALTH_TIMEOUT_MS, type DeployInput } from './deploy-step';
import { type HealthResult, describeHealthFailure, requireHealthy, waitForHealthy } from './health-check';
import { type ObjectStore, swiftObjectStore } from './object-store';
import {
  type ReleasePointer,
  releasePointer,
  releasePointerName,
  serviceLocations,
  signReleasePointer,
  verifyReleasePointer,
} from './release';
import { type ReleaseKey, loadReleaseKey } from './release-key';
import { userDataHook } from './user-data';

const OBJECT_STORE = ['object-store'];

/** What the lifecycle hands its deploy step, plus how long to wait for health checks. */
export interface DeployServicesInput extends DeployInput {
  healthTimeoutMs?: number;
}

export type InstanceHealth =
  | { instance: string; url: string; status: 'healthy'; version: string }
  | { instance: string; url: string; status: 'unhealthy'; said: string };

export interface ServiceDeployResult {
  name: string;
  template: string;
  version: string;
  sha256: string;
  /** published: a new release pointer was written; unchanged: the pointer already named these bytes and configuration. */
  action: 'published' | 'unchanged';
  previousVersion: string | undefined;
  /** The first instance's URL (what a person opens). */
  url: string | undefined;
  urls: string[];
  healthy: boolean;
  instances: InstanceHealth[];
  seedObjects: { uploaded: number; unchanged: number };
}

export interface DeployResult {
  status: 'deployed' | 'nothing-to-deploy';
  city: string;
  env: string;
  services: ServiceDeployResult[];
  message: string;
}

/** The cloud's public object-store account URL for these credentials. */
export async function objectStoreUrl(credentials: CloudCredentials): Promise<string> {
  const client = await OpenStackClient.authenticate(credentials);
  return client.endpoint(OBJECT_STORE);
}

/**
 * Per-instance user data for synthesis: each service instance boots with
 * cloud-init naming the stable artifact URL in this cloud, so a new version
 * changes objects, never the instance.
 */
export function serviceUserData(
  city: ResolvedCity,
  cwd: string,
  objectStore: string,
  environ: Readonly<Record<string, string | undefined>> = process.env,
): SynthExtras['userData'] {
  if (city.services.length === 0) return undefined;
  const key = loadReleaseKey(cwd, city.city.name, city.env, environ);
  const hook = userDataHook(
    city,
    loadTemplateCatalog(cwd).templates,
    serviceLocations(objectStore, city, key.publicKeyPem),
  );
  return (slot) => {
    const text = hook(slot);
    // User data is shell and YAML: `${` and `%{` must reach the instance literally, not as Terraform templates.
    return text === undefined ? undefined : escapeTerraformTemplate(text);
  };
}

/** Terraform reads `${` and `%{` in a JSON string as template syntax; user data must reach the instance literally. */
export function escapeTerraformTemplate(text: string): string {
  return text.replace(/([$%])\{/g, (_m, sigil: string) => `${sigil}${sigil}{`);
}

/** The published pointer, when this key signed it (one it did not sign is replaced, never trusted). */
async function readPointer(
  http: CloudFetch,
  store: ObjectStore,
  container: string,
  name: string,
  key: ReleaseKey,
  expected: { city: string; environment: string; service: string },
  signal: AbortSignal | undefined,
): Promise<ReleasePointer | undefined> {
  const res = await http(
    `${store.containerUrl(container)}/${encodeURIComponent(name)}`,
    signal === undefined ? {} : { signal },
  );
  if (res.status !== 200) {
    await res.arrayBuffer();
    return undefined;
  }
  const verdict = verifyReleasePointer(await res.text(), key.publicKeyPem, expected);
  return verdict.ok ? verdict.pointer : undefined;
}

/** Instance names by address (floating and fixed), from the `instances` output synthesis writes. */
function instanceNames(outputs: Record<string, unknown>): Map<string, string> {
  const names = new Map<string, string>();
  const instances = outputs.instances;
  if (typeof instances !== 'object' || instances === null) return names;
  for (const v of Object.values(instances as Record<string, unknown>)) {
    if (typeof v !== 'object' || v === null) continue;
    const r = v as Record<string, unknown>;
    if (typeof r.name !== 'string') continue;
    for (const address of [r.floating_ip, r.fixed_ip]) if (typeof address === 'string') names.set(address, r.name);
  }
  return names;
}

function instanceHealth(r: HealthResult): InstanceHealth {
  return r.outcome.kind === 'healthy'
    ? { instance: r.target.instance, url: r.target.url, status: 'healthy', version: r.outcome.version }
    : { instance: r.target.instance, url: r.target.url, status: 'unhealthy', said: describeHealthFailure(r) };
}

export async function deployCity(input: DeployServicesInput): Promise<DeployResult> {
  const { city, progress } = input;
  const base = { city: city.city.name, env: city.env };
  const services = input.service === undefined ? city.services : city.services.filter((s) => s.name === input.service);
  if (input.service !== undefined && services.length === 0) {
    throw new StormError('usage', `${city.city.name} has no service "${input.service}"`, {
      hint:
        city.services.length === 0
          ? 'the manifest names no services'
          : `services: ${city.services.map((s) => s.name).join(', ')}`,
    });
  }
  if (services.length === 0)
    return {
      ...base,
      status: 'nothing-to-deploy',
      services: [],
      message: 'nothing to deploy (the manifest names no services)',
    };

  const templates = loadTemplateCatalog(input.cwd).templates;
  const client = await OpenStackClient.authenticate(input.credentials);
  const store = swiftObjectStore(client.endpoint(OBJECT_STORE), () => client.authHeaders(), client.fetch);
  const selected: ResolvedCity = { ...city, services };
  const key = loadReleaseKey(input.cwd, city.city.name, city.env);
  const container = releaseContainer(city.city.name, city.env);
  const published = await publishServices(selected, templates, store, progress);

  const pointers = new Map<string, { action: ServiceDeployResult['action']; previous: string | undefined }>();
  for (const p of published) {
    const service = services.find((s) => s.name === p.service);
    const template = templates.find((t) => t.definition.name === p.template);
    if (service === undefined || template === undefined)
      throw new StormError('internal', `published ${p.service} is not a service of ${city.city.name}`);
    const name = releasePointerName(p.service);
    const expected = { city: city.city.name, environment: city.env, service: p.service };
    const previous = await readPointer(client.fetch, store, container, name, key, expected, input.signal);
    const wanted = releasePointer({ city, service, template, version: p.version, sha256: p.artifact.sha256, bytes: 0 });
    const artifactBytes = Number(
      (await client.fetch(p.artifact.url, { method: 'HEAD' })).headers.get('content-length') ?? '0',
    );
    const pointer: ReleasePointer = { ...wanted, bytes: artifactBytes };
    if (
      previous !== undefined &&
      previous.sha256 === pointer.sha256 &&
      previous.configSha256 === pointer.configSha256
    ) {
      pointers.set(p.service, { action: 'unchanged', previous: previous.version });
      progress({
        kind: 'step',
        message: `${p.service}: ${p.version} (${p.artifact.sha256.slice(0, 12)}) is already the published release`,
      });
      continue;
    }
    progress({
      kind: 'step',
      message: `${p.service}: releasing ${p.version} (${p.artifact.sha256.slice(0, 12)})${previous === undefined ? '' : ` over ${previous.version}`}`,
    });
    await store.putObject(
      container,
      name,
      Buffer.from(signReleasePointer(pointer, key.privateKey)),
      'application/json',
    );
    pointers.set(p.service, { action: 'published', previous: previous?.version });
  }

  const timeoutMs = input.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  const names = instanceNames(input.outputs);
  // Reports name the cloud's instance (valladolid-preprod-web-1), found by the address in its URL.
  const targets = healthTargets(published, input.outputs.services, cityCa(input.cwd, city.city.name)).map((t) => ({
    ...t,
    instance: names.get(new URL(t.url).hostname) ?? t.instance,
  }));
  progress({
    kind: 'step',
    message: `waiting for ${targets.length} service instance${targets.length === 1 ? '' : 's'} to report healthy`,
  });
  const health = requireHealthy(
    await waitForHealthy(targets, {
      timeoutMs,
      progress,
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    }),
    timeoutMs,
  );

  const results = published.map((p: PublishedService): ServiceDeployResult => {
    const mine = health.filter((h) => h.target.service === p.service);
    const ptr = pointers.get(p.service);
    // A front door is one URL, however many instances answered behind it.
    const urls = [...new Set(mine.map((h) => h.target.frontDoor?.url ?? h.target.url))];
    return {
      name: p.service,
      template: p.template,
      version: p.version,
      sha256: p.artifact.sha256,
      action: ptr?.action ?? 'published',
      previousVersion: ptr?.previous,
      url: urls[0],
      urls,
      healthy: mine.every((h) => h.outcome.kind === 'healthy'),
      instances: mine.map(instanceHealth),
      seedObjects: p.seedObjects,
    };
  });
  const changed = results.filter((r) => r.action === 'published' || r.seedObjects.uploaded > 0);
  const at = (r: ServiceDeployResult): string => (r.urls.length === 0 ? '' : ` at ${r.urls.join(' ')}`);
  const message =
    changed.length === 0
      ? `nothing changed: ${results.map((r) => `${r.name} ${r.version}${at(r)}`).join(', ')} already released and healthy`
      : `deployed ${changed.map((r) => `${r.name} ${r.version}${r.previousVersion === undefined || r.previousVersion === r.version ? '' : ` (was ${r.previousVersion})`}${at(r)}`).join(', ')}`;
  return { ...base, status: changed.length === 0 ? 'nothing-to-deploy' : 'deployed', services: results, message };
}

/** The city CA's certificate (`.storm/ca/<city>/ca.pem`), which a front door's generated certificate chains to. */
function cityCa(cwd: string, city: string): string | undefined {
  const file = cityCaFile(cwd, city);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}
