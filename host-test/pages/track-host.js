// Page side of the reference-track tests (host-test/track*.browser.test.ts). Plain JavaScript served as-is.
// Hosts the BUILT plugin as a WAM host does, in OfflineAudioContexts, optionally as a host with the assets
// extension of the `wam-extensions` package: window.WAMExtensions.assets, an AssetExtension whose pickAsset
// hands the plugin a file of "the project" (without its content, so the plugin must call loadAsset) and whose
// loadAsset serves the files by URI. Every call is logged so the tests can see what the plugin asked for.
import { initializeWamHost } from '/node_modules/@webaudiomodules/sdk/dist/index.js';
import { AssetExtension } from '/node_modules/wam-extensions/dist/assets/AssetExtension.js';
import { bandProgramme } from '/host-test/pages/plugin-host.js';

const PLUGIN_URL = '/dist/plugin/index.js';
const SR = 48000;
const settle = (ms = 200) => new Promise((r) => setTimeout(r, ms));

/** The mock host's assets extension, built on the package's class (its delegates map and register()). */
class ProjectAssets extends AssetExtension {
  constructor(files, { withContent = false } = {}) {
    super();
    this.files = files; // uri -> { name, url }
    this.log = { pick: [], load: [] };
    this.pickAsset = (pluginId, assetType, callback) => {
      this.log.pick.push({ pluginId, assetType });
      const [uri, f] = [...this.files.entries()][0];
      // The host calls back later, as a file dialog would.
      setTimeout(async () => {
        const content = withContent ? await (await fetch(f.url)).blob() : undefined;
        await callback({ uri, name: f.name, ...(content ? { content } : {}) });
      }, 10);
    };
    this.loadAsset = async (pluginId, uri) => {
      this.log.load.push({ pluginId, uri });
      const f = this.files.get(uri);
      if (f === undefined) return undefined;
      return { uri, name: f.name, content: await (await fetch(f.url)).blob() };
    };
  }
}

const S = { ctx: null, wam: null, gui: null, source: null, progress: [] };

/** Installs (or removes) the host's assets extension. Must run before instances are created. */
export function setup({ extension = false, files = [], withContent = false } = {}) {
  if (extension) {
    window.WAMExtensions = { assets: new ProjectAssets(new Map(files.map((f) => [f.uri, { name: f.name, url: f.url }])), { withContent }) };
  } else {
    delete window.WAMExtensions;
  }
  return { extension: !!window.WAMExtensions };
}

export function assetLog() {
  const a = window.WAMExtensions?.assets;
  if (!a) return null;
  const delegate = S.wam ? a.delegates.get(S.wam.instanceId) : undefined;
  return { pick: a.log.pick.length, load: a.log.load.map((x) => x.uri), pluginIds: [...a.log.pick, ...a.log.load].map((x) => x.pluginId),
    instanceId: S.wam?.instanceId ?? null, registered: [...a.delegates.keys()], list: delegate ? delegate.fetchAssetList() : null };
}

/**
 * A fresh OfflineAudioContext of `seconds` with one instance (`state`: its initial state, or `setState` to set it
 * after creation as wam-studio's bounce does) and, with `gui`, its GUI in the page.
 */
export async function create({ seconds = 13, state, setState, gui = false } = {}) {
  await close();
  const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: SR * seconds, sampleRate: SR });
  const [groupId] = await initializeWamHost(ctx);
  const { default: LevelMatch } = await import(PLUGIN_URL);
  const wam = await LevelMatch.createInstance(groupId, ctx, state);
  if (setState) await wam.audioNode.setState(setState);
  Object.assign(S, { ctx, wam, progress: [] });
  wam.audioNode.addEventListener('trackprogress', (e) => S.progress.push(e.detail.fraction));
  if (gui) {
    S.gui = await wam.createGui();
    document.body.append(S.gui);
    await S.gui.updateComplete;
  }
  return { instanceId: wam.instanceId, track: wam.audioNode.referenceTrack };
}

export async function close() {
  if (S.gui && S.wam) S.wam.destroyGui(S.gui);
  S.wam?.audioNode.destroy();
  Object.assign(S, { ctx: null, wam: null, gui: null, source: null });
}

export function track() {
  return S.wam?.audioNode.referenceTrack ?? null;
}

export async function getState() {
  return JSON.parse(JSON.stringify(await S.wam.audioNode.getState()));
}

export async function setParameters(values) {
  await S.wam.audioNode.setParameterValues(Object.fromEntries(Object.entries(values).map(([id, value]) => [id, { id, value, normalized: false }])));
  await S.gui?.updateComplete;
}

export async function parameters() {
  const v = await S.wam.audioNode.getParameterValues(false);
  return Object.fromEntries(Object.entries(v).map(([id, d]) => [id, d.value]));
}

/** loadReferenceTrack through the node API, from a URL (as a Blob, an ArrayBuffer or a decoded AudioBuffer). */
export async function load({ url, as = 'blob', name, uri, bytes } = {}) {
  let source;
  if (bytes !== undefined) source = new Blob([new Uint8Array(bytes)]);
  else {
    const res = await fetch(url);
    if (as === 'arraybuffer') source = await res.arrayBuffer();
    else if (as === 'audiobuffer') source = await S.ctx.decodeAudioData(await res.arrayBuffer());
    else source = await res.blob();
  }
  S.progress = [];
  try {
    const r = await S.wam.audioNode.loadReferenceTrack(source, { name, uri });
    return { ok: true, readings: r, progress: S.progress };
  } catch (e) {
    return { ok: false, message: e.message, track: track(), progress: S.progress };
  }
}

