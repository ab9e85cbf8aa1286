/**
 * Validates Nova and Cinder answers against ../shared/openstack-api/
 * {compute-v2,block-storage-v3}.yaml (OpenAPI 3.1, ajv 2020). Responses of
 * microversioned operations are a oneOf of variants named `<Name>_<major><minor>`;
 * the variant checked is the newest one not above the microversion the
 * sandbox announced. Where the file and a real service disagree, the
 * exceptions below apply, narrowly, each with its reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export type ApiFile = 'compute' | 'volume';

const FILES: Record<ApiFile, string> = {
  compute: join(__dirname, '..', '..', '..', 'shared', 'openstack-api', 'compute-v2.yaml'),
  volume: join(__dirname, '..', '..', '..', 'shared', 'openstack-api', 'block-storage-v3.yaml'),
};

/**
 * Success codes where the real service answers differently from the file
 * (real-zed/README.md): the answer is validated against the schema the file
 * gives for its own code.
 */
export const STATUS_EXCEPTIONS: { api: ApiFile; method: string; template: RegExp; real: number; file: number; reason: string }[] = [
  { api: 'compute', method: 'POST', template: /^\/v2\.1\/servers$/, real: 202, file: 201, reason: 'real Nova answers 202 to server create' },
  { api: 'compute', method: 'POST', template: /^\/v2\.1\/os-keypairs$/, real: 200, file: 201, reason: 'real Nova answers 200 to keypair create before 2.2' },
  { api: 'compute', method: 'POST', template: /^\/v2\.1\/os-server-groups$/, real: 200, file: 201, reason: 'real Nova answers 200 to server group create' },
  { api: 'compute', method: 'POST', template: /^\/v2\.1\/servers\/\{server_id\}\/os-volume_attachments$/, real: 200, file: 201, reason: 'real Nova answers 200 to volume attach' },
  { api: 'compute', method: 'POST', template: /^\/v2\.1\/flavors$/, real: 200, file: 201, reason: 'real Nova answers 200 to flavor create' },
  { api: 'volume', method: 'DELETE', template: /^\/v3\/\{project_id\}\/attachments\/\{id\}$/, real: 200, file: 204, reason: 'real Cinder answers 200 with the remaining attachments sharing the connection' },
  { api: 'compute', method: 'POST', template: /^\/v2\.1\/servers\/\{server_id\}\/metadata$/, real: 200, file: 201, reason: 'real Nova answers 200 to a metadata merge (POST)' },
  { api: 'compute', method: 'POST', template: /^\/v2\.1\/servers\/\{id\}\/action$/, real: 200, file: 202, reason: 'real Nova answers 200 to os-getConsoleOutput (and the other actions that return a body)' },
];

/** Field-level disagreements: `nullOnly` excuses only a JSON null at the path. */
export const FIELD_EXCEPTIONS: { api: ApiFile; instancePath: RegExp; keyword?: string; missing?: string; nullOnly: boolean; reason: string }[] = [
  { api: 'volume', instancePath: /^\/attachment$/, keyword: 'required', missing: 'name', nullOnly: false, reason: "real Cinder's attachment view has no `name`; the file requires one" },
  { api: 'volume', instancePath: /\/(qos_specs_id|consistencygroup_id|migration_status|snapshot_id|source_volid|updated_at|replication_status|description|name|group_id|group_snapshot_id|provider_id|cluster_name|service_uuid)$/, nullOnly: true, reason: 'real Cinder answers null when unset (real-zed)' },
  { api: 'volume', instancePath: /\/os-vol-(mig-status-attr:(migstat|name_id)|host-attr:host)$/, nullOnly: true, reason: 'real Cinder answers null before scheduling / without migration (real-zed)' },
  { api: 'volume', instancePath: /\/(detached_at|attached_at|instance)$/, nullOnly: true, reason: 'real Cinder answers null for an attachment not yet attached' },
  { api: 'compute', instancePath: /\/(OS-SRV-USG:launched_at|OS-SRV-USG:terminated_at|OS-EXT-STS:task_state|key_name|description|locked_reason|OS-EXT-SRV-ATTR:user_data|trusted_image_certificates)$/, nullOnly: true, reason: 'real Nova answers null when unset (real-zed)' },
  { api: 'compute', instancePath: /\/tenant_id$/, keyword: 'format', nullOnly: false, reason: 'Keystone project ids are 32 hex digits without dashes, not uuids' },
  { api: 'compute', instancePath: /\/(user_id|project_id)$/, keyword: 'format', nullOnly: false, reason: 'Keystone ids are 32 hex digits without dashes, not uuids' },
  { api: 'compute', instancePath: /\/keypair\/created_at$/, keyword: 'format', nullOnly: false, reason: 'real Nova answers a naive timestamp 2026-11-29T01:06:04.434089 (real-zed)' },
  { api: 'compute', instancePath: /\/updated_at$/, nullOnly: true, reason: 'real Nova answers null for a keypair never updated (real-zed)' },
  { api: 'compute', instancePath: /\/OS-SRV-USG:launched_at$/, keyword: 'format', nullOnly: false, reason: 'real Nova answers a naive timestamp 2026-11-29T01:06:07.000000 (real-zed)' },
  { api: 'compute', instancePath: /^\/instanceActions?(\/\d+)?(\/events\/\d+)?\/(start_time|finish_time|updated_at)$/, keyword: 'format', nullOnly: false, reason: "Nova's instance actions carry naive timestamps (2018-04-25T01:26:29.000000 in its api-ref samples)" },
  { api: 'volume', instancePath: /\/(created_at|updated_at|attached_at|detached_at)$/, keyword: 'format', nullOnly: false, reason: 'real Cinder answers naive timestamps 2026-11-29T01:06:10.749641 (real-zed)' },
  { api: 'volume', instancePath: /\/(user_id|os-vol-tenant-attr:tenant_id|project_id|os-extended-snapshot-attributes:project_id)$/, keyword: 'format', nullOnly: false, reason: 'Keystone ids are 32 hex digits without dashes, not uuids' },
];

