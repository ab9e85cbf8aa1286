/** A server's addresses by network (ips) and its ports (os-interface). */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { createPortForDevice, portsOfDevice, releasePort, type PortDoc } from '../network.js';
import { badRequest, notFound } from './api-fault.js';
import { requireEnvelope } from './request-body.js';
import { beginNova, pathParam, type NovaCall, type Json, V } from './call.js';
import { atLeast } from './microversion.js';
import { AVAILABILITY_ZONE, KIND } from './model.js';
import { addressesOf, serverRelations, visibleServer } from './server-state.js';
import { novaFromNeutron } from './server-request.js';
import { requireStates } from './server-actions.js';

export function renderInterface(port: PortDoc, call: NovaCall): Json {
  const out: Json = {
    net_id: port.network_id,
    port_id: port.id,
    mac_addr: port.mac_address,
    port_state: port.status,
    fixed_ips: port.fixed_ips.map((ip) => ({ subnet_id: ip.subnet_id, ip_address: ip.ip_address })),
  };
  if (atLeast(call.v, '2.70')) out.tag = null;
  return out;
}

export function registerServerInterfaceRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  // ips (addresses by network)
  app.get(`${V}/servers/:id/ips`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    return { addresses: addressesOf(serverRelations(ctx, doc.id), doc.id, true) };
  });
  app.get(`${V}/servers/:id/ips/:network`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const network = pathParam(req, 'network');
    const entries = addressesOf(serverRelations(ctx, doc.id), doc.id, true)[network];
    if (entries === undefined) throw notFound('Instance is not a member of specified network');
    return { [network]: entries };
  });

  // os-interface
  app.get(`${V}/servers/:id/os-interface`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    return { interfaceAttachments: portsOfDevice(ctx, doc.id).map((p) => renderInterface(p, call)) };
  });
  app.get(`${V}/servers/:id/os-interface/:portId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const port = portsOfDevice(ctx, doc.id).find((p) => p.id === pathParam(req, 'portId'));
    if (!port) throw notFound(`Port ${pathParam(req, 'portId')} is not attached`);
    return { interfaceAttachment: renderInterface(port, call) };
  });
  app.post(`${V}/servers/:id/os-interface`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    requireStates(doc, 'attach_interface', ['active', 'paused', 'stopped']);
    const body = requireEnvelope(req.body, 'interfaceAttachment');
    const portId = typeof body.port_id === 'string' ? body.port_id : undefined;
    const netId = typeof body.net_id === 'string' ? body.net_id : undefined;
    if (portId === undefined && netId === undefined) throw badRequest('Must input network_id when request IP address');
    if (portId !== undefined && netId !== undefined) throw badRequest('Must not input both network_id and port_id');
    const fixedIps = Array.isArray(body.fixed_ips) ? (body.fixed_ips as Json[]) : [];
    const fixedIp = typeof fixedIps[0]?.ip_address === 'string' ? (fixedIps[0].ip_address as string) : undefined;
    const port = ctx.store.transaction(() => {
      try {
        const created = createPortForDevice(ctx, call.auth, {
          ...(portId !== undefined ? { portId } : { networkId: netId ?? '' }),
          ...(fixedIp !== undefined ? { fixedIp } : {}),
          deviceId: doc.id,
          deviceOwner: `compute:${AVAILABILITY_ZONE}`,
        });
        if (portId === undefined)
          ctx.store.update(KIND.server, { ...doc, _nova_ports: [...doc._nova_ports, created.id] });
        return created;
      } catch (err) {
        throw novaFromNeutron(err);
      }
    });
    return { interfaceAttachment: renderInterface(port, call) };
  });
  app.delete(`${V}/servers/:id/os-interface/:portId`, (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const portId = pathParam(req, 'portId');
    if (!portsOfDevice(ctx, doc.id).some((p) => p.id === portId)) throw notFound(`Port ${portId} is not attached`);
    ctx.store.transaction(() => releasePort(ctx, portId));
    reply.code(202);
    return reply.send();
  });
}
