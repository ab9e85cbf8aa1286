/**
 * Security groups and rules. Every project gets its `default` group lazily on
 * first use (as Neutron does); a new group starts with the two egress rules;
 * duplicate rules are 409 SecurityGroupRuleExists; groups in use by ports
 * cannot be deleted.
 */
import type { SandboxContext } from '../../core/context.js';
import { neutronError } from '../../core/errors.js';
import { formatCidr, parseCidr, parseIp } from './ip-address.js';
import { applyListQuery, parseListQuery, type Doc, type RawQuery } from './list-query.js';
import { KIND, type PortDoc, type RbacPolicyDoc, type SecurityGroupDoc, type SecurityGroupRuleDoc } from './model.js';
import { enforceQuota } from './quotas.js';
import { ownerProject, owns, type NeutronCall } from './call.js';
import { nextCounter, publicFields, standardAttrs, timestamp, touch } from './standard-attributes.js';
import { conflict, notFound } from './neutron-errors.js';
import {
  badRequest,
  boolField,
  checkAttributes,
  envelope,
  has,
  invalidAttribute,
  stringField,
  toInteger,
  type AttributeRules,
} from './request-body.js';

export const SECGROUP_ATTRIBUTES: AttributeRules = {
  readable: new Set([
    'id',
    'name',
    'stateful',
    'tenant_id',
    'project_id',
    'description',
    'shared',
    'security_group_rules',
    'tags',
    'created_at',
    'updated_at',
    'revision_number',
  ]),
  post: new Set(['name', 'stateful', 'tenant_id', 'project_id', 'description']),
  put: new Set(['name', 'stateful', 'description']),
};

export const RULE_ATTRIBUTES: AttributeRules = {
  readable: new Set([
    'id',
    'tenant_id',
    'project_id',
    'security_group_id',
    'ethertype',
    'direction',
    'protocol',
    'port_range_min',
    'port_range_max',
    'remote_ip_prefix',
    'remote_address_group_id',
    'normalized_cidr',
    'remote_group_id',
    'description',
    'created_at',
    'updated_at',
    'revision_number',
    'belongs_to_default_sg',
  ]),
  post: new Set([
    'tenant_id',
    'project_id',
    'security_group_id',
    'ethertype',
    'direction',
    'protocol',
    'port_range_min',
    'port_range_max',
    'remote_ip_prefix',
    'remote_address_group_id',
    'remote_group_id',
    'description',
  ]),
  put: new Set(['description']),
};

/** Protocols whose rules carry a port range. */
const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'udplite', 'dccp', '6', '17', '132', '136', '33']);
const ICMP_PROTOCOLS = new Set(['icmp', 'icmpv6', 'ipv6-icmp', '1', '58']);
const NAMED_PROTOCOLS = new Set([
  'ah',
  'dccp',
  'egp',
  'esp',
  'gre',
  'hopopt',
  'icmp',
  'igmp',
  'ip',
  'ipip',
  'ipv6-encap',
  'ipv6-frag',
  'ipv6-icmp',
  'icmpv6',
  'ipv6-nonxt',
  'ipv6-opts',
  'ipv6-route',
  'ospf',
  'pgm',
  'rsvp',
  'sctp',
  'tcp',
  'udp',
  'udplite',
  'vrrp',
]);

function newRule(
  ctx: SandboxContext,
  group: SecurityGroupDoc,
  fields: Pick<
    SecurityGroupRuleDoc,
    | 'direction'
    | 'ethertype'
    | 'protocol'
    | 'port_range_min'
    | 'port_range_max'
    | 'remote_ip_prefix'
    | 'normalized_cidr'
    | 'remote_group_id'
    | 'description'
  >,
): SecurityGroupRuleDoc {
  const now = timestamp(ctx);
  return {
    id: ctx.newId(),
    tenant_id: group.project_id,
    project_id: group.project_id,
    security_group_id: group.id,
    ...fields,
    remote_address_group_id: null,
    created_at: now,
    updated_at: now,
    revision_number: 0,
    _standardAttrId: nextCounter(ctx, 'standard_attr'),
  };
}

const EGRESS_RULES = (['IPv4', 'IPv6'] as const).map((ethertype) => ({
  direction: 'egress' as const,
  ethertype,
  protocol: null,
  port_range_min: null,
  port_range_max: null,
  remote_ip_prefix: null,
  normalized_cidr: null,
  remote_group_id: null,
  description: null,
}));

