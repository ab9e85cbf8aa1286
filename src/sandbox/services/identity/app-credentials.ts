/** Keystone application credentials of a user: create (with a secret shown once), list, show, delete. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthInfo } from '../../core/context';
import { pathParam } from '../../core/request';
import type { KeystoneApi } from './keystone';
import { K, hashSecret, keystoneId, type AppCredentialDoc } from './model';
import {
  badRequest,
  conflictOnStore,
  forbidden,
  forbiddenAction,
  isObject,
  notFound,
  optionalBoolean,
  optionalString,
  requireObject,
} from './request';

export function registerAppCredentialRoutes(app: FastifyInstance, api: KeystoneApi): void {
  const { ctx, store, opts, auth, q1, listLinks, appCredView, effectiveRoles, userOr404 } = api;
  const ownCredentials = (req: FastifyRequest): { a: AuthInfo; userId: string } => {
    const a = auth(req);
    const userId = pathParam(req, 'user');
    userOr404(userId);
    if (a.userId !== userId && !a.isAdmin) throw forbidden('list_application_credentials');
    return { a, userId };
  };
  /**
   * A token from a restricted application credential may not make or delete
   * application credentials (it could otherwise mint itself an unrestricted,
   * longer-lived one), as Keystone refuses.
   */
  const refuseRestrictedCredential = (a: AuthInfo): void => {
    const checked = opts.tokens.check(a.tokenId);
    const credentialId = checked.ok ? checked.record.applicationCredentialId : undefined;
    if (credentialId === undefined) return;
    if (store.get<AppCredentialDoc>(K.appCredential, credentialId)?.unrestricted === true) return;
    throw forbiddenAction(
      "Using method 'application_credential' is not allowed for managing additional application credentials.",
    );
  };
  app.post('/v3/users/:user/application_credentials', async (req, reply) => {
    const { a, userId } = ownCredentials(req);
    if (a.userId !== userId) throw forbidden('create_application_credential');
    refuseRestrictedCredential(a);
    if (a.projectId === '') throw badRequest('Application credentials must be created with a project-scoped token.');
    const body = requireObject(
      requireObject(req.body, 'application_credential').application_credential,
      'application_credential',
    );
    const name = optionalString(body, 'name');
    if (name === undefined || name === '') throw badRequest("'name' is a required property");
    if (store.list<AppCredentialDoc>(K.appCredential).some((c) => c.user_id === userId && c.name === name)) {
      throw conflictOnStore('application_credential', `Duplicate entry found with name ${name}`);
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
      expiresAt = keepMicroseconds(ms, expiresText);
    }
    const tokenRoles = effectiveRoles(a.userId, a.projectId);
    let roles = tokenRoles;
    if (Array.isArray(body.roles) && body.roles.length > 0) {
      roles = body.roles.map((ref) => {
        const r = isObject(ref) ? tokenRoles.find((x) => x.id === ref.id || x.name === ref.name) : undefined;
        if (r === undefined) throw notFound('role', JSON.stringify(ref));
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
    const id = pathParam(req, 'id');
    const c = store.get<AppCredentialDoc>(K.appCredential, id);
    if (c === undefined || c.user_id !== userId) throw notFound('application credential', id);
    return c;
  };
  app.get('/v3/users/:user/application_credentials/:id', async (req) => ({
    application_credential: appCredView(credOr404(req)),
  }));
  app.delete('/v3/users/:user/application_credentials/:id', async (req, reply) => {
    const c = credOr404(req);
    refuseRestrictedCredential(auth(req));
    store.transaction(() => {
      store.delete(K.appCredential, c.id);
      opts.tokens.revokeWhere((r) => r.applicationCredentialId === c.id);
    });
    return reply.code(204).send();
  });
}

/**
 * Keystone keeps the expiry to the microsecond as given (`…52.214724`, no
 * zone), in UTC; a JavaScript date alone would round it to milliseconds.
 */
export function keepMicroseconds(ms: number, text: string): string {
  const fraction = /T\d\d:\d\d:\d\d\.(\d+)/.exec(text)?.[1] ?? '';
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction.padEnd(6, '0').slice(0, 6)}`;
}
