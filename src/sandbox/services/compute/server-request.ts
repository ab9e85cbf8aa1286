/**
 * Reading a server create request: flavor and image references (and whether the
 * caller may boot that image), networks, block device mappings, names, passwords,
 * and Neutron errors worded as Nova words them.
 */
import { type ImageDoc, imageVisibleTo } from '../image.js';
import { formatIp, parseIp } from '../network.js';
import { randomBytes } from 'node:crypto';
import type { SandboxContext } from '../../core/context.js';
import { SandboxHttpError } from '../../core/errors.js';
import { apiFault, badRequest, conflict, forbidden } from './api-fault.js';
import type { NovaCall, Json } from './call.js';
import { BODY_BOOLEAN, isTrue } from '../../core/booleans.js';
import { atLeast } from './microversion.js';
import { KIND, type FlavorDoc } from './model.js';
import { pythonRepr } from './python-repr.js';

export function lastSegment(ref: string): string {
  const trimmed = ref.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

export function invalidServer(body: Json, reason: string): SandboxHttpError {
  return badRequest(`Invalid input for field/attribute server. Value: ${pythonRepr(body)}. ${reason}`);
}

/** Maps a Neutron error raised while wiring ports into what Nova answers. */
export function novaFromNeutron(err: unknown): unknown {
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

export interface RequestedNetwork {
  uuid?: string;
  port?: string;
  fixed_ip?: string;
}

export function parseNetworks(call: NovaCall, server: Json): RequestedNetwork[] | 'auto' | 'none' {
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
export function autoNetworks(call: NovaCall): string[] {
  const nets = call.ctx.store.list<{ id: string; tenant_id: string; shared: boolean; 'router:external': boolean }>(
    'network.network',
  );
  return nets
    .filter((n) => !n['router:external'] && (n.tenant_id === call.auth.projectId || n.shared))
    .map((n) => n.id);
}

export interface ParsedBdm {
  source_type: string;
  destination_type: string;
  uuid: string | null;
  boot_index: number | null;
  volume_size: number | null;
  delete_on_termination: boolean;
  device_name: string | null;
  volume_type: string | null;
}

export function parseBdms(server: Json): ParsedBdm[] {
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

export function generatedPassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(12);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export function hostnameFrom(name: string): string {
  const h = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return h === '' ? 'server' : h;
}

export function imageDoc(ctx: SandboxContext, id: string): Json | undefined {
  return ctx.store.get<Json>('image.image', id);
}

/** Nova asks Glance for the image with the caller's token: another project's `shared` image needs a membership. */
export function canSeeImage(call: NovaCall, image: Json): boolean {
  return imageVisibleTo(call.ctx, call.auth, image as unknown as ImageDoc);
}

export function requireFlavor(ctx: SandboxContext, ref: unknown): FlavorDoc {
  const id = typeof ref === 'string' || typeof ref === 'number' ? lastSegment(String(ref)) : '';
  const flavor = ctx.store.get<FlavorDoc>(KIND.flavor, id);
  if (!flavor || flavor.disabled) throw badRequest('Invalid flavorRef provided.');
  return flavor;
}

/**
 * accessIPv4/accessIPv6 as Nova keeps them: validated by the request schema's ipv4/ipv6 format, stored as netaddr
 * reads them, so the answer shows the canonical form ('0000::babe:220.12.22.2' → '::babe:dc0c:1602').
 */
export function accessIp(field: 'accessIPv4' | 'accessIPv6', value: unknown): string {
  const version = field === 'accessIPv4' ? 4 : 6;
  const ip = typeof value === 'string' ? parseIp(value) : undefined;
  if (ip === undefined || ip.version !== version)
    throw badRequest(
      `Invalid input for field/attribute ${field}. Value: ${typeof value === 'string' ? value : pythonRepr(value)}. ${pythonRepr(value)} is not a 'ipv${version}'`,
    );
  return formatIp(ip);
}