function insertGroup(ctx: SandboxContext, group: SecurityGroupDoc, isDefault: boolean): void {
  ctx.store.insert(KIND.secgroup, group, group.project_id);
  const ingress = (ethertype: 'IPv4' | 'IPv6') => ({
    ...EGRESS_RULES[0]!,
    direction: 'ingress' as const,
    ethertype,
    remote_group_id: group.id,
  });
  const egress4 = EGRESS_RULES[0]!;
  const egress6 = EGRESS_RULES[1]!;
  const rules = isDefault ? [ingress('IPv4'), egress4, ingress('IPv6'), egress6] : [egress4, egress6];
  for (const r of rules) ctx.store.insert(KIND.secgroupRule, newRule(ctx, group, r), group.project_id);
}

/** The project's `default` group, created on first use with Neutron's four default rules. */
export function ensureDefaultGroup(ctx: SandboxContext, projectId: string): SecurityGroupDoc {
  const existing = ctx.store.list<SecurityGroupDoc>(KIND.secgroup, { projectId }).find((g) => g.name === 'default');
  if (existing) return existing;
  const now = timestamp(ctx);
  const group: SecurityGroupDoc = {
    id: ctx.newId(),
    tenant_id: projectId,
    project_id: projectId,
    description: 'Default security group',
    tags: [],
    created_at: now,
    updated_at: now,
    revision_number: 1,
    name: 'default',
    stateful: true,
    shared: false,
  };
  insertGroup(ctx, group, true);
  return group;
}

function sharedGroups(ctx: SandboxContext, projectId: string): Set<string> {
  return new Set(
    ctx.store
      .list<RbacPolicyDoc>(KIND.rbac)
      .filter(
        (p) =>
          p.object_type === 'security_group' &&
          p.action === 'access_as_shared' &&
          (p.target_tenant === '*' || p.target_tenant === projectId),
      )
      .map((p) => p.object_id),
  );
}

function groupVisible(call: NeutronCall, group: SecurityGroupDoc, shared: Set<string>): boolean {
  return owns(call.auth, group.project_id) || shared.has(group.id);
}

export function findSecurityGroup(call: NeutronCall, id: string): SecurityGroupDoc {
  const group = call.ctx.store.get<SecurityGroupDoc>(KIND.secgroup, id);
  if (!group || !groupVisible(call, group, sharedGroups(call.ctx, call.auth.projectId))) {
    throw notFound('SecurityGroupNotFound', `Security group ${id} does not exist`);
  }
  return group;
}

/** A rule as `GET /security-group-rules` shows it. */
export function ruleView(rule: SecurityGroupRuleDoc): Doc {
  return publicFields(rule);
}

/** A rule embedded in its group: Neutron adds `standard_attr_id` and `tags` there. */
function embeddedRuleView(rule: SecurityGroupRuleDoc): Doc {
  const { _standardAttrId, ...rest } = rule;
  return { ...rest, standard_attr_id: _standardAttrId, tags: [] };
}

function groupView(group: SecurityGroupDoc, rules: SecurityGroupRuleDoc[], shared: Set<string>): Doc {
  const view = publicFields(group);
  view.shared = shared.has(group.id);
  const ordered: Doc = {};
  for (const [k, v] of Object.entries(view)) {
    ordered[k] = v;
    if (k === 'shared')
      ordered.security_group_rules = rules.filter((r) => r.security_group_id === group.id).map(embeddedRuleView);
  }
  return ordered;
}

export function showSecurityGroup(call: NeutronCall, id: string): Doc {
  ensureDefaultGroup(call.ctx, call.auth.projectId);
  const group = findSecurityGroup(call, id);
  const rules = call.ctx.store.list<SecurityGroupRuleDoc>(KIND.secgroupRule);
  return { security_group: groupView(group, rules, sharedGroups(call.ctx, call.auth.projectId)) };
}

export function listSecurityGroups(call: NeutronCall, raw: RawQuery, collectionUrl: string): Doc {
  ensureDefaultGroup(call.ctx, call.auth.projectId);
  const shared = sharedGroups(call.ctx, call.auth.projectId);
  const rules = call.ctx.store.list<SecurityGroupRuleDoc>(KIND.secgroupRule);
  const docs = call.ctx.store
    .list<SecurityGroupDoc>(KIND.secgroup)
    .filter((g) => groupVisible(call, g, shared))
    .map((g) => groupView(g, rules, shared));
  const { items, links } = applyListQuery(docs, parseListQuery(raw), {
    attributes: SECGROUP_ATTRIBUTES.readable,
    collectionUrl,
    raw,
  });
  return links.length > 0 ? { security_groups: items, security_groups_links: links } : { security_groups: items };
}

