// A web DAW hosting LevelMatch from the npm package, as README "Hosting LevelMatch" says: dist/plugin copied
// to a static folder, the SDK's initializeWamHost, import() of the plugin by URL, createInstance, a reference and
// a match instance around a -10 dB effect in an OfflineAudioContext, the GUI, the thumbnail, getState.
import { initializeWamHost, setPluginUrl, loadPlugin, programme, level, nonFinite, toMerger, sleep } from './lib.js';

export async function run({ url }) {
  setPluginUrl(url);
  const { default: LevelMatch } = await loadPlugin();
  const sr = 48000;
  const seconds = 10;
  const ctx = new OfflineAudioContext({ numberOfChannels: 4, length: sr * seconds, sampleRate: sr });
  const [groupId] = await initializeWamHost(ctx);
  const ref = await LevelMatch.createInstance(groupId, ctx, { mode: 0, link: 2 });
  const match = await LevelMatch.createInstance(groupId, ctx, { link: 2 });
  const gui = await match.createGui();
  document.body.appendChild(gui);
  const src = new AudioBufferSourceNode(ctx, { buffer: programme(ctx, seconds) });
  const effect = new GainNode(ctx, { gain: 10 ** (-10 / 20) });
  src.connect(ref.audioNode).connect(effect).connect(match.audioNode);
  const merger = new ChannelMergerNode(ctx, { numberOfInputs: 4 });
  toMerger(ctx, ref.audioNode, merger, 0);
  toMerger(ctx, match.audioNode, merger, 2);
  merger.connect(ctx.destination);
  src.start();
  const out = await ctx.startRendering();
  await sleep(100);
  const state = await match.audioNode.getState();
  const thumbnailUrl = new URL(match.descriptor.thumbnail, new URL(url, location.href)).href;
  const thumbnail = await new Promise((resolve) => {
    const img = new Image();
    img.onload = () => resolve(img.naturalWidth);
    img.onerror = () => resolve(0);
    img.src = thumbnailUrl;
  });
  const guiWidth = gui.getBoundingClientRect().width;
  match.destroyGui(gui);
  ref.audioNode.destroy();
  match.audioNode.destroy();
  return {
    refLevel: level(out, 0, seconds - 3, seconds),
    outLevel: level(out, 2, seconds - 3, seconds),
    nonFinite: nonFinite(out),
    stateGain: state.gain,
    thumbnailWidth: thumbnail,
    guiWidth,
    readoutLinked: match.audioNode.readout?.status.linked ?? false,
  };
}
