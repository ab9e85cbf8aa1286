/**
 * Keystone role grants other than a user's on a project (roles.ts): a group's
 * on a project, a user's or a group's on a domain or on the system — list,
 * PUT, check (HEAD/GET 204) and DELETE, admin only — and the role_assignments
 * listing over every grant (filters, `effective` expanding groups into their
 * members and roles into the roles they imply, `include_names`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxHttpError } from '../../core/errors';
import { pathParam } from '../../core/request';
import type { KeystoneApi } from './keystone';
import {
  K,
  type AssignmentDoc,
  type DomainDoc,
  type GrantDoc,
  type MembershipDoc,
  type ProjectDoc,
  type RoleDoc,
} from './model';
import { badRequest, forbidden, notFound, parseBool, type Body } from './request';

type Actor = GrantDoc['actor'];
type Target = GrantDoc['target'];

/** One grant as role_assignments sees it, whichever store it lives in. */
interface Assignment {
  actor: Actor;
  actorId: string;
  target: Target;
  targetId: string;
  roleId: string;
  /** For an effective entry: the group it came through, the role that implied it. */
  viaGroup?: string;
  priorRole?: string;
}

export function grantId(actor: Actor, actorId: string, target: Target, targetId: string, roleId: string): string {
  return `${actor}:${actorId}:${target}:${targetId}:${roleId}`;
}

