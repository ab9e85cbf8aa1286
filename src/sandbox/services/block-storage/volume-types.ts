/** Cinder volume types: list, default, show, create/update/delete (admin), extra specs and encryption. */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { apiFault, badRequest, notFound } from '../compute/api-fault.js';
import { requireEnvelope, stringMap } from '../compute/request-body.js';
import { DEFAULT_VOLUME_TYPE, KIND, type VolumeDoc, type VolumeTypeDoc } from './model.js';
import { volumeTypeByNameOrId } from './volume-state.js';
import { params, begin, requireAdmin, nullableString, P } from './call.js';

// ---- volume types --------------------------------------------------------------------------

export function renderType(t: VolumeTypeDoc): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    is_public: t.is_public,
    description: t.description,
    extra_specs: t.extra_specs,
    qos_specs_id: t.qos_specs_id,
    'os-volume-type-access:is_public': t.is_public,
  };
}

export function typeOr404(ctx: SandboxContext, id: string): VolumeTypeDoc {
  const t = volumeTypeByNameOrId(ctx, id);
  if (!t) throw notFound(`Volume type ${id} could not be found.`);
  return t;
}

export function defaultType(ctx: SandboxContext): VolumeTypeDoc {
  const t = volumeTypeByNameOrId(ctx, DEFAULT_VOLUME_TYPE) ?? ctx.store.list<VolumeTypeDoc>(KIND.type)[0];
  if (!t) throw apiFault(500, 'No default volume type is configured.');
  return t;
}

export function registerVolumeTypeRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  // volume types
  app.get(`${P}/types`, (req, reply) => {
    const call = begin(ctx, req, reply);
    const types = ctx.store.list<VolumeTypeDoc>(KIND.type).filter((t) => t.is_public || call.auth.isAdmin);
    return { volume_types: types.map(renderType) };
  });
  app.get(`${P}/types/default`, (req, reply) => {
    begin(ctx, req, reply);
    return { volume_type: renderType(defaultType(ctx)) };
  });
  app.get(`${P}/types/:id`, (req, reply) => {
    begin(ctx, req, reply);
    return { volume_type: renderType(typeOr404(ctx, params(req).id ?? '')) };
  });
  app.post(`${P}/types`, (req, reply) => {
    const call = begin(ctx, req, reply);
    requireAdmin(call, 'volume_extension:types_manage');
    const body = requireEnvelope(req.body, 'volume_type');
    const name = nullableString(body, 'name');
    if (!name) throw badRequest(`Invalid input for field/attribute name. Value: None. None is not of type 'string'`);
    if (volumeTypeByNameOrId(ctx, name)) throw apiFault(409, `Volume Type ${name} already exists.`);
    const t: VolumeTypeDoc = {
      id: ctx.newId(),
      name,
      description: nullableString(body, 'description') ?? null,
      is_public: body['os-volume-type-access:is_public'] !== false && body.is_public !== false,
      extra_specs: stringMap(body, 'extra_specs') ?? {},
      qos_specs_id: null,
      encryption: null,
    };
    ctx.store.insert(KIND.type, t, null);
    return { volume_type: renderType(t) };
  });
  app.put(`${P}/types/:id`, (req, reply) => {
    const call = begin(ctx, req, reply);
    requireAdmin(call, 'volume_extension:types_manage');
    const t = typeOr404(ctx, params(req).id ?? '');
    const body = requireEnvelope(req.body, 'volume_type');
    const next: VolumeTypeDoc = {
      ...t,
      name: nullableString(body, 'name') ?? t.name,
      description: nullableString(body, 'description') ?? t.description,
      is_public: typeof body.is_public === 'boolean' ? body.is_public : t.is_public,
    };
    ctx.store.update(KIND.type, next);
    return { volume_type: renderType(next) };
  });
  app.delete(`${P}/types/:id`, (req, reply) => {
    const call = begin(ctx, req, reply);
    requireAdmin(call, 'volume_extension:types_manage');
    const t = typeOr404(ctx, params(req).id ?? '');
    if (ctx.store.list<VolumeDoc>(KIND.volume).some((v) => v.volume_type_id === t.id)) {
      throw badRequest(`Target volume type is still in use.`);
    }
    ctx.store.delete(KIND.type, t.id);
    reply.code(202);
    return reply.send();
  });
  app.get(`${P}/types/:id/extra_specs`, (req, reply) => {
    begin(ctx, req, reply);
    return { extra_specs: typeOr404(ctx, params(req).id ?? '').extra_specs };
  });
  app.post(`${P}/types/:id/extra_specs`, (req, reply) => {
    const call = begin(ctx, req, reply);
    requireAdmin(call, 'volume_extension:types_extra_specs:create');
    const t = typeOr404(ctx, params(req).id ?? '');
    const specs = stringMap((req.body ?? {}) as Record<string, unknown>, 'extra_specs') ?? {};
    ctx.store.update(KIND.type, { ...t, extra_specs: { ...t.extra_specs, ...specs } });
    return { extra_specs: specs };
  });
  app.delete(`${P}/types/:id/extra_specs/:key`, (req, reply) => {
    const call = begin(ctx, req, reply);
    requireAdmin(call, 'volume_extension:types_extra_specs:delete');
    const t = typeOr404(ctx, params(req).id ?? '');
    const key = params(req).key ?? '';
    if (t.extra_specs[key] === undefined) throw notFound(`Volume Type ${t.id} has no extra specs with key ${key}.`);
    const extra = { ...t.extra_specs };
    delete extra[key];
    ctx.store.update(KIND.type, { ...t, extra_specs: extra });
    reply.code(202);
    return reply.send();
  });
  app.get(`${P}/types/:id/encryption`, (req, reply) => {
    begin(ctx, req, reply);
    const t = typeOr404(ctx, params(req).id ?? '');
    return t.encryption ?? {};
  });
}
