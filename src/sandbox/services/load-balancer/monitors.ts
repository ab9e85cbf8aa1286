/**
 * Health monitors: at most one per pool. HTTP(S) monitors carry a method, path
 * and expected codes (Octavia's defaults GET, /, 200); the others carry none.
 */
import {
  type Body,
  type Call,
  bool,
  conflict,
  int,
  invalidInput,
  nullableStr,
  octaviaTime,
  oneOf,
  optionalUuid,
  requiredInt,
  rootObject,
  str,
  tags,
  validationFailure,
} from './call.js';
import { type HealthMonitorDoc, HTTP_METHODS, KIND, MONITOR_TYPES, type PoolDoc } from './model.js';
import { beginChange, enforceQuota, findEntity, requireMutable } from './state.js';
import { healthMonitorView, type View } from './views.js';

const isHttp = (type: string): boolean => type === 'HTTP' || type === 'HTTPS';

function httpVersion(b: Body, fallback: number | null): number | null {
  const v = b.http_version;
  if (v === undefined) return fallback;
  if (v === null) return null;
  const n = typeof v === 'string' ? Number(v) : v;
  if (n !== 1.0 && n !== 1.1) throw invalidInput('http_version', v, 'Value should be one of: 1.0, 1.1');
  return n;
}

function expectedCodes(b: Body, fallback: string | null): string | null {
  const codes = nullableStr(b, 'expected_codes', fallback, 64);
  if (codes !== null && !/^(\d{3}(-\d{3})?)(,\d{3}(-\d{3})?)*$/.test(codes))
    throw invalidInput(
      'expected_codes',
      codes,
      'Value should match the pattern ^(\\d{3}(\\s*,\\s*\\d{3})*)$|^(\\d{3}-\\d{3})$',
    );
  return codes;
}

function urlPath(b: Body, fallback: string | null): string | null {
  const path = nullableStr(b, 'url_path', fallback, 2048);
  if (path !== null && !path.startsWith('/')) throw invalidInput('url_path', path, 'Value should be a URL path');
  return path;
}

export function createHealthMonitor(call: Call, body: unknown): View {
  const { ctx } = call;
  const b = rootObject(body, 'healthmonitor');
  const poolId = optionalUuid(b, 'pool_id');
  if (poolId === undefined) throw invalidInput('pool_id', undefined, 'Mandatory field missing.');
  const type = oneOf(b, 'type', MONITOR_TYPES);
  const delay = requiredInt(b, 'delay', 0, 2 ** 31 - 1);
  const timeout = requiredInt(b, 'timeout', 0, 2 ** 31 - 1);
  const maxRetries = requiredInt(b, 'max_retries', 1, 10);
  if (timeout > delay) throw validationFailure('The request timeout value must be less than or equal to the delay.');
  const pool = findEntity<PoolDoc>(call, 'pool', poolId);
  const http = isHttp(type);
  if (!http && (b.http_method || b.url_path || b.expected_codes || b.http_version || b.domain_name))
    throw validationFailure(
      `http_method, url_path, expected_codes, http_version and domain_name are not valid for a ${type} health monitor.`,
    );
  requireMutable(ctx, pool._lb);
  if (ctx.store.list<HealthMonitorDoc>(KIND.healthmonitor).some((m) => m.pool_id === poolId))
    throw conflict('This pool already has a health monitor');
  enforceQuota(ctx, pool.project_id, 'healthmonitor');
  const monitor: HealthMonitorDoc = {
    id: ctx.newId(),
    project_id: pool.project_id,
    name: str(b, 'name', ''),
    admin_state_up: bool(b, 'admin_state_up', true),
    provisioning_status: 'PENDING_CREATE',
    created_at: octaviaTime(ctx.now()),
    updated_at: null,
    tags: tags(b, []),
    pool_id: poolId,
    type,
    delay,
    timeout,
    max_retries: maxRetries,
    max_retries_down: int(b, 'max_retries_down', 3, 1, 10),
    http_method: http ? oneOf(b, 'http_method', HTTP_METHODS, 'GET') : null,
    http_version: http ? httpVersion(b, null) : null,
    url_path: http ? urlPath(b, '/') : null,
    expected_codes: http ? expectedCodes(b, '200') : null,
    domain_name: http ? nullableStr(b, 'domain_name', null) : null,
    _lb: pool._lb,
    _pending: null,
  };
  ctx.store.insert(KIND.healthmonitor, monitor, pool.project_id);
  return { healthmonitor: healthMonitorView(ctx, beginChange(ctx, 'healthmonitor', monitor, 'PENDING_CREATE')) };
}

export function updateHealthMonitor(call: Call, id: string, body: unknown): View {
  const { ctx } = call;
  const m = findEntity<HealthMonitorDoc>(call, 'healthmonitor', id);
  const b = rootObject(body, 'healthmonitor');
  const http = isHttp(m.type);
  const next: HealthMonitorDoc = {
    ...m,
    name: str(b, 'name', m.name),
    admin_state_up: bool(b, 'admin_state_up', m.admin_state_up),
    tags: tags(b, m.tags),
    delay: int(b, 'delay', m.delay, 0, 2 ** 31 - 1),
    timeout: int(b, 'timeout', m.timeout, 0, 2 ** 31 - 1),
    max_retries: int(b, 'max_retries', m.max_retries, 1, 10),
    max_retries_down: int(b, 'max_retries_down', m.max_retries_down, 1, 10),
    http_method: http ? oneOf(b, 'http_method', HTTP_METHODS, m.http_method ?? 'GET') : null,
    http_version: http ? httpVersion(b, m.http_version) : null,
    url_path: http ? urlPath(b, m.url_path) : null,
    expected_codes: http ? expectedCodes(b, m.expected_codes) : null,
    domain_name: http ? nullableStr(b, 'domain_name', m.domain_name) : null,
  };
  if (next.timeout > next.delay)
    throw validationFailure('The request timeout value must be less than or equal to the delay.');
  requireMutable(ctx, m._lb);
  ctx.store.update(KIND.healthmonitor, next);
  return { healthmonitor: healthMonitorView(ctx, beginChange(ctx, 'healthmonitor', next, 'PENDING_UPDATE')) };
}

export function deleteHealthMonitor(call: Call, id: string): void {
  const m = findEntity<HealthMonitorDoc>(call, 'healthmonitor', id);
  requireMutable(call.ctx, m._lb);
  beginChange(call.ctx, 'healthmonitor', m, 'PENDING_DELETE');
}
