// Page-side scenarios for many plugin instances in one OfflineAudioContext (issue 16): the real-browser test
// host-test/scale.browser.test.ts and the Chromium rows of `npm run bench` (scripts/bench-scale.ts). Plain
// JavaScript served as-is; every function returns plain data.
//
// The session: `pairs` linked pairs (source -> reference -> GainNode -6 dB -> match), each on a link channel of
// its own (pair i on link i + 1, as a DAW session with a matched pair per track has them; at most 256; `links`
// fewer puts pair i on link 1 + i % links, the bench's shape before the link range grew: 16), and
// `targets` target instances (source -> target), every output summed into the destination. Any role may be
// replaced by a pass-through AudioWorklet (the floor of any worklet plugin: it copies input to output), so the
// same graph measures the floor and each role's cost.
import { initializeWamHost } from '/node_modules/@webaudiomodules/sdk/dist/index.js';
import { programme } from '/host-test/hosts/pages/lib.js';

const PLUGIN_URL = '/dist/plugin/index.js';
const PASS_THROUGH = `registerProcessor('levelmatch-bench-pass-through', class extends AudioWorkletProcessor {
  process(inputs, outputs) {
    const i = inputs[0], o = outputs[0];
    for (let c = 0; c < o.length; c++) if (i[c]) o[c].set(i[c]);
    return true;
  }
});`;

/**
 * The standard's arithmetic alone, as the bench's second floor: per role, only the metering BS.1770 and the
 * ceiling require, on LevelMatch's own meter (dsp/meter.ts, from dist/levelmatch.wasm, one WebAssembly instance
 * per scope, every meter on the instance's shared input buffers as the engines' are), with no gain law, no
 * link, no latency detection, no glue. A reference copies its input through and
 * into WebAssembly memory (what publishing costs at least); a match K-weights two stereo signals (its input twice,
 * standing in for its input and the reference) and applies a fixed gain; a target K-weights its input with true
 * peak on (the ceiling reads it; skipped where it cannot raise the reading, which asks less than the ceiling's
 * memory does) and applies a fixed gain. What a plugin built on this meter cannot go below, beside the
 * pass-through floor.
 */
const ARITHMETIC = `registerProcessor('levelmatch-bench-arithmetic', class extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { module, role } = options.processorOptions;
    globalThis.levelmatchArithmetic ??= new WebAssembly.Instance(module, {}).exports;
    const e = this.e = globalThis.levelmatchArithmetic;
    this.role = role;
    this.meters = [];
    const count = role === 'match' ? 2 : 1;
    for (let m = 0; m < count; m++) {
      const h = e.createSharedBufferMeter(sampleRate, 2, 128);
      e.enableTruePeak(h, role === 'target' ? 1 : 0);
      e.enableRms(h, 0);
      this.meters.push(h);
    }
    this.buffer = null;
    this.views = [];
    this.gain = 0.5;
  }
  refresh() {
    this.buffer = this.e.memory.buffer;
    this.views = this.meters.map((h) => [0, 1].map((c) => new Float32Array(this.buffer, this.e.inputPointer(h, c), 128)));
  }
  process(inputs, outputs) {
    const i = inputs[0], o = outputs[0];
    if (i.length < 2 || i[0].length !== 128) return true;
    if (this.buffer !== this.e.memory.buffer) this.refresh();
    const views = this.views;
    if (this.role === 'reference') {
      for (let c = 0; c < 2; c++) { o[c].set(i[c]); views[0][c].set(i[c]); }
      return true;
    }
    for (let m = 0; m < views.length; m++) {
      for (let c = 0; c < 2; c++) views[m][c].set(i[c]);
      this.e.processFrames(this.meters[m], 128);
    }
    const g = this.gain;
    for (let c = 0; c < 2; c++) {
      const x = i[c], y = o[c];
      for (let k = 0; k < 128; k++) y[k] = x[k] * g;
    }
    return true;
  }
});`;

const state = (parameters) => ({ format: 'levelmatch', version: 1, parameters });
const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/**
 * Builds a session in a new OfflineAudioContext. `roles`: { reference, match, target } each 'plugin', 'pass'
 * or 'arithmetic' (ARITHMETIC; default plugin). `matchParams`: extra parameters for every match instance. `watch`: a readout listener on
 * every plugin instance (as an open GUI would add). `passInputs`: inputs of the pass-through node (2: LevelMatch's
 * own shape, signal and sidechain). `distinct`: every pair's reference at its own level (0, -0.05, -0.1 ... dB)
 * and its effect at its own gain (-9 .. +3 dB), so a match instance that read another pair's reference would
 * be off by 0.05 dB or more; each match entry then has `expected`, the gain that matches its own pair.
 * Returns { ctx, plugins, start }.
 */
