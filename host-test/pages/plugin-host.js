// Page-side scenarios for the plugin's real-browser tests (host-test/plugin.browser.test.ts) and the smoke page
// (plugin-smoke.html). Plain JavaScript served as-is: it loads the BUILT plugin the way a WAM host does
// (initializeWamHost from the SDK, import() of dist/plugin/index.js, createInstance) and renders
// OfflineAudioContexts. Every function returns plain data (structured-cloneable) for the test to check.
import { initializeWamHost } from '/node_modules/@webaudiomodules/sdk/dist/index.js';
import { watching } from '/host-test/pages/watching.js';
import { programme } from '/host-test/hosts/pages/lib.js';

const PLUGIN_URL = '/dist/plugin/index.js';

export async function loadPlugin() {
  const plugin = await import(PLUGIN_URL);
  return plugin;
}

/** A deterministic stereo programme (tones, tremolo, a little noise): the host reproductions' own. */
export { programme };

/** Mean-square level (dB) of channels c0 and c0 + 1 of a rendered buffer over [from, to) seconds. */
export function level(buf, c0, from, to) {
  let e = 0;
  let n = 0;
  for (let c = c0; c < c0 + 2; c++) {
    const x = buf.getChannelData(c);
    for (let i = Math.floor(from * buf.sampleRate); i < Math.floor(to * buf.sampleRate); i++) {
      e += x[i] * x[i];
      n++;
    }
  }
  return 10 * Math.log10(e / n);
}

const state = (parameters, extra = {}) => ({ format: 'levelmatch', version: 1, parameters, ...extra });
const settle = (ms = 200) => new Promise((r) => setTimeout(r, ms));

/**
 * source -> reference instance -> GainNode -10 dB -> match instance (link 3); the reference's output on
 * destination channels 0-1, the match output on 2-3. `downstream` false: the gain is fed by the source, so the
 * two instances are not connected and their processing order is undefined.
 */
export async function renderMatch({ downstream = true, seconds = 10, dB = -10 } = {}) {
  const { default: LevelMatch } = await loadPlugin();
  const sr = 48000;
  const ctx = new OfflineAudioContext({ numberOfChannels: 4, length: sr * seconds, sampleRate: sr });
  const [groupId] = await initializeWamHost(ctx);
  // Created in the "wrong" order on purpose: the match instance first.
  const match = await LevelMatch.createInstance(groupId, ctx, state({ mode: 1, link: 3 }));
  const ref = await LevelMatch.createInstance(groupId, ctx, state({ mode: 0, link: 3 }));
  const src = new AudioBufferSourceNode(ctx, { buffer: programme(ctx, seconds) });
  const gain = new GainNode(ctx, { gain: 10 ** (dB / 20) });
  const merger = new ChannelMergerNode(ctx, { numberOfInputs: 4 });
  for (const [node, at] of [[ref.audioNode, 0], [match.audioNode, 2]]) {
    const s = new ChannelSplitterNode(ctx, { numberOfOutputs: 2 });
    node.connect(s);
    s.connect(merger, 0, at);
    s.connect(merger, 1, at + 1);
  }
  src.connect(ref.audioNode);
  (downstream ? ref.audioNode : src).connect(gain);
  gain.connect(match.audioNode);
  merger.connect(ctx.destination);
  let readouts = 0;
  let last = null;
  match.audioNode.addEventListener('readout', (e) => {
    readouts++;
    last = e.detail;
  });
  await watching(match.audioNode);
  src.start();
  const out = await ctx.startRendering();
  await settle(); // readouts posted during the render arrive afterwards
  const st = await match.audioNode.getState();
  const info = await match.audioNode.getParameterInfo();
  let nonFinite = 0;
  for (let c = 0; c < 4; c++) for (const v of out.getChannelData(c)) if (!Number.isFinite(v)) nonFinite++;
  const result = {
    refLevel: level(out, 0, seconds - 3, seconds),
    outLevel: level(out, 2, seconds - 3, seconds),
    readouts,
    last: last && { gain: last.gain, status: last.status, mode: last.mode, link: last.link, input: last.input, reference: last.reference, output: last.output },
    nodeReadoutIsLast: match.audioNode.readout === last,
    stateGain: st.gain,
    descriptor: { ...match.descriptor },
    paramIds: Object.keys(info),
    nonFinite,
  };
  match.audioNode.destroy();
  ref.audioNode.destroy();
  return result;
}

