// webaudiomodules/wam-examples, packages/host, reproduced: the call sequence that host makes, in its order,
// on a real-time AudioContext.
//   - at load: initializeWamHost(ctx, 'test-host'); a media element source and a live-input gain node;
//   - an event emitter plugin (their MIDI keyboards) created in the same group, wired with connectEvents;
//   - setPlugin: import(url), createInstance('test-host', ctx) with no state, connect (live input, keyboard audio
//     and events, media element -> plugin -> destination), a 'wam-info' listener, ctx.resume(), createGui(),
//     getParameterInfo() for the info panel and the automation lane selector, the GUI mounted in the page;
//   - an automation lane applied: clearEvents(), getParameterValues(false, id), then `wam-automation` events
//     WITHOUT `normalized`, one every 10 ms of the lane's duration, all scheduled at once with future times;
//   - the note button: `wam-midi` note on / off with Uint8Array bytes; the keyboard's notes through connectEvents;
//   - save / restore: getState(), later setState(saved) (not awaited);
//   - replacing the plugin: disconnect everything, disconnectEvents, audioNode.destroy(), then
//     module.destroyGui(gui), unmount; and setPlugin again.
import { initializeWamHost, PLUGIN_URL, programme, wavUrl, sleep, analyse, windowGlobals } from './lib.js';

