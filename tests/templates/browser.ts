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
