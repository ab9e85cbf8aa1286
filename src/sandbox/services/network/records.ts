/**
 * What every Neutron handler needs: who is calling, the standard attributes
 * (timestamps, revision numbers, project) and the owner rules shared by all
 * resources.
 */
import type { AuthInfo, SandboxContext } from '../../core/context.js';
import { neutronError } from '../../core/errors.js';
import { KIND, type CounterDoc, type StandardAttrs } from './model.js';
import { badRequest, has, stringField, type Doc } from './request-body.js';

/** One authenticated Neutron request: the sandbox and the token's identity. */
export interface NeutronCall {
  ctx: SandboxContext;
  auth: AuthInfo;
}

/** Neutron's timestamps have whole seconds and a `Z`. */
export function timestamp(ctx: SandboxContext): string {
  return ctx.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A persistent monotonic counter (standard_attr_id, segmentation ids...). */
export function nextCounter(ctx: SandboxContext, name: string): number {
  const current = ctx.store.get<CounterDoc>(KIND.counter, name);
  const value = (current?.value ?? 0) + 1;
  if (current) ctx.store.update<CounterDoc>(KIND.counter, { id: name, value });
  else ctx.store.insert<CounterDoc>(KIND.counter, { id: name, value }, null);
  return value;
}

export function standardAttrs(call: NeutronCall, projectId: string, body: Doc, revision: number): StandardAttrs {
  const now = timestamp(call.ctx);
  return {
    id: call.ctx.newId(),
    tenant_id: projectId,
    project_id: projectId,
    description: stringField(body, 'description', ''),
    tags: [],
    created_at: now,
    updated_at: now,
    revision_number: revision,
  };
}

/** Records a change: Neutron bumps `revision_number` and `updated_at` on every write to a resource. */
export function touch<T extends { revision_number: number; updated_at: string }>(ctx: SandboxContext, doc: T): T {
  doc.revision_number += 1;
  doc.updated_at = timestamp(ctx);
  return doc;
}

/** Drops `_`-prefixed private fields before a document is answered. */
export function publicFields(doc: object): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(doc)) if (!key.startsWith('_')) out[key] = value;
  return out;
}

/**
 * The project a new resource belongs to: the caller's, or the one named in the
 * body (`project_id`/`tenant_id`), which only an admin may choose.
 */
export function ownerProject(call: NeutronCall, body: Doc): string {
  const fromProject = has(body, 'project_id') ? body.project_id : undefined;
  const fromTenant = has(body, 'tenant_id') ? body.tenant_id : undefined;
  if (fromProject !== undefined && fromTenant !== undefined && fromProject !== fromTenant) {
    throw badRequest("'project_id' and 'tenant_id' do not match");
  }
  const requested = fromProject ?? fromTenant;
  if (requested === undefined || requested === null || requested === '') return call.auth.projectId;
  if (typeof requested !== 'string') throw badRequest(`Invalid input for project_id. Reason: '${JSON.stringify(requested)}' is not a valid string.`);
  if (requested !== call.auth.projectId && !call.auth.isAdmin) {
    throw badRequest("Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin privileges");
  }
  return requested;
}

/** Whether the caller owns (or, as admin, may act on) a resource of `projectId`. */
export function owns(auth: AuthInfo, projectId: string): boolean {
  return auth.isAdmin || projectId === auth.projectId;
}

export function policyDenied(rule: string): Error {
  return neutronError(403, 'PolicyNotAuthorized', `(${rule}) is disallowed by policy`);
}

export function notFound(type: string, message: string): Error {
  return neutronError(404, type, message);
}

export function conflict(type: string, message: string): Error {
  return neutronError(409, type, message);
}

export function badResourceRequest(resource: string, message: string): Error {
  return neutronError(400, 'BadRequest', `Bad ${resource} request: ${message}.`);
}
