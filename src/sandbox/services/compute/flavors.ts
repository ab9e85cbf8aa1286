/** Nova flavors: list (filters, sort, pages), show, create/update/delete (admin), extra specs and access. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { badRequest, conflict, notFound } from './api-fault.js';
import { requireEnvelope, stringMap } from './request-body.js';
import {
  beginNova,
  isTruthy,
  novaPage,
  pathParam,
  queryParams,
  requireNovaAdmin,
  type NovaCall,
  type Json,
  V,
} from './call.js';
import { atLeast } from './microversion.js';
import { KIND, type FlavorAccessDoc, type FlavorDoc } from './model.js';
import { pythonRepr } from './python-repr.js';

export function flavorLinks(ctx: SandboxContext, id: string): Json[] {
  return [
    { rel: 'self', href: `${ctx.publicUrl}/compute/v2.1/flavors/${id}` },
    { rel: 'bookmark', href: `${ctx.publicUrl}/compute/flavors/${id}` },
  ];
}

export function renderFlavor(call: NovaCall, f: FlavorDoc): Json {
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

export function flavorVisible(call: NovaCall, f: FlavorDoc): boolean {
  if (f.is_public || call.auth.isAdmin) return true;
  return call.ctx.store.get<FlavorAccessDoc>(KIND.flavorAccess, `${f.id}:${call.auth.projectId}`) !== undefined;
}

export function flavorOr404(call: NovaCall, id: string): FlavorDoc {
  const f = call.ctx.store.get<FlavorDoc>(KIND.flavor, id);
  if (!f || !flavorVisible(call, f)) throw notFound(`Flavor ${id} could not be found.`);
  return f;
}

export function listFlavors(call: NovaCall, req: FastifyRequest): FlavorDoc[] {
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

export function parseFlavorCreate(call: NovaCall, body: unknown): FlavorDoc {
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

export function registerFlavorRoutes(app: FastifyInstance, ctx: SandboxContext): void {
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
}