export function createSecurityGroup(call: NeutronCall, body: unknown): Doc {
  const input = envelope(body, 'security_group');
  checkAttributes(input, SECGROUP_ATTRIBUTES, 'POST');
  const projectId = ownerProject(call, input);
  ensureDefaultGroup(call.ctx, projectId);
  const name = stringField(input, 'name', '');
  if (name === 'default') throw conflict('SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');
  enforceQuota(call.ctx, projectId, 'security_group');
  enforceQuota(call.ctx, projectId, 'security_group_rule', 2);
  const group: SecurityGroupDoc = {
    ...standardAttrs(call, projectId, input, 1),
    name,
    stateful: boolField(input, 'stateful', true),
    shared: false,
  };
  insertGroup(call.ctx, group, false);
  const rules = call.ctx.store.list<SecurityGroupRuleDoc>(KIND.secgroupRule);
  return { security_group: groupView(group, rules, new Set()) };
}

export function updateSecurityGroup(call: NeutronCall, id: string, body: unknown): Doc {
  const input = envelope(body, 'security_group');
  checkAttributes(input, SECGROUP_ATTRIBUTES, 'PUT');
  const group = findSecurityGroup(call, id);
  if (!owns(call.auth, group.project_id))
    throw notFound('SecurityGroupNotFound', `Security group ${id} does not exist`);
  if (has(input, 'name')) {
    const name = stringField(input, 'name', group.name);
    if (group.name === 'default' && name !== 'default')
      throw conflict('SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.');
    if (name === 'default' && group.name !== 'default')
      throw conflict('SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');
    group.name = name;
  }
  group.description = stringField(input, 'description', group.description);
  if (has(input, 'stateful')) {
    const stateful = boolField(input, 'stateful', group.stateful);
    const inUse = call.ctx.store.list<PortDoc>(KIND.port).some((p) => p.security_groups.includes(id));
    if (stateful !== group.stateful && inUse) throw conflict('SecurityGroupInUse', `Security Group ${id} in use.`);
    group.stateful = stateful;
  }
  touch(call.ctx, group);
  call.ctx.store.update(KIND.secgroup, group);
  const rules = call.ctx.store.list<SecurityGroupRuleDoc>(KIND.secgroupRule);
  return { security_group: groupView(group, rules, sharedGroups(call.ctx, call.auth.projectId)) };
}

export function deleteSecurityGroup(call: NeutronCall, id: string): void {
  const group = findSecurityGroup(call, id);
  if (!owns(call.auth, group.project_id))
    throw notFound('SecurityGroupNotFound', `Security group ${id} does not exist`);
  if (group.name === 'default' && !call.auth.isAdmin) {
    throw conflict('SecurityGroupCannotRemoveDefault', 'Insufficient rights for removing default security group.');
  }
  if (call.ctx.store.list<PortDoc>(KIND.port).some((p) => p.security_groups.includes(id))) {
    throw conflict('SecurityGroupInUse', `Security Group ${id} in use.`);
  }
  for (const rule of call.ctx.store.list<SecurityGroupRuleDoc>(KIND.secgroupRule)) {
    if (rule.security_group_id === id || rule.remote_group_id === id) call.ctx.store.delete(KIND.secgroupRule, rule.id);
  }
  for (const p of call.ctx.store.list<RbacPolicyDoc>(KIND.rbac)) {
    if (p.object_type === 'security_group' && p.object_id === id) call.ctx.store.delete(KIND.rbac, p.id);
  }
  call.ctx.store.delete(KIND.secgroup, id);
}

function ruleVisible(call: NeutronCall, rule: SecurityGroupRuleDoc, groups: Map<string, SecurityGroupDoc>): boolean {
  if (owns(call.auth, rule.project_id)) return true;
  const group = groups.get(rule.security_group_id);
  return group !== undefined && owns(call.auth, group.project_id);
}

export function findRule(call: NeutronCall, id: string): SecurityGroupRuleDoc {
  const rule = call.ctx.store.get<SecurityGroupRuleDoc>(KIND.secgroupRule, id);
  const group = rule ? call.ctx.store.get<SecurityGroupDoc>(KIND.secgroup, rule.security_group_id) : undefined;
  if (!rule || !ruleVisible(call, rule, new Map(group ? [[group.id, group]] : []))) {
    throw notFound('SecurityGroupRuleNotFound', `Security group rule ${id} does not exist`);
  }
  return rule;
}

