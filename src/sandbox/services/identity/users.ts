/** Keystone users: list, show, their projects, create, update, password change and delete. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { pathParam } from '../../core/request';
import type { KeystoneApi } from './keystone';
import {
  K,
  hashSecret,
  keystoneId,
  secretMatches,
  type AppCredentialDoc,
  type AssignmentDoc,
  type GrantDoc,
  type MembershipDoc,
  type TrustDoc,
  type UserDoc,
} from './model';
import {
  badRequest,
  conflictOnStore,
  forbidden,
  optionalBoolean,
  optionalString,
  parseBool,
  requireObject,
  unauthorized,
} from './request';

export function registerUserRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { store, opts, auth, requireAdmin, q1, listLinks, userView, projectView, projectsOf, userOr404 } = api;
  app.get('/v3/users', async (req) => {
    const a = auth(req);
    const name = q1(req, 'name');
    const domain = q1(req, 'domain_id');
    const enabled = q1(req, 'enabled');
    const users = store
      .list<UserDoc>(K.user)
      .filter((u) => a.isAdmin || u.id === a.userId)
      .filter((u) => name === undefined || u.name === name)
      .filter((u) => domain === undefined || u.domain_id === domain)
      .filter((u) => enabled === undefined || u.enabled === parseBool(enabled));
    return { users: users.map(userView), links: listLinks(req) };
  });
  app.get('/v3/users/:id', async (req) => {
    const a = auth(req);
    const u = userOr404(pathParam(req, 'id'));
    if (!a.isAdmin && u.id !== a.userId) throw forbidden('get_user');
    return { user: userView(u) };
  });
  app.get('/v3/users/:id/projects', async (req) => {
    const a = auth(req);
    const u = userOr404(pathParam(req, 'id'));
    if (!a.isAdmin && u.id !== a.userId) throw forbidden('list_user_projects');
    return { projects: projectsOf(u.id).map(projectView), links: listLinks(req) };
  });
  app.post('/v3/users', async (req, reply) => {
    const a = requireAdmin(req, 'create_user');
    const body = requireObject(requireObject(req.body, 'user').user, 'user');
    const name = optionalString(body, 'name');
    if (name === undefined || name === '') throw badRequest("'name' is a required property");
    const domainId = optionalString(body, 'domain_id') ?? a.domainId;
    if (store.list<UserDoc>(K.user).some((u) => u.name === name && u.domain_id === domainId)) {
      throw conflictOnStore('user', `Duplicate entry found with name ${name} at domain ID ${domainId}`);
    }
    const salt = randomBytes(8).toString('hex');
    const doc: UserDoc = {
      id: keystoneId(),
      name,
      domain_id: domainId,
      enabled: optionalBoolean(body, 'enabled') ?? true,
      password_expires_at: null,
      options: {},
      _salt: salt,
      _passwordHash: hashSecret(salt, optionalString(body, 'password') ?? randomBytes(16).toString('hex')),
    };
    const dp = optionalString(body, 'default_project_id');
    if (dp !== undefined) doc.default_project_id = dp;
    const description = optionalString(body, 'description');
    if (description !== undefined) doc.description = description;
    const email = optionalString(body, 'email');
    if (email !== undefined) doc.email = email;
    store.transaction(() => store.insert(K.user, doc, null));
    return reply.code(201).send({ user: userView(doc) });
  });
  app.patch('/v3/users/:id', async (req) => {
    requireAdmin(req, 'update_user');
    const u = userOr404(pathParam(req, 'id'));
    const body = requireObject(requireObject(req.body, 'user').user, 'user');
    const next: UserDoc = {
      ...u,
      name: optionalString(body, 'name') ?? u.name,
      enabled: optionalBoolean(body, 'enabled') ?? u.enabled,
    };
    const dp = optionalString(body, 'default_project_id');
    if (dp !== undefined) next.default_project_id = dp;
    const description = optionalString(body, 'description');
    if (description !== undefined) next.description = description;
    const password = optionalString(body, 'password');
    if (password !== undefined) next._passwordHash = hashSecret(next._salt, password);
    store.transaction(() => {
      store.update(K.user, next);
      if (!next.enabled || password !== undefined) opts.tokens.revokeWhere((r) => r.userId === u.id);
    });
    return { user: userView(next) };
  });
  app.post('/v3/users/:id/password', async (req, reply) => {
    const a = auth(req);
    const u = userOr404(pathParam(req, 'id'));
    if (u.id !== a.userId) throw forbidden('change_password');
    const body = requireObject(requireObject(req.body, 'user').user, 'user');
    const original = optionalString(body, 'original_password');
    const password = optionalString(body, 'password');
    if (original === undefined || password === undefined)
      throw badRequest("'original_password' and 'password' are required properties");
    if (!secretMatches(u._salt, original, u._passwordHash)) throw unauthorized();
    store.transaction(() => {
      store.update(K.user, { ...u, _passwordHash: hashSecret(u._salt, password) });
      opts.tokens.revokeWhere((r) => r.userId === u.id);
    });
    return reply.code(204).send();
  });
  app.delete('/v3/users/:id', async (req, reply) => {
    requireAdmin(req, 'delete_user');
    const u = userOr404(pathParam(req, 'id'));
    store.transaction(() => {
      for (const x of store.list<AssignmentDoc>(K.assignment).filter((y) => y.user_id === u.id))
        store.delete(K.assignment, x.id);
      for (const c of store.list<AppCredentialDoc>(K.appCredential).filter((y) => y.user_id === u.id))
        store.delete(K.appCredential, c.id);
      for (const g of store.list<GrantDoc>(K.grant).filter((y) => y.actor === 'user' && y.actor_id === u.id))
        store.delete(K.grant, g.id);
      for (const m of store.list<MembershipDoc>(K.membership).filter((y) => y.user_id === u.id))
        store.delete(K.membership, m.id);
      for (const t of store.list<TrustDoc>(K.trust))
        if (t.trustor_user_id === u.id || t.trustee_user_id === u.id) store.delete(K.trust, t.id);
      store.delete(K.user, u.id);
      opts.tokens.revokeWhere((r) => r.userId === u.id);
    });
    return reply.code(204).send();
  });
}
