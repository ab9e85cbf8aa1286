/**
 * Volume state machine and the entry points Nova uses (attach, detach,
 * boot volumes). Transitions are stored as due times and applied lazily when a
 * volume or attachment is read, so no timer is needed and a restart keeps
 * them. The status shown is the volume's own status (creating, available,
 * extending, deleting…) overlaid by its attachments: a pending attach shows
 * `reserved`, a completed one `in-use`, a pending detach `detaching`.
 */
import type { SandboxContext } from '../../core/context.js';
import {
  KIND,
  VOLUME_HOST,
  type AttachmentDoc,
  type VolumeDoc,
  type VolumeStatus,
  type VolumeTypeDoc,
} from './model.js';

export function isoMicro(d: Date): string {
  return d
    .toISOString()
    .replace('Z', '')
    .replace(/\.(\d{3})$/, '.$1000');
}

function dueAt(ctx: SandboxContext): number {
  return ctx.now().getTime() + ctx.statusDelayMs;
}

/** Applies the due transitions of one attachment; returns it, or undefined once removed. */
function settleAttachment(ctx: SandboxContext, att: AttachmentDoc, nowMs: number): AttachmentDoc | undefined {
  if (att._detach_at_ms !== null && att._detach_at_ms <= nowMs) {
    ctx.store.delete(KIND.attachment, att.id);
    return undefined;
  }
  if (
    att._attached_at_ms !== null &&
    att._attached_at_ms <= nowMs &&
    (att.status === 'attaching' || att.status === 'reserved')
  ) {
    const done: AttachmentDoc = { ...att, status: 'attached', _attached_at_ms: null };
    ctx.store.update(KIND.attachment, done);
    return done;
  }
  return att;
}

export function attachmentsOfVolume(ctx: SandboxContext, volumeId: string): AttachmentDoc[] {
  const nowMs = ctx.now().getTime();
  const out: AttachmentDoc[] = [];
  for (const att of ctx.store.list<AttachmentDoc>(KIND.attachment)) {
    if (att.volume_id !== volumeId) continue;
    const settled = settleAttachment(ctx, att, nowMs);
    if (settled) out.push(settled);
  }
  return out;
}

/**
 * The volume with its due transitions applied and persisted, or undefined
 * when it does not exist (or finished deleting).
 */
export function settleVolume(ctx: SandboxContext, id: string): VolumeDoc | undefined {
  return ctx.store.transaction(() => {
    const vol = ctx.store.get<VolumeDoc>(KIND.volume, id);
    if (!vol) return undefined;
    const t = vol._transition;
    if (t && t.at <= ctx.now().getTime()) {
      if (t.gone) {
        ctx.store.delete(KIND.volume, id);
        for (const att of ctx.store.list<AttachmentDoc>(KIND.attachment)) {
          if (att.volume_id === id) ctx.store.delete(KIND.attachment, att.id);
        }
        return undefined;
      }
      const next: VolumeDoc = {
        ...vol,
        status: t.status,
        size: t.size ?? vol.size,
        host: vol.host ?? VOLUME_HOST,
        updated_at: isoMicro(new Date(Math.max(t.at, Date.parse(`${vol.created_at}Z`)))),
        _transition: null,
      };
      ctx.store.update(KIND.volume, next);
      return next;
    }
    return vol;
  });
}

/** Status as the API shows it: own status, overlaid by the attachments' progress. */
export function effectiveStatus(vol: VolumeDoc, attachments: AttachmentDoc[]): VolumeStatus {
  if (vol.status !== 'available' && vol.status !== 'in-use') return vol.status;
  if (attachments.length === 0) return 'available';
  if (attachments.some((a) => a.status === 'detaching')) return 'detaching';
  if (attachments.some((a) => a.status === 'attached')) return 'in-use';
  if (attachments.some((a) => a.status === 'attaching')) return 'attaching';
  return 'reserved';
}

/** A settled volume together with its live attachments and effective status. */
export interface VolumeView {
  volume: VolumeDoc;
  attachments: AttachmentDoc[];
  status: VolumeStatus;
}

