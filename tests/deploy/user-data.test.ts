import * as path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readSandboxHint } from '../../src/deploy/cloud-init';
import { userDataHook } from '../../src/deploy/user-data';
import { loadCity } from '../../src/manifest/load';
import { resolveEnvironment } from '../../src/manifest/model';
import { loadTemplateCatalog } from '../../src/manifest/templates';
import { testReleaseKey } from '../support/release-key';

const root = path.join(__dirname, '..', '..');
const locations = {
  artifactUrl: (s: { name: string }) => `http://127.0.0.1:9/v1/AUTH_p/storm-releases-c-e/${s.name}.tar.gz`,
  containerUrl: (c: string) => `http://127.0.0.1:9/v1/AUTH_p/${c}`,
  releaseKey: testReleaseKey().publicKeyPem,
};

describe.each([
  ['valladolid', 'urbanismo-en-red'],
  ['thessaloniki', 'virtual-city-marketplace'],
  ['agueda', 'participa'],
])('user data for %s', (cityName, template) => {
  const city = resolveEnvironment(loadCity(cityName, { cwd: root }).doc, 'production');
  const hook = userDataHook(city, loadTemplateCatalog(root).templates, locations);
  const service = city.services.find((s) => s.template === template)!;

  it('renders cloud-init for instances of the service group only, with the manifest parameters over the defaults', () => {
    const group = city.compute.groups.find((g) => g.name === service.on)!;
    const text = hook({ group, index: 1, name: `${cityName}-production-${group.name}-1` });
    expect(text?.startsWith('#cloud-config\n')).toBe(true);
    const hint = readSandboxHint(text!)!;
    expect(hint.service).toBe(service.name);
    expect(hint.config.environment).toBe('production');
    expect(hint.config.languages).toEqual(city.city.languages);
    for (const [k, v] of Object.entries(service.parameters)) expect(hint.config.parameters[k]).toEqual(v);
    expect(Object.keys(hint.config.parameters).length).toBeGreaterThanOrEqual(Object.keys(service.parameters).length);
    expect(hint.artifactUrl).toBe(locations.artifactUrl(service));
    expect(hint.releaseKey).toBe(locations.releaseKey);
    expect(parse(text!)).toHaveProperty('hostname', `${cityName}-production-${group.name}-1`);
    const other = city.compute.groups.find((g) => !city.services.some((s) => s.on === g.name));
    if (other !== undefined) expect(hook({ group: other, index: 1, name: 'x' })).toBeUndefined();
  });
});
