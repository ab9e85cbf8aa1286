/**
 * Neutron quotas: per-project limits stored in `network.quota` (absent = the
 * shipped defaults), enforced on create with 409 OverQuota as the real one.
 */
import type { SandboxContext } from '../../core/context.js';
import { neutronError } from '../../core/errors.js';
import { DEFAULT_QUOTA, KIND, QUOTA_RESOURCES, type QuotaDoc, type QuotaResource, type QuotaSet } from './model.js';
import type { NeutronCall } from './call.js';
import { badRequest, envelope, toInteger, type Doc } from './request-body.js';

const RESOURCE_KIND: Record<QuotaResource, string> = {
  network: KIND.network,
  subnet: KIND.subnet,
  subnetpool: KIND.subnetpool,
  port: KIND.port,
  router: KIND.router,
  floatingip: KIND.floatingip,
  rbac_policy: KIND.rbac,
  security_group: KIND.secgroup,
  security_group_rule: KIND.secgroupRule,
};

export function quotaOf(ctx: SandboxContext, projectId: string): QuotaSet {
  const stored = ctx.store.get<QuotaDoc>(KIND.quota, projectId);
  return { ...DEFAULT_QUOTA, ...(stored?.quota ?? {}) };
}

export function usageOf(ctx: SandboxContext, projectId: string, resource: QuotaResource): number {
  const kind = RESOURCE_KIND[resource];
  return ctx.store.count(kind, { projectId });
}

/** Throws OverQuota when `projectId` may not create `amount` more `resource`s. */
export function enforceQuota(ctx: SandboxContext, projectId: string, resource: QuotaResource, amount = 1): void {
  if (projectId === '') return;
  const limit = quotaOf(ctx, projectId)[resource];
  if (limit < 0) return;
  if (usageOf(ctx, projectId, resource) + amount > limit) {
    throw neutronError(409, 'OverQuota', `Quota exceeded for resources: ['${resource}'].`);
  }
}

function requireAdminOrSelf(call: NeutronCall, projectId: string): void {
  if (!call.auth.isAdmin && projectId !== call.auth.projectId) {
    throw neutronError(403, 'NotAuthorized', 'Not authorized.');
  }
}

export function showQuota(call: NeutronCall, projectId: string): Doc {
  requireAdminOrSelf(call, projectId);
  return { quota: quotaOf(call.ctx, projectId) };
}

export function showDefaultQuota(call: NeutronCall, projectId: string): Doc {
  requireAdminOrSelf(call, projectId);
  return { quota: { ...DEFAULT_QUOTA } };
}

export function showQuotaDetails(call: NeutronCall, projectId: string): Doc {
  requireAdminOrSelf(call, projectId);
  const limits = quotaOf(call.ctx, projectId);
  const details: Doc = {};
  for (const resource of QUOTA_RESOURCES) {
    details[resource] = { used: usageOf(call.ctx, projectId, resource), limit: limits[resource], reserved: 0 };
  }
  return { quota: details };
}

/** GET /v2.0/quotas: the projects whose limits differ from the defaults (admin only). */
export function listQuotas(call: NeutronCall): Doc {
  if (!call.auth.isAdmin) throw neutronError(403, 'NotAuthorized', 'Not authorized.');
  const quotas = call.ctx.store.list<QuotaDoc>(KIND.quota).map((q) => ({
    ...quotaOf(call.ctx, q.id),
    tenant_id: q.id,
    project_id: q.id,
  }));
  return { quotas };
}

export function updateQuota(call: NeutronCall, projectId: string, body: unknown): Doc {
  if (!call.auth.isAdmin) throw neutronError(403, 'NotAuthorized', 'Not authorized.');
  const changes = envelope(body, 'quota');
  const stored = call.ctx.store.get<QuotaDoc>(KIND.quota, projectId);
  const quota: Partial<QuotaSet> = { ...(stored?.quota ?? {}) };
  for (const [key, raw] of Object.entries(changes)) {
    if (key === 'force' || key === 'check_limit') continue;
    if (!(QUOTA_RESOURCES as readonly string[]).includes(key)) throw badRequest(`Unrecognized attribute(s) '${key}'`);
    const value = toInteger(key, raw);
    if (value < -1)
      throw badRequest(`Invalid input for ${key}. Reason: '${value}' is too small - must be at least '-1'.`);
    quota[key as QuotaResource] = value;
  }
  if (stored) call.ctx.store.update<QuotaDoc>(KIND.quota, { id: projectId, quota });
  else call.ctx.store.insert<QuotaDoc>(KIND.quota, { id: projectId, quota }, projectId);
  return { quota: quotaOf(call.ctx, projectId) };
}

export function resetQuota(call: NeutronCall, projectId: string): void {
  if (!call.auth.isAdmin) throw neutronError(403, 'NotAuthorized', 'Not authorized.');
  call.ctx.store.delete(KIND.quota, projectId);
}
