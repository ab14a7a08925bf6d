// An AudioWorkletProcessor that meters its input with the levelmatch library, proving that the core runs in
// an AudioWorkletGlobalScope (no fetch, no atob, no TextDecoder there). It posts the readings once it has
// processed `reportAtFrame` frames.
import { LoudnessMeter } from '/dist/index.js';

class MeterProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { channels, reportAtFrame } = options.processorOptions;
    this.meter = LoudnessMeter.createSync({ sampleRate, channels });
    this.reportAtFrame = reportAtFrame;
    this.frames = 0;
  }

  process(inputs) {
    const input = inputs[0];
    if (input && input.length === this.meter.channels) {
      this.meter.push(input);
      this.frames += input[0].length;
    }
    if (this.reportAtFrame !== undefined && this.frames >= this.reportAtFrame) {
      this.port.postMessage({ frames: this.frames, result: this.meter.result() });
      this.reportAtFrame = undefined;
    }
    return true;
  }
}

registerProcessor('levelmatch-test-meter', MeterProcessor);
