import * as path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, launchChromium, screenshotDir, serviceUnderTest } from './browser';

describe('participa in a browser', () => {
  let browser: BrowserContext;
  let service: { url: string; stop(): Promise<void> };

  beforeAll(async () => {
    service = await serviceUnderTest('participa');
    browser = await launchChromium('pt-PT');
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('submits an idea, votes for it once and finds it in the list', async () => {
    const title = `Bicicletário na estação ${Date.now()}`;
    const page = await browser.newPage();
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
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshotDir, 'participa-idea.png'), fullPage: true });

    await page.getByRole('button', { name: 'Votar' }).click();
    await page.getByRole('alert').filter({ hasText: 'Já votou nesta ideia.' }).waitFor();
    expect(await page.locator('#vote-count').textContent()).toBe('1 voto');

    await page.getByLabel('Comentário', { exact: true }).fill('Faz muita falta!');
    await page.getByRole('button', { name: 'Comentar' }).click();
    await page.getByText('Faz muita falta!').waitFor();

    await page.getByRole('link', { name: 'Ideias para a cidade' }).click();
    await page.getByRole('link', { name: title }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(screenshotDir, 'participa-list.png'), fullPage: true });
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ideas for the city' }).waitFor();
    await page.goto(`${service.url}/moderation?lang=en`);
    await page.getByLabel('Moderator key').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.close();
  });

  it('has an accessibility check that catches what it looks for', async () => {
    const page = await browser.newPage();
    await page.setContent(
      '<html><body><h1>a</h1><h1>b</h1><p style="color:#aaa">faint text</p><input name="q"><a href="/x"></a></body></html>',
    );
    const problems = await accessibilityProblems(page);
    expect(problems).toEqual(
      expect.arrayContaining([
        'html has no lang attribute',
        'no <main> landmark',
        '2 h1 elements (want 1)',
        'unlabelled control q',
        'link without text: /x',
      ]),
    );
    expect(problems.some((p) => p.startsWith('contrast ') && p.endsWith('"faint text"'))).toBe(true);
    await page.close();
  });
});
