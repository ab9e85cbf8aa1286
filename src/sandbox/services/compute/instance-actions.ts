/**
 * os-instance-actions: what was done to a server, by whom and when
 * (`openstack server event list/show`). Each successful server-changing request
 * is recorded once, from an onResponse hook, under its request id.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { notFound } from './api-fault.js';
import { beginNova, callOf, novaLaunchTime, pathParam, type NovaCall } from './call.js';
import { atLeast } from './microversion.js';
import { COMPUTE_HOST, KIND } from './model.js';
import { hostIdFor, visibleServer } from './server-state.js';

export interface InstanceActionDoc {
  /** The request id (`req-<uuid>`). */
  id: string;
  instance_uuid: string;
  action: string;
  user_id: string;
  project_id: string;
  start_time: string;
}

/** Server ids created by a POST /servers, for the hook (the path does not name them). */
const created = new WeakMap<FastifyRequest, string[]>();

export function noteCreatedServers(req: FastifyRequest, ids: string[]): void {
  created.set(req, ids);
}

const ACTION_NAMES: Record<string, string> = {
  'os-stop': 'stop',
  'os-start': 'start',
  reboot: 'reboot',
  rebuild: 'rebuild',
  resize: 'resize',
  confirmResize: 'confirmResize',
  revertResize: 'revertResize',
  pause: 'pause',
  unpause: 'unpause',
  suspend: 'suspend',
  resume: 'resume',
  lock: 'lock',
  unlock: 'unlock',
  changePassword: 'changePassword',
  'os-resetState': 'resetState',
};

function actionOf(req: FastifyRequest): { serverIds: string[]; action: string } | undefined {
  const path = (req.url.split('?')[0] ?? '').replace(/^\/compute\/v2\.1/, '');
  const m = /^\/servers(?:\/([^/]+)(\/.*)?)?$/.exec(path);
  if (!m) return undefined;
  const [, id, rest] = m;
  if (id === undefined)
    return req.method === 'POST' ? { serverIds: created.get(req) ?? [], action: 'create' } : undefined;
  if (rest === undefined) return req.method === 'DELETE' ? { serverIds: [id], action: 'delete' } : undefined;
  if (rest === '/action' && req.method === 'POST') {
    const key = Object.keys((req.body ?? {}) as Record<string, unknown>)[0] ?? '';
    const action = ACTION_NAMES[key];
    return action === undefined ? undefined : { serverIds: [id], action };
  }
  if (/^\/os-volume_attachments(\/[^/]+)?$/.test(rest)) {
    if (req.method === 'POST') return { serverIds: [id], action: 'attach_volume' };
    if (req.method === 'DELETE') return { serverIds: [id], action: 'detach_volume' };
    if (req.method === 'PUT') return { serverIds: [id], action: 'swap_volume' };
  }
  if (/^\/os-interface(\/[^/]+)?$/.test(rest)) {
    if (req.method === 'POST') return { serverIds: [id], action: 'attach_interface' };
    if (req.method === 'DELETE') return { serverIds: [id], action: 'detach_interface' };
  }
  return undefined;
}

function record(ctx: SandboxContext, req: FastifyRequest, reply: FastifyReply): void {
  if (reply.statusCode >= 300) return;
  const call = callOf(req);
  const what = actionOf(req);
  if (!call || !what) return;
  const requestId = String(reply.getHeader('x-openstack-request-id') ?? `req-${ctx.newId()}`);
  ctx.store.transaction(() => {
    for (const serverId of what.serverIds) {
      const doc: InstanceActionDoc = {
        id: what.serverIds.length > 1 ? `${requestId}:${serverId}` : requestId,
        instance_uuid: serverId,
        action: what.action,
        user_id: call.auth.userId,
        project_id: call.auth.projectId,
        start_time: novaLaunchTime(ctx.now()),
      };
      if (!ctx.store.get(KIND.instanceAction, doc.id)) ctx.store.insert(KIND.instanceAction, doc, call.auth.projectId);
    }
  });
}

function render(call: NovaCall, a: InstanceActionDoc, withEvents: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    action: a.action,
    instance_uuid: a.instance_uuid,
    message: null,
    project_id: a.project_id,
    request_id: a.id.split(':')[0],
    start_time: a.start_time,
    user_id: a.user_id,
  };
  if (atLeast(call.v, '2.58')) body.updated_at = a.start_time;
  if (withEvents) {
    const event: Record<string, unknown> = {
      event: `compute_${a.action}`,
      start_time: a.start_time,
      finish_time: a.start_time,
      result: 'Success',
    };
    if (call.auth.isAdmin) event.traceback = null;
    if (atLeast(call.v, '2.62')) {
      event.hostId = hostIdFor(a.project_id);
      if (call.auth.isAdmin) event.host = COMPUTE_HOST;
    }
    if (atLeast(call.v, '2.84') && call.auth.isAdmin) event.details = null;
    // Before 2.51 only admins see the events.
    if (call.auth.isAdmin || atLeast(call.v, '2.51')) body.events = [event];
  }
  return body;
}

export function registerInstanceActionRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.addHook('onResponse', async (req, reply) => {
    try {
      record(ctx, req, reply);
    } catch (err) {
      ctx.log(
        `compute: could not record the instance action of ${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  });
  const actionsOf = (serverId: string): InstanceActionDoc[] =>
    ctx.store
      .list<InstanceActionDoc>(KIND.instanceAction)
      .filter((a) => a.instance_uuid === serverId)
      .reverse();
  app.get('/v2.1/servers/:id/os-instance-actions', (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    return { instanceActions: actionsOf(doc.id).map((a) => render(call, a, false)) };
  });
  app.get('/v2.1/servers/:id/os-instance-actions/:requestId', (req, reply) => {
    const call = beginNova(ctx, req, reply);
    const doc = visibleServer(call, pathParam(req, 'id'));
    const requestId = pathParam(req, 'requestId');
    const action = actionsOf(doc.id).find((a) => a.id.split(':')[0] === requestId);
    if (!action) throw notFound(`Action ${requestId} on instance ${doc.id} could not be found.`);
    return { instanceAction: render(call, action, true) };
  });
}
