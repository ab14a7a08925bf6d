// Page side of the GUI's real-browser tests (host-test/gui.browser.test.ts). Plain JavaScript served as-is.
// Hosts the BUILT plugin as a WAM host does (initializeWamHost, import() of dist/plugin/index.js,
// createInstance, createGui) in a realtime AudioContext, and keeps a ledger of animation frames, event
// listeners and observers so a test can prove that destroyGui() leaves nothing running.
import { initializeWamHost } from '/node_modules/@webaudiomodules/sdk/dist/index.js';
import { programme } from '/host-test/pages/plugin-host.js';

// ---- the ledger: installed before any GUI code loads ----
const ledger = {
  recording: false,
  frames: new Map(), // rAF id -> true while pending
  framesRun: 0,
  listeners: [], // { target, type, listener, capture }
  observers: new Set(), // observers with at least one observed target
};
const rawRaf = window.requestAnimationFrame.bind(window);
const rawCaf = window.cancelAnimationFrame.bind(window);
window.requestAnimationFrame = (cb) => {
  const id = rawRaf((t) => {
    ledger.frames.delete(id);
    if (ledger.recording) ledger.framesRun++;
    cb(t);
  });
  if (ledger.recording) ledger.frames.set(id, true);
  return id;
};
window.cancelAnimationFrame = (id) => {
  ledger.frames.delete(id);
  rawCaf(id);
};
const rawAdd = EventTarget.prototype.addEventListener;
const rawRemove = EventTarget.prototype.removeEventListener;
const captureOf = (o) => (typeof o === 'boolean' ? o : !!(o && o.capture));
EventTarget.prototype.addEventListener = function (type, listener, options) {
  if (ledger.recording && listener) ledger.listeners.push({ target: this, type, listener, capture: captureOf(options) });
  return rawAdd.call(this, type, listener, options);
};
EventTarget.prototype.removeEventListener = function (type, listener, options) {
  const capture = captureOf(options);
  ledger.listeners = ledger.listeners.filter((l) => !(l.target === this && l.type === type && l.listener === listener && l.capture === capture));
  return rawRemove.call(this, type, listener, options);
};
for (const Obs of [ResizeObserver, IntersectionObserver, MutationObserver]) {
  const observe = Obs.prototype.observe;
  const disconnect = Obs.prototype.disconnect;
  Obs.prototype.observe = function (...a) {
    if (ledger.recording) ledger.observers.add(this);
    return observe.apply(this, a);
  };
  Obs.prototype.disconnect = function () {
    ledger.observers.delete(this);
    return disconnect.call(this);
  };
}

/** True when `target` lives inside `el` (its light or any shadow tree): it goes away with the element. */
function inside(el, target) {
  let n = target;
  while (n && n !== document) {
    if (n === el) return true;
    const root = n.getRootNode();
    n = n.parentNode ?? (root instanceof ShadowRoot ? root.host : null);
  }
  return false;
}

// ---- hosting ----
const state = { ctx: null, wam: null, gui: null, source: null, other: null };
const PLUGIN_URL = '/dist/plugin/index.js';

/**
 * Creates a LevelMatch instance (optionally with an initial state) and its GUI, sized width x height CSS px
 * (0 = the GUI's default), on a realtime AudioContext. With `audio`, a looping programme plays through it; in
 * match mode a reference instance on the same link gets the same programme 6 dB quieter.
 */
export async function open({ width = 0, height = 0, initialState, audio = false, record = false } = {}) {
  const ctx = new AudioContext({ sampleRate: 48000 });
  const [groupId] = await initializeWamHost(ctx);
  const { default: LevelMatch } = await import(PLUGIN_URL);
  const wam = await LevelMatch.createInstance(groupId, ctx, initialState);
  Object.assign(state, { ctx, wam });
  if (audio) {
    const src = new AudioBufferSourceNode(ctx, { buffer: programme(ctx, 4), loop: true });
    const ref = await LevelMatch.createInstance(groupId, ctx, { format: 'levelmatch', version: 1, parameters: { mode: 0, link: 1 }, gain: 0, channels: 2 });
    const quiet = new GainNode(ctx, { gain: 0.5 });
    src.connect(ref.audioNode).connect(ctx.destination);
    src.connect(quiet).connect(wam.audioNode).connect(ctx.destination);
    src.start();
    state.source = src;
    state.other = ref;
  }
  if (record) {
    ledger.recording = true;
    ledger.framesRun = 0;
  }
  const gui = await wam.createGui();
  if (width > 0) gui.style.width = `${width}px`;
  if (height > 0) gui.style.height = `${height}px`;
  if (document.getElementById('before') === null) {
    const before = document.createElement('button');
    before.id = 'before';
    before.textContent = 'before the GUI';
    document.body.prepend(before);
  }
  document.body.append(gui);
  state.gui = gui;
  await gui.updateComplete;
  const box = gui.getBoundingClientRect();
  return { width: box.width, height: box.height, tag: gui.tagName.toLowerCase(), state: ctx.state };
}

