/**
 * Validation of city manifests: YAML with positions → JSON Schema (ajv 2020) →
 * semantic checks → template parameters. Every finding is collected before
 * anything fails, so one run shows a person everything to fix.
 */
import * as path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { validate as precompiledValidator } from './gen/city-manifest.validate';
import { StormError, type Diagnostic } from '../errors';
import type { CityManifest } from './city-manifest.types';
import schemaJson from './city-manifest.schema.json';
import { STACKS_DIR, listCities, readManifest, resolveManifestRef } from './files';
import { environmentNames } from './model';
import { schemaDiagnostics } from './schema-errors';
import { salvageManifest, writtenNames } from './salvage';
import { semanticFindings } from './semantic';
import { serviceParameterFindings } from './service-parameters';
import type { DocPath, ParsedManifest } from './source';
import { listTemplateNames } from './template-catalog';
import { loadTemplateCatalog, type TemplateCatalog } from './templates';

export { validateServiceParameters, type ServiceLocation } from './service-parameters';

export const citySchema: Record<string, unknown> = schemaJson as unknown as Record<string, unknown>;

/**
 * The schema validator. It is precompiled at development time (npm run
 * gen:validators, checked for drift by a test) because compiling this schema
 * costs ~0.4 s of every storm start.
 */
export function schemaValidator(): ValidateFunction {
  return precompiledValidator as unknown as ValidateFunction;
}

export interface ValidationOptions {
  /** Project directory holding stacks/ and templates/. */
  cwd: string;
  /** Template names; read from <cwd>/templates when omitted (pass it when validating many files). */
  templates?: readonly string[];
  /** Loaded templates, for their parameter schemas; read when omitted. */
  catalog?: TemplateCatalog;
}

export interface EnvironmentStatus {
  name: string;
  /** Errors that affect this environment (those of the manifest as a whole included). */
  errors: number;
}

