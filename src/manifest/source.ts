/**
 * A manifest as text plus its YAML document with source positions, so every
 * finding can point at file:line:col. Parsing goes through the `yaml` package's
 * own CST/ranges (LineCounter), never a second parser.
 */
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic, SourceLocation } from '../errors';

/** A path inside the document: map keys and sequence indexes. */
export type DocPath = readonly (string | number)[];

/** Files larger than this are refused before parsing: a city manifest is a few KiB. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/** Aliases resolved per document; far above any honest manifest, far below a "billion laughs". */
export const MAX_ALIAS_COUNT = 100;

export interface ManifestSource {
  /** Path as shown in messages: relative to the project when inside it. */
  file: string;
  absPath: string;
  text: string;
  /** Position of the value at `path`, or of its deepest existing ancestor. */
  locate(path: DocPath): SourceLocation;
  /** Position of the key that names `path`'s last segment (falls back to locate). */
  locateKey(path: DocPath): SourceLocation;
  /** True when `path` exists in the document. */
  has(path: DocPath): boolean;
}

export interface ParsedManifest {
  source: ManifestSource;
  /** The plain data, or undefined when the YAML could not be turned into data. */
  data: unknown;
  diagnostics: Diagnostic[];
}

/** Formats a document path the way messages show it: compute.groups[0].flavor */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

interface Found {
  node: Node | null;
  keyNode: Node | null;
  depth: number;
}

function walk(doc: Document, path: DocPath): Found {
  let node: Node | null = doc.contents;
  let keyNode: Node | null = null;
  let depth = 0;
  for (const seg of path) {
    let current: unknown = node;
    if (isAlias(current)) current = current.resolve(doc) ?? null;
    let next: Node | null | undefined;
    let nextKey: Node | null = null;
    if (isMap(current)) {
      const pair = current.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair !== undefined) {
        next = (pair.value as Node | null) ?? null;
        nextKey = pair.key as Node;
        // A key with no value (`key:`) has no value node: point at the key.
        if (next === null) next = nextKey;
      }
    } else if (isSeq(current) && typeof seg === 'number') {
      next = (current.items[seg] as Node | undefined) ?? undefined;
    }
    if (next === undefined) break;
    node = next;
    keyNode = nextKey;
    depth += 1;
  }
  return { node, keyNode, depth };
}

/** The document path of the map key that starts at `offset` (for duplicate-key findings). */
function pathOfKeyAt(doc: Document, offset: number): DocPath | undefined {
  const search = (node: unknown, path: (string | number)[]): DocPath | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = pair.key as Node | null;
        const name = isScalar(k) ? String(k.value) : undefined;
        if (k?.range?.[0] === offset && name !== undefined) return [...path, name];
        const found = search(pair.value, name === undefined ? path : [...path, name]);
        if (found !== undefined) return found;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const found = search(node.items[i], [...path, i]);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return search(doc.contents, []);
}

function positionOf(lineCounter: LineCounter, file: string, node: Node | null): SourceLocation {
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, column: col };
}

export function locationAt(lineCounter: LineCounter, file: string, offset: number): SourceLocation {
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, column: col };
}

/**
 * Parses manifest text. Syntax problems, duplicate keys and alias bombs become
 * diagnostics (all of them, with positions); `data` is still returned when the
 * only problems are duplicate keys, so schema findings can be reported at once.
 */
export function parseManifest(text: string, file: string, absPath: string): ParsedManifest {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    keepSourceTokens: false,
    version: '1.2',
  });
  const locateNode = (path: DocPath): SourceLocation => positionOf(lineCounter, file, walk(doc, path).node);
  const source: ManifestSource = {
    file,
    absPath,
    text,
    locate: locateNode,
    locateKey(path) {
      const found = walk(doc, path);
      if (found.depth === path.length && found.keyNode !== null) return positionOf(lineCounter, file, found.keyNode);
      return positionOf(lineCounter, file, found.node);
    },
    has(path) {
      return walk(doc, path).depth === path.length;
    },
  };

  const diagnostics: Diagnostic[] = [];
  let fatal = false;
  for (const err of doc.errors) {
    const location = locationAt(lineCounter, file, err.pos[0]);
    if (err.code === 'DUPLICATE_KEY') {
      // err.pos marks only the key's first character: read the key up to its colon.
      const key = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:\n,{}]+?)\s*:/.exec(text.slice(err.pos[0]))?.[1]?.trim() ?? 'key';
      const keyPath = pathOfKeyAt(doc, err.pos[0]);
      diagnostics.push({
        severity: 'error',
        code: 'manifest.duplicate-key',
        message: `duplicate key "${key}"`,
        ...(keyPath === undefined ? {} : { path: formatPath(keyPath) }),
        location,
        hint: 'a key may appear only once in a mapping; merge the two entries or remove one',
      });
    } else {
      fatal = true;
      // yaml often reports one slip twice at the same spot; once is enough.
      if (
        diagnostics.some(
          (d) =>
            d.code === 'manifest.yaml-syntax' &&
            d.location?.line === location.line &&
            d.location.column === location.column,
        )
      )
        continue;
      diagnostics.push({
        severity: 'error',
        code: 'manifest.yaml-syntax',
        message:
          err.code === 'MULTIPLE_DOCS'
            ? 'YAML syntax error: more than one document in the file'
            : `YAML syntax error: ${firstLine(err.message)}`,
        location,
        hint:
          SYNTAX_HINTS[err.code] ??
          'fix the YAML at that position (indentation, quoting, a missing ":" or closing bracket)',
      });
    }
  }
  for (const warning of doc.warnings) {
    diagnostics.push({
      severity: 'warning',
      code: 'manifest.yaml-warning',
      message: firstLine(warning.message),
      location: locationAt(lineCounter, file, warning.pos[0]),
    });
  }
  if (fatal) return { source, data: undefined, diagnostics };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const aliasBomb = /alias/i.test(message);
    diagnostics.push({
      severity: 'error',
      code: aliasBomb ? 'manifest.alias-bomb' : 'manifest.yaml-syntax',
      message: aliasBomb
        ? `too many YAML alias expansions (more than ${MAX_ALIAS_COUNT}): refusing a document that expands exponentially`
        : `YAML could not be read: ${firstLine(message)}`,
      location: { file, line: 1, column: 1 },
      hint: aliasBomb ? 'write the repeated values out, or use fewer anchors/aliases' : undefined,
    });
    return { source, data: undefined, diagnostics };
  }
  return { source, data, diagnostics };
}

const SYNTAX_HINTS: Partial<Record<string, string>> = {
  MULTIPLE_DOCS: 'a manifest is one YAML document: remove the `---` line and what follows, or move it to its own file',
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs',
};

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
}