export function volumeView(ctx: SandboxContext, id: string): VolumeView | undefined {
  const volume = settleVolume(ctx, id);
  if (!volume) return undefined;
  const attachments = ctx.store.transaction(() => attachmentsOfVolume(ctx, id));
  return { volume, attachments, status: effectiveStatus(volume, attachments) };
}

/** For Nova: the volume (settled) or undefined. */
export function volumeById(ctx: SandboxContext, id: string): VolumeView | undefined {
  return volumeView(ctx, id);
}

export function volumeTypeByNameOrId(ctx: SandboxContext, ref: string): VolumeTypeDoc | undefined {
  return (
    ctx.store.get<VolumeTypeDoc>(KIND.type, ref) ?? ctx.store.list<VolumeTypeDoc>(KIND.type).find((t) => t.name === ref)
  );
}

export type AttachOutcome =
  | { ok: true; attachment: AttachmentDoc }
  | { ok: false; reason: 'not-found' | 'invalid-state' | 'already-attached'; message: string };

const DEVICE_LETTERS = 'bcdefghijklmnopqrstuvwxyz';

function nextDevice(ctx: SandboxContext, serverId: string): string {
  const used = new Set(
    ctx.store
      .list<AttachmentDoc>(KIND.attachment)
      .filter((a) => a.instance === serverId)
      .map((a) => a.mountpoint),
  );
  for (const letter of DEVICE_LETTERS) {
    const dev = `/dev/vd${letter}`;
    if (!used.has(dev)) return dev;
  }
  return `/dev/vd${String(used.size)}`;
}

/**
 * Nova's attach: reserves the volume for the server and completes the
 * attachment after the status delay (reserved → in-use).
 */
export function attachVolume(
  ctx: SandboxContext,
  req: {
    volumeId: string;
    serverId: string;
    projectId: string;
    device?: string | null;
    tag?: string | null;
    deleteOnTermination?: boolean;
    immediate?: boolean;
  },
): AttachOutcome {
  return ctx.store.transaction(() => {
    const view = volumeView(ctx, req.volumeId);
    if (!view) return { ok: false, reason: 'not-found', message: `Volume ${req.volumeId} could not be found.` };
    if (view.attachments.some((a) => a.instance === req.serverId)) {
      return { ok: false, reason: 'already-attached', message: `volume ${req.volumeId} already attached` };
    }
    const attachable = view.status === 'available' || (view.volume.multiattach && view.status === 'in-use');
    if (!attachable) {
      return {
        ok: false,
        reason: 'invalid-state',
        message: `Invalid volume: volume ${req.volumeId} status must be available or in-use with multiattach, but current status is: ${view.status}`,
      };
    }
    const now = ctx.now();
    const completeAt = req.immediate === true ? now.getTime() : dueAt(ctx);
    const att: AttachmentDoc = {
      id: ctx.newId(),
      volume_id: req.volumeId,
      project_id: req.projectId,
      instance: req.serverId,
      // Pending, it reads `reserved` as real Cinder shows right after Nova's POST.
      status: completeAt <= now.getTime() ? 'attached' : 'reserved',
      attach_mode: 'rw',
      attached_at: isoMicro(now),
      detached_at: null,
      host_name: 'sandbox',
      mountpoint: req.device ?? nextDevice(ctx, req.serverId),
      connector: null,
      _attached_at_ms: completeAt <= now.getTime() ? null : completeAt,
      _detach_at_ms: null,
      _tag: req.tag ?? null,
      _delete_on_termination: req.deleteOnTermination ?? false,
    };
    ctx.store.insert(KIND.attachment, att, req.projectId);
    ctx.store.update(KIND.volume, { ...view.volume, updated_at: isoMicro(now) });
    return { ok: true, attachment: att };
  });
}

export type DetachOutcome = { ok: true } | { ok: false; reason: 'not-found' | 'invalid-state'; message: string };

