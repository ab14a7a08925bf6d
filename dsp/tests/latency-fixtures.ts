/** Chains shared by the latency detector's tests (dsp/tests/latency*.test.ts). */
import { compressorEffect, tiltEffect } from '../../host-test/effects.ts';

/**
 * EQ (a +6 dB tilt at 800 Hz) then a 4:1 compressor with make-up, `quantum` frames at a time: magnitudes
 * change, the delay does not.
 */
export function eqCompressor(fs: number, x: Float32Array, quantum = 128): Float32Array {
  const y = x.slice();
  const eq = tiltEffect(fs, 6, 800);
  const comp = compressorEffect(fs);
  for (let s = 0; s < y.length; s += quantum) {
    const sub = [y.subarray(s, Math.min(y.length, s + quantum))];
    eq.process(sub, sub[0]!.length);
    comp.process(sub, sub[0]!.length);
  }
  return y;
}

/** The latency detector's WebAssembly exports (dsp/index.ts), for tests on plain arrays. */
export interface LatencyExports {
  memory: WebAssembly.Memory;
  createLatencyDetector(sampleRate: number, maxFrames: number): number;
  latencyInput(h: number): number;
  latencyReference(h: number): number;
  latencyPush(h: number, frames: number): void;
  latencyDetected(h: number): number;
  latencyConfidence(h: number): number;
  latencyStable(h: number): number;
  latencyEstimates(h: number): number;
  // Resting (dsp/latency.ts "Resting").
  latencyWatchAligned(h: number): number;
  latencySetWatchEnabled(h: number, on: number): void;
  latencyPushAligned(h: number, frames: number): void;
  latencyResting(h: number): number;
  latencyWakes(h: number): number;
  latencyDecimated(h: number, back: number, input: number): number;
  latencySetLag(h: number, frames: number): void;
  // The sliced FFT (dsp/fft.ts).
  createFft(n: number): number;
  fftRe(h: number): number;
  fftIm(h: number): number;
  fftRun(h: number, inverse: number, budget: number): number;
}
