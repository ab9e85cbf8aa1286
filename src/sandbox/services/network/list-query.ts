/**
 * Neutron list semantics shared by every collection: attribute filters (a
 * repeated key means OR), tag filters, `fields`, `sort_key`/`sort_dir` and
 * `limit`/`marker`/`page_reverse` pagination with `<collection>_links`.
 */
import { NEUTRON_BOOLEAN, parseBoolean } from '../../core/booleans.js';
import { neutronError } from '../../core/errors.js';
import { parseLimit } from '../../core/paging.js';
import { queryValues as values, type RawQuery } from '../../core/request.js';

export type { RawQuery };
export type Doc = Record<string, unknown>;

export interface SortKey {
  key: string;
  ascending: boolean;
}

export interface ListQuery {
  filters: Map<string, string[]>;
  tagsAll: string[];
  tagsAny: string[];
  notTagsAll: string[];
  notTagsAny: string[];
  fields: string[];
  sort: SortKey[];
  limit: number | undefined;
  marker: string | undefined;
  pageReverse: boolean;
}

export interface PageLink {
  rel: 'next' | 'previous';
  href: string;
}

const CONTROL_KEYS = new Set([
  'fields',
  'sort_key',
  'sort_dir',
  'limit',
  'marker',
  'page_reverse',
  'tags',
  'tags-any',
  'not-tags',
  'not-tags-any',
]);

function splitTags(raw: string | string[] | undefined): string[] {
  return values(raw)
    .flatMap((v) => v.split(','))
    .filter((t) => t !== '');
}

export function parseBooleanText(text: string): boolean | undefined {
  return parseBoolean(text, NEUTRON_BOOLEAN);
}

export function parseListQuery(raw: RawQuery): ListQuery {
  const filters = new Map<string, string[]>();
  for (const [key, value] of Object.entries(raw)) {
    if (CONTROL_KEYS.has(key) || value === undefined) continue;
    filters.set(key, values(value));
  }
  const sortKeys = values(raw.sort_key);
  const sortDirs = values(raw.sort_dir);
  if (sortDirs.length > 0 && sortDirs.length !== sortKeys.length) {
    throw neutronError(400, 'HTTPBadRequest', 'The number of sort_keys and sort_dirs must be same');
  }
  const sort: SortKey[] = sortKeys.map((key, i) => {
    const dir = (sortDirs[i] ?? 'asc').toLowerCase();
    if (dir !== 'asc' && dir !== 'desc') {
      throw neutronError(
        400,
        'HTTPBadRequest',
        `${dir} is invalid value for sort_dir, valid value is 'asc' and 'desc'`,
      );
    }
    return { key, ascending: dir === 'asc' };
  });
  const limitText = values(raw.limit)[0];
  const parsed = parseLimit(limitText === '' ? undefined : limitText, (text) =>
    neutronError(400, 'HTTPBadRequest', `Limit must be an integer 0 or greater and not '${text}'`),
  );
  // An empty limit and limit=0 both mean "no limit" to Neutron.
  const limit = parsed === 0 ? undefined : parsed;
  return {
    filters,
    tagsAll: splitTags(raw.tags),
    tagsAny: splitTags(raw['tags-any']),
    notTagsAll: splitTags(raw['not-tags']),
    notTagsAny: splitTags(raw['not-tags-any']),
    fields: parseFields(raw),
    sort,
    limit,
    marker: values(raw.marker)[0],
    pageReverse: parseBooleanText(values(raw.page_reverse)[0] ?? 'false') ?? false,
  };
}

function matchesFixedIps(doc: Doc, wanted: string[]): boolean {
  const fixedIps = Array.isArray(doc.fixed_ips) ? (doc.fixed_ips as Doc[]) : [];
  // Each value is "ip_address=X", "subnet_id=Y" or "ip_address_substr=Z"; all of them must match one fixed IP.
  return wanted.every((clause) => {
    const eq = clause.indexOf('=');
    const key = eq < 0 ? clause : clause.slice(0, eq);
    const val = eq < 0 ? '' : clause.slice(eq + 1);
    return fixedIps.some((ip) => {
      if (key === 'ip_address_substr') return String(ip.ip_address ?? '').includes(val);
      return String(ip[key] ?? '') === val;
    });
  });
}

function matchesValue(actual: unknown, wanted: string[], key: string): boolean {
  if (typeof actual === 'boolean') {
    return wanted.some((w) => {
      const b = parseBooleanText(w);
      if (b === undefined) {
        throw neutronError(400, 'InvalidInput', `Invalid input for operation: '${w}' cannot be converted to boolean.`);
      }
      return b === actual;
    });
  }
  if (Array.isArray(actual)) return actual.some((item) => wanted.includes(String(item)));
  if (actual === null || actual === undefined) return wanted.includes('') || wanted.includes('None');
  if (typeof actual === 'object') return false;
  void key;
  return wanted.includes(String(actual));
}

