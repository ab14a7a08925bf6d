// The set-up the Chromium benches share (bench-worklet.ts, bench-clock.ts): the repository served on
// localhost, headless Debian Chromium, and a blank page of it to evaluate the bench's page code in. Without
// Chromium the bench says so and exits 0 (the other benches still run).
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium, CHROMIUM_PATH } from '../host-test/browser.ts';
import { serveStatic } from '../host-test/static-server.ts';
import { REPO_ROOT } from '../host-test/browser-session.ts';

/** Runs `bench` with a blank page of the served repository, then closes the browser and the server. */
export async function withBenchPage(what: string, bench: (page: Page, browser: Browser) => Promise<void>): Promise<void> {
  if (!chromiumAvailable()) {
    console.log(`\n(${what} bench skipped: no Chromium at ${CHROMIUM_PATH})`);
    return;
  }
  const server = await serveStatic(REPO_ROOT);
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url.replace(/\/$/, '')}/host-test/pages/blank.html`);
    await bench(page, browser);
  } finally {
    await browser.close();
    await server.close();
  }
}
