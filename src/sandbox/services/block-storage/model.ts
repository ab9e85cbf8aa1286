/**
 * Cinder documents as stored (kinds `volume.*`). A volume keeps the fields the
 * API shows; its `attachments` array and effective status are derived from
 * the `volume.attachment` documents and pending transitions on read.
 */

export const KIND = {
  volume: 'volume.volume',
  type: 'volume.type',
  attachment: 'volume.attachment',
  quota: 'volume.quota',
} as const;

export type VolumeStatus =
  | 'creating'
  | 'available'
  | 'reserved'
  | 'attaching'
  | 'in-use'
  | 'detaching'
  | 'extending'
  | 'retyping'
  | 'deleting'
  | 'error'
  | 'error_deleting'
  | 'error_extending';

/** A status change that completes at `at` (epoch ms), applied lazily on read. */
export interface VolumeTransition {
  at: number;
  status: VolumeStatus;
  /** The volume disappears (deletion finished) instead of changing status. */
  gone?: boolean;
  size?: number;
}

export interface VolumeDoc {
  id: string;
  name: string | null;
  description: string | null;
  size: number;
  status: VolumeStatus;
  availability_zone: string;
  created_at: string;
  updated_at: string | null;
  volume_type_id: string;
  snapshot_id: string | null;
  source_volid: string | null;
  image_id: string | null;
  metadata: Record<string, string>;
  user_id: string;
  project_id: string;
  bootable: boolean;
  multiattach: boolean;
  host: string | null;
  volume_image_metadata: Record<string, string> | null;
  _transition: VolumeTransition | null;
}

export type AttachmentStatus = 'reserved' | 'attaching' | 'attached' | 'detaching' | 'detached';

export interface AttachmentDoc {
  id: string;
  volume_id: string;
  project_id: string;
  /** Server id (Cinder calls it `instance`). */
  instance: string | null;
  status: AttachmentStatus;
  attach_mode: 'rw' | 'ro';
  attached_at: string | null;
  detached_at: string | null;
  host_name: string | null;
  mountpoint: string | null;
  connector: Record<string, unknown> | null;
  /** Epoch ms at which a pending attach completes (status → attached). */
  _attached_at_ms: number | null;
  /** Epoch ms at which a pending detach completes (attachment removed). */
  _detach_at_ms: number | null;
  /** Nova's block-device-mapping extras for os-volume_attachments. */
  _tag: string | null;
  _delete_on_termination: boolean;
}

export interface VolumeTypeDoc {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  extra_specs: Record<string, string>;
  qos_specs_id: string | null;
  encryption: VolumeEncryptionDoc | null;
}

export interface VolumeEncryptionDoc {
  encryption_id: string;
  volume_type_id: string;
  provider: string;
  control_location: 'front-end' | 'back-end';
  cipher: string | null;
  key_size: number | null;
  created_at: string;
  updated_at: string | null;
  deleted: boolean;
  deleted_at: string | null;
}

export const VOLUME_QUOTA_DEFAULTS = {
  volumes: 10,
  snapshots: 10,
  gigabytes: 1000,
  backups: 10,
  backup_gigabytes: 1000,
  groups: 10,
  per_volume_gigabytes: -1,
} as const;

export type VolumeQuotaResource = keyof typeof VOLUME_QUOTA_DEFAULTS;

/** Per-project overrides (`volume.quota`, id = project id); keys may also be `volumes_<type>` etc. */
export interface VolumeQuotaDoc {
  id: string;
  limits: Record<string, number>;
}

export const VOLUME_HOST = 'sandbox@lvm#lvm';
export const DEFAULT_VOLUME_TYPE = 'standard';
