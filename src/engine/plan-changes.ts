/**
 * Reads `tofu show -json <planfile>` into storm's change summary: what changes,
 * per layer, attribute by attribute (sensitive values masked), and the warnings
 * a reviewer must not miss — including in-place updates that really rebuild,
 * resize or reboot a server.
 */

export type Layer = 'network' | 'security' | 'compute' | 'storage' | 'sharing' | 'other';
export const LAYERS: readonly Layer[] = ['network', 'security', 'compute', 'storage', 'sharing', 'other'];

export type ChangeKind = 'create' | 'update' | 'replace' | 'delete' | 'read';

export const MASK = '(sensitive)';
export const UNKNOWN = '(known after apply)';

export interface AttributeChange {
  path: string;
  /** Rendered JSON values; undefined = absent on that side. */
  before?: string;
  after?: string;
  forcesReplacement?: boolean;
}

export interface ResourceChange {
  address: string;
  type: string;
  name: string;
  layer: Layer;
  change: ChangeKind;
  attributes: AttributeChange[];
}

export type WarningKind = 'delete' | 'replace' | 'internet-exposure' | 'server-rebuild' | 'server-resize';

export interface PlanWarning {
  kind: WarningKind;
  address: string;
  message: string;
}

export interface ChangeCounts {
  create: number;
  update: number;
  replace: number;
  delete: number;
}

export interface OutputChange {
  name: string;
  change: ChangeKind;
  sensitive: boolean;
}

export interface PlanSummary {
  counts: ChangeCounts;
  /**
   * Whether the plan changes something a person reviews: a resource, or an output.
   * Adopting existing resources (import blocks, `storm import`) changes nothing in
   * the cloud, and the outputs that appear with them are theirs: not a change.
   */
  hasChanges: boolean;
  /** Existing resources the plan imports into the state (counted in `counts` too when it also changes them). */
  adopts: number;
  resources: ResourceChange[];
  outputs: OutputChange[];
  warnings: PlanWarning[];
  /** Resources changed outside tofu since the last apply (refresh found them different). */
  drift: ResourceChange[];
}

const LAYER_OF_TYPE: Record<string, Layer> = {
  openstack_networking_network_v2: 'network',
  openstack_networking_subnet_v2: 'network',
  openstack_networking_router_v2: 'network',
  openstack_networking_router_interface_v2: 'network',
  openstack_networking_port_v2: 'network',
  openstack_networking_floatingip_v2: 'network',
  openstack_networking_floatingip_associate_v2: 'network',
  openstack_compute_floatingip_associate_v2: 'network',
  openstack_networking_secgroup_v2: 'security',
  openstack_networking_secgroup_rule_v2: 'security',
  openstack_compute_instance_v2: 'compute',
  openstack_compute_servergroup_v2: 'compute',
  openstack_compute_keypair_v2: 'compute',
  openstack_compute_interface_attach_v2: 'compute',
  openstack_blockstorage_volume_v3: 'storage',
  openstack_compute_volume_attach_v2: 'storage',
  openstack_objectstorage_container_v1: 'storage',
  openstack_objectstorage_object_v1: 'storage',
  openstack_objectstorage_tempurl_v1: 'sharing',
  openstack_networking_rbac_policy_v2: 'sharing',
  openstack_objectstorage_container_v2: 'storage',
};

export function layerOf(type: string): Layer {
  return LAYER_OF_TYPE[type] ?? 'other';
}

export function changeKindOf(actions: readonly string[]): ChangeKind | undefined {
  const a = [...actions].sort().join(',');
  switch (a) {
    case 'create':
      return 'create';
    case 'update':
      return 'update';
    case 'create,delete':
      return 'replace';
    case 'delete':
      return 'delete';
    case 'read':
      return 'read';
    default:
      return undefined;
  }
}

const INTERNET = new Set(['0.0.0.0/0', '::/0']);

