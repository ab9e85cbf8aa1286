/** What every Glance route shares, built once per server: the caller, image views and lookups that answer 404/403. */
import type { FastifyRequest } from 'fastify';
import type { AuthInfo, SandboxContext } from '../../core/context';
import { glanceError } from '../../core/errors';
import { IMAGE_KIND, IMAGE_MEMBER_KIND, type ImageDoc, type MemberDoc, type ImageOptions, canSee } from './model';
import { pathParam } from '../../core/request';

export type GlanceApi = ReturnType<typeof glanceApi>;

export function glanceApi(ctx: SandboxContext, blobPath: (id: string) => string, opts: ImageOptions) {
  const { store } = ctx;
  const auth = (req: FastifyRequest): AuthInfo => ctx.authenticate(req, 'glance');
  const members = (): MemberDoc[] => store.list<MemberDoc>(IMAGE_MEMBER_KIND);

  const view = (img: ImageDoc): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(img)) if (!k.startsWith('_')) out[k] = v;
    out.self = `/v2/images/${img.id}`;
    out.file = `/v2/images/${img.id}/file`;
    out.schema = '/v2/schemas/image';
    return out;
  };
  const visibleImage = (req: FastifyRequest, a: AuthInfo): ImageDoc => {
    const id = pathParam(req, 'id');
    const img = store.get<ImageDoc>(IMAGE_KIND, id);
    if (img === undefined || !canSee(a, img, members())) throw glanceError(404, `No image found with ID ${id}`);
    return img;
  };
  const ownedImage = (req: FastifyRequest, a: AuthInfo, action: string): ImageDoc => {
    const img = visibleImage(req, a);
    if (!a.isAdmin && img.owner !== a.projectId)
      throw glanceError(403, `You are not authorized to ${action} this image.`);
    return img;
  };
  return { ctx, store, opts, blobPath, auth, members, view, visibleImage, ownedImage };
}
