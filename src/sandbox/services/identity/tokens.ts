/**
 * Keystone tokens: issue (password, token and application-credential methods,
 * project scope), validate, check and revoke, and what a token may list under
 * /v3/auth (catalog, projects, domains, system).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type TokenRecord, newAuditId, newTokenString } from '../../core/tokens';
import type { KeystoneApi } from './keystone';
import {
  K,
  keystoneTime,
  secretMatches,
  type AppCredentialDoc,
  type DomainDoc,
  type ProjectDoc,
  type UserDoc,
} from './model';
import {
  badRequest,
  forbidden,
  isObject,
  notFound,
  optionalString,
  requireObject,
  unauthorized,
  type Body,
} from './request';

export function registerTokenRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { ctx, store, opts, auth, q1, listLinks, domainByRef, effectiveRoles, catalogFor, projectsOf, projectView } =
    api;
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
    // A disabled domain's users and projects get no tokens.
    const domainEnabled = (id: string): boolean => store.get<DomainDoc>(K.domain, id)?.enabled === true;
    if (!domainEnabled(user.domain_id)) throw unauthorized();
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
        if (!domainEnabled(project.domain_id)) throw unauthorized();
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

  /**
   * The X-Subject-Token; the caller must authenticate unless `selfRevoke` (a token may revoke itself).
   * As Keystone's policy (`admin or token_subject`): only an admin or the token's own user may look at
   * or revoke a token, so a token never tells its holder about anybody else's.
   */
  const subject = (
    req: FastifyRequest,
    action: 'validate_token' | 'check_token' | 'revoke_token',
    selfRevoke = false,
  ): { token: string; record: TokenRecord } => {
    const caller = !selfRevoke || req.headers['x-auth-token'] !== undefined ? auth(req) : undefined;
    const raw = req.headers['x-subject-token'];
    const token = Array.isArray(raw) ? raw[0] : raw;
    if (token === undefined || token === '') throw notFound('token', '');
    const checked = opts.tokens.check(token);
    if (!checked.ok) throw notFound('token', token);
    if (caller !== undefined && !caller.isAdmin && caller.userId !== checked.record.userId) throw forbidden(action);
    return { token, record: checked.record };
  };

  // --- tokens ---
  app.post('/v3/auth/tokens', async (req, reply) => {
    const { token, record } = issue(req);
    reply.code(201).header('x-subject-token', token).header('vary', 'X-Auth-Token');
    return tokenBody(record, q1(req, 'nocatalog') === undefined);
  });
  // HEAD before GET: Fastify only derives a HEAD route from a GET when none exists.
  app.head('/v3/auth/tokens', async (req, reply) => {
    const { token } = subject(req, 'check_token');
    return reply.code(200).header('x-subject-token', token).send();
  });
  app.get('/v3/auth/tokens', async (req, reply) => {
    const { token, record } = subject(req, 'validate_token');
    reply.header('x-subject-token', token).header('vary', 'X-Auth-Token');
    return tokenBody(record, q1(req, 'nocatalog') === undefined);
  });
  app.delete('/v3/auth/tokens', async (req, reply) => {
    // Keystone: "An additional X-Auth-Token is not required" to revoke.
    const { token } = subject(req, 'revoke_token', true);
    store.transaction(() => opts.tokens.revoke(token));
    return reply.code(204).send();
  });
  app.get('/v3/auth/catalog', async (req) => {
    const a = auth(req);
    if (a.projectId === '') throw forbidden('get_auth_catalog');
    // Keystone's catalog links carry only self (real-zed).
    return { catalog: catalogFor(a.projectId), links: { self: `${ctx.publicUrl}${req.url.split('?')[0] ?? ''}` } };
  });
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
}
