/**
 * The standard-attr-tag API: /v2.0/{collection}/{id}/tags[/{tag}] on every
 * tagged resource. A tag change bumps the resource's revision, as in Neutron.
 */
import type { Doc } from './list-query.js';
import { KIND, type StandardAttrs } from './model.js';
import { findFloatingIp } from './floating-ips.js';
import { findNetwork } from './networks.js';
import { findPort } from './ports.js';
import { owns, type NeutronCall } from './call.js';
import { touch } from './standard-attributes.js';
import { notFound, policyDenied } from './neutron-errors.js';
import { findRouter } from './routers.js';
import { badRequest, has, invalidAttribute, isObject } from './request-body.js';
import { findSecurityGroup } from './security-groups.js';
import { findSubnetPool } from './subnet-pools.js';
import { findSubnet } from './subnets.js';

/** Collections that carry tags, with their store kind and lookup (which answers the resource's own 404). */
export const TAGGED_COLLECTIONS = {
  networks: { kind: KIND.network, find: findNetwork },
  subnets: { kind: KIND.subnet, find: findSubnet },
  subnetpools: { kind: KIND.subnetpool, find: findSubnetPool },
  ports: { kind: KIND.port, find: findPort },
  routers: { kind: KIND.router, find: findRouter },
  'security-groups': { kind: KIND.secgroup, find: findSecurityGroup },
  security_groups: { kind: KIND.secgroup, find: findSecurityGroup },
  floatingips: { kind: KIND.floatingip, find: findFloatingIp },
} as const;

export type TaggedCollection = keyof typeof TAGGED_COLLECTIONS;

export function isTaggedCollection(name: string): name is TaggedCollection {
  return Object.prototype.hasOwnProperty.call(TAGGED_COLLECTIONS, name);
}

function resource(call: NeutronCall, collection: TaggedCollection, id: string): { kind: string; doc: StandardAttrs } {
  const entry = TAGGED_COLLECTIONS[collection];
  const doc = entry.find(call, id) as StandardAttrs;
  if (!owns(call.auth, doc.project_id)) throw policyDenied(`rule:update_${collection.replace(/s$/, '')}:tags`);
  return { kind: entry.kind, doc };
}

function checkTag(tag: unknown): string {
  if (typeof tag !== 'string' || tag === '' || tag.length > 255)
    throw invalidAttribute('tags', `'${String(tag)}' is not a valid tag`);
  if (tag.includes(',')) throw invalidAttribute('tags', `'${tag}' contains a comma`);
  return tag;
}

function save(call: NeutronCall, kind: string, doc: StandardAttrs): void {
  touch(call.ctx, doc);
  call.ctx.store.update(kind, doc);
}

export function getTags(call: NeutronCall, collection: TaggedCollection, id: string): Doc {
  const entry = TAGGED_COLLECTIONS[collection];
  const doc = entry.find(call, id) as StandardAttrs;
  return { tags: [...doc.tags] };
}

/** GET .../tags/{tag}: 204 when present, 404 TagNotFound otherwise. */
export function checkTagPresent(call: NeutronCall, collection: TaggedCollection, id: string, tag: string): void {
  const doc = TAGGED_COLLECTIONS[collection].find(call, id) as StandardAttrs;
  if (!doc.tags.includes(tag)) throw notFound('TagNotFound', `Tag ${tag} could not be found.`);
}

export function replaceTags(call: NeutronCall, collection: TaggedCollection, id: string, body: unknown): Doc {
  if (!isObject(body) || !has(body, 'tags')) throw badRequest("Unable to find 'tags' in request body");
  if (!Array.isArray(body.tags)) throw invalidAttribute('tags', `'${JSON.stringify(body.tags)}' is not a list`);
  const tags = [...new Set((body.tags as unknown[]).map(checkTag))];
  const { kind, doc } = resource(call, collection, id);
  doc.tags = tags;
  save(call, kind, doc);
  return { tags: [...tags] };
}

export function addTag(call: NeutronCall, collection: TaggedCollection, id: string, tag: string): void {
  const { kind, doc } = resource(call, collection, id);
  if (doc.tags.includes(checkTag(tag))) return;
  doc.tags.push(tag);
  save(call, kind, doc);
}

export function removeTag(call: NeutronCall, collection: TaggedCollection, id: string, tag: string): void {
  const { kind, doc } = resource(call, collection, id);
  if (!doc.tags.includes(tag)) throw notFound('TagNotFound', `Tag ${tag} could not be found.`);
  doc.tags = doc.tags.filter((t) => t !== tag);
  save(call, kind, doc);
}

export function removeAllTags(call: NeutronCall, collection: TaggedCollection, id: string): void {
  const { kind, doc } = resource(call, collection, id);
  doc.tags = [];
  save(call, kind, doc);
}
