import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from './app-process';
import {
  type PageState,
  type ServiceUnderTest,
  axeViolations,
  focused,
  launchBrowser,
  screenshotDir,
  serviceUnderTest,
  sweep,
  tabTo,
  visitor,
} from './browser';

describe('urbanismo-en-red in a browser', () => {
  let browser: Browser;
  let service: ServiceUnderTest;
  let languages: string[];

  beforeAll(async () => {
    service = await serviceUnderTest('urbanismo-en-red');
    browser = await launchBrowser();
    languages = (await getJson<{ languages: string[] }>(`${service.url}/api/meta`)).body.languages;
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('searches the plans, opens one with its map and opens its document', async () => {
    const context = await visitor(browser, 'es-ES');
    const page = await context.newPage();
    await page.goto(`${service.url}/?lang=es`);
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    await page.getByLabel('Distrito').selectOption('Delicias');
    await page.getByRole('button', { name: 'Buscar' }).click();
    await page.waitForURL(/district=Delicias/);
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toMatch(/^\d+ planes encontrados$|^1 plan encontrado$/);
    await page.screenshot({ path: path.join(screenshotDir, 'urbanismo-en-red-list.png'), fullPage: true });

    await page.getByRole('link', { name: 'Plan Parcial Canterac' }).click();
    await page.getByRole('heading', { level: 1, name: 'Plan Parcial Canterac' }).waitFor();
    const map = page.getByRole('img', { name: /Ámbito del plan PP-CAN-2022/ });
    expect(await map.isVisible()).toBe(true);
    const docLink = page.getByRole('link', { name: 'Informe de alegaciones' });
    const href = await docLink.getAttribute('href');
    expect(href).not.toBeNull();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshotDir, 'urbanismo-en-red-plan.png'), fullPage: true });

    const doc = await page.request.get(new URL(href as string, page.url()).toString());
    expect(doc.status()).toBe(200);
    expect(doc.headers()['content-type']).toBe('application/pdf');
    expect((await doc.body()).subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');

    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Documents' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await context.close();
  });

  it(
    'has no WCAG 2.1 AA violation (axe-core) on any page or state, in any language, and talks only to its own origin',
    { timeout: 600_000 },
    async () => {
      const go = async (page: Page, url: string): Promise<void> => {
        await page.goto(`${service.url}${url}`);
      };
      const states: PageState[] = [
        { name: 'plans', visit: (p, l) => go(p, `/?lang=${l}`) },
        {
          name: 'plans, filtered',
          visit: async (p, l) => {
            await go(p, `/?lang=${l}`);
            await p.locator('#f-district').selectOption('Delicias');
            await Promise.all([p.waitForURL(/district=Delicias/), p.locator('form.filters button').click()]);
          },
        },
        { name: 'plans, nothing found', visit: (p, l) => go(p, `/?lang=${l}&q=zzzzzz`) },
        { name: 'plan with map and documents', visit: (p, l) => go(p, `/plans/pp-can-2022?lang=${l}`) },
        { name: 'accessibility statement', visit: (p, l) => go(p, `/accessibility?lang=${l}`).then(() => undefined) },
        { name: 'privacy notice', visit: (p, l) => go(p, `/privacy?lang=${l}`).then(() => undefined) },
        { name: 'not found', visit: (p, l) => go(p, `/plans/does-not-exist?lang=${l}`) },
      ];
      const result = await sweep(browser, service.url, languages, states);
      expect(result.checked.length).toBe(states.length * languages.length);
      expect(result.violations).toEqual([]);
      expect(result.thirdParty).toEqual([]);
      expect(
        result.cookies.every((c) => c === 'lang'),
        result.cookies.join(', '),
      ).toBe(true);
    },
  );

  it('can be used with the keyboard alone: search the plans and open one', async () => {
    const context = await visitor(browser, 'es-ES');
    const page = await context.newPage();
    await page.goto(`${service.url}/?lang=es`);
    await page.keyboard.press('Tab');
    expect((await focused(page)).className).toBe('skip');
    const invisible: string[] = [];
    invisible.push(...(await tabTo(page, '#f-q')));
    await page.keyboard.type('Canterac');
    invisible.push(...(await tabTo(page, 'form.filters button')));
    await Promise.all([page.waitForURL(/q=Canterac/), page.keyboard.press('Space')]);
    invisible.push(...(await tabTo(page, 'ul.cards a')));
    await Promise.all([page.waitForURL(/\/plans\//), page.keyboard.press('Enter')]);
    await page.getByRole('heading', { level: 1, name: 'Plan Parcial Canterac' }).waitFor();
    invisible.push(...(await tabTo(page, 'section[aria-labelledby="h-docs"] a')));
    expect(invisible).toEqual([]);
    await context.close();
  });
});
