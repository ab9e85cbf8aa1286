import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, isDiagnosticCode } from '../src/diagnostic-codes';

const ROOT = path.join(__dirname, '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'gen' || e.name === 'sandbox' ? [] : sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('diagnostic codes', () => {
  it('are one registry: fixed codes with a meaning, and the families made from other registries', () => {
    for (const [code, meaning] of Object.entries(DIAGNOSTIC_CODES)) {
      expect(code).toMatch(/^(manifest|template|preflight|synth)\.[a-z]+(-[a-z]+)*$/);
      expect(meaning.length).toBeGreaterThan(5);
    }
    for (const code of [
      'manifest.unknown-key',
      'STORM-SEC-001',
      'tofu.state-pull',
      'preflight.unknown-flavor',
      'service.parameters.wrong-type',
    ])
      expect(isDiagnosticCode(code), code).toBe(true);
    for (const code of ['manifest.no-such-code', 'tofu', 'STORM-SEC', 'service.parameters.', 'toString'])
      expect(isDiagnosticCode(code), code).toBe(false);
  });

  it('registers every fixed code the core writes, and nothing it does not', () => {
    const written = new Set<string>();
    for (const file of sources(path.join(ROOT, 'src'))) {
      if (file.endsWith('diagnostic-codes.ts')) continue;
      for (const m of fs
        .readFileSync(file, 'utf8')
        .matchAll(/'((?:manifest|template|preflight|synth)\.[a-z]+(?:-[a-z]+)*)'/g))
        // template.yaml is a file name, not a code.
        if (m[1] !== undefined && !m[1].endsWith('.yaml')) written.add(m[1]);
    }
    expect([...written].sort()).toEqual(Object.keys(DIAGNOSTIC_CODES).sort());
  });
});