export interface SchemaViolation {
  api: ApiFile;
  method: string;
  path: string;
  status: number;
  errors: string[];
}

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: { oneOf?: { $ref: string }[]; $ref?: string } }> }>;
}
type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

const loaded = new Map<ApiFile, { spec: Spec; ajv: Ajv2020 }>();
const compiled = new Map<string, ValidateFunction>();

function load(api: ApiFile): { spec: Spec; ajv: Ajv2020 } {
  let l = loaded.get(api);
  if (!l) {
    const spec = parse(readFileSync(FILES[api], 'utf8')) as Spec;
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(ajv);
    ajv.addSchema({ $id: api, components: spec.components } as object);
    l = { spec, ajv };
    loaded.set(api, l);
  }
  return l;
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

/** `ServerShowResponse_247` → minor 47 of major 2; `_20` → 2.0; `_2100` → 2.100. */
function variantVersion(ref: string, major: number): number | undefined {
  const m = /_(\d+)$/.exec(ref);
  if (!m?.[1]) return undefined;
  const digits = m[1];
  if (!digits.startsWith(String(major))) return undefined;
  return Number(digits.slice(String(major).length) || '0');
}

function readAt(body: unknown, pointer: string): unknown {
  let cur: unknown = body;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/**
 * Checks one answer; `microversion` is what the sandbox announced (e.g.
 * "2.1"). Returns undefined when it conforms (or the file has no schema).
 */
export function validateResponse(api: ApiFile, method: string, path: string, status: number, body: unknown, microversion: string): SchemaViolation | undefined {
  const { spec, ajv } = load(api);
  const clean = path.split('?')[0] ?? path;
  const template = templateFor(Object.keys(spec.paths), clean);
  if (!template) return { api, method, path, status, errors: ['no path template in the file'] };
  const op = spec.paths[template]?.[method.toLowerCase()];
  if (!op) return { api, method, path, status, errors: [`no ${method} operation for ${template}`] };
  let code = String(status);
  const exception = STATUS_EXCEPTIONS.find((x) => x.api === api && x.method === method && x.template.test(template) && x.real === status);
  if (exception && !op.responses?.[code]) code = String(exception.file);
  const response = op.responses?.[code];
  if (!response) return { api, method, path, status, errors: [`status ${status} not in the file for ${method} ${template}`] };
  const schema = response.content?.['application/json']?.schema;
  if (!schema) return undefined;
  let ref = schema.$ref;
  if (schema.oneOf) {
    const [majorText, minorText] = microversion.split('.');
    const major = Number(majorText);
    const minor = Number(minorText);
    let best: { ref: string; v: number } | undefined;
    for (const alt of schema.oneOf) {
      const v = variantVersion(alt.$ref, major);
      if (v === undefined || v > minor) continue;
      if (!best || v > best.v) best = { ref: alt.$ref, v };
    }
    ref = best?.ref ?? schema.oneOf[0]?.$ref;
  }
  if (!ref) return undefined;
  const key = `${api}:${ref}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile({ $ref: `${api}${ref}` });
    compiled.set(key, validate);
  }
  if (validate(body)) return undefined;
  const all = validate.errors ?? [];
  const isExcused = (e: (typeof all)[number]): boolean => {
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf') return true;
    const fx = FIELD_EXCEPTIONS.filter((x) => x.api === api && x.instancePath.test(e.instancePath));
    return fx.some((x) => {
      if (x.nullOnly) return readAt(body, e.instancePath) === null;
      if (x.missing !== undefined && (e.params as { missingProperty?: string }).missingProperty !== x.missing) return false;
      return x.keyword === e.keyword;
    });
  };
  const text = (e: (typeof all)[number]): string => `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`;
  // A failed oneOf (e.g. a normal server vs a down-cell one) reports the errors of
  // every branch; the answer conforms when one branch has only excused errors.
  const oneOfs = all.filter((e) => e.keyword === 'oneOf').map((e) => e.schemaPath);
  const errors: string[] = [];
  const inBranch = new Set<(typeof all)[number]>();
  for (const path of oneOfs) {
    const byBranch = new Map<string, (typeof all)[number][]>();
    for (const e of all) {
      const m = e.schemaPath.startsWith(`${path}/`) ? /^\d+/.exec(e.schemaPath.slice(path.length + 1)) : null;
      if (!m) continue;
      inBranch.add(e);
      byBranch.set(m[0], [...(byBranch.get(m[0]) ?? []), e]);
    }
    const leftovers = [...byBranch.values()].map((list) => list.filter((e) => !isExcused(e)));
    const best = leftovers.reduce<(typeof all)[number][] | undefined>((min, c) => (min === undefined || c.length < min.length ? c : min), undefined) ?? [];
    errors.push(...best.map(text));
  }
  for (const e of all) if (!inBranch.has(e) && !isExcused(e)) errors.push(text(e));
  return errors.length === 0 ? undefined : { api, method, path, status, errors };
}
