// The demo host (`npm start`) in headless Chromium, served exactly as npm start serves it (scripts/serve.mjs):
// it loads clean, hosts three LevelMatch instances with their GUIs, plays its built-in programme through the
// effect rack, and the match instance brings the processed signal back to the reference's loudness.
// Then the first minute of a new user: shortcuts after clicking any control, what the first screen shows at three
// sizes (element boxes; screenshots to host-test/out/), a file resetting the programme readings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { browserSession, REPO_ROOT } from './browser-session.ts';
import { serve } from '../scripts/serve.mjs';
import type { BusLoop } from './pages/demo-offline.ts';

const { t, session } = browserSession({
  serve: () => serve({ root: REPO_ROOT }),
  path: '/',
  context: { viewport: { width: 1280, height: 800 } },
});
const OUT = path.join(REPO_ROOT, 'host-test/out');
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
    // A reference instance shows what acts in reference mode: mode, link, meter scale (the GUI test has the rest).
    assert.ok(g.controls >= (name === 'reference' ? 3 : 16), `${name} GUI has its controls (${g.controls})`);
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
  // short-term reading (a 3 s window) trails it. The programme's first section ends at 8 s; past 8.3 s the
  // louder build fills enough of the output's window to lift it before the gain (2 s response) follows.
  const settled = rows.filter((r) => r.t >= 7 && r.t <= 8.3).map((r) => r.s);
  assert.ok(settled.length >= 3, `readings between 7 and 8.3 s: ${settled.length}`);
  const worst = Math.max(...settled.map((x) => Math.abs(x.outS + 18)));
  const last = settled[settled.length - 1];
  console.log(`  target example, 7-8.3 s: input S ${last.inS.toFixed(2)}, output S ${last.outS.toFixed(2)} LUFS, gain ${last.applied.toFixed(2)} dB (worst |output - target| ${worst.toFixed(2)} LU); "${last.status}"`);
  for (const x of settled) {
    assert.ok(Math.abs(x.outS + 18) <= 0.6, `output S ${x.outS.toFixed(2)} vs target -18 (input ${x.inS.toFixed(2)})`);
    assert.match(x.status, /Trimming to .18\.0 LUFS/);
  }
  assert.ok(Math.abs(last.applied - (-18 - last.inS)) < 1, 'the gain is the distance from the input to the target');
  await session.page.evaluate(() => (window as any).levelmatchDemo.stop());
  assert.equal(session.problems, []);
});

interface PageState { playing: string; listen: string; example: string; badge: boolean }
const pageState = (): Promise<PageState> => session.page.evaluate(() => ({
  playing: document.getElementById('play')!.getAttribute('aria-pressed')!,
  listen: document.getElementById('ab')!.dataset.listen!,
  example: document.getElementById('now')!.dataset.example!,
  badge: !document.getElementById('listen-badge')!.hidden,
}));
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  let v = await f();
  while (!ok(v) && Date.now() < end) {
    await sleep(40);
    v = await f();
  }
  return v;
}

