/**
 * synthCity: manifest → validated → environment-resolved → Terraform JSON, all
 * in-process. The JSON is serialized with sorted keys so the same manifest always
 * gives the same bytes (and the same hash).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Diagnostic, StormError } from '../errors';
import { type LoadedManifest, loadCity } from '../manifest/load';
import { DEFAULT_ENVIRONMENT, type ResolvedCity, environmentNames, resolveEnvironment } from '../manifest/model';
import { App } from './cdktf';
import { type ServiceNeeds, loadTemplateCatalog, serviceNeeds } from '../manifest/templates';
import { CityStack } from './city-stack';
import type { SynthExtras } from './context';
import { withServiceNeeds } from './services';

export type { InstanceSlot, SynthExtras } from './context';

export type TerraformJson = Record<string, unknown>;

export const SYNTH_FILE = 'main.tf.json';

/** Builds the stack of one resolved city in memory (pure: no files, no environment). */
export function synthesizeResolved(city: ResolvedCity, extras: SynthExtras = {}): TerraformJson {
  // No outdir is ever written: the stack is turned into JSON directly.
  const app = new App({
    outdir: '.',
    skipValidation: true,
    context: { excludeStackIdFromLogicalIds: 'true', allowSepCharsInLogicalIds: 'true' },
  });
  const merged = extras.services === undefined ? city : withServiceNeeds(city, extras.services);
  const stack = new CityStack(app, merged, extras);
  return sortKeys(withoutComments(stack.toTerraform())) as TerraformJson;
}

/**
 * Drops cdktf's "//" bookkeeping (construct paths, a "local" backend note that the
 * workspace's backend file overrides anyway): storm's logical ids are already the
 * manifest's names, and the file reads cleaner without it.
 */
function withoutComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutComments);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (key !== '//') out[key] = withoutComments(v);
  return out;
}

/** The bytes storm writes: two-space JSON with sorted keys and a final newline. */
export function renderTerraformJson(json: TerraformJson): string {
  return `${JSON.stringify(sortKeys(json), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** What the city's services need, from its templates under <cwd>/templates (empty without services). */
export function serviceNeedsFor(city: ResolvedCity, cwd: string): ServiceNeeds[] {
  if (city.services.length === 0) return [];
  return serviceNeeds(city, loadTemplateCatalog(cwd).templates);
}

export interface SynthStats {
  /** Resource count by Terraform type, e.g. openstack_compute_instance_v2: 2. */
  resources: Record<string, number>;
  dataSources: Record<string, number>;
  resourceTotal: number;
  outputs: string[];
}

export function synthStats(json: TerraformJson): SynthStats {
  const count = (block: unknown): Record<string, number> => {
    const out: Record<string, number> = {};
    if (block === null || typeof block !== 'object') return out;
    for (const [type, items] of Object.entries(block as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    )) {
      out[type] = items !== null && typeof items === 'object' ? Object.keys(items).length : 0;
    }
    return out;
  };
  const resources = count(json.resource);
  return {
    resources,
    dataSources: count(json.data),
    resourceTotal: Object.values(resources).reduce((a, b) => a + b, 0),
    outputs: Object.keys((json.output as Record<string, unknown> | undefined) ?? {}).sort(),
  };
}

export interface SynthCityOptions {
  /** Project directory (stacks/, templates/, .storm/). */
  cwd: string;
  env?: string;
  /** Where main.tf.json goes (default .storm/synth/<city>/<env>/); undefined + write=false writes nothing. */
  outDir?: string;
  write?: boolean;
  extras?: SynthExtras;
}

export interface SynthCityResult {
  city: string;
  env: string;
  manifest: string;
  /** Absolute path of the written main.tf.json (absent when nothing was written). */
  file: string | undefined;
  /** sha256 of the bytes. */
  hash: string;
  bytes: number;
  stats: SynthStats;
  json: TerraformJson;
  resolved: ResolvedCity;
  /** Non-fatal findings about the manifest. */
  warnings: Diagnostic[];
}

export function defaultSynthDir(cwd: string, city: string, env: string): string {
  return path.join(cwd, '.storm', 'synth', city, env);
}

/** Loads and validates `ref` (a city name or a manifest path), resolves `env` and synthesizes it. */
export function synthCity(ref: string, options: SynthCityOptions): SynthCityResult {
  const loaded = loadCity(ref, { cwd: options.cwd });
  const env = options.env ?? DEFAULT_ENVIRONMENT;
  const envs = environmentNames(loaded.doc);
  if (!envs.includes(env)) {
    throw new StormError('usage', `${loaded.file} has no environment "${env}"`, {
      hint: `use one of: ${envs.join(', ')}`,
    });
  }
  const resolved = resolveEnvironment(loaded.doc, env);
  const extras: SynthExtras = {
    ...options.extras,
    services: options.extras?.services ?? serviceNeedsFor(resolved, options.cwd),
  };
  const json = synthesizeResolved(resolved, extras);
  const text = renderTerraformJson(json);
  let file: string | undefined;
  if (options.write !== false) {
    const dir = path.resolve(options.cwd, options.outDir ?? defaultSynthDir(options.cwd, resolved.city.name, env));
    file = path.join(dir, SYNTH_FILE);
    writeAtomically(file, text);
  }
  return {
    city: resolved.city.name,
    env,
    manifest: loaded.file,
    file,
    hash: createHash('sha256').update(text).digest('hex'),
    bytes: Buffer.byteLength(text),
    stats: synthStats(json),
    json,
    resolved,
    warnings: [...loaded.warnings, ...userDataNotice(resolved, extras, loaded)],
  };
}

/**
 * A city with services boots its instances with cloud-init naming the target cloud's
 * object storage, which only the cloud can tell: offline synthesis leaves that user data
 * out, and says so, so nobody diffs this output against an applied stack unawares.
 */
function userDataNotice(city: ResolvedCity, extras: SynthExtras, loaded: LoadedManifest): Diagnostic[] {
  if (city.services.length === 0 || extras.userData !== undefined) return [];
  return [
    {
      severity: 'info',
      code: 'synth.user-data-omitted',
      message: `the instances of ${city.services.map((s) => s.name).join(', ')} have no user_data here: it names the target cloud's object storage, which synthesis without a cloud cannot know`,
      path: 'services',
      location: loaded.locate(['services']),
      hint: '`storm plan` synthesizes against the cloud and includes it',
    },
  ];
}

function writeAtomically(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}
