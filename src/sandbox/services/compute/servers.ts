/**
 * Nova /servers: create (ports through Neutron, volumes through Cinder,
 * server group membership, quotas), list/detail with filters, show, update,
 * delete, metadata, tags, actions, os-interface and os-volume_attachments.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { SandboxHttpError } from '../../core/errors.js';
import {
  attachVolume,
  attachmentsOfServer,
  beginVolumeDelete,
  createVolumeRecord,
  detachVolume,
  volumeById,
} from '../block-storage.js';
import { type ImageDoc, imageVisibleTo } from '../image.js';
import { createPortForDevice, portsOfDevice, releaseDevicePorts, releasePort, type PortDoc } from '../network.js';
import { apiFault, badRequest, conflict, forbidden, notFound } from './api-fault.js';
import { optionalString, requireEnvelope, stringMap } from './request-body.js';
import {
  beginNova,
  isTruthy,
  novaAfterMarker,
  novaLimit,
  novaOffsetPage,
  novaTime,
  pathParam,
  queryParams,
  type NovaCall,
} from './call.js';
import { BODY_BOOLEAN, isTrue } from '../../core/booleans.js';
import { noteCreatedServers } from './instance-actions.js';
import { emitServerLifecycle } from './lifecycle.js';
import { atLeast } from './microversion.js';
import {
  AVAILABILITY_ZONE,
  KIND,
  type BlockDeviceMapping,
  nextCounter,
  type FlavorDoc,
  type KeypairDoc,
  type ServerDoc,
  type ServerGroupDoc,
  type VmState,
} from './model.js';
import { pythonRepr } from './python-repr.js';
import { enforceGroupMemberQuota, enforceInstanceQuota, enforceMetadataQuota } from './quotas.js';
import {
  STATE,
  addressesOf,
  dueAt,
  loadServers,
  renderBasicServer,
  renderServer,
  scheduleTransition,
  serverLinks,
  serverRelations,
  visibleServer,
} from './server-state.js';

type Json = Record<string, unknown>;

function lastSegment(ref: string): string {
  const trimmed = ref.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function invalidServer(body: Json, reason: string): SandboxHttpError {
  return badRequest(`Invalid input for field/attribute server. Value: ${pythonRepr(body)}. ${reason}`);
}

/** Maps a Neutron error raised while wiring ports into what Nova answers. */
function novaFromNeutron(err: unknown): unknown {
  if (!(err instanceof SandboxHttpError)) return err;
  const body = err.body as { NeutronError?: { type?: string; message?: string } } | undefined;
  const n = body?.NeutronError;
  if (!n) return err;
  const message = n.message ?? 'Network error';
  switch (n.type) {
    case 'NetworkNotFound':
      return badRequest(message);
    case 'PortNotFound':
      return badRequest(message);
    case 'SecurityGroupNotFound':
      return badRequest(message.replace(/^Security group (.+) does not exist$/, 'Security group $1 not found.'));
    case 'PortInUse':
      return conflict(message);
    case 'IpAddressGenerationFailure':
    case 'IpAddressAlreadyAllocated':
      return conflict(message);
    case 'OverQuota':
      return forbidden('Maximum number of ports exceeded');
    default:
      return apiFault(err.status >= 500 ? 500 : 400, message);
  }
}

interface RequestedNetwork {
  uuid?: string;
  port?: string;
  fixed_ip?: string;
}

function parseNetworks(call: NovaCall, server: Json): RequestedNetwork[] | 'auto' | 'none' {
  const raw = server.networks;
  if (raw === undefined) {
    if (atLeast(call.v, '2.37')) throw invalidServer(server, "'networks' is a required property");
    return 'auto';
  }
  if (raw === 'auto' || raw === 'none') {
    if (!atLeast(call.v, '2.37')) throw invalidServer(server, `${pythonRepr(raw)} is not of type 'array'`);
    return raw;
  }
  if (!Array.isArray(raw))
    throw badRequest(
      `Invalid input for field/attribute networks. Value: ${pythonRepr(raw)}. ${pythonRepr(raw)} is not of type 'array'`,
    );
  return raw.map((item) => {
    if (item === null || typeof item !== 'object')
      throw badRequest(
        `Invalid input for field/attribute networks. Value: ${pythonRepr(raw)}. ${pythonRepr(item)} is not of type 'object'`,
      );
    const n = item as Json;
    const out: RequestedNetwork = {};
    if (typeof n.uuid === 'string' && n.uuid !== '') out.uuid = n.uuid;
    if (typeof n.port === 'string' && n.port !== '') out.port = n.port;
    if (typeof n.fixed_ip === 'string' && n.fixed_ip !== '') out.fixed_ip = n.fixed_ip;
    if (out.uuid === undefined && out.port === undefined) {
      throw badRequest('Bad networks format: network uuid is not in proper format (None)');
    }
    return out;
  });
}

