/** POST /servers: validation by microversion, quotas, ports through Neutron, volumes through Cinder, group membership. */
import { randomBytes } from 'node:crypto';
import { attachVolume, createVolumeRecord, volumeById } from '../block-storage.js';
import { createPortForDevice } from '../network.js';
import { apiFault, badRequest, conflict } from './api-fault.js';
import { optionalString, requireEnvelope, stringMap } from './request-body.js';
import { novaTime, type NovaCall, type Json } from './call.js';
import { BODY_BOOLEAN, isTrue } from '../../core/booleans.js';
import { atLeast } from './microversion.js';
import {
  AVAILABILITY_ZONE,
  KIND,
  type BlockDeviceMapping,
  nextCounter,
  type KeypairDoc,
  type ServerDoc,
  type ServerGroupDoc,
} from './model.js';
import { pythonRepr } from './python-repr.js';
import { enforceGroupMemberQuota, enforceInstanceQuota, enforceMetadataQuota } from './quotas.js';
import { STATE, dueAt, scheduleTransition } from './server-state.js';
import {
  lastSegment,
  invalidServer,
  novaFromNeutron,
  type RequestedNetwork,
  parseNetworks,
  autoNetworks,
  parseBdms,
  generatedPassword,
  hostnameFrom,
  imageDoc,
  canSeeImage,
  requireFlavor,
  accessIp,
} from './server-request.js';

/** Server create properties Nova's schema allows, by the microversion that added (or removed) them. */
export const CREATE_PROPERTIES: { name: string; since?: string; until?: string }[] = [
  ...[
    'name',
    'imageRef',
    'flavorRef',
    'adminPass',
    'metadata',
    'networks',
    'OS-DCF:diskConfig',
    'accessIPv4',
    'accessIPv6',
    'availability_zone',
  ].map((name) => ({ name })),
  ...[
    'block_device_mapping',
    'block_device_mapping_v2',
    'config_drive',
    'key_name',
    'min_count',
    'max_count',
    'return_reservation_id',
    'security_groups',
    'user_data',
  ].map((name) => ({ name })),
  { name: 'personality', until: '2.56' },
  { name: 'description', since: '2.19' },
  { name: 'tags', since: '2.52' },
  { name: 'trusted_image_certificates', since: '2.63' },
  { name: 'host', since: '2.74' },
  { name: 'hypervisor_hostname', since: '2.74' },
  { name: 'hostname', since: '2.90' },
];

export function rejectUnknownProperties(call: NovaCall, server: Json): void {
  const allowed = new Set(
    CREATE_PROPERTIES.filter(
      (p) =>
        (p.since === undefined || atLeast(call.v, p.since)) &&
        (p.until === undefined || !atLeast(call.v, `2.${Number(p.until.split('.')[1]) + 1}`)),
    ).map((p) => p.name),
  );
  const unexpected = Object.keys(server).filter((k) => !allowed.has(k));
  if (unexpected.length > 0) {
    const list = unexpected.map((k) => `'${k}'`).join(', ');
    throw invalidServer(
      server,
      `Additional properties are not allowed (${list} ${unexpected.length === 1 ? 'was' : 'were'} unexpected)`,
    );
  }
}

