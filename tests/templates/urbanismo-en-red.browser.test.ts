import * as path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, launchChromium, screenshotDir, serviceUnderTest } from './browser';

describe('urbanismo-en-red in a browser', () => {
  let browser: BrowserContext;
  let service: { url: string; stop(): Promise<void> };

  beforeAll(async () => {
    service = await serviceUnderTest('urbanismo-en-red');
    browser = await launchChromium('es-ES');
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('searches the plans, opens one with its map and opens its document', async () => {
    const page = await browser.newPage();
    await page.goto(`${service.url}/?lang=es`);
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    await page.getByLabel('Distrito').selectOption('Delicias');
    await page.getByRole('button', { name: 'Buscar' }).click();
    await page.waitForURL(/district=Delicias/);
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toMatch(/^\d+ planes encontrados$|^1 plan encontrado$/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshotDir, 'urbanismo-en-red-list.png'), fullPage: true });

    await page.getByRole('link', { name: 'Plan Parcial Canterac' }).click();
    await page.getByRole('heading', { level: 1, name: 'Plan Parcial Canterac' }).waitFor();
    const map = page.getByRole('img', { name: /Ámbito del plan PP-CAN-2022/ });
    expect(await map.isVisible()).toBe(true);
    const docLink = page.getByRole('link', { name: 'Informe de alegaciones' });
    const href = await docLink.getAttribute('href');
    expect(href).not.toBeNull();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshotDir, 'urbanismo-en-red-plan.png'), fullPage: true });

    const doc = await page.request.get(new URL(href as string, page.url()).toString());
    expect(doc.status()).toBe(200);
    expect(doc.headers()['content-type']).toBe('application/pdf');
    expect((await doc.body()).subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');

    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Documents' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.close();
  });
});
