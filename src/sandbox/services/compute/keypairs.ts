/** Nova keypairs: import or generate (ssh, x509), list, show and delete, per user. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { badRequest, conflict, notFound } from './api-fault.js';
import { requireEnvelope } from './request-body.js';
import {
  beginNova,
  novaMicroTime,
  novaPage,
  pathParam,
  queryParams,
  requireNovaAdmin,
  type NovaCall,
  type Json,
  V,
} from './call.js';
import { atLeast } from './microversion.js';
import { KIND, nextCounter, type KeypairDoc, type KeypairType } from './model.js';
import { pythonRepr } from './python-repr.js';
import { enforceKeypairQuota } from './quotas.js';
import { fingerprintOfCertificate, fingerprintOfPublicKey, generateRsaKeypair } from './ssh-keys.js';

export function keypairOwner(call: NovaCall, req: FastifyRequest): string {
  const userId = queryParams(req).one.user_id;
  if (userId !== undefined && atLeast(call.v, '2.10')) {
    if (userId !== call.auth.userId) requireNovaAdmin(call, 'os_compute_api:os-keypairs:index');
    return userId;
  }
  return call.auth.userId;
}

export function keypairOr404(call: NovaCall, userId: string, name: string): KeypairDoc {
  const kp = call.ctx.store.get<KeypairDoc>(KIND.keypair, `${userId}/${name}`);
  if (!kp) throw notFound(`Keypair ${name} not found for user ${userId}`);
  return kp;
}

export function createKeypair(call: NovaCall, body: unknown): { doc: KeypairDoc; privateKey?: string } {
  const { ctx } = call;
  const k = requireEnvelope(body, 'keypair');
  if (typeof k.name !== 'string')
    throw badRequest(
      `Invalid input for field/attribute keypair. Value: ${pythonRepr(k)}. 'name' is a required property`,
    );
  const name = k.name;
  const nameOk = atLeast(call.v, '2.92') ? /^[a-zA-Z0-9 @._-]{1,255}$/ : /^[a-zA-Z0-9 _-]{1,255}$/;
  if (!nameOk.test(name)) {
    throw badRequest(
      `Invalid input for field/attribute name. Value: ${name}. '${name}' does not match '${nameOk.source}'`,
    );
  }
  let type: KeypairType = 'ssh';
  if (k.type !== undefined) {
    if (!atLeast(call.v, '2.2'))
      throw badRequest(
        `Invalid input for field/attribute keypair. Value: ${pythonRepr(k)}. Additional properties are not allowed ('type' was unexpected)`,
      );
    if (k.type !== 'ssh' && k.type !== 'x509')
      throw badRequest(
        `Invalid input for field/attribute type. Value: ${pythonRepr(k.type)}. ${pythonRepr(k.type)} is not one of ['ssh', 'x509']`,
      );
    type = k.type;
  }
  let userId = call.auth.userId;
  if (typeof k.user_id === 'string' && atLeast(call.v, '2.10')) {
    if (k.user_id !== userId) requireNovaAdmin(call, 'os_compute_api:os-keypairs:create');
    userId = k.user_id;
  }
  let publicKey: string;
  let fingerprint: string;
  let privateKey: string | undefined;
  if (typeof k.public_key === 'string') {
    const fp = type === 'x509' ? fingerprintOfCertificate(k.public_key) : fingerprintOfPublicKey(k.public_key);
    if (fp === undefined) throw badRequest('Keypair data is invalid: failed to generate fingerprint');
    // Nova keeps the key as given, trailing newline of a key file included (a real Zed does; the provider then
    // sees no change between the key file and the cloud's key pair).
    publicKey = k.public_key;
    fingerprint = fp;
  } else {
    if (atLeast(call.v, '2.92'))
      throw badRequest(
        `Invalid input for field/attribute keypair. Value: ${pythonRepr(k)}. 'public_key' is a required property`,
      );
    if (type === 'x509') throw badRequest('Keypair data is invalid: x509 keypairs must be imported');
    const gen = generateRsaKeypair();
    publicKey = gen.publicKey;
    fingerprint = gen.fingerprint;
    privateKey = gen.privateKey;
  }
  const doc = ctx.store.transaction(() => {
    if (ctx.store.get(KIND.keypair, `${userId}/${name}`)) throw conflict(`Key pair '${name}' already exists.`);
    enforceKeypairQuota(ctx, call.auth.projectId, userId);
    const kp: KeypairDoc = {
      id: `${userId}/${name}`,
      seq: nextCounter(ctx, 'keypair'),
      name,
      user_id: userId,
      public_key: publicKey,
      fingerprint,
      type,
      created_at: novaMicroTime(ctx.now()),
    };
    return ctx.store.insert(KIND.keypair, kp, call.auth.projectId);
  });
  return privateKey !== undefined ? { doc, privateKey } : { doc };
}

export function registerKeypairRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  // keypairs
  app.get(`${V}/os-keypairs`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const owner = keypairOwner(call, req);
    const { one } = queryParams(req);
    let kps = ctx.store.list<KeypairDoc>(KIND.keypair).filter((k) => k.user_id === owner);
    if (atLeast(call.v, '2.35')) {
      kps = novaPage(kps, one, (k) => k.name);
    }
    return {
      keypairs: kps.map((k) => ({
        keypair: {
          name: k.name,
          public_key: k.public_key,
          fingerprint: k.fingerprint,
          ...(atLeast(call.v, '2.2') ? { type: k.type } : {}),
        },
      })),
    };
  });
  app.post(`${V}/os-keypairs`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const { doc, privateKey } = createKeypair(call, req.body);
    // Nova answers 200 before 2.2 and 201 from 2.2 on.
    reply.code(atLeast(call.v, '2.2') ? 201 : 200);
    const kp: Json = {};
    if (privateKey !== undefined) kp.private_key = privateKey;
    Object.assign(kp, {
      name: doc.name,
      public_key: doc.public_key,
      fingerprint: doc.fingerprint,
      user_id: doc.user_id,
    });
    if (atLeast(call.v, '2.2')) kp.type = doc.type;
    return { keypair: kp };
  });
  app.get(`${V}/os-keypairs/:name`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const kp = keypairOr404(call, keypairOwner(call, req), pathParam(req, 'name'));
    const body: Json = {
      name: kp.name,
      public_key: kp.public_key,
      fingerprint: kp.fingerprint,
      user_id: kp.user_id,
      created_at: kp.created_at,
      deleted: false,
      deleted_at: null,
      id: kp.seq,
      updated_at: null,
    };
    if (atLeast(call.v, '2.2')) body.type = kp.type;
    return { keypair: body };
  });
  app.delete(`${V}/os-keypairs/:name`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const kp = keypairOr404(call, keypairOwner(call, req), pathParam(req, 'name'));
    ctx.store.delete(KIND.keypair, kp.id);
    // Nova answers 202 before 2.2 and 204 from 2.2 on.
    reply.code(atLeast(call.v, '2.2') ? 204 : 202);
    return reply.send();
  });
}
