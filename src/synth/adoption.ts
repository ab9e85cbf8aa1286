/**
 * Adoption of resources that exist already (`storm import`): the synthesized
 * Terraform JSON gets, for each adopted address, the attributes the cloud has
 * and storm keeps as they are (names, tags, metadata, fixed IPs), and — while
 * the stack has not taken them over yet — one `import` block per resource, so
 * the plan imports them instead of creating new ones.
 *
 * The record comes from a file in the project and is untrusted: only known
 * attributes are applied, only to resources synthesis made, and every string is
 * escaped as a literal unless it is exactly a reference to another resource's id.
 */
import type { TerraformJson } from './synth-city';

export interface AdoptionEntry {
  address: string;
  id: string;
  keep?: Record<string, unknown>;
}

/** Attributes an adoption record may keep, per resource type. */
export const KEEPABLE: Readonly<Record<string, readonly string[]>> = {
  openstack_networking_network_v2: ['name', 'description', 'tags'],
  openstack_networking_subnet_v2: ['name', 'tags'],
  openstack_networking_router_v2: ['name', 'tags'],
  openstack_networking_secgroup_v2: ['name', 'tags'],
  openstack_networking_port_v2: ['name', 'tags', 'fixed_ip', 'security_group_ids'],
  openstack_networking_floatingip_v2: ['description', 'tags'],
  openstack_compute_instance_v2: ['name', 'metadata', 'tags', 'network'],
  openstack_compute_keypair_v2: ['name', 'public_key'],
  openstack_blockstorage_volume_v3: ['name', 'metadata', 'description'],
  openstack_objectstorage_container_v1: ['name', 'metadata', 'container_read', 'container_write', 'force_destroy'],
};

const ADDRESS = /^(openstack_[a-z0-9_]+)\.([A-Za-z0-9_]+)$/;
const REFERENCE = /^\$\{openstack_[a-z0-9_]+\.[A-Za-z0-9_]+\.id\}$/;

/** A value as a Terraform JSON literal: template sequences escaped, except exact id references. */
export function literal(value: unknown): unknown {
  if (typeof value === 'string')
    return REFERENCE.test(value) ? value : value.replace(/\$\{/g, '$$${').replace(/%\{/g, '%%{');
  if (Array.isArray(value)) return value.map(literal);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = literal(v);
    return out;
  }
  return value;
}

export interface AdoptionOutcome {
  json: TerraformJson;
  /** Addresses given an import block. */
  imports: string[];
  /** Record entries that name no synthesized resource (the manifest changed since the import). */
  unmatched: string[];
}

/**
 * Applies the kept attributes always (they are what the resources are), and the
 * import blocks only for `importable` addresses (those the state does not hold yet).
 */
export function applyAdoption(
  json: TerraformJson,
  entries: readonly AdoptionEntry[],
  importable: (address: string) => boolean,
): AdoptionOutcome {
  const out = structuredClone(json);
  const resources = (out.resource ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  const imports: Array<{ to: string; id: string }> = [];
  const unmatched: string[] = [];
  for (const e of entries) {
    const m = ADDRESS.exec(e.address);
    const block = m === null ? undefined : resources[m[1] ?? '']?.[m[2] ?? ''];
    if (m === null || block === undefined || typeof e.id !== 'string' || e.id === '') {
      unmatched.push(e.address);
      continue;
    }
    const allowed = KEEPABLE[m[1] ?? ''] ?? [];
    for (const [attr, value] of Object.entries(e.keep ?? {})) {
      if (!allowed.includes(attr)) continue;
      // null: the attribute is left out, so the provider keeps what the resource has.
      if (value === null) delete block[attr];
      else block[attr] = literal(value);
    }
    if (importable(e.address)) imports.push({ to: e.address, id: e.id });
  }
  if (imports.length > 0) out.import = imports;
  return { json: out, imports: imports.map((i) => i.to), unmatched };
}