/** A state with a held gain, rendered from the first sample; then invalid setState / createInstance calls. */
export async function heldGainAndInvalidStates() {
  const { default: LevelMatch } = await loadPlugin();
  const sr = 48000;
  const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: sr * 2, sampleRate: sr });
  const [groupId] = await initializeWamHost(ctx);
  const wam = await LevelMatch.createInstance(groupId, ctx, state({ mode: 1, follow: 2 }, { gain: 6 }));
  const osc = new OscillatorNode(ctx, { frequency: 997 });
  const amp = new GainNode(ctx, { gain: 0.1 });
  osc.connect(amp).connect(wam.audioNode).connect(ctx.destination);
  osc.start();
  const out = await ctx.startRendering();
  const x = out.getChannelData(0);
  let peakEarly = 0;
  let peakLate = 0;
  for (let i = 0; i < 4800; i++) peakEarly = Math.max(peakEarly, Math.abs(x[i]));
  for (let i = sr; i < 2 * sr; i++) peakLate = Math.max(peakLate, Math.abs(x[i]));
  const before = await wam.audioNode.getState();
  const errors = [];
  for (const bad of [null, { format: 'other' }, state({ response: 'x' })]) {
    try {
      await wam.audioNode.setState(bad);
      errors.push('accepted');
    } catch (e) {
      errors.push(e.message);
    }
  }
  let createError = '';
  try {
    await LevelMatch.createInstance(groupId, ctx, { format: 'levelmatch', version: 9 });
  } catch (e) {
    createError = e.message;
  }
  const after = await wam.audioNode.getState();
  wam.audioNode.destroy();
  return { peakEarly, peakLate, before, errors, createError, after };
}

/** Automation (plain and normalised, at sample times), ignored MIDI/transport, parameter values; a mono node. */
export async function automation() {
  const { default: LevelMatch } = await loadPlugin();
  const sr = 48000;
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: sr, sampleRate: sr });
  const [groupId] = await initializeWamHost(ctx);
  const wam = await LevelMatch.createInstance(groupId, ctx, state({ mode: 1, follow: 2 }, { gain: -6, channels: 1 }));
  const node = wam.audioNode;
  const src = new ConstantSourceNode(ctx, { offset: 0.5 });
  src.connect(node).connect(ctx.destination);
  src.start();
  node.scheduleEvents(
    { type: 'wam-automation', time: 0.5, data: { id: 'bypass', value: 1, normalized: false } },
    { type: 'wam-automation', time: 0.25, data: { id: 'tolerance', value: 0.5, normalized: true } },
    { type: 'wam-automation', time: 0.25, data: { id: 'nope', value: 1, normalized: false } },
    { type: 'wam-midi', time: 0.1, data: { bytes: [0x90, 60, 100] } },
    { type: 'wam-transport', time: 0.1, data: { currentBar: 0, currentBarStarted: 0, tempo: 120, timeSigNumerator: 4, timeSigDenominator: 4, playing: true } },
  );
  await settle(50);
  const out = await ctx.startRendering();
  const x = out.getChannelData(0);
  const values = await node.getParameterValues(false);
  const normalized = await node.getParameterValues(true, 'tolerance', 'mode');
  node.destroy();
  // The bypass lands at frame 24000: find the first sample that is no longer at -6 dB.
  let changedAt = -1;
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i] - 0.5 * 10 ** (-6 / 20)) > 1e-3) {
      changedAt = i;
      break;
    }
  }
  return {
    channels: out.numberOfChannels, early: x[1000], late: x[sr - 10], changedAt,
    bypass: values.bypass.value, tolerance: values.tolerance.value, normalized,
  };
}

// ---- effect chains: source -> reference -> effect -> match, short-term loudness of match vs reference ----

/**
 * A deterministic stereo programme with the dynamics of real music (kick and snare transients, accented hats,
 * plucked bass, chords swelling on the offbeats), about -18 LUFS, true peak about -4 dBTP.
 *
 * `steady` (the default): 160 bpm, a one-bar drum loop (1.5 s) and two chords a bar each, so the whole
 * arrangement repeats every 3 s, the short-term window: its short-term loudness is steady (within 0.02 LU)
 * once the first window is full. `progression`: 120 bpm, four chords a bar each (an 8 s cycle): its
 * short-term loudness wanders by about 1 LU with the chords, as songs do between phrases.
 */
