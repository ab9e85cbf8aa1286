/**
 * Template parameter schemas compiled once per machine, not once per run. ajv takes
 * about a tenth of a `storm synth` start-up to load and compile them; its standalone
 * code for a schema is kept in the storm cache (STORM_CACHE_DIR, else
 * $XDG_CACHE_HOME/storm, else ~/.cache/storm — the folder that already holds the
 * engine storm runs), named by a hash of everything that shapes it: the schema, the
 * ajv options, ajv's version and storm's. A cache that cannot be read or written only
 * costs the compile; it never changes a result.
 *
 * The data of each template.yaml that parsed and validated clean is kept the same way,
 * by a hash of its text: a run then parses a template's YAML only to place a finding.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as vm from 'node:vm';
import type Ajv2020 from 'ajv/dist/2020';
import type { Options, ValidateFunction } from 'ajv';
import { STORM_VERSION } from '../version';

// Loaded only on a cache miss (and for the standalone code's own small runtime requires).
const load = createRequire(__filename);

type Env = Readonly<Record<string, string | undefined>>;

/** The storm cache: STORM_CACHE_DIR, else $XDG_CACHE_HOME/storm, else ~/.cache/storm (engine/bootstrap.ts's rule). */
function stormCacheDir(env: Env, home: string): string {
  const override = env.STORM_CACHE_DIR;
  if (override !== undefined && override !== '') return path.resolve(override);
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && xdg !== '' && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache');
  return path.join(base, 'storm');
}

/** Where compiled validators are kept: the storm cache's validators/ folder. */
export function validatorCacheDir(env: Env, home = os.homedir()): string {
  return path.join(stormCacheDir(env, home), 'validators');
}

/** Where the data of template.yaml files that parsed and validated clean is kept. */
export function templateCacheDir(env: Env, home = os.homedir()): string {
  return path.join(stormCacheDir(env, home), 'templates');
}

function writeAtomically(dir: string, file: string, text: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    // a read-only or full cache: this run did the work, the next will again
  }
}

function templateFile(text: string, env: Env): string {
  const key = createHash('sha256').update(`storm ${STORM_VERSION}\u0000${text}`).digest('hex');
  return path.join(templateCacheDir(env), `${key}.json`);
}

/**
 * The data of a template.yaml text that parsed without a finding and passed the template
 * schema before (parsing and that check depend on the text alone), or undefined.
 */
export function cachedTemplateData(text: string, env: Env = process.env): unknown {
  try {
    const stored = JSON.parse(fs.readFileSync(templateFile(text, env), 'utf8')) as { data?: unknown };
    return stored.data;
  } catch {
    return undefined;
  }
}

/** Keeps the data of a clean template.yaml text, when JSON carries it unchanged. */
export function storeTemplateData(text: string, data: unknown, env: Env = process.env): void {
  const json = JSON.stringify({ data });
  if (!isDeepStrictEqual((JSON.parse(json) as { data: unknown }).data, data)) return;
  const file = templateFile(text, env);
  writeAtomically(path.dirname(file), file, json);
}

let ajvVersion: string | undefined;
function currentAjvVersion(): string {
  ajvVersion ??= (load('ajv/package.json') as { version: string }).version;
  return ajvVersion;
}

/** The cache file name of a schema compiled with options: a sha256 of all that shapes the code. */
export function validatorKey(schema: unknown, options: Options): string {
  return createHash('sha256')
    .update(JSON.stringify({ storm: STORM_VERSION, ajv: currentAjvVersion(), options, schema }))
    .digest('hex');
}

function fromCode(code: string, file: string): ValidateFunction {
  const module = { exports: {} as unknown };
  vm.compileFunction(code, ['require', 'module', 'exports'], { filename: file })(load, module, module.exports);
  const validate = module.exports as ValidateFunction;
  if (typeof validate !== 'function') throw new TypeError(`${file} holds no validator`);
  return validate;
}

/**
 * A validator of `schema` under `options`: from the cache when it holds one, else compiled
 * by a new ajv from `newAjv` (which must have code.source on; it may throw to refuse the
 * schema, and is only called on a miss) and stored for the next run.
 */
export function cachedValidator(
  schema: object,
  options: Options,
  newAjv: () => Ajv2020,
  env: Env = process.env,
): ValidateFunction {
  const dir = validatorCacheDir(env);
  const file = path.join(dir, `${validatorKey(schema, options)}.js`);
  let code: string | undefined;
  try {
    code = fs.readFileSync(file, 'utf8');
  } catch {
    // not compiled on this machine yet
  }
  if (code !== undefined) {
    try {
      return fromCode(code, file);
    } catch {
      // a damaged entry is compiled again and replaced
    }
  }
  const ajv = newAjv();
  const validate = ajv.compile(schema);
  const standaloneCode = (load('ajv/dist/standalone') as { default: (a: Ajv2020, v: ValidateFunction) => string })
    .default;
  writeAtomically(dir, file, standaloneCode(ajv, validate));
  return validate;
}
