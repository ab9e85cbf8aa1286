/**
 * Octavia's routes under /load-balancer: the API under /v2 and its alias /v2.0
 * (gophercloud uses the latter). Every request first applies the changes that
 * are due (state.ts), then runs in one store transaction.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { afterMarker, parseLimit, takeLimit } from '../../core/paging.js';
import { pathParam, queryParams } from '../../core/request.js';
import { type Call, begin, badRequest, forbidden, int, invalidInput, rootObject } from './call.js';
import {
  createL7Policy,
  createL7Rule,
  deleteL7Policy,
  deleteL7Rule,
  findRule,
  l7policyView,
  l7ruleView,
  updateL7Policy,
  updateL7Rule,
} from './l7.js';
import { createListener, deleteListener, updateListener } from './listeners.js';
import { createLoadBalancer, deleteLoadBalancer, updateLoadBalancer } from './loadbalancers.js';
import {
  type AnyEntity,
  type EntityKind,
  type HealthMonitorDoc,
  KIND,
  type L7PolicyDoc,
  type L7RuleDoc,
  type ListenerDoc,
  type LoadBalancerDoc,
  type MemberDoc,
  type PoolDoc,
  PROVIDERS,
  QUOTA_KEYS,
  type QuotaDoc,
} from './model.js';
import { createHealthMonitor, deleteHealthMonitor, updateHealthMonitor } from './monitors.js';
import { createMember, createPool, deleteMember, deletePool, findMember, updateMember, updatePool } from './pools.js';
import { findEntity, quotaOf, settleAll } from './state.js';
import {
  healthMonitorView,
  listenerView,
  loadBalancerView,
  memberView,
  poolView,
  statusTree,
  type View,
} from './views.js';

type Handler = (call: Call, req: FastifyRequest, reply: FastifyReply) => unknown;

/** Query keys that steer the listing rather than filter it. */
const PAGING_KEYS = new Set(['limit', 'marker', 'page_reverse', 'fields', 'sort', 'sort_key', 'sort_dir']);

function matchesFilter(view: View, key: string, wanted: string): boolean {
  const v = view[key];
  if (key === 'tags' && Array.isArray(v)) return wanted.split(',').every((t) => v.includes(t));
  if (typeof v === 'boolean') return String(v) === wanted.toLowerCase();
  if (typeof v === 'number') return String(v) === wanted;
  if (typeof v === 'string') return v === wanted;
  return v === null && wanted === '';
}

/** A listing: the caller's project's entities (an admin's: all, or `project_id`'s), filtered by any field, paged. */
function listing(
  call: Call,
  req: FastifyRequest,
  collection: string,
  kind: EntityKind,
  view: (doc: AnyEntity) => View,
  only: (doc: AnyEntity) => boolean = () => true,
): View {
  const { ctx, auth } = call;
  const { one } = queryParams(req);
  const docs = ctx.store
    .list<AnyEntity>(KIND[kind])
    .filter((d) => (auth.isAdmin || d.project_id === auth.projectId) && only(d));
  let views = docs.map(view);
  for (const [key, value] of Object.entries(one))
    if (!PAGING_KEYS.has(key)) views = views.filter((v) => matchesFilter(v, key, value));
  if (one.page_reverse === 'true' || one.page_reverse === 'True') views.reverse();
  const limit = parseLimit(one.limit, (text) => invalidInput('limit', text, 'Value should be an integer'));
  const after = afterMarker(
    views,
    one.marker,
    (v) => String(v.id),
    () => badRequest('Invalid marker'),
  );
  const page = takeLimit(after, limit);
  const links: { href: string; rel: string }[] = [];
  const last = page[page.length - 1];
  if (limit !== undefined && after.length > limit && last !== undefined)
    links.push({
      href: `${ctx.publicUrl}/load-balancer/v2/lbaas/${collection}?limit=${limit}&marker=${String(last.id)}`,
      rel: 'next',
    });
  return { [collection]: page, [`${collection}_links`]: links };
}

function quotaView(q: QuotaDoc): View {
  // Octavia answers the deprecated spellings beside the current ones.
  return {
    loadbalancer: q.loadbalancer,
    load_balancer: q.loadbalancer,
    listener: q.listener,
    pool: q.pool,
    member: q.member,
    healthmonitor: q.healthmonitor,
    health_monitor: q.healthmonitor,
    l7policy: q.l7policy,
    l7rule: q.l7rule,
  };
}

