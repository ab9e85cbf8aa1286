/** Keystone policies (opaque blobs with a MIME type): admin-only CRUD, as Keystone's default policy. */
import type { FastifyInstance } from 'fastify';
import { pathParam } from '../../core/request';
import type { KeystoneApi } from './keystone';
import { K, keystoneId, type PolicyDoc } from './model';
import { badRequest, extraOf, notFound, optionalString, requireObject, type Body } from './request';

const FIELDS = ['id', 'type', 'blob'] as const;

export function registerPolicyRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { store, requireAdmin, q1, listLinks, self } = api;
  const view = (p: PolicyDoc) => ({ ...p.extra, id: p.id, type: p.type, blob: p.blob, links: self('policies', p.id) });
  const policyOr404 = (id: string): PolicyDoc => {
    const p = store.get<PolicyDoc>(K.policy, id);
    if (p === undefined) throw notFound('policy', id);
    return p;
  };
  const bodyOf = (raw: unknown): Body => requireObject(requireObject(raw, 'policy').policy, 'policy');

  app.get('/v3/policies', async (req) => {
    requireAdmin(req, 'list_policies');
    const type = q1(req, 'type');
    return {
      policies: store
        .list<PolicyDoc>(K.policy)
        .filter((p) => type === undefined || p.type === type)
        .map(view),
      links: listLinks(req),
    };
  });
  app.get('/v3/policies/:id', async (req) => {
    requireAdmin(req, 'get_policy');
    return { policy: view(policyOr404(pathParam(req, 'id'))) };
  });
  app.post('/v3/policies', async (req, reply) => {
    requireAdmin(req, 'create_policy');
    const body = bodyOf(req.body);
    const type = optionalString(body, 'type');
    const blob = optionalString(body, 'blob');
    if (blob === undefined) throw badRequest("'blob' is a required property");
    if (type === undefined) throw badRequest("'type' is a required property");
    const doc: PolicyDoc = { id: keystoneId(), type, blob, extra: extraOf(body, FIELDS) };
    store.transaction(() => store.insert(K.policy, doc, null));
    return reply.code(201).send({ policy: view(doc) });
  });
  app.patch('/v3/policies/:id', async (req) => {
    requireAdmin(req, 'update_policy');
    const p = policyOr404(pathParam(req, 'id'));
    const body = bodyOf(req.body);
    if (Object.keys(body).length === 0) throw badRequest('{} does not have enough properties');
    if (body.id !== undefined && body.id !== p.id) throw badRequest('Cannot change ID');
    const next: PolicyDoc = {
      ...p,
      type: optionalString(body, 'type') ?? p.type,
      blob: optionalString(body, 'blob') ?? p.blob,
      extra: { ...p.extra, ...extraOf(body, FIELDS) },
    };
    store.transaction(() => store.update(K.policy, next));
    return { policy: view(next) };
  });
  app.delete('/v3/policies/:id', async (req, reply) => {
    requireAdmin(req, 'delete_policy');
    store.transaction(() => store.delete(K.policy, policyOr404(pathParam(req, 'id')).id));
    return reply.code(204).send();
  });
}
