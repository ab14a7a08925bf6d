// Shared page-side helpers for the host reproductions in host-test/hosts/*.browser.test.ts. Plain JavaScript,
// served as-is. The plugin is loaded the way a web DAW does: by URL (default: the built dist/plugin; a test may
// point PLUGIN_URL elsewhere, e.g. an installed npm package), with the WAM SDK's initializeWamHost.
export { initializeWamHost } from '/node_modules/@webaudiomodules/sdk/dist/index.js';

export let PLUGIN_URL = '/dist/plugin/index.js';
export function setPluginUrl(url) {
  PLUGIN_URL = url;
}
export const loadPlugin = () => import(PLUGIN_URL);

/** A deterministic stereo programme (tones, tremolo, a little noise), as an AudioBuffer. */
export function programme(ctx, seconds, amplitude = 1) {
  const sr = ctx.sampleRate;
  const buf = new AudioBuffer({ numberOfChannels: 2, length: Math.round(sr * seconds), sampleRate: sr });
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const l = buf.getChannelData(0);
  const r = buf.getChannelData(1);
  for (let i = 0; i < l.length; i++) {
    const t = i / sr;
    const env = 0.6 + 0.4 * Math.sin(2 * Math.PI * 0.7 * t);
    const v = amplitude * (env * (0.25 * Math.sin(2 * Math.PI * 220 * t) + 0.12 * Math.sin(2 * Math.PI * 1375 * t)) + 0.03 * rnd());
    l[i] = v;
    r[i] = 0.8 * v + 0.02 * rnd();
  }
  return buf;
}

/** Mean-square level (dB) of channels [c0, c0 + n) of a rendered buffer over [from, to) seconds. */
export function level(buf, c0, from, to, n = 2) {
  let e = 0;
  let count = 0;
  for (let c = c0; c < c0 + n; c++) {
    const x = buf.getChannelData(c);
    for (let i = Math.floor(from * buf.sampleRate); i < Math.floor(to * buf.sampleRate); i++) {
      e += x[i] * x[i];
      count++;
    }
  }
  return 10 * Math.log10(e / count);
}

export const nonFinite = (buf) => {
  let n = 0;
  for (let c = 0; c < buf.numberOfChannels; c++) for (const v of buf.getChannelData(c)) if (!Number.isFinite(v)) n++;
  return n;
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The page's own global names (what a conformance suite compares before and after loading a plugin). */
export const windowGlobals = () => Object.keys(Object.getOwnPropertyDescriptors(window));

/** The AudioWorkletGlobalScope's global names, read by a probe processor (globals-probe.js) in `ctx`. */
export async function workletGlobals(ctx) {
  if (!workletGlobals.loaded?.has(ctx)) {
    await ctx.audioWorklet.addModule(new URL('./globals-probe.js', import.meta.url).href);
    (workletGlobals.loaded ??= new WeakSet()).add(ctx);
  }
  const node = new AudioWorkletNode(ctx, 'levelmatch-test-globals-probe');
  const names = await new Promise((resolve) => {
    node.port.onmessage = (e) => resolve(e.data);
  });
  node.port.close();
  return names;
}

/** Runs `fn` and returns what it left on `window`, besides its result. */
export async function addedGlobals(fn) {
  const before = new Set(windowGlobals());
  const result = await fn();
  return { result, added: windowGlobals().filter((k) => !before.has(k)) };
}

/** Splits a node's stereo output onto channels `at`, `at + 1` of a merger. */
export function toMerger(ctx, node, merger, at) {
  const s = new ChannelSplitterNode(ctx, { numberOfOutputs: 2 });
  node.connect(s);
  s.connect(merger, 0, at);
  s.connect(merger, 1, at + 1);
}

/** The message of a rejection, or '(resolved)'. */
export async function rejection(p) {
  try {
    await p;
    return '(resolved)';
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

/** A 16-bit PCM WAV file of an AudioBuffer, as an object URL (for an <audio> element, as hosts play files). */
export function wavUrl(buf) {
  const ch = buf.numberOfChannels;
  const n = buf.length;
  const bytes = new DataView(new ArrayBuffer(44 + n * ch * 2));
  const str = (o, s) => [...s].forEach((c, i) => bytes.setUint8(o + i, c.charCodeAt(0)));
  str(0, 'RIFF');
  bytes.setUint32(4, 36 + n * ch * 2, true);
  str(8, 'WAVEfmt ');
  bytes.setUint32(16, 16, true);
  bytes.setUint16(20, 1, true);
  bytes.setUint16(22, ch, true);
  bytes.setUint32(24, buf.sampleRate, true);
  bytes.setUint32(28, buf.sampleRate * ch * 2, true);
  bytes.setUint16(32, ch * 2, true);
  bytes.setUint16(34, 16, true);
  str(36, 'data');
  bytes.setUint32(40, n * ch * 2, true);
  const data = Array.from({ length: ch }, (_, c) => buf.getChannelData(c));
  for (let i = 0, o = 44; i < n; i++) {
    for (let c = 0; c < ch; c++, o += 2) bytes.setInt16(o, Math.max(-32768, Math.min(32767, Math.round(data[c][i] * 32767))), true);
  }
  return URL.createObjectURL(new Blob([bytes.buffer], { type: 'audio/wav' }));
}

/** Peak and non-finite count of what an AnalyserNode sees now. */
export function analyse(analyser) {
  const x = new Float32Array(analyser.fftSize);
  analyser.getFloatTimeDomainData(x);
  let peak = 0;
  let bad = 0;
  for (const v of x) {
    if (!Number.isFinite(v)) bad++;
    else peak = Math.max(peak, Math.abs(v));
  }
  return { peak, nonFinite: bad };
}
