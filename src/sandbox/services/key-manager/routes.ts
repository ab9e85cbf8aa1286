/**
 * Barbican's routes under /key-manager (API under /v1). Payload routes answer
 * bytes; every other answer is JSON. No payload is ever written to the request
 * log (it logs the method and path only) or to any diagnostic line.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { pathParam, queryParams } from '../../core/request.js';
import { ownedContainer, ownedSecret, readableContainer, readableSecret } from './access.js';
import { aclView, patchAcl, replaceAcl } from './acls.js';
import { begin, type Call, containerRef, secretRef } from './call.js';
import {
  addConsumer,
  addContainerSecret,
  createContainer,
  deleteContainer,
  getContainer,
  listConsumers,
  listContainers,
  removeConsumer,
  removeContainerSecret,
} from './containers.js';
import { type ContainerDoc, KIND, type SecretDoc } from './model.js';
import {
  addMetadatum,
  createSecret,
  deleteMetadatum,
  deleteSecret,
  getMetadata,
  getMetadatum,
  getSecret,
  listSecrets,
  putPayload,
  replaceMetadata,
  secretPayload,
  updateMetadatum,
} from './secrets.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Whether a GET of a secret asks for its metadata (JSON) rather than its payload. */
function wantsJson(req: FastifyRequest): boolean {
  const accept = (header(req, 'accept') ?? '').toLowerCase();
  return accept === '' || accept.includes('application/json') || accept.startsWith('*/*');
}

