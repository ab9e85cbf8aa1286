/** Keystone roles and a user's role grants on a project (the other grants and role_assignments: grants.ts). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxHttpError } from '../../core/errors';
import { pathParam } from '../../core/request';
import type { KeystoneApi } from './keystone';
import {
  K,
  keystoneId,
  type AssignmentDoc,
  type GrantDoc,
  type ImpliedRoleDoc,
  type ProjectDoc,
  type RoleDoc,
  type UserDoc,
} from './model';
import {
  badRequest,
  conflictOnStore,
  forbiddenNotSecurity,
  isObject,
  notFound,
  optionalString,
  requireObject,
  type Body,
} from './request';

/** Keystone's 404 for a grant that does not exist. */
function assignmentNotFound(project: ProjectDoc, user: UserDoc, role: RoleDoc): SandboxHttpError {
  return notFound(
    'role assignment with role',
    `${role.id}, user or group: ${user.id}, project, domain, or system: ${project.id}`,
  );
}

export function registerRoleRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { store, opts, auth, requireAdmin, q1, listLinks, roleView, projectOr404, userOr404, roleOr404, domainOr404 } =
    api;
  app.get('/v3/roles', async (req) => {
    auth(req);
    const name = q1(req, 'name');
    // Keystone lists global roles unless asked for a domain's.
    const domainId = q1(req, 'domain_id') ?? null;
    return {
      roles: store
        .list<RoleDoc>(K.role)
        .filter((r) => r.domain_id === domainId)
        .filter((r) => name === undefined || r.name === name)
        .map(roleView),
      links: listLinks(req),
    };
  });
  app.get('/v3/roles/:id', async (req) => {
    auth(req);
    return { role: roleView(roleOr404(pathParam(req, 'id'))) };
  });
  const immutable = (r: RoleDoc, verb: 'update' | 'delete') =>
    forbiddenNotSecurity(
      `Unable to ${verb} immutable role resource: \`${r.id}. Set resource option "immutable" to false first.`,
    );
  const duplicateName = (name: string, domainId: string | null, except?: string): boolean =>
    store.list<RoleDoc>(K.role).some((r) => r.name === name && r.domain_id === domainId && r.id !== except);
  const duplicate = (name: string, domainId: string | null) =>
    conflictOnStore(
      'role',
      domainId === null
        ? `Duplicate entry found with name ${name}`
        : `Duplicate entry found with name ${name} at domain ID ${domainId}`,
    );
  const roleOptions = (body: Body, base: Record<string, unknown>): Record<string, unknown> => {
    if (body.options === undefined) return base;
    if (!isObject(body.options)) throw badRequest(`Invalid input for field 'options': not an object`);
    const next = { ...base };
    for (const [k, v] of Object.entries(body.options)) {
      if (k !== 'immutable') throw badRequest(`Invalid input for field 'options': '${k}' is not a known option`);
      if (v === null) delete next[k];
      else if (typeof v !== 'boolean') throw badRequest(`Invalid input for field 'options/immutable': not a boolean`);
      else next[k] = v;
    }
    return next;
  };
  app.post('/v3/roles', async (req, reply) => {
    requireAdmin(req, 'create_role');
    const body = requireObject(requireObject(req.body, 'role').role, 'role');
    const name = optionalString(body, 'name');
    if (name === undefined || name === '') throw badRequest("'name' is a required property");
    const domainId = optionalString(body, 'domain_id') ?? null;
    if (domainId !== null) domainOr404(domainId);
    if (duplicateName(name, domainId)) throw duplicate(name, domainId);
    const doc: RoleDoc = {
      id: keystoneId(),
      name,
      domain_id: domainId,
      description: optionalString(body, 'description') ?? null,
      options: roleOptions(body, {}),
    };
    store.transaction(() => store.insert(K.role, doc, null));
    return reply.code(201).send({ role: roleView(doc) });
  });
  app.patch('/v3/roles/:id', async (req) => {
    requireAdmin(req, 'update_role');
    const r = roleOr404(pathParam(req, 'id'));
    const body = requireObject(requireObject(req.body, 'role').role, 'role');
    const options = roleOptions(body, r.options);
    // Keystone lets an update through only when it also clears the immutable option.
    if (r.options.immutable === true && options.immutable === true) throw immutable(r, 'update');
    if (body.domain_id !== undefined && body.domain_id !== r.domain_id) throw badRequest('Cannot change domain_id');
    const name = optionalString(body, 'name');
    if (name === '') throw badRequest("Invalid input for field 'name': '' is too short");
    if (name !== undefined && duplicateName(name, r.domain_id, r.id)) throw duplicate(name, r.domain_id);
    const next: RoleDoc = {
      ...r,
      name: name ?? r.name,
      description: body.description === null ? null : (optionalString(body, 'description') ?? r.description),
      options,
    };
    store.transaction(() => store.update(K.role, next));
    return { role: roleView(next) };
  });
  app.delete('/v3/roles/:id', async (req, reply) => {
    requireAdmin(req, 'delete_role');
    const r = roleOr404(pathParam(req, 'id'));
    if (r.options.immutable === true) throw immutable(r, 'delete');
    store.transaction(() => {
      for (const x of store.list<AssignmentDoc>(K.assignment).filter((y) => y.role_id === r.id))
        store.delete(K.assignment, x.id);
      for (const x of store.list<GrantDoc>(K.grant).filter((y) => y.role_id === r.id)) store.delete(K.grant, x.id);
      for (const x of store.list<ImpliedRoleDoc>(K.implied))
        if (x.prior_role_id === r.id || x.implied_role_id === r.id) store.delete(K.implied, x.id);
      store.delete(K.role, r.id);
      opts.tokens.revokeWhere((t) => t.roles.some((x) => x.id === r.id));
    });
    return reply.code(204).send();
  });
  const grantParts = (req: FastifyRequest): { project: ProjectDoc; user: UserDoc; role: RoleDoc } => {
    const p = req.params as Record<string, string | undefined>;
    return { project: projectOr404(p.project ?? ''), user: userOr404(p.user ?? ''), role: roleOr404(p.role ?? '') };
  };
  app.get('/v3/projects/:project/users/:user/roles', async (req) => {
    requireAdmin(req, 'list_grants');
    const p = req.params as Record<string, string | undefined>;
    projectOr404(p.project ?? '');
    userOr404(p.user ?? '');
    const ids = new Set(
      store
        .list<AssignmentDoc>(K.assignment, { projectId: p.project ?? '' })
        .filter((x) => x.user_id === p.user)
        .map((x) => x.role_id),
    );
    return {
      roles: store
        .list<RoleDoc>(K.role)
        .filter((r) => ids.has(r.id))
        .map(roleView),
      links: listLinks(req),
    };
  });
  app.put('/v3/projects/:project/users/:user/roles/:role', async (req, reply) => {
    requireAdmin(req, 'create_grant');
    const { project, user, role } = grantParts(req);
    const id = `${user.id}:${project.id}:${role.id}`;
    store.transaction(() => {
      if (store.get(K.assignment, id) === undefined)
        store.insert<AssignmentDoc>(
          K.assignment,
          { id, user_id: user.id, project_id: project.id, role_id: role.id },
          project.id,
        );
    });
    return reply.code(204).send();
  });
  const checkGrant = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    requireAdmin(req, 'check_grant');
    const { project, user, role } = grantParts(req);
    if (store.get(K.assignment, `${user.id}:${project.id}:${role.id}`) === undefined)
      throw assignmentNotFound(project, user, role);
    return reply.code(204).send();
  };
  app.head('/v3/projects/:project/users/:user/roles/:role', checkGrant);
  app.get('/v3/projects/:project/users/:user/roles/:role', checkGrant);
  app.delete('/v3/projects/:project/users/:user/roles/:role', async (req, reply) => {
    requireAdmin(req, 'revoke_grant');
    const { project, user, role } = grantParts(req);
    const id = `${user.id}:${project.id}:${role.id}`;
    if (store.get(K.assignment, id) === undefined) throw assignmentNotFound(project, user, role);
    store.transaction(() => {
      store.delete(K.assignment, id);
      opts.tokens.revokeWhere((r) => r.userId === user.id && r.projectId === project.id);
    });
    return reply.code(204).send();
  });
}
