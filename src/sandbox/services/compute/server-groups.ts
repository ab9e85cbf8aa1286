/** Nova server groups: policies by microversion, create, list, show and delete. */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { badRequest, notFound } from './api-fault.js';
import { requireEnvelope } from './request-body.js';
import { beginNova, isTruthy, novaOffsetPage, pathParam, queryParams, type NovaCall, type Json, V } from './call.js';
import { atLeast } from './microversion.js';
import { KIND, type ServerGroupDoc, type ServerGroupPolicy } from './model.js';
import { pythonRepr } from './python-repr.js';
import { enforceServerGroupQuota } from './quotas.js';
import { loadServers } from './server-state.js';

export const POLICIES: ServerGroupPolicy[] = ['affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity'];

export function renderServerGroup(call: NovaCall, g: ServerGroupDoc): Json {
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

export function parseServerGroup(
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

export function registerServerGroupRoutes(app: FastifyInstance, ctx: SandboxContext): void {
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
}
