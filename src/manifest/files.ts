/**
 * Finding and reading manifest files: `<city>` means stacks/<city>.yaml, an
 * argument ending in .yaml/.yml is a file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StormError } from '../errors';
import { closestMatch } from './did-you-mean';
import { MAX_MANIFEST_BYTES, parseManifest, type ParsedManifest } from './source';

/** Manifests live in <project>/stacks/<city>.yaml. */
export const STACKS_DIR = 'stacks';

/** True when the argument names a file rather than a city. */
export function isManifestPath(ref: string): boolean {
  return /\.ya?ml$/i.test(ref);
}

/** City names with a manifest in <cwd>/stacks, sorted. */
export function listCities(cwd: string): string[] {
  const dir = path.join(cwd, STACKS_DIR);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && /\.ya?ml$/i.test(e.name))
    .map((e) => e.name.replace(/\.ya?ml$/i, ''))
    .sort();
}

/** The path shown in messages: relative to the project when inside it. */
export function displayPath(absPath: string, cwd: string): string {
  const rel = path.relative(cwd, absPath);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : absPath;
}

/** Resolves a city name or a file argument to an absolute path; throws not-found with the cities that exist. */
export function resolveManifestRef(ref: string, cwd: string): string {
  if (isManifestPath(ref)) {
    const abs = path.resolve(cwd, ref);
    if (!fs.existsSync(abs))
      throw new StormError('not-found', `manifest file ${ref} does not exist`, { hint: `looked for ${abs}` });
    return abs;
  }
  for (const ext of ['.yaml', '.yml']) {
    const abs = path.join(cwd, STACKS_DIR, `${ref}${ext}`);
    if (fs.existsSync(abs)) return abs;
  }
  const cities = listCities(cwd);
  const suggestion = closestMatch(ref, cities);
  const known =
    cities.length === 0 ? `there are no manifests in ${path.join(cwd, STACKS_DIR)}` : `cities: ${cities.join(', ')}`;
  throw new StormError('not-found', `no city "${ref}" (looked for ${STACKS_DIR}/${ref}.yaml)`, {
    hint: suggestion === undefined ? known : `did you mean "${suggestion}"? ${known}`,
  });
}

/** Reads and parses a manifest file, refusing oversized ones; never throws for bad content. */
export function readManifest(absPath: string, cwd: string): ParsedManifest {
  const file = displayPath(absPath, cwd);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absPath);
  } catch (err) {
    throw new StormError('not-found', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (!stat.isFile()) throw new StormError('not-found', `${file} is not a file`);
  if (stat.size > MAX_MANIFEST_BYTES) {
    return {
      source: {
        file,
        absPath,
        text: '',
        locate: () => ({ file, line: 1, column: 1 }),
        locateKey: () => ({ file, line: 1, column: 1 }),
        has: () => false,
      },
      data: undefined,
      diagnostics: [
        {
          severity: 'error',
          code: 'manifest.too-large',
          message: `file is ${stat.size} bytes; manifests are limited to ${MAX_MANIFEST_BYTES} bytes (1 MiB)`,
          location: { file, line: 1, column: 1 },
          hint: 'a city manifest is a few KiB: is this the right file?',
        },
      ],
    };
  }
  return parseManifest(fs.readFileSync(absPath, 'utf8'), file, absPath);
}
