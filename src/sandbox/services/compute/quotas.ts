/**
 * Nova quotas: per-project limits (defaults overridable by an admin PUT),
 * usage counted from the live documents, enforcement with Nova's own 403
 * messages, and the os-quota-sets / limits views per microversion.
 */
import type { SandboxContext } from '../../core/context.js';
import { forbidden } from './api-fault.js';
import { atLeast, type Microversion } from './microversion.js';
import {
  COMPUTE_QUOTA_DEFAULTS,
  COMPUTE_QUOTA_RESOURCES,
  KIND,
  type ComputeQuotaDoc,
  type ComputeQuotaResource,
  type FlavorDoc,
  type KeypairDoc,
  type ServerDoc,
  type ServerGroupDoc,
} from './model.js';

export function quotaLimitsOf(ctx: SandboxContext, projectId: string): Record<ComputeQuotaResource, number> {
  const stored = ctx.store.get<ComputeQuotaDoc>(KIND.quota, projectId)?.limits ?? {};
  const out = { ...COMPUTE_QUOTA_DEFAULTS } as Record<ComputeQuotaResource, number>;
  for (const r of COMPUTE_QUOTA_RESOURCES) {
    const v = stored[r];
    if (v !== undefined) out[r] = v;
  }
  return out;
}

/** Servers that still count (not finished deleting). */
export function liveServersOf(ctx: SandboxContext, projectId: string): ServerDoc[] {
  const nowMs = ctx.now().getTime();
  return ctx.store.list<ServerDoc>(KIND.server, { projectId }).filter((s) => s._gone_at === null || s._gone_at > nowMs);
}

export interface ComputeUsage {
  instances: number;
  cores: number;
  ram: number;
  server_groups: number;
}

export function usageOf(ctx: SandboxContext, projectId: string): ComputeUsage {
  let cores = 0;
  let ram = 0;
  const servers = liveServersOf(ctx, projectId).filter((s) => s._gone_at === null);
  const flavors = new Map(ctx.store.list<FlavorDoc>(KIND.flavor).map((f) => [f.id, f]));
  for (const s of servers) {
    const f = flavors.get(s.flavor_id);
    cores += f?.vcpus ?? 0;
    ram += f?.ram ?? 0;
  }
  return { instances: servers.length, cores, ram, server_groups: ctx.store.count(KIND.serverGroup, { projectId }) };
}

/**
 * Nova's TooManyInstances: "Quota exceeded for cores, ram: Requested 4, 2048,
 * but already used 18, 50000 of 20, 51200 cores, ram".
 */
export function enforceInstanceQuota(ctx: SandboxContext, projectId: string, count: number, flavor: FlavorDoc): void {
  const limits = quotaLimitsOf(ctx, projectId);
  const used = usageOf(ctx, projectId);
  const asks: [ComputeQuotaResource & keyof ComputeUsage, number][] = [
    ['cores', flavor.vcpus * count],
    ['instances', count],
    ['ram', flavor.ram * count],
  ];
  const overs = asks.filter(([r, n]) => limits[r] >= 0 && used[r] + n > limits[r]);
  if (overs.length === 0) return;
  const names = overs.map(([r]) => r).join(', ');
  const req = overs.map(([, n]) => String(n)).join(', ');
  const usedText = overs.map(([r]) => String(used[r])).join(', ');
  const allowed = overs.map(([r]) => String(limits[r])).join(', ');
  throw forbidden(`Quota exceeded for ${names}: Requested ${req}, but already used ${usedText} of ${allowed} ${names}`);
}

export function enforceKeypairQuota(ctx: SandboxContext, projectId: string, userId: string): void {
  const limit = quotaLimitsOf(ctx, projectId).key_pairs;
  const used = ctx.store.list<KeypairDoc>(KIND.keypair).filter((k) => k.user_id === userId).length;
  if (limit >= 0 && used + 1 > limit) throw forbidden('Quota exceeded, too many key pairs.');
}

