/**
 * Floating IPs: an address on an external network, held by a
 * network:floatingip port as in Neutron; association needs a router that joins
 * the port's subnet to that external network (else 404, as the real one).
 */
import { neutronError, SandboxHttpError } from '../../core/errors.js';
import { applyListQuery, parseListQuery, type Doc, type RawQuery } from './list-query.js';
import { KIND, type FloatingIpDoc, type PortDoc } from './model.js';
import { findNetwork } from './networks.js';
import { findPort, insertPort, removePort, statusOf } from './ports.js';
import { enforceQuota } from './quotas.js';
import { ownerProject, owns, type NeutronCall } from './call.js';
import { publicFields, standardAttrs, touch } from './standard-attributes.js';
import { badResourceRequest, conflict, notFound, policyDenied } from './neutron-errors.js';
import {
  badRequest,
  checkAttributes,
  envelope,
  has,
  ipField,
  stringField,
  type AttributeRules,
} from './request-body.js';
import { routerBetween } from './routers.js';
import { parseIp } from './ip-address.js';

export const FLOATINGIP_ATTRIBUTES: AttributeRules = {
  readable: new Set([
    'id',
    'tenant_id',
    'project_id',
    'floating_ip_address',
    'floating_network_id',
    'router_id',
    'port_id',
    'fixed_ip_address',
    'status',
    'description',
    'port_details',
    'tags',
    'created_at',
    'updated_at',
    'revision_number',
  ]),
  post: new Set([
    'tenant_id',
    'project_id',
    'floating_ip_address',
    'floating_network_id',
    'subnet_id',
    'port_id',
    'fixed_ip_address',
    'description',
  ]),
  put: new Set(['port_id', 'fixed_ip_address', 'description']),
};

function floatingIpView(call: NeutronCall, fip: FloatingIpDoc, ports: Map<string, PortDoc>): Doc {
  const view = publicFields(fip);
  const port = fip.port_id ? ports.get(fip.port_id) : undefined;
  view.port_details = port
    ? {
        name: port.name,
        network_id: port.network_id,
        mac_address: port.mac_address,
        admin_state_up: port.admin_state_up,
        status: statusOf(call.ctx, port),
        device_id: port.device_id,
        device_owner: port.device_owner,
      }
    : null;
  return view;
}

function portsById(call: NeutronCall): Map<string, PortDoc> {
  return new Map(call.ctx.store.list<PortDoc>(KIND.port).map((p) => [p.id, p]));
}

export function findFloatingIp(call: NeutronCall, id: string): FloatingIpDoc {
  const fip = call.ctx.store.get<FloatingIpDoc>(KIND.floatingip, id);
  if (!fip || !owns(call.auth, fip.project_id))
    throw notFound('FloatingIPNotFound', `Floating IP ${id} could not be found`);
  return fip;
}

export function showFloatingIp(call: NeutronCall, id: string): Doc {
  return { floatingip: floatingIpView(call, findFloatingIp(call, id), portsById(call)) };
}

export function listFloatingIps(call: NeutronCall, raw: RawQuery, collectionUrl: string): Doc {
  const ports = portsById(call);
  const docs = call.ctx.store
    .list<FloatingIpDoc>(KIND.floatingip)
    .filter((f) => owns(call.auth, f.project_id))
    .map((f) => floatingIpView(call, f, ports));
  const { items, links } = applyListQuery(docs, parseListQuery(raw), {
    attributes: FLOATINGIP_ATTRIBUTES.readable,
    collectionUrl,
    raw,
  });
  return links.length > 0 ? { floatingips: items, floatingips_links: links } : { floatingips: items };
}

/** Points `fip` at a port (or nowhere), checking what Neutron checks. */
function associate(call: NeutronCall, fip: FloatingIpDoc, portId: string | null, fixedIp: string | undefined): void {
  if (portId === null) {
    fip.port_id = null;
    fip.fixed_ip_address = null;
    fip.router_id = null;
    fip.status = 'DOWN';
    return;
  }
  const port = findPort(call, portId);
  if (!owns(call.auth, port.project_id)) throw notFound('PortNotFound', `Port ${portId} could not be found.`);
  if (port.device_owner === 'network:router_gateway' || port.device_owner === 'network:floatingip') {
    throw badResourceRequest(
      'floatingip',
      `Port ${port.id} has owner ${port.device_owner} and cannot be associated with a floating IP`,
    );
  }
  const v4 = port.fixed_ips.filter((ip) => parseIp(ip.ip_address)?.version === 4);
  let chosen;
  if (fixedIp !== undefined) {
    chosen = v4.find((ip) => ip.ip_address === fixedIp);
    if (!chosen) throw badResourceRequest('floatingip', `Port ${port.id} does not have fixed ip ${fixedIp}`);
  } else {
    if (v4.length === 0) throw badResourceRequest('floatingip', `Port ${port.id} does not have any IPv4 address`);
    if (v4.length > 1) {
      throw badResourceRequest(
        'floatingip',
        `Port ${port.id} has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP`,
      );
    }
    chosen = v4[0];
  }
  if (!chosen) return;
  const taken = call.ctx.store
    .list<FloatingIpDoc>(KIND.floatingip)
    .find(
      (f) =>
        f.id !== fip.id &&
        f.port_id === port.id &&
        f.fixed_ip_address === chosen.ip_address &&
        f.floating_network_id === fip.floating_network_id,
    );
  if (taken) {
    throw conflict(
      'FloatingIPPortAlreadyAssociated',
      `Cannot associate floating IP ${fip.floating_ip_address} (${fip.id}) with port ${port.id} using fixed IP ${chosen.ip_address}, as that fixed IP already has a floating IP on external network ${fip.floating_network_id}.`,
    );
  }
  const router = routerBetween(call, chosen.subnet_id, fip.floating_network_id);
  if (!router) {
    throw notFound(
      'ExternalGatewayForFloatingIPNotFound',
      `External network ${fip.floating_network_id} is not reachable from subnet ${chosen.subnet_id}.  Therefore, cannot associate Port ${port.id} with a Floating IP.`,
    );
  }
  fip.port_id = port.id;
  fip.fixed_ip_address = chosen.ip_address;
  fip.router_id = router.id;
  fip.status = 'ACTIVE';
}

