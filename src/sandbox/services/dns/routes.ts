/**
 * Designate's routes under /dns (API under /v2). Every request first applies
 * the changes that are due (state.ts), then runs in one store transaction.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { afterMarker, parseLimit, takeLimit } from '../../core/paging.js';
import { pathParam, queryParams } from '../../core/request.js';
import { KIND, NAMESERVER, type RecordSetDoc, type ZoneDoc } from './model.js';
import { createRecordSet, deleteRecordSet, updateRecordSet } from './recordsets.js';
import {
  badRequest,
  begin,
  type Call,
  findRecordSet,
  findZone,
  recordSetView,
  recordsetNotFound,
  settleAll,
  zoneView,
} from './state.js';
import { createZone, deleteZone, updateZone } from './zones.js';

type View = Record<string, unknown>;

const PAGING_KEYS = new Set(['limit', 'marker', 'sort_key', 'sort_dir']);

/** Designate's filters: exact, or with `*` as a wildcard (`name=*.example.org.`). */
function matches(view: View, key: string, wanted: string): boolean {
  const v = view[key];
  const text = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(',') : String(v);
  if (key === 'data') return Array.isArray(view.records) && (view.records as string[]).includes(wanted);
  if (!wanted.includes('*')) return text === wanted;
  const re = new RegExp(
    `^${wanted
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(text);
}

function listing(ctx: SandboxContext, req: FastifyRequest, collection: string, views: View[]): View {
  const { one } = queryParams(req);
  let all = views;
  for (const [key, value] of Object.entries(one))
    if (!PAGING_KEYS.has(key)) all = all.filter((v) => matches(v, key, value));
  const limit = parseLimit(one.limit, (text) => badRequest('invalid_limit', `Invalid limit: ${text}`));
  const after = afterMarker(
    all,
    one.marker,
    (v) => String(v.id),
    () => badRequest('invalid_marker', 'Invalid marker'),
  );
  const page = takeLimit(after, limit);
  const self = `${ctx.publicUrl}${req.url}`;
  const last = page[page.length - 1];
  const links: Record<string, string> = { self };
  if (limit !== undefined && after.length > limit && last !== undefined) {
    const base = self.split('?')[0] ?? self;
    links.next = `${base}?limit=${limit}&marker=${String(last.id)}`;
  }
  return { [collection]: page, links, metadata: { total_count: all.length } };
}

function visibleZones(call: Call): ZoneDoc[] {
  return call.ctx.store.list<ZoneDoc>(KIND.zone).filter((z) => call.allProjects || z.project_id === call.projectId);
}

export function registerDesignateRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const route = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    handler: (call: Call, req: FastifyRequest) => unknown,
    status = 200,
  ): void => {
    app.route({
      method,
      url: `/v2${path}`,
      handler: async (req, reply) => {
        const call = begin(ctx, req);
        settleAll(ctx);
        const out = ctx.store.transaction(() => handler(call, req));
        reply.code(status);
        return out;
      },
    });
  };
  const p = (req: FastifyRequest, name: string): string => pathParam(req, name);

  app.get('/', async () => ({
    versions: {
      values: [{ id: 'v2', status: 'CURRENT', links: [{ href: `${ctx.publicUrl}/dns/v2`, rel: 'self' }] }],
    },
  }));

  route('GET', '/zones', (call, req) =>
    listing(
      ctx,
      req,
      'zones',
      visibleZones(call).map((z) => zoneView(ctx, z)),
    ),
  );
  route('POST', '/zones', (call, req) => createZone(call, req.body), 202);
  route('GET', '/zones/:zoneId', (call, req) => zoneView(ctx, findZone(call, p(req, 'zoneId'))));
  route('PATCH', '/zones/:zoneId', (call, req) => updateZone(call, p(req, 'zoneId'), req.body), 202);
  route('DELETE', '/zones/:zoneId', (call, req) => deleteZone(call, p(req, 'zoneId')), 202);
  route('GET', '/zones/:zoneId/nameservers', (call, req) => {
    findZone(call, p(req, 'zoneId'));
    return { nameservers: [{ hostname: NAMESERVER, priority: 1 }] };
  });

  route('GET', '/zones/:zoneId/recordsets', (call, req) => {
    const zone = findZone(call, p(req, 'zoneId'));
    const sets = ctx.store.list<RecordSetDoc>(KIND.recordset).filter((r) => r.zone_id === zone.id);
    return listing(
      ctx,
      req,
      'recordsets',
      sets.map((r) => recordSetView(ctx, r)),
    );
  });
  route('POST', '/zones/:zoneId/recordsets', (call, req) => createRecordSet(call, p(req, 'zoneId'), req.body), 202);
  route('GET', '/zones/:zoneId/recordsets/:id', (call, req) =>
    recordSetView(ctx, findRecordSet(call, findZone(call, p(req, 'zoneId')), p(req, 'id'))),
  );
  route(
    'PUT',
    '/zones/:zoneId/recordsets/:id',
    (call, req) => updateRecordSet(call, p(req, 'zoneId'), p(req, 'id'), req.body),
    202,
  );
  route(
    'DELETE',
    '/zones/:zoneId/recordsets/:id',
    (call, req) => deleteRecordSet(call, p(req, 'zoneId'), p(req, 'id')),
    202,
  );

  route('GET', '/recordsets', (call, req) => {
    const zones = new Set(visibleZones(call).map((z) => z.id));
    const sets = ctx.store.list<RecordSetDoc>(KIND.recordset).filter((r) => zones.has(r.zone_id));
    return listing(
      ctx,
      req,
      'recordsets',
      sets.map((r) => recordSetView(ctx, r)),
    );
  });
  route('GET', '/recordsets/:id', (call, req) => {
    const rs = ctx.store.get<RecordSetDoc>(KIND.recordset, p(req, 'id'));
    if (rs === undefined || !visibleZones(call).some((z) => z.id === rs.zone_id)) throw recordsetNotFound();
    return recordSetView(ctx, rs);
  });
}