export function bandProgramme(ctx, seconds, variant = 'steady') {
  const sr = ctx.sampleRate;
  const n = Math.round(sr * seconds);
  const buf = ctx.createBuffer(2, n, sr);
  const L = buf.getChannelData(0);
  const R = buf.getChannelData(1);
  let seed = 0x2545f491;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const TAU = 2 * Math.PI;
  const steady = variant !== 'progression';
  const beat = steady ? 0.375 : 0.5; // s
  const BAR = 4 * beat;
  const kicks = [0, 2 * beat, 2.5 * beat]; // onsets within the bar, s
  const snares = [beat, 3 * beat];
  const hatVelocity = [1, 0.35, 0.6, 0.35, 0.9, 0.35, 0.6, 0.4, 1, 0.35, 0.6, 0.35, 0.9, 0.4, 0.7, 0.5];
  // Roots (Hz) and chords, one bar each: A1 F1 C2 G1 (A minor, F, C, G).
  const roots = steady ? [55, 43.65] : [55, 43.65, 65.41, 49];
  const chords = [[220, 261.63, 329.63], [174.61, 220, 261.63], [196, 261.63, 329.63], [196, 246.94, 293.66]];
  const since = (pos, onsets) => {
    let d = Infinity;
    for (const o of onsets) if (pos >= o && pos - o < d) d = pos - o;
    return d;
  };
  let snareLp = 0;
  let hatHp = 0;
  let hatPrev = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    const barNo = Math.floor(t / BAR);
    const pos = t - barNo * BAR;
    const chord = barNo % roots.length;
    // Kick: a sine falling from about 110 Hz to 48 Hz.
    const tk = since(pos, kicks);
    const kick = tk < 0.6 ? 0.85 * Math.exp(-tk * 8) * Math.sin(TAU * (48 * tk + (62 / 35) * (1 - Math.exp(-tk * 35)))) : 0;
    // Snare: low-passed noise and a 190 Hz body.
    const ts = since(pos, snares);
    snareLp += 0.45 * (rnd() - snareLp);
    const snare = ts < 0.4 ? Math.exp(-ts * 16) * (0.35 * snareLp + 0.18 * Math.sin(TAU * 190 * ts)) : 0;
    // Hats: high-passed noise on sixteenths, accented, panned to and fro once a bar.
    const s16 = Math.floor(pos / (beat / 4));
    const th = pos - s16 * (beat / 4);
    const hn = rnd();
    hatHp = 0.6 * (hatHp + hn - hatPrev);
    hatPrev = hn;
    const hat = 0.21 * hatVelocity[s16] * Math.exp(-th * 45) * hatHp;
    const pan = 0.4 * Math.sin((TAU * pos) / BAR);
    // Bass: plucked eighths on the bar's root.
    const bass = 0.28 * (0.55 + 0.45 * Math.exp(-(pos % (beat / 2)) * 10)) * Math.tanh(1.8 * Math.sin(TAU * roots[chord] * t));
    // Chords: four harmonics per voice, detuned between the channels, swelling on the offbeats.
    let padL = 0;
    let padR = 0;
    for (const f of chords[chord]) {
      for (let k = 1; k <= 4; k++) {
        padL += Math.sin(TAU * k * f * t) / k;
        padR += Math.sin(TAU * k * f * 1.004 * t + 0.7 * k) / k;
      }
    }
    const pad = 0.045 * (0.75 + 0.25 * Math.exp(-((pos + beat / 2) % beat) * 6));
    const mid = kick + snare + bass;
    L[i] = 0.5 * (mid + hat * (0.6 + pan) + pad * padL);
    R[i] = 0.5 * (mid + hat * (0.6 - pan) + pad * padR);
  }
  return buf;
}

