// The checks of two public WAM conformance suites, reproduced in our own words on the built plugin:
// - boourns/wamtest: the plugin module loads; `isWebAudioModuleConstructor` / `isWebAudioModule`; the descriptor's
//   schema (required non-empty strings, booleans, keywords); the thumbnail, resolved against the plugin's URL,
//   loads as an image; the GUI loads; and its leak check: what loading the module, creating an instance and
//   creating a GUI add to the page's globals and to the AudioWorkletGlobalScope's.
// - Sylcantor/wam-web-components `wamHostTest`: the WebAudioModule API surface as that suite calls it, including
//   calls without arguments (setParameterValues(), initialize(), createAudioNode(), destroyGui()).
import { initializeWamHost, loadPlugin, PLUGIN_URL, windowGlobals, workletGlobals, sleep } from './lib.js';

const BOOLEAN_FIELDS = [
  'isInstrument', 'hasAudioInput', 'hasAudioOutput', 'hasAutomationInput', 'hasAutomationOutput', 'hasMidiInput',
  'hasMidiOutput', 'hasMpeInput', 'hasMpeOutput', 'hasOscInput', 'hasOscOutput', 'hasSysexInput', 'hasSysexOutput',
];
const REQUIRED_STRINGS = ['identifier', 'name', 'vendor', 'version', 'apiVersion', 'thumbnail', 'description'];

/** Problems of a descriptor against the WAM 2.0 descriptor schema as wamtest checks it (empty list: valid). */
function descriptorProblems(d) {
  const problems = [];
  for (const k of REQUIRED_STRINGS) if (typeof d[k] !== 'string' || d[k] === '') problems.push(`${k} must be a non-empty string`);
  for (const k of BOOLEAN_FIELDS) if (typeof d[k] !== 'boolean') problems.push(`${k} must be a boolean`);
  if (!Array.isArray(d.keywords) || d.keywords.some((k) => typeof k !== 'string')) problems.push('keywords must be an array of strings');
  if (d.website !== undefined && typeof d.website !== 'string') problems.push('website must be a string');
  return problems;
}

const loadImage = (url) =>
  new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve({ loaded: true, width: img.naturalWidth, height: img.naturalHeight });
    img.onerror = () => resolve({ loaded: false, width: 0, height: 0 });
    img.src = url;
  });

export async function wamtest() {
  const ctx = new AudioContext();
  const [groupId] = await initializeWamHost(ctx, 'wamtester');
  const stage = async (fn) => {
    const main0 = new Set(windowGlobals());
    const audio0 = new Set(await workletGlobals(ctx));
    const result = await fn();
    await sleep(50);
    return {
      result,
      main: windowGlobals().filter((k) => !main0.has(k)),
      audio: (await workletGlobals(ctx)).filter((k) => !audio0.has(k)),
    };
  };
  const loading = await stage(() => loadPlugin());
  const WAM = loading.result.default;
  const creating = await stage(() => WAM.createInstance(groupId, ctx));
  const instance = creating.result;
  const gui = await stage(() => instance.createGui());
  const descriptor = { ...instance.descriptor };
  const pluginUrl = new URL(PLUGIN_URL, location.href).href;
  const thumbnailUrl = descriptor.thumbnail ? new URL(descriptor.thumbnail, pluginUrl).href : '';
  const thumbnail = thumbnailUrl ? await loadImage(thumbnailUrl) : { loaded: false, width: 0, height: 0 };
  const websiteUrl = descriptor.website ? new URL(descriptor.website, pluginUrl).href : '';
  const website = websiteUrl ? await fetch(websiteUrl).then((r) => r.status) : 0;
  const result = {
    isWebAudioModuleConstructor: WAM.isWebAudioModuleConstructor === true,
    isWebAudioModule: instance.isWebAudioModule === true,
    descriptorProblems: descriptorProblems(descriptor),
    apiVersion: descriptor.apiVersion,
    thumbnailUrl,
    thumbnail,
    websiteUrl,
    websiteStatus: website,
    guiIsElement: gui.result instanceof HTMLElement,
    added: { loading: loading.main, creating: creating.main, gui: gui.main },
    addedAudio: { loading: loading.audio, creating: creating.audio, gui: gui.audio },
  };
  instance.destroyGui(gui.result);
  instance.audioNode.destroy();
  await ctx.close();
  return result;
}

/** wamHostTest's calls, in its order; each entry says what the call gave (type names, or the error). */
export async function wamHostTest() {
  const ctx = new AudioContext();
  const [groupId] = await initializeWamHost(ctx);
  const { default: WAM } = await loadPlugin();
  const plugin = await WAM.createInstance(groupId, ctx);
  const source = new OscillatorNode(ctx);
  source.connect(plugin.audioNode).connect(ctx.destination);
  source.start();
  const out = {};
  const call = async (name, fn) => {
    try {
      const r = fn();
      const isPromise = r instanceof Promise;
      const value = isPromise ? await r : r;
      out[name] = { exists: r !== undefined && r !== null, isPromise, type: Object.prototype.toString.call(value).slice(8, -1), value: value instanceof Object ? undefined : value };
      return value;
    } catch (e) {
      out[name] = { error: `${e.name}: ${e.message}` };
      return undefined;
    }
  };
  const info = await call('getParameterInfo', () => plugin.audioNode.getParameterInfo());
  const values = await call('getParameterValues', () => plugin.audioNode.getParameterValues());
  await call('setParameterValues', () => plugin.audioNode.setParameterValues());
  await call('isWebAudioModule', () => plugin.isWebAudioModule);
  await call('audioContext', () => plugin.audioContext);
  await call('audioNode', () => plugin.audioNode);
  await call('initialized', () => plugin.initialized);
  await call('groupId', () => plugin.groupId);
  await call('moduleId', () => plugin.moduleId);
  await call('instanceId', () => plugin.instanceId);
  await call('descriptor', () => plugin.descriptor);
  await call('name', () => plugin.name);
  await call('vendor', () => plugin.vendor);
  const extraNodes = [await call('createAudioNode', () => plugin.createAudioNode()), await call('createAudioNode2', () => plugin.createAudioNode())];
  await call('initialize', () => plugin.initialize());
  await call('initialize2', () => plugin.initialize());
  const guis = [await call('createGui', () => plugin.createGui()), await call('createGui2', () => plugin.createGui())];
  await call('destroyGui', () => plugin.destroyGui());
  await call('destroyGui2', () => plugin.destroyGui());
  await sleep(100);
  const after = await plugin.audioNode.getParameterValues();
  const result = {
    calls: out,
    infoCount: info ? Object.keys(info).length : 0,
    valueCount: values ? Object.keys(values).length : 0,
    valuesUnchanged: JSON.stringify(after) === JSON.stringify(values),
    audioNodeIsAudioNode: plugin.audioNode instanceof AudioNode,
    extraNodesAreAudioNodes: extraNodes.every((n) => n instanceof AudioNode),
    sameAudioNodeAfterInitialize: plugin.audioNode === plugin.audioNode,
    guisAreElements: guis.every((g) => g instanceof HTMLElement),
  };
  for (const g of guis) if (g) plugin.destroyGui(g);
  for (const n of extraNodes) n?.destroy();
  plugin.audioNode.destroy();
  await ctx.close();
  return result;
}