t('Space, A, B, 1 and 2 work after clicking each control of the page, and not while typing in a text field', async () => {
  const page = session.page;
  await page.reload();
  await page.evaluate(() => (window as any).levelmatchDemo.ready);
  // Every kind of control on the page, the plugin GUIs' (inside their shadow DOM) included.
  const controls: [string, string][] = [
    ['Play button', '#play'],
    ['example radio 2', '#switch-target'],
    ['example radio 1', '#switch-match'],
    ['Built-in programme button', '#use-programme'],
    ['Hear example 2', '#hear-target'],
    ['Hear example 1', '#hear-match'],
    ['A/B panel', '#ab'],
    ['rack power button', '#rack-drive-on'],
    ['rack slider', '#rack-tilt'],
    ['bus power button', '#bus-drums'],
    ['bus slider', '#bus-level'],
    ['GUI mode radio', '#gui-match [data-param="mode"] [role=radio][aria-checked="true"]'],
    ['GUI meter-scale radio', '#gui-match [data-param="scale"] [role=radio] >> nth=1'],
    ['GUI A/B toggle', '#gui-match [data-param="listen"] button'],
    ['GUI knob', '#gui-match [data-param="tolerance"] .dial'],
    ['GUI Reset button', '#gui-reference levelmatch-toggle[kind="action"] button'],
  ];
  for (const [name, selector] of controls) {
    const beforeClick = await pageState();
    await page.locator(selector).first().click();
    // What the click itself changes (a GUI toggle's parameter makes a round trip through the node) must have
    // arrived before Space is judged: the state read twice 100 ms apart, the same.
    let before = await pageState();
    for (let k = 0; k < 20; k++) {
      await sleep(100);
      const again = await pageState();
      if (JSON.stringify(again) === JSON.stringify(before)) break;
      before = again;
    }
    await page.keyboard.press('Space');
    const played = await until(pageState, (s) => s.playing !== before.playing);
    assert.is.not(played.playing, before.playing, `Space plays / stops after clicking the ${name}`);
    // The GUI's A/B toggle flips listen through a parameter round trip that may land only after Space (it is
    // applied on the audio thread, which may have been stopped): what the click wants is the other side. Had
    // Space pressed the focused toggle as well, listen would come back to where it was before the click.
    const wanted = name === 'GUI A/B toggle' ? (beforeClick.listen === '1' ? '0' : '1') : before.listen;
    await sleep(150);
    const settled = await until(pageState, (s) => s.listen === wanted);
    assert.is(settled.listen, wanted, `Space does not press the focused ${name}`);
    await page.keyboard.press('b');
    const b = await until(pageState, (s) => s.listen === '1' && s.badge);
    assert.is(b.listen, '1', `B after the ${name}`);
    assert.ok(b.badge, 'B is flagged in the sticky bar');
    await page.keyboard.press('a');
    const a = await until(pageState, (s) => s.listen === '0' && !s.badge);
    assert.is(a.listen, '0', `A after the ${name}`);
    assert.not.ok(a.badge, 'the flag goes with A');
    await page.keyboard.press('2');
    assert.is((await until(pageState, (s) => s.example === 'target')).example, 'target', `2 after the ${name}`);
    await page.keyboard.press('1');
    assert.is((await until(pageState, (s) => s.example === 'match')).example, 'match', `1 after the ${name}`);
  }
  // A type-in box of a GUI keeps its keys: the shortcut letters and Space go into the text.
  const before = await pageState();
  await page.locator('#gui-match [data-param="offset"] .value').click();
  await page.keyboard.type('b 2 a1');
  const typed = await page.locator('#gui-match [data-param="offset"] .editor').inputValue();
  assert.is(typed.endsWith('b 2 a1'), true, `the text field got the keys: "${typed}"`);
  await sleep(200);
  assert.equal(await pageState(), before, 'no shortcut fired while typing');
  await page.keyboard.press('Escape');
  if (before.playing === 'true') await page.evaluate(() => (window as any).levelmatchDemo.stop());
  assert.equal(session.problems, []);
});

type Box = { left: number; top: number; right: number; bottom: number; width: number; height: number };
const BOXES = `(() => {
  const box = (el) => { if (!el) return null; const b = el.getBoundingClientRect(); return { left: b.left, top: b.top, right: b.right, bottom: b.bottom, width: b.width, height: b.height }; };
  const gui = (name) => {
    const g = document.querySelector('#gui-' + name + ' levelmatch-gui');
    const r = g.shadowRoot;
    const peaks = [...r.querySelectorAll('.peaks span')].map(box);
    const meterLabels = [...r.querySelectorAll('levelmatch-meter')].map((m) => { const l = m.shadowRoot.querySelector('.label'); return { text: l.textContent.trim(), cut: l.scrollWidth > l.clientWidth + 1 }; });
    return { gui: box(g), ab: box(r.querySelector('[data-param="listen"]')), bypass: box(r.querySelector('[data-param="bypass"]')),
      mode: box(r.querySelector('[data-param="mode"]')), peaks, meterLabels };
  };
  const cut = (sel) => [...document.querySelectorAll(sel)].filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent.trim().slice(0, 40));
  return {
    viewport: { width: innerWidth, height: innerHeight }, scrollWidth: document.documentElement.scrollWidth,
    nowGain: box(document.querySelector('#now-match [data-key="gain"]')), nowStatus: box(document.getElementById('now-status')), ab: box(document.getElementById('ab')),
    abOptions: [...document.querySelectorAll('#ab .ab-option')].map(box), cut: cut('#ab .ab-option, .reading, .now-status, .switch button, .play'),
    match: gui('match'), reference: gui('reference'), target: gui('target'),
  };
})()`;
const inside = (b: Box, o: Box) => b.left >= o.left - 0.5 && b.right <= o.right + 0.5 && b.top >= o.top - 0.5 && b.bottom <= o.bottom + 0.5;
const overlap = (a: Box, b: Box) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;