export function summarizePlan(showJson: unknown): PlanSummary {
  const doc = isRecord(showJson) ? showJson : {};
  const resources: ResourceChange[] = [];
  const warnings: PlanWarning[] = [];
  const counts: ChangeCounts = { create: 0, update: 0, replace: 0, delete: 0 };
  let adopts = 0;
  for (const rc of records(doc.resource_changes)) {
    if (rc.mode === 'data') continue;
    const change = isRecord(rc.change) ? rc.change : {};
    if (isRecord(change.importing)) adopts++;
    const kind = changeKindOf(strings(change.actions));
    if (kind === undefined || kind === 'read') continue;
    counts[kind]++;
    const rendered = describeResourceChange(rc, kind);
    resources.push(rendered);
    warnings.push(...warningsFor(rendered, change));
  }
  // Drift worth telling: what the cloud changed in attributes the config sets (a
  // description edited by hand), or anything tofu marks as relevant to this plan;
  // not values the cloud fills in after creation (a port's binding once its server
  // boots), which are not news to the user.
  const relevant = new Set(
    records(doc.relevant_attributes).map((r) => (typeof r.resource === 'string' ? r.resource : '')),
  );
  const configured = configuredAttributes(doc.configuration);
  const drift: ResourceChange[] = [];
  for (const rc of records(doc.resource_drift)) {
    const change = isRecord(rc.change) ? rc.change : {};
    const kind = changeKindOf(strings(change.actions));
    if (kind === undefined) continue;
    const described = describeResourceChange(rc, kind);
    const address = String(rc.address ?? '');
    if (kind === 'delete' || relevant.has(address)) {
      drift.push(described);
      continue;
    }
    const keys = configured.get(address.replace(/\[[^\]]*\]$/, ''));
    const attributes = described.attributes.filter((a) => keys?.has(a.path.split('.')[0] ?? '') === true);
    if (attributes.length > 0) drift.push({ ...described, attributes });
  }
  const outputs: OutputChange[] = [];
  const outputChanges = isRecord(doc.output_changes) ? doc.output_changes : {};
  for (const name of Object.keys(outputChanges).sort()) {
    const oc = outputChanges[name];
    if (!isRecord(oc)) continue;
    const kind = changeKindOf(strings(oc.actions));
    if (kind === undefined || kind === 'read') continue;
    outputs.push({ name, change: kind, sensitive: oc.after_sensitive === true || oc.before_sensitive === true });
  }
  resources.sort((a, b) => LAYERS.indexOf(a.layer) - LAYERS.indexOf(b.layer) || a.address.localeCompare(b.address));
  // `tofu plan -detailed-exitcode` says 2 for imports and for outputs alone; storm's
  // rule is what provision would change: an adoption only writes the state, and the
  // outputs a first adoption brings are the values the adopted resources already have.
  const resourceChanges = counts.create + counts.update + counts.replace + counts.delete;
  const hasChanges = resourceChanges > 0 || (outputs.length > 0 && adopts === 0);
  return { counts, hasChanges, adopts, resources, outputs, warnings, drift };
}

/** Per resource address (without index), the attributes its configuration sets. */
function configuredAttributes(configuration: unknown): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const root = isRecord(configuration) && isRecord(configuration.root_module) ? configuration.root_module : {};
  for (const r of records(root.resources)) {
    if (typeof r.address === 'string' && isRecord(r.expressions))
      out.set(r.address, new Set(Object.keys(r.expressions)));
  }
  return out;
}

function describeResourceChange(rc: Record<string, unknown>, kind: ChangeKind): ResourceChange {
  const change = isRecord(rc.change) ? rc.change : {};
  const type = typeof rc.type === 'string' ? rc.type : '';
  const replacePaths = new Set(records2paths(change.replace_paths));
  const attributes =
    kind === 'delete'
      ? []
      : diffAttributes(
          change.before,
          change.after,
          change.after_unknown,
          change.before_sensitive,
          change.after_sensitive,
          kind === 'create',
          replacePaths,
        ).map((a) => (replacePaths.has(a.path) ? { ...a, forcesReplacement: true } : a));
  return {
    address: String(rc.address ?? ''),
    type,
    name: String(rc.name ?? ''),
    layer: layerOf(type),
    change: kind,
    attributes,
  };
}

function warningsFor(r: ResourceChange, change: Record<string, unknown>): PlanWarning[] {
  const out: PlanWarning[] = [];
  if (r.change === 'delete') out.push({ kind: 'delete', address: r.address, message: `${r.address} will be DELETED` });
  if (r.change === 'replace') {
    const why = r.attributes.filter((a) => a.forcesReplacement === true).map((a) => a.path);
    out.push({
      kind: 'replace',
      address: r.address,
      message: `${r.address} will be destroyed and re-created${why.length > 0 ? ` (forced by ${why.join(', ')})` : ''}${r.type === 'openstack_compute_instance_v2' || r.type === 'openstack_blockstorage_volume_v3' ? ': its data is lost' : ''}`,
    });
  }
  const after = isRecord(change.after) ? change.after : {};
  if (
    r.type === 'openstack_networking_secgroup_rule_v2' &&
    (r.change === 'create' || r.change === 'update' || r.change === 'replace') &&
    after.direction === 'ingress' &&
    typeof after.remote_ip_prefix === 'string' &&
    INTERNET.has(after.remote_ip_prefix)
  ) {
    const proto = typeof after.protocol === 'string' && after.protocol !== '' ? after.protocol : 'any protocol';
    const ports =
      typeof after.port_range_min === 'number' && after.port_range_min > 0
        ? after.port_range_min === after.port_range_max
          ? `port ${after.port_range_min}`
          : `ports ${after.port_range_min}-${String(after.port_range_max)}`
        : 'all ports';
    out.push({
      kind: 'internet-exposure',
      address: r.address,
      message: `${r.address} opens ${ports}/${proto} to the whole internet (${after.remote_ip_prefix})`,
    });
  }
  if (r.type === 'openstack_compute_instance_v2' && r.change === 'update') {
    const changed = new Set(r.attributes.map((a) => a.path));
    if (changed.has('image_name') || changed.has('image_id'))
      out.push({
        kind: 'server-rebuild',
        address: r.address,
        message: `${r.address}: the image changes, so the server is REBUILT in place — its root disk is wiped (attached volumes survive)`,
      });
    if (changed.has('flavor_name') || changed.has('flavor_id'))
      out.push({
        kind: 'server-resize',
        address: r.address,
        message: `${r.address}: the flavor changes, so the server is RESIZED and REBOOTED (downtime)`,
      });
  }
  return out;
}