/** Networks Nova would pick when none are requested: the project's own or shared, non-external ones. */
function autoNetworks(call: NovaCall): string[] {
  const nets = call.ctx.store.list<{ id: string; tenant_id: string; shared: boolean; 'router:external': boolean }>(
    'network.network',
  );
  return nets
    .filter((n) => !n['router:external'] && (n.tenant_id === call.auth.projectId || n.shared))
    .map((n) => n.id);
}

interface ParsedBdm {
  source_type: string;
  destination_type: string;
  uuid: string | null;
  boot_index: number | null;
  volume_size: number | null;
  delete_on_termination: boolean;
  device_name: string | null;
  volume_type: string | null;
}

function parseBdms(server: Json): ParsedBdm[] {
  const raw = server.block_device_mapping_v2;
  if (raw === undefined) return [];
  if (!Array.isArray(raw))
    throw badRequest(
      `Invalid input for field/attribute block_device_mapping_v2. Value: ${pythonRepr(raw)}. ${pythonRepr(raw)} is not of type 'array'`,
    );
  return raw.map((item) => {
    const b = (item ?? {}) as Json;
    const bootIndex = b.boot_index === undefined || b.boot_index === null ? null : Number(b.boot_index);
    return {
      source_type: typeof b.source_type === 'string' ? b.source_type : 'volume',
      destination_type: typeof b.destination_type === 'string' ? b.destination_type : 'volume',
      uuid: typeof b.uuid === 'string' && b.uuid !== '' ? b.uuid : null,
      boot_index: bootIndex !== null && Number.isNaN(bootIndex) ? null : bootIndex,
      volume_size: b.volume_size === undefined || b.volume_size === null ? null : Number(b.volume_size),
      delete_on_termination: isTrue(b.delete_on_termination, BODY_BOOLEAN),
      device_name: typeof b.device_name === 'string' ? b.device_name : null,
      volume_type: typeof b.volume_type === 'string' ? b.volume_type : null,
    };
  });
}

function generatedPassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(12);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

function hostnameFrom(name: string): string {
  const h = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return h === '' ? 'server' : h;
}

function imageDoc(ctx: SandboxContext, id: string): Json | undefined {
  return ctx.store.get<Json>('image.image', id);
}

/** Nova asks Glance for the image with the caller's token: another project's `shared` image needs a membership. */
function canSeeImage(call: NovaCall, image: Json): boolean {
  return imageVisibleTo(call.ctx, call.auth, image as unknown as ImageDoc);
}

function requireFlavor(ctx: SandboxContext, ref: unknown): FlavorDoc {
  const id = typeof ref === 'string' || typeof ref === 'number' ? lastSegment(String(ref)) : '';
  const flavor = ctx.store.get<FlavorDoc>(KIND.flavor, id);
  if (!flavor || flavor.disabled) throw badRequest('Invalid flavorRef provided.');
  return flavor;
}

