/** Image v2 (Glance) as a sandbox service: version discovery here, each resource's routes in its own module. */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext, SandboxService } from '../../core/context';
import { pathInside } from '../../core/paths';
import type { ImageOptions } from './model';
import { seedImages } from './seed';
import { type GlanceApi, glanceApi } from './glance';
import { registerImageRoutes } from './images';
import { registerImageDataRoutes } from './image-data';
import { registerMemberRoutes } from './members';
import { registerSchemaRoutes } from './schemas';

export function createImageService(opts: ImageOptions): SandboxService {
  // The id is a UUID by the time it gets here; pathInside still refuses any other name.
  const blobPath = (id: string): string => pathInside(opts.blobDir, 'image id', id);
  return {
    type: 'image',
    name: 'glance',
    prefix: '/image',
    endpointPath: () => '/image',
    seed: (ctx) => seedImages(ctx, blobPath),
    register: (app, ctx) => registerGlance(app, ctx, glanceApi(ctx, blobPath, opts)),
  };
}

function registerGlance(app: FastifyInstance, ctx: SandboxContext, api: GlanceApi): void {
  const versions = (): Record<string, unknown> => ({
    versions: [
      '2.16',
      '2.15',
      '2.14',
      '2.13',
      '2.12',
      '2.11',
      '2.10',
      '2.9',
      '2.8',
      '2.7',
      '2.6',
      '2.5',
      '2.4',
      '2.3',
      '2.2',
      '2.1',
      '2.0',
    ].map((v, i) => ({
      id: `v${v}`,
      status: i === 0 ? 'CURRENT' : 'SUPPORTED',
      links: [{ rel: 'self', href: `${ctx.publicUrl}/image/v2/` }],
    })),
  });
  app.get('/', async (_req, reply) => reply.code(300).send(versions()));
  app.get('/versions', async () => versions());

  registerImageRoutes(app, api);
  registerImageDataRoutes(app, api);
  registerMemberRoutes(app, api);
  registerSchemaRoutes(app);
}
