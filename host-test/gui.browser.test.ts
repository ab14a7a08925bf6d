// The plugin's GUI in a real browser (headless Debian Chromium), created by the built plugin's createGui() on a
// realtime AudioContext, as a web DAW would. Page side: host-test/pages/gui-host.js. Screenshots of the compact
// and the large size are written to host-test/out/ (look at them).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { browserSession, REPO_ROOT } from './browser-session.ts';
import { PARAMETER_IDS, PARAMETERS, parameterIndex } from '../wam/parameters.ts';

const { t, session } = browserSession();
const OUT = path.join(REPO_ROOT, 'host-test/out');

interface Control {
  tag: string;
  param: string | null;
  name: string;
  role: string;
  valuenow: string | null;
  valuetext: string | null;
  pressed: string | null;
  checked: number | null;
}

/** Calls an export of gui-host.js on the page. */
function call<T>(name: string, ...args: unknown[]): Promise<T> {
  return session.page.evaluate(
    ([n, a]) => import('/host-test/pages/gui-host.js' as string).then((m) => m[n as string](...(a as unknown[]))),
    [name, args] as const,
  ) as Promise<T>;
}
const params = () => call<Record<string, number>>('params');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STATE = (parameters: Record<string, number>) => ({ format: 'levelmatch', version: 1, parameters, gain: 0, channels: 2 });

/** Polls `f` until it returns true or `ms` pass; returns the last value it saw. */
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  let v = await f();
  while (!ok(v) && Date.now() < end) {
    await sleep(50);
    v = await f();
  }
  return v;
}

test.before.each(async () => {
  if (session.page) await session.page.setViewportSize({ width: 1280, height: 800 });
});
test.after.each(async () => {
  if (session.page) await call('close');
});

t('createGui renders every control at the stated default size, with no console noise', async () => {
  const r = await call<{ width: number; height: number; tag: string }>('open', {});
  assert.is(r.tag, 'levelmatch-gui');
  assert.equal([r.width, r.height], [760, 500], 'default size 760 x 500');
  const cs = await call<Control[]>('controls');
  const params = new Set(cs.map((c) => c.param).filter((p) => p !== null));
  for (const id of PARAMETER_IDS) assert.ok(params.has(id), `a control for ${id}`);
  for (const c of cs) assert.ok(c.name.length > 0, `${c.tag} ${c.param} has an accessible name`);
  const knobs = cs.filter((c) => c.role === 'slider' && c.param !== 'link');
  for (const k of knobs) {
    const p = PARAMETERS[parameterIndex(k.param!)];
    assert.is(Number(k.valuenow), p.defaultValue, `${k.param} shows its default`);
    assert.ok(k.valuetext!.includes(p.units), `${k.param} value text "${k.valuetext}" has its unit ${p.units}`);
  }
  assert.is(cs.find((c) => c.param === 'mode')!.checked, 1, 'mode: match');
  // The realtime context runs (on silence) and this match instance has no reference instance on its link.
  const status = await until(() => call<{ status: string }>('readings'), (r) => r.status !== 'Waiting for audio');
  assert.is(status.status, 'No reference on link 1');
  assert.equal(session.problems, []);
});

