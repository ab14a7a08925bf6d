/**
 * One headless Chromium page per test file, shared setup for every real-browser test: starts a static server
 * (the repository, or any directory), launches Chromium, opens a page, and collects console errors, warnings
 * and page errors into `problems`. Without Chromium the tests are skipped with a loud warning, except in CI,
 * where that is an error (CI installs chromium).
 */
import { test as uvuTest, type Test } from 'uvu';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium, CHROMIUM_PATH } from './browser.ts';
import { serveStatic, type StaticServer } from './static-server.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BrowserSession {
  page: Page;
  browser: Browser;
  /** Base URL of the server, without a trailing slash. */
  url: string;
  /** Console errors and warnings and uncaught page errors, as "type: text". */
  problems: string[];
}

export interface SessionOptions {
  /** Serves this (default: the repository) ... */
  serve?: () => Promise<StaticServer>;
  /** ... and opens this path first (default: a blank page). */
  path?: string;
  context?: BrowserContextOptions;
}

/** True when Chromium exists; otherwise warns (or throws in CI). */
export function requireChromium(): boolean {
  if (chromiumAvailable()) return true;
  const msg = `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium)`;
  if (process.env.CI) throw new Error(`${msg}: the real-browser tests cannot run in CI`);
  console.warn(`\n!!! ${msg}: the real-browser tests are SKIPPED.\n`);
  return false;
}

/**
 * Registers before/after hooks on `suite` (default: uvu's test) that open a browser page, and returns the test
 * function to use (test.skip without Chromium) and the session, filled in once the hooks ran.
 */
export function browserSession(options: SessionOptions = {}, suite: Test = uvuTest): { t: Test; session: BrowserSession } {
  const available = requireChromium();
  const session = { problems: [] as string[] } as BrowserSession;
  let server: StaticServer | undefined;
  suite.before(async () => {
    if (!available) return;
    server = await (options.serve ?? (() => serveStatic(REPO_ROOT)))();
    session.url = server.url.replace(/\/$/, '');
    session.browser = await launchChromium();
    const context = await session.browser.newContext(options.context);
    session.page = await context.newPage();
    session.page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') session.problems.push(`${m.type()}: ${m.text()}`);
    });
    session.page.on('pageerror', (e) => session.problems.push(`pageerror: ${e.message}`));
    await session.page.goto(`${session.url}${options.path ?? '/host-test/pages/blank.html'}`);
  });
  suite.after(async () => {
    await session.browser?.close();
    await server?.close();
  });
  return { t: available ? suite : (suite.skip as unknown as Test), session };
}
