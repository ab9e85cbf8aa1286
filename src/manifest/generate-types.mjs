// Generates the TypeScript types of storm's two YAML documents from their JSON
// Schemas, the single source of their shape: city-manifest.types.ts (a city
// manifest) and template.types.ts (a template.yaml). `npm run gen:types` writes
// both; tests/manifest/types-drift.test.ts and templates-types-drift.test.ts fail
// when a committed file differs.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { compile } from 'json-schema-to-typescript';

const here = dirname(fileURLToPath(import.meta.url));
export const typesPath = join(here, 'city-manifest.types.ts');
export const templateTypesPath = join(here, 'template.types.ts');

async function generate(schemaFile, rootName) {
  const schema = JSON.parse(await readFile(join(here, schemaFile), 'utf8'));
  const bannerComment = `/* eslint-disable */
/**
 * GENERATED from ${schemaFile} by src/manifest/generate-types.mjs
 * (npm run gen:types). Do not edit: change the schema and regenerate.
 */`;
  return compile(schema, rootName, {
    bannerComment,
    additionalProperties: false,
    unreachableDefinitions: true,
    strictIndexSignatures: true,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  });
}

export function generateManifestTypes() {
  return generate('city-manifest.schema.json', 'CityManifest');
}

export function generateTemplateTypes() {
  return generate('template.schema.json', 'TemplateDefinition');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(typesPath, await generateManifestTypes());
  await writeFile(templateTypesPath, await generateTemplateTypes());
}
