/**
 * Turns ajv's errors into findings a person can act on: the position of the
 * offending key or value, a plain message, and a did-you-mean. ajv reports
 * every failed branch of an anyOf; those cascades collapse into the one error
 * that matters.
 */
import type { ErrorObject } from 'ajv';
import type { FixedDiagnosticCode } from '../diagnostic-codes';
import type { Diagnostic } from '../errors';
import { closestMatch } from './did-you-mean';
import { formatPath, type DocPath, type ManifestSource } from './source';

type SchemaNode = Record<string, unknown>;

/** One ajv error, or the summary that replaced a collapsed anyOf. */
interface Finding {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  /** The schema object holding the failed keyword (ajv `verbose`). */
  parentSchema: SchemaNode | undefined;
  data: unknown;
  /** additionalProperties: the keys the schema allows (a union across anyOf branches). */
  allowedKeys?: string[];
  /** summary: what was expected. */
  expected?: string;
  /** ajv's `propertyName` when the error is about a key (propertyNames). */
  propertyName?: string;
}

const VALUE_KEYWORDS = new Set([
  'type',
  'const',
  'enum',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'summary',
]);

export function schemaDiagnostics(
  errors: readonly ErrorObject[],
  data: unknown,
  source: ManifestSource,
  root: SchemaNode,
): Diagnostic[] {
  const findings = dropMisspeltRequired(collapse(errors, root));
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    const d = toDiagnostic(f, data, source, root);
    if (d === undefined) continue;
    const key = `${d.path ?? ''}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function toFinding(e: ErrorObject, root: SchemaNode): Finding {
  const f: Finding = {
    instancePath: e.instancePath,
    keyword: e.keyword,
    params: e.params as Record<string, unknown>,
    parentSchema: e.parentSchema as SchemaNode | undefined,
    data: e.data,
  };
  if (e.keyword === 'additionalProperties')
    f.allowedKeys = Object.keys(propertiesOf(e.parentSchema as SchemaNode | undefined, root));
  if (e.propertyName !== undefined) f.propertyName = e.propertyName;
  return f;
}

function collapse(errors: readonly ErrorObject[], root: SchemaNode): Finding[] {
  const out: Finding[] = [];
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') {
      out.push(toFinding(e, root));
      continue;
    }
    // ajv emits a branch's errors right before the anyOf error they belong to.
    const run: Finding[] = [];
    while (out.length > 0 && isUnder(out[out.length - 1]!.instancePath, e.instancePath)) run.unshift(out.pop()!);
    const branches = Array.isArray(e.schema) ? e.schema.length : 2;
    out.push(...chooseBranchErrors(run, e, branches, root));
  }
  // A missing discriminator tag is already reported as a missing required key.
  return out.filter(
    (f) =>
      !(
        f.keyword === 'discriminator' &&
        f.params.error === 'tag' &&
        out.some(
          (g) =>
            g.keyword === 'required' && g.instancePath === f.instancePath && g.params.missingProperty === f.params.tag,
        )
      ),
  );
}

/** "missing flavor" next to "unknown key flavour" is one mistake: keep the did-you-mean. */
function dropMisspeltRequired(findings: Finding[]): Finding[] {
  return findings.filter((f) => {
    if (f.keyword !== 'required') return true;
    const missing = String(f.params.missingProperty);
    return !findings.some(
      (g) =>
        g.keyword === 'additionalProperties' &&
        g.instancePath === f.instancePath &&
        closestMatch(String(g.params.additionalProperty), g.allowedKeys ?? []) === missing,
    );
  });
}

function describe(schema: SchemaNode | undefined, root: SchemaNode): string | undefined {
  if (schema === undefined) return undefined;
  if (typeof schema.description === 'string') return schema.description;
  if (typeof schema.$ref === 'string') return describe(resolveRef(schema.$ref, root), root);
  return undefined;
}

function chooseBranchErrors(run: Finding[], anyOf: ErrorObject, branches: number, root: SchemaNode): Finding[] {
  const at = anyOf.instancePath;
  const summary = (): Finding => ({
    instancePath: at,
    keyword: 'summary',
    params: {},
    parentSchema: anyOf.parentSchema as SchemaNode | undefined,
    data: anyOf.data,
    expected: describe(anyOf.parentSchema as SchemaNode | undefined, root),
  });
  if (run.length === 0) return [summary()];

  const sameLevel = run.every((f) => f.instancePath === at && VALUE_KEYWORDS.has(f.keyword));
  if (sameLevel) {
    // The branch whose type matched says the useful thing (e.g. "above the maximum").
    const typed = run.filter(
      (f) => f.keyword !== 'type' && f.keyword !== 'summary' && f.keyword !== 'const' && f.keyword !== 'pattern',
    );
    if (typed.length > 0 && typed.every((f) => f.keyword === typed[0]!.keyword)) return [typed[0]!];
    return [summary()];
  }

  // Object branches: errors below `at` mean some branch accepted the shape; keep those.
  const deeper = run.filter((f) => f.instancePath !== at);
  const atLevel = run.filter((f) => f.instancePath === at);
  const count = new Map<string, Finding[]>();
  for (const f of atLevel) {
    const key = `${f.keyword}\u0000${JSON.stringify(f.params)}`;
    count.set(key, [...(count.get(key) ?? []), f]);
  }
  // An at-level error every branch reports (e.g. the same unknown key) is real.
  const common: Finding[] = [];
  for (const group of count.values()) {
    if (group.length < branches) continue;
    const first = { ...group[0]! };
    if (first.keyword === 'additionalProperties')
      first.allowedKeys = [...new Set(group.flatMap((g) => g.allowedKeys ?? []))].sort();
    common.push(first);
  }
  const kept = [...common, ...deeper];
  return kept.length > 0 ? kept : [summary()];
}

export function resolveRef(ref: string, root: SchemaNode): SchemaNode | undefined {
  const hash = ref.indexOf('#');
  if (hash === -1) return undefined;
  let node: unknown = root;
  for (const raw of ref
    .slice(hash + 1)
    .split('/')
    .filter((s) => s !== '')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  return node !== null && typeof node === 'object' ? (node as SchemaNode) : undefined;
}

function propertiesOf(schema: SchemaNode | undefined, root: SchemaNode): Record<string, SchemaNode> {
  if (schema === undefined) return {};
  if (typeof schema.$ref === 'string') return propertiesOf(resolveRef(schema.$ref, root), root);
  return (schema.properties as Record<string, SchemaNode> | undefined) ?? {};
}

/** JSON-pointer instance path → document path, with array indexes as numbers. */
export function pointerToPath(pointer: string, data: unknown): (string | number)[] {
  const out: (string | number)[] = [];
  let node = data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(seg)) {
      const index = Number(seg);
      out.push(index);
      node = node[index];
    } else {
      out.push(seg);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? `the number ${value}` : `the number ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
};

