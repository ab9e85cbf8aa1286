/**
 * Cinder v3 routes under /volume: version discovery, volumes (+ actions),
 * volume types (+ encryption), attachments (3.27+), availability zones,
 * quota sets and limits. Each resource registers its own routes
 * (volumes.ts, volume-types.ts, attachments.ts, quotas.ts, snapshots.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { KIND, VOLUME_HOST, type VolumeTypeDoc } from './model.js';
import { registerSnapshotRoutes } from './snapshots.js';
import { isoMicro } from './volume-state.js';
import { begin } from './call.js';
import { enforceSnapshotQuota, registerQuotaRoutes } from './quotas.js';
import { registerVolumeRoutes } from './volumes.js';
import { registerVolumeTypeRoutes } from './volume-types.js';
import { registerAttachmentRoutes } from './attachments.js';

// ---- registration ---------------------------------------------------------------------------

function versionDoc(ctx: SandboxContext): Record<string, unknown> {
  return {
    id: 'v3.0',
    status: 'CURRENT',
    version: '3.70',
    min_version: '3.0',
    updated: '2023-08-31T00:00:00Z',
    links: [
      { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
      { rel: 'self', href: `${ctx.publicUrl}/volume/v3/` },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
  };
}

export function registerCinderRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const versions = (_req: FastifyRequest, reply: FastifyReply): unknown => {
    reply.code(300);
    return { versions: [versionDoc(ctx)] };
  };
  app.get('/', versions);
  app.get('/v3', (_req, _reply) => ({ versions: [versionDoc(ctx)] }));
  app.get('/v3/', (_req, _reply) => ({ versions: [versionDoc(ctx)] }));

  const P = '/v3/:projectId';

  registerVolumeRoutes(app, ctx);
  registerVolumeTypeRoutes(app, ctx);
  registerAttachmentRoutes(app, ctx);
  registerQuotaRoutes(app, ctx);

  // availability zones, limits, quotas
  app.get(`${P}/os-availability-zone`, (req, reply) => {
    begin(ctx, req, reply);
    return { availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true } }] };
  });
  // services (openstack volume service list)
  app.get(`${P}/os-services`, (req, reply) => {
    begin(ctx, req, reply);
    const updated = isoMicro(ctx.now());
    return {
      services: [
        {
          binary: 'cinder-scheduler',
          host: 'sandbox',
          zone: 'nova',
          status: 'enabled',
          state: 'up',
          updated_at: updated,
          disabled_reason: null,
        },
        {
          binary: 'cinder-volume',
          host: VOLUME_HOST.split('#')[0],
          zone: 'nova',
          status: 'enabled',
          state: 'up',
          updated_at: updated,
          disabled_reason: null,
        },
      ],
    };
  });

  registerSnapshotRoutes(
    app,
    ctx,
    (req, reply) => begin(ctx, req, reply),
    (call, volume) => enforceSnapshotQuota(ctx, call.projectId, volume),
  );

  // backups are not implemented: empty lists keep clients that list them working.
  app.get(`${P}/backups`, (req, reply) => {
    begin(ctx, req, reply);
    return { backups: [] };
  });
  app.get(`${P}/backups/detail`, (req, reply) => {
    begin(ctx, req, reply);
    return { backups: [] };
  });
}

/** Seed: volume types `standard` (default) and `encrypted` (LUKS, front-end). */
export function seedCinder(ctx: SandboxContext): void {
  const now = isoMicro(ctx.now());
  const standard: VolumeTypeDoc = {
    id: ctx.newId(),
    name: 'standard',
    description: 'Default Volume Type',
    is_public: true,
    extra_specs: {},
    qos_specs_id: null,
    encryption: null,
  };
  const encryptedId = ctx.newId();
  const encrypted: VolumeTypeDoc = {
    id: encryptedId,
    name: 'encrypted',
    description: 'LUKS-encrypted volumes',
    is_public: true,
    extra_specs: {},
    qos_specs_id: null,
    encryption: {
      encryption_id: ctx.newId(),
      volume_type_id: encryptedId,
      provider: 'luks',
      control_location: 'front-end',
      cipher: 'aes-xts-plain64',
      key_size: 256,
      created_at: now,
      updated_at: null,
      deleted: false,
      deleted_at: null,
    },
  };
  ctx.store.insert(KIND.type, standard, null);
  ctx.store.insert(KIND.type, encrypted, null);
}
