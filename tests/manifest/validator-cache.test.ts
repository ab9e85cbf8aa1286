/** Template parameter validators kept in the storm cache between runs: same answers, compiled once. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { Options } from 'ajv';
import addFormats from 'ajv-formats';
import { afterEach, describe, expect, it } from 'vitest';
import { readTemplate } from '../../src/manifest/templates';
import {
  cachedTemplateData,
  cachedValidator,
  storeTemplateData,
  templateCacheDir,
  validatorCacheDir,
  validatorKey,
} from '../../src/manifest/validator-cache';
import { REPO_ROOT } from '../support/storm';

const SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    contact: { type: 'string', format: 'email' },
    pageSize: { type: 'integer', minimum: 1, default: 20 },
  },
};
const OPTIONS: Options = { allErrors: true, verbose: true, strict: true, useDefaults: true, code: { source: true } };

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setup(): { env: Record<string, string>; compiles: () => number; newAjv: () => Ajv2020 } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-validators-'));
  dirs.push(dir);
  let n = 0;
  return {
    env: { STORM_CACHE_DIR: dir },
    compiles: () => n,
    newAjv: () => {
      n += 1;
      const ajv = new Ajv2020(OPTIONS);
      addFormats(ajv);
      return ajv;
    },
  };
}

describe('cachedValidator', () => {
  it('compiles once, then answers from the cache exactly as the compiled one did (formats, defaults, errors)', () => {
    const s = setup();
    const fresh = cachedValidator(SCHEMA, OPTIONS, s.newAjv, s.env);
    const file = path.join(validatorCacheDir(s.env), `${validatorKey(SCHEMA, OPTIONS)}.js`);
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    const cached = cachedValidator(SCHEMA, OPTIONS, s.newAjv, s.env);
    expect(s.compiles()).toBe(1);
    expect(cached).not.toBe(fresh);
    for (const validate of [fresh, cached]) {
      const withDefault: Record<string, unknown> = { contact: 'ana@example.org' };
      expect(validate(withDefault)).toBe(true);
      expect(withDefault).toEqual({ contact: 'ana@example.org', pageSize: 20 });
      expect(validate({ contact: 'not an address', pageSize: 0, extra: 1 })).toBe(false);
      expect(validate.errors?.map((e) => `${e.instancePath} ${e.keyword}`).sort()).toEqual([
        ' additionalProperties',
        '/contact format',
        '/pageSize minimum',
      ]);
    }
  });

  it('another schema or other options are another entry; a damaged entry is compiled again', () => {
    const s = setup();
    cachedValidator(SCHEMA, OPTIONS, s.newAjv, s.env);
    cachedValidator(SCHEMA, { ...OPTIONS, useDefaults: false }, s.newAjv, s.env);
    cachedValidator({ ...SCHEMA, required: ['contact'] }, OPTIONS, s.newAjv, s.env);
    expect(s.compiles()).toBe(3);
    const file = path.join(validatorCacheDir(s.env), `${validatorKey(SCHEMA, OPTIONS)}.js`);
    fs.writeFileSync(file, 'module.exports = 42;');
    const again = cachedValidator(SCHEMA, OPTIONS, s.newAjv, s.env);
    expect(s.compiles()).toBe(4);
    expect(again({ pageSize: 3 })).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/module\.exports = validate/);
  });

  it('a cache that cannot be written costs the compile, never the result', () => {
    const s = setup();
    const blocked = path.join(s.env.STORM_CACHE_DIR as string, 'file');
    fs.writeFileSync(blocked, '');
    const env = { STORM_CACHE_DIR: blocked };
    const validate = cachedValidator(SCHEMA, OPTIONS, s.newAjv, env);
    expect(validate({ pageSize: 2 })).toBe(true);
    expect(validate({ pageSize: 'two' })).toBe(false);
  });

  it('lives beside the engine in the storm cache', () => {
    expect(validatorCacheDir({ STORM_CACHE_DIR: '/c' })).toBe('/c/validators');
    expect(validatorCacheDir({ XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/x/storm/validators');
    expect(validatorCacheDir({ XDG_CACHE_HOME: 'relative' }, '/home/u')).toBe('/home/u/.cache/storm/validators');
  });
});

describe('the template data cache', () => {
  it('keeps what JSON carries unchanged, by the text', () => {
    const s = setup();
    expect(cachedTemplateData('name: a\n', s.env)).toBeUndefined();
    storeTemplateData('name: a\n', { name: 'a', n: [1, 2] }, s.env);
    expect(cachedTemplateData('name: a\n', s.env)).toEqual({ name: 'a', n: [1, 2] });
    expect(cachedTemplateData('name: b\n', s.env)).toBeUndefined();
    storeTemplateData('x: .inf\n', { x: Infinity }, s.env);
    expect(cachedTemplateData('x: .inf\n', s.env)).toBeUndefined();
    expect(fs.readdirSync(templateCacheDir(s.env))).toHaveLength(1);
  });

  it('a template read from the cache has the same definition and the same findings, at the same positions', () => {
    const s = setup();
    const before = process.env.STORM_CACHE_DIR;
    process.env.STORM_CACHE_DIR = s.env.STORM_CACHE_DIR;
    try {
      const projects = [0, 1].map(() => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-template-cache-'));
        dirs.push(dir);
        // A copy under another directory name: the name-mismatch finding needs a position.
        fs.cpSync(path.join(REPO_ROOT, 'templates', 'participa'), path.join(dir, 'templates', 'participar'), {
          recursive: true,
          filter: (src) => !src.includes('node_modules') && !src.includes(`${path.sep}dist`),
        });
        return dir;
      });
      const parsed = readTemplate(projects[0] as string, 'participar');
      expect(fs.readdirSync(templateCacheDir(s.env))).toHaveLength(1);
      const cached = readTemplate(projects[1] as string, 'participar');
      expect(parsed.template).toBeUndefined();
      expect(parsed.diagnostics.map((d) => d.code)).toContain('template.name-mismatch');
      const where = (r: typeof parsed) =>
        r.diagnostics.map((d) => ({ ...d, location: { ...d.location, file: path.basename(d.location?.file ?? '') } }));
      expect(where(cached)).toEqual(where(parsed));

      // The real name: a clean template, one definition either way.
      const clean = readTemplate(REPO_ROOT, 'participa');
      expect(clean.template?.definition.name).toBe('participa');
    } finally {
      if (before === undefined) delete process.env.STORM_CACHE_DIR;
      else process.env.STORM_CACHE_DIR = before;
    }
  });
});
