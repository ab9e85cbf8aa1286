/**
 * Neutron documents as stored (kinds `network.*`): each is kept in the shape
 * the API answers, minus computed fields (network `subnets`, security group
 * `security_group_rules`, floating IP `port_details`) and plus `_`-prefixed
 * private fields that are stripped before answering.
 */

export const KIND = {
  network: 'network.network',
  subnet: 'network.subnet',
  port: 'network.port',
  router: 'network.router',
  secgroup: 'network.secgroup',
  secgroupRule: 'network.secgroup_rule',
  floatingip: 'network.floatingip',
  rbac: 'network.rbac',
  subnetpool: 'network.subnetpool',
  addressScope: 'network.address_scope',
  quota: 'network.quota',
  counter: 'network.counter',
} as const;

/** Fields every Neutron resource with standard attributes carries. */
export interface StandardAttrs {
  id: string;
  tenant_id: string;
  project_id: string;
  description: string;
  tags: string[];
  created_at: string;
  updated_at: string;
  revision_number: number;
}

export interface NetworkDoc extends StandardAttrs {
  name: string;
  admin_state_up: boolean;
  mtu: number;
  status: string;
  shared: boolean;
  availability_zone_hints: string[];
  availability_zones: string[];
  ipv4_address_scope: string | null;
  ipv6_address_scope: string | null;
  'router:external': boolean;
  port_security_enabled: boolean;
  is_default?: boolean;
  'provider:network_type': string;
  'provider:physical_network': string | null;
  'provider:segmentation_id': number | null;
}

export interface AllocationPool {
  start: string;
  end: string;
}

export interface HostRoute {
  destination: string;
  nexthop: string;
}

export interface SubnetDoc extends StandardAttrs {
  name: string;
  network_id: string;
  ip_version: 4 | 6;
  subnetpool_id: string | null;
  enable_dhcp: boolean;
  ipv6_ra_mode: string | null;
  ipv6_address_mode: string | null;
  gateway_ip: string | null;
  cidr: string;
  allocation_pools: AllocationPool[];
  host_routes: HostRoute[];
  dns_nameservers: string[];
  service_types: string[];
}

export interface FixedIp {
  subnet_id: string;
  ip_address: string;
}

export interface AddressPair {
  ip_address: string;
  mac_address: string;
}

export interface ExtraDhcpOpt {
  opt_name: string;
  opt_value: string;
  ip_version: number;
}

/** Address scopes carry no standard attributes in Neutron (no tags, timestamps or revision). */
export interface AddressScopeDoc {
  id: string;
  name: string;
  tenant_id: string;
  project_id: string;
  shared: boolean;
  ip_version: 4 | 6;
}

export interface SubnetPoolDoc extends StandardAttrs {
  name: string;
  prefixes: string[];
  min_prefixlen: number;
  max_prefixlen: number;
  default_prefixlen: number;
  default_quota: number | null;
  address_scope_id: string | null;
  is_default: boolean;
  shared: boolean;
  ip_version: 4 | 6;
}

export interface PortDoc extends StandardAttrs {
  name: string;
  network_id: string;
  mac_address: string;
  admin_state_up: boolean;
  status: string;
  device_id: string;
  device_owner: string;
  fixed_ips: FixedIp[];
  allowed_address_pairs: AddressPair[];
  extra_dhcp_opts: ExtraDhcpOpt[];
  security_groups: string[];
  port_security_enabled: boolean;
  'binding:vnic_type': string;
  'binding:profile': Record<string, unknown>;
  'binding:host_id': string;
  'binding:vif_type': string;
  'binding:vif_details': Record<string, unknown>;
  /** True when Nova created the port for a server (deleted with it); false when the user passed it. */
  _createdForDevice?: boolean;
}

export interface ExternalGatewayInfo {
  network_id: string;
  external_fixed_ips: FixedIp[];
  enable_snat: boolean;
}

export interface RouterRoute {
  destination: string;
  nexthop: string;
}

export interface RouterDoc extends StandardAttrs {
  name: string;
  admin_state_up: boolean;
  status: string;
  external_gateway_info: ExternalGatewayInfo | null;
  availability_zones: string[];
  distributed: boolean;
  ha: boolean;
  availability_zone_hints: string[];
  routes: RouterRoute[];
  flavor_id: string | null;
}

export interface SecurityGroupDoc extends StandardAttrs {
  name: string;
  stateful: boolean;
  shared: boolean;
}

export interface SecurityGroupRuleDoc extends Omit<StandardAttrs, 'description' | 'tags'> {
  security_group_id: string;
  ethertype: 'IPv4' | 'IPv6';
  direction: 'ingress' | 'egress';
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_address_group_id: string | null;
  normalized_cidr: string | null;
  remote_group_id: string | null;
  description: string | null;
  _standardAttrId: number;
}

export interface FloatingIpDoc extends StandardAttrs {
  floating_ip_address: string;
  floating_network_id: string;
  router_id: string | null;
  port_id: string | null;
  fixed_ip_address: string | null;
  status: string;
  /** The gateway port that holds this address on the external subnet. */
  _subnetId: string;
}

export interface RbacPolicyDoc {
  id: string;
  tenant_id: string;
  project_id: string;
  object_type: 'network' | 'security_group' | 'subnetpool' | 'address_scope';
  object_id: string;
  action: 'access_as_shared' | 'access_as_external';
  target_tenant: string;
}

export const QUOTA_RESOURCES = [
  'network',
  'subnet',
  'subnetpool',
  'port',
  'router',
  'floatingip',
  'rbac_policy',
  'security_group',
  'security_group_rule',
] as const;
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];
export type QuotaSet = Record<QuotaResource, number>;

/** Neutron's shipped defaults (neutron.conf [quotas]), as the real Zed answered. */
export const DEFAULT_QUOTA: QuotaSet = {
  network: 100,
  subnet: 100,
  subnetpool: -1,
  port: 500,
  router: 10,
  floatingip: 50,
  rbac_policy: 10,
  security_group: 10,
  security_group_rule: 100,
};

export interface QuotaDoc {
  /** The project id the limits belong to. */
  id: string;
  quota: Partial<QuotaSet>;
}

export interface CounterDoc {
  id: string;
  value: number;
}
