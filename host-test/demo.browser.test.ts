// The demo host (`npm start`) in headless Chromium, served exactly as npm start serves it (scripts/serve.mjs):
// it loads clean, hosts three LevelMatch instances with their GUIs, plays its built-in programme through the
// effect rack, and the match instance brings the processed signal back to the reference's loudness.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { browserSession, REPO_ROOT } from './browser-session.ts';
import { serve } from '../scripts/serve.mjs';

const { t, session } = browserSession({
  serve: () => serve({ root: REPO_ROOT }),
  path: '/',
  context: { viewport: { width: 1280, height: 900 } },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Snapshot {
  state: string;
  /** `time`: seconds of audio (the readout's frame over the sample rate): on a fresh page, the programme's position. */
  match: { time: number; applied: number; refS: number; outS: number; refI: number; outI: number; status: string; listen: number } | null;
  target: { time: number; applied: number; outS: number; inS: number; status: string } | null;
  guis: Record<string, { tag: string; status: string; controls: number; width: number; height: number }>;
}

/**
 * The demo's plugins and GUIs as plain data. Page-side code is a string: tsx would wrap named inner functions
 * of a TypeScript callback in a helper (__name) that does not exist on the page.
 */
const SNAPSHOT = `(() => {
  const d = window.levelmatchDemo;
  const gui = (el) => {
    const b = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      status: el.shadowRoot?.querySelector('.status')?.textContent?.trim() ?? '',
      controls: el.shadowRoot?.querySelectorAll('[data-param]').length ?? 0,
      width: b.width,
      height: b.height,
    };
  };
  const m = d.plugins.match.audioNode.readout;
  const tg = d.plugins.target.audioNode.readout;
  return {
    state: d.ctx.state,
    match: m && { time: m.frame / d.ctx.sampleRate, applied: m.gain.applied, refS: m.reference.shortTerm, outS: m.output.shortTerm, refI: m.reference.integrated,
      outI: m.output.integrated, status: gui(d.guis.match).status, listen: m.parameters.listen },
    target: tg && { time: tg.frame / d.ctx.sampleRate, applied: tg.gain.applied, outS: tg.output.shortTerm, inS: tg.input.shortTerm, status: gui(d.guis.target).status },
    guis: { reference: gui(d.guis.reference), match: gui(d.guis.match), target: gui(d.guis.target) },
  };
})()`;
function snapshot(): Promise<Snapshot> {
  return session.page.evaluate(SNAPSHOT) as Promise<Snapshot>;
}

t('the demo loads with no console errors or warnings and shows the three plugin GUIs', async () => {
  await session.page.evaluate(() => (window as unknown as { levelmatchDemo: { ready: Promise<void> } }).levelmatchDemo.ready);
  const s = await snapshot();
  for (const [name, g] of Object.entries(s.guis)) {
    assert.is(g.tag, 'levelmatch-gui', name);
    assert.ok(g.controls >= 16, `${name} GUI has its controls (${g.controls})`);
  }
  assert.ok(s.guis.reference.width > 300 && s.guis.match.height > 150, 'GUIs are laid out');
  assert.equal(session.problems, []);
});

t('playing: the meters move and the match instance brings the processed chain back to the reference loudness', async () => {
  await session.page.evaluate(() => (window as unknown as { levelmatchDemo: { play(): Promise<void> } }).levelmatchDemo.play());
  const rows: { t: number; s: Snapshot }[] = [];
  for (let t = 0; t < 8 && rows.length < 100; ) {
    await sleep(250);
    const s = await snapshot();
    t = s.match?.time ?? 0;
    rows.push({ t, s });
  }
  const first = rows.find((r) => r.s.match !== null)?.s ?? rows[0].s;
  const last = rows[rows.length - 1].s;
  assert.is(last.state, 'running');
  assert.ok(first.match !== null && last.match !== null, 'readouts arrive');
  assert.not.equal(first.match!.refS, last.match!.refS, 'the reference meter moves');
  assert.not.equal(first.match!.outS, last.match!.outS, 'the output meter moves');
  // The programme's first section (the verse, 8 s) is steady: once the detector windows are full and the gain
  // has moved (response 2 s), the output sits on the reference. The rack makes the programme about 10 LU louder.
  const settled = rows.filter((r) => r.t >= 5 && r.t <= 7.5).map((r) => r.s.match!);
  for (const m of settled) {
    assert.ok(Math.abs(m.outS - m.refS) <= 0.5, `output S ${m.outS.toFixed(2)} vs reference S ${m.refS.toFixed(2)} LUFS`);
    assert.match(m.status, /Matching reference on link 1/);
  }
  const gains = settled.map((m) => m.applied);
  assert.ok(Math.max(...gains) - Math.min(...gains) < 0.5, `the gain has settled: ${gains.map((g) => g.toFixed(2)).join(', ')} dB`);
  assert.ok(gains[0] < -6, `the match instance cuts the louder processed signal (${gains[0].toFixed(2)} dB)`);
  const m = settled[settled.length - 1];
  console.log(`  demo, 5-7.5 s: reference S ${m.refS.toFixed(2)}, output S ${m.outS.toFixed(2)} LUFS, gain ${m.applied.toFixed(2)} dB (worst |diff| ${Math.max(...settled.map((x) => Math.abs(x.outS - x.refS))).toFixed(2)} LU)`);
  assert.equal(session.problems, []);
});

t('the A/B button switches the match instance to the reference and back', async () => {
  await session.page.evaluate(() => (window as unknown as { levelmatchDemo: { setListen(v: number): void } }).levelmatchDemo.setListen(1));
  await sleep(400);
  let v = await session.page.evaluate(async () => (await (window as any).levelmatchDemo.plugins.match.audioNode.getParameterValues(false, 'listen')).listen.value);
  assert.is(v, 1);
  const s = await snapshot();
  assert.is(s.match!.listen, 1, 'the readouts agree');
  assert.match(s.match!.status, /Listening/);
  await session.page.evaluate(() => (window as any).levelmatchDemo.setListen(0));
  await sleep(300);
  v = await session.page.evaluate(async () => (await (window as any).levelmatchDemo.plugins.match.audioNode.getParameterValues(false, 'listen')).listen.value);
  assert.is(v, 0);
  assert.equal(session.problems, []);
});

t('the second example trims a bus to the target', async () => {
  // From a fresh page, so the programme starts at its steady first section (as in the match test).
  await session.page.reload();
  await session.page.evaluate(() => (window as any).levelmatchDemo.ready);
  await session.page.evaluate(() => (window as any).levelmatchDemo.setExample('target'));
  await session.page.evaluate(() => (window as any).levelmatchDemo.play());
  const rows: { t: number; s: NonNullable<Snapshot['target']> }[] = [];
  for (let t = 0; t < 8.7 && rows.length < 100; ) {
    await sleep(250);
    const s = (await snapshot()).target;
    t = s?.time ?? 0;
    if (s) rows.push({ t, s });
  }
  // The gain needs the detector's windows and its response (about 6 s for a +13 dB move); the output's own
  // short-term reading (a 3 s window) trails it. The programme's first section ends at 8 s.
  const settled = rows.filter((r) => r.t >= 7 && r.t <= 8.6).map((r) => r.s);
  const worst = Math.max(...settled.map((x) => Math.abs(x.outS + 18)));
  const last = settled[settled.length - 1];
  console.log(`  target example, 7-8.6 s: input S ${last.inS.toFixed(2)}, output S ${last.outS.toFixed(2)} LUFS, gain ${last.applied.toFixed(2)} dB (worst |output - target| ${worst.toFixed(2)} LU); "${last.status}"`);
  for (const x of settled) {
    assert.ok(Math.abs(x.outS + 18) <= 0.6, `output S ${x.outS.toFixed(2)} vs target -18 (input ${x.inS.toFixed(2)})`);
    assert.match(x.status, /Trimming to .18\.0 LUFS/);
  }
  assert.ok(Math.abs(last.applied - (-18 - last.inS)) < 1, 'the gain is the distance from the input to the target');
  await session.page.evaluate(() => (window as any).levelmatchDemo.stop());
  assert.equal(session.problems, []);
});

test.run();
