// Generates city-manifest.types.ts from city-manifest.schema.json, the single
// source of the manifest's shape. `npm run gen:types` writes it; the test
// tests/manifest/types-drift.test.ts fails when the committed file differs.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { compile } from 'json-schema-to-typescript';

const here = dirname(fileURLToPath(import.meta.url));
export const schemaPath = join(here, 'city-manifest.schema.json');
export const typesPath = join(here, 'city-manifest.types.ts');

const banner = `/* eslint-disable */
/**
 * GENERATED from city-manifest.schema.json by src/manifest/generate-types.mjs
 * (npm run gen:types). Do not edit: change the schema and regenerate.
 */`;

export async function generateManifestTypes() {
  const schema = JSON.parse(await readFile(schemaPath, 'utf8'));
  return compile(schema, 'CityManifest', {
    bannerComment: banner,
    additionalProperties: false,
    unreachableDefinitions: true,
    strictIndexSignatures: true,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(typesPath, await generateManifestTypes());
}