export function createServers(
  call: NovaCall,
  body: unknown,
): { first: ServerDoc; adminPass: string; requestedGroups: string[]; reservationId: string; ids: string[] } {
  const { ctx } = call;
  const server = requireEnvelope(body, 'server');
  rejectUnknownProperties(call, server);
  if (server.name === undefined) throw invalidServer(server, "'name' is a required property");
  if (typeof server.name !== 'string')
    throw invalidServer(server, `${pythonRepr(server.name)} is not of type 'string'`);
  if (server.name.length < 1 || server.name.length > 255)
    throw badRequest(`Invalid input for field/attribute name. Value: ${server.name}. '${server.name}' is too short`);
  if (server.flavorRef === undefined) throw invalidServer(server, "'flavorRef' is a required property");
  const flavor = requireFlavor(ctx, server.flavorRef);

  const bdms = parseBdms(server);
  const bootBdm = bdms.find((b) => b.boot_index === 0 && b.destination_type === 'volume');
  const imageRef = typeof server.imageRef === 'string' ? server.imageRef : '';
  let imageId = '';
  if (!bootBdm) {
    if (imageRef === '') throw badRequest('Missing imageRef attribute');
    imageId = lastSegment(imageRef);
    const image = imageDoc(ctx, imageId);
    if (!image || !canSeeImage(call, image)) throw badRequest('Can not find requested image');
    if (image.status !== 'active') throw badRequest(`Image ${imageId} is not active.`);
    const minDisk = Number(image.min_disk ?? 0);
    const GiB = 1024 ** 3;
    if (flavor.disk > 0 && minDisk > flavor.disk) {
      throw badRequest(
        `Flavor's disk is too small for requested image. Flavor disk is ${flavor.disk * GiB} bytes, minimum requested disk is ${minDisk * GiB} bytes.`,
      );
    }
    const minRam = Number(image.min_ram ?? 0);
    if (minRam > flavor.ram) throw badRequest("Flavor's memory is too small for requested image.");
  }

  let keyName: string | null = null;
  if (server.key_name !== undefined && server.key_name !== null) {
    if (typeof server.key_name !== 'string')
      throw invalidServer(server, `${pythonRepr(server.key_name)} is not of type 'string'`);
    const kp = ctx.store.get<KeypairDoc>(KIND.keypair, `${call.auth.userId}/${server.key_name}`);
    if (!kp) throw badRequest('Invalid key_name provided.');
    keyName = server.key_name;
  }

  const metadata = stringMap(server, 'metadata') ?? {};
  enforceMetadataQuota(ctx, call.auth.projectId, Object.keys(metadata).length);

  let userData: string | null = null;
  if (server.user_data !== undefined && server.user_data !== null && server.user_data !== '') {
    if (typeof server.user_data !== 'string' || !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(server.user_data)) {
      throw badRequest('User data needs to be valid base 64.');
    }
    if (server.user_data.length > 65535)
      throw badRequest(
        `Invalid input for field/attribute user_data. Value: ${server.user_data.slice(0, 40)}... is too long`,
      );
    userData = server.user_data;
  }

  const az = optionalString(server, 'availability_zone', 'availability_zone');
  if (az !== undefined && az !== '' && az.split(':')[0] !== AVAILABILITY_ZONE) {
    throw badRequest('The requested availability zone is not available');
  }

  const sgRaw = server.security_groups;
  let securityGroups: string[] = ['default'];
  if (sgRaw !== undefined) {
    if (!Array.isArray(sgRaw))
      throw badRequest(
        `Invalid input for field/attribute security_groups. Value: ${pythonRepr(sgRaw)}. ${pythonRepr(sgRaw)} is not of type 'array'`,
      );
    securityGroups = sgRaw.map((g) => String((g as Json | null)?.name ?? ''));
  }

  const hints = (body as Json)['os:scheduler_hints'] ?? (body as Json)['OS-SCH-HNT:scheduler_hints'];
  const groupId =
    hints && typeof hints === 'object' && typeof (hints as Json).group === 'string'
      ? String((hints as Json).group)
      : null;

  const tags = server.tags;
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')))
    throw badRequest('Invalid tags: tags must be a list of strings.');
  const description = server.description;

  const requested = parseNetworks(call, server);
  const diskConfig = server['OS-DCF:diskConfig'] === 'AUTO' ? 'AUTO' : 'MANUAL';
  const adminPass = typeof server.adminPass === 'string' ? server.adminPass : generatedPassword();
  const minCount = Number(server.min_count ?? 1);
  const maxCount = Number(server.max_count ?? minCount);
  if (!Number.isInteger(minCount) || !Number.isInteger(maxCount) || minCount < 1 || maxCount < minCount) {
    throw badRequest('min_count must be <= max_count');
  }

  return ctx.store.transaction(() => {
    enforceInstanceQuota(ctx, call.auth.projectId, maxCount, flavor);
    let group: ServerGroupDoc | undefined;
    if (groupId !== null) {
      group = ctx.store.get<ServerGroupDoc>(KIND.serverGroup, groupId);
      if (!group || (group.project_id !== call.auth.projectId && !call.auth.isAdmin))
        throw badRequest(`Invalid server group ${groupId}`);
      enforceGroupMemberQuota(ctx, group, maxCount);
    }
    const reservationId = `r-${randomBytes(4).toString('hex').slice(0, 8)}`;
    let first: ServerDoc | undefined;
    const ids: string[] = [];
    for (let i = 0; i < maxCount; i++) {
      const id = ctx.newId();
      const name = maxCount > 1 ? `${server.name as string}-${i + 1}` : (server.name as string);
      const now = ctx.now();
      const seq = nextCounter(ctx, 'instance');
      const bdmRecords: BlockDeviceMapping[] = [];
      const doc: ServerDoc = {
        id,
        name,
        description: typeof description === 'string' ? description : null,
        tenant_id: call.auth.projectId,
        user_id: call.auth.userId,
        metadata,
        tags: (tags as string[] | undefined) ?? [],
        image_id: imageId,
        flavor_id: flavor.id,
        key_name: keyName,
        availability_zone: AVAILABILITY_ZONE,
        config_drive: isTrue(server.config_drive, BODY_BOOLEAN) ? 'True' : '',
        access_ipv4: server.accessIPv4 === undefined ? '' : accessIp('accessIPv4', server.accessIPv4),
        access_ipv6: server.accessIPv6 === undefined ? '' : accessIp('accessIPv6', server.accessIPv6),
        disk_config: diskConfig,
        created: novaTime(now),
        updated: novaTime(now),
        launched_at: null,
        instance_name: `instance-${seq.toString(16).padStart(8, '0')}`,
        host: 'sandbox',
        reservation_id: reservationId,
        hostname: typeof server.hostname === 'string' && atLeast(call.v, '2.90') ? server.hostname : hostnameFrom(name),
        locked: false,
        locked_reason: null,
        user_data: userData,
        security_group_names: securityGroups,
        server_group_id: group?.id ?? null,
        state: STATE.building,
        _pending: null,
        _old_flavor_id: null,
        _nova_ports: [],
        _bdm: bdmRecords,
        _gone_at: null,
      };
      ctx.store.insert(KIND.server, doc, call.auth.projectId);

      // Ports: the requested ones, or Nova's pick when none were requested.
      const deviceOwner = `compute:${AVAILABILITY_ZONE}`;
      let wanted: RequestedNetwork[] = [];
      if (requested === 'auto') {
        const candidates = autoNetworks(call);
        if (candidates.length > 1)
          throw conflict('Multiple possible networks found, use a Network ID to be more specific.');
        wanted = candidates.map((uuid) => ({ uuid }));
      } else if (requested !== 'none') {
        wanted = requested;
      }
      try {
        for (const net of wanted) {
          const port = createPortForDevice(ctx, call.auth, {
            ...(net.port !== undefined ? { portId: net.port } : { networkId: net.uuid ?? '' }),
            ...(net.fixed_ip !== undefined ? { fixedIp: net.fixed_ip } : {}),
            deviceId: id,
            deviceOwner,
            securityGroupNames: securityGroups,
          });
          if (net.port === undefined) doc._nova_ports.push(port.id);
        }
      } catch (err) {
        throw novaFromNeutron(err);
      }

      // Volumes: boot volume (existing or created from an image) and extra ones.
      for (const b of bdms) {
        if (b.destination_type !== 'volume') continue;
        let volumeId: string;
        if (b.source_type === 'volume') {
          if (!b.uuid) throw badRequest('Block Device Mapping is Invalid: Missing device UUID.');
          const view = volumeById(ctx, b.uuid);
          if (!view || (view.volume.project_id !== call.auth.projectId && !call.auth.isAdmin))
            throw badRequest(`Block Device Mapping is Invalid: failed to get volume ${b.uuid}.`);
          volumeId = b.uuid;
        } else if (b.source_type === 'image' || b.source_type === 'blank') {
          const srcImage = b.source_type === 'image' ? (b.uuid ?? '') : '';
          if (b.source_type === 'image') {
            const img = imageDoc(ctx, srcImage);
            if (!img) throw badRequest(`Block Device Mapping is Invalid: failed to get image ${srcImage}.`);
          }
          const size = b.volume_size ?? flavor.disk;
          if (!size || size < 1)
            throw badRequest(
              'Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.',
            );
          const types = ctx.store.list<{ id: string; name: string }>('volume.type');
          const type =
            types.find((t) => t.name === (b.volume_type ?? 'standard') || t.id === b.volume_type) ?? types[0];
          const img = srcImage ? imageDoc(ctx, srcImage) : undefined;
          const vol = createVolumeRecord(ctx, {
            projectId: call.auth.projectId,
            userId: call.auth.userId,
            size,
            name: '',
            imageId: srcImage || null,
            typeId: type?.id ?? '',
            bootable: b.source_type === 'image',
            imageMetadata: img ? { image_id: srcImage, image_name: String(img.name ?? '') } : null,
          });
          // A volume Nova creates is usable for the boot without waiting for Cinder's delay.
          ctx.store.update('volume.volume', {
            ...vol,
            status: 'available',
            host: vol.host ?? 'sandbox@lvm#lvm',
            _transition: null,
          });
          volumeId = vol.id;
        } else {
          throw badRequest(`Block Device Mapping is Invalid: source_type ${b.source_type} is not supported.`);
        }
        const outcome = attachVolume(ctx, {
          volumeId,
          serverId: id,
          projectId: call.auth.projectId,
          device: b.boot_index === 0 ? '/dev/vda' : b.device_name,
          deleteOnTermination: b.delete_on_termination,
          immediate: true,
        });
        if (!outcome.ok) throw badRequest(`Block Device Mapping is Invalid: ${outcome.message}`);
        bdmRecords.push({
          volume_id: volumeId,
          boot_index: b.boot_index,
          delete_on_termination: b.delete_on_termination,
        });
      }
      ctx.store.update(KIND.server, doc);

      if (group) {
        group = { ...group, members: [...group.members, id] };
        ctx.store.update(KIND.serverGroup, group);
      }
      const scheduled = scheduleTransition(ctx, doc, STATE.building, {
        at: dueAt(ctx),
        to: STATE.active,
        event: 'active',
      });
      first ??= scheduled;
      ids.push(id);
    }
    if (!first) throw apiFault(500, 'No server was created.');
    return { first, adminPass, requestedGroups: securityGroups, reservationId, ids };
  });
}
