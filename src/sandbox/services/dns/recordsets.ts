/**
 * Record sets of a zone: a name inside the zone, a type, its records (checked
 * per type) and a TTL. The zone's SOA and apex NS are Designate's own.
 */
import { designateError } from '../../core/errors.js';
import { normalizeIp } from '../network/ip-address.js';
import { KIND, RECORD_TYPES, type RecordSetDoc, type ZoneDoc } from './model.js';
import {
  badRequest,
  type Call,
  designateTime,
  findRecordSet,
  findZone,
  nextSerial,
  pending,
  recordSetView,
} from './state.js';
import { isFqdn } from './zones.js';

type Body = Record<string, unknown>;

function invalid(message: string) {
  return badRequest('invalid_object', `Provided object does not match schema 'recordset': ${message}`);
}

/** One record as the type requires it (A: IPv4, AAAA: IPv6, names: fully qualified, MX: priority and name, ...). */
function checkRecord(type: string, record: string): string {
  const bad = (what: string): never => {
    throw invalid(`'${record}' is not a '${what}'`);
  };
  switch (type) {
    case 'A': {
      const ip = normalizeIp(record);
      if (ip === undefined || ip.includes(':')) bad('ipv4');
      return record;
    }
    case 'AAAA': {
      const ip = normalizeIp(record);
      if (ip === undefined || !ip.includes(':')) bad('ipv6');
      return record;
    }
    case 'CNAME':
    case 'NS':
    case 'PTR':
      if (!isFqdn(record)) bad('domainname');
      return record;
    case 'MX': {
      const [prio, host, ...rest] = record.split(' ');
      if (rest.length > 0 || !/^\d{1,5}$/.test(prio ?? '') || !isFqdn(host ?? '')) bad('mxrecord');
      return record;
    }
    case 'TXT':
    case 'SPF':
      if (record.length > 255) bad('txt-data');
      return record;
    default:
      if (record.trim() === '') bad(type.toLowerCase());
      return record;
  }
}

function readRecords(b: Body, type: string, fallback: string[] | undefined): string[] {
  const v = b.records ?? fallback;
  if (!Array.isArray(v) || v.some((r) => typeof r !== 'string'))
    throw invalid(v === undefined ? "'records' is a required property" : `${JSON.stringify(v)} is not of type 'array'`);
  const records = [...new Set((v as string[]).map((r) => checkRecord(type, r)))];
  if (type === 'CNAME' && records.length > 1)
    throw badRequest('bad_request', 'CNAME recordsets may not have more than 1 record');
  return records;
}

function readTtl(b: Body, fallback: number | null): number | null {
  const v = b.ttl;
  if (v === undefined) return fallback;
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 2147483647)
    throw invalid(`${JSON.stringify(v)} is not valid under any of the given schemas`);
  return v;
}

function readDescription(b: Body, fallback: string | null): string | null {
  const v = b.description;
  if (v === undefined) return fallback;
  if (v === null) return null;
  if (typeof v !== 'string' || v.length > 160) throw invalid("'description' is too long or not a string");
  return v;
}

/** The zone's serial moves with every change of its records. */
function touchZone(call: Call, zone: ZoneDoc): void {
  call.ctx.store.update<ZoneDoc>(KIND.zone, {
    ...zone,
    serial: nextSerial(call.ctx, zone.serial),
    updated_at: designateTime(call.ctx.now()),
  });
}

function refuseWhileDeleting(zone: ZoneDoc): void {
  if (zone._pending?.action === 'DELETE') throw badRequest('bad_request', 'Zone is being deleted');
}

export function createRecordSet(call: Call, zoneId: string, body: unknown): Record<string, unknown> {
  const { ctx } = call;
  const zone = findZone(call, zoneId);
  refuseWhileDeleting(zone);
  const b = (typeof body === 'object' && body !== null ? body : {}) as Body;
  const name = b.name;
  if (typeof name !== 'string') throw invalid("'name' is a required property");
  if (!isFqdn(name)) throw invalid(`'${name}' is not a 'hostname'`);
  const type = b.type;
  if (typeof type !== 'string' || !RECORD_TYPES.includes(type))
    throw invalid(`${JSON.stringify(type ?? null)} is not one of ${JSON.stringify(RECORD_TYPES)}`);
  const lower = name.toLowerCase();
  const zoneName = zone.name.toLowerCase();
  if (lower !== zoneName && !lower.endsWith(`.${zoneName}`))
    throw badRequest('invalid_recordset_location', "RecordSet is not contained within it's parent zone");
  if (type === 'SOA' || (type === 'NS' && lower === zoneName))
    throw badRequest('bad_request', `Creating a ${type} recordset at the zone apex is not allowed`);
  const siblings = ctx.store
    .list<RecordSetDoc>(KIND.recordset)
    .filter((r) => r.zone_id === zone.id && r.name.toLowerCase() === lower && r._pending?.action !== 'DELETE');
  if (siblings.some((r) => r.type === type)) throw designateError(409, 'duplicate_recordset', 'Duplicate RecordSet');
  if (type === 'CNAME' ? siblings.length > 0 : siblings.some((r) => r.type === 'CNAME'))
    throw badRequest('invalid_recordset_location', 'CNAME recordsets may not share a name with any other records');
  const rs: RecordSetDoc = {
    id: ctx.newId(),
    zone_id: zone.id,
    project_id: zone.project_id,
    name,
    zone_name: zone.name,
    type,
    records: readRecords(b, type, undefined),
    ttl: readTtl(b, null),
    description: readDescription(b, null),
    version: 1,
    created_at: designateTime(ctx.now()),
    updated_at: null,
    _managed: false,
    _pending: pending(ctx, 'CREATE'),
  };
  ctx.store.insert(KIND.recordset, rs, zone.project_id);
  touchZone(call, zone);
  return recordSetView(ctx, rs);
}

export function updateRecordSet(call: Call, zoneId: string, id: string, body: unknown): Record<string, unknown> {
  const { ctx } = call;
  const zone = findZone(call, zoneId);
  refuseWhileDeleting(zone);
  const rs = findRecordSet(call, zone, id);
  if (rs._managed) throw badRequest('bad_request', 'Managed records may not be updated');
  const b = (typeof body === 'object' && body !== null ? body : {}) as Body;
  for (const key of ['name', 'type'])
    if (b[key] !== undefined && b[key] !== rs[key as 'name' | 'type'])
      throw invalid(`Additional properties are not allowed ('${key}' was unexpected)`);
  const next: RecordSetDoc = {
    ...rs,
    records: b.records === undefined ? rs.records : readRecords(b, rs.type, rs.records),
    ttl: readTtl(b, rs.ttl),
    description: readDescription(b, rs.description),
    version: rs.version + 1,
    updated_at: designateTime(ctx.now()),
    _pending: pending(ctx, 'UPDATE'),
  };
  ctx.store.update(KIND.recordset, next);
  touchZone(call, zone);
  return recordSetView(ctx, next);
}

export function deleteRecordSet(call: Call, zoneId: string, id: string): Record<string, unknown> {
  const { ctx } = call;
  const zone = findZone(call, zoneId);
  const rs = findRecordSet(call, zone, id);
  if (rs._managed) throw badRequest('bad_request', 'Managed records may not be deleted');
  const next: RecordSetDoc = { ...rs, updated_at: designateTime(ctx.now()), _pending: pending(ctx, 'DELETE') };
  ctx.store.update(KIND.recordset, next);
  touchZone(call, zone);
  return recordSetView(ctx, next);
}
