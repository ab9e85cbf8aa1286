/** The Cinder attachments API (3.27+): reserve, connect (attach), complete, list, show and delete. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { badRequest, notFound } from '../compute/api-fault.js';
import { requireEnvelope } from '../compute/request-body.js';
import { atLeast } from '../compute/microversion.js';
import { KIND, type AttachmentDoc } from './model.js';
import { attachmentsOfVolume, isoMicro } from './volume-state.js';
import { type Call, params, query, begin, P } from './call.js';
import { visibleVolume } from './volume-view.js';

// ---- attachments API ------------------------------------------------------------------------

export function connectionInfo(att: AttachmentDoc): Record<string, unknown> {
  return {
    driver_volume_type: 'iscsi',
    data: {
      target_discovered: false,
      target_portal: '127.0.0.1:3260',
      target_iqn: `iqn.2010-10.org.openstack:volume-${att.volume_id}`,
      target_lun: 1,
      volume_id: att.volume_id,
      access_mode: att.attach_mode,
      encrypted: false,
      discard: true,
    },
    attachment_id: att.id,
  };
}

export function renderCinderAttachment(att: AttachmentDoc, withConnection: boolean): Record<string, unknown> {
  const status = att.status === 'detaching' ? 'detaching' : att.status;
  return {
    id: att.id,
    status,
    instance: att.instance,
    volume_id: att.volume_id,
    attached_at: att.attached_at,
    detached_at: att.detached_at,
    attach_mode: att.attach_mode,
    connection_info: withConnection && att.connector ? connectionInfo(att) : {},
  };
}

export function attachmentOr404(ctx: SandboxContext, call: Call, id: string): AttachmentDoc {
  const att = ctx.store.get<AttachmentDoc>(KIND.attachment, id);
  if (!att || (att.project_id !== call.auth.projectId && !call.auth.isAdmin))
    throw notFound(`VolumeAttachment ${id} could not be found.`);
  return att;
}

export function newAttachment(
  ctx: SandboxContext,
  call: Call,
  volumeId: string,
  instance: string | null,
  status: AttachmentDoc['status'],
  mode: 'rw' | 'ro',
): AttachmentDoc {
  const now = ctx.now();
  const att: AttachmentDoc = {
    id: ctx.newId(),
    volume_id: volumeId,
    project_id: call.projectId,
    instance,
    status,
    attach_mode: mode,
    attached_at: status === 'attached' ? isoMicro(now) : null,
    detached_at: null,
    host_name: null,
    mountpoint: null,
    connector: null,
    _attached_at_ms: null,
    _detach_at_ms: null,
    _tag: null,
    _delete_on_termination: false,
  };
  return ctx.store.insert(KIND.attachment, att, call.projectId);
}

export function registerAttachmentRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  // attachments (3.27+)
  const needs327 = (call: Call): void => {
    if (!atLeast(call.v, '3.27')) throw notFound('The resource could not be found.');
  };
  app.post(`${P}/attachments`, (req, reply) => {
    const call = begin(ctx, req, reply);
    needs327(call);
    const body = requireEnvelope(req.body, 'attachment');
    const volumeId = typeof body.volume_uuid === 'string' ? body.volume_uuid : '';
    const instance = typeof body.instance_uuid === 'string' ? body.instance_uuid : null;
    const connector =
      body.connector && typeof body.connector === 'object' ? (body.connector as Record<string, unknown>) : null;
    const mode = body.mode === 'ro' ? 'ro' : 'rw';
    const att = ctx.store.transaction(() => {
      const view = visibleVolume(ctx, call, volumeId);
      if (!(
        view.status === 'available' ||
        (view.volume.multiattach && view.status === 'in-use') ||
        view.status === 'reserved'
      )) {
        throw badRequest(
          `Invalid volume: Volume ${volumeId} status must be available or downloading to reserve, but the current status is ${view.status}.`,
        );
      }
      const created = newAttachment(ctx, call, volumeId, instance, connector ? 'attaching' : 'reserved', mode);
      const next = {
        ...created,
        connector,
        mountpoint: typeof connector?.mountpoint === 'string' ? connector.mountpoint : null,
      };
      ctx.store.update(KIND.attachment, next);
      return next;
    });
    return { attachment: renderCinderAttachment(att, true) };
  });
  const listAttachments = (detail: boolean) => (req: FastifyRequest, reply: FastifyReply) => {
    const call = begin(ctx, req, reply);
    needs327(call);
    const q = query(req);
    const all = ctx.store.list<AttachmentDoc>(
      KIND.attachment,
      call.auth.isAdmin && q.all_tenants ? undefined : { projectId: call.projectId },
    );
    const settled = all.flatMap((a) => attachmentsOfVolume(ctx, a.volume_id).filter((x) => x.id === a.id));
    const filtered = settled.filter(
      (a) =>
        (q.volume_id ? a.volume_id === q.volume_id : true) && (q.instance_id ? a.instance === q.instance_id : true),
    );
    return {
      attachments: filtered.map((a) =>
        detail
          ? renderCinderAttachment(a, true)
          : { id: a.id, status: renderCinderAttachment(a, false).status, instance: a.instance, volume_id: a.volume_id },
      ),
    };
  };
  app.get(`${P}/attachments`, listAttachments(false));
  app.get(`${P}/attachments/detail`, listAttachments(true));
  app.get(`${P}/attachments/:id`, (req, reply) => {
    const call = begin(ctx, req, reply);
    needs327(call);
    const att = attachmentOr404(ctx, call, params(req).id ?? '');
    const live = attachmentsOfVolume(ctx, att.volume_id).find((a) => a.id === att.id);
    if (!live) throw notFound(`VolumeAttachment ${att.id} could not be found.`);
    return { attachment: renderCinderAttachment(live, true) };
  });
  app.put(`${P}/attachments/:id`, (req, reply) => {
    const call = begin(ctx, req, reply);
    needs327(call);
    const body = requireEnvelope(req.body, 'attachment');
    const att = attachmentOr404(ctx, call, params(req).id ?? '');
    const connector =
      body.connector && typeof body.connector === 'object' ? (body.connector as Record<string, unknown>) : {};
    const next: AttachmentDoc = {
      ...att,
      connector,
      status: att.status === 'attached' ? 'attached' : 'attaching',
      mountpoint: typeof connector.mountpoint === 'string' ? connector.mountpoint : att.mountpoint,
      host_name: typeof connector.host === 'string' ? connector.host : att.host_name,
    };
    ctx.store.update(KIND.attachment, next);
    return { attachment: renderCinderAttachment(next, true) };
  });
  app.post(`${P}/attachments/:id/action`, (req, reply) => {
    const call = begin(ctx, req, reply);
    if (!atLeast(call.v, '3.44')) throw notFound('The resource could not be found.');
    const att = attachmentOr404(ctx, call, params(req).id ?? '');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!('os-complete' in body)) throw badRequest(`There is no such action: ${Object.keys(body)[0] ?? ''}`);
    ctx.store.update(KIND.attachment, {
      ...att,
      status: 'attached',
      attached_at: isoMicro(ctx.now()),
      _attached_at_ms: null,
    });
    reply.code(204);
    return reply.send();
  });
  app.delete(`${P}/attachments/:id`, (req, reply) => {
    const call = begin(ctx, req, reply);
    needs327(call);
    const att = attachmentOr404(ctx, call, params(req).id ?? '');
    ctx.store.delete(KIND.attachment, att.id);
    const rest = attachmentsOfVolume(ctx, att.volume_id);
    return { attachments: rest.map((a) => renderCinderAttachment(a, false)) };
  });
}
