/** Image members (sharing an image with other projects): add, list, show, accept/reject, remove. */
import type { FastifyInstance } from 'fastify';
import { glanceError } from '../../core/errors';
import { IMAGE_MEMBER_KIND, type MemberDoc, glanceTime } from './model';
import type { GlanceApi } from './glance';
import { pathParam } from '../../core/request';

export function registerMemberRoutes(app: FastifyInstance, api: GlanceApi): void {
  const { ctx, store, auth, members, visibleImage, ownedImage } = api;
  // --- members (image sharing) ---
  const memberView = (m: MemberDoc) => ({
    created_at: m.created_at,
    image_id: m.image_id,
    member_id: m.member_id,
    schema: '/v2/schemas/member',
    status: m.status,
    updated_at: m.updated_at,
  });
  const memberOf = (imageId: string, memberId: string): MemberDoc | undefined =>
    store.get<MemberDoc>(IMAGE_MEMBER_KIND, `${imageId}:${memberId}`);
  app.get('/v2/images/:id/members', async (req) => {
    const a = auth(req);
    const img = visibleImage(req, a);
    const list = members().filter(
      (m) => m.image_id === img.id && (a.isAdmin || img.owner === a.projectId || m.member_id === a.projectId),
    );
    return { members: list.map(memberView), schema: '/v2/schemas/members' };
  });
  app.post('/v2/images/:id/members', async (req) => {
    const a = auth(req);
    const img = ownedImage(req, a, 'share');
    if (img.visibility !== 'shared') throw glanceError(403, `Only shared images have members.`);
    const memberId = (req.body as { member?: unknown } | undefined)?.member;
    if (typeof memberId !== 'string' || memberId === '') throw glanceError(400, 'Member to be added not specified');
    if (memberOf(img.id, memberId) !== undefined) throw glanceError(409, `Member ${memberId} already exists.`);
    const now = glanceTime(ctx.now());
    const m: MemberDoc = {
      id: `${img.id}:${memberId}`,
      image_id: img.id,
      member_id: memberId,
      status: 'pending',
      created_at: now,
      updated_at: now,
    };
    store.transaction(() => store.insert(IMAGE_MEMBER_KIND, m, memberId));
    return memberView(m);
  });
  app.get('/v2/images/:id/members/:member', async (req) => {
    const a = auth(req);
    const img = visibleImage(req, a);
    const m = memberOf(img.id, pathParam(req, 'member'));
    if (m === undefined || !(a.isAdmin || img.owner === a.projectId || m.member_id === a.projectId))
      throw glanceError(404, `Member ${pathParam(req, 'member')} not found`);
    return memberView(m);
  });
  app.put('/v2/images/:id/members/:member', async (req) => {
    const a = auth(req);
    const img = visibleImage(req, a);
    const m = memberOf(img.id, pathParam(req, 'member'));
    if (m === undefined) throw glanceError(404, `Member ${pathParam(req, 'member')} not found`);
    if (!a.isAdmin && m.member_id !== a.projectId)
      throw glanceError(403, 'You are not permitted to modify the status of this member.');
    const status = (req.body as { status?: unknown } | undefined)?.status;
    if (status !== 'pending' && status !== 'accepted' && status !== 'rejected')
      throw glanceError(400, `Status must be one of ('pending', 'accepted', 'rejected')`);
    const next: MemberDoc = { ...m, status, updated_at: glanceTime(ctx.now()) };
    store.transaction(() => store.update(IMAGE_MEMBER_KIND, next));
    return memberView(next);
  });
  app.delete('/v2/images/:id/members/:member', async (req, reply) => {
    const a = auth(req);
    const img = ownedImage(req, a, 'unshare');
    const m = memberOf(img.id, pathParam(req, 'member'));
    if (m === undefined) throw glanceError(404, `Member ${pathParam(req, 'member')} not found`);
    store.transaction(() => store.delete(IMAGE_MEMBER_KIND, m.id));
    return reply.code(204).send();
  });
}
