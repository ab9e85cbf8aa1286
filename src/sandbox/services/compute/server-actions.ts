/** POST /servers/{id}/action: state checks and every action the sandbox answers. */
import type { FastifyReply } from 'fastify';
import { SandboxHttpError } from '../../core/errors.js';
import { portsOfDevice, type PortDoc } from '../network.js';
import { badRequest, conflict, forbidden, notFound } from './api-fault.js';
import { stringMap } from './request-body.js';
import { novaTime, type NovaCall, type Json } from './call.js';
import { atLeast } from './microversion.js';
import { KIND, type FlavorDoc, type ServerDoc, type VmState } from './model.js';
import { pythonRepr } from './python-repr.js';
import { enforceInstanceQuota } from './quotas.js';
import { STATE, dueAt, renderBasicServer, renderServer, scheduleTransition } from './server-state.js';
import { lastSegment, generatedPassword, imageDoc, canSeeImage, requireFlavor } from './server-request.js';

// ---- actions ------------------------------------------------------------------------------------

export function stateConflict(doc: ServerDoc, action: string): SandboxHttpError {
  return conflict(`Cannot '${action}' instance ${doc.id} while it is in vm_state ${doc.state.vm_state}`);
}

export function taskConflict(doc: ServerDoc, action: string): SandboxHttpError {
  return conflict(`Cannot '${action}' instance ${doc.id} while it is in task_state ${doc.state.task_state ?? 'None'}`);
}

export function requireStates(doc: ServerDoc, action: string, vmStates: string[]): void {
  if (doc._pending !== null || doc._gone_at !== null) throw taskConflict(doc, action);
  if (!vmStates.includes(doc.state.vm_state)) throw stateConflict(doc, action);
}

export function requireUnlocked(call: NovaCall, doc: ServerDoc): void {
  if (doc.locked && !call.auth.isAdmin) throw conflict(`Instance ${doc.id} is locked`);
}

export function transition(
  call: NovaCall,
  doc: ServerDoc,
  interim: VmState,
  to: VmState,
  event: 'active' | 'stopped' | undefined,
  extra: Partial<NonNullable<ServerDoc['_pending']>> = {},
): ServerDoc {
  return scheduleTransition(call.ctx, doc, interim, {
    at: dueAt(call.ctx),
    to,
    ...(event !== undefined ? { event } : {}),
    ...extra,
  });
}

export function updatePortSecurityGroups(call: NovaCall, doc: ServerDoc, name: string, add: boolean): void {
  const { ctx } = call;
  const groups = ctx.store.list<{ id: string; name: string; project_id: string }>('network.secgroup', {
    projectId: doc.tenant_id,
  });
  const group = groups.find((g) => g.name === name || g.id === name);
  if (!group) throw notFound(`Security group ${name} not found for project ${doc.tenant_id}.`);
  const ports = portsOfDevice(ctx, doc.id);
  if (!add && !ports.some((p) => p.security_groups.includes(group.id))) {
    throw badRequest(`Security group ${name} not associated with the instance ${doc.id}`);
  }
  for (const port of ports) {
    const has = port.security_groups.includes(group.id);
    if (add === has) continue;
    const next: PortDoc = {
      ...port,
      security_groups: add ? [...port.security_groups, group.id] : port.security_groups.filter((s) => s !== group.id),
      revision_number: port.revision_number + 1,
      updated_at: `${ctx.now().toISOString().slice(0, 19)}Z`,
    };
    ctx.store.update('network.port', next);
  }
}

