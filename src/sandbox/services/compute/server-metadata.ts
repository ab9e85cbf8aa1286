/** Server metadata and tags (2.26+). */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { badRequest, conflict, notFound } from './api-fault.js';
import { stringMap } from './request-body.js';
import { beginNova, novaTime, pathParam, type NovaCall, type Json, V } from './call.js';
import { atLeast } from './microversion.js';
import { KIND, type ServerDoc } from './model.js';
import { pythonRepr } from './python-repr.js';
import { enforceMetadataQuota } from './quotas.js';
import { visibleServer } from './server-state.js';

export function requireTagsVersion(call: NovaCall): void {
  if (!atLeast(call.v, '2.26')) throw notFound('The resource could not be found.');
}

export function validTag(tag: string): void {
  if (tag.length < 1 || tag.length > 60 || tag.includes('/') || tag.includes(',')) {
    throw badRequest(`Invalid input for field/attribute tag. Value: ${tag}. '${tag}' does not match '^[^,/]*$'`);
  }
}

/** Metadata bodies: a JSON object (the key inside is checked by stringMap). */
export function requireEnvelopeLoose(body: unknown): Json {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Malformed request body');
  return body as Json;
}

export function registerServerMetadataRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  // metadata
  const metadataOf = (call: NovaCall, id: string): ServerDoc => visibleServer(call, id);
  const saveMetadata = (call: NovaCall, doc: ServerDoc, metadata: Record<string, string>): void => {
    if (doc.locked && !call.auth.isAdmin) throw conflict(`Instance ${doc.id} is locked`);
    enforceMetadataQuota(ctx, doc.tenant_id, Object.keys(metadata).length);
    ctx.store.update(KIND.server, { ...doc, metadata, updated: novaTime(ctx.now()) });
  };
  app.get(`${V}/servers/:id/metadata`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    return { metadata: metadataOf(call, pathParam(req, 'id')).metadata };
  });
  app.post(`${V}/servers/:id/metadata`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = metadataOf(call, pathParam(req, 'id'));
    const md = stringMap(requireEnvelopeLoose(req.body), 'metadata') ?? {};
    const merged = { ...doc.metadata, ...md };
    saveMetadata(call, doc, merged);
    return { metadata: merged };
  });
  app.put(`${V}/servers/:id/metadata`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = metadataOf(call, pathParam(req, 'id'));
    const md = stringMap(requireEnvelopeLoose(req.body), 'metadata') ?? {};
    saveMetadata(call, doc, md);
    return { metadata: md };
  });
  app.get(`${V}/servers/:id/metadata/:key`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = metadataOf(call, pathParam(req, 'id'));
    const key = pathParam(req, 'key');
    const value = doc.metadata[key];
    if (value === undefined) throw notFound('Metadata item was not found');
    return { meta: { [key]: value } };
  });
  app.put(`${V}/servers/:id/metadata/:key`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = metadataOf(call, pathParam(req, 'id'));
    const key = pathParam(req, 'key');
    const meta = stringMap(requireEnvelopeLoose(req.body), 'meta') ?? {};
    const keys = Object.keys(meta);
    if (keys.length !== 1 || keys[0] !== key)
      throw badRequest(keys.length > 1 ? 'Request body contains too many items' : 'Request body and URI mismatch');
    saveMetadata(call, doc, { ...doc.metadata, ...meta });
    return { meta };
  });
  app.delete(`${V}/servers/:id/metadata/:key`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = metadataOf(call, pathParam(req, 'id'));
    const key = pathParam(req, 'key');
    if (doc.metadata[key] === undefined) throw notFound('Metadata item was not found');
    const md = { ...doc.metadata };
    delete md[key];
    saveMetadata(call, doc, md);
    reply.code(204);
    return reply.send();
  });

  // tags (2.26+)
  app.get(`${V}/servers/:id/tags`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireTagsVersion(call);
    return { tags: visibleServer(call, pathParam(req, 'id')).tags };
  });
  app.put(`${V}/servers/:id/tags`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireTagsVersion(call);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const tags = (req.body as Json | null)?.tags;
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))
      throw badRequest(
        `Invalid input for field/attribute tags. Value: ${pythonRepr(tags)}. ${pythonRepr(tags)} is not of type 'array'`,
      );
    if (tags.length > 50) throw badRequest('The number of tags exceeded the per-server limit 50');
    (tags as string[]).forEach(validTag);
    const unique = [...new Set(tags as string[])];
    ctx.store.update(KIND.server, { ...doc, tags: unique, updated: novaTime(ctx.now()) });
    return { tags: unique };
  });
  app.delete(`${V}/servers/:id/tags`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireTagsVersion(call);
    const doc = visibleServer(call, pathParam(req, 'id'));
    ctx.store.update(KIND.server, { ...doc, tags: [], updated: novaTime(ctx.now()) });
    reply.code(204);
    return reply.send();
  });
  app.get(`${V}/servers/:id/tags/:tag`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireTagsVersion(call);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const tag = pathParam(req, 'tag');
    if (!doc.tags.includes(tag)) throw notFound(`Tag '${tag}' could not be found.`);
    reply.code(204);
    return reply.send();
  });
  app.put(`${V}/servers/:id/tags/:tag`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireTagsVersion(call);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const tag = pathParam(req, 'tag');
    validTag(tag);
    if (doc.tags.includes(tag)) {
      reply.code(204);
      return reply.send();
    }
    if (doc.tags.length >= 50) throw badRequest('The number of tags exceeded the per-server limit 50');
    ctx.store.update(KIND.server, { ...doc, tags: [...doc.tags, tag], updated: novaTime(ctx.now()) });
    reply.code(201).header('Location', `${ctx.publicUrl}/compute/v2.1/servers/${doc.id}/tags/${tag}`);
    return reply.send();
  });
  app.delete(`${V}/servers/:id/tags/:tag`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    requireTagsVersion(call);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const tag = pathParam(req, 'tag');
    if (!doc.tags.includes(tag)) throw notFound(`Tag '${tag}' could not be found.`);
    ctx.store.update(KIND.server, { ...doc, tags: doc.tags.filter((t) => t !== tag), updated: novaTime(ctx.now()) });
    reply.code(204);
    return reply.send();
  });
}
