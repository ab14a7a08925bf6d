// A per-plugin host page of wam-examples (disto_machine/src/host.js, graphicEqualizer/src/host.js), reproduced:
// the page sets up the WAM environment and a group itself with addFunctionModule (initializeWamEnv with the API
// version, initializeWamGroup with 'test-host' and a key), then createInstance(hostGroupId, ctx, {}) — an EMPTY
// OBJECT as the initial state —, connects a media element through the plugin, creates the GUI, mounts it, and
// resumes the context when the player plays; later it reads getState().
import { addFunctionModule, initializeWamEnv, initializeWamGroup, apiVersion } from '/node_modules/@webaudiomodules/sdk/dist/index.js';
import { loadPlugin, programme, wavUrl, sleep, analyse } from './lib.js';

export async function run() {
  const player = document.createElement('audio');
  const mount = document.createElement('div');
  document.body.append(player, mount);
  const audioContext = new AudioContext();
  player.loop = true;
  player.src = wavUrl(programme(audioContext, 4, 0.5));
  const mediaElementSource = audioContext.createMediaElementSource(player);
  const analyser = new AnalyserNode(audioContext, { fftSize: 4096 });
  const { default: pluginFactory } = await loadPlugin();
  await addFunctionModule(audioContext.audioWorklet, initializeWamEnv, apiVersion);
  const hostGroupId = 'test-host';
  const hostGroupKey = performance.now().toString();
  await addFunctionModule(audioContext.audioWorklet, initializeWamGroup, hostGroupId, hostGroupKey);

  const pluginInstance = await pluginFactory.createInstance(hostGroupId, audioContext, {});
  mediaElementSource.connect(pluginInstance.audioNode);
  pluginInstance.audioNode.connect(analyser).connect(audioContext.destination);
  const pluginDomNode = await pluginInstance.createGui();
  mount.innerHTML = '';
  mount.appendChild(pluginDomNode);
  player.onplay = () => audioContext.resume();
  await player.play();
  await sleep(600);
  const state = await pluginInstance.audioNode.getState();
  const audio = analyse(analyser);
  const readout = pluginInstance.audioNode.readout;
  const guiShown = pluginDomNode.isConnected && pluginDomNode.getBoundingClientRect().width > 100;
  player.pause();
  pluginInstance.destroyGui(pluginDomNode);
  pluginInstance.audioNode.destroy();
  await audioContext.close();
  return { state, audio, hasReadout: readout !== null, guiShown };
}