export async function run() {
  const audioContext = new AudioContext();
  const [, key] = await initializeWamHost(audioContext, 'test-host');
  const player = document.createElement('audio');
  player.loop = true;
  player.src = wavUrl(programme(audioContext, 4, 0.5));
  document.body.appendChild(player);
  const mediaElementSource = audioContext.createMediaElementSource(player);
  const liveInputGainNode = audioContext.createGain();
  const mount = document.createElement('div');
  document.body.appendChild(mount);
  const analyser = new AnalyserNode(audioContext, { fftSize: 4096 });
  analyser.connect(audioContext.destination);

  const { default: Keyboard } = await import('./emitter.js');
  const keyboardPlugin = await Keyboard.createInstance('test-host', audioContext);
  const keyboardPluginAudioNode = keyboardPlugin.audioNode;

  let currentPluginAudioNode = null;
  let currentPluginDomNode = null;
  let wamInfo = 0;
  const handleInfoEvent = () => wamInfo++;

  const connectPlugin = (audioNode) => {
    if (currentPluginAudioNode) {
      liveInputGainNode.disconnect();
      keyboardPluginAudioNode.disconnectEvents(currentPluginAudioNode.instanceId);
      if (currentPluginAudioNode.numberOfInputs) keyboardPluginAudioNode.disconnect(currentPluginAudioNode);
      if (currentPluginAudioNode.numberOfInputs) mediaElementSource.disconnect(currentPluginAudioNode);
      currentPluginAudioNode.disconnect(analyser);
      currentPluginAudioNode.removeEventListener('wam-info', handleInfoEvent);
      currentPluginAudioNode.destroy();
      if (currentPluginDomNode) {
        currentPluginAudioNode.module.destroyGui(currentPluginDomNode);
        mount.innerHTML = '';
        currentPluginDomNode = null;
      }
      currentPluginAudioNode = null;
    }
    if (audioNode.numberOfInputs) liveInputGainNode.connect(audioNode);
    if (audioNode.numberOfInputs) keyboardPluginAudioNode.connect(audioNode);
    keyboardPluginAudioNode.connectEvents(audioNode.instanceId);
    if (audioNode.numberOfInputs) mediaElementSource.connect(audioNode);
    audioNode.connect(analyser);
    currentPluginAudioNode = audioNode;
    currentPluginAudioNode.addEventListener('wam-info', handleInfoEvent);
  };

  const setPlugin = async (pluginUrl) => {
    const { default: WAM } = await import(pluginUrl);
    const instance = await WAM.createInstance('test-host', audioContext);
    connectPlugin(instance.audioNode);
    audioContext.resume();
    const pluginDomNode = await instance.createGui();
    currentPluginDomNode = pluginDomNode;
    const infos = await instance.audioNode.getParameterInfo();
    const infoPanel = JSON.stringify(instance.descriptor) + Object.entries(infos).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('');
    const lanes = Object.entries(await instance.audioNode.getParameterInfo()).map(([id, { minValue, maxValue, label }]) => `${id} (${label}): ${minValue} - ${maxValue}`);
    mount.innerHTML = '';
    mount.appendChild(pluginDomNode);
    return { instance, infoPanelLength: infoPanel.length, lanes };
  };

  /** The automation lane's apply(): a break-point function y(t) over `domain` seconds, one event per 10 ms. */
  const applyLane = async (wamNode, wamParamId, domain, y) => {
    const { currentTime } = wamNode.context;
    wamNode.clearEvents();
    const currentValue = (await wamNode.getParameterValues(false, wamParamId))[wamParamId].value;
    wamNode.scheduleEvents({ type: 'wam-automation', data: { id: wamParamId, value: currentValue }, time: currentTime });
    for (let t = 0; t < domain; t += 0.01) wamNode.scheduleEvents({ type: 'wam-automation', data: { id: wamParamId, value: y(t) }, time: currentTime + t });
  };

  const globals0 = new Set(windowGlobals());
  const first = await setPlugin(PLUGIN_URL);
  const node = first.instance.audioNode;
  let readouts = 0;
  node.addEventListener('readout', () => readouts++);
  await player.play();
  await sleep(300);

  // Two lanes over 0.5 s: offset ramps -6 -> +6 dB, detector (a choice) moves through 0..3 and ends at 2.2.
  // The Apply button runs every lane's apply() from a forEach, unawaited: both clearEvents() come first.
  await Promise.all([applyLane(node, 'offset', 0.5, (t) => -6 + 24 * t), applyLane(node, 'detector', 0.5, (t) => (t < 0.25 ? 0.4 : 2.2))]);
  // The note button, and the keyboard's own notes plus an automation event through connectEvents.
  node.scheduleEvents({ type: 'wam-midi', time: node.context.currentTime, data: { bytes: new Uint8Array([0x90, 74, 100]) } });
  node.scheduleEvents({ type: 'wam-midi', time: node.context.currentTime + 0.25, data: { bytes: new Uint8Array([0x80, 74, 100]) } });
  keyboardPluginAudioNode.emit([
    { type: 'wam-midi', time: audioContext.currentTime, data: { bytes: [0x90, 60, 100] } },
    { type: 'wam-automation', time: audioContext.currentTime, data: { id: 'tolerance', value: 1.25 } },
    { type: 'wam-transport', time: audioContext.currentTime, data: { currentBar: 0, currentBarStarted: 0, tempo: 120, timeSigNumerator: 4, timeSigDenominator: 4, playing: true } },
  ]);
  await sleep(900);
  const automated = await node.getParameterValues(false);
  const audio = analyse(analyser);

  // Save, change, restore (the host does not await setState).
  const saved = await node.getState();
  await node.setParameterValues({ offset: { id: 'offset', value: -12, normalized: false } });
  node.setState(saved);
  await sleep(200);
  const restored = await node.getState();

  // Replace the plugin with a new instance of it.
  const firstGui = currentPluginDomNode;
  const second = await setPlugin(PLUGIN_URL);
  await sleep(400);
  const secondValues = await second.instance.audioNode.getParameterValues(false);
  const secondAudio = analyse(analyser);
  const added = windowGlobals().filter((k) => !globals0.has(k));

  const result = {
    groupKeyIsString: typeof key === 'string',
    lanes: first.lanes,
    infoPanelLength: first.infoPanelLength,
    offset: automated.offset.value,
    detector: automated.detector.value,
    tolerance: automated.tolerance.value,
    audio,
    readouts,
    savedOffset: saved.parameters.offset,
    restored,
    saved,
    firstGuiRemoved: !firstGui.isConnected,
    secondGuiMounted: second.instance && currentPluginDomNode.isConnected,
    secondOffset: secondValues.offset.value,
    secondAudio,
    added,
  };
  currentPluginAudioNode.destroy();
  currentPluginAudioNode.module.destroyGui(currentPluginDomNode);
  keyboardPluginAudioNode.destroy();
  player.pause();
  await audioContext.close();
  return result;
}
