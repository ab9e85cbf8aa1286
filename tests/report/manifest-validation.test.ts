import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { renderCityList, renderValidationLines, renderValidationSummary } from '../../src/report/manifest-validation';

const chalk = new Chalk({ level: 0 });

describe('validation rendering', () => {
  const report = {
    ok: false,
    errors: 2,
    warnings: 1,
    files: [
      {
        file: 'stacks/a.yaml',
        city: 'a',
        ok: true,
        environments: [
          { name: 'preprod', ok: true },
          { name: 'production', ok: true },
        ],
        diagnostics: [],
      },
      {
        file: 'stacks/b.yaml',
        city: 'b',
        ok: false,
        environments: [
          { name: 'preprod', ok: true },
          { name: 'production', ok: false },
        ],
        diagnostics: [],
      },
      { file: 'broken.yaml', city: undefined, ok: false, environments: [], diagnostics: [] },
    ],
  };

  it('prints one line per city and environment, and the file when nothing could be read', () => {
    expect(renderValidationLines(report, chalk)).toBe(
      ['✓ a preprod', '✓ a production', '✓ b preprod', '✗ b production', '✗ broken.yaml'].join('\n'),
    );
  });

  it('summarises counts only when there is something to say', () => {
    expect(renderValidationSummary(report)).toBe('2 of 3 manifests invalid: 2 errors, 1 warning');
    expect(renderValidationSummary({ ok: true, errors: 0, warnings: 0, files: [] })).toBeUndefined();
  });
});

describe('city list rendering', () => {
  it('aligns columns and flags invalid manifests', () => {
    const text = renderCityList(
      [
        {
          name: 'agueda',
          file: 'stacks/agueda.yaml',
          displayName: 'Município de Águeda',
          country: 'PT',
          services: ['participa'],
          environments: ['preprod', 'production'],
          errors: 0,
        },
        {
          name: 'x',
          file: 'stacks/x.yaml',
          displayName: undefined,
          country: undefined,
          services: [],
          environments: [],
          errors: 3,
        },
      ],
      chalk,
    );
    expect(text.split('\n')).toEqual([
      'CITY    COUNTRY  NAME                 SERVICES   ENVIRONMENTS',
      'agueda  PT       Município de Águeda  participa  preprod, production',
      'x                                     —                               3 errors',
    ]);
  });
});
