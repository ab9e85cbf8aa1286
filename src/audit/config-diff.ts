/**
 * What changed between two synthesized Terraform configurations, resource by
 * resource and attribute by attribute, with the risks a reviewer must see:
 * deletions, replacements (attributes the provider cannot change in place, read
 * from terraform-provider-openstack 3.4.0's ForceNew schema), servers rebuilt or
 * resized, exposure to the whole internet, public containers, production.
 */
import { diffAttributes, layerOf, type AttributeChange, type Layer } from '../engine/plan-changes';

export type ResourceChangeKind = 'create' | 'update' | 'replace' | 'delete';

export type RiskKind = 'delete' | 'replace' | 'rebuild' | 'resize' | 'exposure' | 'public-container' | 'production';
export const RISK_KINDS: readonly RiskKind[] = [
  'delete',
  'replace',
  'rebuild',
  'resize',
  'exposure',
  'public-container',
  'production',
];

export interface RiskFlag {
  kind: RiskKind;
  /** Resource address, or manifest path for manifest-level flags. */
  subject: string;
  message: string;
}

export interface ResourceDiff {
  address: string;
  type: string;
  name: string;
  layer: Layer;
  change: ResourceChangeKind;
  attributes: AttributeChange[];
  risks: RiskFlag[];
}

/** Attributes whose change makes the provider destroy and re-create the resource (ForceNew in v3.4.0). */
export const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  openstack_networking_secgroup_rule_v2: [
    'description',
    'direction',
    'ethertype',
    'port_range_max',
    'port_range_min',
    'protocol',
    'region',
    'remote_address_group_id',
    'remote_group_id',
    'remote_ip_prefix',
    'security_group_id',
    'tenant_id',
  ],
  openstack_networking_subnet_v2: [
    'cidr',
    'dns_publish_fixed_ip',
    'ip_version',
    'network_id',
    'prefix_length',
    'region',
    'subnetpool_id',
    'tenant_id',
    'value_specs',
  ],
  openstack_compute_instance_v2: [
    'availability_zone',
    'availability_zone_hints',
    'block_device',
    'config_drive',
    'hypervisor_hostname',
    'key_pair',
    'network',
    'network_mode',
    'region',
    'scheduler_hints',
    'user_data',
  ],
  openstack_blockstorage_volume_v3: [
    'availability_zone',
    'backup_id',
    'consistency_group_id',
    'image_id',
    'region',
    'scheduler_hints',
    'snapshot_id',
    'source_replica',
    'source_vol_id',
  ],
  openstack_networking_network_v2: [
    'availability_zone_hints',
    'region',
    'tenant_id',
    'transparent_vlan',
    'value_specs',
  ],
  openstack_objectstorage_container_v1: ['region', 'storage_class', 'storage_policy'],
  openstack_networking_port_v2: [
    'device_id',
    'device_owner',
    'mac_address',
    'network_id',
    'region',
    'tenant_id',
    'value_specs',
  ],
  openstack_compute_keypair_v2: ['name', 'public_key', 'region', 'user_id', 'value_specs'],
  openstack_networking_rbac_policy_v2: ['action', 'object_id', 'object_type', 'region'],
  openstack_compute_volume_attach_v2: ['instance_id', 'multiattach', 'region', 'tag', 'vendor_options', 'volume_id'],
  openstack_networking_floatingip_v2: [
    'address',
    'dns_domain',
    'dns_name',
    'pool',
    'region',
    'tenant_id',
    'value_specs',
  ],
  openstack_networking_router_interface_v2: ['port_id', 'region', 'router_id', 'subnet_id'],
  openstack_networking_secgroup_v2: ['delete_default_rules', 'region', 'tenant_id'],
  openstack_compute_servergroup_v2: ['name', 'policies', 'region', 'rules', 'value_specs'],
  openstack_networking_floatingip_associate_v2: ['floating_ip', 'region'],
  openstack_networking_router_v2: ['availability_zone_hints', 'distributed', 'region', 'tenant_id', 'value_specs'],
};

const SECRET_ATTRIBUTE = /(password|passwd|admin_pass|secret|token|private_key)/i;
export const MASKED_VALUE = '(sensitive)';

type Blocks = Record<string, Record<string, unknown>>;

function resources(config: unknown): Blocks {
  const r = (config as { resource?: unknown } | null | undefined)?.resource;
  return r !== null && typeof r === 'object' ? (r as Blocks) : {};
}

