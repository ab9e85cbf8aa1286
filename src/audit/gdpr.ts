/**
 * The record of processing activities (GDPR Art. 30(1)) a city's manifest
 * implies: who is responsible (the city, its DPO), what each service does
 * with personal data, where that data lies (volumes and containers, and
 * whether volumes are encrypted), who receives it (partners) and in which
 * cloud region — per environment, since production and preprod differ.
 * Pure: the manifest and the templates in, a deterministic document out.
 */
import type { CityManifest } from '../manifest/city-manifest.types';
import { environmentNames, resolveEnvironment } from '../manifest/model';
import type { TemplateDefinition } from '../manifest/templates';
import type { PolicyConfig } from './policy-types';
import { isEncryptedType } from './rules/data';

/** Bumped when a field changes meaning or goes away (new fields do not bump it). */
export const GDPR_RECORD_VERSION = 1;

export interface GdprContact {
  name: string;
  email: string;
  role?: string;
  phone?: string;
}

export interface GdprProcessing {
  service: string;
  template: string;
  /** What the service is for: the template's own description. */
  purpose: string;
  personalData: boolean;
  /** Compute group the service runs on, and how many instances. */
  runsOn: { group: string; instances: number };
  /** Volumes of that group holding personal data. */
  volumes: string[];
}

export interface GdprVolume {
  name: string;
  sizeGb: number;
  type: string | null;
  encrypted: boolean;
  description: string | null;
  attachedTo: string[];
}

export interface GdprContainer {
  name: string;
  acl: 'private' | 'public-read';
  openData: boolean;
}

export interface GdprRecipient {
  name: string;
  kind: 'public' | 'private';
  project: string;
  description: string | null;
  /** What the partner may reach; mode read unless the manifest says write. */
  access: { container?: string; network?: string; mode: 'read' | 'write' }[];
}

export interface GdprEnvironment {
  env: string;
  description: string | null;
  cloud: string;
  region: string | null;
  processing: GdprProcessing[];
  volumesWithPersonalData: GdprVolume[];
  containersWithPersonalData: GdprContainer[];
  recipients: GdprRecipient[];
  /** Art. 30(1)(g): what the manifest says about security (personal data on unencrypted volumes is listed here). */
  security: { unencryptedPersonalDataVolumes: string[]; adminCidrs: string[] };
}

export interface GdprRecord {
  recordVersion: number;
  city: string;
  file: string;
  controller: { name: string; country: string; owner: { team: string; email: string } };
  dataProtectionOfficer: GdprContact | null;
  contacts: GdprContact[];
  dataClassification: string | null;
  environments: GdprEnvironment[];
}

function contact(c: GdprContact): GdprContact {
  return {
    name: c.name,
    email: c.email,
    ...(c.role === undefined ? {} : { role: c.role }),
    ...(c.phone === undefined ? {} : { phone: c.phone }),
  };
}

export function gdprRecord(
  manifest: CityManifest,
  file: string,
  templates: readonly TemplateDefinition[],
  config: Pick<PolicyConfig, 'encryptedVolumeTypes'>,
): GdprRecord {
  const contacts = (manifest.city.contacts ?? []).map(contact);
  const environments = environmentNames(manifest).map((env): GdprEnvironment => {
    const city = resolveEnvironment(manifest, env);
    const personalVolumes = city.storage.volumes.filter(
      (v) => v.personalData || city.compute.groups.some((g) => g.personalData && g.volumes.includes(v.name)),
    );
    const volumes = personalVolumes.map((v): GdprVolume => ({
      name: v.name,
      sizeGb: v.size,
      type: v.type ?? null,
      encrypted: isEncryptedType(v.type, { config: config as PolicyConfig }),
      description: v.description ?? null,
      attachedTo: city.compute.groups.filter((g) => g.volumes.includes(v.name)).map((g) => g.name),
    }));
    const processing = city.services.map((s): GdprProcessing => {
      const group = city.compute.groups.find((g) => g.name === s.on);
      const template = templates.find((t) => t.name === s.template);
      return {
        service: s.name,
        template: s.template,
        purpose: (template?.description ?? '').replace(/\s+/g, ' ').trim(),
        personalData: s.personalData || (group?.personalData ?? false),
        runsOn: { group: s.on, instances: group?.count ?? 0 },
        volumes: (group?.volumes ?? []).filter((v) => personalVolumes.some((p) => p.name === v)),
      };
    });
    return {
      env,
      description: manifest.environments[env]?.description ?? null,
      cloud: city.cloud.name,
      region: city.cloud.region ?? null,
      processing,
      volumesWithPersonalData: volumes,
      containersWithPersonalData: city.storage.containers
        .filter((c) => c.personalData)
        .map((c) => ({ name: c.name, acl: c.acl, openData: c.openData })),
      recipients: city.partners.map((p) => ({
        name: p.name,
        kind: p.kind,
        project: p.project,
        description: p.description ?? null,
        access: p.access.map((a) =>
          'container' in a
            ? { container: a.container, mode: a.mode ?? 'read' }
            : { network: a.network, mode: a.mode ?? 'read' },
        ),
      })),
      security: {
        unencryptedPersonalDataVolumes: volumes.filter((v) => !v.encrypted).map((v) => v.name),
        adminCidrs: [...city.security.adminCidrs],
      },
    };
  });
  return {
    recordVersion: GDPR_RECORD_VERSION,
    city: manifest.city.name,
    file,
    controller: {
      name: manifest.city.displayName,
      country: manifest.city.country,
      owner: { team: manifest.city.owner.team, email: manifest.city.owner.email },
    },
    dataProtectionOfficer: contacts.find((c) => c.role === 'dpo') ?? null,
    contacts,
    dataClassification: manifest.tags?.['data-classification'] ?? null,
    environments,
  };
}