export function createFloatingIp(call: NeutronCall, body: unknown): Doc {
  const input = envelope(body, 'floatingip');
  checkAttributes(input, FLOATINGIP_ATTRIBUTES, 'POST');
  if (typeof input.floating_network_id !== 'string') {
    throw badRequestMissing('floating_network_id');
  }
  if (has(input, 'floating_ip_address') && !call.auth.isAdmin)
    throw policyDenied('rule:create_floatingip and rule:create_floatingip:floating_ip_address');
  const net = findNetwork(call, input.floating_network_id);
  if (!net['router:external'])
    throw badResourceRequest('floatingip', `Network ${net.id} is not a valid external network`);
  const projectId = ownerProject(call, input);
  enforceQuota(call.ctx, projectId, 'floatingip');
  const requestedIp =
    has(input, 'floating_ip_address') && input.floating_ip_address !== null
      ? ipField('floating_ip_address', input.floating_ip_address)
      : undefined;
  const subnetId = typeof input.subnet_id === 'string' ? input.subnet_id : undefined;
  const attrs = standardAttrs(call, projectId, input, 0);
  const exhausted = () =>
    neutronError(400, 'ExternalIpAddressExhausted', `Unable to find any IP address on external network ${net.id}.`);
  let holder: PortDoc;
  try {
    holder = insertPort(call, {
      network: net,
      projectId: '',
      body: {},
      fixedIps:
        requestedIp !== undefined || subnetId !== undefined
          ? [{ ...(subnetId ? { subnetId } : {}), ...(requestedIp ? { ipAddress: requestedIp } : {}) }]
          : undefined,
      deviceOwner: 'network:floatingip',
      deviceId: attrs.id,
      securityGroups: [],
    });
  } catch (e) {
    // Neutron words pool exhaustion on an external network differently (400, and the provider retries it).
    if (
      e instanceof SandboxHttpError &&
      (e.body as { NeutronError?: { type?: string } }).NeutronError?.type === 'IpAddressGenerationFailure'
    )
      throw exhausted();
    throw e;
  }
  const address = holder.fixed_ips.find((ip) => parseIp(ip.ip_address)?.version === 4) ?? holder.fixed_ips[0];
  if (!address) throw exhausted();
  const fip: FloatingIpDoc = {
    ...attrs,
    floating_ip_address: address.ip_address,
    floating_network_id: net.id,
    router_id: null,
    port_id: null,
    fixed_ip_address: null,
    status: 'DOWN',
    _subnetId: address.subnet_id,
  };
  if (has(input, 'port_id') && input.port_id !== null) {
    associate(
      call,
      fip,
      String(input.port_id),
      typeof input.fixed_ip_address === 'string' ? ipField('fixed_ip_address', input.fixed_ip_address) : undefined,
    );
  }
  call.ctx.store.insert(KIND.floatingip, fip, projectId);
  return { floatingip: floatingIpView(call, fip, portsById(call)) };
}

function badRequestMissing(attr: string): Error {
  return badRequest(`Failed to parse request. Required attribute '${attr}' not specified`);
}

export function updateFloatingIp(call: NeutronCall, id: string, body: unknown): Doc {
  const input = envelope(body, 'floatingip');
  checkAttributes(input, FLOATINGIP_ATTRIBUTES, 'PUT');
  const fip = findFloatingIp(call, id);
  fip.description = stringField(input, 'description', fip.description);
  if (has(input, 'port_id')) {
    const portId = input.port_id === null || input.port_id === '' ? null : String(input.port_id);
    associate(
      call,
      fip,
      portId,
      typeof input.fixed_ip_address === 'string' ? ipField('fixed_ip_address', input.fixed_ip_address) : undefined,
    );
  } else if (typeof input.fixed_ip_address === 'string' && fip.port_id) {
    associate(call, fip, fip.port_id, ipField('fixed_ip_address', input.fixed_ip_address));
  }
  touch(call.ctx, fip);
  call.ctx.store.update(KIND.floatingip, fip);
  return { floatingip: floatingIpView(call, fip, portsById(call)) };
}

export function deleteFloatingIp(call: NeutronCall, id: string): void {
  const fip = findFloatingIp(call, id);
  const holder = call.ctx.store
    .list<PortDoc>(KIND.port)
    .find((p) => p.device_owner === 'network:floatingip' && p.device_id === fip.id);
  if (holder) removePort(call.ctx, holder);
  call.ctx.store.delete(KIND.floatingip, id);
}