function topAttribute(path: string): string {
  return path.split(/[.[]/)[0] ?? path;
}

function masked(attrs: AttributeChange[]): AttributeChange[] {
  return attrs.map((a) =>
    SECRET_ATTRIBUTE.test(a.path)
      ? {
          path: a.path,
          ...(a.before === undefined ? {} : { before: MASKED_VALUE }),
          ...(a.after === undefined ? {} : { after: MASKED_VALUE }),
        }
      : a,
  );
}

const WORLD = /\/0$/;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Risks of one resource change, from the values it will have. */
export function resourceRisks(
  type: string,
  address: string,
  change: ResourceChangeKind,
  attributes: readonly AttributeChange[],
  after: Record<string, unknown>,
  production: boolean,
): RiskFlag[] {
  const out: RiskFlag[] = [];
  if (change === 'delete') out.push({ kind: 'delete', subject: address, message: `${address} is deleted` });
  if (change === 'replace') {
    const why = attributes.filter((a) => a.forcesReplacement === true).map((a) => a.path);
    const lost =
      type === 'openstack_compute_instance_v2' || type === 'openstack_blockstorage_volume_v3'
        ? ': its data is lost'
        : '';
    out.push({
      kind: 'replace',
      subject: address,
      message: `${address} is destroyed and re-created${why.length > 0 ? ` (${why.join(', ')} cannot change in place)` : ''}${lost}`,
    });
  }
  if (type === 'openstack_compute_instance_v2' && change === 'update') {
    const changed = new Set(attributes.map((a) => topAttribute(a.path)));
    if (changed.has('image_name') || changed.has('image_id'))
      out.push({
        kind: 'rebuild',
        subject: address,
        message: `${address}: the image changes, so the server is rebuilt and its root disk wiped`,
      });
    if (changed.has('flavor_name') || changed.has('flavor_id'))
      out.push({
        kind: 'resize',
        subject: address,
        message: `${address}: the flavor changes, so the server is resized and rebooted`,
      });
  }
  if (change !== 'delete' && type === 'openstack_networking_secgroup_rule_v2' && after.direction === 'ingress') {
    const prefix = str(after.remote_ip_prefix);
    if (prefix !== undefined && WORLD.test(prefix)) {
      const lo = typeof after.port_range_min === 'number' ? after.port_range_min : 0;
      const hi = typeof after.port_range_max === 'number' ? after.port_range_max : 0;
      const ports = lo === 0 ? 'all ports' : lo === hi ? `port ${lo}` : `ports ${lo}-${hi}`;
      out.push({
        kind: 'exposure',
        subject: address,
        message: `${address} opens ${ports}/${str(after.protocol) ?? 'any'} to ${prefix}`,
      });
    }
  }
  if (change !== 'delete' && type === 'openstack_objectstorage_container_v1') {
    const read = str(after.container_read) ?? '';
    if (/\.r:\*/.test(read))
      out.push({ kind: 'public-container', subject: address, message: `${address} is readable by anyone (${read})` });
  }
  if (production) out.push({ kind: 'production', subject: address, message: `${address} changes in production` });
  return out;
}

export function diffConfigs(from: unknown, to: unknown, options: { production?: boolean } = {}): ResourceDiff[] {
  const a = resources(from);
  const b = resources(to);
  const out: ResourceDiff[] = [];
  const types = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const type of types) {
    const ra = a[type] ?? {};
    const rb = b[type] ?? {};
    const names = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort();
    for (const name of names) {
      const address = `${type}.${name}`;
      const before = ra[name];
      const after = rb[name];
      let change: ResourceChangeKind;
      let attributes: AttributeChange[];
      if (before === undefined) {
        change = 'create';
        attributes = diffAttributes(undefined, after, undefined, undefined, undefined, true);
      } else if (after === undefined) {
        change = 'delete';
        attributes = [];
      } else {
        attributes = diffAttributes(before, after, undefined, undefined, undefined, false);
        if (attributes.length === 0) continue;
        const forceNew = new Set(FORCE_NEW[type] ?? []);
        attributes = attributes.map((x) =>
          forceNew.has(topAttribute(x.path)) ? { ...x, forcesReplacement: true } : x,
        );
        change = attributes.some((x) => x.forcesReplacement === true) ? 'replace' : 'update';
      }
      attributes = masked(attributes);
      const afterValues = (after ?? {}) as Record<string, unknown>;
      out.push({
        address,
        type,
        name,
        layer: layerOf(type),
        change,
        attributes,
        risks: resourceRisks(type, address, change, attributes, afterValues, options.production === true),
      });
    }
  }
  return out;
}

/** Addresses whose configuration differs (cheap form of diffConfigs, for attributing changes). */
export function changedAddresses(from: unknown, to: unknown): string[] {
  return diffConfigs(from, to).map((r) => r.address);
}
