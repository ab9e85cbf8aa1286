/**
 * loadCity: the one call commands make to get a validated manifest.
 */
import { StormError, type Diagnostic, type SourceLocation } from '../errors';
import type { CityManifest } from './city-manifest.types';
import { readManifest, resolveManifestRef } from './files';
import type { DocPath } from './source';
import { validateParsed } from './validate';

export { STACKS_DIR, displayPath, isManifestPath, listCities, readManifest, resolveManifestRef } from './files';

export interface LoadedManifest {
  /** Path for messages, relative to the project when inside it (stacks/valladolid.yaml). */
  file: string;
  absPath: string;
  text: string;
  /** The validated manifest. */
  doc: CityManifest;
  /** Position of the value at `path` (or of its deepest existing ancestor). */
  locate(path: DocPath): SourceLocation;
  /** Position of the key naming `path`'s last segment. */
  locateKey(path: DocPath): SourceLocation;
  /** Non-fatal findings (e.g. no templates installed yet). */
  warnings: Diagnostic[];
}

export interface LoadOptions {
  /** Project directory holding stacks/ and templates/. */
  cwd: string;
}

/**
 * Loads, validates and returns a city manifest. Any error-severity finding
 * throws StormError('invalid-manifest') carrying every diagnostic.
 */
export function loadCity(ref: string, options: LoadOptions): LoadedManifest {
  const absPath = resolveManifestRef(ref, options.cwd);
  const parsed = readManifest(absPath, options.cwd);
  const result = validateParsed(parsed, { cwd: options.cwd });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (result.doc === undefined || errors.length > 0) {
    throw new StormError(
      'invalid-manifest',
      `${parsed.source.file} is not a valid city manifest (${errors.length} ${errors.length === 1 ? 'problem' : 'problems'})`,
      {
        hint: 'fix the findings above; `storm schema` prints the manifest schema',
        diagnostics: result.diagnostics,
      },
    );
  }
  const { source } = parsed;
  return {
    file: source.file,
    absPath: source.absPath,
    text: source.text,
    doc: result.doc,
    locate: source.locate,
    locateKey: source.locateKey,
    warnings: result.diagnostics.filter((d) => d.severity !== 'error'),
  };
}
