/** The versioned --json schemas (src/report/json-schemas/) checked against real output. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { REPO_ROOT } from './storm';

/** Asserts that `doc` validates against src/report/json-schemas/<schemaFile>, listing every error when not. */
export function conforms(schemaFile: string, doc: unknown): void {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'src', 'report', 'json-schemas', schemaFile), 'utf8')) as object,
  );
  expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
}
