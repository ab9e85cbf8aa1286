/**
 * Validates sandbox answers against the official OpenAPI 3.1 files in
 * ../shared/openstack-api/ with ajv 2020: resolve the path template, method
 * and status, then check the body against that response's schema.
 *
 * Those files are generated and sometimes disagree with a real OpenStack
 * (real-zed/). Every disagreement the sandbox follows the real service on is
 * one row of SCHEMA_EXCEPTIONS, narrowly (service, operation, where), with the
 * reason. Used by every sandbox test: `expectConformant(service, method, path, status, body)`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export type ApiService = 'identity' | 'compute' | 'network' | 'volume' | 'image' | 'object-store';

const SPEC_DIR = join(__dirname, '..', '..', '..', 'shared', 'openstack-api');
const SPEC_FILES: Record<ApiService, string> = {
  identity: 'identity-v3.yaml',
  compute: 'compute-v2.yaml',
  network: 'network-v2.yaml',
  volume: 'block-storage-v3.yaml',
  image: 'image-v2.yaml',
  'object-store': 'object-store-v1.yaml',
};
/** The sandbox mounts each service under a prefix; the files know paths without it. */
export const SERVICE_PREFIX: Record<ApiService, string> = {
  identity: '/identity',
  compute: '/compute',
  network: '/networking',
  volume: '/volume',
  image: '/image',
  'object-store': '/object-store',
};

export type SchemaException =
  | { kind: 'status'; service: ApiService; method: string; template: string; realStatus: number; fileStatus: number; reason: string }
  | { kind: 'null'; service: ApiService; template?: string; instancePath: RegExp; reason: string }
  | { kind: 'keyword'; service: ApiService; template?: string; instancePath: RegExp; keyword: string; value?: RegExp; reason: string };