export function registerBarbicanRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const route = (
    method: Method,
    path: string,
    handler: (call: Call, req: FastifyRequest, reply: FastifyReply) => unknown,
    status = 200,
  ): void => {
    app.route({
      method,
      url: `/v1${path}`,
      handler: async (req, reply) => {
        const call = begin(ctx, req);
        const out = ctx.store.transaction(() => handler(call, req, reply));
        if (reply.sent) return reply;
        reply.code(status);
        if (out === undefined) return reply.send();
        return out;
      },
    });
  };
  const id = (req: FastifyRequest): string => pathParam(req, 'id').toLowerCase();
  const query = (req: FastifyRequest): Record<string, string> => queryParams(req).one;

  const versions = {
    versions: {
      values: [
        {
          id: 'v1',
          status: 'stable',
          links: [{ rel: 'self', href: `${ctx.publicUrl}/key-manager/v1/` }],
          'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.key-manager-v1+json' }],
        },
      ],
    },
  };
  app.get('/', async (_req, reply) => {
    reply.code(300);
    return versions;
  });
  app.get('/v1', async () => ({ version: versions.versions.values[0] }));
  app.get('/v1/', async () => ({ version: versions.versions.values[0] }));

  // ---- secrets ---------------------------------------------------------------------------------
  route('GET', '/secrets', (call, req) => listSecrets(call, query(req)));
  route('POST', '/secrets', (call, req) => createSecret(call, req.body), 201);
  const sendPayload = (call: Call, req: FastifyRequest, reply: FastifyReply): unknown => {
    const { contentType, bytes } = secretPayload(call, id(req), header(req, 'accept'));
    reply.code(200).header('content-type', contentType);
    return reply.send(bytes);
  };
  route('GET', '/secrets/:id', (call, req, reply) =>
    wantsJson(req) ? getSecret(call, id(req)) : sendPayload(call, req, reply),
  );
  route('GET', '/secrets/:id/payload', sendPayload);
  route(
    'PUT',
    '/secrets/:id',
    (call, req) => putPayload(call, id(req), header(req, 'content-type'), header(req, 'content-encoding'), req.body),
    204,
  );
  route('DELETE', '/secrets/:id', (call, req) => deleteSecret(call, id(req)), 204);

  route('GET', '/secrets/:id/metadata', (call, req) => getMetadata(call, id(req)));
  route('PUT', '/secrets/:id/metadata', (call, req) => replaceMetadata(call, id(req), req.body), 201);
  route('POST', '/secrets/:id/metadata', (call, req) => addMetadatum(call, id(req), req.body), 201);
  route('GET', '/secrets/:id/metadata/:key', (call, req) => getMetadatum(call, id(req), pathParam(req, 'key')));
  route('PUT', '/secrets/:id/metadata/:key', (call, req) =>
    updateMetadatum(call, id(req), pathParam(req, 'key'), req.body),
  );
  route(
    'DELETE',
    '/secrets/:id/metadata/:key',
    (call, req) => deleteMetadatum(call, id(req), pathParam(req, 'key')),
    204,
  );

  // ---- containers ------------------------------------------------------------------------------
  route('GET', '/containers', (call, req) => listContainers(call, query(req)));
  route('POST', '/containers', (call, req) => createContainer(call, req.body), 201);
  route('GET', '/containers/:id', (call, req) => getContainer(call, id(req)));
  route('DELETE', '/containers/:id', (call, req) => deleteContainer(call, id(req)), 204);
  route('POST', '/containers/:id/secrets', (call, req) => addContainerSecret(call, id(req), req.body), 201);
  route('DELETE', '/containers/:id/secrets', (call, req) => removeContainerSecret(call, id(req), req.body), 204);
  route('GET', '/containers/:id/consumers', (call, req) => listConsumers(call, id(req), query(req)));
  route('POST', '/containers/:id/consumers', (call, req) => addConsumer(call, id(req), req.body));
  route('DELETE', '/containers/:id/consumers', (call, req) => removeConsumer(call, id(req), req.body));

  // ---- ACLs ------------------------------------------------------------------------------------
  route('GET', '/secrets/:id/acl', (call, req) =>
    aclView(readableSecret(call, id(req), 'SecretACL(s) retrieval')._acl),
  );
  route('GET', '/containers/:id/acl', (call, req) =>
    aclView(readableContainer(call, id(req), 'ContainerACL(s) retrieval')._acl),
  );
  const setSecretAcl = (call: Call, req: FastifyRequest, patch: boolean): { acl_ref: string } => {
    const s = ownedSecret(call, id(req), patch ? 'SecretACL(s) Modify' : 'SecretACL(s) Update');
    const acl = patch ? patchAcl(call, s._acl, req.body) : replaceAcl(call, s._acl, req.body);
    ctx.store.update<SecretDoc>(KIND.secret, { ...s, _acl: acl });
    return { acl_ref: `${secretRef(ctx, s.id)}/acl` };
  };
  const setContainerAcl = (call: Call, req: FastifyRequest, patch: boolean): { acl_ref: string } => {
    const c = ownedContainer(call, id(req), patch ? 'ContainerACL(s) Modify' : 'ContainerACL(s) Update');
    const acl = patch ? patchAcl(call, c._acl, req.body) : replaceAcl(call, c._acl, req.body);
    ctx.store.update<ContainerDoc>(KIND.container, { ...c, _acl: acl });
    return { acl_ref: `${containerRef(ctx, c.id)}/acl` };
  };
  route('PUT', '/secrets/:id/acl', (call, req) => setSecretAcl(call, req, false));
  route('PATCH', '/secrets/:id/acl', (call, req) => setSecretAcl(call, req, true));
  route('PUT', '/containers/:id/acl', (call, req) => setContainerAcl(call, req, false));
  route('PATCH', '/containers/:id/acl', (call, req) => setContainerAcl(call, req, true));
  route('DELETE', '/secrets/:id/acl', (call, req) => {
    const s = ownedSecret(call, id(req), 'SecretACL(s) deletion');
    ctx.store.update<SecretDoc>(KIND.secret, { ...s, _acl: {} });
  });
  route('DELETE', '/containers/:id/acl', (call, req) => {
    const c = ownedContainer(call, id(req), 'ContainerACL(s) deletion');
    ctx.store.update<ContainerDoc>(KIND.container, { ...c, _acl: {} });
  });
}