export function registerGrantRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { store, opts, base, auth, requireAdmin, q1, listLinks, roleView, roleOr404 } = api;
  const { userOr404, groupOr404, projectOr404, domainOr404 } = api;

  const actorOr404 = (actor: Actor, id: string): void => {
    if (actor === 'user') userOr404(id);
    else groupOr404(id);
  };
  const targetOr404 = (target: Target, id: string): void => {
    if (target === 'project') projectOr404(id);
    else if (target === 'domain') domainOr404(id);
  };
  const missing = (roleId: string, actorId: string, targetId: string): SandboxHttpError =>
    notFound(
      'role assignment with role',
      `${roleId}, user or group: ${actorId}, project, domain, or system: ${targetId}`,
    );
  /** The users whose project tokens a grant change touches. */
  const revokeFor = (actor: Actor, actorId: string, target: Target, targetId: string): void => {
    if (target !== 'project') return;
    const users =
      actor === 'user'
        ? new Set([actorId])
        : new Set(
            store
              .list<MembershipDoc>(K.membership)
              .filter((m) => m.group_id === actorId)
              .map((m) => m.user_id),
          );
    opts.tokens.revokeWhere((r) => users.has(r.userId) && r.projectId === targetId);
  };

  const routes: { actor: Actor; target: Target; path: string; action: (verb: string) => string }[] = [
    {
      actor: 'group',
      target: 'project',
      path: '/v3/projects/:target/groups/:actor/roles',
      action: (v) => `${v}_grant`,
    },
    { actor: 'user', target: 'domain', path: '/v3/domains/:target/users/:actor/roles', action: (v) => `${v}_grant` },
    { actor: 'group', target: 'domain', path: '/v3/domains/:target/groups/:actor/roles', action: (v) => `${v}_grant` },
    {
      actor: 'user',
      target: 'system',
      path: '/v3/system/users/:actor/roles',
      action: (v) => `${v}_system_grant${v === 'list' ? 's' : ''}_for_user`,
    },
    {
      actor: 'group',
      target: 'system',
      path: '/v3/system/groups/:actor/roles',
      action: (v) => `${v}_system_grant${v === 'list' ? 's' : ''}_for_group`,
    },
  ];
  for (const { actor, target, path, action } of routes) {
    const parts = (req: FastifyRequest): { actorId: string; targetId: string } => {
      const actorId = pathParam(req, 'actor');
      const targetId = target === 'system' ? 'all' : pathParam(req, 'target');
      targetOr404(target, targetId);
      actorOr404(actor, actorId);
      return { actorId, targetId };
    };
    app.get(path, async (req) => {
      requireAdmin(req, action('list'));
      const { actorId, targetId } = parts(req);
      const ids = new Set(
        store
          .list<GrantDoc>(K.grant)
          .filter((g) => g.actor === actor && g.actor_id === actorId && g.target === target && g.target_id === targetId)
          .map((g) => g.role_id),
      );
      return {
        roles: store
          .list<RoleDoc>(K.role)
          .filter((r) => ids.has(r.id))
          .map(roleView),
        links: listLinks(req),
      };
    });
    app.put(`${path}/:role`, async (req, reply) => {
      requireAdmin(req, action('create'));
      const { actorId, targetId } = parts(req);
      const role = roleOr404(pathParam(req, 'role'));
      // A domain-specific role may only be granted within its own domain's projects and the domain itself.
      if (role.domain_id !== null && !withinDomain(target, targetId, role.domain_id)) throw forbidden(action('create'));
      const id = grantId(actor, actorId, target, targetId, role.id);
      store.transaction(() => {
        if (store.get(K.grant, id) === undefined)
          store.insert<GrantDoc>(
            K.grant,
            { id, actor, actor_id: actorId, target, target_id: targetId, role_id: role.id },
            null,
          );
      });
      return reply.code(204).send();
    });
    const check = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      requireAdmin(req, action('check'));
      const { actorId, targetId } = parts(req);
      const role = roleOr404(pathParam(req, 'role'));
      if (store.get(K.grant, grantId(actor, actorId, target, targetId, role.id)) === undefined)
        throw missing(role.id, actorId, targetId);
      return reply.code(204).send();
    };
    app.head(`${path}/:role`, check);
    app.get(`${path}/:role`, check);
    app.delete(`${path}/:role`, async (req, reply) => {
      requireAdmin(req, action('revoke'));
      const { actorId, targetId } = parts(req);
      const role = roleOr404(pathParam(req, 'role'));
      const id = grantId(actor, actorId, target, targetId, role.id);
      if (store.get(K.grant, id) === undefined) throw missing(role.id, actorId, targetId);
      store.transaction(() => {
        store.delete(K.grant, id);
        revokeFor(actor, actorId, target, targetId);
      });
      return reply.code(204).send();
    });
  }
  const withinDomain = (target: Target, targetId: string, domainId: string): boolean => {
    if (target === 'domain') return targetId === domainId;
    if (target === 'project') return store.get<ProjectDoc>(K.project, targetId)?.domain_id === domainId;
    return false;
  };

  // --- role_assignments ---
  const everyAssignment = (): Assignment[] => [
    ...store.list<AssignmentDoc>(K.assignment).map((a): Assignment => ({
      actor: 'user',
      actorId: a.user_id,
      target: 'project',
      targetId: a.project_id,
      roleId: a.role_id,
    })),
    ...store.list<GrantDoc>(K.grant).map((g): Assignment => ({
      actor: g.actor,
      actorId: g.actor_id,
      target: g.target,
      targetId: g.target_id,
      roleId: g.role_id,
    })),
  ];
  /** Keystone's effective view: group grants become their members', and each role brings the roles it implies. */
  const effective = (list: Assignment[]): Assignment[] => {
    const members = store.list<MembershipDoc>(K.membership);
    const out: Assignment[] = [];
    const seen = new Set<string>();
    const push = (x: Assignment): void => {
      const key = `${x.actorId}:${x.target}:${x.targetId}:${x.roleId}:${x.viaGroup ?? ''}:${x.priorRole ?? ''}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(x);
      }
    };
    const withImplied = (x: Assignment): void => {
      push(x);
      for (const implied of api.impliedBy(x.roleId)) push({ ...x, roleId: implied, priorRole: x.roleId });
    };
    for (const x of list) {
      if (x.actor === 'user') withImplied(x);
      else
        for (const m of members.filter((y) => y.group_id === x.actorId))
          withImplied({ ...x, actor: 'user', actorId: m.user_id, viaGroup: x.actorId });
    }
    return out;
  };
  const actorPath = (x: Assignment): string => `${x.actor === 'user' ? 'users' : 'groups'}/${x.viaGroup ?? x.actorId}`;
  const assignmentLink = (x: Assignment): string =>
    x.target === 'system'
      ? `${base()}/system/${actorPath(x)}/roles/${x.priorRole ?? x.roleId}`
      : `${base()}/${x.target}s/${x.targetId}/${x.viaGroup === undefined ? actorPath(x) : `groups/${x.viaGroup}`}/roles/${x.priorRole ?? x.roleId}`;
  const named = (kind: string, id: string): Body => {
    const doc = store.get<{ name?: string; domain_id?: string | null }>(kind, id);
    const out: Body = { id, name: doc?.name };
    if (doc?.domain_id !== undefined && doc.domain_id !== null) {
      const d = store.get<DomainDoc>(K.domain, doc.domain_id);
      out.domain = { id: doc.domain_id, name: d?.name };
    }
    return out;
  };
  const entry = (x: Assignment, includeNames: boolean): Body => {
    const links: Body = { assignment: assignmentLink(x) };
    if (x.viaGroup !== undefined) links.membership = `${base()}/groups/${x.viaGroup}/users/${x.actorId}`;
    // Keystone's own (inverted) wording of this link, api/role_assignments.py: /prior_role/<implied>/implies/<prior>.
    if (x.priorRole !== undefined) links.prior_role = `${base()}/prior_role/${x.roleId}/implies/${x.priorRole}`;
    const actorKind = x.actor === 'user' ? K.user : K.group;
    const scope: Body =
      x.target === 'system'
        ? { system: { all: true } }
        : {
            [x.target]: includeNames
              ? named(x.target === 'project' ? K.project : K.domain, x.targetId)
              : { id: x.targetId },
          };
    return {
      scope,
      [x.actor]: includeNames ? named(actorKind, x.actorId) : { id: x.actorId },
      role: includeNames ? named(K.role, x.roleId) : { id: x.roleId },
      links,
    };
  };
  app.get('/v3/role_assignments', async (req) => {
    const a = auth(req);
    const f = {
      user: q1(req, 'user.id'),
      group: q1(req, 'group.id'),
      project: q1(req, 'scope.project.id'),
      domain: q1(req, 'scope.domain.id'),
      system: q1(req, 'scope.system'),
      role: q1(req, 'role.id'),
    };
    const isEffective = q1(req, 'effective') !== undefined && parseBool(q1(req, 'effective') ?? '');
    const includeNames = q1(req, 'include_names') !== undefined && parseBool(q1(req, 'include_names') ?? '');
    // A member may list its own assignments only.
    if (!a.isAdmin && f.user !== a.userId) throw forbidden('list_role_assignments');
    if (f.project !== undefined && f.domain !== undefined) throw badRequest('Specify one of domain or project');
    if ((f.project !== undefined || f.domain !== undefined) && f.system !== undefined)
      throw badRequest('Specify one of domain, project or system');
    if (isEffective && f.group !== undefined)
      throw badRequest('Combining effective and group filter will always result in an empty list.');
    const base0 = everyAssignment().filter(
      (x) =>
        (f.project === undefined || (x.target === 'project' && x.targetId === f.project)) &&
        (f.domain === undefined || (x.target === 'domain' && x.targetId === f.domain)) &&
        (f.system === undefined || x.target === 'system') &&
        (f.group === undefined || (x.actor === 'group' && x.actorId === f.group)),
    );
    const list = (isEffective ? effective(base0) : base0).filter(
      (x) =>
        (f.user === undefined || (x.actor === 'user' && x.actorId === f.user)) &&
        (f.role === undefined || x.roleId === f.role),
    );
    return { role_assignments: list.map((x) => entry(x, includeNames)), links: listLinks(req) };
  });
}
