/**
 * When a manifest fails the schema, the rest of it is still worth checking:
 * a person should see the overlapping subnet in the same run as the unknown
 * key. Salvage drops exactly the items (and unknown keys) the schema rejected,
 * keeps a map back to the original positions, and gives up when what is left
 * still does not match the schema.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { CityManifest } from './city-manifest.types';
import { pointerToPath } from './schema-errors';
import type { DocPath } from './source';

export interface Salvaged {
  doc: CityManifest;
  /** False when the city block was replaced: its name is not the file's to check. */
  cityNameKnown: boolean;
  /** Translates a path in `doc` to the same place in the original document. */
  originalPath(path: DocPath): DocPath;
}

/** Items that can be dropped on their own ('*' = any index or key). */
const ITEM_PATTERNS: readonly (readonly string[])[] = [
  ['network', 'subnets', '*', 'allocationPools', '*'],
  ['network', 'subnets', '*'],
  ['security', 'groups', '*', 'rules', '*'],
  ['security', 'groups', '*'],
  ['compute', 'keypairs', '*'],
  ['compute', 'groups', '*'],
  ['storage', 'volumes', '*'],
  ['storage', 'containers', '*'],
  ['partners', '*', 'access', '*'],
  ['partners', '*'],
  ['services', '*'],
  ['waivers', '*'],
  ['environments', '*', '*', '*', '*'],
  ['environments', '*', '*'],
  ['tags', '*'],
  ['network', 'dnsServers', '*'],
  ['state'],
];

/** Stands in for a city block the schema rejected: semantic checks only need its name. */
const PLACEHOLDER_CITY = {
  displayName: '-',
  country: 'ES',
  languages: ['en'],
  owner: { team: '-', email: 'placeholder@example.org' },
};
const CITY_NAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

function matches(path: DocPath, pattern: readonly string[]): boolean {
  return path.length >= pattern.length && pattern.every((p, i) => p === '*' || p === path[i]);
}

const key = (path: DocPath): string => JSON.stringify(path);

export function salvageManifest(
  data: unknown,
  errors: readonly ErrorObject[],
  validate: ValidateFunction,
): Salvaged | undefined {
  const drop = new Set<string>();
  let replaceCity = false;
  for (const e of errors) {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'propertyNames') continue;
    const path = pointerToPath(e.instancePath, data);
    if (e.propertyName !== undefined) path.push(e.propertyName);
    if (path[0] === 'city') {
      replaceCity = true;
      continue;
    }
    if (e.keyword === 'additionalProperties') {
      drop.add(key([...path, String((e.params as { additionalProperty: string }).additionalProperty)]));
      continue;
    }
    const pattern = ITEM_PATTERNS.find((p) => matches(path, p));
    if (pattern === undefined) return undefined;
    drop.add(key(path.slice(0, pattern.length)));
  }
  const indexMaps = new Map<string, number[]>();
  const rebuild = (node: unknown, path: DocPath): unknown => {
    if (Array.isArray(node)) {
      const kept: number[] = [];
      const out: unknown[] = [];
      node.forEach((item, i) => {
        const p = [...path, i];
        if (drop.has(key(p))) return;
        kept.push(i);
        out.push(rebuild(item, p));
      });
      indexMaps.set(key(path), kept);
      return out;
    }
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) {
        const p = [...path, k];
        if (!drop.has(key(p))) out[k] = rebuild(v, p);
      }
      return out;
    }
    return node;
  };
  const doc = rebuild(data, []) as Record<string, unknown>;
  let cityNameKnown = true;
  if (replaceCity) {
    const raw = (data as { city?: { name?: unknown } }).city?.name;
    cityNameKnown = typeof raw === 'string' && CITY_NAME.test(raw);
    doc.city = { ...PLACEHOLDER_CITY, name: cityNameKnown ? raw : 'unnamed' };
  }
  if (!validate(doc)) return undefined;
  return {
    doc: doc as unknown as CityManifest,
    cityNameKnown,
    originalPath(path) {
      const orig: (string | number)[] = [];
      for (const seg of path) {
        const map = typeof seg === 'number' ? indexMaps.get(key(orig)) : undefined;
        orig.push(map === undefined || typeof seg !== 'number' ? seg : (map[seg] ?? seg));
      }
      return orig;
    },
  };
}

/** Names of the items of each collection as written, valid or not. */
export interface WrittenNames {
  [kind: string]: readonly string[];
}

export function writtenNames(data: unknown): WrittenNames {
  const at = (path: DocPath): unknown[] => {
    let node: unknown = data;
    for (const seg of path)
      node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[seg] : undefined;
    return Array.isArray(node) ? node : [];
  };
  const names = (path: DocPath, field = 'name'): string[] =>
    at(path)
      .map((item) => (item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[field] : undefined))
      .filter((n): n is string => typeof n === 'string');
  return {
    subnet: names(['network', 'subnets']),
    'security group': names(['security', 'groups']),
    'key pair': names(['compute', 'keypairs']),
    'compute group': names(['compute', 'groups']),
    volume: names(['storage', 'volumes']),
    container: names(['storage', 'containers']),
    partner: names(['partners']),
    service: [...names(['services']), ...names(['services'], 'template')],
  };
}
