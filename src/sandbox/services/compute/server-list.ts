/** GET /servers and /servers/detail: filters, all_tenants, sorting, marker/limit pages and their next links. */
import type { FastifyRequest } from 'fastify';
import { badRequest, forbidden } from './api-fault.js';
import { isTruthy, novaAfterMarker, novaLimit, queryParams, type NovaCall, type Json } from './call.js';
import { atLeast } from './microversion.js';
import type { ServerDoc } from './model.js';
import { loadServers, serverRelations } from './server-state.js';
import { lastSegment } from './server-request.js';

// ---- list ------------------------------------------------------------------------------------

export function matchesRegex(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return value.includes(pattern);
  }
}

export function listServers(
  call: NovaCall,
  req: FastifyRequest,
  detail: boolean,
): { docs: ServerDoc[]; next?: string } {
  const { one, all } = queryParams(req);
  // Nova: a bare `all_tenants` means true; asking for it without the policy is 403.
  const allTenants = one.all_tenants !== undefined && (one.all_tenants === '' || isTruthy(one.all_tenants));
  if (allTenants && !call.auth.isAdmin) {
    throw forbidden(
      `Policy doesn't allow os_compute_api:servers:${detail ? 'detail' : 'index'}:get_all_tenants to be performed.`,
    );
  }
  const projectFilter = one.project_id ?? one.tenant_id;
  const scope = allTenants ? projectFilter : call.auth.projectId;
  let docs = loadServers(call.ctx, scope);
  const nowMs = call.ctx.now().getTime();
  docs = docs.filter((d) => d._gone_at === null || d._gone_at > nowMs);
  const f = (pred: (d: ServerDoc) => boolean): void => {
    docs = docs.filter(pred);
  };
  if (one.name !== undefined) f((d) => matchesRegex(one.name ?? '', d.name));
  if (one.status !== undefined) {
    const wanted = (all.status ?? []).map((s) => s.toUpperCase());
    f((d) => wanted.includes(d.state.status));
  }
  if (one.image !== undefined) f((d) => d.image_id === lastSegment(one.image ?? ''));
  if (one.flavor !== undefined) f((d) => d.flavor_id === lastSegment(one.flavor ?? ''));
  if (one.key_name !== undefined) f((d) => d.key_name === one.key_name);
  if (one.availability_zone !== undefined) f((d) => d.availability_zone === one.availability_zone);
  if (one.reservation_id !== undefined) f((d) => d.reservation_id === one.reservation_id);
  if (one['changes-since'] !== undefined) {
    const since = Date.parse(one['changes-since'] ?? '');
    if (Number.isNaN(since)) throw badRequest(`Invalid filter field: changes-since.`);
    f((d) => Date.parse(d.updated) >= since);
  }
  if (one['changes-before'] !== undefined && atLeast(call.v, '2.66')) {
    const before = Date.parse(one['changes-before'] ?? '');
    if (Number.isNaN(before)) throw badRequest(`Invalid filter field: changes-before.`);
    f((d) => Date.parse(d.updated) <= before);
  }
  if (one.ip !== undefined) {
    const rel = serverRelations(call.ctx);
    f((d) => rel.ports(d.id).some((p) => p.fixed_ips.some((ip) => matchesRegex(one.ip ?? '', ip.ip_address))));
  }
  if (atLeast(call.v, '2.26')) {
    const split = (k: string): string[] => (all[k] ?? []).flatMap((t) => t.split(',')).filter((t) => t !== '');
    const tags = split('tags');
    const tagsAny = split('tags-any');
    const notTags = split('not-tags');
    const notTagsAny = split('not-tags-any');
    if (tags.length) f((d) => tags.every((t) => d.tags.includes(t)));
    if (tagsAny.length) f((d) => tagsAny.some((t) => d.tags.includes(t)));
    if (notTags.length) f((d) => !notTags.every((t) => d.tags.includes(t)));
    if (notTagsAny.length) f((d) => !notTagsAny.some((t) => d.tags.includes(t)));
  }
  // Nova's default order: newest first.
  docs = [...docs].reverse();
  const sortKey = one.sort_key;
  if (sortKey === 'display_name' || sortKey === 'name') {
    const dir = one.sort_dir === 'asc' ? 1 : -1;
    docs.sort((a, b) => dir * a.name.localeCompare(b.name));
  } else if (one.sort_dir === 'asc') {
    docs.reverse();
  }
  docs = novaAfterMarker(docs, one.marker, (d) => d.id);
  const limit = novaLimit(one.limit);
  if (limit !== undefined && docs.length > limit) {
    const page = docs.slice(0, limit);
    const last = page[page.length - 1];
    return { docs: page, ...(last ? { next: last.id } : {}) };
  }
  return { docs };
}

export function serversLinks(
  call: NovaCall,
  path: string,
  marker: string | undefined,
  limit: string | undefined,
): Json {
  if (marker === undefined) return {};
  return {
    servers_links: [
      { rel: 'next', href: `${call.ctx.publicUrl}/compute/v2.1/${path}?limit=${limit ?? ''}&marker=${marker}` },
    ],
  };
}
