/** The identity a fresh sandbox starts with, and the catalog entry of every mounted service. */
import { randomBytes } from 'node:crypto';
import type { SandboxContext, SandboxService } from '../../core/context';
import type { SandboxLogins } from '../../core/logins';
import {
  DEFAULT_INFERENCES,
  DEFAULT_REGION,
  INTERFACES,
  K,
  hashSecret,
  keystoneId,
  type AssignmentDoc,
  type DomainDoc,
  type EndpointDoc,
  type ImpliedRoleDoc,
  type ProjectDoc,
  type RegionDoc,
  type RoleDoc,
  type ServiceDoc,
  type UserDoc,
} from './model';

/** The id of a seeded project by name ('admin', 'demo'), for other services' seeds. */
export function projectIdByName(ctx: SandboxContext, name: string, domainId = 'default'): string | undefined {
  return ctx.store.list<ProjectDoc>(K.project).find((p) => p.name === name && p.domain_id === domainId)?.id;
}

export function seedIdentity(ctx: SandboxContext, services: readonly SandboxService[], logins: SandboxLogins): void {
  const s = ctx.store;
  s.insert<DomainDoc>(
    K.domain,
    { id: 'default', name: 'Default', description: 'The default domain', enabled: true, tags: [], options: {} },
    null,
  );
  s.insert<RegionDoc>(K.region, { id: DEFAULT_REGION, description: '', parent_region_id: null }, null);
  const roles: Record<string, RoleDoc> = {};
  for (const name of ['reader', 'member', 'admin', 'service']) {
    roles[name] = s.insert<RoleDoc>(
      K.role,
      {
        id: keystoneId(),
        name,
        domain_id: null,
        description: null,
        options: name === 'service' ? {} : { immutable: true },
      },
      null,
    );
  }
  const project = (name: string, description: string): ProjectDoc => {
    const id = keystoneId();
    return s.insert<ProjectDoc>(
      K.project,
      {
        id,
        name,
        domain_id: 'default',
        description,
        enabled: true,
        parent_id: 'default',
        is_domain: false,
        tags: [],
        options: {},
      },
      id,
    );
  };
  const admin = project('admin', 'Bootstrap project for initializing the cloud.');
  project('service', '');
  const demo = project('demo', '');
  const user = (name: string, password: string, defaultProject?: string): UserDoc => {
    const salt = randomBytes(8).toString('hex');
    const doc: UserDoc = {
      id: keystoneId(),
      name,
      domain_id: 'default',
      enabled: true,
      password_expires_at: null,
      options: {},
      _salt: salt,
      _passwordHash: hashSecret(salt, password),
    };
    if (defaultProject !== undefined) doc.default_project_id = defaultProject;
    return s.insert<UserDoc>(K.user, doc, null);
  };
  const assign = (u: UserDoc, p: ProjectDoc, r: RoleDoc | undefined): void => {
    if (r === undefined) return;
    s.insert<AssignmentDoc>(
      K.assignment,
      { id: `${u.id}:${p.id}:${r.id}`, user_id: u.id, project_id: p.id, role_id: r.id },
      p.id,
    );
  };
  const adminUser = user('admin', logins.admin);
  const demoUser = user('demo', logins.demo, demo.id);
  assign(adminUser, admin, roles.admin);
  assign(demoUser, demo, roles.member);
  ensureImpliedRoles(ctx);
  ensureCatalogEntries(ctx, services);
}

const INFERENCES_MARKER = 'default-inferences';

/**
 * Makes the default inference rules (admin ⇒ member ⇒ reader) once per
 * database: at seed time, and for a database seeded before the rules were
 * stored (its tokens must keep listing the implied roles). An administrator
 * may delete them later; they do not come back.
 */
export function ensureImpliedRoles(ctx: SandboxContext): void {
  const s = ctx.store;
  if (s.get(K.marker, INFERENCES_MARKER) !== undefined) return;
  const global = s.list<RoleDoc>(K.role).filter((r) => r.domain_id === null);
  if (global.length === 0) return; // identity not seeded yet
  for (const [prior, implied] of DEFAULT_INFERENCES) {
    const p = global.find((r) => r.name === prior);
    const i = global.find((r) => r.name === implied);
    if (p === undefined || i === undefined) continue;
    const id = `${p.id}:${i.id}`;
    if (s.get(K.implied, id) === undefined)
      s.insert<ImpliedRoleDoc>(K.implied, { id, prior_role_id: p.id, implied_role_id: i.id }, null);
  }
  s.insert(K.marker, { id: INFERENCES_MARKER }, null);
}

/**
 * A data directory seeded before its users had random passwords (admin/admin,
 * demo/demo) gets the new ones; the old users' tokens stop working.
 */
export function adoptLogins(ctx: SandboxContext, logins: SandboxLogins, revoke: (userIds: Set<string>) => void): void {
  const users = ctx.store.list<UserDoc>(K.user).filter((u) => u.domain_id === 'default');
  const changed = new Set<string>();
  for (const name of ['admin', 'demo'] as const) {
    const u = users.find((x) => x.name === name);
    if (u === undefined) continue;
    ctx.store.update<UserDoc>(K.user, { ...u, _passwordHash: hashSecret(u._salt, logins[name]) });
    changed.add(u.id);
  }
  revoke(changed);
}

/**
 * Gives every mounted service its catalog entry (service + public/internal/admin
 * endpoints) if it has none yet: runs at every start, so a database seeded
 * before a service existed still lists it.
 */
export function ensureCatalogEntries(ctx: SandboxContext, services: readonly SandboxService[]): void {
  const s = ctx.store;
  const known = new Set(s.list<ServiceDoc>(K.service).map((x) => x.type));
  if (s.get(K.region, DEFAULT_REGION) === undefined) return; // identity not seeded yet
  for (const svc of services) {
    if (known.has(svc.type)) continue;
    const doc = s.insert<ServiceDoc>(
      K.service,
      { id: keystoneId(), name: svc.name, type: svc.type, enabled: true },
      null,
    );
    for (const iface of INTERFACES) {
      s.insert<EndpointDoc>(
        K.endpoint,
        {
          id: keystoneId(),
          interface: iface,
          region_id: DEFAULT_REGION,
          service_id: doc.id,
          _path: svc.endpointPath('%(project_id)s'),
          enabled: true,
          region: DEFAULT_REGION,
        },
        null,
      );
    }
  }
}
