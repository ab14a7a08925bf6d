// Brotherta/wam-studio, reproduced: how that DAW creates, nests, automates, clones and exports plugins.
//   - a plugin instance: createInstance(groupId, ctx) with no state, createGui(), then setState(default_state)
//     when the bank gives one (`{}` or hand-written);
//   - Pedalboard2, its root plugin: children created in an inner group (a second initializeWamHost on the same
//     context) with no state, then setState(<the preset's child state>) — `{}`, partial, or hand-written —,
//     chained in order; child parameters exposed as `<n><|:pdb2:|><id>` and forwarded as
//     child.setParameterValues({ <id>: { id: '<n><|:pdb2:|><id>', value } }) (the key is the child's own id);
//   - automation: `wam-automation` events every 0.1 s with plain values (no `normalized`), clearEvents() on seek;
//   - MIDI broadcast to every plugin;
//   - bounce / clone: getState() -> a new instance in an OfflineAudioContext + createGui() -> setState(state);
//   - per-track export: each track rendered in its own OfflineAudioContext (its own initializeWamHost), so a match
//     instance on another track than its reference finds no reference there;
//   - master export: every track's plugins created at once, Promise.all, in one OfflineAudioContext.
// The "effect" between reference and match is a Web Audio GainNode standing in for a child effect plugin.
import { initializeWamHost, loadPlugin, programme, level, nonFinite, toMerger, sleep } from './lib.js';

const SR = 48000;
const EXPOSED = '<|:pdb2:|>';

/** PluginInstance.create + Plugin.instantiate: no state at creation, a GUI, then the bank's default state. */
async function instantiate(WAM, ctx, groupId, defaultState) {
  const instance = await WAM.createInstance(groupId, ctx);
  const gui = await instance.createGui();
  if (defaultState) await instance.audioNode.setState(defaultState);
  return { instance, gui };
}

/** PluginInstance.cloneInto: getState -> new instance + GUI -> setState. */
async function cloneInto(plugin, WAM, ctx, groupId) {
  const state = await plugin.instance.audioNode.getState();
  const clone = await instantiate(WAM, ctx, groupId);
  await clone.instance.audioNode.setState(state);
  return clone;
}

/** A Pedalboard2-like container: an inner group, children from a preset, parameters exposed with prefixes. */
async function pedalboard(ctx, WAM, preset) {
  const [innerGroupId] = await initializeWamHost(ctx);
  const input = new GainNode(ctx);
  const output = new GainNode(ctx);
  const children = [];
  for (const { id, wam_id: wamId, state } of preset.plugins) {
    if (wamId === 'effect') {
      children.push({ id, node: new GainNode(ctx, { gain: 10 ** (state.dB / 20) }) });
      continue;
    }
    const instance = await WAM.createInstance(innerGroupId, ctx);
    await instance.audioNode.setState(state);
    children.push({ id, instance, node: instance.audioNode });
  }
  let prev = input;
  for (const c of children) prev = prev.connect(c.node);
  prev.connect(output);
  const byId = new Map(children.map((c) => [c.id, c]));
  return {
    input,
    output,
    children,
    innerGroupId,
    async getParameterInfo() {
      const out = {};
      for (const c of children) {
        if (!c.instance) continue;
        for (const [pid, info] of Object.entries(await c.node.getParameterInfo())) out[`${c.id}${EXPOSED}${pid}`] = { ...info, id: `${c.id}${EXPOSED}${pid}` };
      }
      return out;
    },
    async setParameterValues(values) {
      for (const [name, value] of Object.entries(values)) {
        const [childId, parameter] = name.split(EXPOSED);
        const child = byId.get(Number(childId));
        if (child?.instance) await child.node.setParameterValues({ [parameter]: value });
      }
    },
    async getState() {
      const plugins = [];
      for (const c of children) plugins.push({ id: c.id, wam_id: c.instance ? 'levelmatch' : 'effect', state: c.instance ? await c.node.getState() : { dB: Math.round(2000 * Math.log10(c.node.gain.value)) / 100 } });
      return { plugins };
    },
  };
}

/** The automation controller: one plain-valued event every 0.1 s of `values`, after clearEvents() (a seek). */
function automate(node, id, values, t0) {
  node.clearEvents();
  node.scheduleEvents(...values.map((value, i) => ({ type: 'wam-automation', data: { id, value }, time: t0 + i * 0.1 })));
}

const midiToAll = (nodes, t) => {
  for (const n of nodes) {
    n.scheduleEvents({ type: 'wam-midi', time: t, data: { bytes: [0x90, 64, 90] } }, { type: 'wam-midi', time: t + 0.5, data: { bytes: [0x80, 64, 0] } });
  }
};

