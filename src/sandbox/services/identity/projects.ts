/** Keystone projects: list (with filters), show, create, update and delete. */
import type { FastifyInstance } from 'fastify';
import { pathParam } from '../../core/request';
import type { KeystoneApi } from './keystone';
import {
  K,
  keystoneId,
  type AssignmentDoc,
  type DomainDoc,
  type GrantDoc,
  type ProjectDoc,
  type TrustDoc,
} from './model';
import {
  badRequest,
  conflictOnStore,
  forbidden,
  optionalBoolean,
  optionalString,
  parseBool,
  requireObject,
} from './request';

export function registerProjectRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { store, opts, auth, requireAdmin, q1, listLinks, projectView, visibleProject, projectOr404, forgetCatalog } =
    api;
  app.get('/v3/projects', async (req) => {
    const a = auth(req);
    const f = {
      name: q1(req, 'name'),
      domain: q1(req, 'domain_id'),
      parent: q1(req, 'parent_id'),
      enabled: q1(req, 'enabled'),
      isDomain: q1(req, 'is_domain'),
      tags: q1(req, 'tags'),
    };
    const projects = store
      .list<ProjectDoc>(K.project)
      .filter((p) => visibleProject(a, p))
      .filter((p) => f.name === undefined || p.name === f.name)
      .filter((p) => f.domain === undefined || p.domain_id === f.domain)
      .filter((p) => f.parent === undefined || p.parent_id === f.parent)
      .filter((p) => f.enabled === undefined || p.enabled === parseBool(f.enabled))
      .filter((p) => f.isDomain === undefined || p.is_domain === parseBool(f.isDomain))
      .filter((p) => f.tags === undefined || f.tags.split(',').every((t) => p.tags.includes(t)));
    return { projects: projects.map(projectView), links: listLinks(req) };
  });
  app.get('/v3/projects/:id', async (req) => {
    const a = auth(req);
    const p = projectOr404(pathParam(req, 'id'));
    if (!visibleProject(a, p)) throw forbidden('get_project');
    return { project: projectView(p) };
  });
  app.post('/v3/projects', async (req, reply) => {
    const a = requireAdmin(req, 'create_project');
    const body = requireObject(requireObject(req.body, 'project').project, 'project');
    const name = optionalString(body, 'name');
    if (name === undefined || name === '') throw badRequest("'name' is a required property");
    const domainId = optionalString(body, 'domain_id') ?? a.domainId;
    if (store.get<DomainDoc>(K.domain, domainId) === undefined) throw badRequest(`Could not find domain: ${domainId}.`);
    if (store.list<ProjectDoc>(K.project).some((p) => p.name === name && p.domain_id === domainId)) {
      throw conflictOnStore(
        'project',
        `it is not permitted to have two projects with the same name in the same domain : ${name}`,
      );
    }
    const id = keystoneId();
    const tags = Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : [];
    const doc: ProjectDoc = {
      id,
      name,
      domain_id: domainId,
      description: optionalString(body, 'description') ?? '',
      enabled: optionalBoolean(body, 'enabled') ?? true,
      parent_id: optionalString(body, 'parent_id') ?? domainId,
      is_domain: false,
      tags,
      options: {},
    };
    store.transaction(() => store.insert(K.project, doc, id));
    return reply.code(201).send({ project: projectView(doc) });
  });
  app.patch('/v3/projects/:id', async (req) => {
    requireAdmin(req, 'update_project');
    const p = projectOr404(pathParam(req, 'id'));
    const body = requireObject(requireObject(req.body, 'project').project, 'project');
    const name = optionalString(body, 'name');
    if (
      name !== undefined &&
      name !== p.name &&
      store.list<ProjectDoc>(K.project).some((x) => x.name === name && x.domain_id === p.domain_id)
    ) {
      throw conflictOnStore(
        'project',
        `it is not permitted to have two projects with the same name in the same domain : ${name}`,
      );
    }
    const next: ProjectDoc = {
      ...p,
      name: name ?? p.name,
      description: optionalString(body, 'description') ?? p.description,
      enabled: optionalBoolean(body, 'enabled') ?? p.enabled,
      tags: Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : p.tags,
    };
    store.transaction(() => {
      store.update(K.project, next);
      if (!next.enabled) opts.tokens.revokeWhere((r) => r.projectId === p.id);
    });
    return { project: projectView(next) };
  });
  app.delete('/v3/projects/:id', async (req, reply) => {
    requireAdmin(req, 'delete_project');
    const p = projectOr404(pathParam(req, 'id'));
    store.transaction(() => {
      for (const x of store.list<AssignmentDoc>(K.assignment, { projectId: p.id })) store.delete(K.assignment, x.id);
      for (const g of store.list<GrantDoc>(K.grant).filter((y) => y.target === 'project' && y.target_id === p.id))
        store.delete(K.grant, g.id);
      for (const t of store.list<TrustDoc>(K.trust, { projectId: p.id })) store.delete(K.trust, t.id);
      store.delete(K.project, p.id);
      opts.tokens.revokeWhere((r) => r.projectId === p.id);
    });
    forgetCatalog(p.id);
    return reply.code(204).send();
  });
}
