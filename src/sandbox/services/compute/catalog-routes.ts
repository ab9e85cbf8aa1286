/**
 * Nova routes besides /servers: version discovery, flavors (+ extra specs,
 * access), keypairs, server groups, availability zones, limits, quota sets,
 * and the read-only host views clients list (hypervisors, services).
 *
 * Each resource registers its own routes (flavors.ts, keypairs.ts,
 * server-groups.ts, quota-sets.ts, host-views.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { KIND, type FlavorDoc } from './model.js';
import { type Json, V } from './call.js';
import { registerFlavorRoutes } from './flavors.js';
import { registerKeypairRoutes } from './keypairs.js';
import { registerServerGroupRoutes } from './server-groups.js';
import { registerQuotaSetRoutes } from './quota-sets.js';
import { registerHostViewRoutes } from './host-views.js';

function versionV21(ctx: SandboxContext): Json {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: '2.93',
    min_version: '2.1',
    updated: '2013-07-23T11:33:21Z',
    links: [
      { rel: 'self', href: `${ctx.publicUrl}/compute/v2.1/` },
      { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
  };
}

/**
 * Nova's legacy v2.0 (SUPPORTED, no microversions), listed first as every Nova lists it; the sandbox serves its
 * version document at /compute/v2/ (clients and Tempest follow the link) but not the legacy API below it.
 */
function versionV20(ctx: SandboxContext): Json {
  return {
    id: 'v2.0',
    status: 'SUPPORTED',
    version: '',
    min_version: '',
    updated: '2011-01-21T11:33:21Z',
    links: [
      { rel: 'self', href: `${ctx.publicUrl}/compute/v2/` },
      { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2' }],
  };
}

// ---- registration ----------------------------------------------------------------------------

export function registerCatalogRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/', () => {
    const { 'media-types': _v21Types, ...v21 } = versionV21(ctx);
    const { 'media-types': _v20Types, ...v20 } = versionV20(ctx);
    return { versions: [v20, v21] };
  });
  const legacyDoc = (): Json => ({ version: versionV20(ctx) });
  app.get('/v2', legacyDoc);
  app.get('/v2/', legacyDoc);
  // Version discovery needs no token; Nova still answers with the base microversion.
  const versionDoc = (_req: FastifyRequest, reply: FastifyReply): Json => {
    reply.headers({
      'OpenStack-API-Version': 'compute 2.1',
      'X-OpenStack-Nova-API-Version': '2.1',
      Vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
    });
    return { version: versionV21(ctx) };
  };
  app.get(V, versionDoc);
  app.get(`${V}/`, versionDoc);

  registerFlavorRoutes(app, ctx);
  registerKeypairRoutes(app, ctx);
  registerServerGroupRoutes(app, ctx);
  registerHostViewRoutes(app, ctx);
  registerQuotaSetRoutes(app, ctx);
}

/** Seed: flavors m1.tiny … m1.xlarge with Nova's classic ids 1–5. */
export function seedNova(ctx: SandboxContext): void {
  const flavors: [string, string, number, number, number][] = [
    ['1', 'm1.tiny', 1, 512, 1],
    ['2', 'm1.small', 1, 2048, 20],
    ['3', 'm1.medium', 2, 4096, 40],
    ['4', 'm1.large', 4, 8192, 80],
    ['5', 'm1.xlarge', 8, 16384, 160],
  ];
  for (const [id, name, vcpus, ram, disk] of flavors) {
    const f: FlavorDoc = {
      id,
      name,
      vcpus,
      ram,
      disk,
      swap: 0,
      ephemeral: 0,
      rxtx_factor: 1.0,
      is_public: true,
      disabled: false,
      description: null,
      extra_specs: {},
    };
    ctx.store.insert(KIND.flavor, f, null);
  }
}