export async function close() {
  if (state.gui && state.wam) state.wam.destroyGui(state.gui);
  state.source?.stop();
  state.wam?.audioNode.destroy();
  state.other?.audioNode.destroy();
  await state.ctx?.close();
  Object.assign(state, { ctx: null, wam: null, gui: null, source: null, other: null });
  ledger.recording = false;
  ledger.frames.clear();
  ledger.listeners = [];
  ledger.observers.clear();
}

export const wam = () => state.wam;
export const gui = () => state.gui;
export const ctx = () => state.ctx;

/** Plain parameter values, through the node's public API. */
export async function params() {
  const v = await state.wam.audioNode.getParameterValues(false);
  return Object.fromEntries(Object.entries(v).map(([id, d]) => [id, d.value]));
}

/** Schedules host automation `seconds` from now (a wam-automation event, as a DAW's automation lane sends). */
export function automate(id, value, seconds) {
  const time = state.ctx.currentTime + seconds;
  state.wam.audioNode.scheduleEvents({ type: 'wam-automation', time, data: { id, value, normalized: false } });
  return time;
}

/** Every control of the GUI: data-param (or label), role, accessible state. */
export function controls() {
  const root = state.gui.shadowRoot;
  return [...root.querySelectorAll('levelmatch-knob, levelmatch-segmented, levelmatch-toggle')].map((el) => describe(el));
}

/** A widget's accessible description, from its focusable inner element. */
export function describe(el) {
  const inner = el.shadowRoot.querySelector('[role], button');
  const checked = inner.getAttribute('role') === 'radiogroup' ? [...inner.querySelectorAll('[role=radio]')].findIndex((r) => r.getAttribute('aria-checked') === 'true') : null;
  return {
    tag: el.tagName.toLowerCase(),
    param: el.dataset.param ?? null,
    name: inner.getAttribute('aria-label') ?? inner.textContent.trim(),
    role: inner.getAttribute('role') ?? inner.tagName.toLowerCase(),
    valuenow: inner.getAttribute('aria-valuenow'),
    valuetext: inner.getAttribute('aria-valuetext'),
    pressed: inner.getAttribute('aria-pressed'),
    checked,
  };
}

/** The widget (host element) holding keyboard focus, described; null when focus is outside the GUI. */
export function focused() {
  let a = document.activeElement;
  if (a !== state.gui) return null;
  let widget = null;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) {
    a = a.shadowRoot.activeElement;
    if (a.tagName.startsWith('LEVELMATCH-')) widget = a;
  }
  return widget === null ? null : { ...describe(widget), focusRing: getComputedStyle(a).outlineStyle !== 'none' || getComputedStyle(a, ':focus-visible').outlineStyle !== 'none' };
}

/** A control's host element by data-param (first match). */
export function control(param) {
  return state.gui.shadowRoot.querySelector(`[data-param="${param}"]`);
}

