/**
 * Nova /servers: create (ports through Neutron, volumes through Cinder,
 * server group membership, quotas), list/detail with filters, show, update,
 * delete, metadata, tags, actions, os-interface and os-volume_attachments.
 *
 * The collection and each server are here; the create request, listing,
 * actions and sub-resources are in their own server-*.ts modules.
 */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { attachmentsOfServer, beginVolumeDelete, detachVolume, volumeById } from '../block-storage.js';
import { releaseDevicePorts } from '../network.js';
import { badRequest, conflict } from './api-fault.js';
import { requireEnvelope } from './request-body.js';
import { beginNova, novaTime, pathParam, queryParams, type NovaCall, V } from './call.js';
import { BODY_BOOLEAN, isTrue } from '../../core/booleans.js';
import { noteCreatedServers } from './instance-actions.js';
import { emitServerLifecycle } from './lifecycle.js';
import { atLeast } from './microversion.js';
import { KIND, type ServerDoc, type ServerGroupDoc } from './model.js';
import { pythonRepr } from './python-repr.js';
import { dueAt, renderBasicServer, renderServer, serverLinks, serverRelations, visibleServer } from './server-state.js';
import { createServers } from './server-create.js';
import { accessIp } from './server-request.js';
import { listServers, serversLinks } from './server-list.js';
import { serverAction } from './server-actions.js';
import { registerServerMetadataRoutes } from './server-metadata.js';
import { registerServerInterfaceRoutes } from './server-interfaces.js';
import { registerServerVolumeRoutes } from './server-volumes.js';

// ---- delete ------------------------------------------------------------------------------------

function deleteServer(call: NovaCall, doc: ServerDoc): void {
  const { ctx } = call;
  if (doc._gone_at !== null) return;
  if (doc.locked && !call.auth.isAdmin) throw conflict(`Instance ${doc.id} is locked`);
  const finished = ctx.store.transaction(() => {
    releaseDevicePorts(ctx, doc.id);
    for (const att of attachmentsOfServer(ctx, doc.id)) {
      detachVolume(ctx, att.id, true);
      if (att._delete_on_termination) {
        const view = volumeById(ctx, att.volume_id);
        if (view) beginVolumeDelete(ctx, view.volume);
      }
    }
    for (const g of ctx.store.list<ServerGroupDoc>(KIND.serverGroup)) {
      if (g.members.includes(doc.id))
        ctx.store.update(KIND.serverGroup, { ...g, members: g.members.filter((m) => m !== doc.id) });
    }
    const goneAt = dueAt(ctx);
    if (goneAt <= ctx.now().getTime()) {
      ctx.store.delete(KIND.server, doc.id);
    } else {
      ctx.store.update(KIND.server, { ...doc, _gone_at: goneAt, _pending: null, updated: novaTime(ctx.now()) });
    }
    return doc;
  });
  emitServerLifecycle(
    {
      sandboxUrl: ctx.publicUrl,
      serverId: finished.id,
      projectId: finished.tenant_id,
      name: finished.name,
      event: 'deleted',
      userData: finished.user_data,
      metadata: finished.metadata,
    },
    ctx.log,
  );
}

export function registerServerRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post(`${V}/servers`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const { first, adminPass, requestedGroups, reservationId, ids } = createServers(call, req.body);
    noteCreatedServers(req, ids);
    reply.code(202).header('Location', `${ctx.publicUrl}/compute/v2.1/servers/${first.id}`);
    const server = requireEnvelope(req.body, 'server');
    if (isTrue(server.return_reservation_id, BODY_BOOLEAN)) return { reservation_id: reservationId };
    return {
      server: {
        id: first.id,
        links: serverLinks(ctx, first.id),
        'OS-DCF:diskConfig': first.disk_config,
        security_groups: requestedGroups.map((name) => ({ name })),
        adminPass,
      },
    };
  });

  app.get(`${V}/servers`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const { docs, next } = listServers(call, req, false);
    return {
      servers: docs.map((d) => ({ id: d.id, name: d.name, links: serverLinks(ctx, d.id) })),
      ...serversLinks(call, 'servers', next, queryParams(req).one.limit),
    };
  });

  app.get(`${V}/servers/detail`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const { docs, next } = listServers(call, req, true);
    const rel = serverRelations(ctx);
    return {
      servers: docs.map((d) => renderServer(call, d, false, rel)),
      ...serversLinks(call, 'servers/detail', next, queryParams(req).one.limit),
    };
  });

  app.get(`${V}/servers/:id`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    return { server: renderServer(call, visibleServer(call, pathParam(req, 'id')), true) };
  });

  app.put(`${V}/servers/:id`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const body = requireEnvelope(req.body, 'server');
    const next: ServerDoc = { ...doc };
    if (body.name !== undefined) {
      if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 255)
        throw badRequest(
          `Invalid input for field/attribute name. Value: ${pythonRepr(body.name)}. ${pythonRepr(body.name)} is not of type 'string'`,
        );
      next.name = body.name;
    }
    if (body.description !== undefined) {
      if (!atLeast(call.v, '2.19'))
        throw badRequest(
          `Invalid input for field/attribute server. Value: ${pythonRepr(body)}. Additional properties are not allowed ('description' was unexpected)`,
        );
      next.description = body.description === null ? null : String(body.description);
    }
    if (body.accessIPv4 !== undefined) next.access_ipv4 = accessIp('accessIPv4', body.accessIPv4);
    if (body.accessIPv6 !== undefined) next.access_ipv6 = accessIp('accessIPv6', body.accessIPv6);
    if (typeof body.hostname === 'string' && atLeast(call.v, '2.90')) next.hostname = body.hostname;
    ctx.store.update(KIND.server, next);
    return { server: atLeast(call.v, '2.75') ? renderServer(call, next, true) : renderBasicServer(call, next) };
  });

  app.delete(`${V}/servers/:id`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    deleteServer(call, visibleServer(call, pathParam(req, 'id')));
    reply.code(204);
    return reply.send();
  });

  app.post(`${V}/servers/:id/action`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const out = ctx.store.transaction(() => serverAction(call, doc, req.body, reply));
    return out === undefined ? reply.send() : out;
  });

  registerServerMetadataRoutes(app, ctx);
  registerServerInterfaceRoutes(app, ctx);
  registerServerVolumeRoutes(app, ctx);
}
