/** How Cinder shows a volume (and its attachments), and the 404 for one the caller may not see. */
import type { SandboxContext } from '../../core/context.js';
import { notFound } from '../compute/api-fault.js';
import { atLeast } from '../compute/microversion.js';
import { KIND, type AttachmentDoc, type VolumeTypeDoc } from './model.js';
import { volumeView, type VolumeView } from './volume-state.js';
import type { Call } from './call.js';

export function volumeLinks(ctx: SandboxContext, projectId: string, id: string): { rel: string; href: string }[] {
  return [
    { rel: 'self', href: `${ctx.publicUrl}/volume/v3/${projectId}/volumes/${id}` },
    { rel: 'bookmark', href: `${ctx.publicUrl}/volume/${projectId}/volumes/${id}` },
  ];
}

export function renderAttachment(att: AttachmentDoc): Record<string, unknown> {
  return {
    id: att.volume_id,
    attachment_id: att.id,
    volume_id: att.volume_id,
    server_id: att.instance,
    host_name: att.host_name,
    device: att.mountpoint,
    attached_at: att.attached_at,
  };
}

/** `full` adds the admin/owner extension attributes GET shows but POST/PUT answers omit. */
export function renderVolume(
  ctx: SandboxContext,
  call: Call,
  view: VolumeView,
  full: boolean,
): Record<string, unknown> {
  const vol = view.volume;
  const type = ctx.store.get<VolumeTypeDoc>(KIND.type, vol.volume_type_id);
  const body: Record<string, unknown> = {
    id: vol.id,
    status: view.status,
    size: vol.size,
    availability_zone: vol.availability_zone,
    created_at: vol.created_at,
    updated_at: vol.updated_at,
    name: vol.name,
    description: vol.description,
    volume_type: type?.name ?? null,
    snapshot_id: vol.snapshot_id,
    source_volid: vol.source_volid,
    metadata: vol.metadata,
    links: volumeLinks(ctx, vol.project_id, vol.id),
    user_id: vol.user_id,
    bootable: vol.bootable ? 'true' : 'false',
    encrypted: type?.encryption != null,
    replication_status: null,
    consistencygroup_id: null,
    multiattach: vol.multiattach,
    // Only finished (or detaching) attachments are listed, as real Cinder does while reserved.
    attachments: view.attachments
      .filter((a) => a.status === 'attached' || a.status === 'detaching')
      .map(renderAttachment),
    migration_status: null,
  };
  if (vol.volume_image_metadata) body.volume_image_metadata = vol.volume_image_metadata;
  if (atLeast(call.v, '3.13')) body.group_id = null;
  if (atLeast(call.v, '3.48')) {
    body.shared_targets = true;
    body.service_uuid = vol.host ? '6c1d3f2a-57e9-4b0e-9c8e-5a1b2c3d4e5f' : null;
  }
  if (atLeast(call.v, '3.63')) body.volume_type_id = vol.volume_type_id;
  if (atLeast(call.v, '3.65')) body.consumes_quota = true;
  if (full) {
    body['os-vol-tenant-attr:tenant_id'] = vol.project_id;
    if (call.auth.isAdmin) {
      body['os-vol-mig-status-attr:migstat'] = null;
      body['os-vol-mig-status-attr:name_id'] = null;
      body['os-vol-host-attr:host'] = vol.host;
      if (atLeast(call.v, '3.21')) body.provider_id = null;
      if (atLeast(call.v, '3.69')) body.cluster_name = null;
    }
  }
  return body;
}

export function visibleVolume(ctx: SandboxContext, call: Call, id: string): VolumeView {
  const view = volumeView(ctx, id);
  if (!view || (view.volume.project_id !== call.auth.projectId && !call.auth.isAdmin)) {
    throw notFound(`Volume ${id} could not be found.`);
  }
  return view;
}
