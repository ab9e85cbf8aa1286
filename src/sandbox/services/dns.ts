/**
 * Designate (DNS v2) for the sandbox: zones with the SOA and NS record sets
 * Designate manages, record sets checked per type, Designate's asynchronous
 * PENDING/ACTIVE status with its action, and Designate's error bodies.
 */
import type { SandboxService } from '../core/context.js';
import { registerDesignateRoutes } from './dns/routes.js';

export const dnsService: SandboxService = {
  type: 'dns',
  name: 'designate',
  prefix: '/dns',
  endpointPath: () => '/dns',
  register: (app, ctx) => registerDesignateRoutes(app, ctx),
};
