/**
 * Storage layer: block volumes (each instance of a group that lists a volume gets
 * its own volume of that definition, attached to it; a volume no group lists is
 * created on its own) and object storage containers with their ACLs.
 */
import { Construct } from './cdktf';
import { openstack } from './cdktf';
import type { ComputeLayer } from './compute';
import type { SynthContext } from './context';
import { logicalId } from './naming';
import { type SharingLayer, containerAcl } from './sharing';

export interface VolumeRefs {
  definition: string;
  /** The instance it is attached to, if any (`<group>-<i>`). */
  attachedTo: string | undefined;
  volume: openstack.blockstorageVolumeV3.BlockstorageVolumeV3;
}

export class StorageLayer extends Construct {
  readonly volumes: VolumeRefs[] = [];
  readonly containers = new Map<string, openstack.objectstorageContainerV1.ObjectstorageContainerV1>();

  constructor(scope: Construct, id: string, ctx: SynthContext, compute: ComputeLayer, sharing: SharingLayer) {
    super(scope, id);
    const { city } = ctx;
    const definitions = new Map(city.storage.volumes.map((v) => [v.name, v]));
    const used = new Set<string>();

    for (const inst of compute.instances) {
      const group = city.compute.groups.find((g) => g.name === inst.group);
      for (const volName of group?.volumes ?? []) {
        const def = definitions.get(volName);
        if (def === undefined) continue;
        used.add(volName);
        const lid = logicalId(inst.group, inst.index, volName);
        const volume = new openstack.blockstorageVolumeV3.BlockstorageVolumeV3(
          this,
          logicalId('volume', inst.group, inst.index, volName),
          {
            name: ctx.name(inst.group, inst.index, volName),
            size: def.size,
            ...(def.type === undefined ? {} : { volumeType: def.type }),
            ...(def.description === undefined ? {} : { description: def.description }),
            metadata: { ...ctx.labels, 'storm-volume': volName },
          },
        );
        volume.overrideLogicalId(lid);
        const attach = new openstack.computeVolumeAttachV2.ComputeVolumeAttachV2(
          this,
          logicalId('attach', inst.group, inst.index, volName),
          {
            instanceId: inst.instance.id,
            volumeId: volume.id,
          },
        );
        attach.overrideLogicalId(lid);
        this.volumes.push({ definition: volName, attachedTo: `${inst.group}-${inst.index}`, volume });
      }
    }
    for (const def of city.storage.volumes) {
      if (used.has(def.name)) continue;
      const volume = new openstack.blockstorageVolumeV3.BlockstorageVolumeV3(this, logicalId('volume', def.name), {
        name: ctx.name(def.name),
        size: def.size,
        ...(def.type === undefined ? {} : { volumeType: def.type }),
        ...(def.description === undefined ? {} : { description: def.description }),
        metadata: { ...ctx.labels, 'storm-volume': def.name },
      });
      volume.overrideLogicalId(logicalId(def.name));
      this.volumes.push({ definition: def.name, attachedTo: undefined, volume });
    }

    for (const c of city.storage.containers) {
      const acl = containerAcl(c.acl, sharing.grantsFor(c.name));
      const container = new openstack.objectstorageContainerV1.ObjectstorageContainerV1(
        this,
        logicalId('container', c.name),
        {
          name: ctx.name(c.name),
          ...(acl.read.length === 0 ? {} : { containerRead: acl.read.join(',') }),
          ...(acl.write.length === 0 ? {} : { containerWrite: acl.write.join(',') }),
          versioning: c.versioning,
          metadata: { ...ctx.labels, ...(c.openData ? { 'open-data': 'true' } : {}) },
          // Pre-production is torn down and rebuilt; production data is never deleted by a destroy.
          forceDestroy: city.env !== 'production',
        },
      );
      container.overrideLogicalId(logicalId(c.name));
      this.containers.set(c.name, container);
    }
  }
}
