/**
 * Nova documents as stored (kinds `compute.*`). Stored fields mirror what the
 * API answers; computed parts (addresses, security groups, attached volumes,
 * effective status) are derived on read, and `_`-prefixed fields are private.
 */
import type { SandboxContext } from '../../core/context.js';

export const KIND = {
  server: 'compute.server',
  flavor: 'compute.flavor',
  flavorAccess: 'compute.flavor_access',
  keypair: 'compute.keypair',
  serverGroup: 'compute.server_group',
  quota: 'compute.quota',
  instanceAction: 'compute.instance_action',
  counter: 'compute.counter',
} as const;

export interface FlavorDoc {
  id: string;
  name: string;
  ram: number;
  disk: number;
  swap: number;
  vcpus: number;
  ephemeral: number;
  rxtx_factor: number;
  is_public: boolean;
  disabled: boolean;
  description: string | null;
  extra_specs: Record<string, string>;
}

/** Tenants granted a private flavor (os-flavor-access); id = `<flavor>:<project>`. */
export interface FlavorAccessDoc {
  id: string;
  flavor_id: string;
  tenant_id: string;
}

export type KeypairType = 'ssh' | 'x509';

export interface KeypairDoc {
  /** Store id: `<user_id>/<name>` (keypairs are per user, unique by name). */
  id: string;
  /** Nova's integer row id, shown by GET /os-keypairs/{name}. */
  seq: number;
  name: string;
  user_id: string;
  public_key: string;
  fingerprint: string;
  type: KeypairType;
  created_at: string;
}

export type ServerGroupPolicy = 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity';

export interface ServerGroupDoc {
  id: string;
  name: string;
  policy: ServerGroupPolicy;
  rules: Record<string, number>;
  members: string[];
  project_id: string;
  user_id: string;
  metadata: Record<string, string>;
}

/** The vm_state / task_state / power_state triple Nova exposes as OS-EXT-STS. */
export interface VmState {
  status: ServerStatus;
  vm_state: string;
  task_state: string | null;
  power_state: number;
}

export type ServerStatus =
  | 'BUILD'
  | 'ACTIVE'
  | 'SHUTOFF'
  | 'REBOOT'
  | 'HARD_REBOOT'
  | 'REBUILD'
  | 'RESIZE'
  | 'VERIFY_RESIZE'
  | 'REVERT_RESIZE'
  | 'PAUSED'
  | 'SUSPENDED'
  | 'SHELVED_OFFLOADED'
  | 'ERROR'
  | 'DELETED';

/** Lifecycle events delivered to onServerLifecycle listeners. */
export type ServerLifecycleEvent = 'active' | 'stopped' | 'deleted';

/** A state change that completes at `at` (epoch ms) — applied lazily on read. */
export interface PendingTransition {
  at: number;
  to: VmState;
  event?: ServerLifecycleEvent;
  /** Extra doc changes applied at completion (e.g. the flavor after a resize). */
  flavorId?: string;
  clearOldFlavor?: boolean;
}

export interface BlockDeviceMapping {
  volume_id: string;
  boot_index: number | null;
  delete_on_termination: boolean;
}

export interface ServerDoc {
  id: string;
  name: string;
  description: string | null;
  tenant_id: string;
  user_id: string;
  metadata: Record<string, string>;
  tags: string[];
  image_id: string;
  flavor_id: string;
  key_name: string | null;
  availability_zone: string;
  config_drive: string;
  access_ipv4: string;
  access_ipv6: string;
  disk_config: 'AUTO' | 'MANUAL';
  created: string;
  updated: string;
  launched_at: string | null;
  instance_name: string;
  host: string;
  reservation_id: string;
  hostname: string;
  locked: boolean;
  locked_reason: string | null;
  /** base64 user data exactly as the client sent it. */
  user_data: string | null;
  security_group_names: string[];
  server_group_id: string | null;
  state: VmState;
  _pending: PendingTransition | null;
  /** Set while a resize waits for confirmation: the flavor to go back to. */
  _old_flavor_id: string | null;
  /** Ports Nova created for this server (deleted on server delete); others are only unbound. */
  _nova_ports: string[];
  _bdm: BlockDeviceMapping[];
  /** When a delete was accepted: the server answers DELETED until `_gone_at`, then 404. */
  _gone_at: number | null;
}

/** Per-project quota overrides (`compute.quota`, id = project id). */
export interface ComputeQuotaDoc {
  id: string;
  limits: Partial<Record<ComputeQuotaResource, number>>;
}

export const COMPUTE_QUOTA_DEFAULTS = {
  cores: 20,
  fixed_ips: -1,
  floating_ips: -1,
  injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255,
  injected_files: 5,
  instances: 10,
  key_pairs: 100,
  metadata_items: 128,
  ram: 51200,
  security_group_rules: -1,
  security_groups: -1,
  server_group_members: 10,
  server_groups: 10,
} as const;

export type ComputeQuotaResource = keyof typeof COMPUTE_QUOTA_DEFAULTS;

export const COMPUTE_QUOTA_RESOURCES = Object.keys(COMPUTE_QUOTA_DEFAULTS) as ComputeQuotaResource[];

/** Monotonic counters (instance names, keypair row ids) kept in `compute.counter`. */
export interface CounterDoc {
  id: string;
  value: number;
}

export const AVAILABILITY_ZONE = 'nova';
export const COMPUTE_HOST = 'sandbox';

/** The next value of a named counter (instance and keypair sequence numbers), inside the caller's transaction. */
export function nextCounter(ctx: SandboxContext, name: string): number {
  const doc = ctx.store.get<CounterDoc>(KIND.counter, name);
  const value = (doc?.value ?? 0) + 1;
  if (doc) ctx.store.update(KIND.counter, { id: name, value });
  else ctx.store.insert(KIND.counter, { id: name, value }, null);
  return value;
}
