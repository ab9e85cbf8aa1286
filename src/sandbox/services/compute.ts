/**
 * Compute v2.1 (Nova) for the sandbox: microversions 2.1–2.93, flavors,
 * servers (ports through Neutron, volumes through Cinder), keypairs, server
 * groups, availability zones, limits and quota sets. The implementation lives
 * in ./compute/; `onServerLifecycle` is the hook for running something when a
 * server becomes ACTIVE, is stopped or deleted (see compute/lifecycle.ts).
 */
import type { SandboxService } from '../core/context.js';
import { registerCatalogRoutes, seedNova } from './compute/catalog-routes.js';
import { registerInstanceActionRoutes } from './compute/instance-actions.js';
import { registerSecurityGroupRoutes } from './compute/security-groups.js';
import { registerServerRoutes } from './compute/servers.js';

export { onServerLifecycle } from './compute/lifecycle.js';
export type { ServerLifecycleListener, ServerLifecycleNotice, ServerLifecycleEvent } from './compute/lifecycle.js';

export const computeService: SandboxService = {
  type: 'compute',
  name: 'nova',
  prefix: '/compute',
  endpointPath: () => '/compute/v2.1',
  register: (app, ctx) => {
    registerCatalogRoutes(app, ctx);
    registerServerRoutes(app, ctx);
    registerSecurityGroupRoutes(app, ctx);
    registerInstanceActionRoutes(app, ctx);
  },
  seed: (ctx) => seedNova(ctx),
};