/**
 * Flattens both sides into path → rendered value and keeps the paths that differ.
 * For a create only the attributes that get a value are listed.
 */
export function diffAttributes(
  before: unknown,
  after: unknown,
  afterUnknown: unknown,
  beforeSensitive: unknown,
  afterSensitive: unknown,
  isCreate: boolean,
  forcedPaths: ReadonlySet<string> = new Set(),
): AttributeChange[] {
  const b = new Map<string, string>();
  const a = new Map<string, string>();
  // The before side is cut where the after side becomes unknown, so a block that will
  // be recomputed reads as one line rather than one line per old leaf.
  flatten(before, beforeSensitive, undefined, '', b, afterUnknown);
  flatten(after, afterSensitive, afterUnknown, '', a);
  const paths = [...new Set([...b.keys(), ...a.keys()])].sort();
  const out: AttributeChange[] = [];
  for (const p of paths) {
    const bv = b.get(p);
    const av = a.get(p);
    if (bv === av) continue;
    if (isCreate) {
      if (av === undefined || av === 'null') continue;
      out.push({ path: p, after: av });
      continue;
    }
    // Computed values the provider recalculates, and empty values turning into null, are noise.
    if (av === UNKNOWN && !forcedPaths.has(p)) continue;
    if (EMPTY.has(bv ?? 'null') && EMPTY.has(av ?? 'null')) continue;
    out.push({ path: p, ...(bv !== undefined ? { before: bv } : {}), ...(av !== undefined ? { after: av } : {}) });
  }
  return out;
}

const EMPTY = new Set(['null', '""', '[]', '{}', 'false']);

function flatten(
  value: unknown,
  sensitive: unknown,
  unknown: unknown,
  prefix: string,
  out: Map<string, string>,
  cut?: unknown,
): void {
  if (sensitive === true) {
    out.set(prefix, MASK);
    return;
  }
  if (unknown === true) {
    out.set(prefix, UNKNOWN);
    return;
  }
  if (cut === true) {
    if (prefix !== '') out.set(prefix, value === undefined ? 'null' : JSON.stringify(value));
    return;
  }
  if (
    Array.isArray(value) &&
    value.every((v) => !isRecord(v) && !Array.isArray(v)) &&
    !containsTrue(sensitive) &&
    !containsTrue(unknown)
  ) {
    if (value.length > 0 || prefix !== '') out.set(prefix, JSON.stringify(value));
    return;
  }
  if (Array.isArray(value) || isRecord(value)) {
    const keys = Array.isArray(value) ? value.map((_, i) => String(i)) : Object.keys(value);
    const unknownKeys = isRecord(unknown)
      ? Object.keys(unknown)
      : Array.isArray(unknown)
        ? unknown.map((_, i) => String(i))
        : [];
    for (const k of [...new Set([...keys, ...unknownKeys])]) {
      const child = Array.isArray(value) ? value[Number(k)] : (value as Record<string, unknown>)[k];
      flatten(child, pick(sensitive, k), pick(unknown, k), prefix === '' ? k : `${prefix}.${k}`, out, pick(cut, k));
    }
    if (keys.length === 0 && unknownKeys.length === 0 && prefix !== '')
      out.set(prefix, Array.isArray(value) ? '[]' : '{}');
    return;
  }
  if (prefix === '') return;
  out.set(prefix, value === undefined ? 'null' : JSON.stringify(value));
}

function containsTrue(v: unknown): boolean {
  if (v === true) return true;
  if (Array.isArray(v)) return v.some(containsTrue);
  if (isRecord(v)) return Object.values(v).some(containsTrue);
  return false;
}

function pick(v: unknown, key: string): unknown {
  if (Array.isArray(v)) return v[Number(key)];
  if (isRecord(v)) return v[key];
  return undefined;
}

/** replace_paths is a list of attribute paths (each a list of steps); keep top-level names. */
function records2paths(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.filter(Array.isArray).map((steps: unknown[]) => steps.map(String).join('.'));
}

function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