t('the first screen: at 1280 x 800 and 1920 x 1080 the match gain and the A/B are in view; at 390 x 844 nothing is clipped or overlaps', async () => {
  const page = session.page;
  mkdirSync(OUT, { recursive: true });
  for (const [w, h] of [[1280, 800], [1920, 1080], [390, 844]] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.reload();
    await page.evaluate(() => (window as any).levelmatchDemo.ready);
    await page.evaluate(() => window.scrollTo(0, 0)); // a reload keeps the scroll position
    await page.evaluate(() => (window as any).levelmatchDemo.play());
    await sleep(2500); // the figures are filled and the GUIs' meters and histories moving, for the screenshots
    const b = (await page.evaluate(BOXES)) as any;
    const screen: Box = { left: 0, top: 0, right: w, bottom: h, width: w, height: h };
    const where = `${w} x ${h}`;
    console.log(`  ${where}: match gain figure ${b.nowGain.top.toFixed(0)}..${b.nowGain.bottom.toFixed(0)} px, A/B ${b.ab.top.toFixed(0)}..${b.ab.bottom.toFixed(0)} px, page ${b.scrollWidth} px wide`);
    assert.is(b.scrollWidth, w, `${where}: no horizontal overflow`);
    assert.equal(b.cut, [], `${where}: no text cut off`);
    for (const o of b.abOptions) assert.ok(inside(o, b.ab), `${where}: the A/B options fit their button`);
    if (w >= 1280) {
      assert.ok(inside(b.nowGain, screen), `${where}: the match instance's gain is on the first screen`);
      assert.ok(inside(b.ab, screen), `${where}: the A/B is on the first screen`);
      assert.ok(inside(b.nowStatus, screen), `${where}: what LevelMatch is doing is on the first screen`);
    }
    for (const name of ['match', 'reference', 'target'] as const) {
      const g = b[name];
      assert.ok(g.gui.right <= w, `${where}: the ${name} GUI fits the page`);
      for (const k of ['ab', 'bypass', 'mode'] as const) if (g[k] !== null) assert.ok(inside(g[k], g.gui), `${where}: ${name} GUI ${k} inside the GUI (${JSON.stringify(g[k])} in ${JSON.stringify(g.gui)})`);
      if (g.ab !== null) assert.not.ok(overlap(g.ab, g.bypass), `${where}: ${name} A/B and Bypass apart`);
      if (g.ab !== null) assert.not.ok(overlap(g.ab, g.mode), `${where}: ${name} A/B and mode apart`);
      if (g.peaks.length === 2) assert.not.ok(overlap(g.peaks[0], g.peaks[1]), `${where}: ${name} "TP in" and "TP out" apart`);
      for (const l of g.meterLabels) assert.not.ok(l.cut, `${where}: ${name} meter label "${l.text}" not cut off`);
    }
    await page.screenshot({ path: path.join(OUT, `demo-${w}x${h}.png`) });
    await page.evaluate(() => (window as any).levelmatchDemo.stop());
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.equal(session.problems, []);
});

/** A 16-bit stereo WAV of a 1 kHz sine at `dbfs` peak, `seconds` long (whole cycles: it loops without a seam). */
function sineWav(dbfs: number, seconds: number, rate = 48000): Buffer {
  const frames = seconds * rate;
  const buf = Buffer.alloc(44 + frames * 4);
  buf.write('RIFF', 0); buf.writeUInt32LE(36 + frames * 4, 4); buf.write('WAVE', 8);
  buf.write('fmt ', 12); buf.writeUInt32LE(16, 16); buf.writeUInt16LE(1, 20); buf.writeUInt16LE(2, 22);
  buf.writeUInt32LE(rate, 24); buf.writeUInt32LE(rate * 4, 28); buf.writeUInt16LE(4, 32); buf.writeUInt16LE(16, 34);
  buf.write('data', 36); buf.writeUInt32LE(frames * 4, 40);
  const a = 10 ** (dbfs / 20) * 32767;
  for (let i = 0; i < frames; i++) {
    const v = Math.round(a * Math.sin((2 * Math.PI * 1000 * i) / rate));
    buf.writeInt16LE(v, 44 + i * 4);
    buf.writeInt16LE(v, 46 + i * 4);
  }
  return buf;
}

const LOUDNESS = `(() => {
  const d = window.levelmatchDemo;
  const ref = d.plugins.reference.audioNode.readout, m = d.plugins.match.audioNode.readout;
  if (ref === null || m === null) return { time: 0 }; // no audio processed yet
  const card = (id, key) => document.querySelector('#' + id + ' [data-key="' + key + '"] .reading-number').textContent;
  return { time: ref.frame / d.ctx.sampleRate, refI: ref.input.integrated, refMMax: ref.input.momentaryMax, matchRefI: m.reference.integrated,
    matchRefMMax: m.reference.momentaryMax, card: card('readings-reference', 'i') };
})()`;
const num = (s: string) => Number(s.replace('\u2212', '-'));

t('a new file resets the readings that describe the programme, and the reference card reads the reference instance', async () => {
  const page = session.page;
  await page.reload();
  await page.evaluate(() => (window as any).levelmatchDemo.ready);
  await page.evaluate(() => (window as any).levelmatchDemo.play());
  const programme = await until(() => page.evaluate(LOUDNESS) as Promise<any>, (r) => r.time > 4 && Number.isFinite(r.refI), 12000);
  // The verse reads about -25 LUFS, its momentary maximum well above -30.
  assert.ok(programme.refMMax > -27, `programme momentary max ${programme.refMMax}`);
  // A -30 dBFS stereo 1 kHz sine reads -30.0 LUFS (BS.1770: K-weighting is +0.69 dB at 1 kHz, the offset -0.691).
  await page.locator('#file-input').setInputFiles({ name: 'sine-30.wav', mimeType: 'audio/wav', buffer: sineWav(-30, 4) });
  await until(() => page.locator('#source-name').textContent(), (s) => s !== null && s.includes('sine-30.wav'));
  const t0 = ((await page.evaluate(LOUDNESS)) as { time: number }).time;
  const after = await until(() => page.evaluate(LOUDNESS) as Promise<any>, (r) => r.time > t0 + 3, 8000);
  console.log(`  file load: reference instance I ${programme.refI.toFixed(2)} -> ${after.refI.toFixed(2)} LUFS, M max ${programme.refMMax.toFixed(2)} -> ${after.refMMax.toFixed(2)}; match instance's reference I ${after.matchRefI.toFixed(2)}`);
  for (const [what, v] of [['reference instance I', after.refI], ['reference instance M max', after.refMMax], ['match instance reference I', after.matchRefI], ['match instance reference M max', after.matchRefMMax]] as const) {
    assert.ok(Math.abs(v + 30) < 0.3, `${what} ${v.toFixed(2)} LUFS: the sine alone, not blended with the programme`);
  }
  // The card beside the reference instance reads that instance: reset the match instance alone, and the card keeps
  // the reference instance's integrated figure while the match instance's is empty.
  await page.evaluate(() => (window as any).levelmatchDemo.plugins.match.audioNode.resetMeters());
  const split = await until(() => page.evaluate(LOUDNESS) as Promise<any>, (r) => r.matchRefI === null || !Number.isFinite(r.matchRefI), 2000);
  assert.not.ok(Number.isFinite(split.matchRefI), 'the match instance was reset');
  assert.ok(Math.abs(num(split.card) - split.refI) <= 0.051, `card ${split.card} = reference instance I ${split.refI.toFixed(2)}`);
  await page.evaluate(() => (window as any).levelmatchDemo.stop());
  assert.equal(session.problems, []);
});

// ---- the demo does what it says (issue 9), rendered offline from the demo's own classes ----

/** host-test/pages/demo-offline.ts, bundled; imported into the demo page from a blob: URL. */
const OFFLINE_CODE = buildSync({
  entryPoints: [path.join(REPO_ROOT, 'host-test/pages/demo-offline.ts')],
  bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'warning',
}).outputFiles[0].text;
function offline<T>(name: string, arg: unknown = {}): Promise<T> {
  return session.page.evaluate(
    ([code, n, a]) => import(URL.createObjectURL(new Blob([code as string], { type: 'text/javascript' }))).then((m) => m[n as string](a)),
    [OFFLINE_CODE, name, arg] as const,
  ) as Promise<T>;
}
const fmt = (x: number, d = 2) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(d)}` : x > 0 ? 'never' : '-');

interface MoveResult {
  name: string; at: number; error: number; errorDuring: number; outLoudness: number; rackAdds: number; settle: number;
  applied: number; atRangeLimit: boolean; atCeiling: boolean;
}

/**
 * Moves after which the current gain law (main at eca88c3) does not yet bring the output within 1 LU from 2 s
 * on: the error then, LU. Printed as NOT MET on every run; asserted not to get worse by more than 0.3 LU.
 * Remove an entry once it is met (the run says so).
 */
const RACK_PENDING: Record<string, number> = {};
/**
 * Example 2's fresh start: the gain's error at 1 s (against the constant gain for the opening 3 s, metrics.ts
 * freshGain), dB, by ride setting. Riding, the fader glides from 0 to -5.2 dB in the first 0.2 s and then rises by
 * 2.4 dB in the first second and 5 dB over the first 3 s: the wanted gain moves, and the first estimate (a mean
 * over the second heard) lags it by about 1 dB. Printed as NOT MET. Asserted: no worse than 0.3 dB past the
 * recorded value, and the measure out of reach of any exact causal gain too (metrics.ts freshOracleHeard,
 * freshOracleWindow: the ideal gains of all the audio heard and of the last 400 ms miss 1 dB), with the law
 * within 0.3 dB of the nearer of the two.
 */
const FRESH_PENDING: Record<string, number> = { riding: 1.68 };

t('example 1 survives the rack\'s extremes: after each move (output +-12 dB, drive and make-up max, each stage off / on) the match output is within 1 LU of the reference from 2 s on', async () => {
  await session.page.reload();
  const r = await offline<{ moves: MoveResult[]; nonFinite: number; seconds: number; readouts: number }>('rackExtremes');
  console.log(`  example 1, rack extremes (offline, ${r.seconds} s): I(out) - I(ref) over [move + 2 s, move + 6 s), LU; during the first 2 s; what the rack adds; gain settled (within 1 dB) after\n` +
    r.moves.map((m) => `    ${(m.at + ' s').padStart(5)} ${m.name.padEnd(36)} ${fmt(m.error).padStart(6)} ${fmt(m.errorDuring).padStart(7)}   rack ${fmt(m.rackAdds, 1).padStart(6)} LU   gain ${fmt(m.applied, 1).padStart(6)} dB   settled ${fmt(m.settle, 2).replace('+', '').padStart(5)} s${m.atRangeLimit ? '  AT RANGE LIMIT' : ''}${m.atCeiling ? '  AT CEILING' : ''}`).join('\n'));
  assert.is(r.nonFinite, 0, 'no NaN or infinite sample');
  assert.ok(r.readouts >= 20 * r.seconds, `readouts ${r.readouts}`);
  const pending: string[] = [];
  for (const m of r.moves) {
    assert.ok(m.outLoudness > -40, `${m.name}: the output is not silent (${m.outLoudness.toFixed(1)} LUFS)`);
    assert.not.ok(m.atRangeLimit, `${m.name}: the match instance's range holds it`);
    const what = `${m.name} at ${m.at} s: I(out) - I(ref) ${fmt(m.error)} LU from 2 s after the move (rack adds ${fmt(m.rackAdds, 1)} LU, gain ${fmt(m.applied, 1)} dB)`;
    const was = RACK_PENDING[m.name];
    if (was === undefined) assert.ok(Math.abs(m.error) <= 1, what);
    else {
      pending.push(`${what}${Math.abs(m.error) <= 1 ? ': met now, remove it from RACK_PENDING' : ''}`);
      assert.ok(Math.abs(m.error) <= Math.abs(was) + 0.3, `${what}: worse than the ${was} LU recorded as pending`);
    }
  }
  if (pending.length) console.log(`  !!! issue 9 goal (within 1 LU 2 s after a move) NOT MET yet:\n    ${pending.join('\n    ')}`);
  assert.equal(session.problems, []);
});