function hasTags(doc: Doc): string[] {
  return Array.isArray(doc.tags) ? (doc.tags as string[]) : [];
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a ? 1 : -1;
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export interface ListResult {
  items: Doc[];
  links: PageLink[];
}

export interface ListOptions {
  /** Attribute names this collection can be filtered and sorted by. */
  attributes: ReadonlySet<string>;
  /** Absolute URL of the collection, used to build pagination links. */
  collectionUrl: string;
  /** The original query, kept in pagination links. */
  raw: RawQuery;
}

/** Filters, sorts, pages and projects `docs` (already visible to the caller, in insertion order). */
export function applyListQuery(docs: Doc[], query: ListQuery, options: ListOptions): ListResult {
  for (const key of query.filters.keys()) {
    if (!options.attributes.has(key)) {
      throw neutronError(400, 'HTTPBadRequest', `[${key}] is invalid attribute for filtering`);
    }
  }
  for (const { key } of query.sort) {
    if (!options.attributes.has(key)) {
      throw neutronError(400, 'HTTPBadRequest', `[${key}] is invalid attribute for sort_keys`);
    }
  }
  let items = docs.filter((doc) => {
    for (const [key, wanted] of query.filters) {
      if (key === 'fixed_ips') {
        if (!matchesFixedIps(doc, wanted)) return false;
      } else if (!matchesValue(doc[key], wanted, key)) {
        return false;
      }
    }
    const tags = hasTags(doc);
    if (query.tagsAll.length > 0 && !query.tagsAll.every((t) => tags.includes(t))) return false;
    if (query.tagsAny.length > 0 && !query.tagsAny.some((t) => tags.includes(t))) return false;
    if (query.notTagsAll.length > 0 && query.notTagsAll.every((t) => tags.includes(t))) return false;
    if (query.notTagsAny.length > 0 && query.notTagsAny.some((t) => tags.includes(t))) return false;
    return true;
  });

  const paginating = query.limit !== undefined || query.marker !== undefined;
  const sort = [...query.sort];
  // Neutron appends `id` so pages are stable whenever it paginates.
  if (paginating && !sort.some((s) => s.key === 'id')) sort.push({ key: 'id', ascending: true });
  if (sort.length > 0) {
    items = [...items].sort((a, b) => {
      for (const { key, ascending } of sort) {
        const c = compareValues(a[key], b[key]);
        if (c !== 0) return ascending ? c : -c;
      }
      return 0;
    });
  }

  const links: PageLink[] = [];
  if (paginating) {
    let ordered = query.pageReverse ? [...items].reverse() : items;
    if (query.marker !== undefined) {
      const at = ordered.findIndex((d) => d.id === query.marker);
      ordered = at < 0 ? ordered : ordered.slice(at + 1);
    }
    const hasMore = query.limit !== undefined && ordered.length > query.limit;
    let page = query.limit !== undefined ? ordered.slice(0, query.limit) : ordered;
    if (query.pageReverse) page = [...page].reverse();
    const first = page[0];
    const last = page[page.length - 1];
    const linkTo = (marker: string, reverse: boolean): string => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(options.raw)) {
        if (key === 'marker' || key === 'page_reverse' || value === undefined) continue;
        for (const v of values(value)) params.append(key, v);
      }
      params.set('marker', marker);
      if (reverse) params.set('page_reverse', 'True');
      return `${options.collectionUrl}?${params.toString()}`;
    };
    const forwardMore = query.pageReverse ? query.marker !== undefined : hasMore;
    const backwardMore = query.pageReverse ? hasMore : query.marker !== undefined;
    if (forwardMore && last) links.push({ rel: 'next', href: linkTo(String(last.id), false) });
    if (backwardMore && first) links.push({ rel: 'previous', href: linkTo(String(first.id), true) });
    items = page;
  }

  items = items.map((doc) => selectFields(doc, query.fields));
  return { items, links };
}

/** `fields=a&fields=b,c` of a GET: the attribute names asked for (none: every attribute). */
export function parseFields(raw: RawQuery): string[] {
  return values(raw.fields)
    .flatMap((f) => f.split(','))
    .filter((f) => f !== '');
}

/** Only the attributes `fields` names (an unknown name is left out, as Neutron does); all of them without `fields`. */
export function selectFields(doc: Doc, fields: readonly string[]): Doc {
  if (fields.length === 0) return doc;
  const out: Doc = {};
  for (const f of fields) if (f in doc) out[f] = doc[f];
  return out;
}