async function buildSession({ pairs, targets, seconds, roles = {}, watch = false, passInputs = 1, timeProcess = null, matchParams = {}, distinct = false, links = 256 }) {
  if (pairs > 256) throw new Error(`${pairs} pairs: there are 256 link channels`);
  const sr = 48000;
  const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: Math.round(sr * seconds), sampleRate: sr });
  // First, so that it times every processor registered after it (process-timer.js).
  if (timeProcess !== null) await ctx.audioWorklet.addModule('/host-test/pages/process-timer.js');
  const [groupId] = await initializeWamHost(ctx);
  const { default: LevelMatch } = await import(PLUGIN_URL);
  const needsPass = timeProcess !== null || Object.values(roles).includes('pass');
  if (needsPass) await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([PASS_THROUGH], { type: 'text/javascript' })));
  let arithmetic = null;
  if (Object.values(roles).includes('arithmetic')) {
    await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([ARITHMETIC], { type: 'text/javascript' })));
    arithmetic = await WebAssembly.compile(await (await fetch('/dist/levelmatch.wasm')).arrayBuffer());
  }
  const plugins = [];
  const make = async (role, parameters) => {
    const kind = roles[role] ?? 'plugin';
    if (kind === 'pass') {
      return new AudioWorkletNode(ctx, 'levelmatch-bench-pass-through', { numberOfInputs: passInputs, numberOfOutputs: 1, outputChannelCount: [2] });
    }
    if (kind === 'arithmetic') {
      return new AudioWorkletNode(ctx, 'levelmatch-bench-arithmetic', {
        numberOfInputs: passInputs, numberOfOutputs: 1, outputChannelCount: [2], processorOptions: { module: arithmetic, role },
      });
    }
    const wam = await LevelMatch.createInstance(groupId, ctx, state(parameters));
    const entry = { role, node: wam.audioNode, readouts: 0, last: null, expected: NaN };
    if (watch) {
      wam.audioNode.addEventListener('readout', (e) => {
        entry.readouts++;
        entry.last = e.detail;
      });
    }
    plugins.push(entry);
    return wam.audioNode;
  };
  const entryOf = (node) => plugins.find((p) => p.node === node);
  const src = new AudioBufferSourceNode(ctx, { buffer: programme(ctx, Math.ceil(seconds)) });
  const sum = new GainNode(ctx, { gain: 1 / (pairs + targets) });
  for (let i = 0; i < pairs; i++) {
    const link = 1 + (i % links);
    const ref = await make('reference', { mode: 0, link });
    const fxDb = distinct ? -9 + (i % 13) : -6.0206;
    const fx = new GainNode(ctx, { gain: 10 ** (fxDb / 20) });
    const match = await make('match', { mode: 1, link, ...matchParams });
    const head = distinct ? src.connect(new GainNode(ctx, { gain: 10 ** ((-0.05 * i) / 20) })) : src;
    head.connect(ref).connect(fx).connect(match).connect(sum);
    const m = entryOf(match);
    if (m) m.expected = -fxDb;
  }
  for (let i = 0; i < targets; i++) {
    const target = await make('target', { mode: 3, target: -18 });
    src.connect(target).connect(sum);
  }
  let timings = null;
  if (timeProcess !== null) {
    // Pass-through nodes of LevelMatch's shape beside the session, timed in the same quanta as the plugins.
    for (let i = 0; i < timeProcess.passes; i++) {
      src.connect(new AudioWorkletNode(ctx, 'levelmatch-bench-pass-through', { numberOfInputs: 2, numberOfOutputs: 1, outputChannelCount: [2] })).connect(sum);
    }
    const report = new AudioWorkletNode(ctx, 'levelmatch-process-timer-report', {
      processorOptions: { length: ctx.length, from: Math.round(sr * timeProcess.from) },
    });
    report.connect(sum);
    timings = new Promise((resolve) => {
      report.port.onmessage = (e) => resolve(e.data);
    });
  }
  sum.connect(ctx.destination);
  return { ctx, plugins, timings, start: () => src.start() };
}

