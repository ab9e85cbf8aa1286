import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { storm, type StormResult } from '../support/storm';

const root = path.join(__dirname, '..', '..');

function run(args: string[]): StormResult {
  return storm(['--no-color', ...args]);
}

describe('storm templates', () => {
  it('lists the three pilot templates with their versions', () => {
    const r = run(['templates', 'list']);
    expect(r.code).toBe(0);
    const names = r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/).slice(0, 2).join(' '));
    const version = (name: string): string =>
      /^version:\s*(\S+)/m.exec(fs.readFileSync(path.join(root, 'templates', name, 'template.yaml'), 'utf8'))?.[1] ??
      '?';
    expect(names).toEqual(
      ['participa', 'urbanismo-en-red', 'virtual-city-marketplace'].map((n) => `${n} ${version(n)}`),
    );
  });

  it('shows parameters, needs and the cities using a template', () => {
    const r = run(['templates', 'show', 'urbanismo-en-red']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('districts (string[]) default');
    expect(r.stdout).toContain('5 ≤ value ≤ 100');
    expect(r.stdout).toContain('open tcp/8080 to internet');
    expect(r.stdout).toMatch(/Used by: .*valladolid/);
  });

  it('prints one JSON document under --json', () => {
    const r = storm(['--json', 'templates', 'show', 'participa']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      schemaVersion: number;
      command: string;
      result: { name: string; parameters: { name: string; default: unknown }[]; needs: { personalData: boolean } };
    };
    expect(doc.schemaVersion).toBe(1);
    expect(doc.command).toBe('templates show');
    expect(doc.result.name).toBe('participa');
    expect(doc.result.needs.personalData).toBe(true);
    expect(doc.result.parameters.find((p) => p.name === 'votingOpen')?.default).toBe(true);
  });

  it('names the templates that exist when asked for an unknown one', () => {
    const r = run(['templates', 'show', 'participation']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no template named "participation"');
    expect(r.stderr).toContain('participa, urbanismo-en-red, virtual-city-marketplace');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
