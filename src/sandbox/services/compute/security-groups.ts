/**
 * Nova's os-security-groups and os-security-group-rules (microversions below 2.36): the proxy Nova keeps to
 * Neutron's security groups, with Nova's validation, its view (only ingress rules, ports -1 for ICMP without a
 * type, `ip_range`/`group`), and Neutron's errors mapped as Nova's neutron driver maps them (404 → not found,
 * 409 → 403 limit exceeded, other 4xx → 400).
 */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../../core/context.js';
import { SandboxHttpError } from '../../core/errors.js';
import {
  createSecurityGroup,
  createSecurityGroupRule,
  deleteSecurityGroup,
  deleteSecurityGroupRule,
  listSecurityGroups,
  portsOfDevice,
  showSecurityGroup,
  showSecurityGroupRule,
  updateSecurityGroup,
} from '../network.js';
import { apiFault, badRequest, forbidden, notFound } from './api-fault.js';
import { beginNova, pathParam, queryParams, type NovaCall, V } from './call.js';
import { atLeast } from './microversion.js';
import { requireEnvelope } from './request-body.js';
import { visibleServer } from './server-state.js';

type Doc = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Runs a Neutron call and answers its refusal as Nova's neutron driver does. */
function viaNeutron<T>(fn: () => T, notFoundMessage: string): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof SandboxHttpError)) throw e;
    const message = (e.body as { NeutronError?: { message?: string } }).NeutronError?.message ?? notFoundMessage;
    if (e.status === 404) throw notFound(notFoundMessage);
    if (e.status === 409) throw forbidden(message);
    if (e.status >= 400 && e.status < 500) throw badRequest(message);
    throw apiFault(e.status, message);
  }
}

/** Nova's API stops at 2.36 for these proxies: 404 from then on. */
function requireBelow236(call: NovaCall): void {
  if (atLeast(call.v, '2.36')) throw notFound('The resource could not be found.');
}

function validateId(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw badRequest('Security group id should be uuid');
  return value;
}

/** Nova's validate_property: a string, 1–255 characters once stripped. */
function validateProperty(value: unknown, property: 'name' | 'description'): string {
  if (typeof value !== 'string') throw badRequest(`Security group ${property} is not a string or unicode`);
  const stripped = value.trim();
  if (stripped.length < 1) throw badRequest(`${property} has a minimum character requirement of 1.`);
  if (stripped.length > 255) throw badRequest(`${property} has more than 255 characters.`);
  return value;
}

interface NeutronRule {
  id: string;
  security_group_id: string;
  direction: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
}

interface NeutronGroup {
  id: string;
  name: string;
  description: string;
  project_id: string;
  security_group_rules: NeutronRule[];
}

function neutronGroup(call: NovaCall, id: string): NeutronGroup {
  return viaNeutron(
    () => showSecurityGroup(call, id).security_group as NeutronGroup,
    `Security group ${id} not found.`,
  );
}

/** A rule as Nova shows it (_format_security_group_rule over the neutron driver's conversion). */
function novaRule(call: NovaCall, rule: NeutronRule): Doc {
  let fromPort = rule.port_range_min;
  let toPort = rule.port_range_max;
  if (rule.protocol !== null && fromPort === null && toPort === null) {
    const tcpOrUdp = ['TCP', 'UDP'].includes(rule.protocol.toUpperCase());
    fromPort = tcpOrUdp ? 1 : -1;
    toPort = tcpOrUdp ? 65535 : -1;
  }
  let group: Doc = {};
  let ipRange: Doc = {};
  if (rule.remote_group_id !== null) {
    const remote = neutronGroup(call, rule.remote_group_id);
    group = { name: remote.name, tenant_id: remote.project_id };
  } else {
    ipRange = { cidr: rule.remote_ip_prefix ?? '0.0.0.0/0' };
  }
  return {
    from_port: fromPort,
    group,
    ip_protocol: rule.protocol,
    to_port: toPort,
    parent_group_id: rule.security_group_id,
    ip_range: ipRange,
    id: rule.id,
  };
}