t('example 1, the verse at the rack\'s defaults: the match gain does not breathe with the bars while it settles (offline, every readout over 5-7.5 s)', async () => {
  const r = await offline<{ gains: number[]; nonFinite: number }>('verseGain', { from: 5, to: 7.5 });
  assert.is(r.nonFinite, 0, 'no NaN or infinite sample');
  assert.ok(r.gains.length >= 50, `readouts ${r.gains.length}`);
  const spread = Math.max(...r.gains) - Math.min(...r.gains);
  console.log(`  example 1, verse 5-7.5 s (offline): applied gain ${Math.min(...r.gains).toFixed(2)} .. ${Math.max(...r.gains).toFixed(2)} dB, spread ${spread.toFixed(2)} dB over ${r.gains.length} readouts`);
  // The estimate ripples +-0.45 dB with the verse's 1 s pattern; switching the gain onto it at each bar's peak
  // spread it to 0.50 dB (dsp/gain-law.ts OPENING_NOTE); the real-time test above allows 0.5.
  assert.ok(spread <= 0.35, `gain spread ${spread.toFixed(2)} dB`);
  assert.equal(session.problems, []);
});

/**
 * What example 2's note says, measured: the output comes back to the target "within about 3 s" of a jump, and
 * with the fader riding "the output swings about half as far as the input".
 */
