/**
 * The template catalog: reads templates/<name>/template.yaml with source
 * positions, validates it against template.schema.json plus the checks a
 * schema cannot express, and checks a manifest service's parameters against
 * the template's own JSON Schema — every finding at file:line:col.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import type addFormatsFn from 'ajv-formats';
import type { FixedDiagnosticCode } from '../diagnostic-codes';
import { type Diagnostic, StormError } from '../errors';
import { displayPath } from './files';
import { validate as precompiledJsonSchemaValidator } from './gen/json-schema.validate';
import { validate as precompiledTemplateValidator } from './gen/template.validate';
import { schemaDiagnostics } from './schema-errors';
import { type DocPath, type ManifestSource, formatPath, parseManifest } from './source';
import { TEMPLATES_DIR, listTemplateNames } from './template-catalog';
import metaSchemaJson from './template.schema.json';
import type { ResolvedCity } from './model';
import type { TemplateDefinition, Tier } from './template.types';
import { cachedTemplateData, cachedValidator, storeTemplateData } from './validator-cache';

export type {
  Container as TemplateContainer,
  Port as TemplatePort,
  TemplateDefinition,
  Tier as TemplateTier,
  Volume as TemplateVolume,
} from './template.types';

export const templateMetaSchema: Record<string, unknown> = metaSchemaJson as unknown as Record<string, unknown>;
const MAX_TEMPLATE_BYTES = 256 * 1024;

export interface LoadedTemplate {
  definition: TemplateDefinition;
  /** Absolute directory of the template (holds template.yaml, app/, seed/, dist/). */
  dir: string;
  /** template.yaml as shown in messages (relative to the project). */
  file: string;
}

export interface TemplateCatalog {
  templates: LoadedTemplate[];
  /** Findings about template.yaml files; templates with errors are left out of `templates`. */
  diagnostics: Diagnostic[];
}

// One instance per mode for the whole process, made only when a schema is not in the
// validator cache (validator-cache.ts): ajv is loaded on that path only. A parameters
// schema is checked against the JSON Schema meta-schema by a validator precompiled at
// development time (npm run gen:validators), so ajv is told not to compile the
// meta-schema again (~35 ms a start).
const loadModule = createRequire(__filename);
function ajvOptions(useDefaults: boolean): Options {
  return {
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    useDefaults,
    validateSchema: false,
    code: { source: true },
  };
}
const ajvInstances = new Map<boolean, Ajv2020>();
function newAjv(useDefaults: boolean): Ajv2020 {
  let ajv = ajvInstances.get(useDefaults);
  if (ajv === undefined) {
    const Ajv = (loadModule('ajv/dist/2020') as { default: typeof Ajv2020 }).default;
    const addFormats = (loadModule('ajv-formats') as { default: typeof addFormatsFn }).default;
    ajv = new Ajv(ajvOptions(useDefaults));
    addFormats(ajv);
    ajvInstances.set(useDefaults, ajv);
  }
  return ajv;
}

const templateValidator = precompiledTemplateValidator as unknown as ValidateFunction;
const jsonSchemaValidator = precompiledJsonSchemaValidator as unknown as ValidateFunction;

function validateMeta(data: unknown): readonly ErrorObject[] {
  return templateValidator(data) ? [] : (templateValidator.errors ?? []);
}

/**
 * Compiled parameter schemas, by the schema's text: one command reads the catalog
 * several times (validation, synthesis, policy, deploy) and compiling is the slow part.
 */
const parameterValidators = new Map<string, { check?: ValidateFunction; withDefaults?: ValidateFunction }>();
/** The same, by the schema object itself: the catalog hands out one object per template.yaml text. */
const parameterValidatorsByObject = new WeakMap<
  object,
  { check?: ValidateFunction; withDefaults?: ValidateFunction }
>();

function compiledParameters(schema: TemplateDefinition['parameters'], useDefaults: boolean): ValidateFunction {
  const byObject = parameterValidatorsByObject.get(schema);
  const cached = useDefaults ? byObject?.withDefaults : byObject?.check;
  if (cached !== undefined) return cached;
  const key = JSON.stringify(schema);
  const entry = parameterValidators.get(key) ?? {};
  parameterValidators.set(key, entry);
  parameterValidatorsByObject.set(schema, entry);
  const known = useDefaults ? entry.withDefaults : entry.check;
  if (known !== undefined) return known;
  // The meta-schema check runs before a compile only: a cached validator was compiled from this very schema.
  const compiled = cachedValidator(schema, ajvOptions(useDefaults), () => {
    if (!jsonSchemaValidator(schema)) {
      // What ajv's own schema check would have thrown.
      throw new StormError(
        'invalid-manifest',
        `schema is invalid: ${newAjv(false).errorsText(jsonSchemaValidator.errors, { dataVar: 'schema' })}`,
        { hint: 'fix the parameters of the template (storm validate shows where)' },
      );
    }
    return newAjv(useDefaults);
  });
  if (useDefaults) entry.withDefaults = compiled;
  else entry.check = compiled;
  return compiled;
}

