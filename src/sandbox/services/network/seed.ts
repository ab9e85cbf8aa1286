/**
 * The seeded external network: `public` (router:external, owned by admin, not
 * shared) with `public-subnet` on the sandbox's loopback /24 (127.42.0.0/24 by
 * default, see core/floating-range.ts), so floating IPs are addresses a person can open.
 */
import type { SandboxContext } from '../../core/context.js';
import { KIND, type NetworkDoc, type RbacPolicyDoc, type SubnetDoc } from './model.js';
import { timestamp } from './standard-attributes.js';

export const PUBLIC_NETWORK = {
  name: 'public',
  subnetName: 'public-subnet',
  physicalNetwork: 'public',
} as const;

/** The admin project's id, which identity seeded before us. */
function adminProjectId(ctx: SandboxContext): string {
  const projects = ctx.store.list<{ id: string; name: string }>('identity.project');
  const admin = projects.find((p) => p.name === 'admin');
  if (!admin) throw new Error('network seed: the identity seed has no admin project');
  return admin.id;
}

export function seedNetwork(ctx: SandboxContext): void {
  const projectId = adminProjectId(ctx);
  const now = timestamp(ctx);
  const network: NetworkDoc = {
    id: ctx.newId(),
    tenant_id: projectId,
    project_id: projectId,
    description: '',
    tags: [],
    created_at: now,
    updated_at: now,
    revision_number: 2,
    name: PUBLIC_NETWORK.name,
    admin_state_up: true,
    mtu: 1500,
    status: 'ACTIVE',
    shared: false,
    availability_zone_hints: [],
    availability_zones: [],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    'router:external': true,
    port_security_enabled: true,
    is_default: false,
    'provider:network_type': 'flat',
    'provider:physical_network': PUBLIC_NETWORK.physicalNetwork,
    'provider:segmentation_id': null,
  };
  ctx.store.insert(KIND.network, network, projectId);
  const rbac: RbacPolicyDoc = {
    id: ctx.newId(),
    tenant_id: projectId,
    project_id: projectId,
    object_type: 'network',
    object_id: network.id,
    action: 'access_as_external',
    target_tenant: '*',
  };
  ctx.store.insert(KIND.rbac, rbac, projectId);
  const subnet: SubnetDoc = {
    id: ctx.newId(),
    tenant_id: projectId,
    project_id: projectId,
    description: '',
    tags: [],
    created_at: now,
    updated_at: now,
    revision_number: 0,
    name: PUBLIC_NETWORK.subnetName,
    network_id: network.id,
    ip_version: 4,
    subnetpool_id: null,
    enable_dhcp: false,
    ipv6_ra_mode: null,
    ipv6_address_mode: null,
    gateway_ip: ctx.floatingRange.gateway,
    cidr: ctx.floatingRange.cidr,
    allocation_pools: [{ ...ctx.floatingRange.pool }],
    host_routes: [],
    dns_nameservers: [],
    service_types: [],
  };
  ctx.store.insert(KIND.subnet, subnet, projectId);
}