export interface ValidationResult {
  file: string;
  /** city.name, when the manifest got far enough to tell. */
  city: string | undefined;
  /** The manifest, when it could be read and matched the schema (semantic errors may remain). */
  doc: CityManifest | undefined;
  /** Environments the manifest defines (empty when it could not be read). */
  environments: EnvironmentStatus[];
  /** Sorted by position. */
  diagnostics: Diagnostic[];
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  const la = a.location;
  const lb = b.location;
  if (la === undefined || lb === undefined) return la === undefined ? (lb === undefined ? 0 : 1) : -1;
  return la.line - lb.line || la.column - lb.column || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

/** Validates a parsed manifest; never throws for bad content. */
export function validateParsed(parsed: ParsedManifest, options: ValidationOptions): ValidationResult {
  const { source } = parsed;
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  // Findings about some environments only count against those.
  const envSpecific: Diagnostic[] = [];
  const envErrors = new Map<string, number>();
  const record = (diagnostic: Diagnostic, environments: readonly string[] | undefined): void => {
    if (environments === undefined) {
      diagnostics.push(diagnostic);
      return;
    }
    envSpecific.push(diagnostic);
    if (diagnostic.severity === 'error')
      for (const env of environments) envErrors.set(env, (envErrors.get(env) ?? 0) + 1);
  };
  let cityNameKnown = true;
  const done = (doc: CityManifest | undefined, checked: CityManifest | undefined = doc): ValidationResult => {
    const general = diagnostics.filter((d) => d.severity === 'error').length;
    return {
      file: source.file,
      city: cityNameKnown ? checked?.city.name : undefined,
      doc,
      environments:
        checked === undefined
          ? []
          : environmentNames(checked).map((name) => ({ name, errors: general + (envErrors.get(name) ?? 0) })),
      diagnostics: [...diagnostics, ...envSpecific].sort(byPosition),
    };
  };
  if (parsed.data === undefined) return done(undefined);
  if (parsed.data === null || typeof parsed.data !== 'object' || Array.isArray(parsed.data)) {
    diagnostics.push({
      severity: 'error',
      code: 'manifest.not-a-mapping',
      message: 'a city manifest is a YAML mapping (apiVersion:, city:, …)',
      location: { file: source.file, line: 1, column: 1 },
      hint: 'start from stacks/valladolid.yaml',
    });
    return done(undefined);
  }
  const validate = schemaValidator();
  let doc: CityManifest;
  let complete = true;
  let originalPath: ((p: DocPath) => DocPath) | undefined;
  if (!validate(parsed.data)) {
    diagnostics.push(...schemaDiagnostics(validate.errors ?? [], parsed.data, source, citySchema));
    const salvaged = salvageManifest(parsed.data, validate.errors ?? [], validate);
    if (salvaged === undefined) return done(undefined);
    doc = salvaged.doc;
    complete = false;
    originalPath = salvaged.originalPath;
    cityNameKnown = salvaged.cityNameKnown;
  } else {
    doc = parsed.data as CityManifest;
  }
  const templates = options.templates ?? listTemplateNames(options.cwd);
  const inStacks = path.dirname(source.absPath) === path.join(path.resolve(options.cwd), STACKS_DIR);
  const findings = semanticFindings(doc, {
    source,
    templates: templates.length === 0 ? undefined : templates,
    ...(originalPath === undefined ? {} : { originalPath, writtenNames: writtenNames(parsed.data) }),
    expectedCityName: inStacks && cityNameKnown ? path.basename(source.absPath).replace(/\.ya?ml$/i, '') : undefined,
  });
  const allEnvironments = environmentNames(doc);
  for (const { diagnostic, environments } of findings)
    record(
      diagnostic,
      environments === undefined || environments.length === allEnvironments.length ? undefined : environments,
    );
  if (templates.length === 0 && (doc.services ?? []).length > 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'manifest.no-templates',
      message: 'templates/ holds no template yet: service template names were not checked',
      path: 'services',
      location: source.locateKey(['services']),
    });
  }
  if (templates.length > 0) {
    const catalog = options.catalog ?? loadTemplateCatalog(options.cwd);
    // An override that repeats a base problem would report it twice: keep the first.
    const seen = new Set<string>();
    (doc.services ?? []).forEach((service, index) => {
      for (const { diagnostic: d, env } of serviceParameterFindings(service, {
        source,
        index: originalPath === undefined ? index : Number(originalPath(['services', index])[1]),
        catalog,
        templateNames: templates,
        environments: doc.environments,
      })) {
        const id = `${d.location?.line}:${d.location?.column}\u0000${d.code}\u0000${d.path?.split('.').pop() ?? ''}`;
        if (seen.has(id)) continue;
        seen.add(id);
        record(d, env === undefined ? undefined : [env]);
      }
    });
  }
  return done(complete ? doc : undefined, doc);
}

export interface ValidateManyOptions {
  cwd: string;
  /** Validate every manifest in stacks/ (in addition to `refs`). */
  all: boolean;
}

export interface ValidationReport {
  ok: boolean;
  files: {
    file: string;
    city: string | undefined;
    ok: boolean;
    environments: { name: string; ok: boolean }[];
    diagnostics: Diagnostic[];
  }[];
  errors: number;
  warnings: number;
}

/**
 * Validates the named cities/files (or all of stacks/ with `all`). Bad content
 * is reported, not thrown; an unknown city or a missing file throws not-found.
 */
export function validateManifests(refs: readonly string[], options: ValidateManyOptions): ValidationReport {
  const paths: string[] = [];
  if (options.all) for (const city of listCities(options.cwd)) paths.push(resolveManifestRef(city, options.cwd));
  for (const ref of refs) paths.push(resolveManifestRef(ref, options.cwd));
  const unique = [...new Set(paths)];
  if (unique.length === 0) {
    throw new StormError('not-found', `no manifests to validate in ${path.join(options.cwd, STACKS_DIR)}`, {
      hint: 'create stacks/<city>.yaml, or name a file',
    });
  }
  const templates = listTemplateNames(options.cwd);
  const catalog = loadTemplateCatalog(options.cwd);
  const files = unique.map((absPath) => {
    const result = validateParsed(readManifest(absPath, options.cwd), { cwd: options.cwd, templates, catalog });
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    return {
      file: result.file,
      city: result.city,
      ok: errors === 0,
      environments: result.environments.map((e) => ({ name: e.name, ok: e.errors === 0 })),
      diagnostics: result.diagnostics,
    };
  });
  const all = files.flatMap((f) => f.diagnostics);
  const errors = all.filter((d) => d.severity === 'error').length;
  return { ok: errors === 0, files, errors, warnings: all.length - errors };
}
