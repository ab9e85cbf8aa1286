/** Keystone catalog administration (services, endpoints, regions; read-only) and the collections the sandbox keeps empty. */
import type { FastifyInstance } from 'fastify';
import { pathParam } from '../../core/request';
import type { KeystoneApi } from './keystone';
import { K, type EndpointDoc, type RegionDoc, type ServiceDoc } from './model';
import { notFound } from './request';

export function registerCatalogRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { store, auth, q1, listLinks, serviceView, endpointView, regionView } = api;
  // --- collections the sandbox keeps empty (no groups, credentials or unified limits), so clients listing them get the real shape ---
  for (const [path, key] of [
    ['/v3/groups', 'groups'],
    ['/v3/credentials', 'credentials'],
    ['/v3/limits', 'limits'],
    ['/v3/registered_limits', 'registered_limits'],
    ['/v3/policies', 'policies'],
  ] as const) {
    app.get(path, async (req) => {
      auth(req);
      return { [key]: [], links: listLinks(req) };
    });
  }

  // --- catalog administration (read-only) ---
  app.get('/v3/services', async (req) => {
    auth(req);
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
    auth(req);
    const s = store.get<ServiceDoc>(K.service, pathParam(req, 'id'));
    if (s === undefined) throw notFound('service', pathParam(req, 'id'));
    return { service: serviceView(s) };
  });
  app.get('/v3/endpoints', async (req) => {
    auth(req);
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
    auth(req);
    const e = store.get<EndpointDoc>(K.endpoint, pathParam(req, 'id'));
    if (e === undefined) throw notFound('endpoint', pathParam(req, 'id'));
    return { endpoint: endpointView(e) };
  });
  app.get('/v3/regions', async (req) => {
    auth(req);
    return { regions: store.list<RegionDoc>(K.region).map(regionView), links: listLinks(req) };
  });
  app.get('/v3/regions/:id', async (req) => {
    auth(req);
    const r = store.get<RegionDoc>(K.region, pathParam(req, 'id'));
    if (r === undefined) throw notFound('region', pathParam(req, 'id'));
    return { region: regionView(r) };
  });
}
