/**
 * Subnet pools (subnet_allocation, default-subnetpools): a subnet may name a
 * pool (or ask for the default one) and a prefix length instead of a CIDR; the
 * pool hands out the first free block of its prefixes. No address scopes.
 */
import type { NeutronCall } from './call.js';
import {
  cidrContains,
  cidrsOverlap,
  formatCidr,
  lastAddress,
  parseCidr,
  type Cidr,
  type IpVersion,
} from './ip-address.js';
import { subnetCidr } from './ipam.js';
import { applyListQuery, parseListQuery, type Doc, type RawQuery } from './list-query.js';
import { sharedTo } from './rbac-grants.js';
import { KIND, type RbacPolicyDoc, type SubnetDoc, type SubnetPoolDoc } from './model.js';
import { conflict, notFound, policyDenied } from './neutron-errors.js';
import { checkPoolScope } from './address-scopes.js';
import { enforceQuota } from './quotas.js';
import { ownerProject, owns } from './call.js';
import { publicFields, standardAttrs, touch } from './standard-attributes.js';
import {
  boolField,
  checkAttributes,
  envelope,
  has,
  invalidAttribute,
  invalidInput,
  stringField,
  toInteger,
  type AttributeRules,
} from './request-body.js';
import { neutronError } from '../../core/errors.js';

export const SUBNETPOOL_ATTRIBUTES: AttributeRules = {
  readable: new Set([
    'id',
    'name',
    'tenant_id',
    'project_id',
    'prefixes',
    'min_prefixlen',
    'max_prefixlen',
    'default_prefixlen',
    'default_quota',
    'address_scope_id',
    'is_default',
    'shared',
    'ip_version',
    'description',
    'tags',
    'created_at',
    'updated_at',
    'revision_number',
  ]),
  post: new Set([
    'name',
    'tenant_id',
    'project_id',
    'prefixes',
    'min_prefixlen',
    'max_prefixlen',
    'default_prefixlen',
    'default_quota',
    'address_scope_id',
    'is_default',
    'shared',
    'description',
  ]),
  put: new Set([
    'name',
    'prefixes',
    'min_prefixlen',
    'max_prefixlen',
    'default_prefixlen',
    'default_quota',
    'address_scope_id',
    'is_default',
    'description',
  ]),
};

function visible(call: NeutronCall, pool: SubnetPoolDoc): boolean {
  return owns(call.auth, pool.project_id) || pool.shared || sharedTo(call, 'subnetpool', pool.id);
}

export function findSubnetPool(call: NeutronCall, id: string): SubnetPoolDoc {
  const pool = call.ctx.store.get<SubnetPoolDoc>(KIND.subnetpool, id);
  if (!pool || !visible(call, pool)) throw notFound('SubnetPoolNotFound', `Subnet pool ${id} could not be found.`);
  return pool;
}

export function showSubnetPool(call: NeutronCall, id: string): Doc {
  return { subnetpool: publicFields(findSubnetPool(call, id)) };
}

export function listSubnetPools(call: NeutronCall, raw: RawQuery, collectionUrl: string): Doc {
  const docs = call.ctx.store
    .list<SubnetPoolDoc>(KIND.subnetpool)
    .filter((p) => visible(call, p))
    .map((p) => publicFields(p));
  const { items, links } = applyListQuery(docs, parseListQuery(raw), {
    attributes: SUBNETPOOL_ATTRIBUTES.readable,
    collectionUrl,
    raw,
  });
  return links.length > 0 ? { subnetpools: items, subnetpools_links: links } : { subnetpools: items };
}

function readPrefixes(value: unknown): Cidr[] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalidAttribute('prefixes', `'${JSON.stringify(value)}' is not a non-empty list`);
  const cidrs = value.map((v) => {
    const parsed = parseCidr(String(v));
    if (!parsed.ok) throw invalidAttribute('prefixes', `'${String(v)}' is not a valid IP subnet`);
    return parsed.cidr;
  });
  if (new Set(cidrs.map((c) => c.version)).size > 1)
    throw invalidInput('Illegal subnetpool: cannot mix IPv4 and IPv6 prefixes.');
  return cidrs;
}

interface Bounds {
  min: number;
  max: number;
  dflt: number;
}

