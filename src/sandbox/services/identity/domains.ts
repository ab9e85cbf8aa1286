/** Keystone domains (read-only: the sandbox has the default domain). */
import type { FastifyInstance } from 'fastify';
import { pathParam } from '../../core/request';
import type { KeystoneApi } from './keystone';
import { K, type DomainDoc } from './model';
import { forbidden, notFound, parseBool } from './request';

export function registerDomainRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { store, auth, q1, listLinks, domainView } = api;
  app.get('/v3/domains', async (req) => {
    const a = auth(req);
    const name = q1(req, 'name');
    const enabled = q1(req, 'enabled');
    const domains = store
      .list<DomainDoc>(K.domain)
      .filter((d) => a.isAdmin || d.id === a.domainId)
      .filter((d) => name === undefined || d.name === name)
      .filter((d) => enabled === undefined || d.enabled === parseBool(enabled));
    return { domains: domains.map(domainView), links: listLinks(req) };
  });
  app.get('/v3/domains/:id', async (req) => {
    const a = auth(req);
    const d = store.get<DomainDoc>(K.domain, pathParam(req, 'id'));
    if (d === undefined) throw notFound('domain', pathParam(req, 'id'));
    if (!a.isAdmin && d.id !== a.domainId) throw forbidden('get_domain');
    return { domain: domainView(d) };
  });
}