/** Starts detaching (detaching → available after the status delay), or finishes at once when `immediate`. */
export function detachVolume(ctx: SandboxContext, attachmentId: string, immediate = false): DetachOutcome {
  return ctx.store.transaction(() => {
    const att = ctx.store.get<AttachmentDoc>(KIND.attachment, attachmentId);
    if (!att)
      return { ok: false, reason: 'not-found', message: `VolumeAttachment ${attachmentId} could not be found.` };
    if (att.status === 'detaching') {
      return {
        ok: false,
        reason: 'invalid-state',
        message: `Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.`,
      };
    }
    const now = ctx.now();
    const at = immediate ? now.getTime() : dueAt(ctx);
    if (at <= now.getTime()) {
      ctx.store.delete(KIND.attachment, att.id);
    } else {
      ctx.store.update(KIND.attachment, { ...att, status: 'detaching', _detach_at_ms: at, detached_at: isoMicro(now) });
    }
    const vol = ctx.store.get<VolumeDoc>(KIND.volume, att.volume_id);
    if (vol) ctx.store.update(KIND.volume, { ...vol, updated_at: isoMicro(now) });
    return { ok: true };
  });
}

/** Live (not yet removed) attachments of a server, oldest first. */
export function attachmentsOfServer(ctx: SandboxContext, serverId: string): AttachmentDoc[] {
  const nowMs = ctx.now().getTime();
  return ctx.store.transaction(() => {
    const out: AttachmentDoc[] = [];
    for (const att of ctx.store.list<AttachmentDoc>(KIND.attachment)) {
      if (att.instance !== serverId) continue;
      const settled = settleAttachment(ctx, att, nowMs);
      if (settled) out.push(settled);
    }
    return out;
  });
}

/** Every live attachment (settled), for batch views. */
export function liveAttachments(ctx: SandboxContext): AttachmentDoc[] {
  const nowMs = ctx.now().getTime();
  return ctx.store.transaction(() => {
    const out: AttachmentDoc[] = [];
    for (const att of ctx.store.list<AttachmentDoc>(KIND.attachment)) {
      const settled = settleAttachment(ctx, att, nowMs);
      if (settled) out.push(settled);
    }
    return out;
  });
}

/** Marks a volume deleting; it disappears after the status delay. */
export function beginVolumeDelete(ctx: SandboxContext, vol: VolumeDoc): void {
  const now = ctx.now();
  const at = dueAt(ctx);
  if (at <= now.getTime()) {
    ctx.store.delete(KIND.volume, vol.id);
    return;
  }
  ctx.store.update(KIND.volume, {
    ...vol,
    status: 'deleting',
    updated_at: isoMicro(now),
    _transition: { at, status: 'deleting', gone: true },
  });
}

/** Creates a volume directly (Nova boot-from-image with destination volume). */
export function createVolumeRecord(
  ctx: SandboxContext,
  init: {
    projectId: string;
    userId: string;
    size: number;
    name: string | null;
    imageId: string | null;
    typeId: string;
    bootable: boolean;
    imageMetadata: Record<string, string> | null;
  },
): VolumeDoc {
  const now = ctx.now();
  const at = dueAt(ctx);
  const ready = at <= now.getTime();
  const doc: VolumeDoc = {
    id: ctx.newId(),
    name: init.name,
    description: null,
    size: init.size,
    status: ready ? 'available' : 'creating',
    availability_zone: 'nova',
    created_at: isoMicro(now),
    updated_at: ready ? isoMicro(now) : null,
    volume_type_id: init.typeId,
    snapshot_id: null,
    source_volid: null,
    image_id: init.imageId,
    metadata: {},
    user_id: init.userId,
    project_id: init.projectId,
    bootable: init.bootable,
    multiattach: false,
    host: ready ? VOLUME_HOST : null,
    volume_image_metadata: init.imageMetadata,
    _transition: ready ? null : { at, status: 'available' },
  };
  return ctx.store.insert(KIND.volume, doc, init.projectId);
}
