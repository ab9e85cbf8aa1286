/**
 * Octavia (Load Balancer v2) for the sandbox: load balancers with a VIP port in
 * Neutron, listeners, pools, members and health monitors with Octavia's
 * provisioning and operating statuses, quotas, and Octavia's error bodies.
 */
import type { SandboxService } from '../core/context.js';
import { registerOctaviaRoutes } from './load-balancer/routes.js';

export const loadBalancerService: SandboxService = {
  type: 'load-balancer',
  name: 'octavia',
  prefix: '/load-balancer',
  endpointPath: () => '/load-balancer',
  register: (app, ctx) => registerOctaviaRoutes(app, ctx),
};
