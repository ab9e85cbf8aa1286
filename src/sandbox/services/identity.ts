/**
 * Identity v3 (Keystone): password, token and application-credential auth,
 * token validate/revoke, the service catalog, domains, projects, users, roles,
 * role assignments, application credentials, services, endpoints and regions.
 * Shapes follow real-zed (token-issue.json and responses.json.gz).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthInfo, SandboxContext, SandboxService } from '../core/context';
import { KEYSTONE_BOOLEAN, parseBoolean } from '../core/booleans';
import { SandboxHttpError, errorShorthands, keystoneError } from '../core/errors';
import { firstValue, rawQuery } from '../core/request';
import { type TokenRecord, type TokenRegistry, newAuditId, newTokenString } from '../core/tokens';

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
} as const;

const K = IDENTITY_KINDS;
export const DEFAULT_REGION = 'RegionOne';
const INTERFACES = ['public', 'internal', 'admin'] as const;

interface DomainDoc {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  tags: string[];
  options: Record<string, unknown>;
}

interface ProjectDoc {
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

interface UserDoc {
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

interface RoleDoc {
  id: string;
  name: string;
  domain_id: string | null;
  description: string | null;
  options: Record<string, unknown>;
}

interface AssignmentDoc {
  id: string;
  user_id: string;
  project_id: string;
  role_id: string;
}

interface ServiceDoc {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  description?: string;
}

interface EndpointDoc {
  id: string;
  interface: string;
  region_id: string;
  service_id: string;
  /** Path below the public URL; may hold %(project_id)s. */
  _path: string;
  enabled: boolean;
  region: string;
}

interface RegionDoc {
  id: string;
  description: string;
  parent_region_id: string | null;
}

interface AppCredentialDoc {
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
  /** Every service the server mounts, for the catalog (read at seed time). */
  services: () => readonly SandboxService[];
}

/** Keystone ids are 32 hex characters, not dashed UUIDs. */
function keystoneId(): string {
  return randomBytes(16).toString('hex');
}

function hashSecret(salt: string, secret: string): string {
  return createHash('sha256').update(salt).update('\0').update(secret).digest('hex');
}

function secretMatches(salt: string, secret: string, expectedHex: string): boolean {
  const a = Buffer.from(hashSecret(salt, secret), 'hex');
  const b = Buffer.from(expectedHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Keystone's timestamp format: microseconds and a Z. */
export function keystoneTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function strip<T extends object>(doc: T): Omit<T, `_${string}`> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!k.startsWith('_')) out[k] = v;
  return out as Omit<T, `_${string}`>;
}

const unauthorized = (): SandboxHttpError =>
  keystoneError(401, 'Unauthorized', 'The request you have made requires authentication.');
const keystone = errorShorthands('keystone');
const forbidden = (action: string): SandboxHttpError =>
  keystone.forbidden(`You are not authorized to perform the requested action: identity:${action}.`);
const notFound = (what: string, id: string): SandboxHttpError => keystone.notFound(`Could not find ${what}: ${id}.`);
const { badRequest } = keystone;

/** Roles a role implies, as Keystone's default implied-role chain does (admin ⇒ member ⇒ reader). */
const IMPLIES: Record<string, string[]> = { admin: ['member'], member: ['reader'] };

type Body = Record<string, unknown>;

function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireObject(v: unknown, where: string): Body {
  if (!isObject(v)) throw badRequest(`'${where}' is a required property`);
  return v;
}

function optionalString(body: Body, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw badRequest(`Invalid input for field '${key}': ${JSON.stringify(v)} is not of type 'string'`);
  return v;
}

function optionalBoolean(body: Body, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean')
    throw badRequest(`Invalid input for field '${key}': ${JSON.stringify(v)} is not of type 'boolean'`);
  return v;
}

export function createIdentityService(opts: IdentityOptions): SandboxService {
  return {
    type: 'identity',
    name: 'keystone',
    prefix: '/identity',
    endpointPath: () => '/identity/v3/',
    seed: (ctx) => seedIdentity(ctx, opts.services()),
    register: (app, ctx) => registerIdentity(app, ctx, opts),
  };
}

/** The id of a seeded project by name ('admin', 'demo'), for other services' seeds. */
export function projectIdByName(ctx: SandboxContext, name: string, domainId = 'default'): string | undefined {
  return ctx.store.list<ProjectDoc>(K.project).find((p) => p.name === name && p.domain_id === domainId)?.id;
}

