/**
 * Address scopes: subnet pools join one (same IP version, prefixes unique
 * within it), and a network shows `ipv4_address_scope` / `ipv6_address_scope`
 * when its subnets come from pools of one scope.
 */
import { ownerProject, owns, type NeutronCall } from './call.js';
import { cidrsOverlap, parseCidr, type Cidr } from './ip-address.js';
import { applyListQuery, parseListQuery, type Doc, type RawQuery } from './list-query.js';
import { sharedTo } from './rbac-grants.js';
import {
  KIND,
  type AddressScopeDoc,
  type NetworkDoc,
  type RbacPolicyDoc,
  type SubnetDoc,
  type SubnetPoolDoc,
} from './model.js';
import { conflict, notFound, policyDenied } from './neutron-errors.js';
import {
  badRequest,
  boolField,
  checkAttributes,
  envelope,
  has,
  invalidAttribute,
  stringField,
  toInteger,
  type AttributeRules,
} from './request-body.js';

export const ADDRESS_SCOPE_ATTRIBUTES: AttributeRules = {
  readable: new Set(['id', 'name', 'tenant_id', 'project_id', 'shared', 'ip_version']),
  post: new Set(['name', 'tenant_id', 'project_id', 'shared', 'ip_version']),
  put: new Set(['name', 'shared']),
};

function visible(call: NeutronCall, scope: AddressScopeDoc): boolean {
  return owns(call.auth, scope.project_id) || scope.shared || sharedTo(call, 'address_scope', scope.id);
}

export function findAddressScope(call: NeutronCall, id: string): AddressScopeDoc {
  const scope = call.ctx.store.get<AddressScopeDoc>(KIND.addressScope, id);
  if (!scope || !visible(call, scope)) throw notFound('AddressScopeNotFound', `Address scope ${id} could not be found`);
  return scope;
}

export function showAddressScope(call: NeutronCall, id: string): Doc {
  return { address_scope: { ...findAddressScope(call, id) } };
}

export function listAddressScopes(call: NeutronCall, raw: RawQuery, collectionUrl: string): Doc {
  const docs = call.ctx.store
    .list<AddressScopeDoc>(KIND.addressScope)
    .filter((s) => visible(call, s))
    .map((s) => ({ ...s }) as Doc);
  const { items, links } = applyListQuery(docs, parseListQuery(raw), {
    attributes: ADDRESS_SCOPE_ATTRIBUTES.readable,
    collectionUrl,
    raw,
  });
  return links.length > 0 ? { address_scopes: items, address_scopes_links: links } : { address_scopes: items };
}

export function createAddressScope(call: NeutronCall, body: unknown): Doc {
  const input = envelope(body, 'address_scope');
  checkAttributes(input, ADDRESS_SCOPE_ATTRIBUTES, 'POST');
  if (!has(input, 'ip_version'))
    throw badRequest("Failed to parse request. Required attribute 'ip_version' not specified");
  const version = toInteger('ip_version', input.ip_version);
  if (version !== 4 && version !== 6) throw invalidAttribute('ip_version', `${version} is not in [4, 6]`);
  const shared = boolField(input, 'shared', false);
  if (shared && !call.auth.isAdmin)
    throw policyDenied('rule:create_address_scope and rule:create_address_scope:shared');
  const projectId = ownerProject(call, input);
  const scope: AddressScopeDoc = {
    id: call.ctx.newId(),
    name: stringField(input, 'name', ''),
    tenant_id: projectId,
    project_id: projectId,
    shared,
    ip_version: version,
  };
  call.ctx.store.insert(KIND.addressScope, scope, projectId);
  return { address_scope: { ...scope } };
}

