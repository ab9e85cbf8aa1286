/**
 * The accessibility statement and the privacy notice as a city gets them:
 * the manifest goes through the same user data an instance boots with, the
 * service config it carries starts the compiled app, and both pages, linked
 * from every footer, name the manifest's contacts in each city language.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSandboxHint } from '../../src/deploy/cloud-init';
import { userDataHook } from '../../src/deploy/user-data';
import { loadCity } from '../../src/manifest/load';
import { resolveEnvironment } from '../../src/manifest/model';
import { loadTemplate } from '../../src/manifest/templates';
import { testReleaseKey } from '../support/release-key';
import { type RunningApp, buildTemplate, repoRoot, startApp, tempDataDir } from './app-process';

function serviceConfigOf(city: string): Record<string, unknown> {
  const resolved = resolveEnvironment(loadCity(city, { cwd: repoRoot }).doc, 'preprod');
  const service = resolved.services[0];
  if (service === undefined) throw new Error(`${city} runs no service`);
  const template = loadTemplate(repoRoot, service.template);
  const group = resolved.compute.groups.find((g) => g.name === service.on);
  if (group === undefined) throw new Error(`no group ${service.on}`);
  const userData = userDataHook(resolved, [template], {
    artifactUrl: () => 'http://127.0.0.1:9/artifact.tar.gz',
    containerUrl: (c) => `http://127.0.0.1:9/v1/AUTH_x/${c}`,
    releaseKey: testReleaseKey().publicKeyPem,
  })({ group, index: 1, name: `${city}-preprod-${group.name}-1` });
  const hint = readSandboxHint(userData ?? '');
  if (hint === undefined) throw new Error('no service hint in the user data');
  return hint.config as unknown as Record<string, unknown>;
}

async function page(url: string): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe.each([
  ['agueda', 'participa', ['pt', 'en'], ['participa@cm-agueda.pt', 'epd@cm-agueda.pt'], 'universidade-aveiro'],
  ['valladolid', 'urbanismo-en-red', ['es', 'en'], [], undefined],
  ['thessaloniki', 'virtual-city-marketplace', ['el', 'en'], [], undefined],
])('%s (%s): accessibility statement and privacy notice', (city, template, languages, emails, partner) => {
  let app: RunningApp;
  let config: Record<string, unknown>;

  beforeAll(async () => {
    buildTemplate(template);
    config = serviceConfigOf(city);
    app = await startApp(template, { dataDir: tempDataDir(`${template}-legal`), config });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('links both from the footer of every page, in every city language', async () => {
    for (const lang of languages) {
      const home = await page(`${app.url}/?lang=${lang}`);
      expect(home.text).toContain(`<html lang="${lang}"`);
      expect(home.text).toMatch(/<footer class="site">[\s\S]*href="\/accessibility"[\s\S]*href="\/privacy"/);
      const missing = await page(`${app.url}/nothing-here?lang=${lang}`);
      expect(missing.status).toBe(404);
      expect(missing.text).toMatch(/href="\/accessibility"[\s\S]*href="\/privacy"/);
    }
  });

  it('names the city and the contacts of the manifest, the DPO, the partners and the enforcement route', async () => {
    const contacts = (config.contacts as { email: string; role?: string }[]).map((c) => c.email);
    expect(contacts.length).toBeGreaterThan(0);
    for (const e of emails) expect(contacts).toContain(e);
    const cityName = (config.city as { displayName: string }).displayName;
    for (const lang of languages) {
      const statement = await page(`${app.url}/accessibility?lang=${lang}`);
      expect(statement.status).toBe(200);
      expect(statement.text).toContain(`<html lang="${lang}"`);
      expect(statement.text).toContain('2016/2102');
      expect(statement.text).toContain('EN 301 549');
      for (const e of contacts) expect(statement.text).toContain(`mailto:${e}`);
      const notice = await page(`${app.url}/privacy?lang=${lang}`);
      expect(notice.status).toBe(200);
      expect(notice.text).toContain(cityName.replace(/&/g, '&amp;'));
      for (const e of contacts) expect(notice.text).toContain(`mailto:${e}`);
      if (partner !== undefined) expect(notice.text).toContain(partner);
    }
    if (city === 'agueda') {
      const pt = (await page(`${app.url}/privacy?lang=pt`)).text;
      expect(pt).toContain('Encarregado da proteção de dados');
      expect(pt).toMatch(
        /Encarregado da proteção de dados<\/h2>\s*<ul class="contacts">\s*<li>\s*Encarregado de Proteção de Dados/,
      );
      expect(pt).toContain('Comissão Nacional de Proteção de Dados');
      expect((await page(`${app.url}/accessibility?lang=pt`)).text).toContain('acessibilidade.gov.pt');
    }
  });

  it("answers in the visitor's language when the city speaks it, else in the city's first language, with hreflang alternates", async () => {
    const asked = async (acceptLanguage: string): Promise<string> => {
      const res = await fetch(`${app.url}/`, { headers: { 'accept-language': acceptLanguage } });
      return /<html lang="([^"]+)"/.exec(await res.text())?.[1] ?? '';
    };
    const first = languages[0] as string;
    expect(await asked('fr-FR,fr;q=0.9,de;q=0.8')).toBe(first);
    expect(await asked('')).toBe(first);
    expect(await asked('en-GB,en;q=0.9')).toBe('en');
    expect(await asked(`fr;q=0.9,${first};q=0.5`)).toBe(first);
    const home = (await page(`${app.url}/`)).text;
    for (const lang of languages)
      expect(home).toContain(`<link rel="alternate" hreflang="${lang}" href="?lang=${lang}" />`);
    // Only the city's languages (and English) are offered, whatever the template ships.
    expect(home.match(/rel="alternate"/g)?.length).toBe(languages.length);
  });

  it('sends a Content-Security-Policy that allows only its own origin', async () => {
    const csp = (await page(`${app.url}/privacy`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    for (const directive of csp.split(';').map((d) => d.trim()))
      expect(directive, directive).toMatch(/^[a-z-]+( ('self'|'none'|data:))+$/);
  });
});

describe('service config from a manifest', () => {
  it('refuses contacts that are not { name, email }', async () => {
    buildTemplate('urbanismo-en-red');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storm-bad-config-'));
    await expect(startApp('urbanismo-en-red', { dataDir: dir, config: { contacts: [{ name: 'x' }] } })).rejects.toThrow(
      /contacts must be a list of \{ name, email, role\?, phone\? \}/,
    );
  });
});
