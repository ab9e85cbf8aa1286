/**
 * Keystone catalog administration: services, endpoints and regions (admin
 * writes, as Keystone's default policy), and the collections the sandbox keeps
 * empty. Every change is seen by the next token's catalog.
 */
import type { FastifyInstance } from 'fastify';
import { pathParam } from '../../core/request';
import type { KeystoneApi } from './keystone';
import { INTERFACES, K, keystoneId, type EndpointDoc, type RegionDoc, type ServiceDoc } from './model';
import {
  badRequest,
  conflictOnStore,
  forbiddenNotSecurity,
  notFound,
  optionalBoolean,
  optionalString,
  requireObject,
  validationError,
  type Body,
} from './request';

/** Keystone's url parameter type: a scheme, `://` and no whitespace. */
const URL_PATTERN = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/\S+$/;
/** The substitutions Keystone's catalog knows in an endpoint URL (`$(x)s` or `%(x)s`). */
const URL_SUBSTITUTION = /[%$]\(([^)]*)\)s/g;
const KNOWN_SUBSTITUTIONS = new Set(['project_id', 'tenant_id', 'user_id', 'public_bind_host', 'admin_bind_host']);

export function registerCatalogRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { store, auth, requireAdmin, q1, listLinks, serviceView, endpointView, regionView, forgetCatalog } = api;
  // --- collections the sandbox keeps empty (no credentials or unified limits), so clients listing them get the real shape ---
  for (const [path, key] of [
    ['/v3/credentials', 'credentials'],
    ['/v3/limits', 'limits'],
    ['/v3/registered_limits', 'registered_limits'],
  ] as const) {
    app.get(path, async (req) => {
      auth(req);
      return { [key]: [], links: listLinks(req) };
    });
  }

  const bodyOf = (raw: unknown, key: string): Body => requireObject(requireObject(raw, key)[key], key);
  const serviceOr404 = (id: string): ServiceDoc => {
    const s = store.get<ServiceDoc>(K.service, id);
    if (s === undefined) throw notFound('service', id);
    return s;
  };
  const endpointOr404 = (id: string): EndpointDoc => {
    const e = store.get<EndpointDoc>(K.endpoint, id);
    if (e === undefined) throw notFound('endpoint', id);
    return e;
  };
  const regionOr404 = (id: string): RegionDoc => {
    const r = store.get<RegionDoc>(K.region, id);
    if (r === undefined) throw notFound('region', id);
    return r;
  };

  // --- services ---
  app.get('/v3/services', async (req) => {
    requireAdmin(req, 'list_services');
    const type = q1(req, 'type');
    const name = q1(req, 'name');
    return {
      services: store
        .list<ServiceDoc>(K.service)
        .filter((s) => (type === undefined || s.type === type) && (name === undefined || s.name === name))
        .map(serviceView),
      links: listLinks(req),
    };
  });
  app.get('/v3/services/:id', async (req) => {
    requireAdmin(req, 'get_service');
    return { service: serviceView(serviceOr404(pathParam(req, 'id'))) };
  });
  const serviceFields = (body: Body, base: ServiceDoc): ServiceDoc => {
    const type = optionalString(body, 'type');
    if (type === '') throw badRequest("Invalid input for field 'type': '' is too short");
    const next: ServiceDoc = {
      ...base,
      type: type ?? base.type,
      name: optionalString(body, 'name') ?? base.name,
      enabled: optionalBoolean(body, 'enabled') ?? base.enabled,
    };
    const description = optionalString(body, 'description');
    if (description !== undefined) next.description = description;
    return next;
  };
  app.post('/v3/services', async (req, reply) => {
    requireAdmin(req, 'create_service');
    const body = bodyOf(req.body, 'service');
    if (optionalString(body, 'type') === undefined) throw badRequest("'type' is a required property");
    const doc = serviceFields(body, { id: keystoneId(), name: '', type: '', enabled: true });
    store.transaction(() => store.insert(K.service, doc, null));
    forgetCatalog();
    return reply.code(201).send({ service: serviceView(doc) });
  });
  app.patch('/v3/services/:id', async (req) => {
    requireAdmin(req, 'update_service');
    const s = serviceOr404(pathParam(req, 'id'));
    const next = serviceFields(bodyOf(req.body, 'service'), s);
    store.transaction(() => store.update(K.service, next));
    forgetCatalog();
    return { service: serviceView(next) };
  });
  app.delete('/v3/services/:id', async (req, reply) => {
    requireAdmin(req, 'delete_service');
    const s = serviceOr404(pathParam(req, 'id'));
    store.transaction(() => {
      for (const e of store.list<EndpointDoc>(K.endpoint).filter((x) => x.service_id === s.id))
        store.delete(K.endpoint, e.id);
      store.delete(K.service, s.id);
    });
    forgetCatalog();
    return reply.code(204).send();
  });

  // --- endpoints ---
  app.get('/v3/endpoints', async (req) => {
    requireAdmin(req, 'list_endpoints');
    const iface = q1(req, 'interface');
    const service = q1(req, 'service_id');
    const region = q1(req, 'region_id');
    const endpoints = store
      .list<EndpointDoc>(K.endpoint)
      .filter(
        (e) =>
          (iface === undefined || e.interface === iface) &&
          (service === undefined || e.service_id === service) &&
          (region === undefined || e.region_id === region),
      );
    return { endpoints: endpoints.map(endpointView), links: listLinks(req) };
  });
  app.get('/v3/endpoints/:id', async (req) => {
    requireAdmin(req, 'get_endpoint');
    return { endpoint: endpointView(endpointOr404(pathParam(req, 'id'))) };
  });
  /**
   * The region an endpoint names: `region_id` must exist; the legacy `region`
   * is created when missing, as Keystone does for backward compatibility.
   */
  const endpointRegion = (body: Body): string | null | undefined => {
    const regionId = optionalString(body, 'region_id');
    if (regionId !== undefined) {
      if (store.get(K.region, regionId) === undefined) throw validationError('endpoint region_id', 'region table');
      return regionId;
    }
    const legacy = optionalString(body, 'region');
    if (legacy === undefined) return body.region_id === null ? null : undefined;
    if (store.get(K.region, legacy) === undefined)
      store.insert<RegionDoc>(K.region, { id: legacy, description: '', parent_region_id: null }, null);
    return legacy;
  };
  const endpointFields = (body: Body, base: EndpointDoc): EndpointDoc => {
    const iface = optionalString(body, 'interface');
    if (iface !== undefined && !(INTERFACES as readonly string[]).includes(iface))
      throw badRequest(`Invalid input for field 'interface': '${iface}' is not one of ['admin', 'internal', 'public']`);
    const url = optionalString(body, 'url');
    if (url !== undefined) {
      if (!URL_PATTERN.test(url))
        throw badRequest(`Invalid input for field 'url': '${url}' does not match the pattern`);
      for (const m of url.matchAll(URL_SUBSTITUTION))
        if (!KNOWN_SUBSTITUTIONS.has(m[1] ?? ''))
          throw badRequest(`Invalid input for field 'url': the substitution ${m[0]} is not known`);
    }
    const serviceId = optionalString(body, 'service_id');
    if (serviceId !== undefined && store.get(K.service, serviceId) === undefined)
      throw validationError('endpoint service_id', 'service table');
    const region = endpointRegion(body);
    const next: EndpointDoc = {
      ...base,
      interface: iface ?? base.interface,
      service_id: serviceId ?? base.service_id,
      enabled: optionalBoolean(body, 'enabled') ?? base.enabled,
    };
    if (url !== undefined) next._url = url;
    if (region !== undefined) {
      next.region_id = region;
      next.region = region;
    }
    return next;
  };
  app.post('/v3/endpoints', async (req, reply) => {
    requireAdmin(req, 'create_endpoint');
    const body = bodyOf(req.body, 'endpoint');
    for (const field of ['interface', 'service_id', 'url'])
      if (body[field] === undefined) throw badRequest(`'${field}' is a required property`);
    const base: EndpointDoc = {
      id: keystoneId(),
      interface: '',
      region_id: null,
      service_id: '',
      _path: '',
      enabled: true,
      region: null,
    };
    const doc = store.transaction(() => store.insert(K.endpoint, endpointFields(body, base), null));
    forgetCatalog();
    return reply.code(201).send({ endpoint: endpointView(doc) });
  });
  app.patch('/v3/endpoints/:id', async (req) => {
    requireAdmin(req, 'update_endpoint');
    const e = endpointOr404(pathParam(req, 'id'));
    const body = bodyOf(req.body, 'endpoint');
    if (body.id !== undefined && body.id !== e.id) throw badRequest('Cannot change ID');
    const next = store.transaction(() => store.update(K.endpoint, endpointFields(body, e)));
    forgetCatalog();
    return { endpoint: endpointView(next) };
  });
  app.delete('/v3/endpoints/:id', async (req, reply) => {
    requireAdmin(req, 'delete_endpoint');
    const e = endpointOr404(pathParam(req, 'id'));
    store.transaction(() => store.delete(K.endpoint, e.id));
    forgetCatalog();
    return reply.code(204).send();
  });

  // --- regions (anyone may read them, as Keystone's policy says) ---
  app.get('/v3/regions', async (req) => {
    auth(req);
    const parent = q1(req, 'parent_region_id');
    return {
      regions: store
        .list<RegionDoc>(K.region)
        .filter((r) => parent === undefined || r.parent_region_id === parent)
        .map(regionView),
      links: listLinks(req),
    };
  });
  app.get('/v3/regions/:id', async (req) => {
    auth(req);
    return { region: regionView(regionOr404(pathParam(req, 'id'))) };
  });
  const parentOf = (body: Body): string | null | undefined => {
    if (body.parent_region_id === null) return null;
    const parent = optionalString(body, 'parent_region_id');
    if (parent !== undefined) regionOr404(parent);
    return parent;
  };
  const createRegion = (body: Body, id: string): RegionDoc => {
    if (store.get(K.region, id) !== undefined) throw conflictOnStore('region', `Duplicate ID, ${id}.`);
    const doc: RegionDoc = {
      id,
      description: optionalString(body, 'description') ?? '',
      parent_region_id: parentOf(body) ?? null,
    };
    return store.transaction(() => store.insert(K.region, doc, null));
  };
  app.post('/v3/regions', async (req, reply) => {
    requireAdmin(req, 'create_region');
    const body = bodyOf(req.body, 'region');
    const given = optionalString(body, 'id');
    const doc = createRegion(body, given === undefined || given === '' ? keystoneId() : given);
    return reply.code(201).send({ region: regionView(doc) });
  });
  app.put('/v3/regions/:id', async (req, reply) => {
    requireAdmin(req, 'create_region');
    const body = bodyOf(req.body, 'region');
    const id = pathParam(req, 'id');
    const given = optionalString(body, 'id');
    if (given !== undefined && given !== id)
      throw badRequest(`Conflicting region IDs specified: "${id}" != "${given}"`);
    return reply.code(201).send({ region: regionView(createRegion(body, id)) });
  });
  app.patch('/v3/regions/:id', async (req) => {
    requireAdmin(req, 'update_region');
    const r = regionOr404(pathParam(req, 'id'));
    const body = bodyOf(req.body, 'region');
    if (Object.keys(body).length === 0) throw badRequest('{} does not have enough properties');
    if (body.id !== undefined && body.id !== r.id) throw badRequest('Cannot change ID');
    const parent = parentOf(body);
    if (parent !== undefined && parent !== null && ancestry(parent).includes(r.id))
      throw badRequest(`Circular reference in hierarchical regions: region ${r.id} would be an ancestor of itself.`);
    const next: RegionDoc = {
      ...r,
      description: body.description === null ? '' : (optionalString(body, 'description') ?? r.description),
      parent_region_id: parent === undefined ? r.parent_region_id : parent,
    };
    store.transaction(() => store.update(K.region, next));
    return { region: regionView(next) };
  });
  /** A region and its ancestors, stopping at a loop. */
  const ancestry = (id: string): string[] => {
    const seen: string[] = [];
    for (let cur: string | null = id; cur !== null && !seen.includes(cur);) {
      seen.push(cur);
      cur = store.get<RegionDoc>(K.region, cur)?.parent_region_id ?? null;
    }
    return seen;
  };
  /** A region and all its descendants. */
  const subtree = (id: string): string[] => {
    const all = store.list<RegionDoc>(K.region);
    const out: string[] = [id];
    for (let i = 0; i < out.length; i++)
      for (const r of all) if (r.parent_region_id === out[i] && !out.includes(r.id)) out.push(r.id);
    return out;
  };
  app.delete('/v3/regions/:id', async (req, reply) => {
    requireAdmin(req, 'delete_region');
    const r = regionOr404(pathParam(req, 'id'));
    const ids = subtree(r.id);
    if (store.list<EndpointDoc>(K.endpoint).some((e) => e.region_id !== null && ids.includes(e.region_id)))
      throw forbiddenNotSecurity(
        `Unable to delete region ${r.id} because it or its child regions have associated endpoints.`,
      );
    store.transaction(() => {
      for (const id of ids) store.delete(K.region, id);
    });
    return reply.code(204).send();
  });
}
