// The follower yardstick (follower.ts) checked against the standard and against the library meter before any
// figure it prints is believed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { integrated as integratedAt } from './metrics.ts';
import { forgettingFollower, kWeightedBlockEnergies } from './follower.ts';
import { rng, type Planar } from './programmes.ts';

const FS = 48000;
const Q = 128;

const integrated = (p: Planar): number => integratedAt(p, FS);

test('K-weighting: EBU Tech 3341 case 1 (stereo 1 kHz sine at -23 dBFS) reads -23.0 LUFS from the block energies', () => {
  const n = 10 * FS;
  const a = 10 ** (-23 / 20);
  const x = new Float32Array(n).map((_, i) => a * Math.sin((2 * Math.PI * 1000 * i) / FS));
  const e = kWeightedBlockEnergies([x, x], Q);
  // Skip the first second (the filters' start-up); BS.1770-5 eq. 2 over the rest.
  const from = Math.ceil(FS / Q);
  let sum = 0;
  for (let b = from; b < e.length; b++) sum += e[b];
  const lufs = -0.691 + 10 * Math.log10(sum / ((e.length - from) * Q));
  assert.ok(Math.abs(lufs - -23) <= 0.05, `read ${lufs.toFixed(3)} LUFS`);
});

test('K-weighting agrees with the library meter on pink-ish noise (ungated energy over 8 s, within 0.02 dB)', () => {
  const r = rng(3);
  let y = 0;
  const x = new Float32Array(8 * FS).map(() => (y = 0.97 * y + 0.1 * r()));
  const e = kWeightedBlockEnergies([x, x], Q);
  const lufs = -0.691 + 10 * Math.log10(e.reduce((s, v) => s + v, 0) / (e.length * Q));
  // Steady noise far above both gates: integrated loudness is the ungated mean.
  const ref = integrated([x, x]);
  assert.ok(Math.abs(lufs - ref) <= 0.02, `${lufs.toFixed(3)} against the meter's ${ref.toFixed(3)}`);
});

test('the follower matches a static effect exactly (-7.96 dB: I(out) - I(ref) within 0.01 LU) and starts at 0 dB', () => {
  const r = rng(11);
  const ref = [new Float32Array(6 * FS).map(() => 0.3 * r()), new Float32Array(6 * FS).map(() => 0.3 * r())];
  const input = ref.map((x) => x.map((v) => v * 0.4));
  for (const memory of [0.5, 1.5, 6]) {
    const out = forgettingFollower(ref, input, FS, Q, memory);
    const err = integrated(out) - integrated(ref);
    assert.ok(Math.abs(err) <= 0.01, `memory ${memory} s: ${err.toFixed(4)} LU`);
    // One block late: the first block passes unchanged, the second has the gain.
    assert.is(out[0][5], input[0][5]);
    assert.ok(Math.abs(out[0][Q + 5] - ref[0][Q + 5]) <= 1e-6);
  }
});

test.run();
