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
  submitWithoutBrowserChecks,
  sweep,
  tabTo,
  visitor,
} from './browser';

describe('virtual-city-marketplace in a browser', () => {
  let browser: Browser;
  let service: ServiceUnderTest;
  let languages: string[];
  let firstListing: string;

  beforeAll(async () => {
    service = await serviceUnderTest('virtual-city-marketplace');
    browser = await launchBrowser();
    languages = (await getJson<{ languages: string[] }>(`${service.url}/api/meta`)).body.languages;
    firstListing =
      (await getJson<{ services: { id: string }[] }>(`${service.url}/api/services`)).body.services[0]?.id ?? '';
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('publishes a service, sends a request to it and answers it from the inbox', async () => {
    const title = `Μαθήματα ποδηλάτου ${Date.now()}`;
    const context = await visitor(browser, 'el-GR');
    const page = await context.newPage();
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
    expect(await axeViolations(page)).toEqual([]);

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
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshotDir, 'virtual-city-marketplace-request.png'), fullPage: true });

    // The business (its key is in this browser's cookie) reads and answers.
    await page.getByRole('link', { name: 'Ποδηλατική Λέσχη Θεσσαλονίκης' }).click();
    await page.getByRole('link', { name: 'Εισερχόμενα αιτήματα' }).click();
    await page.getByText('Υπάρχει τμήμα το Σάββατο;').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Απάντηση', { exact: true }).fill('Ναι, στις 10:00.');
    await page.getByRole('button', { name: 'Αποστολή απάντησης' }).click();
    await page.getByText('Ναι, στις 10:00.').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshotDir, 'virtual-city-marketplace-inbox.png'), fullPage: true });

    // The citizen's follow-up link now shows the answer.
    await page.goto(followUpUrl.replace('&sent=1', ''));
    await page.getByText('Ναι, στις 10:00.').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // Switching language keeps the follow-up token.
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Answer' }).waitFor();
    await context.close();
  });

  it('keeps the inbox closed to a browser without the key', async () => {
    const context = await visitor(browser, 'en-GB');
    const page = await context.newPage();
    await page.goto(`${service.url}/services/${firstListing}?lang=en`);
    await page.getByRole('link', { name: 'Incoming requests' }).click();
    await page.getByLabel('Business key', { exact: true }).fill('not-the-key');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong business key.' }).waitFor();
    await context.close();
  });

  it(
    'has no WCAG 2.1 AA violation (axe-core) on any page or state, in any language, and talks only to its own origin',
    { timeout: 600_000 },
    async () => {
      const go = async (page: Page, url: string): Promise<void> => {
        await page.goto(`${service.url}${url}`);
      };
      const fillPublish = async (p: Page): Promise<void> => {
        await p.locator('#p-business').fill('Ραφείο Άνω Πόλης');
        await p.locator('#p-title').fill('Μεταποιήσεις ρούχων');
        await p.locator('#p-description').fill('Κοντύνουμε και φαρδαίνουμε ρούχα σε δύο ημέρες.');
        await p.locator('#p-email').fill('rafeio@example.gr');
      };
      const states: PageState[] = [
        { name: 'listings', visit: (p, l) => go(p, `/?lang=${l}`) },
        {
          name: 'listings, filtered',
          visit: async (p, l) => {
            await go(p, `/?lang=${l}`);
            await p.locator('#f-category').selectOption('repairs');
            await Promise.all([p.waitForURL(/category=repairs/), p.locator('form.filters button').click()]);
          },
        },
        { name: 'listings, nothing found', visit: (p, l) => go(p, `/?lang=${l}&q=zzzzzz`) },
        { name: 'service', visit: (p, l) => go(p, `/services/${firstListing}?lang=${l}`) },
        {
          name: 'request form, filled',
          visit: async (p, l) => {
            await go(p, `/services/${firstListing}?lang=${l}`);
            await p.locator('#r-name').fill('Ελένη');
            await p.locator('#r-email').fill('eleni@example.gr');
            await p.locator('#r-message').fill('Πότε είστε ανοιχτά;');
          },
        },
        {
          name: 'request form, validation error',
          visit: async (p, l) => {
            await go(p, `/services/${firstListing}?lang=${l}`);
            await p.locator('#r-name').fill('Ελένη');
            await p.locator('#r-email').fill('not-an-email');
            await p.locator('#r-message').fill('Πότε;');
            await submitWithoutBrowserChecks(p, 'main form[action$="/requests"]');
            await p.getByRole('alert').waitFor();
          },
        },
        {
          name: 'request sent (follow-up page)',
          visit: async (p, l) => {
            await go(p, `/services/${firstListing}?lang=${l}`);
            await p.locator('#r-name').fill('Ελένη');
            await p.locator('#r-email').fill('eleni@example.gr');
            await p.locator('#r-message').fill('Πότε είστε ανοιχτά;');
            await Promise.all([p.waitForURL(/sent=1/), p.locator('main form button').click()]);
          },
        },
        { name: 'publish form, empty', visit: (p, l) => go(p, `/publish?lang=${l}`) },
        {
          name: 'publish form, filled',
          visit: async (p, l) => {
            await go(p, `/publish?lang=${l}`);
            await fillPublish(p);
          },
        },
        {
          name: 'publish form, validation error',
          visit: async (p, l) => {
            await go(p, `/publish?lang=${l}`);
            await fillPublish(p);
            await p.locator('#p-price').fill('-5');
            await submitWithoutBrowserChecks(p, 'main form');
            await p.getByRole('alert').waitFor();
          },
        },
        {
          name: 'published, with the business key',
          visit: async (p, l) => {
            await go(p, `/publish?lang=${l}`);
            await fillPublish(p);
            await Promise.all([p.waitForLoadState('load'), p.locator('main form button').click()]);
            await p.locator('#business-key').waitFor();
          },
        },
        {
          name: 'business inbox (signed in)',
          visit: async (p, l) => {
            await p.locator('main a[href$="/inbox"]').click();
            await p.locator('main h2, main p').first().waitFor();
            await go(p, `${new URL(p.url()).pathname}?lang=${l}`);
          },
        },
        { name: 'inbox sign-in', visit: (p, l) => go(p, `/services/${firstListing}/inbox?lang=${l}`) },
        {
          name: 'inbox sign-in, wrong key',
          visit: (p, l) => go(p, `/services/${firstListing}/inbox?lang=${l}&wrong=1`),
        },
        { name: 'accessibility statement', visit: (p, l) => go(p, `/accessibility?lang=${l}`).then(() => undefined) },
        { name: 'privacy notice', visit: (p, l) => go(p, `/privacy?lang=${l}`).then(() => undefined) },
        { name: 'not found', visit: (p, l) => go(p, `/services/does-not-exist?lang=${l}`) },
      ];
      const result = await sweep(browser, service.url, languages, states);
      expect(result.checked.length).toBe(states.length * languages.length);
      expect(result.violations).toEqual([]);
      expect(result.thirdParty).toEqual([]);
      // The language chosen and the business's inbox session: strictly necessary, nothing that tracks.
      expect(
        result.cookies.every((c) => ['lang', 'biz'].includes(c)),
        result.cookies.join(', '),
      ).toBe(true);
    },
  );

  it('can be used with the keyboard alone: find a service and send it a request', async () => {
    const context = await visitor(browser, 'el-GR');
    const page = await context.newPage();
    await page.goto(`${service.url}/?lang=el`);
    await page.keyboard.press('Tab');
    expect((await focused(page)).className).toBe('skip');
    const invisible: string[] = [];
    invisible.push(...(await tabTo(page, '#f-q')));
    await page.keyboard.type('ποδηλάτου');
    invisible.push(...(await tabTo(page, 'form.filters button')));
    await Promise.all([page.waitForURL(/q=/), page.keyboard.press('Enter')]);
    invisible.push(...(await tabTo(page, 'ul.cards a')));
    await Promise.all([page.waitForURL(/\/services\//), page.keyboard.press('Enter')]);
    invisible.push(...(await tabTo(page, '#r-name')));
    await page.keyboard.type('Μαρία');
    invisible.push(...(await tabTo(page, '#r-email')));
    await page.keyboard.type('maria@example.gr');
    invisible.push(...(await tabTo(page, '#r-message')));
    await page.keyboard.type('Χρειάζομαι σέρβις την Πέμπτη.');
    invisible.push(...(await tabTo(page, 'main form button[type=submit]')));
    await Promise.all([page.waitForURL(/sent=1/), page.keyboard.press('Space')]);
    await page.getByRole('status').filter({ hasText: 'Το αίτημά σας στάλθηκε' }).waitFor();
    expect(invisible).toEqual([]);
    await context.close();
  });
});