export function updateAddressScope(call: NeutronCall, id: string, body: unknown): Doc {
  const input = envelope(body, 'address_scope');
  checkAttributes(input, ADDRESS_SCOPE_ATTRIBUTES, 'PUT');
  const scope = findAddressScope(call, id);
  if (!owns(call.auth, scope.project_id)) throw policyDenied('rule:update_address_scope');
  scope.name = stringField(input, 'name', scope.name);
  if (has(input, 'shared')) {
    const shared = boolField(input, 'shared', scope.shared);
    if (shared !== scope.shared && !call.auth.isAdmin)
      throw policyDenied('rule:update_address_scope and rule:update_address_scope:shared');
    if (scope.shared && !shared)
      throw badRequest('Unable to update address scope: shared address scope cannot be unshared.');
    scope.shared = shared;
  }
  call.ctx.store.update(KIND.addressScope, scope);
  return { address_scope: { ...scope } };
}

export function deleteAddressScope(call: NeutronCall, id: string): void {
  const scope = findAddressScope(call, id);
  if (!owns(call.auth, scope.project_id)) throw policyDenied('rule:delete_address_scope');
  if (call.ctx.store.list<SubnetPoolDoc>(KIND.subnetpool).some((p) => p.address_scope_id === id)) {
    throw conflict(
      'AddressScopeInUse',
      `Unable to complete operation on address scope ${id}. There are one or more subnet pools in use on the address scope.`,
    );
  }
  for (const p of call.ctx.store.list<RbacPolicyDoc>(KIND.rbac)) {
    if (p.object_type === 'address_scope' && p.object_id === id) call.ctx.store.delete(KIND.rbac, p.id);
  }
  call.ctx.store.delete(KIND.addressScope, id);
}

/** Checks that `pool` may join `scopeId` (visible, same IP version, no prefix shared with its other pools). */
export function checkPoolScope(call: NeutronCall, pool: SubnetPoolDoc, scopeId: string | null): void {
  if (scopeId === null) return;
  const scope = findAddressScope(call, scopeId);
  if (scope.ip_version !== pool.ip_version) {
    throw badRequest(
      `Illegal subnetpool association: subnetpool ${pool.id} cannot associate with address scope ${scopeId} because subnetpool ip_version is not ${scope.ip_version}.`,
    );
  }
  const cidrs = (p: SubnetPoolDoc): Cidr[] =>
    p.prefixes.map((x) => parseCidr(x)).flatMap((r) => (r.ok ? [r.cidr] : []));
  const mine = cidrs(pool);
  const overlapping = call.ctx.store
    .list<SubnetPoolDoc>(KIND.subnetpool)
    .some(
      (p) =>
        p.id !== pool.id &&
        p.address_scope_id === scopeId &&
        cidrs(p).some((c) => mine.some((m) => cidrsOverlap(c, m))),
    );
  if (overlapping) {
    throw badRequest(
      `Illegal subnetpool association: subnetpool ${pool.id} cannot be associated with address scope ${scopeId}, its prefixes overlap another subnet pool of the scope.`,
    );
  }
}

/** A network's address scope for one IP version: the scope all its subnets of that version share through their pools. */
export function networkAddressScope(
  networkId: string,
  version: 4 | 6,
  subnets: SubnetDoc[],
  pools: Map<string, SubnetPoolDoc>,
): string | null {
  const mine = subnets.filter((s) => s.network_id === networkId && s.ip_version === version);
  if (mine.length === 0) return null;
  const scopes = new Set(
    mine.map((s) => (s.subnetpool_id ? (pools.get(s.subnetpool_id)?.address_scope_id ?? null) : null)),
  );
  const [only] = [...scopes];
  return scopes.size === 1 && only !== undefined ? only : null;
}

export function networkScopesView(
  network: NetworkDoc,
  view: Doc,
  subnets: SubnetDoc[],
  pools: Map<string, SubnetPoolDoc>,
): void {
  view.ipv4_address_scope = networkAddressScope(network.id, 4, subnets, pools);
  view.ipv6_address_scope = networkAddressScope(network.id, 6, subnets, pools);
}