function summarize(plugins) {
  const engineErrors = plugins.map((p) => p.node.engineError).filter((e) => e !== null);
  const silent = plugins.filter((p) => p.readouts === 0).length;
  const matches = plugins.filter((p) => p.role === 'match');
  const unlinked = matches.filter((p) => !(p.last && p.last.status.linked)).length;
  const gains = matches.filter((p) => p.last).map((p) => p.last.gain.applied);
  // How far the gain each match instance heads for (its learned gain) is from its own pair's match.
  const errors = matches.filter((p) => p.last).map((p) => Math.abs(p.last.gain.engine - p.expected));
  return {
    instances: plugins.length, errors: engineErrors, withoutReadouts: silent, unlinkedMatches: unlinked,
    minMatchGain: Math.min(...gains), maxMatchGain: Math.max(...gains), worstMatchError: Math.max(...errors),
  };
}

/**
 * Functional check: `contexts` sessions of `pairs` pairs + `targets` targets each, rendered together, with a
 * readout listener on every instance. Returns a summary per context.
 */
export async function renderMany({ contexts = 1, pairs, targets, seconds = 1 }) {
  const sessions = [];
  for (let k = 0; k < contexts; k++) sessions.push(await buildSession({ pairs, targets, seconds, watch: true, distinct: true }));
  for (const s of sessions) s.start();
  const rendered = await Promise.all(sessions.map((s) => s.ctx.startRendering()));
  await settle();
  const out = sessions.map((s, k) => {
    let nonFinite = 0;
    for (let c = 0; c < 2; c++) for (const v of rendered[k].getChannelData(c)) if (!Number.isFinite(v)) nonFinite++;
    return { ...summarize(s.plugins), nonFinite };
  });
  for (const s of sessions) for (const p of s.plugins) p.node.destroy();
  return out;
}

/**
 * Timing: renders one session of `warm` + `seconds` seconds and times the last `seconds` (wall-clock ms from
 * a suspend at `warm` to the end): the steady state of a running session, after the instances have locked on
 * their links and their latencies. `warm` 0 times the whole render, start-up included.
 */
export async function timeSession({ pairs, targets, seconds = 4, warm = 0, roles = {}, watch = false, passInputs = 1, links = 256 }) {
  const s = await buildSession({ pairs, targets, seconds: warm + seconds, roles, watch, passInputs, links });
  s.start();
  // The bench may expose a function that reads the browser's CPU time (scripts/bench-scale.ts): called with
  // 'start' and 'end' around the timed part (the rendering suspended at the start); 'end' returns the CPU ms.
  const mark = typeof globalThis.levelmatchCpuMark === 'function' ? globalThis.levelmatchCpuMark : null;
  let cpu0 = 0;
  let t0 = performance.now();
  if (warm > 0) {
    s.ctx.suspend(warm).then(async () => {
      if (mark) cpu0 = await mark('start');
      t0 = performance.now();
      s.ctx.resume();
    });
  } else if (mark) {
    cpu0 = await mark('start');
    t0 = performance.now();
  }
  await s.ctx.startRendering();
  const ms = performance.now() - t0;
  const cpuMs = mark ? (await mark('end')) - cpu0 : NaN;
  await settle(50);
  const errors = s.plugins.map((p) => p.node.engineError).filter((e) => e !== null);
  for (const p of s.plugins) p.node.destroy();
  return { ms, cpuMs, quanta: Math.floor((48000 * seconds) / 128), errors };
}

/**
 * Time inside process() per kind of node (process-timer.js): one session of `warm` + `seconds` seconds with
 * every role the plugin and `passes` pass-through nodes of LevelMatch's shape beside it, the last `seconds`
 * counted. Returns { kind: µs per call } for 'reference', 'match', 'target' and the pass-through. `matchParams`:
 * parameters every match instance gets on top of mode and link (the bench's autoLatency-off row).
 */
export async function timeProcesses({ pairs, targets, seconds = 4, warm = 3, passes = 16, matchParams = {}, links = 256 }) {
  const s = await buildSession({ pairs, targets, seconds: warm + seconds, timeProcess: { passes, from: warm }, matchParams, links });
  s.start();
  await s.ctx.startRendering();
  const totals = await s.timings;
  for (const p of s.plugins) p.node.destroy();
  const us = {};
  for (const [kind, t] of Object.entries(totals)) us[kind === 'levelmatch-bench-pass-through' ? 'pass' : kind] = (t.ms * 1000) / t.calls;
  return us;
}
