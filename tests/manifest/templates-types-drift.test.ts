import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('template.types.ts', () => {
  it('is what generate-template-types.mjs produces from template.schema.json', async () => {
    const gen = (await import('../../src/manifest/generate-template-types.mjs')) as { generateTemplateTypes(): Promise<string>; typesPath: string };
    expect(fs.readFileSync(gen.typesPath, 'utf8')).toBe(await gen.generateTemplateTypes());
  });
});
