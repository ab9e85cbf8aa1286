/**
 * Keystone's records as the sandbox stores them, and the small rules they share:
 * ids, secret hashes, timestamps, the implied-role chain.
 */
import type { SandboxLogins } from '../../core/logins';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SandboxService } from '../../core/context';
import type { TokenRegistry } from '../../core/tokens';

export const IDENTITY_KINDS = {
  domain: 'identity.domain',
  project: 'identity.project',
  user: 'identity.user',
  role: 'identity.role',
  assignment: 'identity.role_assignment',
  service: 'identity.service',
  endpoint: 'identity.endpoint',
  region: 'identity.region',
  appCredential: 'identity.app_credential',
  /** Role grants other than a user's on a project: groups, domains, the system. */
  grant: 'identity.grant',
  group: 'identity.group',
  membership: 'identity.group_membership',
  policy: 'identity.policy',
  trust: 'identity.trust',
  implied: 'identity.implied_role',
  /** One-time steps a database has had (e.g. the default inference rules). */
  marker: 'identity.marker',
} as const;

export const K = IDENTITY_KINDS;
export const DEFAULT_REGION = 'RegionOne';
export const INTERFACES = ['public', 'internal', 'admin'] as const;

export interface DomainDoc {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  tags: string[];
  options: Record<string, unknown>;
}

export interface ProjectDoc {
  id: string;
  name: string;
  domain_id: string;
  description: string;
  enabled: boolean;
  parent_id: string;
  is_domain: boolean;
  tags: string[];
  options: Record<string, unknown>;
}

export interface UserDoc {
  id: string;
  name: string;
  domain_id: string;
  enabled: boolean;
  default_project_id?: string;
  description?: string;
  email?: string;
  password_expires_at: null;
  options: Record<string, unknown>;
  _salt: string;
  _passwordHash: string;
}

export interface RoleDoc {
  id: string;
  name: string;
  domain_id: string | null;
  description: string | null;
  options: Record<string, unknown>;
}

export interface AssignmentDoc {
  id: string;
  user_id: string;
  project_id: string;
  role_id: string;
}

export interface ServiceDoc {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  description?: string;
}

export interface EndpointDoc {
  id: string;
  interface: string;
  region_id: string | null;
  service_id: string;
  /** Path below the public URL; may hold %(project_id)s. Built-in services only. */
  _path: string;
  /** The absolute URL an administrator gave (may hold %(project_id)s); wins over _path. */
  _url?: string;
  enabled: boolean;
  region: string | null;
}

export interface RegionDoc {
  id: string;
  description: string;
  parent_region_id: string | null;
}

/** Who holds a grant (a user or a group) on what (a project, a domain or the whole system). */
export interface GrantDoc {
  id: string;
  actor: 'user' | 'group';
  actor_id: string;
  target: 'project' | 'domain' | 'system';
  /** The project or domain id; 'all' for the system. */
  target_id: string;
  role_id: string;
}

export interface GroupDoc {
  id: string;
  name: string;
  domain_id: string;
  description: string;
}

export interface MembershipDoc {
  /** `<group id>:<user id>` */
  id: string;
  group_id: string;
  user_id: string;
}

export interface PolicyDoc {
  id: string;
  type: string;
  blob: string;
  /** Keystone keeps every other attribute of the body and answers it back. */
  extra: Record<string, unknown>;
}

export interface TrustDoc {
  id: string;
  trustor_user_id: string;
  trustee_user_id: string;
  project_id: string | null;
  impersonation: boolean;
  expires_at: string | null;
  remaining_uses: number | null;
  role_ids: string[];
  redelegated_trust_id: string | null;
  redelegation_count: number;
}

export interface AppCredentialDoc {
  id: string;
  name: string;
  description: string | null;
  user_id: string;
  project_id: string;
  roles: { id: string; name: string; domain_id: null }[];
  expires_at: string | null;
  unrestricted: boolean;
  access_rules: unknown[];
  _secretHash: string;
}

export interface IdentityOptions {
  tokens: TokenRegistry;
  tokenTtlSeconds: number;
  /** Passwords of the seeded users admin and demo (core/logins.ts). */
  logins: SandboxLogins;
  /** Every service the server mounts, for the catalog (read at seed time). */
  services: () => readonly SandboxService[];
}

/** Keystone ids are 32 hex characters, not dashed UUIDs. */
export function keystoneId(): string {
  return randomBytes(16).toString('hex');
}

export function hashSecret(salt: string, secret: string): string {
  return createHash('sha256').update(salt).update('\0').update(secret).digest('hex');
}

export function secretMatches(salt: string, secret: string, expectedHex: string): boolean {
  const a = Buffer.from(hashSecret(salt, secret), 'hex');
  const b = Buffer.from(expectedHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Keystone's timestamp format: microseconds and a Z. */
export function keystoneTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function strip<T extends object>(doc: T): Omit<T, `_${string}`> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!k.startsWith('_')) out[k] = v;
  return out as Omit<T, `_${string}`>;
}

/** The inference rules keystone-manage bootstrap makes (admin ⇒ member ⇒ reader), by role name. */
export const DEFAULT_INFERENCES: readonly (readonly [string, string])[] = [
  ['admin', 'member'],
  ['member', 'reader'],
];

/** An inference rule: holding the prior role implies the other. */
export interface ImpliedRoleDoc {
  /** `<prior role id>:<implied role id>` */
  id: string;
  prior_role_id: string;
  implied_role_id: string;
}

export function roleOrder(role: string): number {
  // The order real Keystone lists a token's roles in (see real-zed/token-issue.json).
  const i = ['admin', 'reader', 'member'].indexOf(role);
  return i === -1 ? 99 : i;
}
