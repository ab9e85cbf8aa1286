/** Development plans: the model, search and validation of a published plan. */
import { HttpError } from '../../_runtime/http';

export const PLAN_STATUSES = ['draft', 'initial-approval', 'final-approval', 'in-force'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export const PLAN_TYPES = ['pgou', 'plan-parcial', 'plan-especial', 'estudio-de-detalle'] as const;
export type PlanType = (typeof PLAN_TYPES)[number];

/** A GeoJSON Polygon in WGS84 (lon, lat), outer ring first. */
export interface PolygonGeometry {
  type: 'Polygon';
  coordinates: [number, number][][];
}

export interface PlanDocument {
  title: string;
  /** Object name inside the documents container. */
  object: string;
  mediaType: string;
  bytes: number;
}

export interface Plan {
  id: string;
  code: string;
  title: string;
  district: string;
  type: PlanType;
  status: PlanStatus;
  summary: string;
  /** ISO dates of the steps reached so far. */
  dates: Partial<Record<PlanStatus, string>>;
  areaHectares: number;
  area: PolygonGeometry;
  documents: PlanDocument[];
  publishedAt: string;
}

export interface PlanStoreData {
  plans: Plan[];
}

export interface PlanQuery {
  q?: string;
  district?: string;
  status?: string;
  type?: string;
}

function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

export function searchPlans(plans: readonly Plan[], query: PlanQuery): Plan[] {
  const words =
    query.q === undefined
      ? []
      : fold(query.q)
          .split(/\s+/)
          .filter((w) => w !== '');
  return plans
    .filter((p) => query.district === undefined || query.district === '' || p.district === query.district)
    .filter((p) => query.status === undefined || query.status === '' || p.status === query.status)
    .filter((p) => query.type === undefined || query.type === '' || p.type === query.type)
    .filter((p) => {
      if (words.length === 0) return true;
      const hay = fold(`${p.code} ${p.title} ${p.summary} ${p.district}`);
      return words.every((w) => hay.includes(w));
    })
    .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt) || a.code.localeCompare(b.code));
}

function isLonLat(v: unknown): v is [number, number] {
  return (
    Array.isArray(v) &&
    v.length === 2 &&
    typeof v[0] === 'number' &&
    typeof v[1] === 'number' &&
    Math.abs(v[0]) <= 180 &&
    Math.abs(v[1]) <= 90
  );
}

export function validateArea(value: unknown): PolygonGeometry {
  const g = value as { type?: unknown; coordinates?: unknown };
  if (
    typeof g !== 'object' ||
    g === null ||
    g.type !== 'Polygon' ||
    !Array.isArray(g.coordinates) ||
    g.coordinates.length === 0
  )
    throw new HttpError(400, 'area must be a GeoJSON Polygon', { field: 'area' });
  for (const ring of g.coordinates as unknown[]) {
    if (!Array.isArray(ring) || ring.length < 4 || !ring.every(isLonLat))
      throw new HttpError(400, 'each ring of area needs at least 4 [lon, lat] positions', { field: 'area' });
    const first = ring[0] as [number, number];
    const last = ring[ring.length - 1] as [number, number];
    if (first[0] !== last[0] || first[1] !== last[1])
      throw new HttpError(400, 'each ring of area must end where it starts', { field: 'area' });
  }
  return { type: 'Polygon', coordinates: g.coordinates as [number, number][][] };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw new HttpError(400, `${name} must be one of: ${allowed.join(', ')}`, { field: name });
  return value as T;
}

function text(body: Record<string, unknown>, name: string, max: number): string {
  const v = body[name];
  if (typeof v !== 'string' || v.trim() === '') throw new HttpError(400, `${name} is required`, { field: name });
  if (v.length > max) throw new HttpError(400, `${name} must be at most ${max} characters`, { field: name });
  return v.trim();
}

export function slugify(s: string): string {
  return fold(s)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

/** Turns an admin's POST body into a Plan, or throws 400 naming the bad field. */
export function planFromBody(
  body: Record<string, unknown>,
  districts: readonly string[],
  existing: readonly Plan[],
  now: Date,
): Plan {
  const code = text(body, 'code', 40);
  const id = slugify(code);
  if (id === '') throw new HttpError(400, 'code must contain letters or digits', { field: 'code' });
  if (existing.some((p) => p.id === id))
    throw new HttpError(409, `a plan with code ${code} already exists`, { field: 'code' });
  const status = oneOf(body.status, PLAN_STATUSES, 'status');
  const documents = body.documents === undefined ? [] : body.documents;
  if (!Array.isArray(documents)) throw new HttpError(400, 'documents must be a list', { field: 'documents' });
  const area = typeof body.areaHectares === 'number' && body.areaHectares > 0 ? body.areaHectares : undefined;
  if (area === undefined) throw new HttpError(400, 'areaHectares must be a positive number', { field: 'areaHectares' });
  return {
    id,
    code,
    title: text(body, 'title', 200),
    district: oneOf(body.district, districts, 'district'),
    type: oneOf(body.type, PLAN_TYPES, 'type'),
    status,
    summary: text(body, 'summary', 4000),
    dates: { [status]: now.toISOString().slice(0, 10) },
    areaHectares: area,
    area: validateArea(body.area),
    documents: documents.map((d: unknown, i: number) => {
      const doc = d as Record<string, unknown>;
      if (typeof doc !== 'object' || doc === null)
        throw new HttpError(400, `documents[${i}] must be an object`, { field: 'documents' });
      const object = text(doc, 'object', 200);
      if (object.includes('..') || object.startsWith('/'))
        throw new HttpError(400, `documents[${i}].object must be a plain object name`, { field: 'documents' });
      return {
        title: text(doc, 'title', 200),
        object,
        mediaType: typeof doc.mediaType === 'string' ? doc.mediaType : 'application/pdf',
        bytes: typeof doc.bytes === 'number' ? doc.bytes : 0,
      };
    }),
    publishedAt: now.toISOString(),
  };
}
