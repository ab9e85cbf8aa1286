/**
 * Headless Debian chromium driven by playwright-core, for the pilots' main
 * journeys. The base URL is a parameter: STORM_TEST_URL_<TEMPLATE> (e.g.
 * STORM_TEST_URL_PARTICIPA=http://127.42.0.5:8080) targets a deployed service;
 * without it the test starts the compiled app as a local process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { type RunningApp, buildTemplate, repoRoot, startApp, tempDataDir } from './app-process';

export const CHROMIUM = process.env.STORM_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotDir = path.join(repoRoot, 'test-results', 'templates');

export function baseUrlVariable(template: string): string {
  return `STORM_TEST_URL_${template.toUpperCase().replace(/-/g, '_')}`;
}

/** A fresh profile each time (playwright passes it as --user-data-dir). */
export async function launchChromium(locale: string): Promise<BrowserContext> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  return chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'storm-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    locale,
    viewport: { width: 1100, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The service under test: the deployed one named by the environment, or a local process. */
export async function serviceUnderTest(template: string): Promise<{ url: string; stop(): Promise<void> }> {
  const given = process.env[baseUrlVariable(template)];
  if (given !== undefined && given !== '') return { url: given.replace(/\/$/, ''), stop: async () => undefined };
  buildTemplate(template);
  const app: RunningApp = await startApp(template, { dataDir: tempDataDir(`${template}-browser`) });
  return app;
}

/**
 * Accessibility checks run inside the page (as a string, so no transpiler
 * helper leaks in): lang attribute, landmarks, one h1, labelled controls,
 * named images and links, and WCAG AA text contrast against the effective
 * background. Returns what is wrong; an empty list means the page passed.
 */
const A11Y_SCRIPT = `(() => {
  const problems = [];
  const lang = document.documentElement.getAttribute('lang');
  if (!lang) problems.push('html has no lang attribute');
  for (const sel of ['header', 'nav', 'main', 'footer']) if (!document.querySelector(sel)) problems.push('no <' + sel + '> landmark');
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) problems.push(h1 + ' h1 elements (want 1)');
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || el.type === 'submit') continue;
    const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named) problems.push('unlabelled control ' + (el.name || el.id));
  }
  for (const el of document.querySelectorAll('img, [role=img]')) {
    if (!el.getAttribute('alt') && !el.getAttribute('aria-label')) problems.push('image without a name');
  }
  for (const a of document.querySelectorAll('a')) if (!a.textContent.trim() && !a.getAttribute('aria-label')) problems.push('link without text: ' + a.href);
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null; const p = m[1].split(',').map((x) => parseFloat(x)); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0.5) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || !n.textContent.trim()) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || el.closest('svg') || el.getClientRects().length === 0) continue;
    const rect = el.getBoundingClientRect();
    if (rect.right < 0 || rect.bottom < 0) continue;
    const fg = parse(style.color); const bg = background(el);
    if (!fg) continue;
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(style.fontSize); const bold = parseInt(style.fontWeight, 10) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) problems.push('contrast ' + ratio.toFixed(2) + ' < ' + need + ' for "' + n.textContent.trim().slice(0, 40) + '"');
  }
  return problems;
})()`;

export async function accessibilityProblems(page: import('playwright-core').Page): Promise<string[]> {
  return (await page.evaluate(A11Y_SCRIPT)) as string[];
}
