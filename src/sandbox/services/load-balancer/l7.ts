/**
 * L7 policies and their rules: on an HTTP or TERMINATED_HTTPS listener, a
 * policy (REJECT, REDIRECT_TO_URL, REDIRECT_PREFIX, REDIRECT_TO_POOL) applies
 * to a request when all its rules match; policies are ordered by `position`
 * (1 first; a new or moved policy shifts the others, as Octavia renumbers).
 * A policy without rules never applies (Octavia's haproxy template skips it).
 */
import {
  type Body,
  type Call,
  bool,
  invalidInput,
  nullableStr,
  octaviaTime,
  oneOf,
  optionalUuid,
  requiredStr,
  rootObject,
  str,
  tags,
  validationFailure,
} from './call.js';
import {
  KIND,
  L7_ACTIONS,
  L7_COMPARE_TYPES,
  L7_RULE_TYPES,
  type L7PolicyDoc,
  type L7RuleDoc,
  type ListenerDoc,
  type PoolDoc,
  REDIRECT_CODES,
} from './model.js';
import { beginChange, enforceQuota, findEntity, operatingStatus, requireMutable } from './state.js';
import type { View } from './views.js';
import type { SandboxContext } from '../../core/context.js';

function publicFields(ctx: SandboxContext, kind: 'l7policy' | 'l7rule', doc: L7PolicyDoc | L7RuleDoc): View {
  const out: View = {};
  for (const [k, v] of Object.entries(doc)) if (!k.startsWith('_')) out[k] = v;
  out.tenant_id = doc.project_id;
  out.operating_status = operatingStatus(ctx, kind, doc);
  return out;
}

export function l7policyView(ctx: SandboxContext, p: L7PolicyDoc): View {
  const rules = ctx.store
    .list<L7RuleDoc>(KIND.l7rule)
    .filter((r) => r.l7policy_id === p.id)
    .map((r) => ({ id: r.id }));
  return { ...publicFields(ctx, 'l7policy', p), rules };
}

export function l7ruleView(ctx: SandboxContext, r: L7RuleDoc): View {
  const out = publicFields(ctx, 'l7rule', r);
  delete out.name;
  delete out.description;
  delete out.l7policy_id;
  return out;
}

function policiesOf(call: Call, listenerId: string): L7PolicyDoc[] {
  return call.ctx.store
    .list<L7PolicyDoc>(KIND.l7policy)
    .filter((p) => p.listener_id === listenerId && p.provisioning_status !== 'PENDING_DELETE')
    .sort((a, b) => a.position - b.position);
}

/** Puts `moved` at `position` (clamped to the end) and numbers every policy of the listener 1..n. */
function renumber(call: Call, listenerId: string, moved: L7PolicyDoc, position: number): L7PolicyDoc {
  const others = policiesOf(call, listenerId).filter((p) => p.id !== moved.id);
  const at = Math.min(Math.max(position, 1), others.length + 1) - 1;
  others.splice(at, 0, moved);
  let placed = moved;
  others.forEach((p, i) => {
    const next = { ...p, position: i + 1 };
    if (p.id === moved.id) placed = next;
    else if (p.position !== i + 1) call.ctx.store.update(KIND.l7policy, next);
  });
  return placed;
}

