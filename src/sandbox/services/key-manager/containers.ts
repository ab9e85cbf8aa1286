/**
 * Containers: a named set of secret references, typed `generic` (any names,
 * changeable later), `certificate` (certificate, private_key,
 * private_key_passphrase, intermediates) or `rsa`; consumers (the services
 * that use a container, as Octavia registers itself) are listed on it.
 */
import { barbicanError } from '../../core/errors.js';
import { liveSecret, ownedContainer, readableContainer } from './access.js';
import {
  type Body,
  barbicanTime,
  badRequest,
  bodyObject,
  type Call,
  containerRef,
  idFromRef,
  invalid,
  optionalString,
  page,
  secretRef,
} from './call.js';
import { CONTAINER_SECRET_NAMES, CONTAINER_TYPES, type ContainerDoc, KIND } from './model.js';

const SCHEMA = 'Container';

interface Ref {
  name: string | null;
  secret_id: string;
}

/** A secret reference the caller's project owns (Barbican looks it up in the caller's project). */
function readRef(call: Call, raw: unknown, schema: string): Ref {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid(schema, `${JSON.stringify(raw)} is not of type 'object'`, 'secret_refs');
  const r = raw as Body;
  const name = r.name === undefined || r.name === null ? null : r.name;
  if (name !== null && (typeof name !== 'string' || name.length > 255))
    throw invalid(schema, `${JSON.stringify(name)} is not of type 'string'`, 'name');
  if (typeof r.secret_ref !== 'string') throw invalid(schema, "'secret_ref' is a required property", 'secret_ref');
  const id = idFromRef(r.secret_ref, 'secrets');
  const secret = id === undefined ? undefined : liveSecret(call.ctx, id);
  if (id === undefined || secret === undefined || secret.project_id !== call.auth.projectId)
    throw barbicanError(404, `Secret provided for '${name ?? ''}' doesn't exist.`);
  return { name, secret_id: id };
}

function checkNames(type: string, refs: readonly Ref[]): void {
  const names = refs.map((r) => r.name ?? '');
  if (new Set(names).size !== names.length)
    throw invalid(SCHEMA, 'Duplicate reference names are not allowed', 'secret_refs');
  const rule = CONTAINER_SECRET_NAMES[type];
  if (rule === undefined) return;
  const label = type === 'rsa' ? 'RSA' : 'Certificate';
  if (names.some((n) => !rule.allowed.includes(n)))
    throw invalid(
      SCHEMA,
      `only ${rule.allowed.map((n) => `'${n}'`).join(', ')} reference names are allowed for ${label} type`,
      'secret_refs',
    );
  for (const required of rule.required)
    if (!names.includes(required))
      throw invalid(SCHEMA, `'${required}' reference is required for ${label} type`, 'secret_refs');
}

export function createContainer(call: Call, body: unknown): { container_ref: string } {
  const { ctx, auth } = call;
  const b = bodyObject(body, SCHEMA);
  const type = b.type;
  if (typeof type !== 'string' || !(CONTAINER_TYPES as readonly string[]).includes(type))
    throw invalid(SCHEMA, `${JSON.stringify(type ?? null)} is not one of ${JSON.stringify(CONTAINER_TYPES)}`, 'type');
  const rawRefs = b.secret_refs ?? [];
  if (!Array.isArray(rawRefs))
    throw invalid(SCHEMA, `${JSON.stringify(rawRefs)} is not of type 'array'`, 'secret_refs');
  const name = optionalString(b, 'name', SCHEMA);
  // Names are checked before the secrets are looked up, as Barbican's validator runs first.
  const shapes = rawRefs.map((r) => (typeof r === 'object' && r !== null ? (r as Body) : {}));
  checkNames(
    type,
    shapes.map((r) => ({ name: typeof r.name === 'string' ? r.name : null, secret_id: '' })),
  );
  const refs = rawRefs.map((r) => readRef(call, r, SCHEMA));
  const now = barbicanTime(ctx.now());
  const doc: ContainerDoc = {
    id: ctx.newId(),
    project_id: auth.projectId,
    name,
    type,
    created: now,
    updated: now,
    creator_id: auth.userId,
    secret_refs: refs,
    _consumers: [],
    _acl: {},
  };
  ctx.store.insert(KIND.container, doc, auth.projectId);
  return { container_ref: containerRef(ctx, doc.id) };
}

export function containerView(call: Call, c: ContainerDoc): Record<string, unknown> {
  return {
    consumers: c._consumers.map((x) => ({ name: x.name, URL: x.URL })),
    container_ref: containerRef(call.ctx, c.id),
    created: c.created,
    creator_id: c.creator_id,
    name: c.name,
    secret_refs: c.secret_refs.map((r) => ({ name: r.name, secret_ref: secretRef(call.ctx, r.secret_id) })),
    status: 'ACTIVE',
    type: c.type,
    updated: c.updated,
  };
}

export function getContainer(call: Call, id: string): Record<string, unknown> {
  return containerView(call, readableContainer(call, id, 'Container retrieval'));
}

