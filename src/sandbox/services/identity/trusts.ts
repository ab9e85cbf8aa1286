/**
 * Keystone trusts (OS-TRUST): a trustor delegates some of its roles on a
 * project to a trustee. Create (only by the trustor, only roles it holds there),
 * show, list (all for an admin, by trustor or trustee), delete, and the roles
 * of a trust. Application-credential tokens may not touch trusts, as Keystone
 * refuses delegated tokens. The sandbox issues no trust-scoped tokens.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthInfo } from '../../core/context';
import { pathParam } from '../../core/request';
import { keepMicroseconds } from './app-credentials';
import type { KeystoneApi } from './keystone';
import { K, keystoneId, type ProjectDoc, type RoleDoc, type TrustDoc } from './model';
import {
  badRequest,
  forbidden,
  forbiddenAction,
  isObject,
  notFound,
  notFoundMessage,
  optionalBoolean,
  optionalString,
  type Body,
} from './request';

const NOT_BEFORE_NOW =
  "The 'expires_at' must not be before now. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.";
const BAD_TIMESTAMP =
  'Timestamp not in expected format. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.';

export function registerTrustRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { ctx, store, opts, base, auth, q1, listLinks, roleView, effectiveRoles, userOr404, projectOr404 } = api;
  const trustSelf = (id: string): string => `${base()}/OS-TRUST/trusts/${id}`;
  const summary = (t: TrustDoc) => ({
    id: t.id,
    trustor_user_id: t.trustor_user_id,
    trustee_user_id: t.trustee_user_id,
    project_id: t.project_id,
    impersonation: t.impersonation,
    expires_at: t.expires_at,
    remaining_uses: t.remaining_uses,
    deleted_at: null,
    redelegated_trust_id: t.redelegated_trust_id,
    redelegation_count: t.redelegation_count,
    links: { self: trustSelf(t.id) },
  });
  const rolesOf = (t: TrustDoc): RoleDoc[] =>
    t.role_ids.map((id) => store.get<RoleDoc>(K.role, id)).filter((r): r is RoleDoc => r !== undefined);
  const full = (t: TrustDoc) => ({
    ...summary(t),
    roles: rolesOf(t).map(roleView),
    // Keystone builds this link without the OS-TRUST/trusts part (api/trusts.py); kept as it answers.
    roles_links: { self: `${base()}/${t.id}/roles`, next: null, previous: null },
  });
  /** A live trust: Keystone answers 404 for an expired or used-up one. */
  const trustOr404 = (id: string): TrustDoc => {
    const t = store.get<TrustDoc>(K.trust, id);
    const expired = t?.expires_at != null && Date.parse(`${t.expires_at}`) <= ctx.now().getTime();
    if (t === undefined || expired || t.remaining_uses === 0) throw notFound('trust', id);
    return t;
  };
  /** Tokens of an application credential are delegated: Keystone lets them neither read nor manage trusts. */
  const refuseDelegated = (a: AuthInfo): void => {
    const checked = opts.tokens.check(a.tokenId);
    if (checked.ok && checked.record.applicationCredentialId !== undefined)
      throw forbiddenAction('Delegated tokens cannot manage trusts..');
  };
  const related = (a: AuthInfo, t: TrustDoc): boolean =>
    a.isAdmin || a.userId === t.trustor_user_id || a.userId === t.trustee_user_id;

  app.post('/v3/OS-TRUST/trusts', async (req, reply) => {
    const a = auth(req);
    const body = isObject(req.body) && isObject(req.body.trust) ? req.body.trust : {};
    if (optionalString(body, 'trustor_user_id') !== a.userId) throw forbidden('create_trust');
    for (const field of ['trustor_user_id', 'trustee_user_id', 'impersonation'])
      if (body[field] === undefined) throw badRequest(`'${field}' is a required property`);
    const impersonation = optionalBoolean(body, 'impersonation') ?? false;
    refuseDelegated(a);
    const projectId = optionalString(body, 'project_id') ?? null;
    const roleRefs = Array.isArray(body.roles) ? body.roles : [];
    if (projectId !== null && projectId !== '' && roleRefs.length === 0)
      throw forbiddenAction('At least one role should be specified.');
    const trustee = userOr404(optionalString(body, 'trustee_user_id') ?? '');
    const roleIds = roleRefs.map((ref) => roleIdOf(ref));
    // The trustor can delegate only roles it holds on the project (implied ones included), as Keystone checks.
    const held = new Set(projectId === null || projectId === '' ? [] : trustorRoles(a.userId, projectOr404(projectId)));
    for (const id of roleIds) if (!held.has(id)) throw notFound('role', id);
    const remaining = body.remaining_uses;
    if (remaining !== undefined && remaining !== null && (!Number.isInteger(remaining) || (remaining as number) < 1))
      throw badRequest(
        `Invalid input for field 'remaining_uses': ${JSON.stringify(remaining)} is less than the minimum of 1`,
      );
    const doc: TrustDoc = {
      id: keystoneId(),
      trustor_user_id: a.userId,
      trustee_user_id: trustee.id,
      project_id: projectId === '' ? null : projectId,
      impersonation,
      expires_at: expiry(body),
      remaining_uses: typeof remaining === 'number' ? remaining : null,
      role_ids: [...new Set(roleIds)],
      redelegated_trust_id: null,
      redelegation_count: 0,
    };
    store.transaction(() => store.insert(K.trust, doc, doc.project_id));
    return reply.code(201).send({ trust: full(doc) });
  });
  const trustorRoles = (userId: string, project: ProjectDoc): string[] =>
    effectiveRoles(userId, project.id).map((r) => r.id);
  const roleIdOf = (ref: unknown): string => {
    if (!isObject(ref) || Object.keys(ref).length !== 1)
      throw badRequest("Invalid input for field 'roles': a role is one of {'id': …} or {'name': …}");
    const id = optionalString(ref, 'id');
    if (id !== undefined) return id;
    const name = optionalString(ref, 'name') ?? '';
    const found = store.list<RoleDoc>(K.role).filter((r) => r.name === name);
    if (found.length === 0) throw notFoundMessage(`Role ${name} is not defined`);
    return (found[0] as RoleDoc).id;
  };
  const expiry = (body: Body): string | null => {
    const text = optionalString(body, 'expires_at');
    if (text === undefined) return null;
    const ms = Date.parse(text.endsWith('Z') ? text : `${text}Z`);
    if (Number.isNaN(ms)) throw badRequest(BAD_TIMESTAMP);
    if (ms < ctx.now().getTime()) throw badRequest(NOT_BEFORE_NOW);
    return `${keepMicroseconds(ms, text)}Z`;
  };

  const listTrusts = async (req: FastifyRequest) => {
    const a = auth(req);
    const trustor = q1(req, 'trustor_user_id');
    const trustee = q1(req, 'trustee_user_id');
    if (trustor !== undefined) {
      if (!a.isAdmin && trustor !== a.userId) throw forbidden('list_trusts_for_trustor');
    } else if (trustee !== undefined) {
      if (!a.isAdmin && trustee !== a.userId) throw forbidden('list_trusts_for_trustee');
    } else if (!a.isAdmin) throw forbidden('list_trusts');
    refuseDelegated(a);
    const trusts = store
      .list<TrustDoc>(K.trust)
      .filter(
        (t) =>
          (trustor === undefined || t.trustor_user_id === trustor) &&
          (trustee === undefined || t.trustee_user_id === trustee),
      );
    return { trusts: trusts.map(summary), links: listLinks(req) };
  };
  // Keystone's routes ignore a trailing slash; Tempest's trusts client lists with one.
  app.get('/v3/OS-TRUST/trusts', listTrusts);
  app.get('/v3/OS-TRUST/trusts/', listTrusts);
  const readable = (req: FastifyRequest, action: string): TrustDoc => {
    const a = auth(req);
    const t = trustOr404(pathParam(req, 'id'));
    if (!related(a, t)) throw forbidden(action);
    refuseDelegated(a);
    return t;
  };
  app.get('/v3/OS-TRUST/trusts/:id', async (req) => ({ trust: full(readable(req, 'get_trust')) }));
  app.delete('/v3/OS-TRUST/trusts/:id', async (req, reply) => {
    const a = auth(req);
    const t = trustOr404(pathParam(req, 'id'));
    if (!a.isAdmin && a.userId !== t.trustor_user_id) throw forbidden('delete_trust');
    refuseDelegated(a);
    store.transaction(() => store.delete(K.trust, t.id));
    return reply.code(204).send();
  });
  app.get('/v3/OS-TRUST/trusts/:id/roles', async (req) => {
    const t = readable(req, 'list_roles_for_trust');
    return { roles: rolesOf(t).map(roleView), links: listLinks(req) };
  });
  const trustRole = async (req: FastifyRequest, reply: FastifyReply) => {
    const t = readable(req, 'get_role_for_trust');
    const roleId = pathParam(req, 'role');
    const role = t.role_ids.includes(roleId) ? store.get<RoleDoc>(K.role, roleId) : undefined;
    if (role === undefined) throw notFound('role', roleId);
    if (req.method === 'HEAD') return reply.code(200).send();
    return { role: roleView(role) };
  };
  app.head('/v3/OS-TRUST/trusts/:id/roles/:role', trustRole);
  app.get('/v3/OS-TRUST/trusts/:id/roles/:role', trustRole);
}
