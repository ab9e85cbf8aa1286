/** Glance's records as the sandbox stores them, its limits, and who may see an image. */
import { createHash } from 'node:crypto';
import type { AuthInfo, SandboxContext } from '../../core/context';

export const IMAGE_KIND = 'image.image';
export const IMAGE_MEMBER_KIND = 'image.member';

export type ImageStatus =
  'queued' | 'saving' | 'uploading' | 'importing' | 'active' | 'deactivated' | 'killed' | 'deleted' | 'pending_delete';
export type ImageVisibility = 'public' | 'private' | 'shared' | 'community';

/** An image as Glance answers it; extra properties sit beside the core fields. */
export interface ImageDoc {
  id: string;
  name: string | null;
  status: ImageStatus;
  visibility: ImageVisibility;
  protected: boolean;
  os_hidden: boolean;
  owner: string;
  container_format: string | null;
  disk_format: string | null;
  min_disk: number;
  min_ram: number;
  size: number | null;
  virtual_size: number | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  tags: string[];
  created_at: string;
  updated_at: string;
  [property: string]: unknown;
}

export interface MemberDoc {
  id: string;
  image_id: string;
  member_id: string;
  status: 'pending' | 'accepted' | 'rejected';
  created_at: string;
  updated_at: string;
}

export const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'];
export const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'];
export const VISIBILITIES: readonly ImageVisibility[] = ['public', 'private', 'shared', 'community'];
/** Fields a client may not write (Glance answers 403 "Attribute '<x>' is read-only."). */
export const READ_ONLY = new Set([
  'id',
  'status',
  'owner_id',
  'size',
  'virtual_size',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'created_at',
  'updated_at',
  'file',
  'self',
  'schema',
  'direct_url',
  'locations',
  'stores',
]);
/** Fields Glance reserves and rejects in create (403 "Attribute '<x>' is reserved."). */
export const CORE_FIELDS = new Set([
  'name',
  'visibility',
  'protected',
  'os_hidden',
  'container_format',
  'disk_format',
  'min_disk',
  'min_ram',
  'tags',
  'owner',
]);

export const PAGE_DEFAULT = 25;
export const PAGE_MAX = 1000;
export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

export interface ImageOptions {
  /** Directory for image bytes. */
  blobDir: string;
  /** web-download may fetch loopback, link-local and private addresses (off unless the operator allows it). */
  allowPrivateImports: boolean;
}

/** Largest image web-download fetches (the same as an upload's body limit). */
export const MAX_IMAGE_BYTES = 256 * 1024 * 1024;

/** A seeded or uploaded image, by id, for Nova's imageRef checks. */
export function imageById(ctx: SandboxContext, id: string): ImageDoc | undefined {
  return ctx.store.get<ImageDoc>(IMAGE_KIND, id);
}

export function glanceTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Whether the caller's project may see (and so boot or copy) an image, as Glance
 * answers Nova and Cinder: a `shared` image only for the owner and its members.
 */
export function imageVisibleTo(ctx: SandboxContext, auth: AuthInfo, img: ImageDoc): boolean {
  return canSee(auth, img, ctx.store.list<MemberDoc>(IMAGE_MEMBER_KIND, { projectId: auth.projectId }));
}

/** Whether a project may see an image (Glance's visibility rules). */
export function canSee(auth: AuthInfo, img: ImageDoc, members: readonly MemberDoc[]): boolean {
  if (auth.isAdmin || img.owner === auth.projectId) return true;
  switch (img.visibility) {
    case 'public':
    case 'community':
      return true;
    case 'private':
      return false;
    case 'shared':
      return members.some((m) => m.image_id === img.id && m.member_id === auth.projectId && m.status !== 'rejected');
  }
}

export function digests(data: Buffer): { size: number; checksum: string; hash: string } {
  return {
    size: data.length,
    checksum: createHash('md5').update(data).digest('hex'),
    hash: createHash('sha512').update(data).digest('hex'),
  };
}

export function virtualSizeOf(diskFormat: string | null, data: Buffer): number | null {
  if (diskFormat === 'raw' || diskFormat === 'iso') return data.length;
  if (diskFormat === 'qcow2' && data.length >= 32 && data.toString('latin1', 0, 4) === 'QFI\xfb')
    return Number(data.readBigUInt64BE(24));
  return null;
}
