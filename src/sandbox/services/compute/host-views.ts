/** What Nova shows of its hosts: availability zones, tenant usage, services and hypervisors. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { badRequest } from './api-fault.js';
import { beginNova, isTruthy, novaMicroTime, pathParam, queryParams, requireNovaAdmin, type Json, V } from './call.js';
import { atLeast } from './microversion.js';
import { AVAILABILITY_ZONE, COMPUTE_HOST, KIND, type FlavorDoc } from './model.js';
import { loadServers } from './server-state.js';
import { quotaTarget } from './quota-sets.js';

export function registerHostViewRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  // availability zones
  app.get(`${V}/os-availability-zone`, (req, reply) => {
    beginNova(ctx, req, reply);
    return { availabilityZoneInfo: [{ zoneName: AVAILABILITY_ZONE, zoneState: { available: true }, hosts: null }] };
  });
  app.get(`${V}/os-availability-zone/detail`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-availability-zone:detail');
    const updated = novaMicroTime(ctx.now());
    const svc = { available: true, active: true, updated_at: updated };
    return {
      availabilityZoneInfo: [
        {
          zoneName: 'internal',
          zoneState: { available: true },
          hosts: { [COMPUTE_HOST]: { 'nova-conductor': svc, 'nova-scheduler': svc } },
        },
        {
          zoneName: AVAILABILITY_ZONE,
          zoneState: { available: true },
          hosts: { [COMPUTE_HOST]: { 'nova-compute': svc } },
        },
      ],
    };
  });

  // usage (openstack usage list/show): hours of the live servers inside the window
  const tenantUsages = (req: FastifyRequest, projectFilter: string | undefined): Json[] => {
    const { one } = queryParams(req);
    const nowMs = ctx.now().getTime();
    const parse = (v: string | undefined, dflt: number): number => {
      if (v === undefined) return dflt;
      const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
      if (Number.isNaN(t)) throw badRequest(`Invalid start time. The start time cannot occur after the end time.`);
      return t;
    };
    const start = parse(one.start, nowMs);
    const end = Math.min(parse(one.end, nowMs), nowMs);
    const detailed = isTruthy(one.detailed);
    const byProject = new Map<string, Json[]>();
    for (const s of loadServers(ctx, projectFilter)) {
      if (s.launched_at === null) continue;
      const launched = Date.parse(`${s.launched_at.slice(0, 19)}Z`);
      const from = Math.max(start, launched);
      const hours = Math.max(0, end - from) / 3_600_000;
      const f = ctx.store.get<FlavorDoc>(KIND.flavor, s.flavor_id);
      const row: Json = {
        instance_id: s.id,
        name: s.name,
        hours,
        memory_mb: f?.ram ?? 0,
        local_gb: f?.disk ?? 0,
        vcpus: f?.vcpus ?? 0,
        tenant_id: s.tenant_id,
        flavor: f?.name ?? s.flavor_id,
        started_at: s.launched_at,
        ended_at: null,
        state: s.state.vm_state,
        uptime: Math.floor(Math.max(0, nowMs - launched) / 1000),
      };
      byProject.set(s.tenant_id, [...(byProject.get(s.tenant_id) ?? []), row]);
    }
    const iso = (t: number): string =>
      new Date(t)
        .toISOString()
        .replace('Z', '')
        .replace(/\.(\d{3})$/, '.$1000');
    return [...byProject.entries()].map(([tenant, rows]) => {
      const sum = (k: string): number =>
        rows.reduce((n, r) => n + (r.hours as number) * (k === 'hours' ? 1 : (r[k] as number)), 0);
      const out: Json = {
        tenant_id: tenant,
        total_local_gb_usage: sum('local_gb'),
        total_vcpus_usage: sum('vcpus'),
        total_memory_mb_usage: sum('memory_mb'),
        total_hours: sum('hours'),
        start: iso(start),
        stop: iso(end),
      };
      if (detailed || projectFilter !== undefined) out.server_usages = rows;
      return out;
    });
  };
  app.get(`${V}/os-simple-tenant-usage`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-simple-tenant-usage:list');
    return { tenant_usages: tenantUsages(req, undefined) };
  });
  app.get(`${V}/os-simple-tenant-usage/:projectId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const projectId = quotaTarget(call, pathParam(req, 'projectId'));
    const [usage] = tenantUsages(req, projectId);
    return { tenant_usage: usage ?? {} };
  });

  // host views
  app.get(`${V}/os-services`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-services:list');
    const updated = novaMicroTime(ctx.now());
    const row = (id: number | string, binary: string, zone: string): Json => ({
      id,
      binary,
      disabled_reason: null,
      host: COMPUTE_HOST,
      state: 'up',
      status: 'enabled',
      updated_at: updated,
      zone,
      ...(atLeast(call.v, '2.11') ? { forced_down: false } : {}),
    });
    const uuidish = atLeast(call.v, '2.53');
    return {
      services: [
        row(uuidish ? '2d1a3c4e-0000-4000-8000-000000000001' : 1, 'nova-scheduler', 'internal'),
        row(uuidish ? '2d1a3c4e-0000-4000-8000-000000000002' : 2, 'nova-conductor', 'internal'),
        row(uuidish ? '2d1a3c4e-0000-4000-8000-000000000003' : 3, 'nova-compute', AVAILABILITY_ZONE),
      ],
    };
  });
  app.get(`${V}/os-hypervisors`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-hypervisors:list');
    const id = atLeast(call.v, '2.53') ? '9e2e9d6c-0000-4000-8000-000000000001' : 1;
    return { hypervisors: [{ id, hypervisor_hostname: COMPUTE_HOST, state: 'up', status: 'enabled' }] };
  });
  app.get(`${V}/os-hypervisors/detail`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-hypervisors:list-detail');
    const id = atLeast(call.v, '2.53') ? '9e2e9d6c-0000-4000-8000-000000000001' : 1;
    const base: Json = {
      id,
      hypervisor_hostname: COMPUTE_HOST,
      state: 'up',
      status: 'enabled',
      hypervisor_type: 'QEMU',
      hypervisor_version: 7002000,
      host_ip: '127.0.0.1',
      service: {
        host: COMPUTE_HOST,
        id: atLeast(call.v, '2.53') ? '2d1a3c4e-0000-4000-8000-000000000003' : 3,
        disabled_reason: null,
      },
    };
    if (!atLeast(call.v, '2.88')) {
      const servers = loadServers(ctx).filter((s) => s._gone_at === null);
      let vcpusUsed = 0;
      let ramUsed = 0;
      let diskUsed = 0;
      for (const s of servers) {
        const f = ctx.store.get<FlavorDoc>(KIND.flavor, s.flavor_id);
        vcpusUsed += f?.vcpus ?? 0;
        ramUsed += f?.ram ?? 0;
        diskUsed += f?.disk ?? 0;
      }
      Object.assign(base, {
        vcpus: 64,
        memory_mb: 262144,
        local_gb: 2000,
        vcpus_used: vcpusUsed,
        memory_mb_used: ramUsed + 512,
        local_gb_used: diskUsed,
        free_ram_mb: 262144 - ramUsed - 512,
        free_disk_gb: 2000 - diskUsed,
        current_workload: 0,
        running_vms: servers.length,
        disk_available_least: 2000 - diskUsed,
        cpu_info: '{"arch": "x86_64", "model": "qemu64", "vendor": "AMD"}',
      });
    } else {
      base.uptime = null;
    }
    return { hypervisors: [base] };
  });
}