function readAction(call: Call, b: Body, listener: ListenerDoc, current?: L7PolicyDoc) {
  const action = oneOf(b, 'action', L7_ACTIONS, current?.action);
  const redirect = action === 'REDIRECT_TO_URL' || action === 'REDIRECT_PREFIX';
  const url = action === 'REDIRECT_TO_URL' ? nullableStr(b, 'redirect_url', current?.redirect_url ?? null) : null;
  const prefix =
    action === 'REDIRECT_PREFIX' ? nullableStr(b, 'redirect_prefix', current?.redirect_prefix ?? null) : null;
  const poolId =
    action === 'REDIRECT_TO_POOL' ? (optionalUuid(b, 'redirect_pool_id') ?? current?.redirect_pool_id ?? null) : null;
  if (action === 'REDIRECT_TO_URL' && url === null) throw validationFailure('An url must be provided.');
  if (action === 'REDIRECT_PREFIX' && prefix === null) throw validationFailure('A prefix must be provided.');
  for (const [field, v] of [
    ['redirect_url', url],
    ['redirect_prefix', prefix],
  ] as const)
    if (v !== null && !/^https?:\/\/[^\s/$.?#][^\s]*$/i.test(v))
      throw invalidInput(field, v, 'Value should be a valid URL');
  if (action === 'REDIRECT_TO_POOL') {
    if (poolId === null) throw validationFailure('A pool must be provided.');
    const pool = call.ctx.store.get<PoolDoc>(KIND.pool, poolId);
    if (pool === undefined || pool._lb !== listener._lb) throw validationFailure(`Pool ${poolId} not found.`);
  }
  const code = b.redirect_http_code;
  let httpCode: number | null = redirect ? (current?.redirect_http_code ?? 302) : null;
  if (redirect && code !== undefined && code !== null) {
    if (typeof code !== 'number' || !REDIRECT_CODES.includes(code))
      throw invalidInput('redirect_http_code', code, `Value should be one of: ${REDIRECT_CODES.join(', ')}`);
    httpCode = code;
  }
  return { action, redirect_url: url, redirect_prefix: prefix, redirect_pool_id: poolId, redirect_http_code: httpCode };
}

export function createL7Policy(call: Call, body: unknown): View {
  const { ctx } = call;
  const b = rootObject(body, 'l7policy');
  const listenerId = optionalUuid(b, 'listener_id');
  if (listenerId === undefined) throw invalidInput('listener_id', undefined, 'Mandatory field missing.');
  const listener = findEntity<ListenerDoc>(call, 'listener', listenerId);
  if (!['HTTP', 'TERMINATED_HTTPS'].includes(listener.protocol))
    throw validationFailure(`L7 policies are not supported on ${listener.protocol} listeners.`);
  const action = readAction(call, b, listener);
  requireMutable(ctx, listener._lb);
  enforceQuota(ctx, listener.project_id, 'l7policy');
  const doc: L7PolicyDoc = {
    id: ctx.newId(),
    project_id: listener.project_id,
    name: str(b, 'name', ''),
    description: str(b, 'description', ''),
    admin_state_up: bool(b, 'admin_state_up', true),
    provisioning_status: 'PENDING_CREATE',
    created_at: octaviaTime(ctx.now()),
    updated_at: null,
    tags: tags(b, []),
    listener_id: listener.id,
    position: 0,
    ...action,
    _lb: listener._lb,
    _pending: null,
  };
  const wanted = b.position === undefined || b.position === null ? Number.MAX_SAFE_INTEGER : Number(b.position);
  if (!Number.isInteger(wanted) || wanted < 1)
    throw invalidInput('position', b.position, 'Value should be greater or equal to 1');
  ctx.store.insert(KIND.l7policy, doc, listener.project_id);
  const placed = renumber(call, listener.id, doc, wanted);
  ctx.store.update(KIND.l7policy, placed);
  return { l7policy: l7policyView(ctx, beginChange(ctx, 'l7policy', placed, 'PENDING_CREATE')) };
}

export function updateL7Policy(call: Call, id: string, body: unknown): View {
  const { ctx } = call;
  const p = findEntity<L7PolicyDoc>(call, 'l7policy', id);
  const b = rootObject(body, 'l7policy');
  const listener = findEntity<ListenerDoc>(call, 'listener', p.listener_id);
  const action = readAction(call, b, listener, p);
  requireMutable(ctx, p._lb);
  let next: L7PolicyDoc = {
    ...p,
    name: str(b, 'name', p.name),
    description: str(b, 'description', p.description),
    admin_state_up: bool(b, 'admin_state_up', p.admin_state_up),
    tags: tags(b, p.tags),
    ...action,
  };
  if (b.position !== undefined && b.position !== null) {
    const wanted = Number(b.position);
    if (!Number.isInteger(wanted) || wanted < 1)
      throw invalidInput('position', b.position, 'Value should be greater or equal to 1');
    next = renumber(call, p.listener_id, next, wanted);
  }
  ctx.store.update(KIND.l7policy, next);
  return { l7policy: l7policyView(ctx, beginChange(ctx, 'l7policy', next, 'PENDING_UPDATE')) };
}

export function deleteL7Policy(call: Call, id: string): void {
  const p = findEntity<L7PolicyDoc>(call, 'l7policy', id);
  requireMutable(call.ctx, p._lb);
  for (const r of call.ctx.store.list<L7RuleDoc>(KIND.l7rule))
    if (r.l7policy_id === p.id) beginChange(call.ctx, 'l7rule', r, 'PENDING_DELETE');
  beginChange(call.ctx, 'l7policy', p, 'PENDING_DELETE');
}

// ---- rules -------------------------------------------------------------------------------------

function readRule(b: Body, current?: L7RuleDoc) {
  const type = oneOf(b, 'type', L7_RULE_TYPES, current?.type);
  const compare = oneOf(b, 'compare_type', L7_COMPARE_TYPES, current?.compare_type);
  const value = b.value === undefined && current !== undefined ? current.value : requiredStr(b, 'value');
  const key = nullableStr(b, 'key', current?.key ?? null);
  if ((type === 'HEADER' || type === 'COOKIE') && key === null)
    throw validationFailure(`A key must be provided for ${type} rules.`);
  return { type, compare_type: compare, value, key, invert: bool(b, 'invert', current?.invert ?? false) };
}

export function findRule(call: Call, policyId: string, id: string): L7RuleDoc {
  findEntity<L7PolicyDoc>(call, 'l7policy', policyId);
  const r = findEntity<L7RuleDoc>(call, 'l7rule', id);
  if (r.l7policy_id !== policyId) throw invalidInput('l7rule', id, 'Not found');
  return r;
}

export function createL7Rule(call: Call, policyId: string, body: unknown): View {
  const { ctx } = call;
  const p = findEntity<L7PolicyDoc>(call, 'l7policy', policyId);
  const b = rootObject(body, 'rule');
  const rule = readRule(b);
  requireMutable(ctx, p._lb);
  enforceQuota(ctx, p.project_id, 'l7rule');
  const doc: L7RuleDoc = {
    id: ctx.newId(),
    project_id: p.project_id,
    name: '',
    admin_state_up: bool(b, 'admin_state_up', true),
    provisioning_status: 'PENDING_CREATE',
    created_at: octaviaTime(ctx.now()),
    updated_at: null,
    tags: tags(b, []),
    l7policy_id: p.id,
    ...rule,
    _lb: p._lb,
    _pending: null,
  };
  ctx.store.insert(KIND.l7rule, doc, p.project_id);
  return { rule: l7ruleView(ctx, beginChange(ctx, 'l7rule', doc, 'PENDING_CREATE')) };
}

export function updateL7Rule(call: Call, policyId: string, id: string, body: unknown): View {
  const { ctx } = call;
  const r = findRule(call, policyId, id);
  const b = rootObject(body, 'rule');
  const next: L7RuleDoc = {
    ...r,
    ...readRule(b, r),
    admin_state_up: bool(b, 'admin_state_up', r.admin_state_up),
    tags: tags(b, r.tags),
  };
  requireMutable(ctx, r._lb);
  ctx.store.update(KIND.l7rule, next);
  return { rule: l7ruleView(ctx, beginChange(ctx, 'l7rule', next, 'PENDING_UPDATE')) };
}

export function deleteL7Rule(call: Call, policyId: string, id: string): void {
  const r = findRule(call, policyId, id);
  requireMutable(call.ctx, r._lb);
  beginChange(call.ctx, 'l7rule', r, 'PENDING_DELETE');
}
