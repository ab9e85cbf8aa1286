/**
 * A service's parameters checked against its template's parameter schema (the
 * schema and its checker belong to templates.ts), at the positions a person
 * has to edit.
 */
import * as path from 'node:path';
import type { Diagnostic } from '../errors';
import type { CityManifest, Service } from './city-manifest.types';
import { serviceName } from './model';
import { formatPath, type DocPath, type ManifestSource } from './source';
import { checkServiceParameters, type TemplateCatalog } from './templates';

/** A finding, and the environment whose override it is about (none: the service as written). */
export interface ParameterFinding {
  diagnostic: Diagnostic;
  env?: string;
}

/** Where a service is, for findings about its parameters. */
export interface ServiceLocation {
  source: ManifestSource;
  /** Index of the service in `services`. */
  index: number;
  /** Templates that loaded cleanly. */
  catalog: TemplateCatalog;
  /** Template names that exist (a name here but not in the catalog is a broken template). */
  templateNames: readonly string[];
  /** Parameter overrides per environment, to check what each environment really runs with. */
  environments: CityManifest['environments'];
}

/**
 * Checks a service's parameters against its template's parameter schema, as
 * written and as each environment's overrides leave them; findings point at the
 * line that set the value (the override when there is one).
 */
export function validateServiceParameters(service: Service, location: ServiceLocation): Diagnostic[] {
  return serviceParameterFindings(service, location).map((f) => f.diagnostic);
}

export function serviceParameterFindings(service: Service, location: ServiceLocation): ParameterFinding[] {
  const { source, index, catalog } = location;
  const template = catalog.templates.find(
    (t) => t.definition.name === service.template || path.basename(t.dir) === service.template,
  );
  const base: DocPath = ['services', index, 'parameters'];
  if (template === undefined) {
    if (!location.templateNames.includes(service.template)) return [];
    const diagnostic: Diagnostic = {
      severity: 'error',
      code: 'manifest.broken-template',
      message: `template "${service.template}" is itself invalid, so its parameters cannot be checked`,
      path: formatPath(['services', index, 'template']),
      location: source.locate(['services', index, 'template']),
      hint: `run \`storm templates show ${service.template}\` to see what is wrong with templates/${service.template}/template.yaml`,
    };
    return [{ diagnostic }];
  }
  const out: ParameterFinding[] = checkServiceParameters(template, service.parameters ?? {}, source, base).map(
    (diagnostic) => ({ diagnostic }),
  );
  const name = serviceName(service);
  for (const [env, o] of Object.entries(location.environments)) {
    const override = o?.services?.[name]?.parameters;
    if (override === undefined) continue;
    const at: DocPath = ['environments', env, 'services', name, 'parameters'];
    // Keys the override sets are found under it; the others on the service itself.
    const merged = { ...(service.parameters ?? {}), ...override };
    const dispatch: ManifestSource = {
      ...source,
      locate: (p) => source.locate(remap(p)),
      locateKey: (p) => source.locateKey(remap(p)),
      has: (p) => source.has(remap(p)),
    };
    function remap(p: DocPath): DocPath {
      const rest = p.slice(at.length);
      const key = rest[0];
      return typeof key === 'string' && key in override! ? p : [...base, ...rest];
    }
    const prefix = `${template.definition.name}: `;
    for (const d of checkServiceParameters(template, merged, dispatch, at)) {
      const message = d.message.startsWith(prefix)
        ? `${template.definition.name} (${env}): ${d.message.slice(prefix.length)}`
        : `${d.message} (${env})`;
      out.push({ diagnostic: { ...d, message }, env });
    }
  }
  return out;
}