function seedIdentity(ctx: SandboxContext, services: readonly SandboxService[]): void {
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
  const adminUser = user('admin', 'admin');
  const demoUser = user('demo', 'demo', demo.id);
  assign(adminUser, admin, roles.admin);
  assign(demoUser, demo, roles.member);
  ensureCatalogEntries(ctx, services);
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

function registerIdentity(app: FastifyInstance, ctx: SandboxContext, opts: IdentityOptions): void {
  const { store } = ctx;
  const base = (): string => `${ctx.publicUrl}/identity/v3`;
  const self = (collection: string, id: string): { self: string } => ({ self: `${base()}/${collection}/${id}` });
  const listLinks = (req: FastifyRequest): { next: null; self: string; previous: null } => ({
    next: null,
    self: `${ctx.publicUrl}${req.url.split('?')[0] ?? ''}`,
    previous: null,
  });
  const auth = (req: FastifyRequest): AuthInfo => ctx.authenticate(req, 'keystone');
  const requireAdmin = (req: FastifyRequest, action: string): AuthInfo => {
    const a = auth(req);
    if (!a.isAdmin) throw forbidden(action);
    return a;
  };
  const q1 = (req: FastifyRequest, key: string): string | undefined => firstValue(rawQuery(req)[key]);
  const params = (req: FastifyRequest): Record<string, string> => req.params as Record<string, string>;

  const domainView = (d: DomainDoc) => ({ ...d, links: self('domains', d.id) });
  const projectView = (p: ProjectDoc) => ({ ...p, links: self('projects', p.id) });
  const userView = (u: UserDoc) => ({ ...strip(u), links: self('users', u.id) });
  const roleView = (r: RoleDoc) => ({ ...r, links: self('roles', r.id) });
  const serviceView = (s: ServiceDoc) => ({ ...s, links: self('services', s.id) });
  const endpointUrl = (e: EndpointDoc, projectId: string | undefined): string =>
    `${ctx.publicUrl}${projectId === undefined ? e._path : e._path.replace('%(project_id)s', projectId)}`;
  const endpointView = (e: EndpointDoc) => ({
    id: e.id,
    interface: e.interface,
    region_id: e.region_id,
    service_id: e.service_id,
    url: endpointUrl(e, undefined),
    enabled: e.enabled,
    region: e.region,
    links: self('endpoints', e.id),
  });
  const regionView = (r: RegionDoc) => ({ ...r, links: self('regions', r.id) });
  const appCredView = (c: AppCredentialDoc) => ({
    ...strip(c),
    links: self(`users/${c.user_id}/application_credentials`, c.id),
  });

  const domainByRef = (ref: Body | undefined): DomainDoc | undefined => {
    if (ref === undefined) return undefined;
    const id = optionalString(ref, 'id');
    if (id !== undefined) return store.get<DomainDoc>(K.domain, id);
    const name = optionalString(ref, 'name');
    if (name !== undefined) return store.list<DomainDoc>(K.domain).find((d) => d.name === name);
    return undefined;
  };

  const effectiveRoles = (userId: string, projectId: string): { id: string; name: string }[] => {
    const direct = store.list<AssignmentDoc>(K.assignment, { projectId }).filter((a) => a.user_id === userId);
    const all = store.list<RoleDoc>(K.role);
    const names = new Set<string>();
    const add = (name: string): void => {
      if (names.has(name)) return;
      names.add(name);
      for (const implied of IMPLIES[name] ?? []) add(implied);
    };
    for (const a of direct) {
      const r = all.find((x) => x.id === a.role_id);
      if (r !== undefined) add(r.name);
    }
    return all
      .filter((r) => names.has(r.name))
      .sort((a, b) => order(a.name) - order(b.name))
      .map((r) => ({ id: r.id, name: r.name }));
  };

  const catalogCache = new Map<string, unknown[]>();
  const catalogFor = (projectId: string): unknown[] => {
    const hit = catalogCache.get(projectId);
    if (hit !== undefined) return hit;
    const endpoints = store.list<EndpointDoc>(K.endpoint);
    const catalog = store
      .list<ServiceDoc>(K.service)
      .filter((s) => s.enabled)
      .map((s) => ({
        endpoints: endpoints
          .filter((e) => e.service_id === s.id && e.enabled)
          .map((e) => ({
            id: e.id,
            interface: e.interface,
            region_id: e.region_id,
            url: endpointUrl(e, projectId),
            region: e.region,
          })),
        id: s.id,
        type: s.type,
        name: s.name,
      }));
    catalogCache.set(projectId, catalog);
    return catalog;
  };

  const tokenBody = (r: TokenRecord, withCatalog: boolean): Body => {
    const userDomain = store.get<DomainDoc>(K.domain, r.userDomainId);
    const token: Body = {
      methods: r.methods,
      user: {
        domain: { id: r.userDomainId, name: userDomain?.name ?? r.userDomainId },
        id: r.userId,
        name: r.userName,
        password_expires_at: null,
      },
      audit_ids: [r.auditId],
      expires_at: r.expiresAt,
      issued_at: r.issuedAt,
    };
    if (r.projectId !== undefined) {
      const pd = store.get<DomainDoc>(K.domain, r.projectDomainId ?? 'default');
      token.project = {
        domain: { id: pd?.id ?? 'default', name: pd?.name ?? 'Default' },
        id: r.projectId,
        name: r.projectName,
      };
      token.is_domain = false;
      token.roles = r.roles;
      if (withCatalog) token.catalog = catalogFor(r.projectId);
    }
    if (r.applicationCredentialId !== undefined) {
      const c = store.get<AppCredentialDoc>(K.appCredential, r.applicationCredentialId);
      token.application_credential = {
        id: r.applicationCredentialId,
        name: c?.name ?? '',
        restricted: !(c?.unrestricted ?? false),
      };
    }
    return { token };
  };

  const findUser = (ref: Body): UserDoc | undefined => {
    const id = optionalString(ref, 'id');
    if (id !== undefined) return store.get<UserDoc>(K.user, id);
    const name = optionalString(ref, 'name');
    if (name === undefined)
      throw badRequest(
        "Expecting to find 'id' or 'name' in user - the server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.",
      );
    const domain = domainByRef(isObject(ref.domain) ? ref.domain : undefined);
    if (domain === undefined) return undefined;
    return store.list<UserDoc>(K.user).find((u) => u.name === name && u.domain_id === domain.id);
  };

  const scopeProject = (scope: Body): ProjectDoc => {
    const p = requireObject(scope.project, 'project');
    const id = optionalString(p, 'id');
    let project: ProjectDoc | undefined;
    if (id !== undefined) project = store.get<ProjectDoc>(K.project, id);
    else {
      const name = optionalString(p, 'name');
      const domain = domainByRef(isObject(p.domain) ? p.domain : undefined);
      if (name === undefined || domain === undefined)
        throw badRequest('Expecting to find id or name and domain in project.');
      project = store.list<ProjectDoc>(K.project).find((x) => x.name === name && x.domain_id === domain.id);
    }
    if (project === undefined || !project.enabled) throw unauthorized();
    return project;
  };

  const issue = (req: FastifyRequest): { token: string; record: TokenRecord } => {
    const body = requireObject(req.body, 'auth');
    const authBody = requireObject(body.auth, 'auth');
    const identity = requireObject(authBody.identity, 'identity');
    const methods = identity.methods;
    if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => typeof m === 'string'))
      throw badRequest("'methods' is a required property");
    const method = methods[0] as string;
    const now = ctx.now();
    let expires = new Date(now.getTime() + opts.tokenTtlSeconds * 1000);
    let user: UserDoc | undefined;
    let project: ProjectDoc | undefined;
    let roles: { id: string; name: string }[] | undefined;
    let appCred: AppCredentialDoc | undefined;
    let auditId = newAuditId();
    switch (method) {
      case 'password': {
        const pw = requireObject(identity.password, 'password');
        const u = requireObject(pw.user, 'user');
        const password = optionalString(u, 'password');
        user = findUser(u);
        if (
          user === undefined ||
          password === undefined ||
          !user.enabled ||
          !secretMatches(user._salt, password, user._passwordHash)
        )
          throw unauthorized();
        break;
      }
      case 'token': {
        const t = requireObject(identity.token, 'token');
        const existing = optionalString(t, 'id');
        if (existing === undefined) throw badRequest("'id' is a required property");
        const checked = opts.tokens.check(existing);
        if (!checked.ok) throw unauthorized();
        user = store.get<UserDoc>(K.user, checked.record.userId);
        expires = new Date(checked.record.expiresAt);
        auditId = checked.record.auditId;
        if (checked.record.applicationCredentialId !== undefined)
          throw forbidden('rescope_application_credential_token');
        break;
      }
      case 'application_credential': {
        const c = requireObject(identity.application_credential, 'application_credential');
        const secret = optionalString(c, 'secret');
        const id = optionalString(c, 'id');
        if (id !== undefined) appCred = store.get<AppCredentialDoc>(K.appCredential, id);
        else {
          const name = optionalString(c, 'name');
          const owner = isObject(c.user) ? findUser(c.user) : undefined;
          if (name === undefined || owner === undefined) throw unauthorized();
          appCred = store
            .list<AppCredentialDoc>(K.appCredential)
            .find((x) => x.name === name && x.user_id === owner.id);
        }
        if (appCred === undefined || secret === undefined || !secretMatches(appCred.id, secret, appCred._secretHash))
          throw unauthorized();
        if (appCred.expires_at !== null && Date.parse(appCred.expires_at) <= now.getTime()) throw unauthorized();
        if (authBody.scope !== undefined) throw unauthorized();
        user = store.get<UserDoc>(K.user, appCred.user_id);
        project = store.get<ProjectDoc>(K.project, appCred.project_id);
        if (project === undefined) throw unauthorized();
        const granted = new Set(effectiveRoles(appCred.user_id, appCred.project_id).map((r) => r.id));
        roles = appCred.roles.filter((r) => granted.has(r.id)).map((r) => ({ id: r.id, name: r.name }));
        if (appCred.expires_at !== null && Date.parse(appCred.expires_at) < expires.getTime())
          expires = new Date(appCred.expires_at);
        break;
      }
      default:
        throw unauthorized();
    }
    if (user === undefined || !user.enabled) throw unauthorized();
    if (appCred === undefined) {
      const scope = authBody.scope;
      if (scope !== undefined && scope !== 'unscoped') {
        const sc = requireObject(scope, 'scope');
        if (sc.project === undefined) throw unauthorized(); // domain and system scope: no role grants on them in the sandbox
        project = scopeProject(sc);
      } else if (scope === undefined && user.default_project_id !== undefined) {
        // Keystone scopes a scope-less request to the user's default project when they have a role there.
        const p = store.get<ProjectDoc>(K.project, user.default_project_id);
        if (p !== undefined && p.enabled && effectiveRoles(user.id, p.id).length > 0) project = p;
      }
      if (project !== undefined) {
        roles = effectiveRoles(user.id, project.id);
        if (roles.length === 0) throw unauthorized();
      }
    }
    const record: TokenRecord = {
      id: '',
      userId: user.id,
      userName: user.name,
      userDomainId: user.domain_id,
      roles: roles ?? [],
      methods: methods as string[],
      issuedAt: keystoneTime(now),
      expiresAt: keystoneTime(expires),
      auditId,
      revoked: false,
    };
    if (project !== undefined) {
      record.projectId = project.id;
      record.projectName = project.name;
      record.projectDomainId = project.domain_id;
    }
    if (appCred !== undefined) record.applicationCredentialId = appCred.id;
    const token = newTokenString();
    record.id = createHash('sha256').update(token).digest('hex');
    store.transaction(() => opts.tokens.save(token, record));
    return { token, record };
  };

  /** The X-Subject-Token; the caller must authenticate unless `selfRevoke` (a token may revoke itself). */
  const subject = (req: FastifyRequest, selfRevoke = false): { token: string; record: TokenRecord } => {
    if (!selfRevoke || req.headers['x-auth-token'] !== undefined) auth(req);
    const raw = req.headers['x-subject-token'];
    const token = Array.isArray(raw) ? raw[0] : raw;
    if (token === undefined || token === '') throw keystoneError(404, 'Not Found', 'Could not find token: .');
    const checked = opts.tokens.check(token);
    if (!checked.ok) throw keystoneError(404, 'Not Found', `Could not find token: ${token}.`);
    return { token, record: checked.record };
  };

  const versionDoc = () => ({
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${base()}/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  });
  app.get('/', async (_req, reply) => reply.code(300).send({ versions: { values: [versionDoc()] } }));
  app.get('/v3', async () => ({ version: versionDoc() }));
  app.get('/v3/', async () => ({ version: versionDoc() }));

  // --- tokens ---
  app.post('/v3/auth/tokens', async (req, reply) => {
    const { token, record } = issue(req);
    reply.code(201).header('x-subject-token', token).header('vary', 'X-Auth-Token');
    return tokenBody(record, q1(req, 'nocatalog') === undefined);
  });
  // HEAD before GET: Fastify only derives a HEAD route from a GET when none exists.
  app.head('/v3/auth/tokens', async (req, reply) => {
    const { token } = subject(req);
    return reply.code(200).header('x-subject-token', token).send();
  });
  app.get('/v3/auth/tokens', async (req, reply) => {
    const { token, record } = subject(req);
    reply.header('x-subject-token', token).header('vary', 'X-Auth-Token');
    return tokenBody(record, q1(req, 'nocatalog') === undefined);
  });
  app.delete('/v3/auth/tokens', async (req, reply) => {
    // Keystone: "An additional X-Auth-Token is not required" to revoke.
    const { token } = subject(req, true);
    store.transaction(() => opts.tokens.revoke(token));
    return reply.code(204).send();
  });
  app.get('/v3/auth/catalog', async (req) => {
    const a = auth(req);
    if (a.projectId === '') throw forbidden('get_auth_catalog');
    // Keystone's catalog links carry only self (real-zed).
    return { catalog: catalogFor(a.projectId), links: { self: `${ctx.publicUrl}${req.url.split('?')[0] ?? ''}` } };
  });
  const projectsOf = (userId: string): ProjectDoc[] => {
    const ids = new Set(
      store
        .list<AssignmentDoc>(K.assignment)
        .filter((x) => x.user_id === userId)
        .map((x) => x.project_id),
    );
    return store.list<ProjectDoc>(K.project).filter((p) => ids.has(p.id));
  };
  app.get('/v3/auth/projects', async (req) => {
    const a = auth(req);
    return {
      projects: projectsOf(a.userId)
        .filter((p) => p.enabled)
        .map(projectView),
      links: listLinks(req),
    };
  });
  app.get('/v3/auth/domains', async (req) => {
    auth(req);
    return { domains: [], links: listLinks(req) };
  });
  app.get('/v3/auth/system', async (req) => {
    auth(req);
    return { system: [], links: listLinks(req) };
  });

  // --- domains ---
  app.get('/v3/domains', async (req) => {
    const a = auth(req);
    const name = q1(req, 'name');
    const enabled = q1(req, 'enabled');
    const domains = store
      .list<DomainDoc>(K.domain)
      .filter((d) => a.isAdmin || d.id === a.domainId)
      .filter((d) => name === undefined || d.name === name)
      .filter((d) => enabled === undefined || d.enabled === parseBool(enabled));
    return { domains: domains.map(domainView), links: listLinks(req) };
  });
  app.get('/v3/domains/:id', async (req) => {
    const a = auth(req);
    const d = store.get<DomainDoc>(K.domain, params(req).id ?? '');
    if (d === undefined) throw notFound('domain', params(req).id ?? '');
    if (!a.isAdmin && d.id !== a.domainId) throw forbidden('get_domain');
    return { domain: domainView(d) };
  });

  // --- projects ---
  const visibleProject = (a: AuthInfo, p: ProjectDoc): boolean =>
    a.isAdmin || projectsOf(a.userId).some((x) => x.id === p.id);
  app.get('/v3/projects', async (req) => {
    const a = auth(req);
    const f = {
      name: q1(req, 'name'),
      domain: q1(req, 'domain_id'),
      parent: q1(req, 'parent_id'),
      enabled: q1(req, 'enabled'),
      isDomain: q1(req, 'is_domain'),
      tags: q1(req, 'tags'),
    };
    const projects = store
      .list<ProjectDoc>(K.project)
      .filter((p) => visibleProject(a, p))
      .filter((p) => f.name === undefined || p.name === f.name)
      .filter((p) => f.domain === undefined || p.domain_id === f.domain)
      .filter((p) => f.parent === undefined || p.parent_id === f.parent)
      .filter((p) => f.enabled === undefined || p.enabled === parseBool(f.enabled))
      .filter((p) => f.isDomain === undefined || p.is_domain === parseBool(f.isDomain))
      .filter((p) => f.tags === undefined || f.tags.split(',').every((t) => p.tags.includes(t)));
    return { projects: projects.map(projectView), links: listLinks(req) };
  });
  const projectOr404 = (id: string): ProjectDoc => {
    const p = store.get<ProjectDoc>(K.project, id);
    if (p === undefined) throw notFound('project', id);
    return p;
  };
  app.get('/v3/projects/:id', async (req) => {
    const a = auth(req);
    const p = projectOr404(params(req).id ?? '');
    if (!visibleProject(a, p)) throw forbidden('get_project');
    return { project: projectView(p) };
  });
  app.post('/v3/projects', async (req, reply) => {
    const a = requireAdmin(req, 'create_project');
    const body = requireObject(requireObject(req.body, 'project').project, 'project');
    const name = optionalString(body, 'name');
    if (name === undefined || name === '') throw badRequest("'name' is a required property");
    const domainId = optionalString(body, 'domain_id') ?? a.domainId;
    if (store.get<DomainDoc>(K.domain, domainId) === undefined) throw badRequest(`Could not find domain: ${domainId}.`);
    if (store.list<ProjectDoc>(K.project).some((p) => p.name === name && p.domain_id === domainId)) {
      throw keystoneError(
        409,
        'Conflict',
        `Conflict occurred attempting to store project - it is not permitted to have two projects with the same name in the same domain : ${name}.`,
      );
    }
    const id = keystoneId();
    const tags = Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : [];
    const doc: ProjectDoc = {
      id,
      name,
      domain_id: domainId,
      description: optionalString(body, 'description') ?? '',
      enabled: optionalBoolean(body, 'enabled') ?? true,
      parent_id: optionalString(body, 'parent_id') ?? domainId,
      is_domain: false,
      tags,
      options: {},
    };
    store.transaction(() => store.insert(K.project, doc, id));
    return reply.code(201).send({ project: projectView(doc) });
  });
  app.patch('/v3/projects/:id', async (req) => {
    requireAdmin(req, 'update_project');
    const p = projectOr404(params(req).id ?? '');
    const body = requireObject(requireObject(req.body, 'project').project, 'project');
    const name = optionalString(body, 'name');
    if (
      name !== undefined &&
      name !== p.name &&
      store.list<ProjectDoc>(K.project).some((x) => x.name === name && x.domain_id === p.domain_id)
    ) {
      throw keystoneError(
        409,
        'Conflict',
        `Conflict occurred attempting to store project - it is not permitted to have two projects with the same name in the same domain : ${name}.`,
      );
    }
    const next: ProjectDoc = {
      ...p,
      name: name ?? p.name,
      description: optionalString(body, 'description') ?? p.description,
      enabled: optionalBoolean(body, 'enabled') ?? p.enabled,
      tags: Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string') : p.tags,
    };
    store.transaction(() => {
      store.update(K.project, next);
      if (!next.enabled) opts.tokens.revokeWhere((r) => r.projectId === p.id);
    });
    return { project: projectView(next) };
  });
  app.delete('/v3/projects/:id', async (req, reply) => {
    requireAdmin(req, 'delete_project');
    const p = projectOr404(params(req).id ?? '');
    store.transaction(() => {
      for (const x of store.list<AssignmentDoc>(K.assignment, { projectId: p.id })) store.delete(K.assignment, x.id);
      store.delete(K.project, p.id);
      opts.tokens.revokeWhere((r) => r.projectId === p.id);
    });
    catalogCache.delete(p.id);
    return reply.code(204).send();
  });

  // --- users ---
  const userOr404 = (id: string): UserDoc => {
    const u = store.get<UserDoc>(K.user, id);
    if (u === undefined) throw notFound('user', id);
    return u;
  };
  app.get('/v3/users', async (req) => {
    const a = auth(req);
    const name = q1(req, 'name');
    const domain = q1(req, 'domain_id');
    const enabled = q1(req, 'enabled');
    const users = store
      .list<UserDoc>(K.user)
      .filter((u) => a.isAdmin || u.id === a.userId)
      .filter((u) => name === undefined || u.name === name)
      .filter((u) => domain === undefined || u.domain_id === domain)
      .filter((u) => enabled === undefined || u.enabled === parseBool(enabled));
    return { users: users.map(userView), links: listLinks(req) };
  });
  app.get('/v3/users/:id', async (req) => {
    const a = auth(req);
    const u = userOr404(params(req).id ?? '');
    if (!a.isAdmin && u.id !== a.userId) throw forbidden('get_user');
    return { user: userView(u) };
  });
  app.get('/v3/users/:id/projects', async (req) => {
    const a = auth(req);
    const u = userOr404(params(req).id ?? '');
    if (!a.isAdmin && u.id !== a.userId) throw forbidden('list_user_projects');
    return { projects: projectsOf(u.id).map(projectView), links: listLinks(req) };
  });
  app.post('/v3/users', async (req, reply) => {
    const a = requireAdmin(req, 'create_user');
    const body = requireObject(requireObject(req.body, 'user').user, 'user');
    const name = optionalString(body, 'name');
    if (name === undefined || name === '') throw badRequest("'name' is a required property");
    const domainId = optionalString(body, 'domain_id') ?? a.domainId;
    if (store.list<UserDoc>(K.user).some((u) => u.name === name && u.domain_id === domainId)) {
      throw keystoneError(
        409,
        'Conflict',
        `Conflict occurred attempting to store user - Duplicate entry found with name ${name} at domain ID ${domainId}.`,
      );
    }
    const salt = randomBytes(8).toString('hex');
    const doc: UserDoc = {
      id: keystoneId(),
      name,
      domain_id: domainId,
      enabled: optionalBoolean(body, 'enabled') ?? true,
      password_expires_at: null,
      options: {},
      _salt: salt,
      _passwordHash: hashSecret(salt, optionalString(body, 'password') ?? randomBytes(16).toString('hex')),
    };
    const dp = optionalString(body, 'default_project_id');
    if (dp !== undefined) doc.default_project_id = dp;
    const description = optionalString(body, 'description');
    if (description !== undefined) doc.description = description;
    const email = optionalString(body, 'email');
    if (email !== undefined) doc.email = email;
    store.transaction(() => store.insert(K.user, doc, null));
    return reply.code(201).send({ user: userView(doc) });
  });
  app.patch('/v3/users/:id', async (req) => {
    requireAdmin(req, 'update_user');
    const u = userOr404(params(req).id ?? '');
    const body = requireObject(requireObject(req.body, 'user').user, 'user');
    const next: UserDoc = {
      ...u,
      name: optionalString(body, 'name') ?? u.name,
      enabled: optionalBoolean(body, 'enabled') ?? u.enabled,
    };
    const dp = optionalString(body, 'default_project_id');
    if (dp !== undefined) next.default_project_id = dp;
    const description = optionalString(body, 'description');
    if (description !== undefined) next.description = description;
    const password = optionalString(body, 'password');
    if (password !== undefined) next._passwordHash = hashSecret(next._salt, password);
    store.transaction(() => {
      store.update(K.user, next);
      if (!next.enabled || password !== undefined) opts.tokens.revokeWhere((r) => r.userId === u.id);
    });
    return { user: userView(next) };
  });
  app.post('/v3/users/:id/password', async (req, reply) => {
    const a = auth(req);
    const u = userOr404(params(req).id ?? '');
    if (u.id !== a.userId) throw forbidden('change_password');
    const body = requireObject(requireObject(req.body, 'user').user, 'user');
    const original = optionalString(body, 'original_password');
    const password = optionalString(body, 'password');
    if (original === undefined || password === undefined)
      throw badRequest("'original_password' and 'password' are required properties");
    if (!secretMatches(u._salt, original, u._passwordHash)) throw unauthorized();
    store.transaction(() => {
      store.update(K.user, { ...u, _passwordHash: hashSecret(u._salt, password) });
      opts.tokens.revokeWhere((r) => r.userId === u.id);
    });
    return reply.code(204).send();
  });
  app.delete('/v3/users/:id', async (req, reply) => {
    requireAdmin(req, 'delete_user');
    const u = userOr404(params(req).id ?? '');
    store.transaction(() => {
      for (const x of store.list<AssignmentDoc>(K.assignment).filter((y) => y.user_id === u.id))
        store.delete(K.assignment, x.id);
      for (const c of store.list<AppCredentialDoc>(K.appCredential).filter((y) => y.user_id === u.id))
        store.delete(K.appCredential, c.id);
      store.delete(K.user, u.id);
      opts.tokens.revokeWhere((r) => r.userId === u.id);
    });
    return reply.code(204).send();
  });

  // --- roles and assignments ---
  const roleOr404 = (id: string): RoleDoc => {
    const r = store.get<RoleDoc>(K.role, id);
    if (r === undefined) throw notFound('role', id);
    return r;
  };
  app.get('/v3/roles', async (req) => {
    auth(req);
    const name = q1(req, 'name');
    return {
      roles: store
        .list<RoleDoc>(K.role)
        .filter((r) => name === undefined || r.name === name)
        .map(roleView),
      links: listLinks(req),
    };
  });
  app.get('/v3/roles/:id', async (req) => {
    auth(req);
    return { role: roleView(roleOr404(params(req).id ?? '')) };
  });
  app.post('/v3/roles', async (req, reply) => {
    requireAdmin(req, 'create_role');
    const body = requireObject(requireObject(req.body, 'role').role, 'role');
    const name = optionalString(body, 'name');
    if (name === undefined || name === '') throw badRequest("'name' is a required property");
    if (store.list<RoleDoc>(K.role).some((r) => r.name === name))
      throw keystoneError(
        409,
        'Conflict',
        `Conflict occurred attempting to store role - Duplicate entry found with name ${name}.`,
      );
    const doc: RoleDoc = {
      id: keystoneId(),
      name,
      domain_id: null,
      description: optionalString(body, 'description') ?? null,
      options: {},
    };
    store.transaction(() => store.insert(K.role, doc, null));
    return reply.code(201).send({ role: roleView(doc) });
  });
  app.delete('/v3/roles/:id', async (req, reply) => {
    requireAdmin(req, 'delete_role');
    const r = roleOr404(params(req).id ?? '');
    store.transaction(() => {
      for (const x of store.list<AssignmentDoc>(K.assignment).filter((y) => y.role_id === r.id))
        store.delete(K.assignment, x.id);
      store.delete(K.role, r.id);
    });
    return reply.code(204).send();
  });
  const grantParts = (req: FastifyRequest): { project: ProjectDoc; user: UserDoc; role: RoleDoc } => {
    const p = params(req);
    return { project: projectOr404(p.project ?? ''), user: userOr404(p.user ?? ''), role: roleOr404(p.role ?? '') };
  };
  app.get('/v3/projects/:project/users/:user/roles', async (req) => {
    requireAdmin(req, 'list_grants');
    const p = params(req);
    projectOr404(p.project ?? '');
    userOr404(p.user ?? '');
    const ids = new Set(
      store
        .list<AssignmentDoc>(K.assignment, { projectId: p.project ?? '' })
        .filter((x) => x.user_id === p.user)
        .map((x) => x.role_id),
    );
    return {
      roles: store
        .list<RoleDoc>(K.role)
        .filter((r) => ids.has(r.id))
        .map(roleView),
      links: listLinks(req),
    };
  });
  app.put('/v3/projects/:project/users/:user/roles/:role', async (req, reply) => {
    requireAdmin(req, 'create_grant');
    const { project, user, role } = grantParts(req);
    const id = `${user.id}:${project.id}:${role.id}`;
    store.transaction(() => {
      if (store.get(K.assignment, id) === undefined)
        store.insert<AssignmentDoc>(
          K.assignment,
          { id, user_id: user.id, project_id: project.id, role_id: role.id },
          project.id,
        );
    });
    return reply.code(204).send();
  });
  const checkGrant = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    requireAdmin(req, 'check_grant');
    const { project, user, role } = grantParts(req);
    if (store.get(K.assignment, `${user.id}:${project.id}:${role.id}`) === undefined)
      throw keystoneError(
        404,
        'Not Found',
        `Could not find role assignment with role: ${role.id}, user or group: ${user.id}, project, domain, or system: ${project.id}.`,
      );
    return reply.code(204).send();
  };
  app.head('/v3/projects/:project/users/:user/roles/:role', checkGrant);
  app.get('/v3/projects/:project/users/:user/roles/:role', checkGrant);
  app.delete('/v3/projects/:project/users/:user/roles/:role', async (req, reply) => {
    requireAdmin(req, 'revoke_grant');
    const { project, user, role } = grantParts(req);
    const id = `${user.id}:${project.id}:${role.id}`;
    if (store.get(K.assignment, id) === undefined)
      throw keystoneError(
        404,
        'Not Found',
        `Could not find role assignment with role: ${role.id}, user or group: ${user.id}, project, domain, or system: ${project.id}.`,
      );
    store.transaction(() => {
      store.delete(K.assignment, id);
      opts.tokens.revokeWhere((r) => r.userId === user.id && r.projectId === project.id);
    });
    return reply.code(204).send();
  });
  app.get('/v3/role_assignments', async (req) => {
    const a = auth(req);
    const user = q1(req, 'user.id');
    const project = q1(req, 'scope.project.id');
    const role = q1(req, 'role.id');
    const includeNames = q1(req, 'include_names') !== undefined;
    if (!a.isAdmin && user !== a.userId) throw forbidden('list_role_assignments');
    const roles = store.list<RoleDoc>(K.role);
    const out = store
      .list<AssignmentDoc>(K.assignment)
      .filter(
        (x) =>
          (user === undefined || x.user_id === user) &&
          (project === undefined || x.project_id === project) &&
          (role === undefined || x.role_id === role),
      )
      .map((x) => {
        const r = roles.find((y) => y.id === x.role_id);
        const entry: Body = {
          scope: { project: { id: x.project_id } },
          user: { id: x.user_id },
          role: { id: x.role_id },
          links: { assignment: `${base()}/projects/${x.project_id}/users/${x.user_id}/roles/${x.role_id}` },
        };
        if (includeNames) {
          const p = store.get<ProjectDoc>(K.project, x.project_id);
          const u = store.get<UserDoc>(K.user, x.user_id);
          entry.scope = {
            project: { id: x.project_id, name: p?.name, domain: { id: p?.domain_id ?? 'default', name: 'Default' } },
          };
          entry.user = { id: x.user_id, name: u?.name, domain: { id: u?.domain_id ?? 'default', name: 'Default' } };
          entry.role = { id: x.role_id, name: r?.name };
        }
        return entry;
      });
    return { role_assignments: out, links: listLinks(req) };
  });

  // --- application credentials ---
  const ownCredentials = (req: FastifyRequest): { a: AuthInfo; userId: string } => {
    const a = auth(req);
    const userId = params(req).user ?? '';
    userOr404(userId);
    if (a.userId !== userId && !a.isAdmin) throw forbidden('list_application_credentials');
    return { a, userId };
  };
  app.post('/v3/users/:user/application_credentials', async (req, reply) => {
    const { a, userId } = ownCredentials(req);
    if (a.userId !== userId) throw forbidden('create_application_credential');
    if (a.projectId === '')
      throw keystoneError(400, 'Bad Request', 'Application credentials must be created with a project-scoped token.');
    const body = requireObject(
      requireObject(req.body, 'application_credential').application_credential,
      'application_credential',
    );
    const name = optionalString(body, 'name');
    if (name === undefined || name === '') throw badRequest("'name' is a required property");
    if (store.list<AppCredentialDoc>(K.appCredential).some((c) => c.user_id === userId && c.name === name)) {
      throw keystoneError(
        409,
        'Conflict',
        `Conflict occurred attempting to store application_credential - Duplicate entry found with name ${name}.`,
      );
    }
    const expiresText = optionalString(body, 'expires_at');
    let expiresAt: string | null = null;
    if (expiresText !== undefined) {
      const ms = Date.parse(
        expiresText.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(expiresText) ? expiresText : `${expiresText}Z`,
      );
      if (Number.isNaN(ms))
        throw badRequest(`Invalid input for field 'expires_at': '${expiresText}' is not a 'date-time'`);
      if (ms <= ctx.now().getTime()) throw badRequest('The expiration time of the application credential has passed.');
      expiresAt = new Date(ms).toISOString().replace('Z', '000');
    }
    const tokenRoles = effectiveRoles(a.userId, a.projectId);
    let roles = tokenRoles;
    if (Array.isArray(body.roles) && body.roles.length > 0) {
      roles = body.roles.map((ref) => {
        const r = isObject(ref) ? tokenRoles.find((x) => x.id === ref.id || x.name === ref.name) : undefined;
        if (r === undefined) throw keystoneError(404, 'Not Found', `Could not find role: ${JSON.stringify(ref)}.`);
        return r;
      });
    }
    const secret = optionalString(body, 'secret') ?? randomBytes(48).toString('base64url');
    const id = keystoneId();
    const doc: AppCredentialDoc = {
      id,
      name,
      description: optionalString(body, 'description') ?? null,
      user_id: userId,
      project_id: a.projectId,
      roles: roles.map((r) => ({ id: r.id, name: r.name, domain_id: null })),
      expires_at: expiresAt,
      unrestricted: optionalBoolean(body, 'unrestricted') ?? false,
      access_rules: Array.isArray(body.access_rules) ? body.access_rules : [],
      _secretHash: hashSecret(id, secret),
    };
    store.transaction(() => store.insert(K.appCredential, doc, a.projectId));
    return reply.code(201).send({ application_credential: { ...appCredView(doc), secret } });
  });
  app.get('/v3/users/:user/application_credentials', async (req) => {
    const { userId } = ownCredentials(req);
    const name = q1(req, 'name');
    const creds = store
      .list<AppCredentialDoc>(K.appCredential)
      .filter((c) => c.user_id === userId && (name === undefined || c.name === name));
    return { application_credentials: creds.map(appCredView), links: listLinks(req) };
  });
  const credOr404 = (req: FastifyRequest): AppCredentialDoc => {
    const { userId } = ownCredentials(req);
    const id = params(req).id ?? '';
    const c = store.get<AppCredentialDoc>(K.appCredential, id);
    if (c === undefined || c.user_id !== userId) throw notFound('application credential', id);
    return c;
  };
  app.get('/v3/users/:user/application_credentials/:id', async (req) => ({
    application_credential: appCredView(credOr404(req)),
  }));
  app.delete('/v3/users/:user/application_credentials/:id', async (req, reply) => {
    const c = credOr404(req);
    store.transaction(() => {
      store.delete(K.appCredential, c.id);
      opts.tokens.revokeWhere((r) => r.applicationCredentialId === c.id);
    });
    return reply.code(204).send();
  });

  // --- collections the sandbox keeps empty (no groups, credentials or unified limits), so clients listing them get the real shape ---
  for (const [path, key] of [
    ['/v3/groups', 'groups'],
    ['/v3/credentials', 'credentials'],
    ['/v3/limits', 'limits'],
    ['/v3/registered_limits', 'registered_limits'],
    ['/v3/policies', 'policies'],
  ] as const) {
    app.get(path, async (req) => {
      auth(req);
      return { [key]: [], links: listLinks(req) };
    });
  }
  app.get('/v3/users/:id/groups', async (req) => {
    const a = auth(req);
    const u = userOr404(params(req).id ?? '');
    if (!a.isAdmin && u.id !== a.userId) throw forbidden('list_groups_for_user');
    return { groups: [], links: listLinks(req) };
  });

  // --- catalog administration (read-only) ---
  app.get('/v3/services', async (req) => {
    auth(req);
    const type = q1(req, 'type');
    const name = q1(req, 'name');
    return {
      services: store
        .list<ServiceDoc>(K.service)
        .filter((s) => (type === undefined || s.type === type) && (name === undefined || s.name === name))
        .map(serviceView),
      links: listLinks(req),
    };
  });
  app.get('/v3/services/:id', async (req) => {
    auth(req);
    const s = store.get<ServiceDoc>(K.service, params(req).id ?? '');
    if (s === undefined) throw notFound('service', params(req).id ?? '');
    return { service: serviceView(s) };
  });
  app.get('/v3/endpoints', async (req) => {
    auth(req);
    const iface = q1(req, 'interface');
    const service = q1(req, 'service_id');
    const region = q1(req, 'region_id');
    const endpoints = store
      .list<EndpointDoc>(K.endpoint)
      .filter(
        (e) =>
          (iface === undefined || e.interface === iface) &&
          (service === undefined || e.service_id === service) &&
          (region === undefined || e.region_id === region),
      );
    return { endpoints: endpoints.map(endpointView), links: listLinks(req) };
  });
  app.get('/v3/endpoints/:id', async (req) => {
    auth(req);
    const e = store.get<EndpointDoc>(K.endpoint, params(req).id ?? '');
    if (e === undefined) throw notFound('endpoint', params(req).id ?? '');
    return { endpoint: endpointView(e) };
  });
  app.get('/v3/regions', async (req) => {
    auth(req);
    return { regions: store.list<RegionDoc>(K.region).map(regionView), links: listLinks(req) };
  });
  app.get('/v3/regions/:id', async (req) => {
    auth(req);
    const r = store.get<RegionDoc>(K.region, params(req).id ?? '');
    if (r === undefined) throw notFound('region', params(req).id ?? '');
    return { region: regionView(r) };
  });
}

function order(role: string): number {
  // The order real Keystone lists a token's roles in (see real-zed/token-issue.json).
  const i = ['admin', 'reader', 'member'].indexOf(role);
  return i === -1 ? 99 : i;
}

function parseBool(text: string): boolean {
  return parseBoolean(text, KEYSTONE_BOOLEAN) ?? true;
}