/** Checks the schema cannot express: name = directory, parameter schema compiles and its defaults pass it, references between tiers. */
function semanticTemplateFindings(def: TemplateDefinition, templateDir: string, source: ManifestSource): Diagnostic[] {
  const dirName = path.basename(templateDir);
  const out: Diagnostic[] = [];
  const err = (p: DocPath, code: FixedDiagnosticCode, message: string, hint?: string): void => {
    out.push({
      severity: 'error',
      code,
      message,
      path: formatPath(p),
      location: source.locate(p),
      ...(hint === undefined ? {} : { hint }),
    });
  };
  if (def.name !== dirName)
    err(
      ['name'],
      'template.name-mismatch',
      `name "${def.name}" differs from its directory "${dirName}"`,
      `rename one so both are "${dirName}"`,
    );
  let compiled: ValidateFunction | undefined;
  try {
    compiled = compiledParameters(def.parameters, false);
  } catch (e) {
    err(
      ['parameters'],
      'template.parameters-schema',
      `parameters is not a valid JSON Schema: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (compiled !== undefined) {
    const props = def.parameters.properties as Record<string, { default?: unknown }>;
    for (const [name, prop] of Object.entries(props)) {
      if (prop.default === undefined) {
        err(
          ['parameters', 'properties', name],
          'template.parameter-without-default',
          `parameter ${name} has no default`,
          'every parameter needs a default so a city can use the template without setting it',
        );
      }
    }
    const defaults = Object.fromEntries(
      Object.entries(props)
        .filter(([, p]) => p.default !== undefined)
        .map(([n, p]) => [n, p.default]),
    );
    if (!compiled(defaults)) {
      for (const e of compiled.errors ?? []) {
        const name = e.instancePath.split('/')[1] ?? '';
        err(
          ['parameters', 'properties', name, 'default'],
          'template.invalid-default',
          `default of ${name || 'parameters'} does not match its own schema: ${e.message ?? e.keyword}`,
        );
      }
    }
  }
  const tierNames = new Set<string>();
  def.needs.tiers.forEach((tier: Tier, i) => {
    if (tierNames.has(tier.name))
      err(['needs', 'tiers', i, 'name'], 'template.duplicate-tier', `tier "${tier.name}" is declared twice`);
    tierNames.add(tier.name);
  });
  def.needs.tiers.forEach((tier: Tier, i) => {
    const volumes = new Set<string>();
    tier.volumes.forEach((v, j) => {
      if (volumes.has(v.name))
        err(
          ['needs', 'tiers', i, 'volumes', j, 'name'],
          'template.duplicate-volume',
          `volume "${v.name}" is declared twice in tier ${tier.name}`,
        );
      volumes.add(v.name);
    });
    tier.ports.forEach((p, j) => {
      if (p.from.startsWith('tier:') && !tierNames.has(p.from.slice(5)))
        err(
          ['needs', 'tiers', i, 'ports', j, 'from'],
          'template.unknown-tier',
          `ports[${j}] is open to unknown tier "${p.from.slice(5)}"`,
          `known tiers: ${[...tierNames].join(', ')}`,
        );
    });
    if (tier.role !== 'database' && !tier.ports.some((p) => p.port === tier.servicePort))
      err(
        ['needs', 'tiers', i, 'servicePort'],
        'template.service-port-closed',
        `servicePort ${tier.servicePort} of tier ${tier.name} is not among its ports`,
        'add it to ports with the audience that should reach it',
      );
  });
  const containers = new Set<string>();
  def.needs.containers.forEach((c, i) => {
    if (containers.has(c.name))
      err(
        ['needs', 'containers', i, 'name'],
        'template.duplicate-container',
        `container "${c.name}" is declared twice`,
      );
    containers.add(c.name);
    if (c.openData && c.acl !== 'public-read')
      err(
        ['needs', 'containers', i, 'acl'],
        'template.open-data-private',
        `container ${c.name} is open data but not public-read`,
      );
    if (
      c.seedFrom !== undefined &&
      !fs.statSync(path.join(templateDir, c.seedFrom), { throwIfNoEntry: false })?.isDirectory()
    )
      err(
        ['needs', 'containers', i, 'seedFrom'],
        'template.missing-seed',
        `seedFrom ${c.seedFrom} is not a directory of the template`,
      );
  });
  return out;
}

/** Template data read from the storm cache, by the same key: once per process, one object for every reader. */
const cachedTemplates = new Map<string, unknown>();

function templateKey(text: string, file: string, abs: string): string {
  return `${abs}\u0000${file}\u0000${text}`;
}

/** template.yaml parsed and checked against the meta-schema, by its text: once per process. */
const parsedTemplates = new Map<
  string,
  { parsed: ReturnType<typeof parseManifest>; metaErrors: readonly ErrorObject[] }
>();

function parsedTemplate(
  text: string,
  file: string,
  abs: string,
): { parsed: ReturnType<typeof parseManifest>; metaErrors: readonly ErrorObject[] } {
  const key = templateKey(text, file, abs);
  let entry = parsedTemplates.get(key);
  if (entry === undefined) {
    const parsed = parseManifest(text, file, abs);
    const ok = parsed.data !== undefined && !parsed.diagnostics.some((d) => d.severity === 'error');
    entry = { parsed, metaErrors: ok ? [...validateMeta(parsed.data)] : [] };
    parsedTemplates.set(key, entry);
  }
  return entry;
}

/** Parses and validates one template.yaml; never throws for bad content. */
export function readTemplate(cwd: string, name: string): { template?: LoadedTemplate; diagnostics: Diagnostic[] } {
  const dir = path.join(path.resolve(cwd), TEMPLATES_DIR, name);
  const abs = path.join(dir, 'template.yaml');
  const file = displayPath(abs, path.resolve(cwd));
  let text: string;
  try {
    const size = fs.statSync(abs).size;
    if (size > MAX_TEMPLATE_BYTES) {
      return {
        diagnostics: [
          {
            severity: 'error',
            code: 'template.too-large',
            message: `template.yaml is ${size} bytes; the limit is ${MAX_TEMPLATE_BYTES}`,
            location: { file, line: 1, column: 1 },
          },
        ],
      };
    }
    text = fs.readFileSync(abs, 'utf8');
  } catch {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'template.unreadable',
          message: `cannot read ${file}`,
          location: { file, line: 1, column: 1 },
        },
      ],
    };
  }
  // A text that parsed and validated clean before: its data from the cache, and the YAML
  // parsed (for positions) only if a check below has something to place.
  const key = templateKey(text, file, abs);
  let known = parsedTemplates.has(key) ? undefined : cachedTemplates.get(key);
  if (known === undefined && !parsedTemplates.has(key)) {
    known = cachedTemplateData(text);
    if (known !== undefined) cachedTemplates.set(key, known);
  }
  if (known !== undefined) {
    let lazy: ManifestSource | undefined;
    const source = (): ManifestSource => (lazy ??= parsedTemplate(text, file, abs).parsed.source);
    const definition = known as TemplateDefinition;
    const findings = semanticTemplateFindings(definition, dir, {
      file,
      absPath: abs,
      text,
      locate: (p) => source().locate(p),
      locateKey: (p) => source().locateKey(p),
      has: (p) => source().has(p),
    });
    if (findings.some((d) => d.severity === 'error')) return { diagnostics: findings };
    return { template: { definition, dir, file }, diagnostics: findings };
  }
  const { parsed, metaErrors } = parsedTemplate(text, file, abs);
  const diagnostics = [...parsed.diagnostics];
  if (diagnostics.length === 0 && metaErrors.length === 0 && parsed.data !== undefined)
    storeTemplateData(text, parsed.data);
  if (parsed.data === undefined || diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  if (metaErrors.length > 0)
    return {
      diagnostics: [...diagnostics, ...schemaDiagnostics(metaErrors, parsed.data, parsed.source, templateMetaSchema)],
    };
  const definition = parsed.data as TemplateDefinition;
  diagnostics.push(...semanticTemplateFindings(definition, dir, parsed.source));
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { template: { definition, dir, file }, diagnostics };
}

/** Every template under <cwd>/templates, sorted by name. */
export function loadTemplateCatalog(cwd: string): TemplateCatalog {
  const templates: LoadedTemplate[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const name of listTemplateNames(cwd)) {
    const r = readTemplate(cwd, name);
    diagnostics.push(...r.diagnostics);
    if (r.template !== undefined) templates.push(r.template);
  }
  return { templates, diagnostics };
}

/** One template, or a StormError naming what exists / what is wrong. */
export function loadTemplate(cwd: string, name: string): LoadedTemplate {
  const known = listTemplateNames(cwd);
  if (!known.includes(name)) {
    throw new StormError('not-found', `no template named "${name}"`, {
      hint:
        known.length === 0 ? `no templates under ${path.join(cwd, TEMPLATES_DIR)}` : `templates: ${known.join(', ')}`,
    });
  }
  const r = readTemplate(cwd, name);
  if (r.template === undefined)
    throw new StormError('invalid-manifest', `template ${name} is invalid`, {
      diagnostics: r.diagnostics,
      hint: 'fix templates/<name>/template.yaml at the positions shown',
    });
  return r.template;
}

/** A manifest source seen from inside one of its values, so schema findings land at the right place. */
function sourceUnder(source: ManifestSource, prefix: DocPath): ManifestSource {
  return {
    file: source.file,
    absPath: source.absPath,
    text: source.text,
    locate: (p) => source.locate([...prefix, ...p]),
    locateKey: (p) => source.locateKey([...prefix, ...p]),
    has: (p) => source.has([...prefix, ...p]),
  };
}

/**
 * Checks a service's `parameters` against its template's schema. `at` is the
 * path of the parameters value in the manifest (e.g. ["services", 0, "parameters"]).
 */
export function checkServiceParameters(
  template: LoadedTemplate,
  parameters: unknown,
  source: ManifestSource,
  at: DocPath,
): Diagnostic[] {
  const value = parameters ?? {};
  const check = compiledParameters(template.definition.parameters, false);
  if (check(value)) return [];
  const prefix = formatPath(at);
  return schemaDiagnostics(
    check.errors ?? [],
    value,
    sourceUnder(source, at),
    template.definition.parameters as Record<string, unknown>,
  ).map((d) => ({
    ...d,
    code: d.code.startsWith('manifest.') ? `service.parameters.${d.code.slice('manifest.'.length)}` : d.code,
    path: d.path === undefined || d.path === '' ? prefix : `${prefix}.${d.path}`,
    message: `${template.definition.name}: ${d.message}`,
    hint: d.hint ?? `see \`storm templates show ${template.definition.name}\` for its parameters`,
  }));
}

