import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, getJson } from './app-process';
import {
  type PageState,
  type ServiceUnderTest,
  axeViolations,
  focused,
  focusIsVisible,
  launchBrowser,
  screenshotDir,
  serviceUnderTest,
  submitWithoutBrowserChecks,
  sweep,
  tabTo,
  visitor,
  watchThirdParties,
} from './browser';

describe('participa in a browser', () => {
  let browser: Browser;
  let service: ServiceUnderTest;
  let languages: string[];
  let firstIdea: string;

  beforeAll(async () => {
    service = await serviceUnderTest('participa');
    browser = await launchBrowser();
    languages = (await getJson<{ languages: string[] }>(`${service.url}/api/meta`)).body.languages;
    firstIdea = (await getJson<{ ideas: { id: string }[] }>(`${service.url}/api/ideas`)).body.ideas[0]?.id ?? '';
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('submits an idea, votes for it once and finds it in the list', async () => {
    const title = `Bicicletário na estação ${Date.now()}`;
    const context = await visitor(browser, 'pt-PT');
    const page = await context.newPage();
    await page.goto(`${service.url}/propose?lang=pt`);
    expect(await page.getAttribute('html', 'lang')).toBe('pt');
    await page.getByLabel('Título', { exact: true }).fill(title);
    await page
      .getByLabel('Descrição', { exact: true })
      .fill('Um bicicletário coberto junto à estação de comboios, para quem vem de bicicleta apanhar o comboio.');
    await page.getByLabel('Freguesia', { exact: true }).selectOption('Águeda e Borralha');
    await page.getByLabel('Rua ou local', { exact: true }).fill('Largo da Estação');
    await page.getByLabel('Nome (opcional)', { exact: true }).fill('Inês');
    await page.getByRole('button', { name: 'Enviar ideia' }).click();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.getByRole('status').filter({ hasText: 'A sua ideia foi enviada' }).waitFor();
    expect(await page.locator('#vote-count').textContent()).toBe('0 votos');

    await page.getByRole('button', { name: 'Votar' }).click();
    await page.getByRole('status').filter({ hasText: 'O seu voto foi registado' }).waitFor();
    expect(await page.locator('#vote-count').textContent()).toBe('1 voto');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshotDir, 'participa-idea.png'), fullPage: true });

    await page.getByRole('button', { name: 'Votar' }).click();
    await page.getByRole('alert').filter({ hasText: 'Já votou nesta ideia.' }).waitFor();
    expect(await page.locator('#vote-count').textContent()).toBe('1 voto');
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('Comentário', { exact: true }).fill('Faz muita falta!');
    await page.getByRole('button', { name: 'Comentar' }).click();
    await page.getByText('Faz muita falta!').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Ideias para a cidade' }).click();
    await page.getByRole('link', { name: title }).waitFor();
    await page.screenshot({ path: path.join(screenshotDir, 'participa-list.png'), fullPage: true });

    // The citizen sees what this browser proposed and voted for, and deletes both (GDPR Art. 15 and 17).
    await page.getByRole('link', { name: 'As minhas ideias e votos' }).click();
    await page.getByRole('button', { name: `Apagar o meu voto em «${title}»` }).click();
    await page.getByRole('status').filter({ hasText: 'O seu voto foi apagado.' }).waitFor();
    expect(await page.getByRole('button', { name: `Apagar o meu voto em «${title}»` }).count()).toBe(0);
    const ideaUrl = await page.getByRole('link', { name: title }).getAttribute('href');
    await page.getByRole('button', { name: `Apagar a ideia «${title}»` }).click();
    await page.getByRole('status').filter({ hasText: 'A sua ideia foi apagada.' }).waitFor();
    expect((await page.goto(`${service.url}${ideaUrl}`))?.status()).toBe(404);
    await page.goto(`${service.url}/?lang=pt`);
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ideas for the city' }).waitFor();
    await context.close();
  });

  it(
    'has no WCAG 2.1 AA violation (axe-core) on any page or state, in any language, and talks only to its own origin',
    { timeout: 600_000 },
    async () => {
      const go = (page: import('playwright-core').Page, url: string) => page.goto(`${service.url}${url}`);
      const states: PageState[] = [
        { name: 'idea list', visit: (p, l) => go(p, `/?lang=${l}`).then(() => undefined) },
        {
          name: 'idea list, filtered',
          visit: async (p, l) => {
            await go(p, `/?lang=${l}`);
            await p.locator('#f-status').selectOption('accepted');
            await Promise.all([p.waitForURL(/status=accepted/), p.locator('form.filters button').click()]);
          },
        },
        {
          name: 'idea list, nothing found',
          visit: (p, l) => go(p, `/?lang=${l}&status=done&parish=none`).then(() => undefined),
        },
        { name: 'idea', visit: (p, l) => go(p, `/ideas/${firstIdea}?lang=${l}`).then(() => undefined) },
        {
          name: 'idea, voted',
          visit: (p, l) => go(p, `/ideas/${firstIdea}?lang=${l}&notice=voted`).then(() => undefined),
        },
        {
          name: 'idea, already voted',
          visit: (p, l) => go(p, `/ideas/${firstIdea}?lang=${l}&notice=already-voted`).then(() => undefined),
        },
        { name: 'proposal form, empty', visit: (p, l) => go(p, `/propose?lang=${l}`).then(() => undefined) },
        {
          name: 'proposal form, filled',
          visit: async (p, l) => {
            await go(p, `/propose?lang=${l}`);
            await p.locator('#i-title').fill('Passadeira elevada');
            await p.locator('#i-description').fill('Junto à escola primária.');
            await p.locator('#i-street').fill('Rua da Escola');
          },
        },
        {
          name: 'proposal form, validation error',
          visit: async (p, l) => {
            await go(p, `/propose?lang=${l}`);
            await p.locator('#i-title').fill('Sem descrição');
            await submitWithoutBrowserChecks(p, 'main form');
            await p.getByRole('alert').waitFor();
          },
        },
        { name: 'moderator sign-in', visit: (p, l) => go(p, `/moderation?lang=${l}`).then(() => undefined) },
        {
          name: 'moderator sign-in, wrong key',
          visit: (p, l) => go(p, `/moderation?lang=${l}&wrong=1`).then(() => undefined),
        },
        ...(service.dataDir === undefined
          ? []
          : [
              {
                name: 'moderation (signed in)',
                visit: async (p: import('playwright-core').Page, l: string) => {
                  await go(p, `/moderation?lang=${l}`);
                  if ((await p.locator('#m-token').count()) > 0) {
                    await p.locator('#m-token').fill(adminToken(service.dataDir as string));
                    await Promise.all([p.waitForURL(/\/moderation$/), p.locator('main form button').click()]);
                    await go(p, `/moderation?lang=${l}`);
                  }
                  await p.locator('table').waitFor();
                },
              },
            ]),
        { name: 'accessibility statement', visit: (p, l) => go(p, `/accessibility?lang=${l}`).then(() => undefined) },
        { name: 'privacy notice', visit: (p, l) => go(p, `/privacy?lang=${l}`).then(() => undefined) },
        { name: 'my ideas and votes, none yet', visit: (p, l) => go(p, `/my?lang=${l}`).then(() => undefined) },
        {
          name: 'my ideas and votes, one of each',
          visit: async (p, l) => {
            await go(p, `/propose?lang=${l}`);
            await p.locator('#i-title').fill(`Horta comunitária ${l}`);
            await p.locator('#i-description').fill('No terreno junto ao mercado.');
            await p.locator('#i-street').fill('Rua do Mercado');
            await Promise.all([p.waitForURL(/notice=submitted/), p.locator('main form button').click()]);
            await Promise.all([p.waitForURL(/notice=voted/), p.locator('main form[action$="/vote"] button').click()]);
            await go(p, `/my?lang=${l}`);
            await p.locator('main form').first().waitFor();
          },
        },
        { name: 'not found', visit: (p, l) => go(p, `/ideas/does-not-exist?lang=${l}`).then(() => undefined) },
      ];
      const result = await sweep(browser, service.url, languages, states);
      expect(result.checked.length).toBe(states.length * languages.length);
      expect(result.violations).toEqual([]);
      expect(result.thirdParty).toEqual([]);
      // The language chosen and the moderator's session: both strictly necessary, nothing that tracks.
      expect(
        result.cookies.every((c) => ['lang', 'mod', 'voter'].includes(c)),
        result.cookies.join(', '),
      ).toBe(true);
    },
  );

  it('can be used with the keyboard alone: skip link, propose an idea, vote for it, with focus always visible', async () => {
    const context = await visitor(browser, 'pt-PT');
    const page = await context.newPage();
    await page.goto(`${service.url}/?lang=pt`);
    await page.keyboard.press('Tab');
    expect((await focused(page)).className).toBe('skip');
    expect((await focusIsVisible(page)).visible).toBe(true);
    await page.keyboard.press('Enter');
    expect((await focused(page)).id).toBe('main');

    await page.goto(`${service.url}/?lang=pt`);
    const invisible: string[] = [];
    invisible.push(...(await tabTo(page, 'nav.main-nav a[href="/propose"]')));
    await Promise.all([page.waitForURL(/\/propose/), page.keyboard.press('Enter')]);
    invisible.push(...(await tabTo(page, '#i-title')));
    const title = `Bancos no Largo ${Date.now()}`;
    await page.keyboard.type(title);
    invisible.push(...(await tabTo(page, '#i-description')));
    await page.keyboard.type('Bancos à sombra para quem espera pelo autocarro.');
    invisible.push(...(await tabTo(page, '#i-street')));
    await page.keyboard.type('Largo 1.º de Maio');
    invisible.push(...(await tabTo(page, 'main form button[type=submit]')));
    await Promise.all([page.waitForURL(/notice=submitted/), page.keyboard.press('Space')]);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();

    invisible.push(...(await tabTo(page, 'main form[action$="/vote"] button')));
    await Promise.all([page.waitForURL(/notice=voted/), page.keyboard.press('Enter')]);
    expect(await page.locator('#vote-count').textContent()).toBe('1 voto');
    expect(invisible).toEqual([]);
    await context.close();
  });

  it('has checks that catch what they look for: axe, a request to another origin', async () => {
    const context = await visitor(browser, 'en-GB');
    const page = await context.newPage();
    await page.setContent(
      '<html><body><h2>a</h2><p style="color:#aaa">faint text</p><input name="q"><a href="/x"></a></body></html>',
    );
    const found = (await axeViolations(page)).map((v) => v.split(':')[0]);
    expect(found).toEqual(expect.arrayContaining(['html-has-lang', 'color-contrast', 'label', 'link-name']));

    // A page of the site that tries to load an image from elsewhere (loopback, never the network):
    // the policy refuses it and the watcher sees it.
    await page.goto(`${service.url}/?lang=en`);
    const watch = watchThirdParties(page, new URL(service.url).origin);
    await page.evaluate(
      "document.body.append(Object.assign(document.createElement('img'), { alt: 'pixel', src: 'http://127.0.0.2:9/pixel.png' }))",
    );
    await expect.poll(() => watch.requests.length + watch.cspReports.length).toBeGreaterThan(0);
    await context.close();
  });
});
