/**
 * Joins a resolved city, its templates and where artifacts live into the
 * per-instance user data synthesis asks for (SynthExtras.userData): an
 * instance of a group that runs a service gets that service's cloud-init.
 */
import { StormError } from '../errors';
import type { ResolvedCity, ResolvedService } from '../manifest/model';
import { type LoadedTemplate, type TemplateTier, resolveServiceParameters } from '../manifest/templates';
import type { InstanceSlot } from '../synth/compute';
import { renderCloudInit } from './cloud-init';

export interface ServiceLocations {
  /** Stable URL of a service's artifact in the city's object storage. */
  artifactUrl(service: ResolvedService): string;
  /** Public URL of one of the city's containers, by the template's container name. */
  containerUrl(container: string): string;
  /** PEM public key that signs the city's release pointers (instances install only what it signed). */
  releaseKey: string;
}

/** The tier a service runs on a manifest group: templates ship one web tier today, so it is the first web (or first) tier. */
export function serviceTier(template: LoadedTemplate): TemplateTier {
  const tiers = template.definition.needs.tiers;
  const tier = tiers.find((t) => t.role === 'web') ?? tiers[0];
  if (tier === undefined) throw new StormError('deploy', `template ${template.definition.name} declares no tier`);
  return tier;
}

export function userDataHook(
  city: ResolvedCity,
  templates: readonly LoadedTemplate[],
  locations: ServiceLocations,
): (slot: InstanceSlot) => string | undefined {
  return (slot) => {
    const services = city.services.filter((s) => s.on === slot.group.name);
    if (services.length === 0) return undefined;
    if (services.length > 1) {
      throw new StormError(
        'deploy',
        `compute group ${slot.group.name} runs ${services.length} services (${services.map((s) => s.name).join(', ')}); an instance runs one`,
        {
          hint: 'give each service its own compute group with `on:`',
        },
      );
    }
    const service = services[0] as ResolvedService;
    const template = templates.find((t) => t.definition.name === service.template);
    if (template === undefined)
      throw new StormError('deploy', `service ${service.name} uses unknown template ${service.template}`, {
        hint: 'run `storm templates list`',
      });
    const tier = serviceTier(template);
    return renderCloudInit({
      city: {
        name: city.city.name,
        displayName: city.city.displayName,
        languages: [...city.city.languages],
        country: city.city.country,
        contacts: city.city.contacts ?? [],
        partners: city.partners,
      },
      environment: city.env,
      service: { name: service.name, parameters: resolveServiceParameters(template, service.parameters) },
      template: template.definition,
      tier: tier.name,
      instance: { name: slot.name, hostname: slot.name },
      artifactUrl: locations.artifactUrl(service),
      releaseKey: locations.releaseKey,
      containerUrls: Object.fromEntries(
        template.definition.needs.containers.map((c) => [c.name, locations.containerUrl(c.name)]),
      ),
    });
  };
}
