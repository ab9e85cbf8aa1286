/**
 * Nova routes besides /servers: version discovery, flavors (+ extra specs,
 * access), keypairs, server groups, availability zones, limits, quota sets,
 * and the read-only host views clients list (hypervisors, services).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { badRequest, conflict, forbidden, notFound } from './api-fault.js';
import { requireEnvelope, stringMap } from './request-body.js';
import {
  beginNova,
  isTruthy,
  novaMicroTime,
  novaOffsetPage,
  novaPage,
  pathParam,
  queryParams,
  requireNovaAdmin,
  type NovaCall,
} from './call.js';
import { BODY_BOOLEAN, isTrue } from '../../core/booleans.js';
import { atLeast } from './microversion.js';
import {
  AVAILABILITY_ZONE,
  COMPUTE_HOST,
  COMPUTE_QUOTA_DEFAULTS,
  COMPUTE_QUOTA_RESOURCES,
  KIND,
  type ComputeQuotaDoc,
  type ComputeQuotaResource,
  type CounterDoc,
  type FlavorAccessDoc,
  type FlavorDoc,
  type KeypairDoc,
  type KeypairType,
  type ServerGroupDoc,
  type ServerGroupPolicy,
} from './model.js';
import { pythonRepr } from './python-repr.js';
import {
  absoluteLimits,
  enforceKeypairQuota,
  enforceServerGroupQuota,
  quotaLimitsOf,
  quotaUsageByResource,
  usageOf,
  visibleQuotaResources,
} from './quotas.js';
import { loadServers } from './server-state.js';
import { fingerprintOfCertificate, fingerprintOfPublicKey, generateRsaKeypair } from './ssh-keys.js';

type Json = Record<string, unknown>;

function versionV21(ctx: SandboxContext): Json {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: '2.93',
    min_version: '2.1',
    updated: '2013-07-23T11:33:21Z',
    links: [
      { rel: 'self', href: `${ctx.publicUrl}/compute/v2.1/` },
      { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
  };
}

// ---- flavors -------------------------------------------------------------------------------

function flavorLinks(ctx: SandboxContext, id: string): Json[] {
  return [
    { rel: 'self', href: `${ctx.publicUrl}/compute/v2.1/flavors/${id}` },
    { rel: 'bookmark', href: `${ctx.publicUrl}/compute/flavors/${id}` },
  ];
}

function renderFlavor(call: NovaCall, f: FlavorDoc): Json {
  const body: Json = {
    id: f.id,
    name: f.name,
    ram: f.ram,
    disk: f.disk,
    swap: atLeast(call.v, '2.75') ? f.swap : f.swap === 0 ? '' : f.swap,
    'OS-FLV-EXT-DATA:ephemeral': f.ephemeral,
    'OS-FLV-DISABLED:disabled': f.disabled,
    vcpus: f.vcpus,
    'os-flavor-access:is_public': f.is_public,
    rxtx_factor: f.rxtx_factor,
    links: flavorLinks(call.ctx, f.id),
  };
  if (atLeast(call.v, '2.55')) body.description = f.description;
  if (atLeast(call.v, '2.61')) body.extra_specs = f.extra_specs;
  return body;
}

function flavorVisible(call: NovaCall, f: FlavorDoc): boolean {
  if (f.is_public || call.auth.isAdmin) return true;
  return call.ctx.store.get<FlavorAccessDoc>(KIND.flavorAccess, `${f.id}:${call.auth.projectId}`) !== undefined;
}

function flavorOr404(call: NovaCall, id: string): FlavorDoc {
  const f = call.ctx.store.get<FlavorDoc>(KIND.flavor, id);
  if (!f || !flavorVisible(call, f)) throw notFound(`Flavor ${id} could not be found.`);
  return f;
}

function listFlavors(call: NovaCall, req: FastifyRequest): FlavorDoc[] {
  const { one } = queryParams(req);
  let flavors = call.ctx.store.list<FlavorDoc>(KIND.flavor);
  const isPublic = one.is_public;
  if (!call.auth.isAdmin) {
    flavors = flavors.filter((f) => flavorVisible(call, f));
  } else if (isPublic === undefined) {
    flavors = flavors.filter((f) => f.is_public);
  } else if (isPublic.toLowerCase() !== 'none') {
    const want = isTruthy(isPublic);
    flavors = flavors.filter((f) => f.is_public === want);
  }
  if (one.minDisk !== undefined) flavors = flavors.filter((f) => f.disk >= Number(one.minDisk));
  if (one.minRam !== undefined) flavors = flavors.filter((f) => f.ram >= Number(one.minRam));
  const sortKey = (one.sort_key ?? 'flavorid') as string;
  const dir = one.sort_dir === 'desc' ? -1 : 1;
  const keyOf = (f: FlavorDoc): string | number => {
    switch (sortKey) {
      case 'name':
        return f.name;
      case 'memory_mb':
        return f.ram;
      case 'vcpus':
        return f.vcpus;
      case 'root_gb':
        return f.disk;
      default:
        return /^\d+$/.test(f.id) ? Number(f.id) : f.id;
    }
  };
  flavors = [...flavors].sort((a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    if (typeof ka === 'number' && typeof kb === 'number') return dir * (ka - kb);
    return dir * String(ka).localeCompare(String(kb));
  });
  return novaPage(flavors, one, (f) => f.id);
}

function parseFlavorCreate(call: NovaCall, body: unknown): FlavorDoc {
  const f = requireEnvelope(body, 'flavor');
  const int = (key: string, min: number, dflt?: number): number => {
    const raw = f[key];
    if (raw === undefined) {
      if (dflt !== undefined) return dflt;
      throw badRequest(
        `Invalid input for field/attribute flavor. Value: ${pythonRepr(f)}. '${key}' is a required property`,
      );
    }
    const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
      throw badRequest(
        `Invalid input for field/attribute ${key}. Value: ${pythonRepr(raw)}. ${pythonRepr(raw)} is not of type 'integer', 'string'`,
      );
    }
    return n;
  };
  if (typeof f.name !== 'string' || f.name.trim() === '')
    throw badRequest(
      `Invalid input for field/attribute flavor. Value: ${pythonRepr(f)}. 'name' is a required property`,
    );
  const id = f.id === undefined || f.id === null || f.id === 'auto' ? call.ctx.newId() : String(f.id);
  const rxtx = f.rxtx_factor === undefined ? 1.0 : Number(f.rxtx_factor);
  return {
    id,
    name: f.name,
    ram: int('ram', 1),
    vcpus: int('vcpus', 1),
    disk: int('disk', 0),
    swap: int('swap', 0, 0),
    ephemeral: f['OS-FLV-EXT-DATA:ephemeral'] === undefined ? 0 : Number(f['OS-FLV-EXT-DATA:ephemeral']),
    rxtx_factor: rxtx,
    is_public: f['os-flavor-access:is_public'] !== false,
    disabled: false,
    description: typeof f.description === 'string' && atLeast(call.v, '2.55') ? f.description : null,
    extra_specs: {},
  };
}

// ---- keypairs -------------------------------------------------------------------------------

function keypairOwner(call: NovaCall, req: FastifyRequest): string {
  const userId = queryParams(req).one.user_id;
  if (userId !== undefined && atLeast(call.v, '2.10')) {
    if (userId !== call.auth.userId) requireNovaAdmin(call, 'os_compute_api:os-keypairs:index');
    return userId;
  }
  return call.auth.userId;
}

function keypairOr404(call: NovaCall, userId: string, name: string): KeypairDoc {
  const kp = call.ctx.store.get<KeypairDoc>(KIND.keypair, `${userId}/${name}`);
  if (!kp) throw notFound(`Keypair ${name} not found for user ${userId}`);
  return kp;
}

function nextSeq(ctx: SandboxContext, name: string): number {
  const doc = ctx.store.get<CounterDoc>(KIND.counter, name);
  const value = (doc?.value ?? 0) + 1;
  if (doc) ctx.store.update(KIND.counter, { id: name, value });
  else ctx.store.insert(KIND.counter, { id: name, value }, null);
  return value;
}

function createKeypair(call: NovaCall, body: unknown): { doc: KeypairDoc; privateKey?: string } {
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
    publicKey = k.public_key.trim();
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
      seq: nextSeq(ctx, 'keypair'),
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

// ---- server groups --------------------------------------------------------------------------

const POLICIES: ServerGroupPolicy[] = ['affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity'];

function renderServerGroup(call: NovaCall, g: ServerGroupDoc): Json {
  const body: Json = { id: g.id, name: g.name };
  if (atLeast(call.v, '2.64')) {
    body.policy = g.policy;
    body.rules = g.rules;
    body.members = g.members;
    body.project_id = g.project_id;
    body.user_id = g.user_id;
  } else {
    body.policies = [g.policy];
    body.members = g.members;
    body.metadata = g.metadata;
    if (atLeast(call.v, '2.13')) {
      body.project_id = g.project_id;
      body.user_id = g.user_id;
    }
  }
  return body;
}

function parseServerGroup(
  call: NovaCall,
  body: unknown,
): { name: string; policy: ServerGroupPolicy; rules: Record<string, number> } {
  const g = requireEnvelope(body, 'server_group');
  const invalid = (reason: string): never => {
    throw badRequest(`Invalid input for field/attribute server_group. Value: ${pythonRepr(g)}. ${reason}`);
  };
  if (typeof g.name !== 'string') invalid("'name' is a required property");
  const name = g.name as string;
  if (name.length < 1 || name.length > 255)
    throw badRequest(`Invalid input for field/attribute name. Value: ${name}. '${name}' is too short`);
  if (atLeast(call.v, '2.64')) {
    if (g.policies !== undefined) invalid("Additional properties are not allowed ('policies' was unexpected)");
    if (g.policy === undefined) invalid("'policy' is a required property");
    if (!POLICIES.includes(g.policy as ServerGroupPolicy))
      throw badRequest(
        `Invalid input for field/attribute policy. Value: ${String(g.policy)}. ${pythonRepr(g.policy)} is not one of ${pythonRepr(POLICIES)}`,
      );
    const rules: Record<string, number> = {};
    if (g.rules !== undefined) {
      const r = g.rules as Json;
      if (r === null || typeof r !== 'object') invalid(`${pythonRepr(g.rules)} is not of type 'object'`);
      if (r.max_server_per_host !== undefined) {
        if (g.policy !== 'anti-affinity')
          throw badRequest('Only anti-affinity policy supports max_server_per_host rule.');
        const n = Number(r.max_server_per_host);
        if (!Number.isInteger(n) || n < 1)
          throw badRequest(
            `Invalid input for field/attribute max_server_per_host. Value: ${pythonRepr(r.max_server_per_host)}. is less than the minimum of 1`,
          );
        rules.max_server_per_host = n;
      }
    }
    return { name, policy: g.policy as ServerGroupPolicy, rules };
  }
  // Before 2.64 Nova's schema requires `policies` and forbids anything else, so a
  // body carrying `policy` is refused with this exact message (the provider relies on it).
  if (g.policies === undefined) invalid("'policies' is a required property");
  for (const key of Object.keys(g)) {
    if (key !== 'name' && key !== 'policies')
      invalid(`Additional properties are not allowed ('${key}' was unexpected)`);
  }
  const policies = g.policies;
  if (!Array.isArray(policies) || policies.length !== 1)
    throw badRequest(
      `Invalid input for field/attribute policies. Value: ${pythonRepr(policies)}. ${pythonRepr(policies)} is too ${Array.isArray(policies) && policies.length > 1 ? 'long' : 'short'}`,
    );
  const policy = policies[0] as ServerGroupPolicy;
  const allowed = atLeast(call.v, '2.15') ? POLICIES : (['affinity', 'anti-affinity'] as ServerGroupPolicy[]);
  if (!allowed.includes(policy))
    throw badRequest(
      `Invalid input for field/attribute policies. Value: ${pythonRepr(policies)}. ${pythonRepr(policy)} is not one of ${pythonRepr(allowed)}`,
    );
  return { name, policy, rules: {} };
}

// ---- quota sets ----------------------------------------------------------------------------

function quotaSetView(call: NovaCall, projectId: string, withId: boolean): Json {
  const limits = quotaLimitsOf(call.ctx, projectId);
  const out: Json = withId ? { id: projectId } : {};
  for (const r of visibleQuotaResources(call.v)) out[r] = limits[r];
  return out;
}

function quotaTarget(call: NovaCall, projectId: string): string {
  if (projectId !== call.auth.projectId && !call.auth.isAdmin)
    throw forbidden(`Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.`);
  return projectId;
}

// ---- registration ----------------------------------------------------------------------------

export function registerCatalogRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const V = '/v2.1';

  app.get('/', () => {
    const { 'media-types': _mediaTypes, ...v21 } = versionV21(ctx);
    return { versions: [v21] };
  });
  // Version discovery needs no token; Nova still answers with the base microversion.
  const versionDoc = (_req: FastifyRequest, reply: FastifyReply): Json => {
    reply.headers({
      'OpenStack-API-Version': 'compute 2.1',
      'X-OpenStack-Nova-API-Version': '2.1',
      Vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
    });
    return { version: versionV21(ctx) };
  };
  app.get(V, versionDoc);
  app.get(`${V}/`, versionDoc);

  // flavors
  app.get(`${V}/flavors`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const out: Json = {
      flavors: listFlavors(call, req).map((f) => ({
        id: f.id,
        name: f.name,
        links: flavorLinks(ctx, f.id),
        ...(atLeast(call.v, '2.55') ? { description: f.description } : {}),
      })),
    };
    return out;
  });
  app.get(`${V}/flavors/detail`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    return { flavors: listFlavors(call, req).map((f) => renderFlavor(call, f)) };
  });
  app.get(`${V}/flavors/:id`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    return { flavor: renderFlavor(call, flavorOr404(call, pathParam(req, 'id'))) };
  });
  app.post(`${V}/flavors`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-flavor-manage:create');
    const f = parseFlavorCreate(call, req.body);
    ctx.store.transaction(() => {
      if (ctx.store.get(KIND.flavor, f.id)) throw conflict(`Flavor with ID ${f.id} already exists.`);
      if (ctx.store.list<FlavorDoc>(KIND.flavor).some((x) => x.name === f.name))
        throw conflict(`Flavor with name ${f.name} already exists.`);
      ctx.store.insert(KIND.flavor, f, null);
    });
    return { flavor: renderFlavor(call, f) };
  });
  app.put(`${V}/flavors/:id`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-flavor-manage:update');
    if (!atLeast(call.v, '2.55')) throw notFound('The resource could not be found.');
    const f = flavorOr404(call, pathParam(req, 'id'));
    const body = requireEnvelope(req.body, 'flavor');
    const next = {
      ...f,
      description: body.description === null ? null : String(body.description ?? f.description ?? ''),
    };
    ctx.store.update(KIND.flavor, next);
    return { flavor: renderFlavor(call, next) };
  });
  app.delete(`${V}/flavors/:id`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-flavor-manage:delete');
    const f = flavorOr404(call, pathParam(req, 'id'));
    ctx.store.transaction(() => {
      ctx.store.delete(KIND.flavor, f.id);
      for (const a of ctx.store.list<FlavorAccessDoc>(KIND.flavorAccess))
        if (a.flavor_id === f.id) ctx.store.delete(KIND.flavorAccess, a.id);
    });
    reply.code(202);
    return reply.send();
  });
  app.get(`${V}/flavors/:id/os-extra_specs`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    return { extra_specs: flavorOr404(call, pathParam(req, 'id')).extra_specs };
  });
  app.post(`${V}/flavors/:id/os-extra_specs`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-flavor-extra-specs:create');
    const f = flavorOr404(call, pathParam(req, 'id'));
    const specs = stringMap((req.body ?? {}) as Json, 'extra_specs');
    if (!specs)
      throw badRequest(`Invalid input for field/attribute extra_specs. Value: None. None is not of type 'object'`);
    ctx.store.update(KIND.flavor, { ...f, extra_specs: { ...f.extra_specs, ...specs } });
    return { extra_specs: specs };
  });
  app.get(`${V}/flavors/:id/os-extra_specs/:key`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const f = flavorOr404(call, pathParam(req, 'id'));
    const key = pathParam(req, 'key');
    const value = f.extra_specs[key];
    if (value === undefined) throw notFound(`Flavor ${f.id} has no extra specs with key ${key}.`);
    return { [key]: value };
  });
  app.put(`${V}/flavors/:id/os-extra_specs/:key`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-flavor-extra-specs:update');
    const f = flavorOr404(call, pathParam(req, 'id'));
    const key = pathParam(req, 'key');
    const body = (req.body ?? {}) as Json;
    if (typeof body[key] !== 'string' || Object.keys(body).length !== 1)
      throw badRequest('Request body and URI mismatch');
    ctx.store.update(KIND.flavor, { ...f, extra_specs: { ...f.extra_specs, [key]: body[key] as string } });
    return { [key]: body[key] };
  });
  app.delete(`${V}/flavors/:id/os-extra_specs/:key`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-flavor-extra-specs:delete');
    const f = flavorOr404(call, pathParam(req, 'id'));
    const key = pathParam(req, 'key');
    if (f.extra_specs[key] === undefined) throw notFound(`Flavor ${f.id} has no extra specs with key ${key}.`);
    const extra = { ...f.extra_specs };
    delete extra[key];
    ctx.store.update(KIND.flavor, { ...f, extra_specs: extra });
    return reply.send();
  });
  const accessList = (f: FlavorDoc): Json => ({
    flavor_access: ctx.store
      .list<FlavorAccessDoc>(KIND.flavorAccess)
      .filter((a) => a.flavor_id === f.id)
      .map((a) => ({ flavor_id: a.flavor_id, tenant_id: a.tenant_id })),
  });
  app.get(`${V}/flavors/:id/os-flavor-access`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const f = flavorOr404(call, pathParam(req, 'id'));
    if (f.is_public) throw notFound('Access list not available for public flavors.');
    return accessList(f);
  });
  app.post(`${V}/flavors/:id/action`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-flavor-access:add_tenant_access');
    const f = flavorOr404(call, pathParam(req, 'id'));
    const body = (req.body ?? {}) as Json;
    const add = body.addTenantAccess as Json | undefined;
    const remove = body.removeTenantAccess as Json | undefined;
    if (f.is_public) throw conflict(`Can not add access to a public flavor.`);
    if (add && typeof add.tenant === 'string') {
      const id = `${f.id}:${add.tenant}`;
      if (ctx.store.get(KIND.flavorAccess, id))
        throw conflict(`Flavor access already exists for flavor ${f.id} and project ${add.tenant} combination.`);
      ctx.store.insert<FlavorAccessDoc>(KIND.flavorAccess, { id, flavor_id: f.id, tenant_id: add.tenant }, null);
    } else if (remove && typeof remove.tenant === 'string') {
      if (!ctx.store.delete(KIND.flavorAccess, `${f.id}:${remove.tenant}`))
        throw notFound(`Flavor access not found for ${f.id} / ${remove.tenant} combination.`);
    } else {
      throw badRequest('There is no such action');
    }
    return accessList(f);
  });

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

  // server groups
  app.get(`${V}/os-server-groups`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const { one } = queryParams(req);
    const all = call.auth.isAdmin && isTruthy(one.all_projects);
    const groups = novaOffsetPage(
      ctx.store.list<ServerGroupDoc>(KIND.serverGroup, all ? undefined : { projectId: call.auth.projectId }),
      one,
    );
    return { server_groups: groups.map((g) => renderServerGroup(call, g)) };
  });
  app.post(`${V}/os-server-groups`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const parsed = parseServerGroup(call, req.body);
    const g = ctx.store.transaction(() => {
      enforceServerGroupQuota(ctx, call.auth.projectId);
      const doc: ServerGroupDoc = {
        id: ctx.newId(),
        name: parsed.name,
        policy: parsed.policy,
        rules: parsed.rules,
        members: [],
        project_id: call.auth.projectId,
        user_id: call.auth.userId,
        metadata: {},
      };
      return ctx.store.insert(KIND.serverGroup, doc, call.auth.projectId);
    });
    return { server_group: renderServerGroup(call, g) };
  });
  const groupOr404 = (call: NovaCall, id: string): ServerGroupDoc => {
    const g = ctx.store.get<ServerGroupDoc>(KIND.serverGroup, id);
    if (!g || (g.project_id !== call.auth.projectId && !call.auth.isAdmin))
      throw notFound(`Instance group ${id} could not be found.`);
    return g;
  };
  app.get(`${V}/os-server-groups/:id`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const g = groupOr404(call, pathParam(req, 'id'));
    const live = new Set(
      loadServers(ctx, g.project_id)
        .filter((s) => s._gone_at === null)
        .map((s) => s.id),
    );
    return { server_group: renderServerGroup(call, { ...g, members: g.members.filter((m) => live.has(m)) }) };
  });
  app.delete(`${V}/os-server-groups/:id`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const g = groupOr404(call, pathParam(req, 'id'));
    ctx.store.delete(KIND.serverGroup, g.id);
    reply.code(204);
    return reply.send();
  });

  // availability zones
  app.get(`${V}/os-availability-zone`, (req, reply) => {
    beginNova(ctx, req, reply);
    return { availabilityZoneInfo: [{ zoneName: AVAILABILITY_ZONE, zoneState: { available: true }, hosts: null }] };
  });
  app.get(`${V}/os-availability-zone/detail`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-availability-zone:detail');
    const updated = novaMicroTime(ctx.now());
    const svc = { available: true, active: true, updated_at: updated };
    return {
      availabilityZoneInfo: [
        {
          zoneName: 'internal',
          zoneState: { available: true },
          hosts: { [COMPUTE_HOST]: { 'nova-conductor': svc, 'nova-scheduler': svc } },
        },
        {
          zoneName: AVAILABILITY_ZONE,
          zoneState: { available: true },
          hosts: { [COMPUTE_HOST]: { 'nova-compute': svc } },
        },
      ],
    };
  });

  // limits and quotas
  app.get(`${V}/limits`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const tenant = queryParams(req).one.tenant_id;
    const projectId = tenant !== undefined && call.auth.isAdmin ? tenant : call.auth.projectId;
    return { limits: { rate: [], absolute: absoluteLimits(ctx, call.v, projectId) } };
  });
  app.get(`${V}/os-quota-sets/:projectId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    return { quota_set: quotaSetView(call, quotaTarget(call, pathParam(req, 'projectId')), true) };
  });
  app.get(`${V}/os-quota-sets/:projectId/defaults`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const projectId = pathParam(req, 'projectId');
    const out: Json = { id: projectId };
    for (const r of visibleQuotaResources(call.v)) out[r] = COMPUTE_QUOTA_DEFAULTS[r];
    return { quota_set: out };
  });
  app.get(`${V}/os-quota-sets/:projectId/detail`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const projectId = quotaTarget(call, pathParam(req, 'projectId'));
    const limits = quotaLimitsOf(ctx, projectId);
    const used = quotaUsageByResource(ctx, projectId, call.auth.userId);
    const out: Json = { id: projectId };
    for (const r of visibleQuotaResources(call.v)) out[r] = { in_use: used[r] ?? 0, limit: limits[r], reserved: 0 };
    return { quota_set: out };
  });
  app.put(`${V}/os-quota-sets/:projectId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-quota-sets:update');
    const projectId = pathParam(req, 'projectId');
    const body = requireEnvelope(req.body, 'quota_set');
    const visible = new Set(visibleQuotaResources(call.v));
    const stored = ctx.store.get<ComputeQuotaDoc>(KIND.quota, projectId);
    const limits: Partial<Record<ComputeQuotaResource, number>> = { ...(stored?.limits ?? {}) };
    const usage = usageOf(ctx, projectId);
    const force = isTrue(body.force, BODY_BOOLEAN);
    for (const [key, raw] of Object.entries(body)) {
      if (key === 'force') continue;
      if (!COMPUTE_QUOTA_RESOURCES.includes(key as ComputeQuotaResource) || !visible.has(key as ComputeQuotaResource)) {
        throw badRequest(
          `Invalid input for field/attribute quota_set. Value: ${pythonRepr(body)}. Additional properties are not allowed ('${key}' was unexpected)`,
        );
      }
      const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < -1) {
        throw badRequest(
          `Invalid input for field/attribute ${key}. Value: ${pythonRepr(raw)}. ${pythonRepr(raw)} is less than the minimum of -1`,
        );
      }
      const inUse = (usage as unknown as Record<string, number>)[key];
      if (!force && n !== -1 && inUse !== undefined && n < inUse) {
        throw badRequest(
          `Quota limit ${n} for ${key} must be greater than or equal to already used and reserved ${inUse}.`,
        );
      }
      limits[key as ComputeQuotaResource] = n;
    }
    if (stored) ctx.store.update(KIND.quota, { id: projectId, limits });
    else ctx.store.insert<ComputeQuotaDoc>(KIND.quota, { id: projectId, limits }, projectId);
    return { quota_set: quotaSetView(call, projectId, false) };
  });
  app.delete(`${V}/os-quota-sets/:projectId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-quota-sets:delete');
    ctx.store.delete(KIND.quota, pathParam(req, 'projectId'));
    reply.code(202);
    return reply.send();
  });

  // usage (openstack usage list/show): hours of the live servers inside the window
  const tenantUsages = (req: FastifyRequest, projectFilter: string | undefined): Json[] => {
    const { one } = queryParams(req);
    const nowMs = ctx.now().getTime();
    const parse = (v: string | undefined, dflt: number): number => {
      if (v === undefined) return dflt;
      const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
      if (Number.isNaN(t)) throw badRequest(`Invalid start time. The start time cannot occur after the end time.`);
      return t;
    };
    const start = parse(one.start, nowMs);
    const end = Math.min(parse(one.end, nowMs), nowMs);
    const detailed = isTruthy(one.detailed);
    const byProject = new Map<string, Json[]>();
    for (const s of loadServers(ctx, projectFilter)) {
      if (s.launched_at === null) continue;
      const launched = Date.parse(`${s.launched_at.slice(0, 19)}Z`);
      const from = Math.max(start, launched);
      const hours = Math.max(0, end - from) / 3_600_000;
      const f = ctx.store.get<FlavorDoc>(KIND.flavor, s.flavor_id);
      const row: Json = {
        instance_id: s.id,
        name: s.name,
        hours,
        memory_mb: f?.ram ?? 0,
        local_gb: f?.disk ?? 0,
        vcpus: f?.vcpus ?? 0,
        tenant_id: s.tenant_id,
        flavor: f?.name ?? s.flavor_id,
        started_at: s.launched_at,
        ended_at: null,
        state: s.state.vm_state,
        uptime: Math.floor(Math.max(0, nowMs - launched) / 1000),
      };
      byProject.set(s.tenant_id, [...(byProject.get(s.tenant_id) ?? []), row]);
    }
    const iso = (t: number): string =>
      new Date(t)
        .toISOString()
        .replace('Z', '')
        .replace(/\.(\d{3})$/, '.$1000');
    return [...byProject.entries()].map(([tenant, rows]) => {
      const sum = (k: string): number =>
        rows.reduce((n, r) => n + (r.hours as number) * (k === 'hours' ? 1 : (r[k] as number)), 0);
      const out: Json = {
        tenant_id: tenant,
        total_local_gb_usage: sum('local_gb'),
        total_vcpus_usage: sum('vcpus'),
        total_memory_mb_usage: sum('memory_mb'),
        total_hours: sum('hours'),
        start: iso(start),
        stop: iso(end),
      };
      if (detailed || projectFilter !== undefined) out.server_usages = rows;
      return out;
    });
  };
  app.get(`${V}/os-simple-tenant-usage`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-simple-tenant-usage:list');
    return { tenant_usages: tenantUsages(req, undefined) };
  });
  app.get(`${V}/os-simple-tenant-usage/:projectId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const projectId = quotaTarget(call, pathParam(req, 'projectId'));
    const [usage] = tenantUsages(req, projectId);
    return { tenant_usage: usage ?? {} };
  });

  // host views
  app.get(`${V}/os-services`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-services:list');
    const updated = novaMicroTime(ctx.now());
    const row = (id: number | string, binary: string, zone: string): Json => ({
      id,
      binary,
      disabled_reason: null,
      host: COMPUTE_HOST,
      state: 'up',
      status: 'enabled',
      updated_at: updated,
      zone,
      ...(atLeast(call.v, '2.11') ? { forced_down: false } : {}),
    });
    const uuidish = atLeast(call.v, '2.53');
    return {
      services: [
        row(uuidish ? '2d1a3c4e-0000-4000-8000-000000000001' : 1, 'nova-scheduler', 'internal'),
        row(uuidish ? '2d1a3c4e-0000-4000-8000-000000000002' : 2, 'nova-conductor', 'internal'),
        row(uuidish ? '2d1a3c4e-0000-4000-8000-000000000003' : 3, 'nova-compute', AVAILABILITY_ZONE),
      ],
    };
  });
  app.get(`${V}/os-hypervisors`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-hypervisors:list');
    const id = atLeast(call.v, '2.53') ? '9e2e9d6c-0000-4000-8000-000000000001' : 1;
    return { hypervisors: [{ id, hypervisor_hostname: COMPUTE_HOST, state: 'up', status: 'enabled' }] };
  });
  app.get(`${V}/os-hypervisors/detail`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireNovaAdmin(call, 'os_compute_api:os-hypervisors:list-detail');
    const id = atLeast(call.v, '2.53') ? '9e2e9d6c-0000-4000-8000-000000000001' : 1;
    const base: Json = {
      id,
      hypervisor_hostname: COMPUTE_HOST,
      state: 'up',
      status: 'enabled',
      hypervisor_type: 'QEMU',
      hypervisor_version: 7002000,
      host_ip: '127.0.0.1',
      service: {
        host: COMPUTE_HOST,
        id: atLeast(call.v, '2.53') ? '2d1a3c4e-0000-4000-8000-000000000003' : 3,
        disabled_reason: null,
      },
    };
    if (!atLeast(call.v, '2.88')) {
      const servers = loadServers(ctx).filter((s) => s._gone_at === null);
      let vcpusUsed = 0;
      let ramUsed = 0;
      let diskUsed = 0;
      for (const s of servers) {
        const f = ctx.store.get<FlavorDoc>(KIND.flavor, s.flavor_id);
        vcpusUsed += f?.vcpus ?? 0;
        ramUsed += f?.ram ?? 0;
        diskUsed += f?.disk ?? 0;
      }
      Object.assign(base, {
        vcpus: 64,
        memory_mb: 262144,
        local_gb: 2000,
        vcpus_used: vcpusUsed,
        memory_mb_used: ramUsed + 512,
        local_gb_used: diskUsed,
        free_ram_mb: 262144 - ramUsed - 512,
        free_disk_gb: 2000 - diskUsed,
        current_workload: 0,
        running_vms: servers.length,
        disk_available_least: 2000 - diskUsed,
        cpu_info: '{"arch": "x86_64", "model": "qemu64", "vendor": "AMD"}',
      });
    } else {
      base.uptime = null;
    }
    return { hypervisors: [base] };
  });
}

/** Seed: flavors m1.tiny … m1.xlarge with Nova's classic ids 1–5. */
export function seedNova(ctx: SandboxContext): void {
  const flavors: [string, string, number, number, number][] = [
    ['1', 'm1.tiny', 1, 512, 1],
    ['2', 'm1.small', 1, 2048, 20],
    ['3', 'm1.medium', 2, 4096, 40],
    ['4', 'm1.large', 4, 8192, 80],
    ['5', 'm1.xlarge', 8, 16384, 160],
  ];
  for (const [id, name, vcpus, ram, disk] of flavors) {
    const f: FlavorDoc = {
      id,
      name,
      vcpus,
      ram,
      disk,
      swap: 0,
      ephemeral: 0,
      rxtx_factor: 1.0,
      is_public: true,
      disabled: false,
      description: null,
      extra_specs: {},
    };
    ctx.store.insert(KIND.flavor, f, null);
  }
}
