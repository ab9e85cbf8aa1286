/** POST /volumes/{id}/action: the volume actions Cinder answers (extend, bootable, readonly, reserve, attach, detach…). */
import type { FastifyReply } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { BODY_BOOLEAN, isTrue } from '../../core/booleans.js';
import { badRequest } from '../compute/api-fault.js';
import { atLeast } from '../compute/microversion.js';
import { KIND, type VolumeDoc, type VolumeTypeDoc } from './model.js';
import { isoMicro, type VolumeView } from './volume-state.js';
import { requireAdmin, parseSize, type Call } from './call.js';
import { enforceVolumeQuota } from './quotas.js';
import { typeOr404, defaultType } from './volume-types.js';
import { connectionInfo, newAttachment } from './attachments.js';

export function requireStatus(view: VolumeView, allowed: string[], action: string): void {
  if (!allowed.includes(view.status)) {
    throw badRequest(
      `Invalid volume: Volume ${view.volume.id} status must be ${allowed.join(' or ')} to ${action}, but current status is: ${view.status}.`,
    );
  }
}

/** The legacy volume actions Nova (pre-3.27 flow) and cinderclient drive. */
export function volumeAction(
  ctx: SandboxContext,
  call: Call,
  view: VolumeView,
  body: Record<string, unknown>,
  reply: FastifyReply,
): unknown {
  const [name] = Object.keys(body);
  const arg = (name !== undefined ? body[name] : undefined) as Record<string, unknown> | null | undefined;
  const vol = view.volume;
  const now = ctx.now();
  const touch = (patch: Partial<VolumeDoc>): void => {
    ctx.store.update(KIND.volume, { ...vol, ...patch, updated_at: isoMicro(now) });
  };
  switch (name) {
    case 'os-extend': {
      const newSize = parseSize(arg?.new_size);
      if (newSize <= vol.size) {
        throw badRequest(
          `Invalid input received: New size for extend must be greater than current size. (current: ${vol.size}, extended: ${newSize}).`,
        );
      }
      requireStatus(view, atLeast(call.v, '3.42') ? ['available', 'in-use'] : ['available'], 'extend');
      enforceVolumeQuota(ctx, vol.project_id, newSize - vol.size, defaultTypeOf(ctx, vol), true);
      const at = now.getTime() + ctx.statusDelayMs;
      if (ctx.statusDelayMs === 0) touch({ size: newSize });
      else touch({ status: 'extending', _transition: { at, status: vol.status, size: newSize } });
      reply.code(202);
      return undefined;
    }
    case 'os-reserve':
      requireStatus(view, ['available'], 'reserve');
      // Cinder's reserve_volume sets the volume `attaching` until os-attach or os-unreserve (the attachments API's
      // reservation, POST /attachments without a connector, is what shows `reserved`).
      newAttachment(ctx, call, vol.id, null, 'attaching', 'rw');
      reply.code(202);
      return undefined;
    case 'os-unreserve':
      for (const att of view.attachments)
        if ((att.status === 'reserved' || att.status === 'attaching') && att._attached_at_ms === null)
          ctx.store.delete(KIND.attachment, att.id);
      reply.code(202);
      return undefined;
    case 'os-begin_detaching':
      requireStatus(view, ['in-use'], 'begin detaching');
      for (const att of view.attachments)
        if (att.status === 'attached') ctx.store.update(KIND.attachment, { ...att, status: 'detaching' });
      reply.code(202);
      return undefined;
    case 'os-roll_detaching':
      for (const att of view.attachments)
        if (att.status === 'detaching' && att._detach_at_ms === null)
          ctx.store.update(KIND.attachment, { ...att, status: 'attached' });
      reply.code(202);
      return undefined;
    case 'os-attach': {
      const instance = typeof arg?.instance_uuid === 'string' ? arg.instance_uuid : null;
      const mountpoint = typeof arg?.mountpoint === 'string' ? arg.mountpoint : null;
      const mode = arg?.mode === 'ro' ? 'ro' : 'rw';
      const reserved = view.attachments.find(
        (a) => (a.status === 'reserved' || a.status === 'attaching') && a._attached_at_ms === null,
      );
      if (!reserved) requireStatus(view, ['available', 'attaching', 'reserved'], 'attach');
      const att = reserved ?? newAttachment(ctx, call, vol.id, instance, 'attached', mode);
      ctx.store.update(KIND.attachment, {
        ...att,
        instance,
        mountpoint,
        attach_mode: mode,
        status: 'attached',
        attached_at: isoMicro(now),
        host_name: typeof arg?.host_name === 'string' ? arg.host_name : instance ? 'sandbox' : null,
      });
      touch({});
      reply.code(202);
      return undefined;
    }
    case 'os-detach': {
      const which = typeof arg?.attachment_id === 'string' ? arg.attachment_id : undefined;
      const targets = view.attachments.filter((a) => which === undefined || a.id === which);
      if (targets.length === 0)
        throw badRequest(
          `Invalid volume: Volume ${vol.id} is not attached${which ? ` with attachment ${which}` : ''}.`,
        );
      for (const att of targets) ctx.store.delete(KIND.attachment, att.id);
      touch({});
      reply.code(202);
      return undefined;
    }
    case 'os-initialize_connection': {
      const connector = (arg?.connector ?? {}) as Record<string, unknown>;
      const att = view.attachments[0];
      return {
        connection_info: att
          ? connectionInfo({ ...att, connector })
          : {
              driver_volume_type: 'iscsi',
              data: {
                target_portal: '127.0.0.1:3260',
                target_iqn: `iqn.2010-10.org.openstack:volume-${vol.id}`,
                target_lun: 1,
                volume_id: vol.id,
                access_mode: 'rw',
              },
            },
      };
    }
    case 'os-terminate_connection':
      reply.code(202);
      return undefined;
    case 'os-set_bootable': {
      const b = arg?.bootable;
      const bootable = isTrue(b, BODY_BOOLEAN);
      touch({ bootable });
      return undefined;
    }
    case 'os-update_readonly_flag':
      // Cinder stores the flag as Python prints a bool: "True" or "False".
      touch({ metadata: { ...vol.metadata, readonly: isTrue(arg?.readonly, BODY_BOOLEAN) ? 'True' : 'False' } });
      reply.code(202);
      return undefined;
    case 'os-reset_status': {
      requireAdmin(call, 'volume_extension:volume_admin_actions:reset_status');
      const status = typeof arg?.status === 'string' ? arg.status : undefined;
      if (status !== undefined) touch({ status: status as VolumeDoc['status'], _transition: null });
      if (arg?.attach_status === 'detached')
        for (const att of view.attachments) ctx.store.delete(KIND.attachment, att.id);
      reply.code(202);
      return undefined;
    }
    case 'os-retype': {
      const t = typeOr404(ctx, String(arg?.new_type ?? ''));
      touch({ volume_type_id: t.id });
      reply.code(202);
      return undefined;
    }
    case 'os-set_image_metadata': {
      const md = (arg?.metadata ?? {}) as Record<string, string>;
      touch({ volume_image_metadata: { ...(vol.volume_image_metadata ?? {}), ...md } });
      return { metadata: { ...(vol.volume_image_metadata ?? {}), ...md } };
    }
    default:
      throw badRequest(`There is no such action: ${name ?? ''}`);
  }
}

export function defaultTypeOf(ctx: SandboxContext, vol: VolumeDoc): VolumeTypeDoc {
  return ctx.store.get<VolumeTypeDoc>(KIND.type, vol.volume_type_id) ?? defaultType(ctx);
}
