/**
 * Octavia's records as the sandbox stores them: the public fields in the shape
 * the API answers (statuses aside, which are derived on read, see state.ts),
 * plus private fields (`_`-prefixed) for the pending transition and the load
 * balancer a child belongs to.
 */

export const KIND = {
  loadbalancer: 'octavia.loadbalancer',
  listener: 'octavia.listener',
  pool: 'octavia.pool',
  member: 'octavia.member',
  healthmonitor: 'octavia.healthmonitor',
  l7policy: 'octavia.l7policy',
  l7rule: 'octavia.l7rule',
  quota: 'octavia.quota',
} as const;

export type EntityKind = Exclude<keyof typeof KIND, 'quota'>;

/** What Octavia calls each entity in its messages (data_models' class names, split on capitals). */
export const ENTITY_NAME: Record<EntityKind, string> = {
  loadbalancer: 'Load Balancer',
  listener: 'Listener',
  pool: 'Pool',
  member: 'Member',
  healthmonitor: 'Health Monitor',
  l7policy: 'L7 Policy',
  l7rule: 'L7 Rule',
};

export type ProvisioningStatus =
  'ACTIVE' | 'PENDING_CREATE' | 'PENDING_UPDATE' | 'PENDING_DELETE' | 'ERROR' | 'DELETED';

/** A change the (simulated) amphora driver finishes `statusDelayMs` after the request. */
export interface Pending {
  /** Due time, ms since the epoch. */
  at: number;
  /** The provisioning status once due (ACTIVE), or gone: the entity is deleted. */
  gone: boolean;
}

export interface EntityBase {
  id: string;
  project_id: string;
  name: string;
  description?: string;
  admin_state_up: boolean;
  provisioning_status: ProvisioningStatus;
  created_at: string;
  updated_at: string | null;
  tags: string[];
  /** The load balancer this entity belongs to (its own id for a load balancer). */
  _lb: string;
  _pending: Pending | null;
}

export interface LoadBalancerDoc extends EntityBase {
  description: string;
  vip_address: string;
  vip_port_id: string;
  vip_subnet_id: string;
  vip_network_id: string;
  vip_qos_policy_id: string | null;
  provider: string;
  flavor_id: string | null;
  availability_zone: string | null;
}

export interface ListenerDoc extends EntityBase {
  description: string;
  protocol: string;
  protocol_port: number;
  connection_limit: number;
  default_pool_id: string | null;
  default_tls_container_ref: string | null;
  sni_container_refs: string[];
  insert_headers: Record<string, string>;
  timeout_client_data: number;
  timeout_member_connect: number;
  timeout_member_data: number;
  timeout_tcp_inspect: number;
  allowed_cidrs: string[] | null;
  client_authentication: string;
  client_ca_tls_container_ref: string | null;
  client_crl_container_ref: string | null;
}

export interface SessionPersistence {
  type: string;
  cookie_name: string | null;
  persistence_timeout?: number | null;
  persistence_granularity?: string | null;
}

export interface PoolDoc extends EntityBase {
  description: string;
  protocol: string;
  lb_algorithm: string;
  session_persistence: SessionPersistence | null;
  tls_enabled: boolean;
  tls_container_ref: string | null;
  ca_tls_container_ref: string | null;
  crl_container_ref: string | null;
}

export interface MemberDoc extends EntityBase {
  pool_id: string;
  address: string;
  protocol_port: number;
  subnet_id: string | null;
  weight: number;
  backup: boolean;
  monitor_address: string | null;
  monitor_port: number | null;
}

export interface HealthMonitorDoc extends EntityBase {
  pool_id: string;
  type: string;
  delay: number;
  timeout: number;
  max_retries: number;
  max_retries_down: number;
  http_method: string | null;
  http_version: number | null;
  url_path: string | null;
  expected_codes: string | null;
  domain_name: string | null;
}

export interface L7PolicyDoc extends EntityBase {
  description: string;
  listener_id: string;
  action: string;
  position: number;
  redirect_pool_id: string | null;
  redirect_url: string | null;
  redirect_prefix: string | null;
  redirect_http_code: number | null;
}

export interface L7RuleDoc extends EntityBase {
  l7policy_id: string;
  type: string;
  compare_type: string;
  key: string | null;
  value: string;
  invert: boolean;
}

export type AnyEntity =
  LoadBalancerDoc | ListenerDoc | PoolDoc | MemberDoc | HealthMonitorDoc | L7PolicyDoc | L7RuleDoc;

export const L7_ACTIONS = ['REJECT', 'REDIRECT_TO_URL', 'REDIRECT_TO_POOL', 'REDIRECT_PREFIX'] as const;
export const L7_RULE_TYPES = [
  'HOST_NAME',
  'PATH',
  'FILE_TYPE',
  'HEADER',
  'COOKIE',
  'SSL_CONN_HAS_CERT',
  'SSL_VERIFY_RESULT',
  'SSL_DN_FIELD',
] as const;
export const L7_COMPARE_TYPES = ['REGEX', 'STARTS_WITH', 'ENDS_WITH', 'CONTAINS', 'EQUAL_TO'] as const;
export const REDIRECT_CODES = [301, 302, 303, 307, 308];

/** Quota limits of one project; -1 is unlimited (Octavia's default for all of them). */
export interface QuotaDoc {
  id: string;
  loadbalancer: number;
  listener: number;
  pool: number;
  member: number;
  healthmonitor: number;
  l7policy: number;
  l7rule: number;
}

export const QUOTA_KEYS = [
  'loadbalancer',
  'listener',
  'pool',
  'member',
  'healthmonitor',
  'l7policy',
  'l7rule',
] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];

export const LISTENER_PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'TERMINATED_HTTPS', 'UDP', 'SCTP', 'PROMETHEUS'] as const;
export const POOL_PROTOCOLS = ['HTTP', 'HTTPS', 'PROXY', 'PROXYV2', 'TCP', 'UDP', 'SCTP'] as const;
export const LB_ALGORITHMS = ['ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP', 'SOURCE_IP_PORT'] as const;
export const MONITOR_TYPES = ['HTTP', 'HTTPS', 'PING', 'TCP', 'TLS-HELLO', 'UDP-CONNECT', 'SCTP'] as const;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'OPTIONS', 'PATCH', 'CONNECT'] as const;
export const PERSISTENCE_TYPES = ['SOURCE_IP', 'HTTP_COOKIE', 'APP_COOKIE'] as const;

/** Which pool protocols a listener protocol may send to (octavia/common/constants.py, VALID_LISTENER_POOL_PROTOCOL_MAP). */
export const LISTENER_POOL_PROTOCOLS: Record<string, readonly string[]> = {
  TCP: ['HTTP', 'HTTPS', 'PROXY', 'PROXYV2', 'TCP'],
  HTTP: ['HTTP', 'PROXY', 'PROXYV2'],
  HTTPS: ['HTTPS', 'PROXY', 'PROXYV2', 'TCP'],
  TERMINATED_HTTPS: ['HTTP', 'PROXY', 'PROXYV2'],
  UDP: ['UDP'],
  SCTP: ['SCTP'],
  PROMETHEUS: [],
};

/** The only provider the sandbox has, as Octavia's default amphora driver names itself. */
export const PROVIDERS = [
  { name: 'amphora', description: 'The Octavia Amphora driver.' },
  { name: 'octavia', description: 'Deprecated alias of the Octavia Amphora driver.' },
];
