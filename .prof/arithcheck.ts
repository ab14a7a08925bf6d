import { launchChromium } from '../host-test/browser.ts';
import { serveStatic } from '../host-test/static-server.ts';
import { REPO_ROOT } from '../host-test/browser-session.ts';
const server = await serveStatic(REPO_ROOT);
const browser = await launchChromium([]);
const page = await (await browser.newContext()).newPage();
page.on('console', (m) => console.log('page:', m.text()));
await page.goto(`${server.url.replace(/\/$/, '')}/host-test/pages/blank.html`);
const r = await page.evaluate(async () => {
  const m = await import('/host-test/pages/scale-host.js' as string);
  const s = await m.buildSession({ pairs: 2, targets: 1, seconds: 2, roles: { reference: 'arithmetic', match: 'arithmetic', target: 'arithmetic' } });
  const nodes: AudioWorkletNode[] = [];
  // find nodes: not tracked; patch: use s.arith
  s.start(); await s.ctx.startRendering();
  const out = [];
  for (const n of s.arith) out.push(await new Promise((res) => { n.port.onmessage = (e: MessageEvent) => res(e.data); n.port.postMessage(0); }));
  return out;
});
console.log(JSON.stringify(r));
await browser.close(); await server.close();
