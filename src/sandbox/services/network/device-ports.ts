/**
 * What Nova (compute.ts) asks Neutron for, as plain function calls: the ports
 * of a server. Errors are Neutron-style SandboxHttpErrors (404 NetworkNotFound
 * / PortNotFound, 409 IpAddressGenerationFailure / PortInUse, OverQuota...);
 * mapping them to Nova's answers is compute's job.
 */
import type { AuthInfo, SandboxContext } from '../../core/context.js';
import { normalizeIp } from './ip-address.js';
import { KIND, type FloatingIpDoc, type NetworkDoc, type PortDoc, type SecurityGroupDoc } from './model.js';
import { allRbac, canUseNetwork, findNetwork, notAllowedOnNetwork } from './networks.js';
import { findPort, insertPort, removePort, SANDBOX_HOST, setBinding } from './ports.js';
import { publicFields } from './standard-attributes.js';
import { conflict, notFound } from './neutron-errors.js';
import { invalidAttribute } from './request-body.js';
import { ensureDefaultGroup } from './security-groups.js';

export interface DevicePortRequest {
  /** Create a new port on this network (ignored when `portId` is given). */
  networkId?: string;
  /** Bind this existing port (the user created it) instead of creating one. */
  portId?: string;
  /** The address to take on the network (new ports only). */
  fixedIp?: string;
  /** The subnet to take the address from (new ports only; default: the network's first that has room). */
  subnetId?: string;
  /** The port's name (new ports only; Octavia names its VIP ports `octavia-lb-<id>`). */
  name?: string;
  /** The server id. */
  deviceId: string;
  /** `compute:<availability zone>`, e.g. `compute:nova`. */
  deviceOwner: string;
  /** Security group names (or ids) of the server's project; default: the project's `default` group. */
  securityGroupNames?: string[];
  /** The host the port is bound to (`binding:host_id`); default `sandbox`, the sandbox's one hypervisor. */
  hostId?: string;
}

/** A port as Neutron answers it (admin view, no private fields). */
export type DevicePort = PortDoc;

function answer(ctx: SandboxContext, port: PortDoc): DevicePort {
  const fresh = ctx.store.get<PortDoc>(KIND.port, port.id) ?? port;
  return publicFields(fresh) as unknown as DevicePort;
}

/**
 * Creates (or binds) the port a server plugs into, bound to the sandbox host.
 * Runs inside the caller's transaction.
 */
export function createPortForDevice(ctx: SandboxContext, auth: AuthInfo, request: DevicePortRequest): DevicePort {
  const call = { ctx, auth };
  if (request.portId !== undefined) {
    const port = findPort(call, request.portId);
    if (port.device_id !== '' && port.device_id !== request.deviceId) {
      throw conflict(
        'PortInUse',
        `Unable to complete operation on port ${port.id} for network ${port.network_id}. Port already has an attached device ${port.device_id}.`,
      );
    }
    setBinding(ctx, port, request.deviceId, request.deviceOwner, request.hostId ?? SANDBOX_HOST);
    return answer(ctx, port);
  }
  if (request.networkId === undefined) throw notFound('NetworkNotFound', 'Network  could not be found.');
  const rbac = allRbac(call);
  const network = findNetwork(call, request.networkId, rbac);
  if (!canUseNetwork(call, network, rbac)) throw notAllowedOnNetwork(call, 'port');
  let securityGroups: string[] | undefined;
  if (network.port_security_enabled) {
    const defaultGroup = ensureDefaultGroup(ctx, auth.projectId);
    const names = request.securityGroupNames ?? ['default'];
    const groups = ctx.store.list<SecurityGroupDoc>(KIND.secgroup, { projectId: auth.projectId });
    securityGroups = names.map((name) => {
      if (name === 'default') return defaultGroup.id;
      const found = groups.find((g) => g.name === name || g.id === name);
      if (!found) throw notFound('SecurityGroupNotFound', `Security group ${name} does not exist`);
      return found.id;
    });
  }
  let fixedIps: { ipAddress?: string; subnetId?: string }[] | undefined;
  if (request.fixedIp !== undefined) {
    const ip = normalizeIp(request.fixedIp);
    if (ip === undefined) throw invalidAttribute('ip_address', `'${request.fixedIp}' is not a valid IP address`);
    fixedIps = [{ ipAddress: ip }];
  }
  if (request.subnetId !== undefined) fixedIps = [{ ...fixedIps?.[0], subnetId: request.subnetId }];
  const port = insertPort(call, {
    network,
    projectId: auth.projectId,
    body: request.name === undefined ? {} : { name: request.name },
    fixedIps,
    deviceOwner: request.deviceOwner,
    deviceId: request.deviceId,
    securityGroups: network.port_security_enabled ? securityGroups : [],
    createdForDevice: true,
    hostId: request.hostId ?? SANDBOX_HOST,
  });
  return answer(ctx, port);
}

/** When a server goes away: deletes the ports Nova created for it, unbinds the ones the user passed. */
export function releaseDevicePorts(ctx: SandboxContext, deviceId: string): void {
  for (const port of portsOfDevice(ctx, deviceId)) {
    if (port._createdForDevice) removePort(ctx, port);
    else setBinding(ctx, port, '', '', '');
  }
}

/** Ports whose device is `deviceId`, in creation order (raw documents). */
export function portsOfDevice(ctx: SandboxContext, deviceId: string): PortDoc[] {
  return ctx.store.list<PortDoc>(KIND.port).filter((p) => p.device_id === deviceId);
}

/** Floating IPs associated with a port. */
export function floatingIpsOfPort(ctx: SandboxContext, portId: string): FloatingIpDoc[] {
  return ctx.store.list<FloatingIpDoc>(KIND.floatingip).filter((f) => f.port_id === portId);
}

/** A network by id regardless of who asks (compute has already checked access). */
export function networkById(ctx: SandboxContext, id: string): NetworkDoc | undefined {
  return ctx.store.get<NetworkDoc>(KIND.network, id);
}

/** Detaches a single port from a server (Nova interface detach): deletes it if Nova created it. */
export function releasePort(ctx: SandboxContext, portId: string): void {
  const port = ctx.store.get<PortDoc>(KIND.port, portId);
  if (!port) return;
  if (port._createdForDevice) removePort(ctx, port);
  else setBinding(ctx, port, '', '', '');
}
