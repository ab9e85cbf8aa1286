/** The cities of a project, summarised for `storm list`. */
import { listCities, readManifest, resolveManifestRef } from './files';
import { serviceName } from './model';
import { listTemplateNames } from './template-catalog';
import { loadTemplateCatalog } from './templates';
import { validateParsed } from './validate';

export interface CitySummary {
  name: string;
  file: string;
  displayName: string | undefined;
  country: string | undefined;
  services: string[];
  environments: string[];
  /** Error findings `storm validate` would report (0: valid). */
  errors: number;
}

/** Summaries of every manifest in stacks/, sorted by name; invalid ones are listed with their error count. */
export function summarizeCities(cwd: string): CitySummary[] {
  const templates = listTemplateNames(cwd);
  const catalog = loadTemplateCatalog(cwd);
  return listCities(cwd).map((name) => {
    const parsed = readManifest(resolveManifestRef(name, cwd), cwd);
    const result = validateParsed(parsed, { cwd, templates, catalog });
    const doc = result.doc;
    return {
      name,
      file: result.file,
      displayName: doc?.city.displayName,
      country: doc?.city.country,
      services: (doc?.services ?? []).map(serviceName),
      environments: result.environments.map((e) => e.name),
      errors: result.diagnostics.filter((d) => d.severity === 'error').length,
    };
  });
}