/** Measures a long generated track (an AudioBuffer) while a message loop counts how often the page got a turn. */
export async function loadLong({ seconds = 120 } = {}) {
  const buf = bandProgramme(S.ctx, seconds);
  let ticks = 0;
  let running = true;
  const ch = new MessageChannel();
  ch.port1.onmessage = () => {
    ticks++;
    if (running) ch.port2.postMessage(0);
  };
  ch.port2.postMessage(0);
  S.progress = [];
  const fractions = [];
  const r = await S.wam.audioNode.loadReferenceTrack(buf, { name: 'long', onProgress: (f) => fractions.push(f) });
  running = false;
  ch.port1.close();
  return { readings: r, progress: S.progress, fractions, ticks, frames: buf.length };
}

/** Drops a file (bytes, or fetched from `url`) on the GUI's track panel, as a drag and drop does. */
export async function drop({ url, bytes, name }) {
  const data = bytes !== undefined ? new Uint8Array(bytes) : await (await fetch(url)).arrayBuffer();
  const dt = new DataTransfer();
  dt.items.add(new File([data], name));
  const zone = S.gui.renderRoot.querySelector('levelmatch-track-panel').renderRoot.querySelector('.drop');
  zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true, composed: true }));
  zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true, composed: true }));
}

/** What the track panel shows. */
export async function panel() {
  const p = S.gui?.renderRoot.querySelector('levelmatch-track-panel');
  if (!p) return null;
  await p.updateComplete;
  const q = (sel) => p.renderRoot.querySelector(sel);
  const text = (sel) => q(sel)?.textContent.replace(/\s+/g, ' ').trim() ?? null;
  return {
    name: text('#track-name'), readings: text('#track-readings'), diff: text('#diff'), error: text('[role=alert]'),
    pick: q('#pick') !== null, remeasure: q('#remeasure') !== null, choose: q('#choose') !== null,
    preset: text('.preset'), presetState: q('.preset')?.dataset.state ?? null, selected: q('select')?.value ?? null,
    busy: q('progress') !== null,
  };
}

/**
 * Plays `seconds` of the steady band programme, scaled so that its integrated loudness is the track's plus
 * `offsetLU`, through the instance and renders. The output is measured with the library's LoudnessMeter over
 * [from, seconds) (independently of the plugin's readouts): integrated (gated, 400 ms blocks) and short-term
 * at the end (the last 3 s, ungated: what the plugin's default detector matches).
 */
export async function render({ offsetLU = 0, from = 10 } = {}) {
  const { LoudnessMeter } = await import('/dist/index.js');
  const ctx = S.ctx;
  const seconds = ctx.length / SR;
  const t = S.wam.audioNode.referenceTrack;
  const prog = bandProgramme(ctx, seconds);
  const m0 = await LoudnessMeter.create({ sampleRate: SR, channels: 2, truePeak: false });
  m0.push([prog.getChannelData(0), prog.getChannelData(1)]);
  const progI = m0.result().integrated;
  const want = (t ? t.integrated : -18) + offsetLU;
  const g = 10 ** ((want - progI) / 20);
  for (let c = 0; c < 2; c++) {
    const d = prog.getChannelData(c);
    for (let i = 0; i < d.length; i++) d[i] *= g;
  }
  const src = new AudioBufferSourceNode(ctx, { buffer: prog });
  src.connect(S.wam.audioNode).connect(ctx.destination);
  let last = null;
  S.wam.audioNode.addEventListener('readout', (e) => (last = e.detail));
  src.start();
  const out = await ctx.startRendering();
  await settle();
  const m = await LoudnessMeter.create({ sampleRate: SR, channels: 2, truePeak: false });
  const a = Math.round(from * SR);
  m.push([out.getChannelData(0).subarray(a), out.getChannelData(1).subarray(a)]);
  const p = S.gui ? await panel() : null;
  return {
    inputI: want, outI: m.result().integrated, outS: m.result().shortTerm, track: t,
    readout: last && { mode: last.mode, gain: last.gain, status: last.status, reference: last.reference.integrated, output: last.output.integrated },
    panel: p,
  };
}

/** Two loads at once (the second wins, the first is refused), then clearReferenceTrack(). */
export async function overlapAndClear({ url }) {
  const node = S.wam.audioNode;
  const blob = await (await fetch(url)).blob();
  const results = await Promise.allSettled([node.loadReferenceTrack(blob, { name: 'first' }), node.loadReferenceTrack(blob, { name: 'second' })]);
  const after = node.referenceTrack;
  let events = 0;
  node.addEventListener('referencetrack', () => events++);
  await node.clearReferenceTrack();
  const state = await node.getState();
  return {
    first: results[0].status === 'rejected' ? results[0].reason.message : 'resolved',
    second: results[1].status === 'fulfilled' ? results[1].value.name : results[1].reason.message,
    after: after?.name ?? null, cleared: node.referenceTrack, stateHasTrack: state.referenceTrack != null, events,
  };
}
