import * as path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, launchChromium, screenshotDir, serviceUnderTest } from './browser';

describe('virtual-city-marketplace in a browser', () => {
  let browser: BrowserContext;
  let service: { url: string; stop(): Promise<void> };

  beforeAll(async () => {
    service = await serviceUnderTest('virtual-city-marketplace');
    browser = await launchChromium('el-GR');
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('publishes a service, sends a request to it and answers it from the inbox', async () => {
    const title = `Μαθήματα ποδηλάτου ${Date.now()}`;
    const page = await browser.newPage();
    await page.goto(`${service.url}/publish?lang=en`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.getByLabel('Business', { exact: true }).fill('Ποδηλατική Λέσχη Θεσσαλονίκης');
    await page.getByLabel('Service title', { exact: true }).fill(title);
    await page.getByLabel('Category', { exact: true }).selectOption('education');
    await page.getByLabel('Area', { exact: true }).selectOption('Kalamaria');
    await page.getByLabel(/^Price/).fill('20');
    await page
      .getByLabel('Description', { exact: true })
      .fill('Ασφαλής ποδηλασία στην πόλη για ενήλικες, στην παραλία της Καλαμαριάς.');
    await page.getByLabel('Business email', { exact: true }).fill('lesxi@example.gr');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('status').filter({ hasText: 'Your service is published.' }).waitFor();
    expect(await page.locator('#business-key').textContent()).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    // A citizen finds it by category and area, in Greek.
    await page.goto(`${service.url}/?lang=el`);
    await page.getByLabel('Κατηγορία', { exact: true }).selectOption('education');
    await page.getByLabel('Περιοχή', { exact: true }).selectOption('Kalamaria');
    await page.getByRole('button', { name: 'Αναζήτηση' }).click();
    await page.getByRole('link', { name: title }).click();
    await page.getByLabel('Το όνομά σας', { exact: true }).fill('Νίκος Α.');
    await page.getByLabel('Το email σας', { exact: true }).fill('nikos@example.gr');
    await page.getByLabel('Μήνυμα', { exact: true }).fill('Υπάρχει τμήμα το Σάββατο;');
    await page.getByRole('button', { name: 'Αποστολή', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Το αίτημά σας στάλθηκε' }).waitFor();
    const followUpUrl = page.url();
    expect(followUpUrl).toMatch(/\/requests\/[0-9a-f]+\?t=/);
    await page.getByText('Η επιχείρηση δεν έχει απαντήσει ακόμη.').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshotDir, 'virtual-city-marketplace-request.png'), fullPage: true });

    // The business (its key is in this browser's cookie) reads and answers.
    await page.getByRole('link', { name: 'Ποδηλατική Λέσχη Θεσσαλονίκης' }).click();
    await page.getByRole('link', { name: 'Εισερχόμενα αιτήματα' }).click();
    await page.getByText('Υπάρχει τμήμα το Σάββατο;').waitFor();
    await page.getByLabel('Απάντηση', { exact: true }).fill('Ναι, στις 10:00.');
    await page.getByRole('button', { name: 'Αποστολή απάντησης' }).click();
    await page.getByText('Ναι, στις 10:00.').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshotDir, 'virtual-city-marketplace-inbox.png'), fullPage: true });

    // The citizen's follow-up link now shows the answer.
    await page.goto(followUpUrl.replace('&sent=1', ''));
    await page.getByText('Ναι, στις 10:00.').waitFor();
    // Switching language keeps the follow-up token.
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Answer' }).waitFor();
    await page.close();
  });

  it('keeps the inbox closed to a browser without the key', async () => {
    const page = await browser.newPage();
    await page.context().clearCookies();
    await page.goto(`${service.url}/?lang=en`);
    await page
      .getByRole('link')
      .filter({ hasText: 'Κλειδαριά' })
      .or(page.locator('ul.cards a').first())
      .first()
      .click();
    await page.getByRole('link', { name: 'Incoming requests' }).click();
    await page.getByLabel('Business key', { exact: true }).fill('not-the-key');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong business key.' }).waitFor();
    await page.close();
  });
});