/** The effect between reference and match, from Web Audio nodes: { input, output } (possibly the same node). */
function buildEffect(ctx, effect) {
  switch (effect.kind) {
    case 'gain': {
      const g = new GainNode(ctx, { gain: 10 ** (effect.dB / 20) });
      // A rack move: the gain jumps to each [time s, dB] (the gain law's field tests, issue 9).
      for (const [t, dB] of effect.moves ?? []) g.gain.setValueAtTime(10 ** (dB / 20), t);
      return { input: g, output: g };
    }
    case 'compressor': {
      // Heavy bus compression, then make-up gain.
      const comp = new DynamicsCompressorNode(ctx, { threshold: -34, knee: 3, ratio: 12, attack: 0.002, release: 0.12 });
      const makeup = new GainNode(ctx, { gain: 10 ** (6 / 20) });
      comp.connect(makeup);
      return { input: comp, output: makeup };
    }
    case 'saturation': {
      // tanh drive of +12 dB, oversampled, trimmed by -6 dB.
      const drive = 10 ** (12 / 20);
      const curve = new Float32Array(4097);
      for (let i = 0; i < curve.length; i++) curve[i] = Math.tanh(drive * ((2 * i) / (curve.length - 1) - 1));
      const shaper = new WaveShaperNode(ctx, { curve, oversample: '4x' });
      const trim = new GainNode(ctx, { gain: 10 ** (-6 / 20) });
      shaper.connect(trim);
      return { input: shaper, output: trim };
    }
    case 'tilt': {
      // -6 dB below 300 Hz, +6 dB above 3 kHz.
      const low = new BiquadFilterNode(ctx, { type: 'lowshelf', frequency: 300, gain: -6 });
      const high = new BiquadFilterNode(ctx, { type: 'highshelf', frequency: 3000, gain: 6 });
      low.connect(high);
      return { input: low, output: high };
    }
    default:
      throw new Error(`unknown effect ${effect.kind}`);
  }
}

/**
 * source -> LevelMatch reference (link 5) -> effect -> LevelMatch match (link 5, `matchParameters` on top of the
 * defaults: continuous, short-term) in a 48 kHz OfflineAudioContext; the reference instance's output goes to
 * destination channels 0-1 and the match output to 2-3. The two stereo pairs are then metered with the
 * library's LoudnessMeter (from /dist/index.js), short-term loudness read at `times` (s). Returns per time the
 * two readings and their difference, with the match instance's latest readout at or before that time;
 * `lastTracking`, the time of the last readout in which the gain was moving. `trace: n` adds every n-th readout
 * as [time, reference S, input S, gain wanted, gain applied, tracking] (for investigating a miss).
 * `programme`: 'steady' or 'progression' (see bandProgramme).
 */
export async function effectChain({
  effect, matchParameters = {}, programme: variant = 'steady', seconds = 14, times = [8, 10, 12], trace = 0,
}) {
  const { default: LevelMatch } = await loadPlugin();
  const { LoudnessMeter } = await import('/dist/index.js');
  const sr = 48000;
  const ctx = new OfflineAudioContext({ numberOfChannels: 4, length: sr * seconds, sampleRate: sr });
  const [groupId] = await initializeWamHost(ctx);
  const ref = await LevelMatch.createInstance(groupId, ctx, state({ mode: 0, link: 5 }));
  const match = await LevelMatch.createInstance(groupId, ctx, state({ mode: 1, link: 5, ...matchParameters }));
  const src = new AudioBufferSourceNode(ctx, { buffer: bandProgramme(ctx, seconds, variant) });
  const fx = buildEffect(ctx, effect);
  const merger = new ChannelMergerNode(ctx, { numberOfInputs: 4 });
  for (const [node, at] of [[ref.audioNode, 0], [match.audioNode, 2]]) {
    const s = new ChannelSplitterNode(ctx, { numberOfOutputs: 2 });
    node.connect(s);
    s.connect(merger, 0, at);
    s.connect(merger, 1, at + 1);
  }
  src.connect(ref.audioNode);
  ref.audioNode.connect(fx.input);
  fx.output.connect(match.audioNode);
  merger.connect(ctx.destination);
  const readouts = [];
  match.audioNode.addEventListener('readout', (e) => readouts.push(e.detail));
  await watching(match.audioNode);
  src.start();
  const out = await ctx.startRendering();
  await settle(); // readouts posted during the render arrive afterwards
  match.audioNode.destroy();
  ref.audioNode.destroy();

  const meters = [];
  for (let k = 0; k < 2; k++) meters.push(await LoudnessMeter.create({ sampleRate: sr, channels: 2, truePeak: false }));
  const channels = [0, 1, 2, 3].map((c) => out.getChannelData(c));
  let done = 0;
  const rows = [];
  for (const time of times) {
    const upTo = Math.round(time * sr);
    meters[0].push([channels[0].subarray(done, upTo), channels[1].subarray(done, upTo)]);
    meters[1].push([channels[2].subarray(done, upTo), channels[3].subarray(done, upTo)]);
    done = upTo;
    const refS = meters[0].result().shortTerm;
    const matchS = meters[1].result().shortTerm;
    let r = null;
    for (const x of readouts) if (x.frame <= upTo && (r === null || x.frame > r.frame)) r = x;
    rows.push({
      time, refS, matchS, diff: matchS - refS,
      readout: r && {
        frame: r.frame, wanted: r.gain.wanted, applied: r.gain.applied, engine: r.gain.engine,
        refS: r.reference.shortTerm, inS: r.input.shortTerm, outS: r.output.shortTerm,
        tracking: r.status.tracking, gated: r.status.gated, atRangeLimit: r.status.atRangeLimit,
        atCeiling: r.status.atCeiling, linked: r.status.linked,
      },
    });
  }
  let nonFinite = 0;
  for (const x of channels) for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) nonFinite++;
  let lastTracking = null;
  for (const x of readouts) if (x.status.tracking) lastTracking = x.frame / sr;
  const result = { rows, readoutCount: readouts.length, nonFinite, lastTracking };
  if (trace > 0) {
    result.trace = readouts
      .filter((x, i) => i % trace === 0)
      .map((x) => [x.frame / sr, x.reference.shortTerm, x.input.shortTerm, x.gain.wanted, x.gain.applied, x.status.tracking]);
  }
  return result;
}