/** Where the sandbox follows the real service, not the file. Keep each row narrow. */
export const SCHEMA_EXCEPTIONS: SchemaException[] = [
  // --- success codes (real-zed/README.md) ---
  { kind: 'status', service: 'identity', method: 'POST', template: '/v3/auth/tokens', realStatus: 201, fileStatus: 200, reason: 'real Keystone answers a token issue with 201 Created' },
  { kind: 'status', service: 'compute', method: 'POST', template: '/v2.1/servers', realStatus: 202, fileStatus: 201, reason: 'real Nova answers a server create with 202 Accepted' },
  { kind: 'status', service: 'compute', method: 'POST', template: '/v2.1/os-keypairs', realStatus: 200, fileStatus: 201, reason: 'real Nova answers keypair create with 200 at microversion 2.1 (201 from 2.2)' },
  { kind: 'status', service: 'compute', method: 'DELETE', template: '/v2.1/os-keypairs/{keypair_name}', realStatus: 202, fileStatus: 204, reason: 'real Nova answers keypair delete with 202 at microversion 2.1 (204 from 2.2)' },
  { kind: 'status', service: 'compute', method: 'POST', template: '/v2.1/os-server-groups', realStatus: 200, fileStatus: 201, reason: 'real Nova answers server group create with 200' },
  { kind: 'status', service: 'compute', method: 'POST', template: '/v2.1/servers/{server_id}/os-volume_attachments', realStatus: 200, fileStatus: 201, reason: 'real Nova answers volume attach with 200' },
  { kind: 'status', service: 'compute', method: 'DELETE', template: '/v2.1/servers/{server_id}/os-volume_attachments/{id}', realStatus: 202, fileStatus: 204, reason: 'real Nova answers volume detach with 202' },
  { kind: 'status', service: 'volume', method: 'DELETE', template: '/v3/{project_id}/volumes/{volume_id}', realStatus: 202, fileStatus: 204, reason: 'real Cinder answers volume delete with 202 Accepted' },
  { kind: 'status', service: 'identity', method: 'POST', template: '/v3/projects', realStatus: 201, fileStatus: 200, reason: 'real Keystone answers every create with 201 Created' },
  { kind: 'status', service: 'identity', method: 'POST', template: '/v3/users', realStatus: 201, fileStatus: 200, reason: 'real Keystone answers every create with 201 Created' },
  { kind: 'status', service: 'identity', method: 'POST', template: '/v3/roles', realStatus: 201, fileStatus: 200, reason: 'real Keystone answers every create with 201 Created' },
  { kind: 'status', service: 'identity', method: 'POST', template: '/v3/users/{user_id}/application_credentials', realStatus: 201, fileStatus: 200, reason: 'real Keystone answers every create with 201 Created' },
  { kind: 'status', service: 'image', method: 'POST', template: '/v2/images/{image_id}/members', realStatus: 200, fileStatus: 201, reason: "real Glance answers member create with 200 (the file's own description says 'Normal response codes: 200')" },
  // --- nulls the real services send where the files say a non-null type ---
  { kind: 'null', service: 'identity', instancePath: /\/password_expires_at$/, reason: 'real Keystone answers password_expires_at: null for users without password expiry' },
  { kind: 'null', service: 'identity', instancePath: /\/roles\/\d+\/(domain_id|description)$/, reason: 'real Keystone answers null domain_id/description for global roles' },
  { kind: 'null', service: 'identity', instancePath: /\/(domain_id|description)$/, template: '/v3/roles', reason: 'real Keystone answers null domain_id/description for global roles' },
  { kind: 'null', service: 'identity', instancePath: /\/(domain_id|description)$/, template: '/v3/roles/{role_id}', reason: 'real Keystone answers null domain_id/description for global roles' },
  { kind: 'null', service: 'identity', instancePath: /\/links\/(next|previous)$/, reason: 'real Keystone answers null next/previous links on an unpaginated list' },
  { kind: 'null', service: 'identity', instancePath: /\/parent_region_id$/, reason: 'real Keystone answers parent_region_id: null for a top-level region' },
  { kind: 'null', service: 'identity', instancePath: /\/application_credentials?(\/\d+)?\/(expires_at|description)$/, reason: 'real Keystone answers null expires_at/description for an application credential without them' },
  { kind: 'null', service: 'volume', instancePath: /\/(qos_specs_id|consistencygroup_id|migration_status|snapshot_id|source_volid|updated_at)$/, reason: 'real Cinder answers null for these when unset' },
  { kind: 'null', service: 'network', instancePath: /\/(ipv[46]_address_scope|provider:physical_network|provider:segmentation_id|ipv6_address_mode|ipv6_ra_mode|flavor_id|port_details)$/, reason: 'real Neutron answers null for these when unset' },
  { kind: 'null', service: 'network', instancePath: /\/security_group_rules?(\/\d+)?\/(description|protocol|remote_group_id|remote_address_group_id|remote_ip_prefix|normalized_cidr|port_range_min|port_range_max)$/, reason: 'real Neutron answers null in security group rules' },
  { kind: 'null', service: 'network', instancePath: /\/subnets?(\/\d+)?\/(subnetpool_id|gateway_ip)$/, reason: 'real Neutron answers null for a subnet without pool or gateway' },
  { kind: 'null', service: 'network', instancePath: /\/subnetpools?(\/\d+)?\/(default_quota|address_scope_id)$/, reason: 'Neutron answers null for a subnet pool without quota or address scope' },
  { kind: 'null', service: 'network', instancePath: /\/routers?(\/\d+)?\/external_gateway_info$/, reason: 'real Neutron answers null for a router without gateway' },
  { kind: 'null', service: 'network', instancePath: /\/floatingips?(\/\d+)?\/(port_id|router_id|fixed_ip_address)$/, reason: 'real Neutron answers null for an unassociated floating IP' },
  { kind: 'keyword', service: 'network', template: '/v2.0/routers/{id}/add_router_interface', instancePath: /^\/tenant_id$/, keyword: 'format', value: /^[0-9a-f]{32}$/, reason: 'Keystone project ids are 32 hex digits without dashes, not the uuid format the file asks' },
  { kind: 'keyword', service: 'network', template: '/v2.0/routers/{id}/remove_router_interface', instancePath: /^\/tenant_id$/, keyword: 'format', value: /^[0-9a-f]{32}$/, reason: 'Keystone project ids are 32 hex digits without dashes, not the uuid format the file asks' },
  { kind: 'keyword', service: 'network', template: '/v2.0/routers/{id}/add_extraroutes', instancePath: /^\/router\/name$/, keyword: 'format', reason: 'the file gives the router name format uuid; it is the human-readable name' },
  { kind: 'keyword', service: 'network', template: '/v2.0/routers/{id}/remove_extraroutes', instancePath: /^\/router\/name$/, keyword: 'format', reason: 'the file gives the router name format uuid; it is the human-readable name' },
  { kind: 'keyword', service: 'network', instancePath: /^\/network_ip_availabilit(y|ies\/\d+)\/(total_ips|used_ips|subnet_ip_availability)$/, keyword: 'type', reason: 'the file types these as strings; Neutron answers integers and a list of per-subnet objects' },
  { kind: 'keyword', service: 'network', template: '/v2.0/extensions', instancePath: /^\/extensions\/\d+\/updated$/, keyword: 'format', value: /^2014-06-1T10:00:00-00:00$/, reason: 'real Neutron announces the dvr extension as updated "2014-06-1T10:00:00-00:00"' },
  { kind: 'null', service: 'image', instancePath: /\/(name|checksum|os_hash_algo|os_hash_value|size|virtual_size|container_format|disk_format)$/, reason: 'real Glance answers null for these on a queued image' },
  // --- shapes ---
  {
    kind: 'keyword',
    service: 'object-store',
    instancePath: /^\/\d+\/last_modified$/,
    keyword: 'format',
    value: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/,
    reason: 'real Swift listings give last_modified without a time zone (2026-11-29T01:06:13.173920), which is not RFC 3339 date-time',
  },
  {
    kind: 'keyword',
    service: 'identity',
    instancePath: /(^|\/)(id|[a-z_]*_id)$/,
    keyword: 'format',
    value: /^([0-9a-f]{32}|default|RegionOne)$/,
    reason: "Keystone ids are 32 hex digits without dashes (the default domain's id is 'default'), not the uuid format the file asks",
  },
  { kind: 'keyword', service: 'identity', instancePath: /\/links$/, keyword: 'type', reason: 'real Keystone collection links are an object {self, next, previous}, not an array' },
];

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
type Spec = { paths: Record<string, Record<string, Operation>>; components?: unknown };

