// Page side of the gain law's field tests in Chromium (host-test/field.browser.test.ts, issue 9). Plain
// JavaScript served as-is. It hosts the BUILT plugin as a WAM host does (initializeWamHost, import() of
// dist/plugin/index.js, createInstance) in a 48 kHz OfflineAudioContext, with Web Audio's own nodes as the
// effects. The programmes and the measurements are the field set's own (host-test/field/programmes.ts and
// metrics.ts), bundled for the page by the test into /host-test/out/field-kit.js, so Chromium and the headless
// host are judged by the same code, with the library's meter.
import { initializeWamHost } from '/node_modules/@webaudiomodules/sdk/dist/index.js';
import { watching } from '/host-test/pages/watching.js';

const PLUGIN_URL = '/dist/plugin/index.js';
const KIT_URL = '/host-test/out/field-kit.js';
const FS = 48000;
const state = (parameters) => ({ format: 'levelmatch', version: 1, parameters });
const settle = (ms = 200) => new Promise((r) => setTimeout(r, ms));
const dB = (x) => 10 ** (x / 20);

/** The field programmes (the same generators and seeds as host-test/field/scenarios.ts). */
function programme(kit, name) {
  switch (name) {
    case 'song': // 3 x 12 s sections, +14 dB and -10 dB jumps
      return kit.music(FS, [
        { seconds: 12, levelDb: -6, kind: 'full' },
        { seconds: 12, levelDb: 8, kind: 'full' },
        { seconds: 12, levelDb: -2, kind: 'full' },
      ], 23, 'song 3 x 12 s');
    case 'sections': // 4 x 15 s: verse, chorus +12 dB, quiet breakdown, last chorus
      return kit.music(FS, [
        { seconds: 15, levelDb: -4, kind: 'full' },
        { seconds: 15, levelDb: 8, kind: 'full' },
        { seconds: 15, levelDb: -2, kind: 'breakdown' },
        { seconds: 15, levelDb: 6, kind: 'full' },
      ], 11, 'music 4 x 15 s');
    case 'speech':
      return kit.speech(FS, 30, 5);
    case 'transients':
      return kit.transients(FS, 24, 9);
    default:
      throw new Error(`unknown programme ${name}`);
  }
}

/**
 * An effect from Web Audio's own nodes: { input, output }.
 * - gain: a GainNode at `dB`, moved to each [time s, dB] of `moves` with setValueAtTime (a rack's fader jumped);
 * - transientComp: a DynamicsCompressorNode whose 3 ms attack lets transients pass (threshold -35, 8:1, hard
 *   knee; Chromium's compressor adds its own automatic make-up gain and a 6 ms look-ahead delay);
 * - overshootComp: a slow-attack (60 ms) DynamicsCompressorNode (threshold -30, 6:1) and a GainNode of +14 dB
 *   after it: its envelope starts at no reduction, so the first beats pass with the whole make-up;
 * - saturation: a WaveShaperNode tanh with +12 dB drive (4x oversampled), then -3 dB;
 * - tilt: BiquadFilterNode lowshelf -6 dB and highshelf +6 dB at 800 Hz;
 * - compTilt: transientComp, then a 4 dB tilt at 1 kHz.
 */
function buildEffect(ctx, fx) {
  const chain = (...nodes) => {
    for (let k = 0; k + 1 < nodes.length; k++) nodes[k].connect(nodes[k + 1]);
    return { input: nodes[0], output: nodes[nodes.length - 1] };
  };
  const tilt = (db, hz) => chain(
    new BiquadFilterNode(ctx, { type: 'lowshelf', frequency: hz, gain: -db }),
    new BiquadFilterNode(ctx, { type: 'highshelf', frequency: hz, gain: db }),
  );
  const transientComp = () => new DynamicsCompressorNode(ctx, { threshold: -35, knee: 0, ratio: 8, attack: 0.003, release: 0.1 });
  switch (fx.kind) {
    case 'gain': {
      const g = new GainNode(ctx, { gain: dB(fx.dB ?? 0) });
      for (const [t, d] of fx.moves ?? []) g.gain.setValueAtTime(dB(d), t);
      return chain(g);
    }
    case 'transientComp':
      return chain(transientComp());
    case 'overshootComp':
      return chain(
        new DynamicsCompressorNode(ctx, { threshold: -30, knee: 0, ratio: 6, attack: 0.06, release: 0.25 }),
        new GainNode(ctx, { gain: dB(14) }),
      );
    case 'saturation': {
      const curve = new Float32Array(4097);
      for (let i = 0; i < curve.length; i++) curve[i] = Math.tanh(dB(12) * ((2 * i) / (curve.length - 1) - 1));
      return chain(new WaveShaperNode(ctx, { curve, oversample: '4x' }), new GainNode(ctx, { gain: dB(-3) }));
    }
    case 'tilt':
      return tilt(6, 800);
    case 'compTilt': {
      const c = transientComp();
      const t = tilt(4, 1000);
      c.connect(t.input);
      return { input: c, output: t.output };
    }
    default:
      throw new Error(`unknown effect ${fx.kind}`);
  }
}