function updateQuota(call: Call, projectId: string, body: unknown): View {
  if (!call.auth.isAdmin) throw forbidden();
  const b = rootObject(body, 'quota');
  const current = quotaOf(call.ctx, projectId);
  const next: QuotaDoc = { ...current };
  const alias: Record<string, string> = { load_balancer: 'loadbalancer', health_monitor: 'healthmonitor' };
  for (const [key, value] of Object.entries(b)) {
    const k = alias[key] ?? key;
    if (!(QUOTA_KEYS as readonly string[]).includes(k)) continue;
    next[k as (typeof QUOTA_KEYS)[number]] = value === null ? -1 : int(b, key, -1, -1, 2_000_000_000);
  }
  if (call.ctx.store.get(KIND.quota, projectId) === undefined) call.ctx.store.insert(KIND.quota, next, projectId);
  else call.ctx.store.update(KIND.quota, next);
  return { quota: quotaView(next) };
}

export function registerOctaviaRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const route = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, handler: Handler, status = 200): void => {
    for (const base of ['/v2', '/v2.0'])
      app.route({
        method,
        url: `${base}${path}`,
        handler: async (req, reply) => {
          const call = begin(ctx, req);
          settleAll(ctx);
          const out = ctx.store.transaction(() => handler(call, req, reply));
          reply.code(status);
          if (out === undefined) return reply.send();
          return out;
        },
      });
  };
  const id = (req: FastifyRequest, name = 'id'): string => pathParam(req, name);

  app.get('/', async () => ({
    versions: [
      { id: 'v2.0', status: 'SUPPORTED', links: [{ href: `${ctx.publicUrl}/load-balancer/v2`, rel: 'self' }] },
      { id: 'v2.26', status: 'CURRENT', links: [{ href: `${ctx.publicUrl}/load-balancer/v2`, rel: 'self' }] },
    ],
  }));

  route('GET', '/lbaas/providers', () => ({ providers: PROVIDERS, providers_links: [] }));
  route('GET', '/lbaas/flavors', () => ({ flavors: [], flavors_links: [] }));
  route('GET', '/lbaas/availabilityzones', () => ({ availability_zones: [], availability_zones_links: [] }));

  // --- load balancers ---
  route('GET', '/lbaas/loadbalancers', (call, req) =>
    listing(call, req, 'loadbalancers', 'loadbalancer', (d) => loadBalancerView(ctx, d as LoadBalancerDoc)),
  );
  route('POST', '/lbaas/loadbalancers', (call, req) => createLoadBalancer(call, req.body), 201);
  route('GET', '/lbaas/loadbalancers/:id', (call, req) => ({
    loadbalancer: loadBalancerView(ctx, findEntity<LoadBalancerDoc>(call, 'loadbalancer', id(req))),
  }));
  route('PUT', '/lbaas/loadbalancers/:id', (call, req) => updateLoadBalancer(call, id(req), req.body));
  route(
    'DELETE',
    '/lbaas/loadbalancers/:id',
    (call, req) => deleteLoadBalancer(call, id(req), /^(true|1)$/i.test(queryParams(req).one.cascade ?? '')),
    204,
  );
  route('GET', '/lbaas/loadbalancers/:id/status', (call, req) =>
    statusTree(ctx, findEntity<LoadBalancerDoc>(call, 'loadbalancer', id(req))),
  );

  // --- listeners ---
  route('GET', '/lbaas/listeners', (call, req) =>
    listing(call, req, 'listeners', 'listener', (d) => listenerView(ctx, d as ListenerDoc)),
  );
  route('POST', '/lbaas/listeners', (call, req) => createListener(call, req.body), 201);
  route('GET', '/lbaas/listeners/:id', (call, req) => ({
    listener: listenerView(ctx, findEntity<ListenerDoc>(call, 'listener', id(req))),
  }));
  route('PUT', '/lbaas/listeners/:id', (call, req) => updateListener(call, id(req), req.body));
  route('DELETE', '/lbaas/listeners/:id', (call, req) => deleteListener(call, id(req)), 204);

  // --- pools and members ---
  route('GET', '/lbaas/pools', (call, req) => listing(call, req, 'pools', 'pool', (d) => poolView(ctx, d as PoolDoc)));
  route('POST', '/lbaas/pools', (call, req) => createPool(call, req.body), 201);
  route('GET', '/lbaas/pools/:id', (call, req) => ({
    pool: poolView(ctx, findEntity<PoolDoc>(call, 'pool', id(req))),
  }));
  route('PUT', '/lbaas/pools/:id', (call, req) => updatePool(call, id(req), req.body));
  route('DELETE', '/lbaas/pools/:id', (call, req) => deletePool(call, id(req)), 204);
  route('GET', '/lbaas/pools/:id/members', (call, req) => {
    findEntity<PoolDoc>(call, 'pool', id(req));
    return listing(
      call,
      req,
      'members',
      'member',
      (d) => memberView(ctx, d as MemberDoc),
      (d) => (d as MemberDoc).pool_id === id(req),
    );
  });
  route('POST', '/lbaas/pools/:id/members', (call, req) => createMember(call, id(req), req.body), 201);
  route('GET', '/lbaas/pools/:id/members/:memberId', (call, req) => ({
    member: memberView(ctx, findMember(call, id(req), id(req, 'memberId'))),
  }));
  route('PUT', '/lbaas/pools/:id/members/:memberId', (call, req) =>
    updateMember(call, id(req), id(req, 'memberId'), req.body),
  );
  route(
    'DELETE',
    '/lbaas/pools/:id/members/:memberId',
    (call, req) => deleteMember(call, id(req), id(req, 'memberId')),
    204,
  );

  // --- L7 policies and rules ---
  route('GET', '/lbaas/l7policies', (call, req) =>
    listing(call, req, 'l7policies', 'l7policy', (d) => l7policyView(ctx, d as L7PolicyDoc)),
  );
  route('POST', '/lbaas/l7policies', (call, req) => createL7Policy(call, req.body), 201);
  route('GET', '/lbaas/l7policies/:id', (call, req) => ({
    l7policy: l7policyView(ctx, findEntity<L7PolicyDoc>(call, 'l7policy', id(req))),
  }));
  route('PUT', '/lbaas/l7policies/:id', (call, req) => updateL7Policy(call, id(req), req.body));
  route('DELETE', '/lbaas/l7policies/:id', (call, req) => deleteL7Policy(call, id(req)), 204);
  route('GET', '/lbaas/l7policies/:id/rules', (call, req) => {
    findEntity<L7PolicyDoc>(call, 'l7policy', id(req));
    return listing(
      call,
      req,
      'rules',
      'l7rule',
      (d) => l7ruleView(ctx, d as L7RuleDoc),
      (d) => (d as L7RuleDoc).l7policy_id === id(req),
    );
  });
  route('POST', '/lbaas/l7policies/:id/rules', (call, req) => createL7Rule(call, id(req), req.body), 201);
  route('GET', '/lbaas/l7policies/:id/rules/:ruleId', (call, req) => ({
    rule: l7ruleView(ctx, findRule(call, id(req), id(req, 'ruleId'))),
  }));
  route('PUT', '/lbaas/l7policies/:id/rules/:ruleId', (call, req) =>
    updateL7Rule(call, id(req), id(req, 'ruleId'), req.body),
  );
  route(
    'DELETE',
    '/lbaas/l7policies/:id/rules/:ruleId',
    (call, req) => deleteL7Rule(call, id(req), id(req, 'ruleId')),
    204,
  );

  // --- health monitors ---
  route('GET', '/lbaas/healthmonitors', (call, req) =>
    listing(call, req, 'healthmonitors', 'healthmonitor', (d) => healthMonitorView(ctx, d as HealthMonitorDoc)),
  );
  route('POST', '/lbaas/healthmonitors', (call, req) => createHealthMonitor(call, req.body), 201);
  route('GET', '/lbaas/healthmonitors/:id', (call, req) => ({
    healthmonitor: healthMonitorView(ctx, findEntity<HealthMonitorDoc>(call, 'healthmonitor', id(req))),
  }));
  route('PUT', '/lbaas/healthmonitors/:id', (call, req) => updateHealthMonitor(call, id(req), req.body));
  route('DELETE', '/lbaas/healthmonitors/:id', (call, req) => deleteHealthMonitor(call, id(req)), 204);

  // --- quotas (-1: unlimited, Octavia's default) ---
  route('GET', '/lbaas/quotas', (call) => {
    const projects = call.auth.isAdmin ? ctx.store.list<QuotaDoc>(KIND.quota) : [quotaOf(ctx, call.auth.projectId)];
    return { quotas: projects.map((q) => ({ ...quotaView(q), project_id: q.id })), quotas_links: [] };
  });
  route('GET', '/lbaas/quotas/:id', (call, req) => {
    if (!call.auth.isAdmin && id(req) !== call.auth.projectId) throw forbidden();
    return { quota: quotaView(quotaOf(ctx, id(req))) };
  });
  route('PUT', '/lbaas/quotas/:id', (call, req) => updateQuota(call, id(req), req.body), 202);
  route(
    'DELETE',
    '/lbaas/quotas/:id',
    (call, req) => {
      if (!call.auth.isAdmin) throw forbidden();
      ctx.store.delete(KIND.quota, id(req));
    },
    202,
  );
}
