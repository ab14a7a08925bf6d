// AudioWorklet processor for the host reproductions: posts the AudioWorkletGlobalScope's own global names once,
// so a test can see what loading a plugin added to the audio thread (as the wamtest leak check does).
registerProcessor('levelmatch-test-globals-probe', class extends AudioWorkletProcessor {
  constructor() {
    super();
    this.port.postMessage(Object.keys(Object.getOwnPropertyDescriptors(globalThis)));
  }
  process() {
    return false;
  }
});
