/**
 * Secrets: metadata (name, algorithm, bit length, mode, type, expiration), one
 * payload given at creation or by one later PUT (never changed after), the
 * payload read back in the content type it was stored with, user metadata.
 */
import { barbicanError, type SandboxHttpError } from '../../core/errors.js';
import { readableSecret, ownedSecret, expired } from './access.js';
import {
  type Body,
  barbicanTime,
  badRequest,
  bodyObject,
  type Call,
  invalid,
  optionalString,
  page,
  secretRef,
} from './call.js';
import { KIND, MAX_SECRET_BYTES, SECRET_TYPES, type SecretDoc } from './model.js';

const SCHEMA = 'Secret';
const TEXT_TYPES = ['text/plain', 'text/plain;charset=utf-8', 'text/plain; charset=utf-8'];
const BINARY_TYPES = ['application/octet-stream', 'application/pkcs8', 'application/pkix-cert', 'application/pkcs12'];

/** Barbican keeps every text/plain spelling as `text/plain`. */
export function normalizeContentType(type: string): string | undefined {
  const t = type.trim().toLowerCase();
  if (TEXT_TYPES.includes(t)) return 'text/plain';
  return BINARY_TYPES.includes(t) ? t : undefined;
}

const tooLarge = (): SandboxHttpError => barbicanError(413, 'Could not add secret data as it was too large');

function decodeBase64(text: string): Buffer {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) throw badRequest('Problem decoding payload');
  return Buffer.from(clean, 'base64');
}

function checkSize(bytes: Buffer): Buffer {
  if (bytes.length === 0) throw badRequest('No information provided to process.');
  if (bytes.length > MAX_SECRET_BYTES) throw tooLarge();
  return bytes;
}

function readExpiration(call: Call, b: Body): string | null {
  const v = b.expiration;
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw invalid(SCHEMA, `${JSON.stringify(v)} is not of type 'string'`, 'expiration');
  // No zone means UTC (Barbican normalizes to naive UTC).
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? v : `${v}Z`;
  const at = Date.parse(withZone);
  if (Number.isNaN(at)) throw invalid(SCHEMA, `Invalid date for 'expiration'`, 'expiration');
  if (at <= call.ctx.now().getTime()) throw invalid(SCHEMA, "'expiration' is before current time", 'expiration');
  return barbicanTime(new Date(at));
}

function readBitLength(b: Body): number | null {
  const v = b.bit_length;
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw invalid(SCHEMA, `${JSON.stringify(v)} is not of type 'integer'`, 'bit_length');
  if (v < 1) throw invalid(SCHEMA, `${v} is less than the minimum of 1`, 'bit_length');
  return v;
}

/** The payload of a create request: its bytes and content type, or none. */
function readPayload(b: Body): { bytes: Buffer; type: string } | null {
  const payload = b.payload;
  const rawType = b.payload_content_type;
  const encoding = b.payload_content_encoding;
  if (payload === undefined || payload === null) {
    if (rawType !== undefined && rawType !== null)
      throw invalid(SCHEMA, 'payload_content_type is not allowed without a payload', 'payload_content_type');
    return null;
  }
  if (typeof payload !== 'string')
    throw invalid(SCHEMA, `${JSON.stringify(payload)} is not of type 'string'`, 'payload');
  if (payload.trim() === '') throw invalid(SCHEMA, "If 'payload' specified, must be non empty", 'payload');
  if (typeof rawType !== 'string')
    throw invalid(
      SCHEMA,
      "If 'payload' is supplied, 'payload_content_type' must also be supplied",
      'payload_content_type',
    );
  const type = normalizeContentType(rawType);
  if (type === undefined)
    throw invalid(
      SCHEMA,
      `payload_content_type ${rawType} is not one of ${JSON.stringify([...TEXT_TYPES, ...BINARY_TYPES])}`,
      'payload_content_type',
    );
  if (type === 'text/plain') {
    if (encoding !== undefined && encoding !== null)
      throw invalid(
        SCHEMA,
        'payload_content_encoding is not allowed for text/plain payloads',
        'payload_content_encoding',
      );
    return { bytes: checkSize(Buffer.from(payload, 'utf8')), type };
  }
  if (encoding !== 'base64')
    throw invalid(SCHEMA, 'payload_content_encoding must be base64 for a binary payload', 'payload_content_encoding');
  return { bytes: checkSize(decodeBase64(payload)), type };
}