/** Plugin instances with a bank default state: none, `{}`, hand-written. */
export async function defaultStates() {
  const { default: WAM } = await loadPlugin();
  const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: SR, sampleRate: SR });
  const [groupId] = await initializeWamHost(ctx);
  const out = {};
  for (const [name, s] of [['none', undefined], ['empty', {}], ['handWritten', { mode: 3, target: -16 }], ['sdkShape', { parameterValues: { mode: { id: 'mode', value: 0, normalized: false } } }]]) {
    try {
      const p = await instantiate(WAM, ctx, groupId, s);
      out[name] = await p.instance.audioNode.getState();
      p.instance.destroyGui(p.gui);
      p.instance.audioNode.destroy();
    } catch (e) {
      out[name] = `${e.name}: ${e.message}`;
    }
  }
  return out;
}

/**
 * A session in Pedalboard2: [reference `{ mode: 0 }`, effect dB, match `{}`], exposed parameters, the match's
 * offset set through the pedalboard, automation and MIDI; rendered. Then the bounce and the per-track export.
 */
export async function pedalboardSession({ dB = -8, seconds = 10 } = {}) {
  const { default: WAM } = await loadPlugin();
  const ctx = new OfflineAudioContext({ numberOfChannels: 4, length: SR * seconds, sampleRate: SR });
  const [groupId] = await initializeWamHost(ctx);
  const board = await pedalboard(ctx, WAM, {
    plugins: [
      { id: 0, wam_id: 'levelmatch', state: { mode: 0 } },
      { id: 1, wam_id: 'effect', state: { dB } },
      { id: 2, wam_id: 'levelmatch', state: {} },
    ],
  });
  const [ref, , match] = board.children;
  const exposed = Object.keys(await board.getParameterInfo());
  await board.setParameterValues({ [`2${EXPOSED}offset`]: { id: `2${EXPOSED}offset`, value: 1.5 } });
  await board.setParameterValues({ [`2${EXPOSED}tolerance`]: { id: `2${EXPOSED}tolerance`, value: 0.25 } });
  // Automation of the match's maxBoost (plain values), after a seek; MIDI to every plugin.
  automate(match.node, 'maxBoost', [12, 13, 14, 15, 16, 17, 18], 0);
  midiToAll([ref.node, match.node], 0.2);
  const src = new AudioBufferSourceNode(ctx, { buffer: programme(ctx, seconds) });
  src.connect(board.input);
  const merger = new ChannelMergerNode(ctx, { numberOfInputs: 4 });
  toMerger(ctx, ref.node, merger, 0);
  toMerger(ctx, board.output, merger, 2);
  merger.connect(ctx.destination);
  let last = null;
  match.node.addEventListener('readout', (e) => (last = e.detail));
  src.start();
  const out = await ctx.startRendering();
  await sleep(100);
  const values = await match.node.getParameterValues(false);
  const sessionState = await board.getState();
  const matchState = sessionState.plugins[2].state;

  // Bounce: the match child cloned into a new OfflineAudioContext, fed the same effected input, no reference.
  const bounce = await renderAlone(WAM, { instance: match.instance }, dB, seconds);
  // Per-track export: the match's track alone in its own context (here: the same as the bounce, through the
  // host's track path: a fresh initializeWamHost per track).
  return {
    exposedCount: exposed.length,
    exposedSample: exposed.filter((k) => k.startsWith(`2${EXPOSED}`)).slice(0, 3),
    childStates: sessionState.plugins.map((p) => p.state.parameters ? { mode: p.state.parameters.mode, link: p.state.parameters.link } : p.state),
    offset: values.offset.value,
    tolerance: values.tolerance.value,
    maxBoost: values.maxBoost.value,
    refLevel: level(out, 0, seconds - 3, seconds),
    outLevel: level(out, 2, seconds - 3, seconds),
    nonFinite: nonFinite(out),
    applied: last?.gain.applied ?? NaN,
    linked: last?.status.linked ?? false,
    stateGain: matchState.gain,
    bounce,
  };
}

/**
 * A plugin's clone rendered alone (a bounce, or its track in a per-track export): a new OfflineAudioContext with
 * its own host group, the clone made by cloneInto (GUI included), fed programme * dB, no reference anywhere.
 * Returns the output level minus the input level over the whole render (from the first sample) and its spread.
 */
