/**
 * Headless Debian chromium driven by playwright-core, for the pilots' main
 * journeys. The base URL is a parameter: STORM_TEST_URL_<TEMPLATE> (e.g.
 * STORM_TEST_URL_PARTICIPA=http://127.42.0.5:8080) targets a deployed service;
 * without it the test starts the compiled app as a local process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { expect } from 'vitest';
import { type RunningApp, buildTemplate, repoRoot, startApp, tempDataDir } from './app-process';

export const CHROMIUM = process.env.STORM_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotDir = path.join(repoRoot, 'test-results', 'templates');

export function baseUrlVariable(template: string): string {
  return `STORM_TEST_URL_${template.toUpperCase().replace(/-/g, '_')}`;
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One Chromium per test file: launching is the slow part, so each file opens contexts (one per language) on it. */
export async function launchBrowser(): Promise<Browser> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** axe-core, minified: the engine is parsed on every page, and the minified build parses in half the time. */
const AXE_SOURCE = fs.readFileSync(path.join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/**
 * A fresh, cookie-less visitor whose browser asks for `locale`. Every page it
 * opens carries axe-core from the start (an init script goes in over the
 * DevTools protocol, which the site's Content-Security-Policy does not govern,
 * so the site's own CSP stays in force while it is checked).
 */
export async function visitor(browser: Browser, locale: string): Promise<BrowserContext> {
  const context = await browser.newContext({ locale, viewport: { width: 1100, height: 900 } });
  await context.addInitScript(AXE_SOURCE);
  return context;
}

/** The service under test: the deployed one named by the environment, or a local process. */
export interface ServiceUnderTest {
  url: string;
  /** The data directory of a local process (its admin token); undefined for a deployed service. */
  dataDir?: string;
  stop(): Promise<void>;
}

export async function serviceUnderTest(template: string): Promise<ServiceUnderTest> {
  const given = process.env[baseUrlVariable(template)];
  if (given !== undefined && given !== '') return { url: given.replace(/\/$/, ''), stop: async () => undefined };
  buildTemplate(template);
  const app: RunningApp = await startApp(template, { dataDir: tempDataDir(`${template}-browser`) });
  return app;
}

/** The rule sets of EN 301 549 / the Web Accessibility Directive: WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * axe-core's verdict on the page as it is now: one line per violated rule
 * (rule id, what it asks, the offending elements). A page set with
 * setContent has no init script run, so the engine is evaluated then.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if ((await page.evaluate('typeof window.axe')) !== 'object') await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} }, resultTypes: ['violations'] })`,
  )) as { violations: AxeViolation[] };
  return result.violations.map(
    (v) =>
      `${v.id}: ${v.help} — ${v.nodes
        .slice(0, 5)
        .map((n) => n.target.map(String).join(' '))
        .join(', ')}`,
  );
}

/**
 * Watches a page for anything the visitor's browser fetches from an origin
 * other than the site's, and for what the Content-Security-Policy refused.
 */
export function watchThirdParties(page: Page, siteOrigin: string): { requests: string[]; cspReports: string[] } {
  const seen = { requests: [] as string[], cspReports: [] as string[] };
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('data:') || url.startsWith('about:')) return;
    if (new URL(url).origin !== siteOrigin) seen.requests.push(url);
  });
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) seen.cspReports.push(msg.text());
  });
  return seen;
}

/**
 * Whether the focused element shows where focus is: an outline or a box
 * shadow of some width, and it lies inside the viewport after scrolling.
 */
export async function focusIsVisible(page: Page): Promise<{ visible: boolean; element: string }> {
  return (await page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { visible: false, element: 'body' };
    const s = getComputedStyle(el);
    const outlined = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadowed = s.boxShadow !== 'none';
    const r = el.getBoundingClientRect();
    const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + (el.textContent || el.getAttribute('name') || '').trim().slice(0, 30) + '"';
    return { visible: (outlined || shadowed) && onScreen, element: name };
  })()`)) as { visible: boolean; element: string };
}

/**
 * Presses Tab until the focused element matches `selector` (at most `limit`
 * presses), checking at every stop that focus is visible; returns the stops
 * where it was not.
 */
export async function tabTo(page: Page, selector: string, limit = 80): Promise<string[]> {
  const invisible: string[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const focus = await focusIsVisible(page);
    if (!focus.visible) invisible.push(`${focus.element} (on the way to ${selector})`);
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) === true`)) return invisible;
  }
  throw new Error(`Tab never reached ${selector} in ${limit} presses on ${page.url()}`);
}

/** A page or state of a pilot, reached from a fresh page in language `lang`. */
export interface PageState {
  name: string;
  visit(page: Page, lang: string): Promise<void>;
}

export interface SweepResult {
  /** Every axe violation, as `state [lang] (url): rule — elements`. */
  violations: string[];
  /** States checked, as `state [lang]`. */
  checked: string[];
  /** Requests to other origins and what the CSP refused. */
  thirdParty: string[];
  /** Cookies the site left, by name. */
  cookies: string[];
}

/**
 * Visits every state in every language with one visitor per language (one
 * context on the shared browser), runs axe on each and records any request
 * to another origin and the cookies left behind.
 */
export async function sweep(
  browser: Browser,
  siteUrl: string,
  languages: readonly string[],
  states: readonly PageState[],
): Promise<SweepResult> {
  const origin = new URL(siteUrl).origin;
  const out: SweepResult = { violations: [], checked: [], thirdParty: [], cookies: [] };
  // One visitor per language, side by side: axe spends most of its time waiting on the page.
  const perLanguage = await Promise.all(
    languages.map(async (lang) => {
      const mine: SweepResult = { violations: [], checked: [], thirdParty: [], cookies: [] };
      const context = await visitor(browser, lang);
      try {
        const page = await context.newPage();
        const watch = watchThirdParties(page, origin);
        for (const state of states) {
          const label = `${state.name} [${lang}]`;
          await state.visit(page, lang);
          expect(await page.getAttribute('html', 'lang'), label).toBe(lang);
          mine.checked.push(label);
          for (const v of await axeViolations(page)) mine.violations.push(`${label} (${page.url()}): ${v}`);
        }
        mine.thirdParty.push(...watch.requests, ...watch.cspReports);
        mine.cookies.push(...(await context.cookies()).map((c) => c.name));
      } finally {
        await context.close();
      }
      return mine;
    }),
  );
  for (const r of perLanguage) {
    out.violations.push(...r.violations);
    out.checked.push(...r.checked);
    out.thirdParty.push(...r.thirdParty);
    for (const c of r.cookies) if (!out.cookies.includes(c)) out.cookies.push(c);
  }
  out.cookies.sort();
  return out;
}

/** Turns off the browser's own form checks so the server's validation errors can be seen. */
export async function submitWithoutBrowserChecks(page: Page, formSelector: string): Promise<void> {
  await page.evaluate(`(() => {
    const form = document.querySelector(${JSON.stringify(formSelector)});
    if (!(form instanceof HTMLFormElement)) throw new Error('no form ' + ${JSON.stringify(formSelector)});
    form.noValidate = true;
  })()`);
  await Promise.all([page.waitForLoadState('load'), page.locator(`${formSelector} button[type=submit]`).click()]);
}

/** The focused element's id and class (the tests have no DOM types: pages are reached through strings). */
export async function focused(page: Page): Promise<{ id: string; className: string }> {
  return (await page.evaluate(
    '({ id: document.activeElement?.id ?? "", className: document.activeElement?.className ?? "" })',
  )) as { id: string; className: string };
}
