/**
 * Identity v3 (Keystone) as a sandbox service: version discovery here, each
 * resource's routes in its own module.
 */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext, SandboxService } from '../../core/context';
import { registerAppCredentialRoutes } from './app-credentials';
import { registerCatalogRoutes } from './catalog';
import { registerDomainRoutes } from './domains';
import { registerGrantRoutes } from './grants';
import { registerGroupRoutes } from './groups';
import { registerImpliedRoleRoutes } from './implied-roles';
import { keystoneApi } from './keystone';
import type { IdentityOptions } from './model';
import { registerPolicyRoutes } from './policies';
import { registerProjectRoutes } from './projects';
import { registerRoleRoutes } from './roles';
import { ensureImpliedRoles, seedIdentity } from './seed';
import { registerTokenRoutes } from './tokens';
import { registerTrustRoutes } from './trusts';
import { registerUserRoutes } from './users';

export function createIdentityService(opts: IdentityOptions): SandboxService {
  return {
    type: 'identity',
    name: 'keystone',
    prefix: '/identity',
    endpointPath: () => '/identity/v3/',
    seed: (ctx) => seedIdentity(ctx, opts.services(), opts.logins),
    register: (app, ctx) => registerIdentity(app, ctx, opts),
  };
}

function registerIdentity(app: FastifyInstance, ctx: SandboxContext, opts: IdentityOptions): void {
  // A database seeded before inference rules were stored gets the default ones.
  ctx.store.transaction(() => ensureImpliedRoles(ctx));
  const api = keystoneApi(ctx, opts);
  const { base } = api;
  const versionDoc = () => ({
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${base()}/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  });
  app.get('/', async (_req, reply) => reply.code(300).send({ versions: { values: [versionDoc()] } }));
  app.get('/v3', async () => ({ version: versionDoc() }));
  app.get('/v3/', async () => ({ version: versionDoc() }));

  registerTokenRoutes(app, api);
  registerDomainRoutes(app, api);
  registerProjectRoutes(app, api);
  registerUserRoutes(app, api);
  registerRoleRoutes(app, api);
  registerAppCredentialRoutes(app, api);
  registerCatalogRoutes(app, api);
  registerPolicyRoutes(app, api);
  registerGroupRoutes(app, api);
  registerTrustRoutes(app, api);
  registerGrantRoutes(app, api);
  registerImpliedRoleRoutes(app, api);
}
