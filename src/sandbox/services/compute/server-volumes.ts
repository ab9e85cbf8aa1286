/** A server's volume attachments (os-volume_attachments), through Cinder. */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { attachVolume, attachmentsOfServer, detachVolume, volumeById } from '../block-storage.js';
import { badRequest, conflict, notFound } from './api-fault.js';
import { requireEnvelope } from './request-body.js';
import { beginNova, novaOffsetPage, pathParam, queryParams, type NovaCall, type Json, V } from './call.js';
import { atLeast } from './microversion.js';
import { pythonRepr } from './python-repr.js';
import { visibleServer } from './server-state.js';
import { requireStates } from './server-actions.js';

export function renderVolumeAttachment(
  call: NovaCall,
  serverId: string,
  att: {
    id: string;
    volume_id: string;
    mountpoint: string | null;
    _tag: string | null;
    _delete_on_termination: boolean;
  },
): Json {
  const out: Json = atLeast(call.v, '2.89')
    ? { attachment_id: att.id, bdm_uuid: att.id, serverId, volumeId: att.volume_id, device: att.mountpoint }
    : { id: att.volume_id, serverId, volumeId: att.volume_id, device: att.mountpoint };
  if (atLeast(call.v, '2.70')) out.tag = att._tag;
  if (atLeast(call.v, '2.79')) out.delete_on_termination = att._delete_on_termination;
  return out;
}

export function registerServerVolumeRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  // os-volume_attachments
  app.get(`${V}/servers/:id/os-volume_attachments`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const { one } = queryParams(req);
    const atts = novaOffsetPage(attachmentsOfServer(ctx, doc.id), one);
    return { volumeAttachments: atts.map((a) => renderVolumeAttachment(call, doc.id, a)) };
  });
  app.get(`${V}/servers/:id/os-volume_attachments/:volumeId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const volumeId = pathParam(req, 'volumeId');
    const att = attachmentsOfServer(ctx, doc.id).find((a) => a.volume_id === volumeId);
    if (!att) throw notFound(`Instance ${doc.id} is not attached.`);
    return { volumeAttachment: renderVolumeAttachment(call, doc.id, att) };
  });
  app.post(`${V}/servers/:id/os-volume_attachments`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const body = requireEnvelope(req.body, 'volumeAttachment');
    if (typeof body.volumeId !== 'string')
      throw badRequest(
        `Invalid input for field/attribute volumeAttachment. Value: ${pythonRepr(body)}. 'volumeId' is a required property`,
      );
    if (doc.locked && !call.auth.isAdmin) throw conflict(`Instance ${doc.id} is locked`);
    requireStates(doc, 'attach_volume', ['active', 'paused', 'stopped', 'suspended', 'resized']);
    const volumeId = body.volumeId;
    const view = volumeById(ctx, volumeId);
    if (!view || (view.volume.project_id !== call.auth.projectId && !call.auth.isAdmin))
      throw notFound(`Volume ${volumeId} could not be found.`);
    const outcome = attachVolume(ctx, {
      volumeId,
      serverId: doc.id,
      projectId: view.volume.project_id,
      device: typeof body.device === 'string' ? body.device : null,
      tag: typeof body.tag === 'string' && atLeast(call.v, '2.49') ? body.tag : null,
      deleteOnTermination: body.delete_on_termination === true && atLeast(call.v, '2.79'),
    });
    if (!outcome.ok) {
      switch (outcome.reason) {
        case 'not-found':
          throw notFound(outcome.message);
        case 'already-attached':
          throw badRequest(`Invalid volume: ${outcome.message}`);
        case 'invalid-state':
          throw badRequest(outcome.message);
      }
    }
    return { volumeAttachment: renderVolumeAttachment(call, doc.id, outcome.attachment) };
  });
  app.put(`${V}/servers/:id/os-volume_attachments/:volumeId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const volumeId = pathParam(req, 'volumeId');
    const att = attachmentsOfServer(ctx, doc.id).find((a) => a.volume_id === volumeId);
    if (!att) throw notFound(`Instance ${doc.id} is not attached.`);
    const body = requireEnvelope(req.body, 'volumeAttachment');
    if (body.volumeId !== volumeId) throw badRequest('Swapping volumes is not supported by the sandbox.');
    if (typeof body.delete_on_termination === 'boolean' && atLeast(call.v, '2.85')) {
      ctx.store.update('volume.attachment', { ...att, _delete_on_termination: body.delete_on_termination });
    }
    reply.code(202);
    return reply.send();
  });
  app.delete(`${V}/servers/:id/os-volume_attachments/:volumeId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const volumeId = pathParam(req, 'volumeId');
    const att = attachmentsOfServer(ctx, doc.id).find((a) => a.volume_id === volumeId);
    if (!att) throw notFound(`Volume ${volumeId} is not attached to the instance ${doc.id}`);
    if (doc.locked && !call.auth.isAdmin) throw conflict(`Instance ${doc.id} is locked`);
    if (att._delete_on_termination === false && doc._bdm.some((b) => b.volume_id === volumeId && b.boot_index === 0)) {
      throw badRequest("Can't detach root device volume");
    }
    const outcome = detachVolume(ctx, att.id);
    if (!outcome.ok) throw badRequest(outcome.message);
    reply.code(202);
    return reply.send();
  });
}