/**
 * Automatic latency in the browser: source -> reference instance -> DelayNode (`delayFrames`) -> GainNode
 * (`dB`) -> match instance (listen `listen`, tolerance 0 and response 0.5 s so the gain converges fully). Returns
 * the match instance's latency readouts (with their frame) and the level of its output over the last 2 s.
 */
export async function autoLatency({ delayFrames = 1791, dB = -6, seconds = 8, listen = 2 } = {}) {
  const { default: LevelMatch } = await loadPlugin();
  const sr = 48000;
  const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: sr * seconds, sampleRate: sr });
  const [groupId] = await initializeWamHost(ctx);
  const ref = await LevelMatch.createInstance(groupId, ctx, state({ mode: 0, link: 9 }));
  const match = await LevelMatch.createInstance(groupId, ctx, state({ mode: 1, link: 9, listen, tolerance: 0, response: 0.5 }));
  const src = new AudioBufferSourceNode(ctx, { buffer: bandProgramme(ctx, seconds, 'progression') });
  const delay = new DelayNode(ctx, { maxDelayTime: 1, delayTime: delayFrames / sr });
  const gain = new GainNode(ctx, { gain: 10 ** (dB / 20) });
  src.connect(ref.audioNode).connect(delay).connect(gain).connect(match.audioNode).connect(ctx.destination);
  const readouts = [];
  match.audioNode.addEventListener('readout', (e) => readouts.push({ frame: e.detail.frame, latency: e.detail.latency, listeningDelta: e.detail.status.listeningDelta }));
  await watching(match.audioNode);
  src.start();
  const out = await ctx.startRendering();
  await settle();
  const st = await match.audioNode.getState();
  const result = { readouts, level: level(out, 0, seconds - 2, seconds), stateLatencyMs: st.latencyMs ?? null };
  match.audioNode.destroy();
  ref.audioNode.destroy();
  return result;
}

/** `channels` channels of distinct, deterministic signal (a tone of its own and a little noise per channel). */
function distinctChannels(ctx, channels, seconds) {
  const buf = ctx.createBuffer(channels, Math.round(ctx.sampleRate * seconds), ctx.sampleRate);
  let seed = 12345;
  for (let c = 0; c < channels; c++) {
    const x = buf.getChannelData(c);
    const f = 97 + 211 * c;
    const a = 0.08 + 0.06 * c;
    for (let i = 0; i < x.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      x[i] = a * Math.sin((2 * Math.PI * f * i) / ctx.sampleRate) + 0.02 * (seed / 2 ** 32 - 0.5);
    }
  }
  return buf;
}