const specs = new Map<ApiService, Spec>();
let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction | null>();

function load(service: ApiService): { spec: Spec; ajv: Ajv2020 } {
  if (ajv === undefined) {
    // unicodeRegExp off: the files use Python-style escapes (\@) that 'u' mode rejects.
    ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, unicodeRegExp: false, logger: false });
    addFormats(ajv);
    // Formats the files use that JSON Schema does not define.
    ajv.addFormat('name', true);
    ajv.addFormat('base64', /^[A-Za-z0-9+/]*={0,2}$/);
    ajv.addFormat('mac-address', /^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/);
  }
  let spec = specs.get(service);
  if (spec === undefined) {
    spec = parse(readFileSync(join(SPEC_DIR, SPEC_FILES[service]), 'utf8')) as Spec;
    specs.set(service, spec);
    ajv.addSchema({ $id: `storm-${service}`, components: spec.components ?? {} } as object);
  }
  return { spec, ajv };
}

/** The most literal path template matching `path` (Swift object names may contain '/'). */
export function templateFor(service: ApiService, templates: readonly string[], path: string): string | undefined {
  const segments = path.replace(/\/$/, '').split('/');
  let best: { t: string; literal: number } | undefined;
  for (const t of templates) {
    const parts = t.split('/');
    const swallowsRest = service === 'object-store' && parts[parts.length - 1] === '{object}';
    if (parts.length !== segments.length && !(swallowsRest && segments.length > parts.length)) continue;
    let literal = 0;
    const ok = parts.every((p, i) => {
      if (p.startsWith('{')) return segments[i] !== undefined && segments[i] !== '';
      if (p === segments[i]) {
        literal += 1;
        return true;
      }
      return false;
    });
    if (ok && (best === undefined || literal > best.literal)) best = { t, literal };
  }
  return best?.t;
}

