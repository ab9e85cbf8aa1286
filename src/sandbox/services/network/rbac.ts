/**
 * RBAC policies: share a network (`access_as_shared`) or expose it as external
 * (`access_as_external`) to one project or to `*`; share a security group.
 */
import { applyListQuery, parseListQuery, type Doc, type RawQuery } from './list-query.js';
import { KIND, type NetworkDoc, type RbacPolicyDoc } from './model.js';
import { assertNoForeignPorts } from './networks.js';
import { enforceQuota } from './quotas.js';
import { ownerProject, owns, type NeutronCall } from './call.js';
import { touch } from './standard-attributes.js';
import { conflict, notFound } from './neutron-errors.js';
import { badRequest, checkAttributes, envelope, invalidAttribute, type AttributeRules } from './request-body.js';

export const RBAC_ATTRIBUTES: AttributeRules = {
  readable: new Set([
    'id',
    'tenant_id',
    'project_id',
    'object_type',
    'object_id',
    'action',
    'target_tenant',
    'target_project',
  ]),
  post: new Set(['tenant_id', 'project_id', 'object_type', 'object_id', 'action', 'target_tenant']),
  put: new Set(['target_tenant']),
};

const ACTIONS: Record<RbacPolicyDoc['object_type'], RbacPolicyDoc['action'][]> = {
  network: ['access_as_shared', 'access_as_external'],
  security_group: ['access_as_shared'],
  subnetpool: ['access_as_shared'],
  address_scope: ['access_as_shared'],
};

function isObjectType(value: string): value is RbacPolicyDoc['object_type'] {
  return Object.prototype.hasOwnProperty.call(ACTIONS, value);
}

function notFoundPolicy(id: string): Error {
  return notFound('RbacPolicyNotFound', `RBAC policy with id ${id} not found.`);
}

export function findPolicy(call: NeutronCall, id: string): RbacPolicyDoc {
  const policy = call.ctx.store.get<RbacPolicyDoc>(KIND.rbac, id);
  if (!policy || !owns(call.auth, policy.project_id)) throw notFoundPolicy(id);
  return policy;
}

export function showPolicy(call: NeutronCall, id: string): Doc {
  return { rbac_policy: { ...findPolicy(call, id) } };
}

export function listPolicies(call: NeutronCall, raw: RawQuery, collectionUrl: string): Doc {
  const docs = call.ctx.store
    .list<RbacPolicyDoc>(KIND.rbac)
    .filter((p) => owns(call.auth, p.project_id))
    .map((p) => ({ ...p }) as Doc);
  const { items, links } = applyListQuery(docs, parseListQuery(raw), {
    attributes: RBAC_ATTRIBUTES.readable,
    collectionUrl,
    raw,
  });
  return links.length > 0 ? { rbac_policies: items, rbac_policies_links: links } : { rbac_policies: items };
}

/** The object a policy is about, which the caller must own (else the object's own 404). */
function ownedObject(
  call: NeutronCall,
  type: RbacPolicyDoc['object_type'],
  id: string,
): { id: string; project_id: string } {
  const lookups: Record<RbacPolicyDoc['object_type'], [string, string, string]> = {
    network: [KIND.network, 'NetworkNotFound', `Network ${id} could not be found.`],
    security_group: [KIND.secgroup, 'SecurityGroupNotFound', `Security group ${id} does not exist`],
    subnetpool: [KIND.subnetpool, 'SubnetPoolNotFound', `Subnet pool ${id} could not be found.`],
    address_scope: [KIND.addressScope, 'AddressScopeNotFound', `Address scope ${id} could not be found`],
  };
  const [kind, type404, message] = lookups[type];
  const object = call.ctx.store.get<{ id: string; project_id: string }>(kind, id);
  if (!object || !owns(call.auth, object.project_id)) throw notFound(type404, message);
  return object;
}

export function createPolicy(call: NeutronCall, body: unknown): Doc {
  const input = envelope(body, 'rbac_policy');
  checkAttributes(input, RBAC_ATTRIBUTES, 'POST');
  for (const key of ['object_type', 'object_id', 'action', 'target_tenant'] as const) {
    if (typeof input[key] !== 'string')
      throw badRequest(`Failed to parse request. Required attribute '${key}' not specified`);
  }
  const objectType = String(input.object_type);
  if (!isObjectType(objectType)) {
    throw invalidAttribute(
      'object_type',
      `'${objectType}' is not in ['address_group', 'address_scope', 'network', 'qos_policy', 'security_group', 'subnetpool']`,
    );
  }
  const action = String(input.action) as RbacPolicyDoc['action'];
  if (!ACTIONS[objectType].includes(action)) {
    throw badRequest(`Invalid input for action. Reason: '${action}' is not in ${JSON.stringify(ACTIONS[objectType])}.`);
  }
  const object = ownedObject(call, objectType, String(input.object_id));
  const projectId = ownerProject(call, input);
  const target = String(input.target_tenant);
  const duplicate = call.ctx.store
    .list<RbacPolicyDoc>(KIND.rbac)
    .some(
      (p) =>
        p.object_type === objectType && p.object_id === object.id && p.action === action && p.target_tenant === target,
    );
  if (duplicate) throw conflict('DuplicateRbacPolicy', 'An RBAC policy already exists with those values.');
  enforceQuota(call.ctx, projectId, 'rbac_policy');
  const policy: RbacPolicyDoc = {
    id: call.ctx.newId(),
    tenant_id: projectId,
    project_id: projectId,
    object_type: objectType,
    object_id: object.id,
    action,
    target_tenant: target,
  };
  call.ctx.store.insert(KIND.rbac, policy, projectId);
  if (objectType === 'network' && action === 'access_as_external') {
    const net = call.ctx.store.get<NetworkDoc>(KIND.network, object.id);
    if (net && !net['router:external']) {
      net['router:external'] = true;
      touch(call.ctx, net);
      call.ctx.store.update(KIND.network, net);
    }
  }
  return { rbac_policy: { ...policy } };
}

export function updatePolicy(call: NeutronCall, id: string, body: unknown): Doc {
  const input = envelope(body, 'rbac_policy');
  checkAttributes(input, RBAC_ATTRIBUTES, 'PUT');
  const policy = findPolicy(call, id);
  if (typeof input.target_tenant === 'string' && input.target_tenant !== policy.target_tenant) {
    if (policy.object_type === 'network') {
      const net = call.ctx.store.get<NetworkDoc>(KIND.network, policy.object_id);
      if (net) assertNoForeignPorts(call, net, policy.target_tenant);
    }
    policy.target_tenant = input.target_tenant;
    call.ctx.store.update(KIND.rbac, policy);
  }
  return { rbac_policy: { ...policy } };
}

export function deletePolicy(call: NeutronCall, id: string): void {
  const policy = findPolicy(call, id);
  if (policy.object_type === 'network') {
    const net = call.ctx.store.get<NetworkDoc>(KIND.network, policy.object_id);
    if (net && policy.action === 'access_as_shared') {
      const others = call.ctx.store
        .list<RbacPolicyDoc>(KIND.rbac)
        .filter((p) => p.id !== id && p.object_id === net.id && p.action === 'access_as_shared');
      const stillCovered = others.some((p) => p.target_tenant === '*');
      if (!stillCovered) {
        try {
          assertNoForeignPorts(call, net, policy.target_tenant);
        } catch {
          throw conflict(
            'RbacPolicyInUse',
            `RBAC policy on object ${net.id} cannot be removed because other objects depend on it.`,
          );
        }
      }
    }
  }
  call.ctx.store.delete(KIND.rbac, id);
}
