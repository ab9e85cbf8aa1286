/**
 * Keystone groups: admin CRUD, membership (PUT/HEAD/DELETE
 * /groups/{g}/users/{u}), the users of a group and the groups of a user. A
 * group's role grants reach its members' tokens (keystone.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxHttpError } from '../../core/errors';
import { pathParam } from '../../core/request';
import type { KeystoneApi } from './keystone';
import { K, keystoneId, type GrantDoc, type GroupDoc, type MembershipDoc, type UserDoc } from './model';
import { badRequest, conflictOnStore, forbidden, notFoundMessage, optionalString, requireObject } from './request';

export function registerGroupRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { store, opts, auth, requireAdmin, q1, listLinks, groupView, userView, groupOr404, userOr404, domainOr404 } =
    api;
  const duplicate = (name: string, domainId: string): SandboxHttpError =>
    conflictOnStore('group', `Duplicate entry found with name ${name} at domain ID ${domainId}`);
  const nameTaken = (name: string, domainId: string, except?: string): boolean =>
    store.list<GroupDoc>(K.group).some((g) => g.name === name && g.domain_id === domainId && g.id !== except);
  const membershipId = (groupId: string, userId: string): string => `${groupId}:${userId}`;
  const notMember = (userId: string, groupId: string): SandboxHttpError =>
    notFoundMessage(`User '${userId}' not found in group '${groupId}'`);
  /** Members lose the roles the group gave them: Keystone revokes their tokens. */
  const revokeMembers = (groupId: string, only?: string): void => {
    const members = new Set(
      store
        .list<MembershipDoc>(K.membership)
        .filter((m) => m.group_id === groupId)
        .map((m) => m.user_id),
    );
    opts.tokens.revokeWhere((r) => (only === undefined ? members.has(r.userId) : r.userId === only));
  };

  app.get('/v3/groups', async (req) => {
    requireAdmin(req, 'list_groups');
    const name = q1(req, 'name');
    const domain = q1(req, 'domain_id');
    const groups = store
      .list<GroupDoc>(K.group)
      .filter((g) => (name === undefined || g.name === name) && (domain === undefined || g.domain_id === domain));
    return { groups: groups.map(groupView), links: listLinks(req) };
  });
  app.get('/v3/groups/:id', async (req) => {
    requireAdmin(req, 'get_group');
    return { group: groupView(groupOr404(pathParam(req, 'id'))) };
  });
  app.post('/v3/groups', async (req, reply) => {
    const a = requireAdmin(req, 'create_group');
    const body = requireObject(requireObject(req.body, 'group').group, 'group');
    const name = optionalString(body, 'name');
    if (name === undefined || name === '') throw badRequest("'name' is a required property");
    const domainId = optionalString(body, 'domain_id') ?? a.domainId;
    domainOr404(domainId);
    if (nameTaken(name, domainId)) throw duplicate(name, domainId);
    const doc: GroupDoc = {
      id: keystoneId(),
      name,
      domain_id: domainId,
      description: optionalString(body, 'description') ?? '',
    };
    store.transaction(() => store.insert(K.group, doc, null));
    return reply.code(201).send({ group: groupView(doc) });
  });
  app.patch('/v3/groups/:id', async (req) => {
    requireAdmin(req, 'update_group');
    const g = groupOr404(pathParam(req, 'id'));
    const body = requireObject(requireObject(req.body, 'group').group, 'group');
    if (body.domain_id !== undefined && body.domain_id !== g.domain_id) throw badRequest('Cannot change Domain ID');
    const name = optionalString(body, 'name');
    if (name === '') throw badRequest("Invalid input for field 'name': '' is too short");
    if (name !== undefined && nameTaken(name, g.domain_id, g.id)) throw duplicate(name, g.domain_id);
    const next: GroupDoc = {
      ...g,
      name: name ?? g.name,
      description: optionalString(body, 'description') ?? g.description,
    };
    store.transaction(() => store.update(K.group, next));
    return { group: groupView(next) };
  });
  app.delete('/v3/groups/:id', async (req, reply) => {
    requireAdmin(req, 'delete_group');
    const g = groupOr404(pathParam(req, 'id'));
    store.transaction(() => {
      revokeMembers(g.id);
      for (const m of store.list<MembershipDoc>(K.membership).filter((x) => x.group_id === g.id))
        store.delete(K.membership, m.id);
      for (const x of store.list<GrantDoc>(K.grant).filter((y) => y.actor === 'group' && y.actor_id === g.id))
        store.delete(K.grant, x.id);
      store.delete(K.group, g.id);
    });
    return reply.code(204).send();
  });

  app.get('/v3/groups/:id/users', async (req) => {
    requireAdmin(req, 'list_users_in_group');
    const g = groupOr404(pathParam(req, 'id'));
    const ids = new Set(
      store
        .list<MembershipDoc>(K.membership)
        .filter((m) => m.group_id === g.id)
        .map((m) => m.user_id),
    );
    const users = store.list<UserDoc>(K.user).filter((u) => ids.has(u.id));
    return { users: users.map(userView), links: listLinks(req) };
  });
  const memberParts = (req: FastifyRequest): { group: GroupDoc; user: UserDoc } => {
    const group = groupOr404(pathParam(req, 'group'));
    return { group, user: userOr404(pathParam(req, 'user')) };
  };
  app.put('/v3/groups/:group/users/:user', async (req, reply) => {
    requireAdmin(req, 'add_user_to_group');
    const { group, user } = memberParts(req);
    const id = membershipId(group.id, user.id);
    store.transaction(() => {
      if (store.get(K.membership, id) === undefined)
        store.insert<MembershipDoc>(K.membership, { id, group_id: group.id, user_id: user.id }, null);
    });
    return reply.code(204).send();
  });
  const checkMember = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    requireAdmin(req, 'check_user_in_group');
    const { group, user } = memberParts(req);
    if (store.get(K.membership, membershipId(group.id, user.id)) === undefined) throw notMember(user.id, group.id);
    return reply.code(204).send();
  };
  app.head('/v3/groups/:group/users/:user', checkMember);
  app.get('/v3/groups/:group/users/:user', checkMember);
  app.delete('/v3/groups/:group/users/:user', async (req, reply) => {
    requireAdmin(req, 'remove_user_from_group');
    const { group, user } = memberParts(req);
    const id = membershipId(group.id, user.id);
    if (store.get(K.membership, id) === undefined) throw notMember(user.id, group.id);
    store.transaction(() => {
      store.delete(K.membership, id);
      revokeMembers(group.id, user.id);
    });
    return reply.code(204).send();
  });

  app.get('/v3/users/:id/groups', async (req) => {
    const a = auth(req);
    const u = userOr404(pathParam(req, 'id'));
    if (!a.isAdmin && u.id !== a.userId) throw forbidden('list_groups_for_user');
    const ids = api.groupsOf(u.id);
    return {
      groups: store
        .list<GroupDoc>(K.group)
        .filter((g) => ids.has(g.id))
        .map(groupView),
      links: listLinks(req),
    };
  });
}