export function enforceServerGroupQuota(ctx: SandboxContext, projectId: string): void {
  const limit = quotaLimitsOf(ctx, projectId).server_groups;
  if (limit >= 0 && ctx.store.count(KIND.serverGroup, { projectId }) + 1 > limit) {
    throw forbidden('Quota exceeded, too many server groups.');
  }
}

export function enforceGroupMemberQuota(ctx: SandboxContext, group: ServerGroupDoc, adding: number): void {
  const limit = quotaLimitsOf(ctx, group.project_id).server_group_members;
  if (limit >= 0 && group.members.length + adding > limit) throw forbidden('Quota exceeded, too many servers in group');
}

export function enforceMetadataQuota(ctx: SandboxContext, projectId: string, items: number): void {
  const limit = quotaLimitsOf(ctx, projectId).metadata_items;
  if (limit >= 0 && items > limit) throw forbidden(`Maximum number of metadata items exceeds ${limit}`);
}

/** Resources shown at a microversion: 2.36 drops the network proxies, 2.57 the injected files. */
export function visibleQuotaResources(v: Microversion): ComputeQuotaResource[] {
  const dropped2_36 = new Set<ComputeQuotaResource>([
    'fixed_ips',
    'floating_ips',
    'security_group_rules',
    'security_groups',
  ]);
  const dropped2_57 = new Set<ComputeQuotaResource>([
    'injected_file_content_bytes',
    'injected_file_path_bytes',
    'injected_files',
  ]);
  return COMPUTE_QUOTA_RESOURCES.filter(
    (r) => !(atLeast(v, '2.36') && dropped2_36.has(r)) && !(atLeast(v, '2.57') && dropped2_57.has(r)),
  );
}

export function quotaUsageByResource(
  ctx: SandboxContext,
  projectId: string,
  userId: string,
): Partial<Record<ComputeQuotaResource, number>> {
  const u = usageOf(ctx, projectId);
  const members = ctx.store
    .list<ServerGroupDoc>(KIND.serverGroup, { projectId })
    .reduce((n, g) => Math.max(n, g.members.length), 0);
  return {
    instances: u.instances,
    cores: u.cores,
    ram: u.ram,
    server_groups: u.server_groups,
    server_group_members: members,
    key_pairs: ctx.store.list<KeypairDoc>(KIND.keypair).filter((k) => k.user_id === userId).length,
  };
}

export function absoluteLimits(ctx: SandboxContext, v: Microversion, projectId: string): Record<string, number> {
  const l = quotaLimitsOf(ctx, projectId);
  const u = usageOf(ctx, projectId);
  const out: Record<string, number> = {
    maxTotalInstances: l.instances,
    maxTotalCores: l.cores,
    maxTotalRAMSize: l.ram,
    maxServerMeta: l.metadata_items,
    maxImageMeta: l.metadata_items,
    maxPersonality: l.injected_files,
    maxPersonalitySize: l.injected_file_content_bytes,
    maxTotalKeypairs: l.key_pairs,
    maxServerGroups: l.server_groups,
    maxServerGroupMembers: l.server_group_members,
    maxTotalFloatingIps: l.floating_ips,
    maxSecurityGroups: l.security_groups,
    maxSecurityGroupRules: l.security_group_rules,
    totalRAMUsed: u.ram,
    totalCoresUsed: u.cores,
    totalInstancesUsed: u.instances,
    totalFloatingIpsUsed: 0,
    totalSecurityGroupsUsed: 0,
    totalServerGroupsUsed: u.server_groups,
  };
  if (atLeast(v, '2.36')) {
    for (const k of [
      'maxTotalFloatingIps',
      'maxSecurityGroups',
      'maxSecurityGroupRules',
      'totalFloatingIpsUsed',
      'totalSecurityGroupsUsed',
    ])
      delete out[k];
  }
  if (atLeast(v, '2.39')) delete out.maxImageMeta;
  if (atLeast(v, '2.57')) {
    delete out.maxPersonality;
    delete out.maxPersonalitySize;
  }
  return out;
}