export function createSecret(call: Call, body: unknown): { secret_ref: string } {
  const { ctx, auth } = call;
  const b = bodyObject(body, SCHEMA);
  const secretType = b.secret_type ?? 'opaque';
  if (typeof secretType !== 'string' || !(SECRET_TYPES as readonly string[]).includes(secretType))
    throw invalid(SCHEMA, `${JSON.stringify(secretType)} is not one of ${JSON.stringify(SECRET_TYPES)}`, 'secret_type');
  const payload = readPayload(b);
  const now = barbicanTime(ctx.now());
  const doc: SecretDoc = {
    id: ctx.newId(),
    project_id: auth.projectId,
    name: optionalString(b, 'name', SCHEMA),
    algorithm: optionalString(b, 'algorithm', SCHEMA),
    bit_length: readBitLength(b),
    mode: optionalString(b, 'mode', SCHEMA),
    secret_type: secretType,
    expiration: readExpiration(call, b),
    created: now,
    updated: now,
    creator_id: auth.userId,
    _payload: payload === null ? null : payload.bytes.toString('base64'),
    _content_type: payload?.type ?? null,
    _metadata: {},
    _acl: {},
  };
  ctx.store.insert(KIND.secret, doc, auth.projectId);
  return { secret_ref: secretRef(ctx, doc.id) };
}

export function secretView(call: Call, s: SecretDoc): Record<string, unknown> {
  return {
    algorithm: s.algorithm,
    bit_length: s.bit_length,
    ...(s._content_type === null ? {} : { content_types: { default: s._content_type } }),
    created: s.created,
    creator_id: s.creator_id,
    expiration: s.expiration,
    mode: s.mode,
    name: s.name,
    secret_ref: secretRef(call.ctx, s.id),
    secret_type: s.secret_type,
    status: 'ACTIVE',
    updated: s.updated,
  };
}

export function getSecret(call: Call, id: string): Record<string, unknown> {
  return secretView(call, readableSecret(call, id, 'Secret retrieval'));
}

/** The payload in the representation the Accept header asks for (the stored one for none or any type). */
export function secretPayload(
  call: Call,
  id: string,
  accept: string | undefined,
): { contentType: string; bytes: Buffer } {
  const s = readableSecret(call, id, 'Secret payload retrieval');
  if (s._payload === null || s._content_type === null) throw barbicanError(404, 'Secret has no payload.');
  const bytes = Buffer.from(s._payload, 'base64');
  const wanted = (accept ?? '').split(',')[0]?.split(';')[0]?.trim().toLowerCase() ?? '';
  const stored = s._content_type;
  if (wanted === '' || wanted === '*/*' || wanted === stored) return { contentType: contentTypeHeader(stored), bytes };
  if (wanted === 'application/octet-stream') return { contentType: 'application/octet-stream', bytes };
  throw barbicanError(406, 'Wrong payload content-type');
}

function contentTypeHeader(type: string): string {
  return type === 'text/plain' ? 'text/plain; charset=utf-8' : type;
}

/** PUT /secrets/{id}: the payload of a secret created without one (Content-Type and Content-Encoding headers). */
export function putPayload(
  call: Call,
  id: string,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  body: unknown,
): void {
  const ct = (contentType ?? '').trim();
  if (ct === '' || ct.toLowerCase().startsWith('application/json'))
    throw barbicanError(415, `Content-Type of '${ct === '' ? 'None' : ct}' is not supported for PUT.`);
  const type = normalizeContentType(ct);
  if (type === undefined) throw barbicanError(415, `Content-Type of '${ct}' is not supported for PUT.`);
  const s = ownedSecret(call, id, 'Secret update');
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : '', 'utf8');
  if (raw.length === 0) throw badRequest('No information provided to process.');
  if (s._payload !== null) throw barbicanError(409, 'Secret already has data, cannot modify it.');
  const bytes =
    type !== 'text/plain' && (contentEncoding ?? '').toLowerCase() === 'base64'
      ? decodeBase64(raw.toString('utf8'))
      : raw;
  checkSize(bytes);
  call.ctx.store.update<SecretDoc>(KIND.secret, {
    ...s,
    _payload: bytes.toString('base64'),
    _content_type: type,
    updated: barbicanTime(call.ctx.now()),
  });
}

export function deleteSecret(call: Call, id: string): void {
  ownedSecret(call, id, 'Secret deletion');
  call.ctx.store.delete(KIND.secret, id);
}

const FILTERS: Record<string, keyof SecretDoc> = {
  name: 'name',
  alg: 'algorithm',
  mode: 'mode',
  secret_type: 'secret_type',
};