/**
 * Renders one field scenario and measures it with the field set's evaluate() (host-test/field/metrics.ts).
 * match: programme -> LevelMatch reference (link 7) -> effect -> LevelMatch match (link 7, `params` on top of
 * the defaults); target: programme -> LevelMatch target (`params`). The reference instance's output, the
 * match instance's input and its output are recorded on destination channels 0-1, 2-3 and 4-5. `moves`: times
 * (s) where the effect moves the level, added to the programme's own section jumps (as the headless runner
 * does). Returns the metrics, the parameter values used, the number of readouts and non-finite samples, and
 * the readout's settledness at the end.
 */
export async function runField({ mode, programme: prog, effect = null, params = {}, moves = [] }) {
  const kit = await import(KIT_URL);
  const { default: LevelMatch } = await import(PLUGIN_URL);
  const p = programme(kit, prog);
  const length = p.audio[0].length;
  const ctx = new OfflineAudioContext({ numberOfChannels: 6, length, sampleRate: FS });
  const [groupId] = await initializeWamHost(ctx);
  const match = mode === 'match';
  const ref = match ? await LevelMatch.createInstance(groupId, ctx, state({ mode: 0, link: 7 })) : null;
  const inst = await LevelMatch.createInstance(groupId, ctx, state({ mode: match ? 1 : 3, link: 7, ...params }));
  const buf = ctx.createBuffer(2, length, FS);
  buf.copyToChannel(p.audio[0], 0);
  buf.copyToChannel(p.audio[1], 1);
  const src = new AudioBufferSourceNode(ctx, { buffer: buf });
  const merger = new ChannelMergerNode(ctx, { numberOfInputs: 6 });
  const record = (node, at) => {
    const s = new ChannelSplitterNode(ctx, { numberOfOutputs: 2 });
    node.connect(s);
    s.connect(merger, 0, at);
    s.connect(merger, 1, at + 1);
  };
  let before = src;
  if (ref) {
    src.connect(ref.audioNode);
    before = ref.audioNode;
  }
  let into = before;
  if (effect) {
    const fx = buildEffect(ctx, effect);
    before.connect(fx.input);
    into = fx.output;
  }
  into.connect(inst.audioNode);
  record(before, 0);
  record(into, 2);
  record(inst.audioNode, 4);
  merger.connect(ctx.destination);
  const readouts = [];
  inst.audioNode.addEventListener('readout', (e) => readouts.push(e.detail));
  await watching(inst.audioNode);
  src.start();
  const out = await ctx.startRendering();
  await settle(); // readouts posted during the render arrive afterwards
  const pv = await inst.audioNode.getParameterValues(false);
  inst.audioNode.destroy();
  ref?.audioNode.destroy();

  const ch = [0, 1, 2, 3, 4, 5].map((c) => out.getChannelData(c));
  let nonFinite = 0;
  for (const x of ch) for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) nonFinite++;
  const jumps = [...new Set([...p.jumps, ...moves])].sort((a, b) => a - b);
  const bounds = [0, ...jumps, length / FS];
  const sections = [];
  for (let k = 0; k + 1 < bounds.length; k++) sections.push([bounds[k], bounds[k + 1]]);
  const val = (id) => pv[id].value;
  const run = {
    scenario: { mode, params }, reference: [ch[0], ch[1]], input: [ch[2], ch[3]], sections, jumps,
    target: val('target'), ceiling: val('ceiling'), ceilingOn: val('ceilingOn') > 0, maxBoost: val('maxBoost'), maxCut: val('maxCut'),
    readouts, // for the held-off measure (the engine gain G of each readout)
  };
  const output = [ch[4], ch[5]];
  run.output = output;
  const metrics = kit.evaluate(run, output, FS);
  const last = readouts.at(-1) ?? null;
  return {
    metrics, jumps, seconds: length / FS, nonFinite, readouts: readouts.length,
    parameters: { target: run.target, ceiling: run.ceiling, ceilingOn: val('ceilingOn'), maxBoost: run.maxBoost },
    last: last && { estimateSeconds: last.estimateSeconds, drift: last.drift, applied: last.gain.applied, status: last.status },
  };
}
