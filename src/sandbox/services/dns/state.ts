/**
 * Designate's asynchronous status: a change to a zone or record set shows
 * `PENDING` with its `action` (CREATE, UPDATE, DELETE) until the (simulated)
 * pool manager has pushed it `statusDelayMs` later, then `ACTIVE`/`NONE` (or the
 * resource is gone). A zone is `PENDING`/`UPDATE` while one of its record sets
 * is. Due changes are applied when any Designate request arrives (no timers).
 * Also: the caller (with Designate's sudo and all-projects headers), errors
 * and the answers.
 */
import type { FastifyRequest } from 'fastify';
import type { AuthInfo, SandboxContext } from '../../core/context.js';
import { designateError, type SandboxHttpError } from '../../core/errors.js';
import { KIND, type Pending, type RecordSetDoc, type ZoneDoc } from './model.js';

export interface Call {
  ctx: SandboxContext;
  auth: AuthInfo;
  /** The project the request acts for: the token's, or an admin's `X-Auth-Sudo-Project-ID`. */
  projectId: string;
  /** An admin's `X-Auth-All-Projects: true`: listings span every project. */
  allProjects: boolean;
}

export const badRequest = (type: string, message: string): SandboxHttpError => designateError(400, type, message);
export const zoneNotFound = (): SandboxHttpError => designateError(404, 'zone_not_found', 'Could not find Zone');
export const recordsetNotFound = (): SandboxHttpError =>
  designateError(404, 'recordset_not_found', 'Could not find RecordSet');
export const forbidden = (message = 'Forbidden'): SandboxHttpError => designateError(403, 'forbidden', message);

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function begin(ctx: SandboxContext, req: FastifyRequest): Call {
  const auth = ctx.authenticate(req, 'designate');
  const sudo = header(req, 'x-auth-sudo-project-id') ?? header(req, 'x-auth-sudo-tenant-id');
  const all = /^(true|1|yes)$/i.test(header(req, 'x-auth-all-projects') ?? '');
  if ((sudo !== undefined && sudo !== auth.projectId) || all) {
    if (!auth.isAdmin) throw forbidden('You are not authorized to perform this action.');
  }
  return { ctx, auth, projectId: sudo ?? auth.projectId, allProjects: all };
}

/** Designate's timestamps: naive, microseconds (`2026-12-07T22:11:37.000000`). */
export function designateTime(d: Date): string {
  return d
    .toISOString()
    .replace('Z', '')
    .replace(/\.(\d{3})$/, '.$1000');
}

export function pending(ctx: SandboxContext, action: Pending['action']): Pending {
  return { at: ctx.now().getTime() + ctx.statusDelayMs, action };
}

/** A zone serial is a Unix time that only grows (Designate's default serial scheme). */
export function nextSerial(ctx: SandboxContext, previous: number): number {
  return Math.max(previous + 1, Math.floor(ctx.now().getTime() / 1000));
}

export function settleAll(ctx: SandboxContext): void {
  const nowMs = ctx.now().getTime();
  ctx.store.transaction(() => {
    for (const rs of ctx.store.list<RecordSetDoc>(KIND.recordset)) {
      if (rs._pending === null || rs._pending.at > nowMs) continue;
      if (rs._pending.action === 'DELETE') ctx.store.delete(KIND.recordset, rs.id);
      else ctx.store.update<RecordSetDoc>(KIND.recordset, { ...rs, _pending: null });
    }
    for (const z of ctx.store.list<ZoneDoc>(KIND.zone)) {
      if (z._pending === null || z._pending.at > nowMs) continue;
      if (z._pending.action === 'DELETE') {
        ctx.store.delete(KIND.zone, z.id);
        for (const rs of ctx.store.list<RecordSetDoc>(KIND.recordset))
          if (rs.zone_id === z.id) ctx.store.delete(KIND.recordset, rs.id);
      } else ctx.store.update<ZoneDoc>(KIND.zone, { ...z, _pending: null });
    }
  });
}

export function findZone(call: Call, id: string): ZoneDoc {
  const z = call.ctx.store.get<ZoneDoc>(KIND.zone, id);
  // Another project's zone is not there for this caller (Designate scopes every lookup to the project).
  if (z === undefined || (z.project_id !== call.projectId && !call.allProjects)) throw zoneNotFound();
  return z;
}

export function findRecordSet(call: Call, zone: ZoneDoc, id: string): RecordSetDoc {
  const rs = call.ctx.store.get<RecordSetDoc>(KIND.recordset, id);
  if (rs === undefined || rs.zone_id !== zone.id) throw recordsetNotFound();
  return rs;
}

const shown = (p: Pending | null): { status: string; action: string } =>
  p === null ? { status: 'ACTIVE', action: 'NONE' } : { status: 'PENDING', action: p.action };

function publicFields(doc: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!k.startsWith('_')) out[k] = v;
  return out;
}

export function zoneView(ctx: SandboxContext, z: ZoneDoc): Record<string, unknown> {
  let state = shown(z._pending);
  if (
    z._pending === null &&
    ctx.store.list<RecordSetDoc>(KIND.recordset).some((r) => r.zone_id === z.id && r._pending !== null)
  )
    state = { status: 'PENDING', action: 'UPDATE' };
  return { ...publicFields(z), ...state, links: { self: `${ctx.publicUrl}/dns/v2/zones/${z.id}` } };
}

export function recordSetView(ctx: SandboxContext, rs: RecordSetDoc): Record<string, unknown> {
  return {
    ...publicFields(rs),
    ...shown(rs._pending),
    links: { self: `${ctx.publicUrl}/dns/v2/zones/${rs.zone_id}/recordsets/${rs.id}` },
  };
}