/** Centre of a control's focusable part in page coordinates. */
export function centre(param) {
  const el = control(param);
  const inner = el.shadowRoot.querySelector('[role=slider], [role=radiogroup], button');
  const b = inner.getBoundingClientRect();
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** Text of the status line and of a meter's numbers (for "the meters move"). */
export function readings() {
  const root = state.gui.shadowRoot;
  // A meter's numbers and its bars' positions (the covers over the bars scale with the level).
  const meter = (id) => {
    const m = root.querySelector(id)?.shadowRoot;
    if (!m) return null;
    const bars = [...m.querySelectorAll('.cover')].map((c) => c.style.transform).join(' ');
    return `${m.textContent.replace(/\s+/g, ' ').trim()} | ${bars}`;
  };
  const r = state.wam.audioNode.readout;
  return {
    status: root.querySelector('.status')?.textContent.trim(),
    ref: meter('#meter-ref'),
    out: meter('#meter-out'),
    gain: root.querySelector('levelmatch-gain')?.shadowRoot.textContent.replace(/\s+/g, ' ').trim(),
    readout: r && { applied: r.gain.applied, refS: r.reference.shortTerm, outS: r.output.shortTerm, frame: r.frame },
  };
}

/** A cheap fingerprint of the history canvas: how many pixels are not the background, and a hash. */
export function historyPixels() {
  const h = state.gui.shadowRoot.querySelector('levelmatch-history');
  const canvas = h.shadowRoot.querySelector('canvas');
  // Read through a copy made for reading, so the GUI's own canvas keeps its GPU-friendly settings.
  const copy = document.createElement('canvas');
  copy.width = canvas.width;
  copy.height = canvas.height;
  const c = copy.getContext('2d', { willReadFrequently: true });
  c.drawImage(canvas, 0, 0);
  const { data } = c.getImageData(0, 0, canvas.width, canvas.height);
  let lit = 0;
  let hash = 0;
  for (let i = 0; i < data.length; i += 4) {
    const sum = data[i] + data[i + 1] + data[i + 2];
    if (sum > 150) lit++;
    hash = (Math.imul(hash, 31) + sum) | 0;
  }
  return { lit, hash, width: canvas.width, height: canvas.height, animating: h.animating };
}

/** What is still alive from the GUI after destroyGui: pending frames, listeners outside it, observers. */
export function leftovers(el) {
  const outside = ledger.listeners.filter((l) => !inside(el, l.target));
  return {
    pendingFrames: ledger.frames.size,
    framesRun: ledger.framesRun,
    listeners: outside.map((l) => `${l.target.constructor.name}:${l.type}`),
    observers: ledger.observers.size,
  };
}

/** Destroys the GUI (the host's destroyGui), keeping a handle to inspect afterwards. */
export function destroy() {
  const el = state.gui;
  state.wam.destroyGui(el);
  state.gui = null;
  window.__destroyed = el;
  return { connected: el.isConnected };
}

export function destroyedLeftovers() {
  return leftovers(window.__destroyed);
}

/**
 * Installs window.__drawHistory(n): draws the GUI's history graph n times (its private draw(), as its frame
 * callback does), full of data, so a test can weigh the JS heap allocated per frame.
 */
export function prepareHistoryDraws() {
  const h = state.gui.shadowRoot.querySelector('levelmatch-history');
  for (let i = 0; i < 800; i++) h.push(-20 + 3 * Math.sin(i / 30), -21 + 3 * Math.sin(i / 25), 4 * Math.sin(i / 40));
  window.__drawHistory = (n) => {
    for (let i = 0; i < n; i++) h.draw();
    return n;
  };
  for (let i = 0; i < 5; i++) window.__drawHistory(2000); // warm up: optimised code, font caches
}

export function resetFrameCount() {
  ledger.framesRun = 0;
}

/**
 * Every control inside the GUI a user can operate (through the widgets' shadow roots): visible, not disabled,
 * clickable or focusable. Each with its widget's data-param (null for Learn, Hold, Reset), name and role.
 */
export function enabledControls() {
  const out = [];
  const walk = (root, widget) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot, el);
      if (!el.matches('button, input, select, textarea, [role=slider], [role=radio]')) continue;
      if (el.disabled || el.getAttribute('aria-disabled') === 'true') continue;
      if (el.matches('[role=slider]') && el.tabIndex < 0) continue;
      const b = el.getBoundingClientRect();
      if (b.width === 0 || b.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      out.push({
        param: widget?.dataset.param ?? null,
        name: el.getAttribute('aria-label') ?? el.textContent.trim(),
        role: el.getAttribute('role') ?? el.tagName.toLowerCase(),
      });
    }
  };
  walk(state.gui.shadowRoot, null);
  return out;
}

/** The GUI's visible texts that name things: meter labels and history legend entries. */
export function labels() {
  const root = state.gui.shadowRoot;
  return {
    meters: [...root.querySelectorAll('levelmatch-meter')].map((m) => m.shadowRoot.querySelector('.label').textContent.trim()),
    legend: [...root.querySelector('levelmatch-history').shadowRoot.querySelectorAll('.legend span:not(.title)')].map((s) => s.textContent.trim()),
    gainPanel: root.querySelector('levelmatch-gain') !== null,
  };
}

/** Page boxes (getBoundingClientRect) of elements inside the GUI's shadow root, by selector (first match each). */
export function boxes(selectors) {
  const root = state.gui.shadowRoot;
  const box = (el) => {
    if (!el) return null;
    const b = el.getBoundingClientRect();
    return { left: b.left, top: b.top, right: b.right, bottom: b.bottom, width: b.width, height: b.height };
  };
  const g = box(state.gui);
  return { gui: g, ...Object.fromEntries(selectors.map((s) => [s, box(root.querySelector(s))])) };
}

/** The settle line under the gain (seconds learned, drift, auto-lock): its words, state, bar and box. */
export function settle() {
  const root = state.gui.shadowRoot;
  const el = root.querySelector('.settle');
  if (!el) return null;
  const t = (sel) => el.querySelector(sel).textContent;
  const b = el.getBoundingClientRect();
  const r = state.wam.audioNode.readout;
  return {
    state: el.dataset.state,
    head: t('.shead'),
    drift: t('.sdrift'),
    lock: t('.slock'),
    label: el.getAttribute('aria-label'),
    title: el.title,
    fill: el.querySelector('.sfill').style.transform,
    visible: b.width > 0 && b.height > 0 && getComputedStyle(el).display !== 'none',
    readout: r && { frame: r.frame, estimateSeconds: r.estimateSeconds, drift: r.drift, locked: r.status.locked, autoLock: r.parameters.autoLock },
  };
}
