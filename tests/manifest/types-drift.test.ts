import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('city-manifest.types.ts', () => {
  it('is exactly what `npm run gen:types` generates from the schema', async () => {
    const gen = (await import('../../src/manifest/generate-types.mjs')) as {
      generateManifestTypes(): Promise<string>;
      typesPath: string;
    };
    const committed = fs.readFileSync(
      path.join(__dirname, '..', '..', 'src', 'manifest', 'city-manifest.types.ts'),
      'utf8',
    );
    expect(await gen.generateManifestTypes(), 'the schema changed: run `npm run gen:types` and commit the result').toBe(
      committed,
    );
  });
});