/** The parameters a deployed service runs with: the manifest's values over the template's defaults. */
export function resolveServiceParameters(
  template: LoadedTemplate,
  parameters: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const value = structuredClone(parameters ?? {});
  const withDefaults = compiledParameters(template.definition.parameters, true);
  if (!withDefaults(value)) {
    const first = withDefaults.errors?.[0];
    throw new StormError(
      'invalid-manifest',
      `parameters of ${template.definition.name} are invalid: ${first?.instancePath ?? ''} ${first?.message ?? ''}`.trim(),
      {
        hint: 'run `storm validate` for positions',
      },
    );
  }
  return value;
}

/** Instances and flavor of a tier in an environment: production has its own defaults. */
export function tierSizing(tier: Tier, environment: string): { count: number; flavor: string } {
  if (environment === 'production')
    return { count: tier.production?.count ?? tier.count, flavor: tier.production?.flavor ?? tier.flavor };
  return { count: tier.count, flavor: tier.flavor };
}

/** One parameter as `storm templates show` lists it. */
export interface TemplateParameterSummary {
  name: string;
  type: string;
  default: unknown;
  description: string;
  /** Constraints in words, e.g. "5 ≤ value ≤ 100". */
  constraints: string[];
}

export interface TemplateSummary {
  name: string;
  version: string;
  description: string;
  languages: string[];
  personalData: boolean;
  tiers: string[];
  file: string;
}

