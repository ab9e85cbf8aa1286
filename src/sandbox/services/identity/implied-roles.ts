/**
 * Keystone implied roles (inference rules): holding the prior role gives the
 * implied one in tokens and effective role assignments. PUT (201), GET (200),
 * HEAD (204) and DELETE (204) /v3/roles/{prior}/implies/{implied}, the rules of
 * a role and /v3/role_inferences; admin only, as Keystone's default policy.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { pathParam } from '../../core/request';
import type { KeystoneApi } from './keystone';
import { K, type ImpliedRoleDoc, type RoleDoc } from './model';
import { forbiddenNotSecurity, notFoundMessage } from './request';

/** Keystone's [assignment] prohibited_implied_role default: nothing may imply admin. */
const PROHIBITED_IMPLIED = ['admin'];

export function registerImpliedRoleRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { store, opts, base, requireAdmin, roleOr404, listLinks } = api;
  const brief = (r: RoleDoc) => ({ id: r.id, links: { self: `${base()}/roles/${r.id}` }, name: r.name });
  const rulesOf = (priorId: string): RoleDoc[] =>
    store
      .list<ImpliedRoleDoc>(K.implied)
      .filter((x) => x.prior_role_id === priorId)
      .map((x) => store.get<RoleDoc>(K.role, x.implied_role_id))
      .filter((r): r is RoleDoc => r !== undefined);
  const pair = (req: FastifyRequest): { prior: RoleDoc; implied: RoleDoc; id: string } => {
    const prior = roleOr404(pathParam(req, 'prior'));
    const implied = roleOr404(pathParam(req, 'implied'));
    return { prior, implied, id: `${prior.id}:${implied.id}` };
  };
  const existing = (req: FastifyRequest): { prior: RoleDoc; implied: RoleDoc; id: string } => {
    const p = pair(req);
    if (store.get(K.implied, p.id) === undefined)
      throw notFoundMessage(`${p.prior.id} does not imply ${p.implied.id}.`);
    return p;
  };
  const body = (prior: RoleDoc, implied: RoleDoc) => ({
    role_inference: { prior_role: brief(prior), implies: brief(implied) },
    links: { self: `${base()}/roles/${prior.id}/implies/${implied.id}` },
  });

  app.put('/v3/roles/:prior/implies/:implied', async (req, reply) => {
    requireAdmin(req, 'create_implied_role');
    const { prior, implied, id } = pair(req);
    // Keystone's InvalidImpliedRole is a security error: its details stay hidden.
    if (PROHIBITED_IMPLIED.includes(implied.name) || (prior.domain_id === null && implied.domain_id !== null))
      throw forbiddenNotSecurity('You are not authorized to perform the requested action.');
    store.transaction(() => {
      if (store.get(K.implied, id) === undefined)
        store.insert<ImpliedRoleDoc>(K.implied, { id, prior_role_id: prior.id, implied_role_id: implied.id }, null);
    });
    return reply.code(201).send(body(prior, implied));
  });
  app.head('/v3/roles/:prior/implies/:implied', async (req, reply) => {
    requireAdmin(req, 'check_implied_role');
    existing(req);
    return reply.code(204).send();
  });
  app.get('/v3/roles/:prior/implies/:implied', async (req) => {
    requireAdmin(req, 'get_implied_role');
    const { prior, implied } = existing(req);
    return body(prior, implied);
  });
  app.delete('/v3/roles/:prior/implies/:implied', async (req, reply) => {
    requireAdmin(req, 'delete_implied_role');
    const { prior, implied, id } = existing(req);
    store.transaction(() => {
      store.delete(K.implied, id);
      // Sandbox tokens keep the roles they were issued with: none may keep one the rule gave it.
      const held = (r: { roles: { id: string }[] }, roleId: string): boolean => r.roles.some((x) => x.id === roleId);
      opts.tokens.revokeWhere((r) => held(r, prior.id) && held(r, implied.id));
    });
    return reply.code(204).send();
  });
  app.get('/v3/roles/:prior/implies', async (req) => {
    requireAdmin(req, 'list_implied_roles');
    const prior = roleOr404(pathParam(req, 'prior'));
    return {
      role_inference: { prior_role: brief(prior), implies: rulesOf(prior.id).map(brief) },
      links: { self: `${base()}/roles/${prior.id}/implies` },
    };
  });
  app.get('/v3/role_inferences', async (req) => {
    requireAdmin(req, 'list_role_inference_rules');
    const priors = [...new Set(store.list<ImpliedRoleDoc>(K.implied).map((x) => x.prior_role_id))];
    const inferences = priors
      .map((id) => store.get<RoleDoc>(K.role, id))
      .filter((r): r is RoleDoc => r !== undefined)
      .map((prior) => ({ prior_role: brief(prior), implies: rulesOf(prior.id).map(brief) }));
    return { role_inferences: inferences, links: listLinks(req) };
  });
}
