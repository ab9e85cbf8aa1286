/**
 * Validates sandbox answers against ../shared/openstack-api/network-v2.yaml
 * (OpenAPI 3.1, ajv 2020): resolve the path template, method and status, then
 * the response schema. Known disagreements between that generated file and a
 * real Neutron are listed in NETWORK_SCHEMA_EXCEPTIONS, narrowly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const SPEC_FILE = join(__dirname, '..', '..', '..', 'shared', 'openstack-api', 'network-v2.yaml');

/**
 * Where a real Neutron (real-zed/responses.json.gz) answers differently from
 * the file. `nullOnly` entries excuse only a JSON null at that path (any
 * keyword: type or enum); the others excuse one keyword there.
 */
export const NETWORK_SCHEMA_EXCEPTIONS: { instancePath: RegExp; keyword?: string; nullOnly: boolean; reason: string }[] = [
  { instancePath: /\/ipv[46]_address_scope$/, nullOnly: true, reason: 'real Neutron answers null when the network has no address scope' },
  { instancePath: /\/provider:(physical_network|segmentation_id)$/, nullOnly: true, reason: 'real Neutron answers null for vxlan physical_network and flat segmentation_id' },
  { instancePath: /\/ipv6_(address|ra)_mode$/, nullOnly: true, reason: 'real Neutron answers null on IPv4 subnets' },
  { instancePath: /\/(subnetpool_id|gateway_ip)$/, nullOnly: true, reason: 'real Neutron answers null when unset' },
  { instancePath: /\/flavor_id$/, nullOnly: true, reason: 'real Neutron answers null for routers without a flavor' },
  { instancePath: /\/external_gateway_info$/, nullOnly: true, reason: 'real Neutron answers null for a router without gateway' },
  { instancePath: /\/(description|protocol|remote_group_id|remote_address_group_id|remote_ip_prefix|normalized_cidr|port_range_(min|max))$/, nullOnly: true, reason: 'real Neutron answers null in security group rules' },
  { instancePath: /\/(port_details|port_id|router_id|fixed_ip_address)$/, nullOnly: true, reason: 'real Neutron answers null for an unassociated floating IP' },
  { instancePath: /^\/tenant_id$/, keyword: 'format', nullOnly: false, reason: 'Keystone project ids are 32 hex digits without dashes, not the uuid format the file asks of add/remove_router_interface' },
  { instancePath: /^\/extensions\/\d+\/updated$/, keyword: 'format', nullOnly: false, reason: 'real Neutron announces the dvr extension as updated "2014-06-1T10:00:00-00:00"' },
];

function excused(body: unknown, e: { instancePath: string; keyword: string }): boolean {
  return NETWORK_SCHEMA_EXCEPTIONS.some((x) => {
    if (!x.instancePath.test(e.instancePath)) return false;
    if (x.nullOnly) return readAt(body, e.instancePath) === null;
    return x.keyword === e.keyword;
  });
}

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

type Spec = { paths: Record<string, Record<string, Operation>>; components: unknown };

let spec: Spec | undefined;
let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction | null>();

function load(): { spec: Spec; ajv: Ajv2020 } {
  if (!spec || !ajv) {
    spec = parse(readFileSync(SPEC_FILE, 'utf8')) as Spec;
    ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'network-v2', components: spec.components } as object);
  }
  return { spec, ajv };
}

function templateFor(paths: string[], path: string): string | undefined {
  const segments = path.split('/');
  let best: { t: string; literal: number } | undefined;
  for (const t of paths) {
    const parts = t.split('/');
    if (parts.length !== segments.length) continue;
    let literal = 0;
    const ok = parts.every((p, i) => {
      if (p.startsWith('{')) return true;
      if (p === segments[i]) {
        literal++;
        return true;
      }
      return false;
    });
    if (ok && (!best || literal > best.literal)) best = { t, literal };
  }
  return best?.t;
}

export interface SchemaViolation {
  method: string;
  path: string;
  status: number;
  errors: string[];
}

/** Validates one answer; `path` is the API path without the /networking prefix (e.g. /v2.0/networks). */
export function validateNetworkResponse(method: string, path: string, status: number, body: unknown): SchemaViolation | undefined {
  const { spec: s, ajv: a } = load();
  const template = templateFor(Object.keys(s.paths), path.split('?')[0] ?? path);
  if (!template) return { method, path, status, errors: ['no path template in network-v2.yaml'] };
  const key = `${method.toLowerCase()} ${template} ${status}`;
  let validate = compiled.get(key);
  if (validate === undefined) {
    const op = s.paths[template]?.[method.toLowerCase()];
    const response = op?.responses?.[String(status)];
    const schema = response?.content?.['application/json']?.schema;
    validate = schema ? a.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components', '"network-v2#/components'))) : null;
    if (!op?.responses?.[String(status)]) {
      compiled.set(key, null);
      return { method, path, status, errors: [`status ${status} is not documented for ${method} ${template}`] };
    }
    compiled.set(key, validate);
  }
  if (!validate || body === undefined) return undefined;
  if (validate(body)) return undefined;
  const errors = (validate.errors ?? [])
    .filter((e) => !excused(body, e))
    .map((e) => `${e.instancePath} ${e.message ?? ''}`);
  return errors.length === 0 ? undefined : { method, path, status, errors };
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