/** Server create properties Nova's schema allows, by the microversion that added (or removed) them. */
const CREATE_PROPERTIES: { name: string; since?: string; until?: string }[] = [
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

function rejectUnknownProperties(call: NovaCall, server: Json): void {
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

function createServers(
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
        access_ipv4: typeof server.accessIPv4 === 'string' ? server.accessIPv4 : '',
        access_ipv6: typeof server.accessIPv6 === 'string' ? server.accessIPv6 : '',
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

// ---- list ------------------------------------------------------------------------------------

function matchesRegex(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return value.includes(pattern);
  }
}

function listServers(call: NovaCall, req: FastifyRequest, detail: boolean): { docs: ServerDoc[]; next?: string } {
  const { one, all } = queryParams(req);
  // Nova: a bare `all_tenants` means true; asking for it without the policy is 403.
  const allTenants = one.all_tenants !== undefined && (one.all_tenants === '' || isTruthy(one.all_tenants));
  if (allTenants && !call.auth.isAdmin) {
    throw forbidden(
      `Policy doesn't allow os_compute_api:servers:${detail ? 'detail' : 'index'}:get_all_tenants to be performed.`,
    );
  }
  const projectFilter = one.project_id ?? one.tenant_id;
  const scope = allTenants ? projectFilter : call.auth.projectId;
  let docs = loadServers(call.ctx, scope);
  const nowMs = call.ctx.now().getTime();
  docs = docs.filter((d) => d._gone_at === null || d._gone_at > nowMs);
  const f = (pred: (d: ServerDoc) => boolean): void => {
    docs = docs.filter(pred);
  };
  if (one.name !== undefined) f((d) => matchesRegex(one.name ?? '', d.name));
  if (one.status !== undefined) {
    const wanted = (all.status ?? []).map((s) => s.toUpperCase());
    f((d) => wanted.includes(d.state.status));
  }
  if (one.image !== undefined) f((d) => d.image_id === lastSegment(one.image ?? ''));
  if (one.flavor !== undefined) f((d) => d.flavor_id === lastSegment(one.flavor ?? ''));
  if (one.key_name !== undefined) f((d) => d.key_name === one.key_name);
  if (one.availability_zone !== undefined) f((d) => d.availability_zone === one.availability_zone);
  if (one.reservation_id !== undefined) f((d) => d.reservation_id === one.reservation_id);
  if (one['changes-since'] !== undefined) {
    const since = Date.parse(one['changes-since'] ?? '');
    if (Number.isNaN(since)) throw badRequest(`Invalid filter field: changes-since.`);
    f((d) => Date.parse(d.updated) >= since);
  }
  if (one['changes-before'] !== undefined && atLeast(call.v, '2.66')) {
    const before = Date.parse(one['changes-before'] ?? '');
    if (Number.isNaN(before)) throw badRequest(`Invalid filter field: changes-before.`);
    f((d) => Date.parse(d.updated) <= before);
  }
  if (one.ip !== undefined) {
    const rel = serverRelations(call.ctx);
    f((d) => rel.ports(d.id).some((p) => p.fixed_ips.some((ip) => matchesRegex(one.ip ?? '', ip.ip_address))));
  }
  if (atLeast(call.v, '2.26')) {
    const split = (k: string): string[] => (all[k] ?? []).flatMap((t) => t.split(',')).filter((t) => t !== '');
    const tags = split('tags');
    const tagsAny = split('tags-any');
    const notTags = split('not-tags');
    const notTagsAny = split('not-tags-any');
    if (tags.length) f((d) => tags.every((t) => d.tags.includes(t)));
    if (tagsAny.length) f((d) => tagsAny.some((t) => d.tags.includes(t)));
    if (notTags.length) f((d) => !notTags.every((t) => d.tags.includes(t)));
    if (notTagsAny.length) f((d) => !notTagsAny.some((t) => d.tags.includes(t)));
  }
  // Nova's default order: newest first.
  docs = [...docs].reverse();
  const sortKey = one.sort_key;
  if (sortKey === 'display_name' || sortKey === 'name') {
    const dir = one.sort_dir === 'asc' ? 1 : -1;
    docs.sort((a, b) => dir * a.name.localeCompare(b.name));
  } else if (one.sort_dir === 'asc') {
    docs.reverse();
  }
  docs = novaAfterMarker(docs, one.marker, (d) => d.id);
  const limit = novaLimit(one.limit);
  if (limit !== undefined && docs.length > limit) {
    const page = docs.slice(0, limit);
    const last = page[page.length - 1];
    return { docs: page, ...(last ? { next: last.id } : {}) };
  }
  return { docs };
}

function serversLinks(call: NovaCall, path: string, marker: string | undefined, limit: string | undefined): Json {
  if (marker === undefined) return {};
  return {
    servers_links: [
      { rel: 'next', href: `${call.ctx.publicUrl}/compute/v2.1/${path}?limit=${limit ?? ''}&marker=${marker}` },
    ],
  };
}

// ---- delete ------------------------------------------------------------------------------------

function deleteServer(call: NovaCall, doc: ServerDoc): void {
  const { ctx } = call;
  if (doc._gone_at !== null) return;
  if (doc.locked && !call.auth.isAdmin) throw conflict(`Instance ${doc.id} is locked`);
  const finished = ctx.store.transaction(() => {
    releaseDevicePorts(ctx, doc.id);
    for (const att of attachmentsOfServer(ctx, doc.id)) {
      detachVolume(ctx, att.id, true);
      if (att._delete_on_termination) {
        const view = volumeById(ctx, att.volume_id);
        if (view) beginVolumeDelete(ctx, view.volume);
      }
    }
    for (const g of ctx.store.list<ServerGroupDoc>(KIND.serverGroup)) {
      if (g.members.includes(doc.id))
        ctx.store.update(KIND.serverGroup, { ...g, members: g.members.filter((m) => m !== doc.id) });
    }
    const goneAt = dueAt(ctx);
    if (goneAt <= ctx.now().getTime()) {
      ctx.store.delete(KIND.server, doc.id);
    } else {
      ctx.store.update(KIND.server, { ...doc, _gone_at: goneAt, _pending: null, updated: novaTime(ctx.now()) });
    }
    return doc;
  });
  emitServerLifecycle(
    {
      sandboxUrl: ctx.publicUrl,
      serverId: finished.id,
      projectId: finished.tenant_id,
      name: finished.name,
      event: 'deleted',
      userData: finished.user_data,
      metadata: finished.metadata,
    },
    ctx.log,
  );
}

// ---- actions ------------------------------------------------------------------------------------

function stateConflict(doc: ServerDoc, action: string): SandboxHttpError {
  return conflict(`Cannot '${action}' instance ${doc.id} while it is in vm_state ${doc.state.vm_state}`);
}

function taskConflict(doc: ServerDoc, action: string): SandboxHttpError {
  return conflict(`Cannot '${action}' instance ${doc.id} while it is in task_state ${doc.state.task_state ?? 'None'}`);
}

function requireStates(doc: ServerDoc, action: string, vmStates: string[]): void {
  if (doc._pending !== null || doc._gone_at !== null) throw taskConflict(doc, action);
  if (!vmStates.includes(doc.state.vm_state)) throw stateConflict(doc, action);
}

function requireUnlocked(call: NovaCall, doc: ServerDoc): void {
  if (doc.locked && !call.auth.isAdmin) throw conflict(`Instance ${doc.id} is locked`);
}

function transition(
  call: NovaCall,
  doc: ServerDoc,
  interim: VmState,
  to: VmState,
  event: 'active' | 'stopped' | undefined,
  extra: Partial<NonNullable<ServerDoc['_pending']>> = {},
): ServerDoc {
  return scheduleTransition(call.ctx, doc, interim, {
    at: dueAt(call.ctx),
    to,
    ...(event !== undefined ? { event } : {}),
    ...extra,
  });
}

function updatePortSecurityGroups(call: NovaCall, doc: ServerDoc, name: string, add: boolean): void {
  const { ctx } = call;
  const groups = ctx.store.list<{ id: string; name: string; project_id: string }>('network.secgroup', {
    projectId: doc.tenant_id,
  });
  const group = groups.find((g) => g.name === name || g.id === name);
  if (!group) throw notFound(`Security group ${name} not found for project ${doc.tenant_id}.`);
  const ports = portsOfDevice(ctx, doc.id);
  if (!add && !ports.some((p) => p.security_groups.includes(group.id))) {
    throw badRequest(`Security group ${name} not associated with the instance ${doc.id}`);
  }
  for (const port of ports) {
    const has = port.security_groups.includes(group.id);
    if (add === has) continue;
    const next: PortDoc = {
      ...port,
      security_groups: add ? [...port.security_groups, group.id] : port.security_groups.filter((s) => s !== group.id),
      revision_number: port.revision_number + 1,
      updated_at: `${ctx.now().toISOString().slice(0, 19)}Z`,
    };
    ctx.store.update('network.port', next);
  }
}

function serverAction(call: NovaCall, doc: ServerDoc, body: unknown, reply: FastifyReply): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Malformed request body');
  const [action] = Object.keys(body as Json);
  const arg = ((body as Json)[action ?? ''] ?? {}) as Json;
  const ctx = call.ctx;
  const accepted = (): undefined => {
    reply.code(202);
    return undefined;
  };
  switch (action) {
    case 'os-stop':
      requireUnlocked(call, doc);
      requireStates(doc, 'stop', ['active', 'error']);
      transition(call, doc, { ...doc.state, task_state: 'powering-off' }, STATE.stopped, 'stopped');
      return accepted();
    case 'os-start':
      requireUnlocked(call, doc);
      requireStates(doc, 'start', ['stopped']);
      transition(call, doc, { ...doc.state, task_state: 'powering-on' }, STATE.active, 'active');
      return accepted();
    case 'reboot': {
      const hard = arg.type === 'HARD';
      if (arg.type !== 'HARD' && arg.type !== 'SOFT')
        throw badRequest(
          `Invalid input for field/attribute type. Value: ${pythonRepr(arg.type)}. ${pythonRepr(arg.type)} is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']`,
        );
      requireUnlocked(call, doc);
      requireStates(doc, 'reboot', hard ? ['active', 'stopped', 'paused', 'suspended', 'error'] : ['active']);
      const interim: VmState = hard
        ? {
            status: 'HARD_REBOOT',
            vm_state: doc.state.vm_state,
            task_state: 'reboot_started_hard',
            power_state: doc.state.power_state,
          }
        : {
            status: 'REBOOT',
            vm_state: doc.state.vm_state,
            task_state: 'reboot_started',
            power_state: doc.state.power_state,
          };
      transition(call, doc, interim, STATE.active, 'active');
      return accepted();
    }
    case 'rebuild': {
      requireUnlocked(call, doc);
      requireStates(doc, 'rebuild', ['active', 'stopped', 'error']);
      if (typeof arg.imageRef !== 'string')
        throw badRequest(
          `Invalid input for field/attribute rebuild. Value: ${pythonRepr(arg)}. 'imageRef' is a required property`,
        );
      const imageId = lastSegment(arg.imageRef);
      const image = imageDoc(ctx, imageId);
      if (!image || !canSeeImage(call, image)) throw badRequest('Cannot find requested image');
      const metadata = stringMap(arg, 'metadata');
      const next: ServerDoc = {
        ...doc,
        image_id: imageId,
        name: typeof arg.name === 'string' ? arg.name : doc.name,
        metadata: metadata ?? doc.metadata,
        user_data: typeof arg.user_data === 'string' && atLeast(call.v, '2.57') ? arg.user_data : doc.user_data,
        key_name:
          arg.key_name !== undefined && atLeast(call.v, '2.54') ? (arg.key_name as string | null) : doc.key_name,
        description: typeof arg.description === 'string' && atLeast(call.v, '2.19') ? arg.description : doc.description,
      };
      const rebuilt = transition(
        call,
        next,
        {
          status: 'REBUILD',
          vm_state: doc.state.vm_state,
          task_state: 'rebuilding',
          power_state: doc.state.power_state,
        },
        STATE.active,
        'active',
      );
      reply.code(202);
      const view = atLeast(call.v, '2.75') ? renderServer(call, rebuilt, true) : renderBasicServer(call, rebuilt);
      return {
        server: { ...view, adminPass: typeof arg.adminPass === 'string' ? arg.adminPass : generatedPassword() },
      };
    }
    case 'resize': {
      requireUnlocked(call, doc);
      requireStates(doc, 'resize', ['active', 'stopped']);
      const flavor = requireFlavor(ctx, arg.flavorRef);
      if (flavor.id === doc.flavor_id) throw badRequest('When resizing, instances must change flavor!');
      const old = ctx.store.get<FlavorDoc>(KIND.flavor, doc.flavor_id);
      if (old && flavor.disk < old.disk) throw badRequest('Resize to zero disk flavor is not allowed.');
      const delta: FlavorDoc = {
        ...flavor,
        vcpus: Math.max(0, flavor.vcpus - (old?.vcpus ?? 0)),
        ram: Math.max(0, flavor.ram - (old?.ram ?? 0)),
      };
      enforceInstanceQuota(ctx, doc.tenant_id, 0, delta);
      const interim: VmState = {
        status: 'RESIZE',
        vm_state: doc.state.vm_state,
        task_state: 'resize_prep',
        power_state: doc.state.power_state,
      };
      ctx.store.update(KIND.server, { ...doc, _old_flavor_id: doc.flavor_id });
      transition(call, { ...doc, _old_flavor_id: doc.flavor_id }, interim, STATE.verifyResize, undefined, {
        flavorId: flavor.id,
      });
      return accepted();
    }
    case 'confirmResize':
      if (doc.state.vm_state !== 'resized' || doc._pending !== null) throw badRequest(`Instance has not been resized.`);
      ctx.store.update(KIND.server, {
        ...doc,
        state: STATE.active,
        _old_flavor_id: null,
        updated: novaTime(ctx.now()),
      });
      reply.code(204);
      return undefined;
    case 'revertResize':
      if (doc.state.vm_state !== 'resized' || doc._pending !== null) throw badRequest(`Instance has not been resized.`);
      transition(
        call,
        doc,
        {
          status: 'REVERT_RESIZE',
          vm_state: 'resized',
          task_state: 'resize_reverting',
          power_state: doc.state.power_state,
        },
        STATE.active,
        'active',
        { flavorId: doc._old_flavor_id ?? doc.flavor_id, clearOldFlavor: true },
      );
      return accepted();
    case 'pause':
      requireUnlocked(call, doc);
      requireStates(doc, 'pause', ['active']);
      ctx.store.update(KIND.server, { ...doc, state: STATE.paused, updated: novaTime(ctx.now()) });
      return accepted();
    case 'unpause':
      requireUnlocked(call, doc);
      requireStates(doc, 'unpause', ['paused']);
      ctx.store.update(KIND.server, { ...doc, state: STATE.active, updated: novaTime(ctx.now()) });
      return accepted();
    case 'suspend':
      requireUnlocked(call, doc);
      requireStates(doc, 'suspend', ['active']);
      ctx.store.update(KIND.server, { ...doc, state: STATE.suspended, updated: novaTime(ctx.now()) });
      return accepted();
    case 'resume':
      requireUnlocked(call, doc);
      requireStates(doc, 'resume', ['suspended']);
      ctx.store.update(KIND.server, { ...doc, state: STATE.active, updated: novaTime(ctx.now()) });
      return accepted();
    case 'lock':
      ctx.store.update(KIND.server, {
        ...doc,
        locked: true,
        locked_reason: typeof arg.locked_reason === 'string' && atLeast(call.v, '2.73') ? arg.locked_reason : null,
      });
      return accepted();
    case 'unlock':
      ctx.store.update(KIND.server, { ...doc, locked: false, locked_reason: null });
      return accepted();
    case 'changePassword':
      if (typeof arg.adminPass !== 'string')
        throw badRequest(
          `Invalid input for field/attribute changePassword. Value: ${pythonRepr(arg)}. 'adminPass' is a required property`,
        );
      requireStates(doc, 'changePassword', ['active']);
      return accepted();
    case 'os-getConsoleOutput': {
      const lines = [
        `[    0.000000] Linux version 6.1.0 (storm sandbox)`,
        `cloud-init: ${doc.name} (${doc.id}) up`,
        `${doc.hostname} login: `,
      ];
      const length = typeof arg.length === 'number' ? arg.length : Number(arg.length ?? lines.length);
      return { output: lines.slice(-Math.max(0, length)).join('\n') + '\n' };
    }
    case 'addSecurityGroup':
      if (typeof arg.name !== 'string')
        throw badRequest(
          `Invalid input for field/attribute addSecurityGroup. Value: ${pythonRepr(arg)}. 'name' is a required property`,
        );
      ctx.store.transaction(() => updatePortSecurityGroups(call, doc, arg.name as string, true));
      return accepted();
    case 'removeSecurityGroup':
      if (typeof arg.name !== 'string')
        throw badRequest(
          `Invalid input for field/attribute removeSecurityGroup. Value: ${pythonRepr(arg)}. 'name' is a required property`,
        );
      ctx.store.transaction(() => updatePortSecurityGroups(call, doc, arg.name as string, false));
      return accepted();
    case 'os-resetState': {
      if (!call.auth.isAdmin)
        throw forbidden(`Policy doesn't allow os_compute_api:os-admin-actions:reset_state to be performed.`);
      const target = arg.state === 'error' ? STATE.error : STATE.active;
      ctx.store.update(KIND.server, { ...doc, state: target, _pending: null, updated: novaTime(ctx.now()) });
      return accepted();
    }
    default:
      throw badRequest(`There is no such action: ${action ?? ''}`);
  }
}

// ---- sub-resources ----------------------------------------------------------------------------

function renderInterface(port: PortDoc, call: NovaCall): Json {
  const out: Json = {
    net_id: port.network_id,
    port_id: port.id,
    mac_addr: port.mac_address,
    port_state: port.status,
    fixed_ips: port.fixed_ips.map((ip) => ({ subnet_id: ip.subnet_id, ip_address: ip.ip_address })),
  };
  if (atLeast(call.v, '2.70')) out.tag = null;
  return out;
}

function renderVolumeAttachment(
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

function requireTagsVersion(call: NovaCall): void {
  if (!atLeast(call.v, '2.26')) throw notFound('The resource could not be found.');
}

function validTag(tag: string): void {
  if (tag.length < 1 || tag.length > 60 || tag.includes('/') || tag.includes(',')) {
    throw badRequest(`Invalid input for field/attribute tag. Value: ${tag}. '${tag}' does not match '^[^,/]*$'`);
  }
}

export function registerServerRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const V = '/v2.1';

  app.post(`${V}/servers`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const { first, adminPass, requestedGroups, reservationId, ids } = createServers(call, req.body);
    noteCreatedServers(req, ids);
    reply.code(202).header('Location', `${ctx.publicUrl}/compute/v2.1/servers/${first.id}`);
    const server = requireEnvelope(req.body, 'server');
    if (isTrue(server.return_reservation_id, BODY_BOOLEAN)) return { reservation_id: reservationId };
    return {
      server: {
        id: first.id,
        links: serverLinks(ctx, first.id),
        'OS-DCF:diskConfig': first.disk_config,
        security_groups: requestedGroups.map((name) => ({ name })),
        adminPass,
      },
    };
  });

  app.get(`${V}/servers`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const { docs, next } = listServers(call, req, false);
    return {
      servers: docs.map((d) => ({ id: d.id, name: d.name, links: serverLinks(ctx, d.id) })),
      ...serversLinks(call, 'servers', next, queryParams(req).one.limit),
    };
  });

  app.get(`${V}/servers/detail`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const { docs, next } = listServers(call, req, true);
    const rel = serverRelations(ctx);
    return {
      servers: docs.map((d) => renderServer(call, d, false, rel)),
      ...serversLinks(call, 'servers/detail', next, queryParams(req).one.limit),
    };
  });

  app.get(`${V}/servers/:id`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    return { server: renderServer(call, visibleServer(call, pathParam(req, 'id')), true) };
  });

  app.put(`${V}/servers/:id`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const body = requireEnvelope(req.body, 'server');
    const next: ServerDoc = { ...doc };
    if (body.name !== undefined) {
      if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 255)
        throw badRequest(
          `Invalid input for field/attribute name. Value: ${pythonRepr(body.name)}. ${pythonRepr(body.name)} is not of type 'string'`,
        );
      next.name = body.name;
    }
    if (body.description !== undefined) {
      if (!atLeast(call.v, '2.19'))
        throw badRequest(
          `Invalid input for field/attribute server. Value: ${pythonRepr(body)}. Additional properties are not allowed ('description' was unexpected)`,
        );
      next.description = body.description === null ? null : String(body.description);
    }
    if (typeof body.accessIPv4 === 'string') next.access_ipv4 = body.accessIPv4;
    if (typeof body.accessIPv6 === 'string') next.access_ipv6 = body.accessIPv6;
    if (typeof body.hostname === 'string' && atLeast(call.v, '2.90')) next.hostname = body.hostname;
    ctx.store.update(KIND.server, next);
    return { server: atLeast(call.v, '2.75') ? renderServer(call, next, true) : renderBasicServer(call, next) };
  });

  app.delete(`${V}/servers/:id`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    deleteServer(call, visibleServer(call, pathParam(req, 'id')));
    reply.code(204);
    return reply.send();
  });

  app.post(`${V}/servers/:id/action`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const out = ctx.store.transaction(() => serverAction(call, doc, req.body, reply));
    return out === undefined ? reply.send() : out;
  });

  // metadata
  const metadataOf = (call: NovaCall, id: string): ServerDoc => visibleServer(call, id);
  const saveMetadata = (call: NovaCall, doc: ServerDoc, metadata: Record<string, string>): void => {
    if (doc.locked && !call.auth.isAdmin) throw conflict(`Instance ${doc.id} is locked`);
    enforceMetadataQuota(ctx, doc.tenant_id, Object.keys(metadata).length);
    ctx.store.update(KIND.server, { ...doc, metadata, updated: novaTime(ctx.now()) });
  };
  app.get(`${V}/servers/:id/metadata`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    return { metadata: metadataOf(call, pathParam(req, 'id')).metadata };
  });
  app.post(`${V}/servers/:id/metadata`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = metadataOf(call, pathParam(req, 'id'));
    const md = stringMap(requireEnvelopeLoose(req.body), 'metadata') ?? {};
    const merged = { ...doc.metadata, ...md };
    saveMetadata(call, doc, merged);
    return { metadata: merged };
  });
  app.put(`${V}/servers/:id/metadata`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = metadataOf(call, pathParam(req, 'id'));
    const md = stringMap(requireEnvelopeLoose(req.body), 'metadata') ?? {};
    saveMetadata(call, doc, md);
    return { metadata: md };
  });
  app.get(`${V}/servers/:id/metadata/:key`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = metadataOf(call, pathParam(req, 'id'));
    const key = pathParam(req, 'key');
    const value = doc.metadata[key];
    if (value === undefined) throw notFound('Metadata item was not found');
    return { meta: { [key]: value } };
  });
  app.put(`${V}/servers/:id/metadata/:key`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = metadataOf(call, pathParam(req, 'id'));
    const key = pathParam(req, 'key');
    const meta = stringMap(requireEnvelopeLoose(req.body), 'meta') ?? {};
    const keys = Object.keys(meta);
    if (keys.length !== 1 || keys[0] !== key)
      throw badRequest(keys.length > 1 ? 'Request body contains too many items' : 'Request body and URI mismatch');
    saveMetadata(call, doc, { ...doc.metadata, ...meta });
    return { meta };
  });
  app.delete(`${V}/servers/:id/metadata/:key`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = metadataOf(call, pathParam(req, 'id'));
    const key = pathParam(req, 'key');
    if (doc.metadata[key] === undefined) throw notFound('Metadata item was not found');
    const md = { ...doc.metadata };
    delete md[key];
    saveMetadata(call, doc, md);
    reply.code(204);
    return reply.send();
  });

  // tags (2.26+)
  app.get(`${V}/servers/:id/tags`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireTagsVersion(call);
    return { tags: visibleServer(call, pathParam(req, 'id')).tags };
  });
  app.put(`${V}/servers/:id/tags`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireTagsVersion(call);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const tags = (req.body as Json | null)?.tags;
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))
      throw badRequest(
        `Invalid input for field/attribute tags. Value: ${pythonRepr(tags)}. ${pythonRepr(tags)} is not of type 'array'`,
      );
    if (tags.length > 50) throw badRequest('The number of tags exceeded the per-server limit 50');
    (tags as string[]).forEach(validTag);
    const unique = [...new Set(tags as string[])];
    ctx.store.update(KIND.server, { ...doc, tags: unique, updated: novaTime(ctx.now()) });
    return { tags: unique };
  });
  app.delete(`${V}/servers/:id/tags`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireTagsVersion(call);
    const doc = visibleServer(call, pathParam(req, 'id'));
    ctx.store.update(KIND.server, { ...doc, tags: [], updated: novaTime(ctx.now()) });
    reply.code(204);
    return reply.send();
  });
  app.get(`${V}/servers/:id/tags/:tag`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireTagsVersion(call);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const tag = pathParam(req, 'tag');
    if (!doc.tags.includes(tag)) throw notFound(`Tag '${tag}' could not be found.`);
    reply.code(204);
    return reply.send();
  });
  app.put(`${V}/servers/:id/tags/:tag`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireTagsVersion(call);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const tag = pathParam(req, 'tag');
    validTag(tag);
    if (doc.tags.includes(tag)) {
      reply.code(204);
      return reply.send();
    }
    if (doc.tags.length >= 50) throw badRequest('The number of tags exceeded the per-server limit 50');
    ctx.store.update(KIND.server, { ...doc, tags: [...doc.tags, tag], updated: novaTime(ctx.now()) });
    reply.code(201).header('Location', `${ctx.publicUrl}/compute/v2.1/servers/${doc.id}/tags/${tag}`);
    return reply.send();
  });
  app.delete(`${V}/servers/:id/tags/:tag`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireTagsVersion(call);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const tag = pathParam(req, 'tag');
    if (!doc.tags.includes(tag)) throw notFound(`Tag '${tag}' could not be found.`);
    ctx.store.update(KIND.server, { ...doc, tags: doc.tags.filter((t) => t !== tag), updated: novaTime(ctx.now()) });
    reply.code(204);
    return reply.send();
  });

  // ips (addresses by network)
  app.get(`${V}/servers/:id/ips`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    return { addresses: addressesOf(serverRelations(ctx, doc.id), doc.id, true) };
  });
  app.get(`${V}/servers/:id/ips/:network`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const network = pathParam(req, 'network');
    const entries = addressesOf(serverRelations(ctx, doc.id), doc.id, true)[network];
    if (entries === undefined) throw notFound('Instance is not a member of specified network');
    return { [network]: entries };
  });

  // os-interface
  app.get(`${V}/servers/:id/os-interface`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    return { interfaceAttachments: portsOfDevice(ctx, doc.id).map((p) => renderInterface(p, call)) };
  });
  app.get(`${V}/servers/:id/os-interface/:portId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const port = portsOfDevice(ctx, doc.id).find((p) => p.id === pathParam(req, 'portId'));
    if (!port) throw notFound(`Port ${pathParam(req, 'portId')} is not attached`);
    return { interfaceAttachment: renderInterface(port, call) };
  });
  app.post(`${V}/servers/:id/os-interface`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    requireStates(doc, 'attach_interface', ['active', 'paused', 'stopped']);
    const body = requireEnvelope(req.body, 'interfaceAttachment');
    const portId = typeof body.port_id === 'string' ? body.port_id : undefined;
    const netId = typeof body.net_id === 'string' ? body.net_id : undefined;
    if (portId === undefined && netId === undefined) throw badRequest('Must input network_id when request IP address');
    if (portId !== undefined && netId !== undefined) throw badRequest('Must not input both network_id and port_id');
    const fixedIps = Array.isArray(body.fixed_ips) ? (body.fixed_ips as Json[]) : [];
    const fixedIp = typeof fixedIps[0]?.ip_address === 'string' ? (fixedIps[0].ip_address as string) : undefined;
    const port = ctx.store.transaction(() => {
      try {
        const created = createPortForDevice(ctx, call.auth, {
          ...(portId !== undefined ? { portId } : { networkId: netId ?? '' }),
          ...(fixedIp !== undefined ? { fixedIp } : {}),
          deviceId: doc.id,
          deviceOwner: `compute:${AVAILABILITY_ZONE}`,
        });
        if (portId === undefined)
          ctx.store.update(KIND.server, { ...doc, _nova_ports: [...doc._nova_ports, created.id] });
        return created;
      } catch (err) {
        throw novaFromNeutron(err);
      }
    });
    return { interfaceAttachment: renderInterface(port, call) };
  });
  app.delete(`${V}/servers/:id/os-interface/:portId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const portId = pathParam(req, 'portId');
    if (!portsOfDevice(ctx, doc.id).some((p) => p.id === portId)) throw notFound(`Port ${portId} is not attached`);
    ctx.store.transaction(() => releasePort(ctx, portId));
    reply.code(202);
    return reply.send();
  });

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

/** Metadata bodies: a JSON object (the key inside is checked by stringMap). */
function requireEnvelopeLoose(body: unknown): Json {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Malformed request body');
  return body as Json;
}