function readBounds(input: Doc, version: IpVersion, current?: Bounds): Bounds {
  const bits = version === 4 ? 32 : 128;
  const min = has(input, 'min_prefixlen')
    ? toInteger('min_prefixlen', input.min_prefixlen)
    : (current?.min ?? (version === 4 ? 8 : 64));
  const max = has(input, 'max_prefixlen') ? toInteger('max_prefixlen', input.max_prefixlen) : (current?.max ?? bits);
  const dflt = has(input, 'default_prefixlen')
    ? toInteger('default_prefixlen', input.default_prefixlen)
    : (current?.dflt ?? min);
  if (min < 0 || max > bits || min > max || dflt < min || dflt > max) {
    throw neutronError(
      400,
      'IllegalSubnetPoolPrefixBounds',
      `Illegal prefix bounds: prefix_type=default_prefixlen, prefixlen=${dflt}, base_prefix_type=min_prefixlen, base_prefixlen=${min}.`,
    );
  }
  return { min, max, dflt };
}

function checkDefault(call: NeutronCall, pool: SubnetPoolDoc): void {
  if (!pool.is_default) return;
  if (!call.auth.isAdmin) throw policyDenied('rule:create_subnetpool:is_default');
  const other = call.ctx.store
    .list<SubnetPoolDoc>(KIND.subnetpool)
    .find((p) => p.id !== pool.id && p.is_default && p.ip_version === pool.ip_version);
  if (other) {
    throw invalidInput(
      `A default subnetpool for this IP family has already been set. Only one default may exist per IP family`,
    );
  }
}

export function createSubnetPool(call: NeutronCall, body: unknown): Doc {
  const input = envelope(body, 'subnetpool');
  checkAttributes(input, SUBNETPOOL_ATTRIBUTES, 'POST');
  if (!has(input, 'prefixes')) throw invalidAttribute('prefixes', "Required attribute 'prefixes' not specified");
  const shared = boolField(input, 'shared', false);
  if (shared && !call.auth.isAdmin) throw policyDenied('rule:create_subnetpool:shared');
  const prefixes = readPrefixes(input.prefixes);
  const version = prefixes[0]?.version ?? 4;
  const bounds = readBounds(input, version);
  const projectId = ownerProject(call, input);
  enforceQuota(call.ctx, projectId, 'subnetpool');
  const pool: SubnetPoolDoc = {
    ...standardAttrs(call, projectId, input, 0),
    name: stringField(input, 'name', ''),
    prefixes: prefixes.map(formatCidr),
    min_prefixlen: bounds.min,
    max_prefixlen: bounds.max,
    default_prefixlen: bounds.dflt,
    default_quota:
      has(input, 'default_quota') && input.default_quota !== null
        ? toInteger('default_quota', input.default_quota)
        : null,
    address_scope_id:
      has(input, 'address_scope_id') && input.address_scope_id !== null ? String(input.address_scope_id) : null,
    is_default: boolField(input, 'is_default', false),
    shared,
    ip_version: version,
  };
  checkDefault(call, pool);
  checkPoolScope(call, pool, pool.address_scope_id);
  call.ctx.store.insert(KIND.subnetpool, pool, projectId);
  return { subnetpool: publicFields(pool) };
}

function subnetsOfPool(call: NeutronCall, poolId: string): SubnetDoc[] {
  return call.ctx.store.list<SubnetDoc>(KIND.subnet).filter((s) => s.subnetpool_id === poolId);
}

export function updateSubnetPool(call: NeutronCall, id: string, body: unknown): Doc {
  const input = envelope(body, 'subnetpool');
  checkAttributes(input, SUBNETPOOL_ATTRIBUTES, 'PUT');
  const pool = findSubnetPool(call, id);
  if (!owns(call.auth, pool.project_id)) throw policyDenied('rule:update_subnetpool');
  if (has(input, 'prefixes')) {
    const next = readPrefixes(input.prefixes);
    if (next.some((c) => c.version !== pool.ip_version))
      throw invalidInput('Illegal subnetpool: cannot mix IPv4 and IPv6 prefixes.');
    // Prefixes may only grow: every old prefix must stay covered.
    const old = pool.prefixes.map((p) => parseCidr(p)).flatMap((r) => (r.ok ? [r.cidr] : []));
    const shrinks = old.some(
      (o) => !next.some((n) => n.prefix <= o.prefix && cidrContains(n, { version: o.version, value: o.network })),
    );
    if (shrinks)
      throw neutronError(400, 'IllegalPrefixUpdate', 'Illegal update to prefixes: prefixes cannot be removed.');
    pool.prefixes = next.map(formatCidr);
  }
  const bounds = readBounds(input, pool.ip_version, {
    min: pool.min_prefixlen,
    max: pool.max_prefixlen,
    dflt: pool.default_prefixlen,
  });
  pool.min_prefixlen = bounds.min;
  pool.max_prefixlen = bounds.max;
  pool.default_prefixlen = bounds.dflt;
  pool.name = stringField(input, 'name', pool.name);
  pool.description = stringField(input, 'description', pool.description);
  if (has(input, 'default_quota'))
    pool.default_quota = input.default_quota === null ? null : toInteger('default_quota', input.default_quota);
  if (has(input, 'is_default')) pool.is_default = boolField(input, 'is_default', false);
  if (has(input, 'address_scope_id'))
    pool.address_scope_id = input.address_scope_id === null ? null : String(input.address_scope_id);
  checkDefault(call, pool);
  checkPoolScope(call, pool, pool.address_scope_id);
  touch(call.ctx, pool);
  call.ctx.store.update(KIND.subnetpool, pool);
  return { subnetpool: publicFields(pool) };
}