/** A group as Nova shows it: its ingress rules only. */
function novaGroup(call: NovaCall, group: NeutronGroup): Doc {
  return {
    rules: group.security_group_rules.filter((r) => r.direction === 'ingress').map((r) => novaRule(call, r)),
    tenant_id: group.project_id,
    id: group.id,
    name: group.name,
    description: group.description,
  };
}

/** Nova's _new_ingress_rule: the Neutron rule a Nova rule request makes, or undefined when it names too little. */
export function neutronRuleFor(input: Doc, parentId: string, remoteGroupId: string | undefined): Doc | undefined {
  const protocol =
    input.ip_protocol === undefined || input.ip_protocol === null ? undefined : String(input.ip_protocol);
  let from: unknown = input.from_port;
  let to: unknown = input.to_port;
  const cidr =
    remoteGroupId === undefined
      ? typeof input.cidr === 'string' && input.cidr !== ''
        ? input.cidr
        : '0.0.0.0/0'
      : undefined;
  if (remoteGroupId !== undefined && from == null && to == null) {
    const upper = protocol?.toUpperCase() ?? '';
    if (upper === 'ICMP') [from, to] = [-1, -1];
    else if (upper === 'TCP' || upper === 'UDP') [from, to] = [1, 65535];
  }
  const rule: Doc = { security_group_id: parentId, direction: 'ingress' };
  if (remoteGroupId !== undefined) rule.remote_group_id = remoteGroupId;
  if (protocol === undefined || protocol === '' || from == null || to == null) {
    if (cidr !== undefined) return undefined;
    return { ...rule, ethertype: 'IPv4' };
  }
  const upper = protocol.toUpperCase();
  const fromPort = Number(from);
  const toPort = Number(to);
  if (!Number.isInteger(fromPort) || !Number.isInteger(toPort)) {
    throw badRequest(
      `Invalid input received: ${upper === 'ICMP' ? 'Type and Code must be integers for ICMP protocol type' : 'To and From ports must be integers'}`,
    );
  }
  if (!['TCP', 'UDP', 'ICMP'].includes(upper)) throw badRequest(`Invalid IP protocol ${protocol}.`);
  const range = (msg: string) => badRequest(`Invalid port range ${fromPort}:${toPort}. ${msg}`);
  if (upper !== 'ICMP' && fromPort > toPort) throw range('Former value cannot be greater than the later');
  if (upper !== 'ICMP' && (fromPort < 1 || toPort > 65535))
    throw range(`Valid ${upper} ports should be between 1-65535`);
  if (upper === 'ICMP' && (fromPort < -1 || fromPort > 255 || toPort < -1 || toPort > 255))
    throw range('For ICMP, the type:code must be valid');
  if (cidr !== undefined) {
    const [net, prefix] = cidr.split('/');
    if (net !== '0.0.0.0' && net !== '::' && prefix === '0') throw badRequest(`Bad prefix for network in cidr ${cidr}`);
    rule.remote_ip_prefix = cidr;
  }
  return {
    ...rule,
    ethertype: cidr?.includes(':') ? 'IPv6' : 'IPv4',
    protocol: protocol.toLowerCase(),
    // Neutron has no -1: an ICMP rule for every type or code leaves the bound out.
    ...(fromPort === -1 ? {} : { port_range_min: fromPort }),
    ...(toPort === -1 ? {} : { port_range_max: toPort }),
  };
}