export function deleteContainer(call: Call, id: string): void {
  ownedContainer(call, id, 'Container deletion');
  call.ctx.store.delete(KIND.container, id);
}

export function listContainers(call: Call, query: Record<string, string>): Record<string, unknown> {
  const { ctx, auth } = call;
  let all = ctx.store.list<ContainerDoc>(KIND.container).filter((c) => c.project_id === auth.projectId);
  if (query.name !== undefined && query.name !== '') all = all.filter((c) => c.name === query.name);
  if (query.type !== undefined && query.type !== '') all = all.filter((c) => c.type === query.type);
  all.sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
  const { items, links } = page(ctx, 'containers', all, query);
  return { containers: items.map((c) => containerView(call, c)), total: all.length, ...links };
}

function modifiable(call: Call, id: string, operation: string): ContainerDoc {
  const c = ownedContainer(call, id, operation);
  if (c.type !== 'generic') throw badRequest("Only 'generic' containers can be modified.");
  return c;
}

export function addContainerSecret(call: Call, id: string, body: unknown): { container_ref: string } {
  const c = modifiable(call, id, 'Container Secret creation');
  const ref = readRef(call, bodyObject(body, 'Container Secret'), 'Container Secret');
  if (c.secret_refs.some((r) => r.name === ref.name && r.secret_id === ref.secret_id))
    throw barbicanError(
      409,
      'Conflict. A secret with that name and ID is already stored in this container. The same secret can exist in a container as long as the name is unique.',
    );
  if (c.secret_refs.some((r) => r.name === ref.name))
    throw invalid('Container Secret', 'Duplicate reference names are not allowed', 'name');
  call.ctx.store.update<ContainerDoc>(KIND.container, {
    ...c,
    secret_refs: [...c.secret_refs, ref],
    updated: barbicanTime(call.ctx.now()),
  });
  return { container_ref: containerRef(call.ctx, c.id) };
}

export function removeContainerSecret(call: Call, id: string, body: unknown): void {
  const c = modifiable(call, id, 'Container Secret deletion');
  const b = bodyObject(body, 'Container Secret');
  const sid = typeof b.secret_ref === 'string' ? idFromRef(b.secret_ref, 'secrets') : undefined;
  const name = typeof b.name === 'string' ? b.name : null;
  const kept = c.secret_refs.filter((r) => !(r.secret_id === sid && r.name === name));
  if (kept.length === c.secret_refs.length)
    throw barbicanError(404, `Secret '${sid ?? ''}' with name '${name ?? ''}' not found in container.`);
  call.ctx.store.update<ContainerDoc>(KIND.container, {
    ...c,
    secret_refs: kept,
    updated: barbicanTime(call.ctx.now()),
  });
}

// ---- consumers ---------------------------------------------------------------------------------

function readConsumer(body: unknown): { name: string; URL: string } {
  const b = bodyObject(body, 'Consumer');
  if (typeof b.name !== 'string' || b.name === '') throw invalid('Consumer', "'name' is a required property", 'name');
  if (typeof b.URL !== 'string' || b.URL === '') throw invalid('Consumer', "'URL' is a required property", 'URL');
  return { name: b.name, URL: b.URL };
}

export function listConsumers(call: Call, id: string, query: Record<string, string>): Record<string, unknown> {
  const c = readableContainer(call, id, 'ContainerConsumers(s) retrieval');
  const all = c._consumers.map((x) => ({
    name: x.name,
    URL: x.URL,
    created: x.created,
    updated: x.created,
    status: 'ACTIVE',
  }));
  const offset = Number(query.offset ?? '0');
  const limit = Math.min(Number(query.limit ?? '10') || 10, 100);
  const start = Number.isInteger(offset) && offset > 0 ? offset : 0;
  return { consumers: all.slice(start, start + limit), total: all.length };
}

export function addConsumer(call: Call, id: string, body: unknown): Record<string, unknown> {
  const c = readableContainer(call, id, 'ContainerConsumer creation');
  const one = readConsumer(body);
  const exists = c._consumers.some((x) => x.name === one.name && x.URL === one.URL);
  const next: ContainerDoc = exists
    ? c
    : { ...c, _consumers: [...c._consumers, { ...one, created: barbicanTime(call.ctx.now()) }] };
  if (!exists) call.ctx.store.update<ContainerDoc>(KIND.container, next);
  return containerView(call, next);
}

export function removeConsumer(call: Call, id: string, body: unknown): Record<string, unknown> {
  const c = readableContainer(call, id, 'ContainerConsumer deletion');
  const one = readConsumer(body);
  const kept = c._consumers.filter((x) => !(x.name === one.name && x.URL === one.URL));
  if (kept.length === c._consumers.length) throw barbicanError(404, 'Consumer not found.');
  const next: ContainerDoc = { ...c, _consumers: kept };
  call.ctx.store.update<ContainerDoc>(KIND.container, next);
  return containerView(call, next);
}
