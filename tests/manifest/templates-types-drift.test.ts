import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('template.types.ts', () => {
  it('is what `npm run gen:types` produces from template.schema.json', async () => {
    const gen = (await import('../../src/manifest/generate-types.mjs')) as {
      generateTemplateTypes(): Promise<string>;
      templateTypesPath: string;
    };
    expect(fs.readFileSync(gen.templateTypesPath, 'utf8')).toBe(await gen.generateTemplateTypes());
  });
});
