/** Keystone roles, project role grants and the role_assignments listing. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxHttpError } from '../../core/errors';
import { pathParam } from '../../core/request';
import type { KeystoneApi } from './keystone';
import { K, keystoneId, type AssignmentDoc, type ProjectDoc, type RoleDoc, type UserDoc } from './model';
import { badRequest, conflictOnStore, forbidden, notFound, optionalString, requireObject, type Body } from './request';

/** Keystone's 404 for a grant that does not exist. */
function assignmentNotFound(project: ProjectDoc, user: UserDoc, role: RoleDoc): SandboxHttpError {
  return notFound(
    'role assignment with role',
    `${role.id}, user or group: ${user.id}, project, domain, or system: ${project.id}`,
  );
}

export function registerRoleRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { store, opts, base, auth, requireAdmin, q1, listLinks, roleView, projectOr404, userOr404, roleOr404 } = api;
  app.get('/v3/roles', async (req) => {
    auth(req);
    const name = q1(req, 'name');
    return {
      roles: store
        .list<RoleDoc>(K.role)
        .filter((r) => name === undefined || r.name === name)
        .map(roleView),
      links: listLinks(req),
    };
  });
  app.get('/v3/roles/:id', async (req) => {
    auth(req);
    return { role: roleView(roleOr404(pathParam(req, 'id'))) };
  });
  app.post('/v3/roles', async (req, reply) => {
    requireAdmin(req, 'create_role');
    const body = requireObject(requireObject(req.body, 'role').role, 'role');
    const name = optionalString(body, 'name');
    if (name === undefined || name === '') throw badRequest("'name' is a required property");
    if (store.list<RoleDoc>(K.role).some((r) => r.name === name))
      throw conflictOnStore('role', `Duplicate entry found with name ${name}`);
    const doc: RoleDoc = {
      id: keystoneId(),
      name,
      domain_id: null,
      description: optionalString(body, 'description') ?? null,
      options: {},
    };
    store.transaction(() => store.insert(K.role, doc, null));
    return reply.code(201).send({ role: roleView(doc) });
  });
  app.delete('/v3/roles/:id', async (req, reply) => {
    requireAdmin(req, 'delete_role');
    const r = roleOr404(pathParam(req, 'id'));
    store.transaction(() => {
      for (const x of store.list<AssignmentDoc>(K.assignment).filter((y) => y.role_id === r.id))
        store.delete(K.assignment, x.id);
      store.delete(K.role, r.id);
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
  app.get('/v3/role_assignments', async (req) => {
    const a = auth(req);
    const user = q1(req, 'user.id');
    const project = q1(req, 'scope.project.id');
    const role = q1(req, 'role.id');
    const includeNames = q1(req, 'include_names') !== undefined;
    if (!a.isAdmin && user !== a.userId) throw forbidden('list_role_assignments');
    const roles = store.list<RoleDoc>(K.role);
    const out = store
      .list<AssignmentDoc>(K.assignment)
      .filter(
        (x) =>
          (user === undefined || x.user_id === user) &&
          (project === undefined || x.project_id === project) &&
          (role === undefined || x.role_id === role),
      )
      .map((x) => {
        const r = roles.find((y) => y.id === x.role_id);
        const entry: Body = {
          scope: { project: { id: x.project_id } },
          user: { id: x.user_id },
          role: { id: x.role_id },
          links: { assignment: `${base()}/projects/${x.project_id}/users/${x.user_id}/roles/${x.role_id}` },
        };
        if (includeNames) {
          const p = store.get<ProjectDoc>(K.project, x.project_id);
          const u = store.get<UserDoc>(K.user, x.user_id);
          entry.scope = {
            project: { id: x.project_id, name: p?.name, domain: { id: p?.domain_id ?? 'default', name: 'Default' } },
          };
          entry.user = { id: x.user_id, name: u?.name, domain: { id: u?.domain_id ?? 'default', name: 'Default' } };
          entry.role = { id: x.role_id, name: r?.name };
        }
        return entry;
      });
    return { role_assignments: out, links: listLinks(req) };
  });
}