/**
 * Channel shaping (wam/channel-mix.ts): a source of `source` channels into instances of `channels` channels,
 * two ways, rendered side by side: A as it comes (the node runs in 'max' mode, the processor mixes), B behind a
 * GainNode (gain 1) in 'explicit' mode with `channels` channels, 'speakers' (the browser mixes, so B gets
 * `channels` channels as they are). Both are reference instances (their output is their input; link 10 and 11),
 * watched. `sidechain`: the source goes to input 1 of sidechain instances instead (their output is silence then;
 * the readings of the reference side compare). `host`: attributes set on A before the render ({ channelCount,
 * channelCountMode, channelInterpretation }), and `restoreAt`: seconds at which A gets 'explicit' / `channels` /
 * 'speakers' back. Returns the largest sample difference of the outputs, the last readouts' input (or reference)
 * momentary and short-term of both, and A's channel attributes as the host reads them and as the browser runs them.
 */
export async function channelShapes({ source, channels, sidechain = false, host = null, restoreAt = 0, seconds = 1.5 }) {
  const { default: LevelMatch } = await loadPlugin();
  const sr = 48000;
  const ctx = new OfflineAudioContext({ numberOfChannels: 2 * channels, length: Math.round(sr * seconds), sampleRate: sr });
  const [groupId] = await initializeWamHost(ctx);
  const params = sidechain ? { mode: 2 } : { mode: 0 };
  const a = await LevelMatch.createInstance(groupId, ctx, state({ ...params, link: 10 }, { channels }));
  const b = await LevelMatch.createInstance(groupId, ctx, state({ ...params, link: 11 }, { channels }));
  const before = { count: a.audioNode.channelCount, mode: a.audioNode.channelCountMode, interpretation: a.audioNode.channelInterpretation };
  if (host !== null) for (const [k, v] of Object.entries(host)) a.audioNode[k] = v;
  const src = new AudioBufferSourceNode(ctx, { buffer: distinctChannels(ctx, source, seconds) });
  const explicit = new GainNode(ctx, { gain: 1, channelCount: channels, channelCountMode: 'explicit', channelInterpretation: 'speakers' });
  src.connect(explicit);
  src.connect(a.audioNode, 0, sidechain ? 1 : 0);
  explicit.connect(b.audioNode, 0, sidechain ? 1 : 0);
  const merger = new ChannelMergerNode(ctx, { numberOfInputs: 2 * channels });
  for (const [node, at] of [[a.audioNode, 0], [b.audioNode, channels]]) {
    const s = new ChannelSplitterNode(ctx, { numberOfOutputs: channels });
    node.connect(s);
    for (let c = 0; c < channels; c++) s.connect(merger, c, at + c);
  }
  merger.connect(ctx.destination);
  const last = [null, null];
  a.audioNode.addEventListener('readout', (e) => { last[0] = e.detail; });
  b.audioNode.addEventListener('readout', (e) => { last[1] = e.detail; });
  await watching(a.audioNode);
  await watching(b.audioNode);
  if (restoreAt > 0) {
    ctx.suspend(restoreAt).then(() => {
      a.audioNode.channelCount = channels;
      a.audioNode.channelCountMode = 'explicit';
      a.audioNode.channelInterpretation = 'speakers';
      ctx.resume();
    });
  }
  src.start();
  const out = await ctx.startRendering();
  await settle();
  let maxDiff = 0;
  for (let c = 0; c < channels; c++) {
    const x = out.getChannelData(c);
    const y = out.getChannelData(channels + c);
    for (let i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
  }
  const side = (r) => (r === null ? null : sidechain ? { momentary: r.reference.momentary, shortTerm: r.reference.shortTerm } : { momentary: r.input.momentary, shortTerm: r.input.shortTerm });
  const result = {
    maxDiff,
    a: side(last[0]), b: side(last[1]),
    before,
    after: { count: a.audioNode.channelCount, mode: a.audioNode.channelCountMode, interpretation: a.audioNode.channelInterpretation },
    // What the browser itself runs (AudioNode's own getters, past the node's presentation).
    browser: Object.fromEntries(['channelCount', 'channelCountMode', 'channelInterpretation']
      .map((k) => [k, Object.getOwnPropertyDescriptor(AudioNode.prototype, k).get.call(a.audioNode)])),
  };
  a.audioNode.destroy();
  b.audioNode.destroy();
  return result;
}