export function serverAction(call: NovaCall, doc: ServerDoc, body: unknown, reply: FastifyReply): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Malformed request body');
  const [action] = Object.keys(body as Json);
  const arg = ((body as Json)[action ?? ''] ?? {}) as Json;
  const ctx = call.ctx;
  const accepted = (): undefined => {
    reply.code(202);
    return undefined;
  };
  switch (action) {
    case 'os-stop':
      requireUnlocked(call, doc);
      requireStates(doc, 'stop', ['active', 'error']);
      transition(call, doc, { ...doc.state, task_state: 'powering-off' }, STATE.stopped, 'stopped');
      return accepted();
    case 'os-start':
      requireUnlocked(call, doc);
      requireStates(doc, 'start', ['stopped']);
      transition(call, doc, { ...doc.state, task_state: 'powering-on' }, STATE.active, 'active');
      return accepted();
    case 'reboot': {
      const hard = arg.type === 'HARD';
      if (arg.type !== 'HARD' && arg.type !== 'SOFT')
        throw badRequest(
          `Invalid input for field/attribute type. Value: ${pythonRepr(arg.type)}. ${pythonRepr(arg.type)} is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']`,
        );
      requireUnlocked(call, doc);
      requireStates(doc, 'reboot', hard ? ['active', 'stopped', 'paused', 'suspended', 'error'] : ['active']);
      const interim: VmState = hard
        ? {
            status: 'HARD_REBOOT',
            vm_state: doc.state.vm_state,
            task_state: 'reboot_started_hard',
            power_state: doc.state.power_state,
          }
        : {
            status: 'REBOOT',
            vm_state: doc.state.vm_state,
            task_state: 'reboot_started',
            power_state: doc.state.power_state,
          };
      transition(call, doc, interim, STATE.active, 'active');
      return accepted();
    }
    case 'rebuild': {
      requireUnlocked(call, doc);
      requireStates(doc, 'rebuild', ['active', 'stopped', 'error']);
      if (typeof arg.imageRef !== 'string')
        throw badRequest(
          `Invalid input for field/attribute rebuild. Value: ${pythonRepr(arg)}. 'imageRef' is a required property`,
        );
      const imageId = lastSegment(arg.imageRef);
      const image = imageDoc(ctx, imageId);
      if (!image || !canSeeImage(call, image)) throw badRequest('Cannot find requested image');
      const metadata = stringMap(arg, 'metadata');
      const next: ServerDoc = {
        ...doc,
        image_id: imageId,
        name: typeof arg.name === 'string' ? arg.name : doc.name,
        metadata: metadata ?? doc.metadata,
        user_data: typeof arg.user_data === 'string' && atLeast(call.v, '2.57') ? arg.user_data : doc.user_data,
        key_name:
          arg.key_name !== undefined && atLeast(call.v, '2.54') ? (arg.key_name as string | null) : doc.key_name,
        description: typeof arg.description === 'string' && atLeast(call.v, '2.19') ? arg.description : doc.description,
      };
      const rebuilt = transition(
        call,
        next,
        {
          status: 'REBUILD',
          vm_state: doc.state.vm_state,
          task_state: 'rebuilding',
          power_state: doc.state.power_state,
        },
        // Nova rebuilds a stopped server and leaves it stopped.
        doc.state.vm_state === 'stopped' ? STATE.stopped : STATE.active,
        doc.state.vm_state === 'stopped' ? 'stopped' : 'active',
      );
      reply.code(202);
      const view = atLeast(call.v, '2.75') ? renderServer(call, rebuilt, true) : renderBasicServer(call, rebuilt);
      return {
        server: { ...view, adminPass: typeof arg.adminPass === 'string' ? arg.adminPass : generatedPassword() },
      };
    }
    case 'resize': {
      requireUnlocked(call, doc);
      requireStates(doc, 'resize', ['active', 'stopped']);
      const flavor = requireFlavor(ctx, arg.flavorRef);
      if (flavor.id === doc.flavor_id) throw badRequest('When resizing, instances must change flavor!');
      const old = ctx.store.get<FlavorDoc>(KIND.flavor, doc.flavor_id);
      if (old && flavor.disk < old.disk) throw badRequest('Resize to zero disk flavor is not allowed.');
      const delta: FlavorDoc = {
        ...flavor,
        vcpus: Math.max(0, flavor.vcpus - (old?.vcpus ?? 0)),
        ram: Math.max(0, flavor.ram - (old?.ram ?? 0)),
      };
      enforceInstanceQuota(ctx, doc.tenant_id, 0, delta);
      const interim: VmState = {
        status: 'RESIZE',
        vm_state: doc.state.vm_state,
        task_state: 'resize_prep',
        power_state: doc.state.power_state,
      };
      ctx.store.update(KIND.server, { ...doc, _old_flavor_id: doc.flavor_id });
      transition(call, { ...doc, _old_flavor_id: doc.flavor_id }, interim, STATE.verifyResize, undefined, {
        flavorId: flavor.id,
      });
      return accepted();
    }
    case 'confirmResize':
      if (doc.state.vm_state !== 'resized' || doc._pending !== null) throw badRequest(`Instance has not been resized.`);
      ctx.store.update(KIND.server, {
        ...doc,
        state: STATE.active,
        _old_flavor_id: null,
        updated: novaTime(ctx.now()),
      });
      reply.code(204);
      return undefined;
    case 'revertResize':
      if (doc.state.vm_state !== 'resized' || doc._pending !== null) throw badRequest(`Instance has not been resized.`);
      transition(
        call,
        doc,
        {
          status: 'REVERT_RESIZE',
          vm_state: 'resized',
          task_state: 'resize_reverting',
          power_state: doc.state.power_state,
        },
        STATE.active,
        'active',
        { flavorId: doc._old_flavor_id ?? doc.flavor_id, clearOldFlavor: true },
      );
      return accepted();
    case 'pause':
      requireUnlocked(call, doc);
      requireStates(doc, 'pause', ['active']);
      ctx.store.update(KIND.server, { ...doc, state: STATE.paused, updated: novaTime(ctx.now()) });
      return accepted();
    case 'unpause':
      requireUnlocked(call, doc);
      requireStates(doc, 'unpause', ['paused']);
      ctx.store.update(KIND.server, { ...doc, state: STATE.active, updated: novaTime(ctx.now()) });
      return accepted();
    case 'suspend':
      requireUnlocked(call, doc);
      requireStates(doc, 'suspend', ['active']);
      ctx.store.update(KIND.server, { ...doc, state: STATE.suspended, updated: novaTime(ctx.now()) });
      return accepted();
    case 'resume':
      requireUnlocked(call, doc);
      requireStates(doc, 'resume', ['suspended']);
      ctx.store.update(KIND.server, { ...doc, state: STATE.active, updated: novaTime(ctx.now()) });
      return accepted();
    case 'lock':
      ctx.store.update(KIND.server, {
        ...doc,
        locked: true,
        locked_reason: typeof arg.locked_reason === 'string' && atLeast(call.v, '2.73') ? arg.locked_reason : null,
      });
      return accepted();
    case 'unlock':
      ctx.store.update(KIND.server, { ...doc, locked: false, locked_reason: null });
      return accepted();
    case 'changePassword':
      if (typeof arg.adminPass !== 'string')
        throw badRequest(
          `Invalid input for field/attribute changePassword. Value: ${pythonRepr(arg)}. 'adminPass' is a required property`,
        );
      requireStates(doc, 'changePassword', ['active']);
      return accepted();
    case 'os-getConsoleOutput': {
      const log = [
        `[    0.000000] Linux version 6.1.0 (storm sandbox)`,
        `cloud-init: ${doc.name} (${doc.id}) up`,
        `${doc.hostname} login: `,
        '',
      ].join('\n');
      const length = arg.length === undefined || arg.length === null ? -1 : Number(arg.length);
      if (!Number.isInteger(length) || length < -1)
        throw badRequest(
          `Invalid input for field/attribute length. Value: ${pythonRepr(arg.length)}. ${pythonRepr(arg.length)} is not of type 'integer', 'string'`,
        );
      // Nova's _tail_log: the last `length` pieces of the log split at newlines (-1: all of it).
      return { output: length === -1 ? log : log.split('\n').slice(-length).join('\n') };
    }
    case 'addSecurityGroup':
      if (typeof arg.name !== 'string')
        throw badRequest(
          `Invalid input for field/attribute addSecurityGroup. Value: ${pythonRepr(arg)}. 'name' is a required property`,
        );
      ctx.store.transaction(() => updatePortSecurityGroups(call, doc, arg.name as string, true));
      return accepted();
    case 'removeSecurityGroup':
      if (typeof arg.name !== 'string')
        throw badRequest(
          `Invalid input for field/attribute removeSecurityGroup. Value: ${pythonRepr(arg)}. 'name' is a required property`,
        );
      ctx.store.transaction(() => updatePortSecurityGroups(call, doc, arg.name as string, false));
      return accepted();
    case 'os-resetState': {
      if (!call.auth.isAdmin)
        throw forbidden(`Policy doesn't allow os_compute_api:os-admin-actions:reset_state to be performed.`);
      const target = arg.state === 'error' ? STATE.error : STATE.active;
      ctx.store.update(KIND.server, { ...doc, state: target, _pending: null, updated: novaTime(ctx.now()) });
      return accepted();
    }
    default:
      throw badRequest(`There is no such action: ${action ?? ''}`);
  }
}