export function registerSecurityGroupRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const begin = (req: Parameters<typeof beginNova>[1], reply: Parameters<typeof beginNova>[2]): NovaCall => {
    const call = beginNova(ctx, req, reply);
    requireBelow236(call);
    return call;
  };

  app.get(`${V}/os-security-groups`, (req, reply) => {
    const call = begin(req, reply);
    const allTenants = call.auth.isAdmin && queryParams(req).one.all_tenants !== undefined;
    return ctx.store.transaction(() => {
      const listed = listSecurityGroups(call, allTenants ? {} : { project_id: call.auth.projectId }, '')
        .security_groups as NeutronGroup[];
      return { security_groups: listed.map((g) => novaGroup(call, g)) };
    });
  });

  app.post(`${V}/os-security-groups`, (req, reply) => {
    const call = begin(req, reply);
    const body = requireEnvelope(req.body, 'security_group');
    const name = validateProperty(body.name, 'name');
    const description = validateProperty(body.description, 'description');
    return ctx.store.transaction(() => {
      const created = viaNeutron(
        () => createSecurityGroup(call, { security_group: { name, description } }).security_group as NeutronGroup,
        'Security group not found.',
      );
      return { security_group: novaGroup(call, created) };
    });
  });

  app.get(`${V}/os-security-groups/:id`, (req, reply) => {
    const call = begin(req, reply);
    const id = validateId(pathParam(req, 'id'));
    return ctx.store.transaction(() => ({ security_group: novaGroup(call, neutronGroup(call, id)) }));
  });

  app.put(`${V}/os-security-groups/:id`, (req, reply) => {
    const call = begin(req, reply);
    const id = validateId(pathParam(req, 'id'));
    const body = requireEnvelope(req.body, 'security_group');
    const name = validateProperty(body.name, 'name');
    const description = validateProperty(body.description, 'description');
    return ctx.store.transaction(() => {
      neutronGroup(call, id);
      const updated = viaNeutron(
        () => updateSecurityGroup(call, id, { security_group: { name, description } }).security_group as NeutronGroup,
        `Security group ${id} not found.`,
      );
      return { security_group: novaGroup(call, updated) };
    });
  });

  app.delete(`${V}/os-security-groups/:id`, (req, reply) => {
    const call = begin(req, reply);
    const id = validateId(pathParam(req, 'id'));
    ctx.store.transaction(() => {
      neutronGroup(call, id);
      viaNeutron(() => deleteSecurityGroup(call, id), `Security group ${id} not found.`);
    });
    return reply.code(202).send();
  });

  app.post(`${V}/os-security-group-rules`, (req, reply) => {
    const call = begin(req, reply);
    const body = requireEnvelope(req.body, 'security_group_rule');
    const parentId = validateId(body.parent_group_id);
    const groupId = body.group_id === undefined || body.group_id === null ? undefined : validateId(body.group_id);
    return ctx.store.transaction(() => {
      neutronGroup(call, parentId);
      if (groupId !== undefined) neutronGroup(call, groupId);
      const rule = neutronRuleFor(body, parentId, groupId);
      if (rule === undefined) throw badRequest('Not enough parameters to build a valid rule.');
      const created = viaNeutron(
        () => createSecurityGroupRule(call, { security_group_rule: rule }).security_group_rule as NeutronRule,
        `Security group ${parentId} not found.`,
      );
      return { security_group_rule: novaRule(call, created) };
    });
  });

  app.delete(`${V}/os-security-group-rules/:id`, (req, reply) => {
    const call = begin(req, reply);
    const id = validateId(pathParam(req, 'id'));
    ctx.store.transaction(() => {
      viaNeutron(() => showSecurityGroupRule(call, id), `Security group with rule ${id} not found.`);
      viaNeutron(() => deleteSecurityGroupRule(call, id), `Security group with rule ${id} not found.`);
    });
    return reply.code(202).send();
  });

  app.get(`${V}/servers/:id/os-security-groups`, (req, reply) => {
    const call = begin(req, reply);
    return ctx.store.transaction(() => {
      const server = visibleServer(call, pathParam(req, 'id'));
      const ids = [...new Set(portsOfDevice(ctx, server.id).flatMap((p) => p.security_groups))];
      return { security_groups: ids.map((id) => novaGroup(call, neutronGroup(call, id))) };
    });
  });
}