export interface SchemaViolation {
  service: ApiService;
  method: string;
  path: string;
  status: number;
  errors: string[];
}

function readAt(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function excused(service: ApiService, template: string, body: unknown, e: ErrorObject): boolean {
  return SCHEMA_EXCEPTIONS.some((x) => {
    if (x.kind === 'status' || x.service !== service) return false;
    if (x.template !== undefined && x.template !== template) return false;
    if (!x.instancePath.test(e.instancePath)) return false;
    if (x.kind === 'null') return readAt(body, e.instancePath) === null;
    if (x.keyword !== e.keyword) return false;
    if (x.value === undefined) return true;
    const v = readAt(body, e.instancePath);
    return typeof v === 'string' && x.value.test(v);
  });
}

/**
 * Validates one answer. `path` is the path below the service prefix (e.g.
 * /v3/auth/tokens), or the full sandbox path (the prefix is stripped).
 */
export function validateResponse(service: ApiService, method: string, fullPath: string, status: number, body: unknown): SchemaViolation | undefined {
  const { spec, ajv: a } = load(service);
  let path = (fullPath.split('?')[0] ?? fullPath).replace(/^https?:\/\/[^/]+/, '');
  if (path.startsWith(`${SERVICE_PREFIX[service]}/`) || path === SERVICE_PREFIX[service]) path = path.slice(SERVICE_PREFIX[service].length) || '/';
  const template = templateFor(service, Object.keys(spec.paths), path);
  const fail = (errors: string[]): SchemaViolation => ({ service, method, path, status, errors });
  if (template === undefined) return fail([`no path template in ${SPEC_FILES[service]}`]);
  const m = method.toLowerCase();
  const statusException = SCHEMA_EXCEPTIONS.find((x) => x.kind === 'status' && x.service === service && x.method === method.toUpperCase() && x.template === template && x.realStatus === status);
  const fileStatus = statusException?.kind === 'status' ? statusException.fileStatus : status;
  const key = `${service} ${m} ${template} ${fileStatus}`;
  let validate = compiled.get(key);
  if (validate === undefined) {
    const op = spec.paths[template]?.[m];
    if (op?.responses?.[String(fileStatus)] === undefined) {
      return fail([`status ${status} is not documented for ${method} ${template}`]);
    }
    const schema = op.responses[String(fileStatus)]?.content?.['application/json']?.schema;
    validate = schema === undefined ? null : a.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components', `"storm-${service}#/components`)) as object);
    compiled.set(key, validate);
  }
  if (validate === null || body === undefined || body === '') return undefined;
  if (validate(body)) return undefined;
  const errors = (validate.errors ?? []).filter((e) => !excused(service, template, body, e)).map((e) => `${e.instancePath} ${e.message ?? ''} (${e.keyword})`);
  return errors.length === 0 ? undefined : fail(errors);
}

/** Throws with every violation when the answer does not conform. */
export function expectConformant(service: ApiService, method: string, path: string, status: number, body: unknown): void {
  const v = validateResponse(service, method, path, status, body);
  if (v !== undefined) throw new Error(`${service} ${method} ${v.path} ${status} does not match ${SPEC_FILES[service]}:\n  ${v.errors.join('\n  ')}`);
}
