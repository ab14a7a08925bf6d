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