export function deleteSubnetPool(call: NeutronCall, id: string): void {
  const pool = findSubnetPool(call, id);
  if (!owns(call.auth, pool.project_id)) throw policyDenied('rule:delete_subnetpool');
  if (subnetsOfPool(call, id).length > 0) {
    throw conflict(
      'SubnetPoolInUse',
      `Unable to complete operation on subnet pool ${id}. Subnet pool has existing allocations.`,
    );
  }
  for (const p of call.ctx.store.list<RbacPolicyDoc>(KIND.rbac)) {
    if (p.object_type === 'subnetpool' && p.object_id === id) call.ctx.store.delete(KIND.rbac, p.id);
  }
  call.ctx.store.delete(KIND.subnetpool, id);
}

/** The pool a subnet request names (`subnetpool_id`, or `use_default_subnetpool`), if any. */
export function requestedPool(call: NeutronCall, input: Doc, version: IpVersion): SubnetPoolDoc | undefined {
  if (has(input, 'subnetpool_id') && input.subnetpool_id !== null)
    return findSubnetPool(call, String(input.subnetpool_id));
  if (boolField(input, 'use_default_subnetpool', false)) {
    const pool = call.ctx.store
      .list<SubnetPoolDoc>(KIND.subnetpool)
      .find((p) => p.is_default && p.ip_version === version);
    if (!pool)
      throw neutronError(400, 'BadRequest', `Bad subnet request: No default subnetpool found for IPv${version}.`);
    return pool;
  }
  return undefined;
}

/**
 * The CIDR a subnet gets from `pool`: the requested one (inside the pool's
 * prefixes and free), or the first free block of `prefixlen` bits.
 */
export function allocateFromPool(
  call: NeutronCall,
  pool: SubnetPoolDoc,
  requested: Cidr | undefined,
  prefixlenRaw: unknown,
): Cidr {
  const taken = subnetsOfPool(call, pool.id).map(subnetCidr);
  const prefixes = pool.prefixes.map((p) => parseCidr(p)).flatMap((r) => (r.ok ? [r.cidr] : []));
  const prefixlen =
    requested?.prefix ??
    (prefixlenRaw === undefined || prefixlenRaw === null
      ? pool.default_prefixlen
      : toInteger('prefixlen', prefixlenRaw));
  if (prefixlen < pool.min_prefixlen || prefixlen > pool.max_prefixlen) {
    throw neutronError(
      400,
      'IllegalSubnetPoolPrefixBounds',
      `Illegal prefix bounds: prefix_type=prefixlen, prefixlen=${prefixlen}, base_prefix_type=min_prefixlen, base_prefixlen=${pool.min_prefixlen}.`,
    );
  }
  if (requested) {
    const inside = prefixes.some(
      (p) => p.prefix <= requested.prefix && cidrContains(p, { version: requested.version, value: requested.network }),
    );
    if (!inside)
      throw neutronError(
        400,
        'SubnetAllocationError',
        `Failed to allocate subnet: Cidr ${formatCidr(requested)} not in subnet pool ${pool.id}.`,
      );
    if (taken.some((t) => cidrsOverlap(t, requested))) {
      throw neutronError(
        409,
        'SubnetAllocationError',
        `Failed to allocate subnet: Cidr ${formatCidr(requested)} overlaps with an existing allocation of subnet pool ${pool.id}.`,
      );
    }
    return requested;
  }
  const bits = pool.ip_version === 4 ? 32 : 128;
  const step = 1n << BigInt(bits - prefixlen);
  for (const prefix of prefixes) {
    if (prefix.prefix > prefixlen) continue;
    let network = prefix.network;
    while (network + step - 1n <= lastAddress(prefix)) {
      const candidate: Cidr = { version: pool.ip_version, network, prefix: prefixlen };
      const clash = taken.find((t) => cidrsOverlap(t, candidate));
      if (!clash) return candidate;
      // Jump to the first aligned block after the allocation in the way.
      const after = lastAddress(clash) + 1n;
      network = prefix.network + ((after - prefix.network + step - 1n) / step) * step;
    }
  }
  throw neutronError(
    409,
    'SubnetAllocationError',
    `Failed to allocate subnet: Insufficient prefix space to allocate subnet size /${prefixlen}.`,
  );
}
