/**
 * What changed between two revisions of a manifest, key by key. Lists of named
 * items (subnets, groups, volumes, partners, ...) are matched by name, so
 * reordering them is no change; other lists (rules, CIDRs) are aligned by a
 * longest common subsequence, so editing one rule shows as that rule changing,
 * not as every later rule moving. Each change carries its document path on both
 * sides, for file:line and for replaying it alone (affected resources).
 */
import { canonicalJson } from './canonical-json';
import type { DocPath } from '../manifest/source';

export type ManifestChangeKind = 'added' | 'removed' | 'changed';

export interface ManifestChange {
  kind: ManifestChangeKind;
  /** Readable path: items by name, other list entries by index in the newer revision, e.g. security.groups.web.rules[2].remote */
  path: string;
  /** Document path in the older revision (absent when added). */
  fromPath?: DocPath;
  /** Document path in the newer revision (absent when removed). */
  toPath?: DocPath;
  /** Where an added value goes in the older revision's document (its parent there). */
  fromParent?: DocPath;
  /** Where a removed value would go back in the newer revision's document. */
  toParent?: DocPath;
  before?: unknown;
  after?: unknown;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The key that names an item in a list: `name`, or `template` for services without a name. */
function itemKey(v: unknown): string | undefined {
  if (!isObj(v)) return undefined;
  if (typeof v.name === 'string') return v.name;
  if (typeof v.template === 'string') return v.template;
  return undefined;
}

function namedList(a: readonly unknown[], b: readonly unknown[]): boolean {
  const all = [...a, ...b];
  if (all.length === 0) return false;
  const keys = all.map(itemKey);
  if (keys.some((k) => k === undefined)) return false;
  return new Set(a.map(itemKey)).size === a.length && new Set(b.map(itemKey)).size === b.length;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Index pairs of equal elements (longest common subsequence). */
function lcs(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const t: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      const row = t[i] as number[];
      row[j] =
        a[i] === b[j]
          ? ((t[i + 1] as number[])[j + 1] ?? 0) + 1
          : Math.max((t[i + 1] as number[])[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i += 1;
      j += 1;
    } else if (((t[i + 1] as number[])[j] ?? 0) >= ((t[i] as number[])[j + 1] ?? 0)) i += 1;
    else j += 1;
  }
  return pairs;
}

function diffInto(a: unknown, b: unknown, path: string, pa: DocPath, pb: DocPath, out: ManifestChange[]): void {
  if (isObj(a) && isObj(b)) {
    const keys = [...Object.keys(b), ...Object.keys(a).filter((k) => !(k in b))];
    for (const k of keys) {
      const inA = k in a && a[k] !== undefined;
      const inB = k in b && b[k] !== undefined;
      if (inA && inB) diffInto(a[k], b[k], join(path, k), [...pa, k], [...pb, k], out);
      else if (inB) out.push({ kind: 'added', path: join(path, k), toPath: [...pb, k], fromParent: pa, after: b[k] });
      else if (inA)
        out.push({ kind: 'removed', path: join(path, k), fromPath: [...pa, k], toParent: pb, before: a[k] });
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (namedList(a, b)) {
      const indexA = new Map(a.map((v, i) => [itemKey(v) as string, i]));
      b.forEach((v, j) => {
        const key = itemKey(v) as string;
        const i = indexA.get(key);
        if (i === undefined)
          out.push({ kind: 'added', path: join(path, key), toPath: [...pb, j], fromParent: pa, after: v });
        else diffInto(a[i], v, join(path, key), [...pa, i], [...pb, j], out);
      });
      const inB = new Set(b.map(itemKey));
      a.forEach((v, i) => {
        const key = itemKey(v) as string;
        if (!inB.has(key))
          out.push({ kind: 'removed', path: join(path, key), fromPath: [...pa, i], toParent: pb, before: v });
      });
      return;
    }
    const ca = a.map(canonicalJson);
    const cb = b.map(canonicalJson);
    const anchors = [...lcs(ca, cb), [a.length, b.length] as [number, number]];
    let i = 0;
    let j = 0;
    for (const [ai, bj] of anchors) {
      // Between two anchors: pair what was removed with what was added, in order.
      while (i < ai && j < bj) {
        diffInto(a[i], b[j], `${path}[${j}]`, [...pa, i], [...pb, j], out);
        i += 1;
        j += 1;
      }
      while (i < ai) {
        out.push({ kind: 'removed', path: `${path}[${i}]`, fromPath: [...pa, i], toParent: pb, before: a[i] });
        i += 1;
      }
      while (j < bj) {
        out.push({ kind: 'added', path: `${path}[${j}]`, toPath: [...pb, j], fromParent: pa, after: b[j] });
        j += 1;
      }
      i = ai + 1;
      j = bj + 1;
    }
    return;
  }
  if (canonicalJson(a) !== canonicalJson(b))
    out.push({ kind: 'changed', path, fromPath: pa, toPath: pb, before: a, after: b });
}

export function diffManifests(from: unknown, to: unknown): ManifestChange[] {
  const out: ManifestChange[] = [];
  diffInto(from ?? {}, to ?? {}, '', [], [], out);
  return out;
}

/** The same change seen from the newer revision: applying it to the newer document undoes it. */
export function invertChange(change: ManifestChange): ManifestChange {
  switch (change.kind) {
    case 'added':
      return {
        kind: 'removed',
        path: change.path,
        ...(change.toPath === undefined ? {} : { fromPath: change.toPath }),
        before: change.after,
      };
    case 'removed':
      return {
        kind: 'added',
        path: change.path,
        ...(change.toParent === undefined ? {} : { fromParent: change.toParent }),
        ...(change.fromPath === undefined ? {} : { toPath: change.fromPath }),
        after: change.before,
      };
    case 'changed':
      return {
        kind: 'changed',
        path: change.path,
        ...(change.toPath === undefined ? {} : { fromPath: change.toPath }),
        ...(change.fromPath === undefined ? {} : { toPath: change.fromPath }),
        before: change.after,
        after: change.before,
      };
  }
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function parentOf(root: unknown, path: DocPath): unknown {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/**
 * The older document with one change applied (a copy). Used to find which
 * synthesized resources one manifest change affects, by synthesizing it alone.
 */
export function applyChange(from: unknown, change: ManifestChange): unknown {
  const doc = clone(from) as unknown;
  switch (change.kind) {
    case 'changed': {
      const p = change.fromPath ?? [];
      if (p.length === 0) return clone(change.after);
      const parent = parentOf(doc, p.slice(0, -1));
      if (parent !== null && typeof parent === 'object')
        (parent as Record<string | number, unknown>)[p[p.length - 1] as string | number] = clone(change.after);
      return doc;
    }
    case 'removed': {
      const p = change.fromPath ?? [];
      const parent = parentOf(doc, p.slice(0, -1));
      const last = p[p.length - 1];
      if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
      else if (parent !== null && typeof parent === 'object' && last !== undefined)
        delete (parent as Record<string | number, unknown>)[last];
      return doc;
    }
    case 'added': {
      const parent = parentOf(doc, change.fromParent ?? []);
      const last = change.toPath?.[change.toPath.length - 1];
      if (Array.isArray(parent))
        parent.splice(typeof last === 'number' ? Math.min(last, parent.length) : parent.length, 0, clone(change.after));
      else if (parent !== null && typeof parent === 'object' && last !== undefined)
        (parent as Record<string | number, unknown>)[last] = clone(change.after);
      return doc;
    }
  }
}
