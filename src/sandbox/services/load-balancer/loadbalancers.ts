/**
 * Load balancers: create (a VIP port in Neutron on the given subnet or network,
 * or the given port), update, delete (with `cascade`, or refused while it has
 * children), the status tree.
 */
import { SandboxHttpError } from '../../core/errors.js';
import { createPortForDevice, type DevicePort } from '../network.js';
import { KIND as NETWORK_KIND, type SubnetDoc } from '../network/model.js';
import {
  type Call,
  badRequest,
  bool,
  has,
  immutable,
  invalidInput,
  nullableStr,
  octaviaTime,
  oneOf,
  optionalUuid,
  rootObject,
  str,
  tags,
  validationFailure,
} from './call.js';
import { type AnyEntity, type EntityKind, KIND, type LoadBalancerDoc, PROVIDERS } from './model.js';
import { beginChange, childrenOf, enforceQuota, findEntity, shownProvisioningStatus, vipDeviceId } from './state.js';
import { loadBalancerView, type View } from './views.js';

/** Neutron's answer to the VIP port request, in Octavia's words (it names the subnet or network it could not use). */
function vipError(e: unknown, what: string): Error {
  if (!(e instanceof SandboxHttpError)) return e as Error;
  const neutron = (e.body as { NeutronError?: { message?: string } }).NeutronError?.message ?? '';
  if (e.status === 404) return validationFailure(`${what} not found.`);
  return badRequest(`Error allocating the VIP: ${neutron}`);
}

export function createLoadBalancer(call: Call, body: unknown): View {
  const { ctx, auth } = call;
  const b = rootObject(body, 'loadbalancer');
  const subnetId = optionalUuid(b, 'vip_subnet_id');
  const networkId = optionalUuid(b, 'vip_network_id');
  const portId = optionalUuid(b, 'vip_port_id');
  if (subnetId === undefined && networkId === undefined && portId === undefined)
    throw validationFailure('VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id.');
  const projectId = str(b, 'project_id', auth.projectId);
  if (projectId !== auth.projectId && !auth.isAdmin) throw invalidInput('project_id', projectId, 'Not authorized.');
  const provider = oneOf(
    b,
    'provider',
    PROVIDERS.map((p) => p.name),
    'amphora',
  );
  if (has(b, 'flavor_id') && b.flavor_id !== null && b.flavor_id !== '')
    throw validationFailure(`Flavor ${String(b.flavor_id)} not found.`);
  if (has(b, 'availability_zone') && b.availability_zone !== null)
    throw validationFailure(`Availability zone ${String(b.availability_zone)} not found.`);
  enforceQuota(ctx, projectId, 'loadbalancer');
  const id = ctx.newId();
  let subnet: SubnetDoc | undefined;
  if (subnetId !== undefined) {
    subnet = ctx.store.get<SubnetDoc>(NETWORK_KIND.subnet, subnetId);
    if (subnet === undefined) throw validationFailure(`Subnet ${subnetId} not found.`);
    if (networkId !== undefined && subnet.network_id !== networkId)
      throw validationFailure('vip_subnet_id does not belong to vip_network_id.');
  }
  const address = nullableStr(b, 'vip_address', null);
  let port: DevicePort;
  try {
    port = createPortForDevice(ctx, auth, {
      ...(portId === undefined ? { networkId: subnet?.network_id ?? networkId } : { portId }),
      ...(subnet === undefined ? {} : { subnetId: subnet.id }),
      ...(address === null ? {} : { fixedIp: address }),
      deviceId: vipDeviceId(id),
      deviceOwner: 'Octavia',
      name: `octavia-lb-${id}`,
      hostId: '',
    });
  } catch (e) {
    throw vipError(
      e,
      portId !== undefined ? `Port ${portId}` : subnet !== undefined ? `Subnet ${subnet.id}` : `Network ${networkId}`,
    );
  }
  const fixed = port.fixed_ips.find((f) => subnet === undefined || f.subnet_id === subnet.id) ?? port.fixed_ips[0];
  if (fixed === undefined) throw validationFailure(`Port ${port.id} has no fixed IP address.`);
  const now = octaviaTime(ctx.now());
  const lb: LoadBalancerDoc = {
    id,
    project_id: projectId,
    name: str(b, 'name', ''),
    description: str(b, 'description', ''),
    admin_state_up: bool(b, 'admin_state_up', true),
    provisioning_status: 'PENDING_CREATE',
    created_at: now,
    updated_at: null,
    tags: tags(b, []),
    vip_address: fixed.ip_address,
    vip_port_id: port.id,
    vip_subnet_id: fixed.subnet_id,
    vip_network_id: port.network_id,
    vip_qos_policy_id: nullableStr(b, 'vip_qos_policy_id', null),
    provider,
    flavor_id: null,
    availability_zone: null,
    _lb: id,
    _pending: null,
  };
  ctx.store.insert(KIND.loadbalancer, lb, projectId);
  return { loadbalancer: loadBalancerView(ctx, beginChange(ctx, 'loadbalancer', lb, 'PENDING_CREATE')) };
}

export function updateLoadBalancer(call: Call, id: string, body: unknown): View {
  const { ctx } = call;
  const lb = findEntity<LoadBalancerDoc>(call, 'loadbalancer', id);
  const b = rootObject(body, 'loadbalancer');
  if (shownProvisioningStatus(ctx, lb) !== 'ACTIVE') throw immutable(id);
  const next: LoadBalancerDoc = {
    ...lb,
    name: str(b, 'name', lb.name),
    description: str(b, 'description', lb.description),
    admin_state_up: bool(b, 'admin_state_up', lb.admin_state_up),
    tags: tags(b, lb.tags),
    vip_qos_policy_id: nullableStr(b, 'vip_qos_policy_id', lb.vip_qos_policy_id),
  };
  ctx.store.update(KIND.loadbalancer, next);
  return { loadbalancer: loadBalancerView(ctx, beginChange(ctx, 'loadbalancer', next, 'PENDING_UPDATE')) };
}

const CHILD_KINDS: EntityKind[] = ['listener', 'pool', 'member', 'healthmonitor'];

/** Without `cascade` a load balancer with listeners or pools stays (400); with it, all goes. */
export function deleteLoadBalancer(call: Call, id: string, cascade: boolean): void {
  const { ctx } = call;
  const lb = findEntity<LoadBalancerDoc>(call, 'loadbalancer', id);
  const status = shownProvisioningStatus(ctx, lb);
  if (status !== 'ACTIVE' && status !== 'ERROR') throw immutable(id);
  const children = CHILD_KINDS.flatMap((k) => childrenOf<AnyEntity>(ctx, k, id).map((d) => ({ k, d })));
  if (!cascade && children.some((c) => c.k === 'listener' || c.k === 'pool'))
    throw validationFailure(`Cannot delete Load Balancer ${id} - it has children`);
  for (const { k, d } of children) beginChange(ctx, k, d, 'PENDING_DELETE');
  beginChange(ctx, 'loadbalancer', lb, 'PENDING_DELETE');
}
