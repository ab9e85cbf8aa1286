/**
 * The inverse of deploying, run before `storm destroy`: removes what the deploy
 * step put in object storage for one city and environment — each service's
 * artifact and release pointer, and the seed objects it uploaded into the city's
 * containers — so the containers can be deleted and nothing of the city is left
 * behind. A seed object someone changed since (its bytes differ from the seed) is
 * kept: it is the city's data now, and destroy then stops on the non-empty
 * container with the provider's message instead of deleting it.
 */
import { OpenStackClient } from '../cloud/openstack-client';
import type { CloudCredentials } from '../cloud/credentials';
import type { ResolvedCity } from '../manifest/model';
import { loadTemplateCatalog } from '../manifest/templates';
import type { Progress } from '../progress';
import { cloudName } from '../synth/naming';
import { containerSeedObjects } from './artifact';
import { LEGACY_ARTIFACTS_CONTAINER, artifactObjectName, releaseContainer } from './deploy-services';
import { type ObjectStore, md5Hex, swiftObjectStore } from './object-store';
import { releasePointerName } from './release';

export interface WithdrawInput {
  cwd: string;
  city: ResolvedCity;
  credentials: CloudCredentials;
  progress: Progress;
}

export interface WithdrawResult {
  /** Objects deleted (artifacts, release pointers, seed objects). */
  deleted: number;
  /** Seed objects kept because their content changed since they were seeded. */
  kept: string[];
}

const OBJECT_STORE = ['object-store'];

export async function withdrawCity(input: WithdrawInput): Promise<WithdrawResult> {
  const { city } = input;
  if (city.services.length === 0) return { deleted: 0, kept: [] };
  const client = await OpenStackClient.authenticate(input.credentials);
  if (!client.hasService(OBJECT_STORE)) return { deleted: 0, kept: [] };
  const store = swiftObjectStore(client.endpoint(OBJECT_STORE), () => client.authHeaders(), client.fetch);
  const result = await withdrawServices(city, loadTemplateCatalog(input.cwd).templates, store);
  if (result.deleted > 0)
    input.progress({
      kind: 'step',
      message: `${city.city.name}/${city.env}: removed ${result.deleted} deployed object${result.deleted === 1 ? '' : 's'} (artifacts, release pointers, seed data)`,
    });
  for (const k of result.kept)
    input.progress({
      kind: 'warning',
      message: `${city.city.name}/${city.env}: kept ${k}: it changed since it was seeded, so it is the city's data now`,
    });
  return result;
}

/** Deletes what publishServices and the release step stored for this city/env. */
export async function withdrawServices(
  city: ResolvedCity,
  templates: Parameters<typeof containerSeedObjects>[0][],
  store: ObjectStore,
): Promise<WithdrawResult> {
  let deleted = 0;
  const kept: string[] = [];
  for (const service of city.services) {
    for (const name of [artifactObjectName(service.name), releasePointerName(service.name)]) {
      if (await store.deleteObject(releaseContainer(city.city.name, city.env), name)) deleted += 1;
      // What a storm before signed releases left in the container every city shared.
      if (await store.deleteObject(LEGACY_ARTIFACTS_CONTAINER, `${city.city.name}/${city.env}/${name}`)) deleted += 1;
    }
    const template = templates.find((t) => t.definition.name === service.template);
    if (template === undefined) continue;
    for (const o of containerSeedObjects(template)) {
      const container = cloudName(city.city.name, city.env, o.container);
      const etag = await store.objectEtag(container, o.name);
      if (etag !== undefined && etag !== md5Hex(o.content)) {
        kept.push(`${container}/${o.name}`);
        continue;
      }
      if (etag !== undefined && (await store.deleteObject(container, o.name))) deleted += 1;
      // In a versioned container the delete only adds a marker: the seed's versions go too.
      for (const v of await store.objectVersions(container, o.name))
        await store.deleteObjectVersion(container, o.name, v);
    }
  }
  await store.deleteContainerIfEmpty(releaseContainer(city.city.name, city.env));
  // The old shared container goes with the last city that used it.
  await store.deleteContainerIfEmpty(LEGACY_ARTIFACTS_CONTAINER);
  return { deleted, kept };
}
