/**
 * The contract every sandbox service codes against: the context a service gets
 * (store, clock, ids, auth) and the shape of a service module.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FloatingRange } from './floating-range';
import type { Store } from './store';

export type ServiceType =
  'identity' | 'compute' | 'network' | 'volumev3' | 'image' | 'object-store' | 'load-balancer' | 'dns' | 'key-manager';

export interface AuthInfo {
  tokenId: string;
  userId: string;
  userName: string;
  projectId: string;
  projectName: string;
  domainId: string;
  roles: string[];
  isAdmin: boolean;
  expiresAt: string;
}

export type ErrorStyle =
  'keystone' | 'nova' | 'neutron' | 'cinder' | 'glance' | 'swift' | 'octavia' | 'designate' | 'barbican';

export interface SandboxContext {
  store: Store;
  /** Single clock (tests may freeze it). */
  now(): Date;
  /** crypto.randomUUID() */
  newId(): string;
  /** e.g. http://127.0.0.1:8800 (no trailing slash) */
  publicUrl: string;
  /** Async status transitions (BUILD→ACTIVE, creating→available...), default 300, 0 allowed. */
  statusDelayMs: number;
  /** Validates X-Auth-Token (unknown/expired/revoked → 401 in that service's style); throws SandboxHttpError. */
  authenticate(req: FastifyRequest, style: ErrorStyle): AuthInfo;
  projectName(projectId: string): string | undefined;
  log: (line: string) => void;
  /** Where the external network `public` hands out floating IPs (see core/floating-range.ts). */
  floatingRange: FloatingRange;
}

export interface SandboxService {
  type: ServiceType;
  /** Catalog name: keystone, nova, neutron, cinderv3, glance, swift, octavia, designate, barbican. */
  name: string;
  /** /identity, /compute, /networking, /volume, /image, /object-store, /load-balancer, /dns */
  prefix: string;
  /** Path in the catalog URL: /identity/v3, /compute/v2.1, /networking, /volume/v3/<project_id>, /image, /object-store/v1/AUTH_<project_id> */
  endpointPath(projectId: string): string;
  /** Called inside app.register(plugin, { prefix }). */
  register(app: FastifyInstance, ctx: SandboxContext): void | Promise<void>;
  /** Runs once on an empty database, inside a transaction. */
  seed?(ctx: SandboxContext): void;
}