const BUS_SETTLE_S = 3.5;
const BUS_RIDE_SWING = 0.55;

t('example 2 does what its note says: back at -18 LUFS within about 3 s of a jump, about as soon as a gain that knew the jumps; riding, half the swing; true peak under the ceiling', async () => {
  await session.page.reload();
  const lede = await session.page.textContent('#example-target-title + .lede');
  assert.ok(lede?.includes('brings it back there') && !lede.includes('holds'), `the lede promises no more than is measured: ${lede}`);
  const note = await session.page.textContent('.bus-note');
  assert.ok(note?.includes('within about 3 s') && note.includes('half as far'), `the note says what is measured here: ${note}`);
  const rows: string[] = [];
  for (const ride of [false, true]) {
    const r = await offline<BusLoop>('busLoop', { ride });
    const m = r.metrics;
    const { early, late } = r.oracle;
    const swing = (x: [number, number]) => x[1] - x[0];
    rows.push(`${ride ? 'fader riding' : 'defaults    '}: within 1 LU ${(m.within1 * 100).toFixed(0)} %, within 0.5 LU ${(m.within05 * 100).toFixed(0)} % (after 2 s), mean ${m.meanError.toFixed(2)} LU, worst ${m.worstError.toFixed(2)} LU, ` +
      `settle after the section jumps ${m.settle.map((x) => fmt(x, 1).replace('+', '')).join('/')} s, gain error at 1 s ${fmt(m.freshGain)} dB (M - target ${fmt(m.freshError)}, a constant gain's ${fmt(m.freshStatic)}; exact causal gains: of all heard ${fmt(m.freshOracleHeard)}, of the last 400 ms ${fmt(m.freshOracleWindow)}), true peak ${fmt(m.truePeakOver)} dB over the ${r.ceiling} dBTP ceiling\n` +
      `      a gain that knows each section's start and level, acting 0.4 s / 1 s into it: within 1 LU ${(early.within1 * 100).toFixed(0)} / ${(late.within1 * 100).toFixed(0)} %, mean ${early.meanError.toFixed(2)} / ${late.meanError.toFixed(2)} LU\n` +
      `      short-term swing from 4 s (5th..95th percentile): bus ${swing(r.inputSpread).toFixed(1)} LU, output ${swing(r.outputSpread).toFixed(1)} LU`);
    assert.is(r.nonFinite, 0);
    assert.is(r.target, -18);
    assert.ok(r.sectionSeconds < 15, 'sections under 15 s: the 85 % goal is for sections of 15 s or more; the share is reported');
    assert.ok(m.truePeakOver <= 0.1, `true peak ${fmt(m.truePeakOver)} dB over the ceiling`);
    // The gain's own part at 1 s (metrics.ts freshGain; freshError is the raw momentary error in target mode).
    const fresh = m.freshGain;
    const was = FRESH_PENDING[ride ? 'riding' : 'defaults'];
    if (was === undefined) assert.ok(Math.abs(fresh) <= 1, `fresh gain ${fmt(fresh)} dB off at 1 s`);
    else {
      const best = Math.min(Math.abs(m.freshOracleHeard), Math.abs(m.freshOracleWindow));
      console.log(`  !!! issue 9 goal (fresh start within 1 dB at 1 s) NOT MET on example 2 (${ride ? 'riding' : 'defaults'}): ${fmt(fresh)} dB${Math.abs(fresh) <= 1 ? ': met now, remove it from FRESH_PENDING' : ''}; the nearer exact causal gain ${fmt(best)} dB`);
      assert.ok(Math.abs(fresh) <= was + 0.3, `fresh gain ${fmt(fresh)} dB off at 1 s: worse than the ${was} dB recorded as pending`);
      assert.ok(best > 1, `an exact causal gain meets 1 dB here (${fmt(best)} dB): the law must too`);
      assert.ok(Math.abs(fresh) <= best + 0.3, `fresh gain ${fmt(fresh)} dB, more than 0.3 dB past the nearer exact causal gain (${fmt(best)} dB)`);
    }
    if (!ride) {
      // "Within about 3 s": every jump with 4 s of its section left to show it (the render ends 2 s after the last).
      let checked = 0;
      m.settle.forEach((x, k) => {
        if (r.jumps[k] + 4 > r.seconds) return;
        checked++;
        assert.ok(x <= BUS_SETTLE_S, `jump ${k + 1} at ${r.jumps[k]} s: settled after ${fmt(x, 1)} s`);
      });
      assert.ok(checked >= 3, `${checked} jumps checked`);
      // The law against a gain that knew when each section starts and acted 1 s in: a jump of 3-5 LU amid a bar's
      // +-2.5 LU of momentary wander takes about that long to tell. Acting 0.4 s in would reach 74 %.
      assert.ok(m.within1 >= late.within1 - 0.05, `within 1 LU ${(m.within1 * 100).toFixed(0)} %, the 1 s yardstick ${(late.within1 * 100).toFixed(0)} %`);
      assert.ok(m.meanError <= late.meanError + 0.15, `mean ${m.meanError.toFixed(2)} LU, the 1 s yardstick ${late.meanError.toFixed(2)}`);
      assert.ok(early.within1 > m.within1, 'the yardstick that acts at 0.4 s is ahead (it knows the jumps): the comparison is not vacuous');
    } else {
      // "Half as far": the ride (-20 dB at its bottom, with the breakdown below the range's +24 dB) against the output.
      assert.ok(swing(r.inputSpread) >= 25, `the ride swings the bus by ${swing(r.inputSpread).toFixed(1)} LU`);
      assert.ok(swing(r.outputSpread) <= BUS_RIDE_SWING * swing(r.inputSpread), `riding: the output swings ${swing(r.outputSpread).toFixed(1)} LU against the bus's ${swing(r.inputSpread).toFixed(1)}`);
    }
    // Floors a little under what main's gain law (eca88c3) measures (55 %, mean 1.02 LU; riding the fader 19 %,
    // 2.71 LU), so the demo's bus gets no worse; the 85 % is for sections of 15 s or more.
    if (!ride) assert.ok(m.within1 >= 0.5 && m.meanError <= 1.2, `within 1 LU ${(m.within1 * 100).toFixed(0)} %, mean ${m.meanError.toFixed(2)} LU`);
    else assert.ok(m.within1 >= 0.15 && m.meanError <= 3, `riding: within 1 LU ${(m.within1 * 100).toFixed(0)} %, mean ${m.meanError.toFixed(2)} LU`);
  }
  console.log(`  example 2, one 34 s pass of the loop (offline):\n    ${rows.join('\n    ')}`);
  assert.equal(session.problems, []);
});

test.run();