t('with audio: meters, gain, status and history move, and the match settles', async () => {
  await call('open', { audio: true });
  const first = await until(() => call<{ readout: { frame: number } | null }>('readings'), (r) => r.readout !== null);
  assert.ok(first.readout !== null, 'readouts arrive');
  await sleep(1500);
  const a = await call<{ status: string; ref: string; out: string; gain: string }>('readings');
  const pa = await call<{ lit: number; hash: number; animating: boolean }>('historyPixels');
  await sleep(1500);
  const b = await call<{ status: string; ref: string; out: string; gain: string; readout: { applied: number; refS: number; outS: number } }>('readings');
  const pb = await call<{ lit: number; hash: number }>('historyPixels');
  assert.is(b.status, 'Matching reference on link 1');
  assert.not.equal(a.ref, b.ref, 'reference meter numbers change');
  assert.not.equal(a.out, b.out, 'output meter numbers change');
  assert.ok(pb.lit > 200, `history draws lines (${pb.lit} lit pixels)`);
  assert.not.equal(pa.hash, pb.hash, 'the history moves');
  assert.ok(pa.animating !== undefined);
  // The match instance gets the programme 6 dB quieter than its reference: the gain heads for +6 dB.
  const settled = await until(
    () => call<{ gain: string; readout: { applied: number; refS: number; outS: number } }>('readings'),
    (r) => Math.abs(r.readout.applied - 6.02) < 0.3,
    8000,
  );
  assert.ok(Math.abs(settled.readout.applied - 6.02) < 0.3, `gain ${settled.readout.applied}`);
  assert.match(settled.gain, /\+6\.0|\+5\.9|\+6\.1/, `the big number shows it: ${settled.gain}`);
  assert.equal(session.problems, []);
});

interface Settle {
  state: string; head: string; drift: string; lock: string; label: string; title: string; fill: string; visible: boolean;
  readout: { frame: number; estimateSeconds: number; drift: number; locked: boolean; autoLock: number } | null;
}
const settle = () => call<Settle>('settle');
/** What the settle line must say for the readout it last got (the GUI writes it on each readout event). */
const driftText = (db: number) => `drift ${Number.isFinite(db) ? `${db.toFixed(1)} dB` : '\u2014'}`;

t('the settle line: seconds learned and drift from the readouts, "Settled" once steady, auto-lock locks and says so', async () => {
  await call('open', { audio: true });
  const first = await until(settle, (s) => s.readout !== null && s.state !== 'none' && s.readout.estimateSeconds >= 1);
  assert.ok(first.visible, 'the settle line is shown under the gain');
  assert.is(first.state, 'settling');
  const agree = (s: Settle, word: string) => {
    assert.is(s.head, `${word} ${Math.floor(s.readout!.estimateSeconds)} s`, `head "${s.head}" for ${s.readout!.estimateSeconds.toFixed(2)} s`);
    assert.is(s.drift, driftText(s.readout!.drift));
    assert.match(s.title, /of programme behind the gain estimate/);
    assert.ok(s.label.startsWith(s.head), `accessible label "${s.label}"`);
  };
  agree(first, 'Settling');
  assert.is(first.lock, '', 'auto-lock is off by default: nothing said about it');
  // It counts up with the audio and turns "Settled" (6 s, drift <= 0.3 dB) on this steady loop.
  const later = await until(settle, (s) => s.state === 'settled', 12000);
  assert.is(later.state, 'settled', `after ${later.readout!.estimateSeconds.toFixed(1)} s, drift ${later.readout!.drift.toFixed(2)} dB: "${later.label}"`);
  agree(later, 'Settled');
  assert.ok(later.readout!.estimateSeconds >= 6 && later.readout!.drift <= 0.3);
  assert.is(later.fill, 'scaleX(1)', 'the bar is full');
  assert.ok(later.readout!.estimateSeconds > first.readout!.estimateSeconds + 4, 'the seconds count up');
  // Auto-lock on (host automation through the parameter API): the line says so, then "Locked" once it holds.
  await call('automate', 'autoLock', 1, 0.05);
  const locked = await until(settle, (s) => s.state === 'locked', 6000);
  assert.is(locked.state, 'locked', `auto-lock: "${locked.label}"`);
  assert.ok(locked.readout!.locked && locked.readout!.autoLock === 1);
  agree(locked, 'Locked');
  const status = await call<{ status: string }>('readings');
  assert.match(status.status, /^Locked at [+\u2212]\d+\.\d dB/);
  // Boxes: beside the status line (or under it when narrow), above the gain panel, inside the GUI, apart from the status.
  const b = await call<Record<string, { left: number; top: number; right: number; bottom: number } | null>>('boxes', ['.status', '.settle', '.gaincol', 'header']);
  const st = b['.settle']!;
  assert.ok(st.left >= b.gui!.left && st.right <= b.gui!.right && st.top >= b.header!.bottom && st.bottom <= b['.gaincol']!.top, JSON.stringify(b));
  assert.ok(st.left >= b['.status']!.right - 0.5 || st.top >= b['.status']!.bottom - 0.5, `settle and status apart: ${JSON.stringify(b)}`);
  console.log(`  settle line: "${first.label}" at ${first.readout!.estimateSeconds.toFixed(1)} s, "${later.label}", then "${locked.label}"`);
  assert.equal(session.problems, []);
});

