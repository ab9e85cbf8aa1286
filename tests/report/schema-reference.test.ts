import { describe, expect, it } from 'vitest';
import { renderSchemaReference } from '../../src/report/schema-reference';
import { citySchema } from '../../src/manifest/validate';

describe('renderSchemaReference', () => {
  it('renders one table per object definition, following references, with inline objects dotted', () => {
    const schema = {
      description: 'Root.',
      type: 'object',
      required: ['a'],
      properties: {
        a: { $ref: '#/$defs/thing' },
        b: {
          type: 'array',
          items: { type: 'object', required: ['x'], properties: { x: { type: 'integer', description: 'X.' } } },
        },
        c: { type: 'string', enum: ['p', 'q'], default: 'p' },
      },
      $defs: {
        thing: {
          type: 'object',
          description: 'A thing.',
          properties: { size: { type: 'integer', minimum: 1, description: 'Size.' } },
        },
      },
    };
    expect(renderSchemaReference(schema)).toBe(
      [
        '### CityManifest',
        '',
        'Root.',
        '',
        '| key | type | required | default | description |',
        '|---|---|---|---|---|',
        '| `a` | [thing](#thing) | yes |  | A thing. |',
        '| `b` | list of mapping |  |  |  |',
        '| `b[].x` | integer | yes |  | X. |',
        '| `c` | `"p"` \\| `"q"` |  | `"p"` |  |',
        '',
        '### thing',
        '',
        'A thing.',
        '',
        '| key | type | required | default | description |',
        '|---|---|---|---|---|',
        '| `size` | integer |  |  | Size. |',
        '',
      ].join('\n'),
    );
  });

  it('covers every object definition of the city manifest schema', () => {
    const md = renderSchemaReference(citySchema);
    for (const name of [
      'CityManifest',
      'city',
      'cloud',
      'network',
      'subnet',
      'rule',
      'computeGroup',
      'volume',
      'container',
      'partner',
      'service',
      'waiver',
      'environment',
      'computeGroupOverride',
    ]) {
      expect(md).toContain(`### ${name}\n`);
    }
  });
});
