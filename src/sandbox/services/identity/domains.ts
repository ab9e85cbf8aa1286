/**
 * Keystone domains: list, show, and for an admin create, update and delete (a
 * domain must be disabled first, and takes its projects, users, groups and
 * grants with it).
 */
import type { FastifyInstance } from 'fastify';
import { pathParam } from '../../core/request';
import type { KeystoneApi } from './keystone';
import {
  K,
  keystoneId,
  type AppCredentialDoc,
  type AssignmentDoc,
  type DomainDoc,
  type GrantDoc,
  type GroupDoc,
  type ImpliedRoleDoc,
  type MembershipDoc,
  type ProjectDoc,
  type RoleDoc,
  type TrustDoc,
  type UserDoc,
} from './model';
import {
  badRequest,
  conflictOnStore,
  forbidden,
  forbiddenNotSecurity,
  optionalBoolean,
  optionalString,
  parseBool,
  requireObject,
  stringTags,
} from './request';

export function registerDomainRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { store, opts, auth, requireAdmin, q1, listLinks, domainView, domainOr404, forgetCatalog } = api;
  const nameTaken = (name: string, except?: string): boolean =>
    store.list<DomainDoc>(K.domain).some((d) => d.name === name && d.id !== except);
  const duplicate = (name: string) =>
    conflictOnStore(
      'project',
      `it is not permitted to have two projects acting as domains with the same name: ${name}`,
    );

  app.get('/v3/domains', async (req) => {
    const a = auth(req);
    const name = q1(req, 'name');
    const enabled = q1(req, 'enabled');
    const domains = store
      .list<DomainDoc>(K.domain)
      .filter((d) => a.isAdmin || d.id === a.domainId)
      .filter((d) => name === undefined || d.name === name)
      .filter((d) => enabled === undefined || d.enabled === parseBool(enabled));
    return { domains: domains.map(domainView), links: listLinks(req) };
  });
  app.get('/v3/domains/:id', async (req) => {
    const a = auth(req);
    const d = domainOr404(pathParam(req, 'id'));
    if (!a.isAdmin && d.id !== a.domainId) throw forbidden('get_domain');
    return { domain: domainView(d) };
  });
  app.post('/v3/domains', async (req, reply) => {
    requireAdmin(req, 'create_domain');
    const body = requireObject(requireObject(req.body, 'domain').domain, 'domain');
    const name = optionalString(body, 'name');
    if (name === undefined || name === '') throw badRequest("'name' is a required property");
    if (nameTaken(name)) throw duplicate(name);
    const explicitId = optionalString(body, 'explicit_domain_id');
    if (explicitId !== undefined && store.get(K.domain, explicitId) !== undefined)
      throw conflictOnStore('project', `Duplicate entry found with ID ${explicitId}`);
    const doc: DomainDoc = {
      id: explicitId ?? keystoneId(),
      name,
      description: optionalString(body, 'description') ?? '',
      enabled: optionalBoolean(body, 'enabled') ?? true,
      tags: stringTags(body),
      options: {},
    };
    store.transaction(() => store.insert(K.domain, doc, null));
    return reply.code(201).send({ domain: domainView(doc) });
  });
  app.patch('/v3/domains/:id', async (req) => {
    requireAdmin(req, 'update_domain');
    const d = domainOr404(pathParam(req, 'id'));
    const body = requireObject(requireObject(req.body, 'domain').domain, 'domain');
    if (d.options.immutable === true && body.options === undefined)
      throw forbiddenNotSecurity(
        `Unable to update immutable domain resource: \`${d.id}. Set resource option "immutable" to false first.`,
      );
    const name = optionalString(body, 'name');
    if (name === '') throw badRequest("Invalid input for field 'name': '' is too short");
    if (name !== undefined && nameTaken(name, d.id)) throw duplicate(name);
    const next: DomainDoc = {
      ...d,
      name: name ?? d.name,
      description: optionalString(body, 'description') ?? d.description,
      enabled: optionalBoolean(body, 'enabled') ?? d.enabled,
      tags: body.tags === undefined ? d.tags : stringTags(body),
    };
    store.transaction(() => {
      store.update(K.domain, next);
      // Keystone revokes every token of a disabled domain's users and projects.
      if (!next.enabled) opts.tokens.revokeWhere((r) => r.userDomainId === d.id || r.projectDomainId === d.id);
    });
    return { domain: domainView(next) };
  });
  app.delete('/v3/domains/:id', async (req, reply) => {
    requireAdmin(req, 'delete_domain');
    const d = domainOr404(pathParam(req, 'id'));
    if (d.options.immutable === true)
      throw forbiddenNotSecurity(
        `Unable to delete immutable domain resource: \`${d.id}. Set resource option "immutable" to false first.`,
      );
    if (d.enabled) throw forbiddenNotSecurity('Cannot delete a domain that is enabled, please disable it first.');
    store.transaction(() => deleteDomainContents(api, d.id));
    forgetCatalog();
    return reply.code(204).send();
  });
}

/** What goes with a domain: its projects, users, groups, domain roles and every grant that names one of them. */
function deleteDomainContents(api: KeystoneApi, domainId: string): void {
  const { store, opts } = api;
  const projects = new Set(
    store
      .list<ProjectDoc>(K.project)
      .filter((p) => p.domain_id === domainId)
      .map((p) => p.id),
  );
  const users = new Set(
    store
      .list<UserDoc>(K.user)
      .filter((u) => u.domain_id === domainId)
      .map((u) => u.id),
  );
  const groups = new Set(
    store
      .list<GroupDoc>(K.group)
      .filter((g) => g.domain_id === domainId)
      .map((g) => g.id),
  );
  const roles = new Set(
    store
      .list<RoleDoc>(K.role)
      .filter((r) => r.domain_id === domainId)
      .map((r) => r.id),
  );
  for (const a of store.list<AssignmentDoc>(K.assignment))
    if (projects.has(a.project_id) || users.has(a.user_id) || roles.has(a.role_id)) store.delete(K.assignment, a.id);
  for (const g of store.list<GrantDoc>(K.grant)) {
    const actorGone = g.actor === 'user' ? users.has(g.actor_id) : groups.has(g.actor_id);
    const targetGone =
      (g.target === 'project' && projects.has(g.target_id)) || (g.target === 'domain' && g.target_id === domainId);
    if (actorGone || targetGone || roles.has(g.role_id)) store.delete(K.grant, g.id);
  }
  for (const m of store.list<MembershipDoc>(K.membership))
    if (users.has(m.user_id) || groups.has(m.group_id)) store.delete(K.membership, m.id);
  for (const c of store.list<AppCredentialDoc>(K.appCredential))
    if (users.has(c.user_id) || projects.has(c.project_id)) store.delete(K.appCredential, c.id);
  for (const t of store.list<TrustDoc>(K.trust)) {
    const gone = users.has(t.trustor_user_id) || users.has(t.trustee_user_id);
    if (gone || (t.project_id !== null && projects.has(t.project_id))) store.delete(K.trust, t.id);
  }
  for (const id of projects) store.delete(K.project, id);
  for (const id of users) store.delete(K.user, id);
  for (const id of groups) store.delete(K.group, id);
  for (const x of store.list<ImpliedRoleDoc>(K.implied))
    if (roles.has(x.prior_role_id) || roles.has(x.implied_role_id)) store.delete(K.implied, x.id);
  for (const id of roles) store.delete(K.role, id);
  store.delete(K.domain, domainId);
  opts.tokens.revokeWhere((r) => users.has(r.userId) || (r.projectId !== undefined && projects.has(r.projectId)));
}
