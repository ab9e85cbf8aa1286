/**
 * What every Keystone route shares, built once per server: the caller's token,
 * the views of each record (with their `links`), lookups that answer 404, the
 * roles a user holds on a project and the catalog a token carries.
 */
import type { FastifyRequest } from 'fastify';
import type { AuthInfo, SandboxContext } from '../../core/context';
import { firstValue, rawQuery } from '../../core/request';
import {
  K,
  roleOrder,
  strip,
  type AppCredentialDoc,
  type AssignmentDoc,
  type DomainDoc,
  type EndpointDoc,
  type GrantDoc,
  type GroupDoc,
  type IdentityOptions,
  type ImpliedRoleDoc,
  type MembershipDoc,
  type ProjectDoc,
  type RegionDoc,
  type RoleDoc,
  type ServiceDoc,
  type UserDoc,
} from './model';
import { forbidden, notFound, optionalString, type Body } from './request';

export type KeystoneApi = ReturnType<typeof keystoneApi>;

export function keystoneApi(ctx: SandboxContext, opts: IdentityOptions) {
  const { store } = ctx;
  const base = (): string => `${ctx.publicUrl}/identity/v3`;
  const self = (collection: string, id: string): { self: string } => ({ self: `${base()}/${collection}/${id}` });
  const listLinks = (req: FastifyRequest): { next: null; self: string; previous: null } => ({
    next: null,
    self: `${ctx.publicUrl}${req.url.split('?')[0] ?? ''}`,
    previous: null,
  });
  const auth = (req: FastifyRequest): AuthInfo => ctx.authenticate(req, 'keystone');
  const requireAdmin = (req: FastifyRequest, action: string): AuthInfo => {
    const a = auth(req);
    if (!a.isAdmin) throw forbidden(action);
    return a;
  };
  const q1 = (req: FastifyRequest, key: string): string | undefined => firstValue(rawQuery(req)[key]);

  const domainView = (d: DomainDoc) => ({ ...d, links: self('domains', d.id) });
  const projectView = (p: ProjectDoc) => ({ ...p, links: self('projects', p.id) });
  const userView = (u: UserDoc) => ({ ...strip(u), links: self('users', u.id) });
  const roleView = (r: RoleDoc) => ({ ...r, links: self('roles', r.id) });
  const serviceView = (s: ServiceDoc) => ({ ...s, links: self('services', s.id) });
  /** The endpoint's URL; in a catalog (projectId given) with Keystone's substitutions, `$(x)s` written as `%(x)s`. */
  const endpointUrl = (e: EndpointDoc, projectId: string | undefined): string => {
    const raw = e._url ?? `${ctx.publicUrl}${e._path}`;
    if (projectId === undefined) return raw;
    return raw.replace(/[%$]\((project_id|tenant_id)\)s/g, projectId);
  };
  const endpointView = (e: EndpointDoc) => ({
    id: e.id,
    interface: e.interface,
    region_id: e.region_id,
    service_id: e.service_id,
    url: endpointUrl(e, undefined),
    enabled: e.enabled,
    region: e.region,
    links: self('endpoints', e.id),
  });
  const regionView = (r: RegionDoc) => ({ ...r, links: self('regions', r.id) });
  const appCredView = (c: AppCredentialDoc) => ({
    ...strip(c),
    links: self(`users/${c.user_id}/application_credentials`, c.id),
  });

  const domainByRef = (ref: Body | undefined): DomainDoc | undefined => {
    if (ref === undefined) return undefined;
    const id = optionalString(ref, 'id');
    if (id !== undefined) return store.get<DomainDoc>(K.domain, id);
    const name = optionalString(ref, 'name');
    if (name !== undefined) return store.list<DomainDoc>(K.domain).find((d) => d.name === name);
    return undefined;
  };

  const groupsOf = (userId: string): Set<string> =>
    new Set(
      store
        .list<MembershipDoc>(K.membership)
        .filter((m) => m.user_id === userId)
        .map((m) => m.group_id),
    );
  /** Role ids a user holds on a project: its own grants and those of its groups. */
  const grantedRoleIds = (userId: string, projectId: string): string[] => {
    const groups = groupsOf(userId);
    return [
      ...store
        .list<AssignmentDoc>(K.assignment, { projectId })
        .filter((a) => a.user_id === userId)
        .map((a) => a.role_id),
      ...store
        .list<GrantDoc>(K.grant)
        .filter((g) => g.target === 'project' && g.target_id === projectId && g.actor === 'group')
        .filter((g) => groups.has(g.actor_id))
        .map((g) => g.role_id),
    ];
  };
  /** The roles a role implies, directly or through other rules (loops stop), without itself. */
  const impliedBy = (roleId: string): string[] => {
    const rules = store.list<ImpliedRoleDoc>(K.implied);
    const out: string[] = [];
    const todo = [roleId];
    for (let cur = todo.shift(); cur !== undefined; cur = todo.shift())
      for (const r of rules)
        if (r.prior_role_id === cur && r.implied_role_id !== roleId && !out.includes(r.implied_role_id)) {
          out.push(r.implied_role_id);
          todo.push(r.implied_role_id);
        }
    return out;
  };
  const effectiveRoles = (userId: string, projectId: string): { id: string; name: string }[] => {
    const ids = new Set<string>();
    for (const id of grantedRoleIds(userId, projectId)) {
      ids.add(id);
      for (const implied of impliedBy(id)) ids.add(implied);
    }
    return store
      .list<RoleDoc>(K.role)
      .filter((r) => ids.has(r.id))
      .sort((a, b) => roleOrder(a.name) - roleOrder(b.name))
      .map((r) => ({ id: r.id, name: r.name }));
  };

  const catalogCache = new Map<string, unknown[]>();
  const catalogFor = (projectId: string): unknown[] => {
    const hit = catalogCache.get(projectId);
    if (hit !== undefined) return hit;
    const endpoints = store.list<EndpointDoc>(K.endpoint);
    const catalog = store
      .list<ServiceDoc>(K.service)
      .filter((s) => s.enabled)
      .map((s) => ({
        endpoints: endpoints
          .filter((e) => e.service_id === s.id && e.enabled)
          .map((e) => ({
            id: e.id,
            interface: e.interface,
            region_id: e.region_id,
            url: endpointUrl(e, projectId),
            region: e.region,
          })),
        id: s.id,
        type: s.type,
        name: s.name,
      }));
    catalogCache.set(projectId, catalog);
    return catalog;
  };
  const projectsOf = (userId: string): ProjectDoc[] => {
    const groups = groupsOf(userId);
    const ids = new Set([
      ...store
        .list<AssignmentDoc>(K.assignment)
        .filter((x) => x.user_id === userId)
        .map((x) => x.project_id),
      ...store
        .list<GrantDoc>(K.grant)
        .filter((g) => g.target === 'project' && g.actor === 'group' && groups.has(g.actor_id))
        .map((g) => g.target_id),
    ]);
    return store.list<ProjectDoc>(K.project).filter((p) => ids.has(p.id));
  };
  const visibleProject = (a: AuthInfo, p: ProjectDoc): boolean =>
    a.isAdmin || projectsOf(a.userId).some((x) => x.id === p.id);
  const projectOr404 = (id: string): ProjectDoc => {
    const p = store.get<ProjectDoc>(K.project, id);
    if (p === undefined) throw notFound('project', id);
    return p;
  };
  const userOr404 = (id: string): UserDoc => {
    const u = store.get<UserDoc>(K.user, id);
    if (u === undefined) throw notFound('user', id);
    return u;
  };
  const roleOr404 = (id: string): RoleDoc => {
    const r = store.get<RoleDoc>(K.role, id);
    if (r === undefined) throw notFound('role', id);
    return r;
  };
  /** Forgets a project's cached catalog (when the project goes), or every one (when the catalog changes). */
  const forgetCatalog = (projectId?: string): void => {
    if (projectId === undefined) catalogCache.clear();
    else catalogCache.delete(projectId);
  };
  const domainOr404 = (id: string): DomainDoc => {
    const d = store.get<DomainDoc>(K.domain, id);
    if (d === undefined) throw notFound('domain', id);
    return d;
  };
  const groupOr404 = (id: string): GroupDoc => {
    const g = store.get<GroupDoc>(K.group, id);
    if (g === undefined) throw notFound('group', id);
    return g;
  };
  const groupView = (g: GroupDoc) => ({ ...g, links: self('groups', g.id) });
  return {
    ctx,
    store,
    opts,
    base,
    self,
    listLinks,
    auth,
    requireAdmin,
    q1,
    domainView,
    projectView,
    userView,
    roleView,
    serviceView,
    endpointView,
    regionView,
    appCredView,
    domainByRef,
    effectiveRoles,
    impliedBy,
    catalogFor,
    projectsOf,
    visibleProject,
    projectOr404,
    userOr404,
    roleOr404,
    forgetCatalog,
    groupsOf,
    domainOr404,
    groupOr404,
    groupView,
  };
}