function expectedType(type: unknown): string {
  const types = Array.isArray(type) ? (type as string[]) : [String(type)];
  return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

function listChoices(values: readonly unknown[]): string {
  const shown = values.slice(0, 12).map((v) => JSON.stringify(v));
  return values.length > shown.length
    ? `${shown.join(', ')}, … (${values.length} in all; see \`storm schema\`)`
    : shown.join(', ');
}

function toDiagnostic(f: Finding, data: unknown, source: ManifestSource, root: SchemaNode): Diagnostic | undefined {
  const path: DocPath = pointerToPath(f.instancePath, data);
  const at = (p: DocPath, code: FixedDiagnosticCode, message: string, hint?: string, key = false): Diagnostic => ({
    severity: 'error',
    code,
    message,
    path: formatPath(p),
    location: key ? source.locateKey(p) : source.locate(p),
    ...(hint === undefined ? {} : { hint }),
  });
  const description = describe(f.parentSchema, root);
  // The propertyNames wrapper only repeats what the error about the key itself says.
  if (f.keyword === 'propertyNames') return undefined;
  if (f.propertyName !== undefined) {
    const keyPath = [...path, f.propertyName];
    const pattern = typeof f.params.pattern === 'string' ? new RegExp(f.params.pattern, 'u') : undefined;
    const lower = f.propertyName.toLowerCase().replace(/\s+/g, '-');
    const hint =
      pattern !== undefined && pattern.test(lower)
        ? `did you mean "${lower}"?`
        : pattern !== undefined
          ? `keys here must match ${String(f.params.pattern)}`
          : description;
    return at(keyPath, 'manifest.invalid-key', `key ${JSON.stringify(f.propertyName)} is not allowed here`, hint, true);
  }
  switch (f.keyword) {
    case 'additionalProperties': {
      const key = String(f.params.additionalProperty);
      const allowed = f.allowedKeys ?? [];
      const match = closestMatch(key, allowed);
      const hint =
        match !== undefined
          ? `did you mean "${match}"?`
          : allowed.length > 0
            ? `allowed keys: ${allowed.join(', ')}`
            : undefined;
      return at([...path, key], 'manifest.unknown-key', 'unknown key', hint, true);
    }
    case 'required': {
      const key = String(f.params.missingProperty);
      const prop = propertiesOf(f.parentSchema, root)[key];
      return at(path, 'manifest.missing-key', `missing required key "${key}"`, describe(prop, root), false);
    }
    case 'type':
      return at(
        path,
        'manifest.wrong-type',
        `expected ${expectedType(f.params.type)}, got ${typeName(f.data)}`,
        description,
      );
    case 'enum': {
      const allowed = (f.params.allowedValues as unknown[] | undefined) ?? [];
      const match =
        typeof f.data === 'string'
          ? closestMatch(
              f.data,
              allowed.filter((v): v is string => typeof v === 'string'),
            )
          : undefined;
      // A long list (countries) helps nobody in a one-line message: say what is wanted instead.
      const message =
        allowed.length > 12
          ? `${show(f.data)} is not an allowed value`
          : `${show(f.data)} is not one of ${listChoices(allowed)}`;
      const hint = match === undefined ? description : `did you mean "${match}"?`;
      return at(
        path,
        'manifest.invalid-value',
        message,
        allowed.length > 12 && match !== undefined && description !== undefined ? `${hint} (${description})` : hint,
      );
    }
    case 'const':
      return at(
        path,
        'manifest.invalid-value',
        `must be ${JSON.stringify(f.params.allowedValue)}, got ${show(f.data)}`,
      );
    case 'pattern':
    case 'summary':
      return at(path, 'manifest.invalid-value', `invalid value ${show(f.data)}`, f.expected ?? description);
    case 'format':
      return at(
        path,
        'manifest.invalid-value',
        `${show(f.data)} is not a valid ${String(f.params.format)}`,
        description,
      );
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const min = f.parentSchema?.minimum;
      const max = f.parentSchema?.maximum;
      const range =
        typeof min === 'number' && typeof max === 'number'
          ? `${min}..${max}`
          : `${String(f.params.comparison)} ${String(f.params.limit)}`;
      return at(path, 'manifest.out-of-range', `${show(f.data)} is out of range (${range})`, description);
    }
    case 'minLength':
      return at(
        path,
        'manifest.invalid-value',
        f.params.limit === 1 ? 'must not be empty' : `must be at least ${String(f.params.limit)} characters long`,
        description,
      );
    case 'maxLength':
      return at(path, 'manifest.invalid-value', `is longer than ${String(f.params.limit)} characters`, description);
    case 'minItems':
      return at(
        path,
        'manifest.invalid-value',
        `needs at least ${String(f.params.limit)} ${f.params.limit === 1 ? 'entry' : 'entries'}`,
        description,
      );
    case 'maxItems':
      return at(path, 'manifest.invalid-value', `allows at most ${String(f.params.limit)} entries`, description);
    case 'uniqueItems':
      return at(
        [...path, Number(f.params.i)],
        'manifest.duplicate-entry',
        `repeats entry ${String(f.params.j)} of the list`,
        'remove the duplicate',
      );
    case 'discriminator': {
      const tag = String(f.params.tag);
      const values = branchTagValues(f.parentSchema, tag, root);
      if (f.params.error === 'tag')
        return at([...path, tag], 'manifest.wrong-type', `"${tag}" must be a string`, `one of ${listChoices(values)}`);
      const value = f.params.tagValue;
      const match = typeof value === 'string' ? closestMatch(value, values) : undefined;
      return at(
        [...path, tag],
        'manifest.invalid-value',
        `${show(value)} is not one of ${listChoices(values)}`,
        match === undefined ? description : `did you mean "${match}"?`,
      );
    }
    default:
      return at(path, 'manifest.invalid-value', `does not match the schema (${f.keyword})`, description);
  }
}

function branchTagValues(schema: SchemaNode | undefined, tag: string, root: SchemaNode): string[] {
  const branches = (schema?.oneOf as SchemaNode[] | undefined) ?? [];
  return branches.map((b) => propertiesOf(b, root)[tag]?.const).filter((v): v is string => typeof v === 'string');
}