t('the settle line with auto-lock armed from a state, in target mode, and none for a reference instance', async () => {
  await call('open', { audio: true, initialState: STATE({ mode: 3, autoLock: 1 }) });
  const s = await until(settle, (x) => x.readout !== null && x.state !== 'none');
  assert.ok(s.state === 'settling' || s.state === 'locked', s.state);
  if (s.state === 'settling') assert.is(s.lock, 'Auto-lock on');
  assert.match(s.title, /Auto-lock (will hold|holds) the gain/);
  await call('close');
  await call('open', { audio: true, initialState: STATE({ mode: 0, link: 2 }) });
  await until(() => call<{ readout: unknown }>('readings'), (r) => r.readout !== null);
  const ref = await settle();
  assert.equal([ref.state, ref.visible, ref.head], ['none', false, ''], 'a reference instance has no gain and shows no settle line');
  assert.equal(session.problems, []);
});

t('moving controls changes the parameters (drag, fine drag, wheel, double-click, typing, clicks)', async () => {
  await call('open', {});
  const page = session.page;
  // Drag the tolerance knob up 50 px: a quarter of its 200 px travel over 0..3 dB = +0.75 dB from 0.5.
  let c = await call<{ x: number; y: number }>('centre', 'tolerance');
  await page.mouse.move(c.x, c.y);
  await page.mouse.down();
  await page.mouse.move(c.x, c.y - 25, { steps: 5 });
  await page.mouse.move(c.x, c.y - 50, { steps: 5 });
  await page.mouse.up();
  let p = await until(params, (v) => v.tolerance !== 0.5);
  assert.ok(Math.abs(p.tolerance - 1.25) < 0.02, `tolerance ${p.tolerance}`);
  // Shift: ten times finer. 50 px -> +0.075 dB.
  await page.mouse.move(c.x, c.y);
  await page.keyboard.down('Shift');
  await page.mouse.down();
  await page.mouse.move(c.x, c.y - 50, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  p = await until(params, (v) => Math.abs(v.tolerance - 1.25) > 0.01);
  assert.ok(Math.abs(p.tolerance - 1.325) < 0.01, `fine tolerance ${p.tolerance}`);
  // Double-click: back to the default.
  await page.mouse.dblclick(c.x, c.y);
  p = await until(params, (v) => v.tolerance === 0.5);
  assert.is(p.tolerance, 0.5);
  // Wheel over the offset knob: one notch up = one key step (0.1 dB).
  c = await call('centre', 'offset');
  await page.mouse.move(c.x, c.y);
  await page.mouse.wheel(0, -100);
  p = await until(params, (v) => v.offset !== 0);
  assert.ok(Math.abs(p.offset - 0.1) < 1e-9, `offset ${p.offset}`);
  // Type a value: Enter opens the editor on the focused knob.
  await page.mouse.click(c.x, c.y);
  await page.keyboard.press('Enter');
  await page.keyboard.type('-6.5 dB');
  await page.keyboard.press('Enter');
  p = await until(params, (v) => v.offset === -6.5);
  assert.is(p.offset, -6.5);
  // Segmented choice and toggles.
  const mode = await session.page.evaluate(() => import('/host-test/pages/gui-host.js' as string).then((m) => {
    const seg = m.control('mode');
    const radios = seg.shadowRoot.querySelectorAll('[role=radio]');
    const b = radios[3].getBoundingClientRect();
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  }));
  await page.mouse.click(mode.x, mode.y);
  c = await call('centre', 'bypass');
  await page.mouse.click(c.x, c.y);
  p = await until(params, (v) => v.mode === 3 && v.bypass === 1);
  assert.is(p.mode, 3, 'mode target');
  assert.is(p.bypass, 1, 'bypass on');
  // Learn, then press again to lock what was learned (hold); Hold released goes back to continuous.
  const button = (name: string) => session.page.evaluate((n) => import('/host-test/pages/gui-host.js' as string).then((m) => {
    const t = [...m.gui().shadowRoot.querySelectorAll('levelmatch-toggle')].find((el) => (el as HTMLElement).shadowRoot!.textContent!.includes(n))!;
    const b = (t as HTMLElement).shadowRoot!.querySelector('button')!.getBoundingClientRect();
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  }), name);
  c = await button('Learn');
  await page.mouse.click(c.x, c.y);
  p = await until(params, (v) => v.follow === 1);
  assert.is(p.follow, 1, 'Learn starts learning');
  await page.mouse.click(c.x, c.y);
  p = await until(params, (v) => v.follow === 2);
  assert.is(p.follow, 2, 'Learn pressed again locks the learned gain');
  c = await button('Hold');
  await page.mouse.click(c.x, c.y);
  p = await until(params, (v) => v.follow === 0);
  assert.is(p.follow, 0, 'Hold released: continuous');
  assert.equal(session.problems, []);
});

t('host automation and setState move the controls', async () => {
  await call('open', { audio: true });
  await until(() => call<{ readout: unknown }>('readings'), (r) => r.readout !== null);
  // Automation scheduled on the audio thread, 0.3 s ahead.
  await call('automate', 'gate', -40, 0.3);
  await call('automate', 'detector', 0, 0.3);
  // (Two calls: the second event's time may fall a quantum later than the first's.)
  const moved = await until(
    () => call<Control[]>('controls'),
    (cs) => cs.find((c) => c.param === 'gate')!.valuenow === '-40' && cs.find((c) => c.param === 'detector')!.checked === 0,
    3000,
  );
  assert.is(moved.find((c) => c.param === 'gate')!.valuenow, '-40');
  assert.is(moved.find((c) => c.param === 'detector')!.checked, 0);
  // setState from the host, with the audio stopped: the GUI re-reads the values.
  await session.page.evaluate(() => import('/host-test/pages/gui-host.js' as string).then((m) => m.ctx().suspend()));
  await session.page.evaluate(
    (s) => import('/host-test/pages/gui-host.js' as string).then((m) => m.wam().audioNode.setState(s)),
    STATE({ mode: 3, target: -23, tolerance: 2, ceilingOn: 0, follow: 2 }),
  );
  const after = await until(() => call<Control[]>('controls'), (cs) => cs.find((c) => c.param === 'target')!.valuenow === '-23', 3000);
  const by = (id: string) => after.find((c) => c.param === id)!;
  assert.is(by('target').valuenow, '-23');
  assert.is(by('tolerance').valuenow, '2');
  assert.is(by('mode').checked, 3);
  assert.is(by('follow').checked, 2);
  assert.is(by('ceilingOn').pressed, 'false');
  assert.equal(session.problems, []);
});

t('destroyGui leaves no animation frame, listener or observer running', async () => {
  await call('open', { audio: true, record: true });
  await sleep(1000);
  const d = await call<{ connected: boolean }>('destroy');
  assert.is(d.connected, false, 'the element is removed');
  await call('resetFrameCount');
  await sleep(500);
  const left = await call<{ pendingFrames: number; framesRun: number; listeners: string[]; observers: number }>('destroyedLeftovers');
  assert.equal(left, { pendingFrames: 0, framesRun: 0, listeners: [], observers: 0 });
  assert.equal(session.problems, []);
});

t('the history graph allocates no JS heap per frame', async () => {
  await call('open', {});
  // No audio: readouts arriving meanwhile would allocate (decoding them is not the graph's business).
  await session.page.evaluate(() => import('/host-test/pages/gui-host.js' as string).then((m) => m.ctx().suspend()));
  await call('prepareHistoryDraws');
  const cdp = await session.page.context().newCDPSession(session.page);
  await cdp.send('HeapProfiler.enable');
  /** JS heap growth (bytes) over __drawHistory(n), from a collected heap. */
  const growth = async (n: number) => {
    await cdp.send('HeapProfiler.collectGarbage');
    const a = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    await session.page.evaluate(`window.__drawHistory(${n})`);
    const b = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    return b - a;
  };
  // The difference between 2000 and 8000 frames cancels the evaluation's own cost. Garbage made per frame
  // shows up as growth; so much that a collection ran during the draws shows up as a negative number.
  const few = Math.min(await growth(2000), await growth(2000), await growth(2000));
  const many = Math.min(await growth(8000), await growth(8000), await growth(8000));
  const perFrame = (many - few) / 6000;
  console.log(`  history: ${perFrame.toFixed(3)} B of JS heap per drawn frame (${few} B after 2000 frames, ${many} B after 8000)`);
  assert.ok(Math.abs(perFrame) < 1, `${perFrame.toFixed(3)} B per frame`);
  await cdp.detach();
  assert.equal(session.problems, []);
});

t('keyboard: Tab reaches every control, with a visible focus ring, and the arrow keys change each', async () => {
  await call('open', {});
  const page = session.page;
  await page.evaluate(() => document.getElementById('before')!.focus());
  await page.keyboard.press('Tab');
  const seen: Control[] = [];
  const keys = new Set<string>();
  for (let i = 0; i < 60; i++) {
    const f = await call<(Control & { focusRing: boolean }) | null>('focused');
    if (f === null) break;
    const key = `${f.param ?? f.name}|${f.tag}`;
    if (keys.has(key)) break;
    keys.add(key);
    seen.push(f);
    assert.ok(f.focusRing, `${key} shows a focus ring`);
    await page.keyboard.press('Tab');
  }
  const reached = new Set(seen.map((c) => c.param));
  // In match mode every parameter acts but `target` (target mode's level), whose knob is disabled.
  for (const id of PARAMETER_IDS) {
    if (id === 'target') assert.not.ok(reached.has(id), 'Tab skips the disabled target knob in match mode');
    else assert.ok(reached.has(id), `Tab reaches ${id}; reached ${[...keys].join(', ')}`);
  }
  for (const name of ['Learn', 'Hold', 'Reset meters', 'Meter scale']) {
    assert.ok(seen.some((c) => c.name.includes(name)), `Tab reaches ${name}`);
  }
  // Arrow keys on every parameter control: focus it, press the key, check the parameter through the API.
  const before = await params();
  const tried: string[] = [];
  for (const c of seen) {
    if (c.param === null || c.param === 'scale' || tried.includes(c.param) || c.param === 'mode' || c.param === 'bypass') continue;
    tried.push(c.param);
    await page.evaluate((id) => import('/host-test/pages/gui-host.js' as string).then((m) => {
      const el = m.control(id);
      (el.shadowRoot.querySelector('[role=slider], [role=radio][tabindex="0"], button') as HTMLElement).focus();
    }), c.param);
    const key = c.role === 'radiogroup' || c.param === 'ceilingOn' ? (before[c.param] > 0 ? 'ArrowLeft' : 'ArrowRight') : before[c.param] >= PARAMETERS[parameterIndex(c.param)].maxValue ? 'ArrowDown' : 'ArrowUp';
    await page.keyboard.press(key);
    const after = await until(params, (v) => v[c.param!] !== before[c.param!], 2000);
    assert.not.equal(after[c.param], before[c.param], `${key} changes ${c.param}`);
  }
  assert.ok(tried.length >= PARAMETER_IDS.length - 3, `arrows tried on ${tried.join(', ')}`);
  assert.equal(session.problems, []);
});

interface Enabled { param: string | null; name: string; role: string }
const MODE_STATE = (mode: number, link = 1) => ({ format: 'levelmatch', version: 1, parameters: { mode, link } });

t('a reference-mode GUI offers no control that does nothing, and names only what it draws', async () => {
  // Link 3: the page's own reference (with audio) sends on link 1.
  await call('open', { audio: true, initialState: MODE_STATE(0, 3) });
  await until(() => call<{ status: string }>('readings'), (r) => r.status === 'Reference on link 3');
  const enabled = await call<Enabled[]>('enabledControls');
  const params = new Set(enabled.map((c) => c.param));
  assert.equal([...params].sort(), [null, 'link', 'mode', 'scale'].sort() as (string | null)[], `enabled: ${JSON.stringify(enabled)}`);
  assert.equal(enabled.filter((c) => c.param === null).map((c) => c.name), ['Reset meters']);
  const l = await call<{ meters: string[]; legend: string[]; gainPanel: boolean }>('labels');
  assert.equal(l, { meters: ['Input'], legend: ['In S'], gainPanel: false }, 'one meter, one history line, no gain panel');
  const status = await call<{ status: string }>('readings');
  assert.is(status.status, 'Reference on link 3');
  // The history draws the one line it names.
  await sleep(1500);
  const px = await call<{ lit: number }>('historyPixels');
  assert.ok(px.lit > 100, `the input line is drawn (${px.lit} lit pixels)`);
  assert.equal(session.problems, []);
});

t('a compact reference-mode GUI (a phone-width strip) still offers its link channel', async () => {
  // Every matched pair wants a link of its own (1..256): the reference end must be settable at any size.
  await call('open', { width: 330, height: 380, initialState: MODE_STATE(0, 3) });
  const enabled = await call<Enabled[]>('enabledControls');
  const params = new Set(enabled.map((c) => c.param));
  assert.ok(params.has('link'), `enabled: ${JSON.stringify(enabled)}`);
  assert.ok(params.has('mode'));
  await call('close');
  assert.equal(session.problems, []);
});

t('target and match GUIs disable what does not act in their mode and label their meters for it', async () => {
  await call('open', { initialState: MODE_STATE(3) });
  let enabled = await call<Enabled[]>('enabledControls');
  let params = new Set(enabled.map((c) => c.param));
  for (const off of ['latency', 'link']) assert.not.ok(params.has(off), `${off} disabled in target mode`);
  for (const on of ['target', 'listen', 'bypass', 'response', 'ceilingOn']) assert.ok(params.has(on), `${on} enabled in target mode`);
  const tip = await session.page.evaluate(() => import('/host-test/pages/gui-host.js' as string).then((m) => m.control('latency').title));
  assert.match(tip, /Acts in match, sidechain mode only/);
  const l = await call<{ meters: string[]; legend: string[] }>('labels');
  assert.equal(l.meters, ['Input', 'Output']);
  assert.equal(l.legend, ['In S', 'Out S', 'Gain'], 'no reference line in target mode');
  const ab = (await call<Enabled[]>('enabledControls')).find((c) => c.param === 'listen' && c.role === 'button')!;
  assert.match(ab.name, /input before the gain/);
  await call('close');
  await call('open', { initialState: MODE_STATE(1) });
  enabled = await call<Enabled[]>('enabledControls');
  params = new Set(enabled.map((c) => c.param));
  assert.not.ok(params.has('target'), 'target disabled in match mode');
  for (const on of ['latency', 'link', 'listen', 'bypass']) assert.ok(params.has(on), `${on} enabled in match mode`);
  assert.equal((await call<{ meters: string[] }>('labels')).meters, ['Reference', 'Output']);
  assert.equal(session.problems, []);
});

t('typed values: units convert, a decimal comma works, text that is not a value is refused visibly', async () => {
  await call('open', {});
  const page = session.page;
  /** Opens the type-in box of a knob (focus, Enter), types, and presses `end` ('Enter', or 'Tab' to blur). */
  const type = async (id: string, text: string, end: 'Enter' | 'Tab' = 'Enter') => {
    await page.evaluate((p) => import('/host-test/pages/gui-host.js' as string).then((m) => (m.control(p).shadowRoot.querySelector('[role=slider]') as HTMLElement).focus()), id);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(text);
    await page.keyboard.press(end);
  };
  const editor = (id: string) => page.evaluate((p) => import('/host-test/pages/gui-host.js' as string).then((m) => {
    const root = m.control(p).shadowRoot;
    const input = root.querySelector('.editor') as HTMLInputElement | null;
    const notice = root.querySelector('.notice') as HTMLElement | null;
    return {
      open: input !== null,
      invalid: input?.getAttribute('aria-invalid') ?? null,
      outline: input ? getComputedStyle(input).borderTopColor : null,
      notice: notice?.textContent ?? '',
      noticeVisible: notice !== null && notice.getBoundingClientRect().height > 0,
    };
  }), id);
  await type('response', '500 ms');
  let p = await until(params, (v) => v.response !== 2);
  assert.is(p.response, 0.5, '"500 ms" in Response is 0.5 s');
  await type('latency', '0,25 s');
  p = await until(params, (v) => v.latency !== 0);
  assert.is(p.latency, 250, '"0,25 s" in Latency is 250 ms');
  await type('offset', '-6,5 dB');
  p = await until(params, (v) => v.offset !== 0);
  assert.is(p.offset, -6.5, '"-6,5 dB" is -6.5 dB');
  await type('ceiling', '-1 dBTP');
  p = await until(params, (v) => v.ceiling !== 0);
  assert.is(p.ceiling, -1);
  // "abc" + Enter: refused, the box stays open, marked invalid, red, with a note; the value is unchanged.
  await type('offset', 'abc');
  let e = await editor('offset');
  assert.ok(e.open, 'the box stays open');
  assert.is(e.invalid, 'true', 'aria-invalid');
  assert.is(e.outline, 'rgb(255, 90, 90)', 'a red outline (--lm-danger)');
  assert.ok(e.noticeVisible, 'a visible note');
  assert.match(e.notice, /Not a number.*Unchanged/);
  await page.keyboard.press('Escape');
  // A unit of the wrong kind, then a blur: refused, the box closes, the note stays, the value is unchanged.
  await type('offset', '3 ms', 'Tab');
  e = await editor('offset');
  assert.not.ok(e.open);
  assert.match(e.notice, /“ms” is not a unit here/);
  await sleep(300);
  p = await params();
  assert.is(p.offset, -6.5, 'offset unchanged after "abc" and "3 ms"');
  // Out of range: clamped to the end, and a note says so.
  await type('response', '50 s');
  p = await until(params, (v) => v.response !== 0.5);
  assert.is(p.response, 30);
  e = await editor('response');
  assert.match(e.notice, /Out of range: set to the maximum, 30\.0 s/);
  assert.equal(session.problems, []);
});

t('screenshots: compact strip and large, with audio running', async () => {
  mkdirSync(OUT, { recursive: true });
  for (const [name, w, h] of [['gui-compact', 360, 200], ['gui-large', 1100, 680]] as const) {
    await call('open', { width: w, height: h, audio: true });
    await sleep(4000);
    const box = await session.page.evaluate(() => import('/host-test/pages/gui-host.js' as string).then((m) => {
      const b = m.gui().getBoundingClientRect();
      return { x: b.x, y: b.y, width: b.width, height: b.height };
    }));
    assert.equal([box.width, box.height], [w, h]);
    await session.page.screenshot({ path: path.join(OUT, `${name}.png`), clip: box });
    await call('close');
  }
  assert.equal(session.problems, []);
});

test.run();
