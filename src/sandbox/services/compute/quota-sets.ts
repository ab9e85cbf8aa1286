/** Nova limits and quota sets: show (with defaults and detail), update and reset. */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { badRequest, forbidden } from './api-fault.js';
import { requireEnvelope } from './request-body.js';
import { beginNova, pathParam, queryParams, requireNovaAdmin, type NovaCall, type Json, V } from './call.js';
import { BODY_BOOLEAN, isTrue } from '../../core/booleans.js';
import {
  COMPUTE_QUOTA_DEFAULTS,
  COMPUTE_QUOTA_RESOURCES,
  KIND,
  type ComputeQuotaDoc,
  type ComputeQuotaResource,
} from './model.js';
import { pythonRepr } from './python-repr.js';
import { absoluteLimits, quotaLimitsOf, quotaUsageByResource, usageOf, visibleQuotaResources } from './quotas.js';

export function quotaSetView(call: NovaCall, projectId: string, withId: boolean): Json {
  const limits = quotaLimitsOf(call.ctx, projectId);
  const out: Json = withId ? { id: projectId } : {};
  for (const r of visibleQuotaResources(call.v)) out[r] = limits[r];
  return out;
}

export function quotaTarget(call: NovaCall, projectId: string): string {
  if (projectId !== call.auth.projectId && !call.auth.isAdmin)
    throw forbidden(`Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.`);
  return projectId;
}

export function registerQuotaSetRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  // limits and quotas
  app.get(`${V}/limits`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const tenant = queryParams(req).one.tenant_id;
    const projectId = tenant !== undefined && call.auth.isAdmin ? tenant : call.auth.projectId;
    return { limits: { rate: [], absolute: absoluteLimits(ctx, call.v, projectId) } };
  });
  app.get(`${V}/os-quota-sets/:projectId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    return { quota_set: quotaSetView(call, quotaTarget(call, pathParam(req, 'projectId')), true) };
  });
  app.get(`${V}/os-quota-sets/:projectId/defaults`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const projectId = pathParam(req, 'projectId');
    const out: Json = { id: projectId };
    for (const r of visibleQuotaResources(call.v)) out[r] = COMPUTE_QUOTA_DEFAULTS[r];
    return { quota_set: out };
  });
  app.get(`${V}/os-quota-sets/:projectId/detail`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const projectId = quotaTarget(call, pathParam(req, 'projectId'));
    const limits = quotaLimitsOf(ctx, projectId);
    const used = quotaUsageByResource(ctx, projectId, call.auth.userId);
    const out: Json = { id: projectId };
    for (const r of visibleQuotaResources(call.v)) out[r] = { in_use: used[r] ?? 0, limit: limits[r], reserved: 0 };
    return { quota_set: out };
  });
  app.put(`${V}/os-quota-sets/:projectId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-quota-sets:update');
    const projectId = pathParam(req, 'projectId');
    const body = requireEnvelope(req.body, 'quota_set');
    const visible = new Set(visibleQuotaResources(call.v));
    const stored = ctx.store.get<ComputeQuotaDoc>(KIND.quota, projectId);
    const limits: Partial<Record<ComputeQuotaResource, number>> = { ...(stored?.limits ?? {}) };
    const usage = usageOf(ctx, projectId);
    const force = isTrue(body.force, BODY_BOOLEAN);
    for (const [key, raw] of Object.entries(body)) {
      if (key === 'force') continue;
      if (!COMPUTE_QUOTA_RESOURCES.includes(key as ComputeQuotaResource) || !visible.has(key as ComputeQuotaResource)) {
        throw badRequest(
          `Invalid input for field/attribute quota_set. Value: ${pythonRepr(body)}. Additional properties are not allowed ('${key}' was unexpected)`,
        );
      }
      const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < -1) {
        throw badRequest(
          `Invalid input for field/attribute ${key}. Value: ${pythonRepr(raw)}. ${pythonRepr(raw)} is less than the minimum of -1`,
        );
      }
      const inUse = (usage as unknown as Record<string, number>)[key];
      if (!force && n !== -1 && inUse !== undefined && n < inUse) {
        throw badRequest(
          `Quota limit ${n} for ${key} must be greater than or equal to already used and reserved ${inUse}.`,
        );
      }
      limits[key as ComputeQuotaResource] = n;
    }
    if (stored) ctx.store.update(KIND.quota, { id: projectId, limits });
    else ctx.store.insert<ComputeQuotaDoc>(KIND.quota, { id: projectId, limits }, projectId);
    return { quota_set: quotaSetView(call, projectId, false) };
  });
  app.delete(`${V}/os-quota-sets/:projectId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-quota-sets:delete');
    ctx.store.delete(KIND.quota, pathParam(req, 'projectId'));
    reply.code(202);
    return reply.send();
  });
}
