// `npm run screenshot`: writes docs/demo.png, a full-page picture of the demo after 7.5 s of playing.
// Runs under tsx (it shares host-test/browser.ts). Builds nothing (run `npm run build` first; the npm script
// does). Serves the demo (scripts/serve.mjs), opens it in headless Debian Chromium at 1280 px wide, waits for `levelmatchDemo.ready`, plays for
// PLAY_SECONDS so the meters, histories and gains have settled, and saves the page. Console errors, warnings and
// page errors are printed and make the script exit 1 (the picture is still written).
// Environment: CHROMIUM_PATH (default /usr/bin/chromium), SCREENSHOT_OUT (default docs/demo.png).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, CHROMIUM_PATH as CHROMIUM } from '../host-test/browser.ts';
import { serve } from './serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.resolve(root, process.env.SCREENSHOT_OUT ?? 'docs/demo.png');
const WIDTH = 1280;
const HEIGHT = 800;
// The end of the programme's first section (8 s, steady): the gains have settled and the picture shows the
// match, not the lag of a gain following a crescendo.
const PLAY_SECONDS = 7.5;

for (const f of ['dist/demo/main.js', 'dist/plugin/index.js']) {
  if (!existsSync(path.join(root, f))) {
    console.error(`screenshot: ${f} is missing; run \`npm run build\` first.`);
    process.exit(1);
  }
}
if (!existsSync(CHROMIUM)) {
  console.error(`screenshot: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH).`);
  process.exit(1);
}

const server = await serve({ root });
// The launcher of the real-browser tests: no network, root in a container, audio without a user gesture.
const browser = await launchChromium();
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: WIDTH, height: HEIGHT }, deviceScaleFactor: 1 });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(server.url);
  await page.evaluate(() => window.levelmatchDemo.ready);
  // The GUIs pause their history graphs while off screen: make the whole page the viewport (same width, so
  // the same layout) so every graph draws.
  const fullHeight = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: WIDTH, height: Math.max(HEIGHT, fullHeight) });
  await page.evaluate(() => window.levelmatchDemo.play());
  await page.waitForTimeout(PLAY_SECONDS * 1000);
  mkdirSync(path.dirname(OUT), { recursive: true });
  await page.screenshot({ path: OUT, fullPage: true });
  await page.evaluate(() => window.levelmatchDemo.stop());
  console.log(`screenshot: wrote ${path.relative(root, OUT)} (${WIDTH} px wide, after ${PLAY_SECONDS} s of playing)`);
} finally {
  await browser.close();
  await server.close();
}
if (problems.length > 0) {
  console.error(`screenshot: the page reported problems:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
