/**
 * Keystone tokens: issued by the identity service, checked by every service
 * through ctx.authenticate. Only a SHA-256 of the token is stored; a small
 * in-memory cache keeps the per-request check off SQLite.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AuthInfo } from './context';
import type { Store } from './store';

export const TOKEN_KIND = 'identity.token';

/** What is stored per token (id = sha256 of the token). */
export interface TokenRecord {
  id: string;
  userId: string;
  userName: string;
  userDomainId: string;
  /** Absent for an unscoped token. */
  projectId?: string;
  projectName?: string;
  projectDomainId?: string;
  roles: { id: string; name: string }[];
  methods: string[];
  issuedAt: string;
  expiresAt: string;
  auditId: string;
  /** Set when issued with an application credential. */
  applicationCredentialId?: string;
  revoked: boolean;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Looks like a Fernet token (gAAAAA…), which is what clients expect to see. */
export function newTokenString(): string {
  return `gAAAAAB${randomBytes(132).toString('base64url')}`;
}

/** Twenty-two url-safe characters, the size of a Keystone audit id. */
export function newAuditId(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

export type TokenCheck = { ok: true; record: TokenRecord } | { ok: false; reason: 'unknown' | 'expired' | 'revoked' };

interface Cached {
  record: TokenRecord;
  expiresMs: number;
}

const CACHE_LIMIT = 10_000;

export class TokenRegistry {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
  ) {}

  save(token: string, record: TokenRecord): void {
    this.store.insert(TOKEN_KIND, record, record.projectId ?? null);
    this.remember(token, record);
  }

  check(token: string): TokenCheck {
    let cached = this.cache.get(token);
    if (cached === undefined) {
      const record = this.store.get<TokenRecord>(TOKEN_KIND, hashToken(token));
      if (record === undefined) return { ok: false, reason: 'unknown' };
      cached = this.remember(token, record);
    }
    if (cached.record.revoked) return { ok: false, reason: 'revoked' };
    if (this.now().getTime() >= cached.expiresMs) return { ok: false, reason: 'expired' };
    return { ok: true, record: cached.record };
  }

  revoke(token: string): boolean {
    const record = this.store.get<TokenRecord>(TOKEN_KIND, hashToken(token));
    this.cache.delete(token);
    if (record === undefined || record.revoked) return false;
    this.store.update(TOKEN_KIND, { ...record, revoked: true });
    return true;
  }

  /** Revokes every token matching a predicate (user or project deleted, app credential deleted). */
  revokeWhere(predicate: (r: TokenRecord) => boolean): void {
    for (const r of this.store.list<TokenRecord>(TOKEN_KIND)) {
      if (!r.revoked && predicate(r)) this.store.update(TOKEN_KIND, { ...r, revoked: true });
    }
    this.cache.clear();
  }

  /** Drops expired tokens from the database (called at start-up). */
  purgeExpired(): number {
    const nowMs = this.now().getTime();
    let n = 0;
    for (const r of this.store.list<TokenRecord>(TOKEN_KIND)) {
      if (Date.parse(r.expiresAt) <= nowMs) n += this.store.delete(TOKEN_KIND, r.id) ? 1 : 0;
    }
    return n;
  }

  forget(): void {
    this.cache.clear();
  }

  private remember(token: string, record: TokenRecord): Cached {
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    const cached = { record, expiresMs: Date.parse(record.expiresAt) };
    this.cache.set(token, cached);
    return cached;
  }
}

export function authInfoOf(token: string, r: TokenRecord): AuthInfo {
  const roles = r.roles.map((x) => x.name);
  return {
    tokenId: token,
    userId: r.userId,
    userName: r.userName,
    projectId: r.projectId ?? '',
    projectName: r.projectName ?? '',
    domainId: r.projectDomainId ?? r.userDomainId,
    roles,
    isAdmin: roles.includes('admin'),
    expiresAt: r.expiresAt,
  };
}