export interface TemplateDetail extends TemplateSummary {
  runtime: TemplateDefinition['runtime'];
  parameters: TemplateParameterSummary[];
  needs: TemplateDefinition['needs'];
  /** Cities whose manifest runs this template. */
  usedBy: string[];
}

function summaryOf(t: LoadedTemplate): TemplateSummary {
  const d = t.definition;
  return {
    name: d.name,
    version: d.version,
    description: d.description.trim(),
    languages: [...d.languages],
    personalData: d.needs.personalData,
    tiers: d.needs.tiers.map((x) => x.name),
    file: t.file,
  };
}

function parameterSummary(name: string, schema: Record<string, unknown>): TemplateParameterSummary {
  const constraints: string[] = [];
  const items = schema.items as Record<string, unknown> | undefined;
  if (typeof schema.minimum === 'number' && typeof schema.maximum === 'number')
    constraints.push(`${schema.minimum} ≤ value ≤ ${schema.maximum}`);
  else if (typeof schema.minimum === 'number') constraints.push(`≥ ${schema.minimum}`);
  else if (typeof schema.maximum === 'number') constraints.push(`≤ ${schema.maximum}`);
  if (typeof schema.minItems === 'number')
    constraints.push(`at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
  if (schema.uniqueItems === true) constraints.push('no duplicates');
  if (typeof schema.pattern === 'string') constraints.push(`matches ${schema.pattern}`);
  if (typeof schema.format === 'string') constraints.push(`format ${schema.format}`);
  if (Array.isArray(schema.enum)) constraints.push(`one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (items !== undefined && typeof items.pattern === 'string') constraints.push(`items match ${items.pattern}`);
  const type =
    typeof schema.type === 'string'
      ? schema.type === 'array' && typeof items?.type === 'string'
        ? `${items.type}[]`
        : schema.type
      : 'any';
  return {
    name,
    type,
    default: schema.default,
    description: typeof schema.description === 'string' ? schema.description : '',
    constraints,
  };
}

/** `storm templates list`: every valid template, plus findings about broken ones. */
export function listTemplates(cwd: string): { templates: TemplateSummary[]; diagnostics: Diagnostic[] } {
  const catalog = loadTemplateCatalog(cwd);
  return { templates: catalog.templates.map(summaryOf), diagnostics: catalog.diagnostics };
}

/** `storm templates show <name>`: parameters, needs and version; `usedBy` names the cities running it. */
export function describeTemplate(
  cwd: string,
  name: string,
  usage: readonly { name: string; services: readonly string[] }[],
): TemplateDetail {
  const t = loadTemplate(cwd, name);
  const props = t.definition.parameters.properties as Record<string, Record<string, unknown>>;
  return {
    ...summaryOf(t),
    runtime: t.definition.runtime,
    parameters: Object.entries(props).map(([n, s]) => parameterSummary(n, s)),
    needs: t.definition.needs,
    usedBy: usage
      .filter((c) => c.services.includes(name))
      .map((c) => c.name)
      .sort(),
  };
}

/** Who may reach a port a service needs, resolved against the city. */
export type ServiceIngressSource = { kind: 'cidrs'; cidrs: string[] } | { kind: 'group'; group: string };

export interface ServiceNeeds {
  service: string;
  template: string;
  version: string;
  /** The manifest compute group running the service (`on:`). */
  group: string;
  tier: string;
  /** The template's sizing for this environment; the manifest group's own count/flavor take precedence in synthesis. */
  sizing: { count: number; flavor: string };
  servicePort: number;
  healthCheck: string;
  ingress: { port: number; protocol: 'tcp' | 'udp'; from: ServiceIngressSource }[];
  /** Volumes each instance of the group needs, named `<service>-<volume>`. */
  volumes: { name: string; size: number; mountPath: string }[];
  containers: TemplateDefinition['needs']['containers'];
  personalData: boolean;
}

/**
 * What each service of a resolved city needs from the infrastructure, for
 * synthesis to merge with the manifest: `internet` becomes 0.0.0.0/0, `admin`
 * the city's admin CIDRs, `tier:<name>` the group running the service (a
 * template's tiers all run on the service's group today).
 */
export function serviceNeeds(city: ResolvedCity, templates: readonly LoadedTemplate[]): ServiceNeeds[] {
  return city.services.map((service) => {
    const template = templates.find((t) => t.definition.name === service.template);
    if (template === undefined)
      throw new StormError('not-found', `service ${service.name} uses unknown template ${service.template}`, {
        hint: 'run `storm templates list`',
      });
    const def = template.definition;
    const tier = def.needs.tiers.find((t) => t.role === 'web') ?? (def.needs.tiers[0] as Tier);
    const source = (from: string): ServiceIngressSource => {
      if (from === 'internet') return { kind: 'cidrs', cidrs: ['0.0.0.0/0'] };
      if (from === 'admin') return { kind: 'cidrs', cidrs: [...city.security.adminCidrs] };
      return { kind: 'group', group: service.on };
    };
    return {
      service: service.name,
      template: def.name,
      version: def.version,
      group: service.on,
      tier: tier.name,
      sizing: tierSizing(tier, city.env),
      servicePort: tier.servicePort,
      healthCheck: tier.healthCheck,
      ingress: tier.ports.map((p) => ({ port: p.port, protocol: p.protocol, from: source(p.from) })),
      volumes: tier.volumes.map((v) => ({ name: `${service.name}-${v.name}`, size: v.size, mountPath: v.mountPath })),
      containers: def.needs.containers,
      personalData: def.needs.personalData || service.personalData,
    };
  });
}
