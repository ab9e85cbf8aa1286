/**
 * Barbican (Key Manager v1) for the sandbox: secrets with their payloads,
 * metadata and expiration, containers (generic, certificate, rsa) with their
 * secret references and consumers, read ACLs, project boundaries and
 * Barbican's error bodies. Octavia reads its certificates from here.
 */
import type { SandboxService } from '../core/context.js';
import { registerBarbicanRoutes } from './key-manager/routes.js';

export const keyManagerService: SandboxService = {
  type: 'key-manager',
  name: 'barbican',
  prefix: '/key-manager',
  endpointPath: () => '/key-manager',
  register: (app, ctx) => registerBarbicanRoutes(app, ctx),
};

export { certificateBundle, type CertificateBundle } from './key-manager/certificates.js';