export function showRule(call: NeutronCall, id: string): Doc {
  return { security_group_rule: ruleView(findRule(call, id)) };
}

export function listRules(call: NeutronCall, raw: RawQuery, collectionUrl: string): Doc {
  ensureDefaultGroup(call.ctx, call.auth.projectId);
  const groups = new Map(call.ctx.store.list<SecurityGroupDoc>(KIND.secgroup).map((g) => [g.id, g]));
  const docs = call.ctx.store
    .list<SecurityGroupRuleDoc>(KIND.secgroupRule)
    .filter((r) => ruleVisible(call, r, groups))
    .map(ruleView);
  const { items, links } = applyListQuery(docs, parseListQuery(raw), {
    attributes: RULE_ATTRIBUTES.readable,
    collectionUrl,
    raw,
  });
  return links.length > 0
    ? { security_group_rules: items, security_group_rules_links: links }
    : { security_group_rules: items };
}

function readProtocol(value: unknown): string | null {
  if (value === undefined || value === null || value === '' || value === 'any') return null;
  const text = String(value).toLowerCase();
  if (NAMED_PROTOCOLS.has(text)) return text;
  if (/^\d+$/.test(text) && Number(text) <= 255) return text;
  throw neutronError(
    400,
    'SecurityGroupRuleInvalidProtocol',
    `Security group rule protocol ${text} not supported. Only protocol values [None, ${[...NAMED_PROTOCOLS].sort().join(', ')}] and integer representations [0 to 255] are supported.`,
  );
}

function readPort(key: string, value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = toInteger(key, value);
  if (n < 0 || n > 65535) throw neutronError(400, 'SecurityGroupInvalidPortValue', `Invalid value for port ${n}.`);
  return n;
}

