/** The public images a fresh sandbox starts with (small qcow2 stubs of real sizes). */
import type { SandboxContext } from '../../core/context';
import { writeFileAtomic } from '../../core/files';
import { projectIdByName } from '../identity';
import { IMAGE_KIND, type ImageDoc, GiB, MiB, glanceTime, digests } from './model';

/**
 * A 64 KiB stand-in disk image: a qcow2 header (magic, version 3, 64 KiB
 * clusters, the virtual size) so tools that peek at the format see a plausible
 * image, then zeros.
 */
export function qcow2Stub(virtualSize: number): Buffer {
  const buf = Buffer.alloc(64 * 1024);
  buf.write('QFI\xfb', 0, 'latin1');
  buf.writeUInt32BE(3, 4); // version
  buf.writeUInt32BE(16, 20); // cluster_bits
  buf.writeBigUInt64BE(BigInt(virtualSize), 24);
  buf.writeUInt32BE(104, 100); // header_length (v3)
  return buf;
}

export interface SeedImage {
  name: string;
  virtualSize: number;
  minDisk: number;
  minRam: number;
  properties: Record<string, string>;
}

export const SEED_IMAGES: SeedImage[] = [
  {
    name: 'debian-12',
    virtualSize: 2 * GiB,
    minDisk: 2,
    minRam: 512,
    properties: {
      os_distro: 'debian',
      os_version: '12',
      os_type: 'linux',
      os_admin_user: 'debian',
      architecture: 'x86_64',
      hw_disk_bus: 'virtio',
      hw_vif_model: 'virtio',
      hw_qemu_guest_agent: 'yes',
      hypervisor_type: 'qemu',
    },
  },
  {
    name: 'ubuntu-24.04',
    virtualSize: 3.5 * GiB,
    minDisk: 4,
    minRam: 1024,
    properties: {
      os_distro: 'ubuntu',
      os_version: '24.04',
      os_type: 'linux',
      os_admin_user: 'ubuntu',
      architecture: 'x86_64',
      hw_disk_bus: 'virtio',
      hw_vif_model: 'virtio',
      hw_qemu_guest_agent: 'yes',
      hypervisor_type: 'qemu',
    },
  },
  {
    name: 'cirros-0.6',
    virtualSize: 112 * MiB,
    minDisk: 1,
    minRam: 64,
    properties: {
      os_distro: 'cirros',
      os_version: '0.6.2',
      os_type: 'linux',
      os_admin_user: 'cirros',
      architecture: 'x86_64',
      hw_disk_bus: 'virtio',
      hw_vif_model: 'virtio',
      hypervisor_type: 'qemu',
    },
  },
];

/** Writes the seeded images' bytes and records, owned by the admin project. */
export function seedImages(ctx: SandboxContext, blobPath: (id: string) => string): void {
  const owner = projectIdByName(ctx, 'admin') ?? '';
  const now = glanceTime(ctx.now());
  for (const s of SEED_IMAGES) {
    const id = ctx.newId();
    const data = qcow2Stub(s.virtualSize);
    const d = digests(data);
    writeFileAtomic(blobPath(id), data);
    const doc: ImageDoc = {
      ...s.properties,
      id,
      name: s.name,
      status: 'active',
      visibility: 'public',
      protected: false,
      os_hidden: false,
      owner,
      container_format: 'bare',
      disk_format: 'qcow2',
      min_disk: s.minDisk,
      min_ram: s.minRam,
      size: d.size,
      virtual_size: s.virtualSize,
      checksum: d.checksum,
      os_hash_algo: 'sha512',
      os_hash_value: d.hash,
      tags: [],
      created_at: now,
      updated_at: now,
      stores: 'fs',
    };
    ctx.store.insert(IMAGE_KIND, doc, owner);
  }
}
