/**
 * Object Storage v1 (Swift) as a sandbox service: discovery (/info, /healthcheck)
 * here, the account, containers and objects in their own modules.
 */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext, SandboxService } from '../../core/context';
import { registerAccountRoutes } from './account';
import { registerContainerRoutes } from './containers';
import { LISTING_LIMIT, MAX_CONTAINER_NAME, MAX_OBJECT_NAME, STORAGE_POLICY, type ObjectStoreOptions } from './model';
import { registerObjectRoutes } from './objects';
import { swiftApi } from './swift';

export function createObjectStoreService(opts: ObjectStoreOptions): SandboxService {
  return {
    type: 'object-store',
    name: 'swift',
    prefix: '/object-store',
    endpointPath: (projectId) => `/object-store/v1/AUTH_${projectId}`,
    register: (app, ctx) => registerSwift(app, ctx, opts.blobDir),
  };
}

function registerSwift(app: FastifyInstance, ctx: SandboxContext, blobDir: string): void {
  // Swift takes any body as raw bytes, whatever its Content-Type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // --- info (no auth) ---
  app.get('/info', async () => ({
    swift: {
      version: '2.30.0',
      strict_cors_mode: true,
      policies: [{ name: STORAGE_POLICY, aliases: STORAGE_POLICY, default: true }],
      allow_account_management: false,
      account_autocreate: true,
      max_file_size: 5368709122,
      max_meta_name_length: 128,
      max_meta_value_length: 256,
      max_meta_count: 90,
      max_meta_overall_size: 4096,
      max_header_size: 8192,
      max_object_name_length: MAX_OBJECT_NAME,
      container_listing_limit: LISTING_LIMIT,
      account_listing_limit: LISTING_LIMIT,
      max_account_name_length: 256,
      max_container_name_length: MAX_CONTAINER_NAME,
      extra_header_count: 0,
      valid_api_versions: ['v1', 'v1.0'],
    },
    keystoneauth: {},
    tempurl: {
      methods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
      allowed_digests: ['sha1', 'sha256', 'sha512'],
      incoming_remove_headers: ['x-timestamp'],
      outgoing_remove_headers: ['x-object-meta-*'],
    },
    versioned_writes: { allowed_flags: ['x-versions-location', 'x-history-location'] },
    // X-Versions-Enabled is served (containers.ts): announce it as Swift's object_versioning middleware does.
    object_versioning: {},
    container_quotas: {},
    account_quotas: {},
  }));
  app.get('/healthcheck', async (_req, reply) => reply.header('content-type', 'text/plain').send('OK'));

  const api = swiftApi(ctx, blobDir);
  registerAccountRoutes(app, api);
  registerContainerRoutes(app, api);
  registerObjectRoutes(app, api);
}