async function renderAlone(WAM, plugin, dB, seconds) {
  const ctx = new OfflineAudioContext({ numberOfChannels: 4, length: SR * 4, sampleRate: SR });
  const [groupId] = await initializeWamHost(ctx);
  const clone = await cloneInto(plugin, WAM, ctx, groupId);
  const src = new AudioBufferSourceNode(ctx, { buffer: programme(ctx, 4) });
  const effect = new GainNode(ctx, { gain: 10 ** (dB / 20) });
  src.connect(effect).connect(clone.instance.audioNode);
  const merger = new ChannelMergerNode(ctx, { numberOfInputs: 4 });
  toMerger(ctx, effect, merger, 0);
  toMerger(ctx, clone.instance.audioNode, merger, 2);
  merger.connect(ctx.destination);
  let last = null;
  clone.instance.audioNode.addEventListener('readout', (e) => (last = e.detail));
  src.start();
  const out = await ctx.startRendering();
  await sleep(100);
  // The gain, sample by sample, over the whole render: output / input on the left channel.
  const x = out.getChannelData(0);
  const y = out.getChannelData(2);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]) < 1e-3) continue;
    const g = 20 * Math.log10(Math.abs(y[i] / x[i]));
    min = Math.min(min, g);
    max = Math.max(max, g);
  }
  const state = await clone.instance.audioNode.getState();
  clone.instance.destroyGui(clone.gui);
  clone.instance.audioNode.destroy();
  return { gainMin: min, gainMax: max, noReference: last?.status.noReference ?? false, applied: last?.gain.applied ?? NaN, stateGain: state.gain, nonFinite: nonFinite(out) };
}

/**
 * The export of a two-track session where the reference is on track 1 and the match on track 2: the live
 * session renders (both tracks, one context); then the per-track export renders each track alone in its own
 * OfflineAudioContext, each plugin cloned by getState -> new instance + GUI -> setState.
 */
export async function perTrackExport({ dB = 6, seconds = 10 } = {}) {
  const { default: WAM } = await loadPlugin();
  const ctx = new OfflineAudioContext({ numberOfChannels: 4, length: SR * seconds, sampleRate: SR });
  const [groupId] = await initializeWamHost(ctx);
  const track1 = await instantiate(WAM, ctx, groupId, { mode: 0, link: 4 });
  const track2 = await instantiate(WAM, ctx, groupId, { link: 4, maxBoost: 6, maxCut: 12 });
  const src = new AudioBufferSourceNode(ctx, { buffer: programme(ctx, seconds) });
  const effect = new GainNode(ctx, { gain: 10 ** (dB / 20) });
  src.connect(track1.instance.audioNode);
  src.connect(effect).connect(track2.instance.audioNode);
  const merger = new ChannelMergerNode(ctx, { numberOfInputs: 4 });
  toMerger(ctx, track1.instance.audioNode, merger, 0);
  toMerger(ctx, track2.instance.audioNode, merger, 2);
  merger.connect(ctx.destination);
  let last = null;
  track2.instance.audioNode.addEventListener('readout', (e) => (last = e.detail));
  src.start();
  const out = await ctx.startRendering();
  await sleep(100);
  const live = { refLevel: level(out, 0, seconds - 3, seconds), outLevel: level(out, 2, seconds - 3, seconds), applied: last.gain.applied, linked: last.status.linked };
  const exported = await renderAlone(WAM, track2, dB, seconds);
  return { live, exported };
}

/** The master export: all tracks' plugins created concurrently (Promise.all) in one OfflineAudioContext. */
export async function masterExport({ tracks = 6, seconds = 8 } = {}) {
  const { default: WAM } = await loadPlugin();
  const ctx = new OfflineAudioContext({ numberOfChannels: 2 * tracks, length: SR * seconds, sampleRate: SR });
  const [groupId] = await initializeWamHost(ctx);
  // Track k: a reference (even k) or a match 2k dB quieter (odd k), link k >> 1 + 1.
  const states = Array.from({ length: tracks }, (_, k) => ({ format: 'levelmatch', version: 1, parameters: { mode: k % 2 ? 1 : 0, link: (k >> 1) + 1 } }));
  const plugins = await Promise.all(states.map(async (s) => {
    const p = await instantiate(WAM, ctx, groupId);
    await p.instance.audioNode.setState(s);
    return p;
  }));
  const src = new AudioBufferSourceNode(ctx, { buffer: programme(ctx, seconds) });
  const merger = new ChannelMergerNode(ctx, { numberOfInputs: 2 * tracks });
  plugins.forEach((p, k) => {
    const g = new GainNode(ctx, { gain: k % 2 ? 10 ** (-(k + 1) / 20) : 1 });
    src.connect(g).connect(p.instance.audioNode);
    toMerger(ctx, p.instance.audioNode, merger, 2 * k);
  });
  merger.connect(ctx.destination);
  src.start();
  const out = await ctx.startRendering();
  const levels = plugins.map((_, k) => level(out, 2 * k, seconds - 3, seconds));
  const ids = plugins.map((p) => p.instance.instanceId);
  for (const p of plugins) {
    p.instance.destroyGui(p.gui);
    p.instance.audioNode.destroy();
  }
  return { levels, distinctIds: new Set(ids).size, count: plugins.length, nonFinite: nonFinite(out) };
}