export function listSecrets(call: Call, query: Record<string, string>): Record<string, unknown> {
  const { ctx, auth } = call;
  const aclOnly = /^true$/i.test(query.acl_only ?? '');
  let all = ctx.store
    .list<SecretDoc>(KIND.secret)
    .filter((s) => !expired(ctx, s))
    .filter((s) => (aclOnly ? s._acl.read?.users.includes(auth.userId) === true : s.project_id === auth.projectId));
  for (const [param, field] of Object.entries(FILTERS)) {
    const wanted = query[param];
    if (wanted !== undefined && wanted !== '') all = all.filter((s) => s[field] === wanted);
  }
  const bits = Number(query.bits ?? '0');
  if (Number.isInteger(bits) && bits > 0) all = all.filter((s) => s.bit_length === bits);
  all.sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id));
  const { items, links } = page(ctx, 'secrets', all, query);
  return { secrets: items.map((s) => secretView(call, s)), total: all.length, ...links };
}

// ---- metadata ----------------------------------------------------------------------------------

const METADATA_KEY = /^[a-z0-9_.-]{1,255}$/;

function readMetadatum(body: unknown): { key: string; value: string } {
  const b = bodyObject(body, 'Secret Metadatum');
  if (typeof b.key !== 'string' || !METADATA_KEY.test(b.key.toLowerCase()))
    throw invalid(
      'Secret Metadatum',
      "'key' is a required property of at most 255 letters, digits, '-', '_' or '.'",
      'key',
    );
  if (typeof b.value !== 'string') throw invalid('Secret Metadatum', "'value' is a required property", 'value');
  return { key: b.key.toLowerCase(), value: b.value };
}

export function getMetadata(call: Call, id: string): { metadata: Record<string, string> } {
  return { metadata: readableSecret(call, id, 'Secret metadata retrieval')._metadata };
}

export function replaceMetadata(call: Call, id: string, body: unknown): { metadata_ref: string } {
  const s = ownedSecret(call, id, 'Secret metadata creation');
  const b = bodyObject(body, 'Secret Metadata');
  const m = b.metadata;
  if (typeof m !== 'object' || m === null || Array.isArray(m))
    throw invalid('Secret Metadata', "'metadata' is a required property", 'metadata');
  const next: Record<string, string> = {};
  for (const [k, v] of Object.entries(m as Body)) {
    const one = readMetadatum({ key: k, value: v });
    next[one.key] = one.value;
  }
  call.ctx.store.update<SecretDoc>(KIND.secret, { ...s, _metadata: next, updated: barbicanTime(call.ctx.now()) });
  return { metadata_ref: `${secretRef(call.ctx, id)}/metadata` };
}

export function addMetadatum(call: Call, id: string, body: unknown): { key: string; value: string } {
  const s = ownedSecret(call, id, 'Secret metadatum creation');
  const one = readMetadatum(body);
  if (one.key in s._metadata) throw barbicanError(409, 'Conflict. Key in request is already in the secret metadata');
  call.ctx.store.update<SecretDoc>(KIND.secret, { ...s, _metadata: { ...s._metadata, [one.key]: one.value } });
  return one;
}

const metadatumNotFound = (): SandboxHttpError => barbicanError(404, 'Secret metadata not found.');

export function getMetadatum(call: Call, id: string, key: string): { key: string; value: string } {
  const s = readableSecret(call, id, 'Secret metadatum retrieval');
  const value = s._metadata[key.toLowerCase()];
  if (value === undefined) throw metadatumNotFound();
  return { key: key.toLowerCase(), value };
}

export function updateMetadatum(call: Call, id: string, key: string, body: unknown): { key: string; value: string } {
  const s = ownedSecret(call, id, 'Secret metadatum update');
  const one = readMetadatum(body);
  if (one.key !== key.toLowerCase()) throw badRequest('Key in request data does not match key in the request url.');
  if (!(one.key in s._metadata)) throw metadatumNotFound();
  call.ctx.store.update<SecretDoc>(KIND.secret, { ...s, _metadata: { ...s._metadata, [one.key]: one.value } });
  return one;
}

export function deleteMetadatum(call: Call, id: string, key: string): void {
  const s = ownedSecret(call, id, 'Secret metadatum removal');
  const k = key.toLowerCase();
  if (!(k in s._metadata)) throw metadatumNotFound();
  const next = { ...s._metadata };
  delete next[k];
  call.ctx.store.update<SecretDoc>(KIND.secret, { ...s, _metadata: next });
}
