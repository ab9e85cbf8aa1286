// Generates template.types.ts from template.schema.json, the single
// source of a template.yaml's shape. Running this file writes it; the test
// tests/manifest/templates-types-drift.test.ts fails when the committed file differs.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { compile } from 'json-schema-to-typescript';

const here = dirname(fileURLToPath(import.meta.url));
export const schemaPath = join(here, 'template.schema.json');
export const typesPath = join(here, 'template.types.ts');

const banner = `/* eslint-disable */
/**
 * GENERATED from template.schema.json by src/manifest/generate-template-types.mjs
 * (node src/manifest/generate-template-types.mjs). Do not edit: change the schema and regenerate.
 */`;

export async function generateTemplateTypes() {
  const schema = JSON.parse(await readFile(schemaPath, 'utf8'));
  return compile(schema, 'TemplateDefinition', {
    bannerComment: banner,
    additionalProperties: false,
    unreachableDefinitions: true,
    strictIndexSignatures: true,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(typesPath, await generateTemplateTypes());
}
