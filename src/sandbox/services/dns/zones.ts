/**
 * Zones: a fully qualified name (one per cloud), an email, a TTL; created with
 * the SOA and NS record sets Designate manages. A zone inside another project's
 * zone is refused, as Designate refuses it.
 */
import { designateError } from '../../core/errors.js';
import { DEFAULT_POOL_ID, KIND, NAMESERVER, type RecordSetDoc, type ZoneDoc } from './model.js';
import { badRequest, type Call, designateTime, findZone, forbidden, nextSerial, pending, zoneView } from './state.js';

type Body = Record<string, unknown>;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** A fully qualified domain name with a trailing dot, each label 1–63 letters, digits or '-', at most 255 long. */
export function isFqdn(name: string): boolean {
  if (!name.endsWith('.') || name.length > 255) return false;
  const labels = name.slice(0, -1).split('.');
  return labels.every((l) => LABEL.test(l) || l === '*');
}

function invalid(schema: string, message: string) {
  return badRequest('invalid_object', `Provided object does not match schema '${schema}': ${message}`);
}

function readTtl(b: Body, schema: string, fallback: number | null): number | null {
  const v = b.ttl;
  if (v === undefined) return fallback;
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 2147483647)
    throw invalid(schema, `${JSON.stringify(v)} is not valid under any of the given schemas`);
  return v;
}

function readEmail(b: Body, fallback: string | undefined): string {
  const v = b.email ?? fallback;
  if (typeof v !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v))
    throw invalid('zone', `${v === undefined ? "'email' is a required property" : `'${String(v)}' is not a 'email'`}`);
  return v;
}

function readDescription(b: Body, schema: string, fallback: string | null): string | null {
  const v = b.description;
  if (v === undefined) return fallback;
  if (v === null) return null;
  if (typeof v !== 'string' || v.length > 160) throw invalid(schema, `'description' is too long or not a string`);
  return v;
}

function soaRecord(z: ZoneDoc): string {
  return `${NAMESERVER} ${z.email.replace('@', '.')}. ${z.serial} 3584 600 86400 3600`;
}

export function createZone(call: Call, body: unknown): Record<string, unknown> {
  const { ctx } = call;
  const b = (typeof body === 'object' && body !== null ? body : {}) as Body;
  const name = b.name;
  if (typeof name !== 'string') throw invalid('zone', "'name' is a required property");
  if (!isFqdn(name)) throw invalid('zone', `'${name}' is not a 'domainname'`);
  if (name.split('.').length < 3) throw badRequest('invalid_zone_name', 'More than one label is required');
  if ((b.type ?? 'PRIMARY') !== 'PRIMARY')
    throw badRequest('bad_request', 'The sandbox serves PRIMARY zones only; SECONDARY needs masters it cannot reach.');
  const lower = name.toLowerCase();
  const zones = ctx.store.list<ZoneDoc>(KIND.zone);
  if (zones.some((z) => z.name.toLowerCase() === lower)) throw designateError(409, 'duplicate_zone', 'Duplicate Zone');
  const parent = zones.find((z) => lower.endsWith(`.${z.name.toLowerCase()}`));
  if (parent !== undefined && parent.project_id !== call.projectId)
    throw forbidden('Unable to create subzone in another tenants zone');
  const child = zones.find((z) => z.name.toLowerCase().endsWith(`.${lower}`) && z.project_id !== call.projectId);
  if (child !== undefined) throw forbidden('Unable to create zone because another tenant owns a subzone of the zone');
  const now = designateTime(ctx.now());
  const zone: ZoneDoc = {
    id: ctx.newId(),
    pool_id: DEFAULT_POOL_ID,
    project_id: call.projectId,
    name,
    email: readEmail(b, undefined),
    ttl: readTtl(b, 'zone', 3600) ?? 3600,
    serial: nextSerial(ctx, 0),
    description: readDescription(b, 'zone', null),
    masters: [],
    type: 'PRIMARY',
    transferred_at: null,
    version: 1,
    created_at: now,
    updated_at: null,
    attributes: {},
    _pending: pending(ctx, 'CREATE'),
  };
  ctx.store.insert(KIND.zone, zone, call.projectId);
  const managed = (type: string, records: string[]): RecordSetDoc => ({
    id: ctx.newId(),
    zone_id: zone.id,
    project_id: call.projectId,
    name,
    zone_name: name,
    type,
    records,
    ttl: null,
    description: null,
    version: 1,
    created_at: now,
    updated_at: null,
    _managed: true,
    _pending: pending(ctx, 'CREATE'),
  });
  ctx.store.insert(KIND.recordset, managed('SOA', [soaRecord(zone)]), call.projectId);
  ctx.store.insert(KIND.recordset, managed('NS', [NAMESERVER]), call.projectId);
  return zoneView(ctx, zone);
}

export function updateZone(call: Call, id: string, body: unknown): Record<string, unknown> {
  const { ctx } = call;
  const z = findZone(call, id);
  const b = (typeof body === 'object' && body !== null ? body : {}) as Body;
  for (const key of ['name', 'type', 'pool_id', 'project_id'])
    if (b[key] !== undefined) throw invalid('zone', `Additional properties are not allowed ('${key}' was unexpected)`);
  const next: ZoneDoc = {
    ...z,
    email: b.email === undefined ? z.email : readEmail(b, z.email),
    ttl: readTtl(b, 'zone', z.ttl) ?? z.ttl,
    description: readDescription(b, 'zone', z.description),
    serial: nextSerial(ctx, z.serial),
    version: z.version + 1,
    updated_at: designateTime(ctx.now()),
    _pending: pending(ctx, 'UPDATE'),
  };
  ctx.store.update(KIND.zone, next);
  for (const rs of ctx.store.list<RecordSetDoc>(KIND.recordset))
    if (rs.zone_id === id && rs.type === 'SOA' && rs._managed)
      ctx.store.update<RecordSetDoc>(KIND.recordset, { ...rs, records: [soaRecord(next)] });
  return zoneView(ctx, next);
}

export function deleteZone(call: Call, id: string): Record<string, unknown> {
  const z = findZone(call, id);
  const next: ZoneDoc = { ...z, _pending: pending(call.ctx, 'DELETE'), updated_at: designateTime(call.ctx.now()) };
  call.ctx.store.update(KIND.zone, next);
  return zoneView(call.ctx, next);
}