export function createRule(call: NeutronCall, body: unknown): Doc {
  const input = envelope(body, 'security_group_rule');
  checkAttributes(input, RULE_ATTRIBUTES, 'POST');
  if (typeof input.security_group_id !== 'string')
    throw badRequest("Failed to parse request. Required attribute 'security_group_id' not specified");
  const group = findSecurityGroup(call, input.security_group_id);
  if (!owns(call.auth, group.project_id))
    throw notFound('SecurityGroupNotFound', `Security group ${group.id} does not exist`);
  const direction = input.direction;
  if (direction === undefined)
    throw badRequest("Failed to parse request. Required attribute 'direction' not specified");
  if (direction !== 'ingress' && direction !== 'egress')
    throw invalidAttribute('direction', `'${String(direction)}' is not in ['ingress', 'egress']`);
  const ethertype = has(input, 'ethertype') && input.ethertype !== null ? String(input.ethertype) : 'IPv4';
  const ethertypeNormalized =
    ethertype.toLowerCase() === 'ipv4' ? 'IPv4' : ethertype.toLowerCase() === 'ipv6' ? 'IPv6' : undefined;
  if (!ethertypeNormalized) throw invalidAttribute('ethertype', `'${ethertype}' is not in ['IPv4', 'IPv6']`);
  const protocol = readProtocol(input.protocol);
  let min = readPort('port_range_min', input.port_range_min);
  let max = readPort('port_range_max', input.port_range_max);
  if (protocol === null && (min !== null || max !== null)) {
    throw neutronError(
      400,
      'SecurityGroupProtocolRequiredWithPorts',
      'Must also specify protocol if port range is given.',
    );
  }
  if (protocol !== null && PORT_PROTOCOLS.has(protocol)) {
    if (min !== null && max === null) max = min;
    if (min === null && max !== null) min = max;
    if (min !== null && max !== null && min > max) {
      throw neutronError(
        400,
        'SecurityGroupInvalidPortRange',
        'For TCP/UDP protocols, port_range_min must be <= port_range_max',
      );
    }
    if (min === 0 || max === 0) throw neutronError(400, 'SecurityGroupInvalidPortValue', 'Invalid value for port 0.');
  } else if (protocol !== null && ICMP_PROTOCOLS.has(protocol)) {
    if (min !== null && min > 255)
      throw neutronError(
        400,
        'SecurityGroupInvalidIcmpValue',
        `Invalid value for ICMP port_range_min(type): ${min}. It must be 0 to 255.`,
      );
    if (max !== null && max > 255)
      throw neutronError(
        400,
        'SecurityGroupInvalidIcmpValue',
        `Invalid value for ICMP port_range_max(code): ${max}. It must be 0 to 255.`,
      );
    if (min === null && max !== null)
      throw neutronError(
        400,
        'SecurityGroupMissingIcmpType',
        `ICMP code (port-range-max) ${max} is provided but ICMP type (port-range-min) is missing.`,
      );
  } else if (protocol !== null && (min !== null || max !== null)) {
    throw neutronError(
      400,
      'SecurityGroupInvalidProtocolForPortRange',
      `Invalid protocol ${protocol} for port range, only supported for TCP, UDP, UDPLITE, SCTP and DCCP.`,
    );
  }
  let remoteIpPrefix: string | null = null;
  let normalizedCidr: string | null = null;
  if (has(input, 'remote_ip_prefix') && input.remote_ip_prefix !== null && input.remote_ip_prefix !== '') {
    remoteIpPrefix = String(input.remote_ip_prefix);
    const bare = remoteIpPrefix.includes('/')
      ? remoteIpPrefix
      : `${remoteIpPrefix}/${parseIp(remoteIpPrefix)?.version === 6 ? 128 : 32}`;
    const parsed = parseCidr(bare);
    const cidr = parsed.ok
      ? parsed.cidr
      : parsed.reason === 'host-bits-set' && parsed.suggestion
        ? (parseCidr(parsed.suggestion) as { ok: true; cidr: import('./ip-address.js').Cidr }).cidr
        : undefined;
    if (!cidr) throw invalidAttribute('remote_ip_prefix', `'${remoteIpPrefix}' is not a valid IP subnet`);
    if ((cidr.version === 4 ? 'IPv4' : 'IPv6') !== ethertypeNormalized) {
      throw neutronError(
        400,
        'SecurityGroupRuleParameterConflict',
        `Conflicting value ethertype ${ethertypeNormalized} for CIDR ${remoteIpPrefix}`,
      );
    }
    normalizedCidr = formatCidr(cidr);
  }
  let remoteGroupId: string | null = null;
  if (has(input, 'remote_group_id') && input.remote_group_id !== null) {
    if (remoteIpPrefix !== null) {
      throw neutronError(
        400,
        'SecurityGroupRemoteGroupAndRemoteIpPrefix',
        'Only remote_ip_prefix or remote_group_id may be provided.',
      );
    }
    remoteGroupId = findSecurityGroup(call, String(input.remote_group_id)).id;
  }
  if (has(input, 'remote_address_group_id') && input.remote_address_group_id !== null) {
    throw notFound(
      'AddressGroupNotFound',
      `Address group ${String(input.remote_address_group_id)} could not be found.`,
    );
  }
  const fields = {
    direction,
    ethertype: ethertypeNormalized,
    protocol,
    port_range_min: min,
    port_range_max: max,
    remote_ip_prefix: remoteIpPrefix,
    normalized_cidr: normalizedCidr,
    remote_group_id: remoteGroupId,
    description: stringField(input, 'description', ''),
  } as const;
  const duplicate = call.ctx.store
    .list<SecurityGroupRuleDoc>(KIND.secgroupRule)
    .find(
      (r) =>
        r.security_group_id === group.id &&
        r.direction === fields.direction &&
        r.ethertype === fields.ethertype &&
        r.protocol === fields.protocol &&
        r.port_range_min === fields.port_range_min &&
        r.port_range_max === fields.port_range_max &&
        r.normalized_cidr === fields.normalized_cidr &&
        r.remote_group_id === fields.remote_group_id,
    );
  if (duplicate)
    throw conflict('SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${duplicate.id}.`);
  enforceQuota(call.ctx, group.project_id, 'security_group_rule');
  const rule = newRule(call.ctx, group, fields);
  call.ctx.store.insert(KIND.secgroupRule, rule, group.project_id);
  touch(call.ctx, group);
  call.ctx.store.update(KIND.secgroup, group);
  return { security_group_rule: ruleView(rule) };
}

export function deleteRule(call: NeutronCall, id: string): void {
  const rule = findRule(call, id);
  call.ctx.store.delete(KIND.secgroupRule, id);
  const group = call.ctx.store.get<SecurityGroupDoc>(KIND.secgroup, rule.security_group_id);
  if (group) {
    touch(call.ctx, group);
    call.ctx.store.update(KIND.secgroup, group);
  }
}
