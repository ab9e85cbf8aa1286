import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/manifest/source';
import {
  checkServiceParameters,
  loadTemplate,
  loadTemplateCatalog,
  readTemplate,
  resolveServiceParameters,
  serviceNeeds,
  tierSizing,
} from '../../src/manifest/templates';
import { loadCity } from '../../src/manifest/load';
import { resolveEnvironment } from '../../src/manifest/model';
import { DEFAULT_PARAMETERS as urbanismoDefaults } from '../../templates/urbanismo-en-red/app/params';
import { DEFAULT_PARAMETERS as marketplaceDefaults } from '../../templates/virtual-city-marketplace/app/params';
import { DEFAULT_PARAMETERS as participaDefaults } from '../../templates/participa/app/params';
import { SHIPPED_LANGUAGES as urbanismoLanguages } from '../../templates/urbanismo-en-red/app/messages';
import { SHIPPED_LANGUAGES as marketplaceLanguages } from '../../templates/virtual-city-marketplace/app/messages';
import { SHIPPED_LANGUAGES as participaLanguages } from '../../templates/participa/app/messages';

const root = path.join(__dirname, '..', '..');

describe('template catalog', () => {
  it('loads the three pilot templates without findings', () => {
    const catalog = loadTemplateCatalog(root);
    expect(catalog.diagnostics).toEqual([]);
    expect(catalog.templates.map((t) => t.definition.name)).toEqual([
      'participa',
      'urbanismo-en-red',
      'virtual-city-marketplace',
    ]);
    for (const t of catalog.templates) {
      expect(t.definition.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(t.definition.languages).toContain('en');
      expect(t.definition.needs.tiers[0]?.healthCheck).toBe('/healthz');
    }
  });

  it('declares personal data where the application stores names and emails', () => {
    const personal = loadTemplateCatalog(root)
      .templates.filter((t) => t.definition.needs.personalData)
      .map((t) => t.definition.name);
    expect(personal).toEqual(['participa', 'virtual-city-marketplace']);
  });

  it.each([
    ['urbanismo-en-red', urbanismoDefaults],
    ['virtual-city-marketplace', marketplaceDefaults],
    ['participa', participaDefaults],
  ])('%s: the application defaults equal template.yaml defaults', (name, appDefaults) => {
    expect(resolveServiceParameters(loadTemplate(root, name), {})).toEqual(appDefaults);
  });

  it.each([
    ['urbanismo-en-red', urbanismoLanguages],
    ['virtual-city-marketplace', marketplaceLanguages],
    ['participa', participaLanguages],
  ])('%s: template.yaml lists the languages the application ships', (name, shipped) => {
    expect([...loadTemplate(root, name).definition.languages].sort()).toEqual([...shipped].sort());
  });

  it('keeps given parameters and fills the rest with defaults', () => {
    const t = loadTemplate(root, 'urbanismo-en-red');
    const p = resolveServiceParameters(t, { districts: ['Centro'] });
    expect(p.districts).toEqual(['Centro']);
    expect(p.pageSize).toBe(20);
  });

  it('sizes tiers per environment from production defaults', () => {
    const tier = loadTemplate(root, 'participa').definition.needs.tiers[0]!;
    expect(tierSizing(tier, 'preprod')).toEqual({ count: 1, flavor: 'm1.small' });
    expect(tierSizing(tier, 'production')).toEqual({ count: 2, flavor: 'm1.medium' });
  });

  it('names the templates that exist when one is unknown', () => {
    expect(() => loadTemplate(root, 'participation')).toThrow(/no template named "participation"/);
  });
});

describe('service parameters in a manifest', () => {
  const manifest = [
    'services:', //                              1
    '  - template: urbanismo-en-red', //          2
    '    on: web', //                             3
    '    parameters:', //                         4
    '      districts: [Centro, Centro]', //       5
    '      pageSize: 500', //                     6
    '      documentsContainr: docs', //           7
    '',
  ].join('\n');

  it('reports each invalid parameter at its file:line:col', () => {
    const parsed = parseManifest(manifest, 'stacks/test.yaml', '/tmp/stacks/test.yaml');
    const t = loadTemplate(root, 'urbanismo-en-red');
    const params = (parsed.data as { services: { parameters: unknown }[] }).services[0]!.parameters;
    const diags = checkServiceParameters(t, params, parsed.source, ['services', 0, 'parameters']);
    const found = diags.map((d) => `${d.location?.line}:${d.location?.column} ${d.path}`).sort();
    expect(found).toEqual([
      '5:19 services[0].parameters.districts[0]',
      '6:17 services[0].parameters.pageSize',
      '7:7 services[0].parameters.documentsContainr',
    ]);
    const unknown = diags.find((d) => d.path?.endsWith('documentsContainr'));
    expect(unknown?.message).toContain('urbanismo-en-red');
    expect(`${unknown?.message} ${unknown?.hint ?? ''}`).toContain('documentsContainer');
    expect(diags.every((d) => d.severity === 'error' && d.location?.file === 'stacks/test.yaml')).toBe(true);
  });

  it('accepts valid parameters and none at all', () => {
    const parsed = parseManifest('p:\n  districts: [Centro]\n', 'm.yaml', '/tmp/m.yaml');
    const t = loadTemplate(root, 'urbanismo-en-red');
    expect(checkServiceParameters(t, (parsed.data as { p: unknown }).p, parsed.source, ['p'])).toEqual([]);
    expect(checkServiceParameters(t, undefined, parsed.source, ['p'])).toEqual([]);
  });
});

describe('template.yaml validation', () => {
  function brokenCopy(edit: (text: string) => string): string {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-tpl-'));
    const dir = path.join(cwd, 'templates', 'participa');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'template.yaml'),
      edit(fs.readFileSync(path.join(root, 'templates', 'participa', 'template.yaml'), 'utf8')),
    );
    return cwd;
  }

  it('rejects an unknown key and a bad version with positions', () => {
    const cwd = brokenCopy((t) =>
      t
        .replace('version: 1.0.0', 'version: one')
        .replace('personalData: true', 'personalData: true\n  persnalData: true'),
    );
    const r = readTemplate(cwd, 'participa');
    expect(r.template).toBeUndefined();
    const lines = r.diagnostics.map((d) => `${d.location?.file}:${d.location?.line} ${d.path}`);
    expect(lines).toContain('templates/participa/template.yaml:3 version');
    expect(lines.some((l) => l.endsWith('needs.persnalData'))).toBe(true);
  });

  it('rejects a name that differs from the directory, a default that fails its schema and a closed service port', () => {
    const cwd = brokenCopy((t) =>
      t
        .replace('name: participa', 'name: participation')
        .replace('default: 2000', 'default: 20')
        .replace('- { port: 8080, protocol: tcp, from: internet }', '- { port: 80, protocol: tcp, from: internet }'),
    );
    const codes = readTemplate(cwd, 'participa').diagnostics.map((d) => `${d.code}@${d.location?.line}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'template.name-mismatch@2',
        'template.invalid-default@40',
        'template.service-port-closed@59',
      ]),
    );
  });
});

describe('service needs of a city', () => {
  it('resolves ports to CIDRs and groups, names volumes per service and sizes per environment', async () => {
    const city = resolveEnvironment(loadCity('agueda', { cwd: root }).doc, 'production');
    const [needs] = serviceNeeds(city, loadTemplateCatalog(root).templates);
    expect(needs).toMatchObject({
      service: 'participa',
      template: 'participa',
      group: 'app',
      tier: 'web',
      sizing: { count: 2, flavor: 'm1.medium' },
      servicePort: 8080,
      healthCheck: '/healthz',
      personalData: true,
    });
    expect(needs!.ingress).toEqual([
      { port: 8080, protocol: 'tcp', from: { kind: 'cidrs', cidrs: ['0.0.0.0/0'] } },
      { port: 22, protocol: 'tcp', from: { kind: 'cidrs', cidrs: city.security.adminCidrs } },
    ]);
    expect(needs!.volumes).toEqual([{ name: 'participa-data', size: 5, mountPath: '/var/lib/storm/participa' }]);
    expect(needs!.containers).toEqual([]);
  });
});
