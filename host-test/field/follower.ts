/**
 * A yardstick for match mode on a chain whose ratio keeps changing (issue 9, the speech chain): the simplest
 * causal estimate, the ratio of the reference's and the input's K-weighted energies with exponential forgetting,
 * followed one quantum late and nothing else (no deadband, no restarts, no acquisition, no range). What it
 * scores on a recording is what any follower of that family can score there; what the plugin scores beyond it
 * is the gain law's own doing. Test support only.
 *
 * The K-weighting here is written out independently of dsp/kweighting.ts, from the 48 kHz table of
 * ITU-R BS.1770-5 Annex 1 (shared/reference/standards.md), so the yardstick does not lean on the code it judges.
 */
import type { Planar } from './programmes.ts';

/** BS.1770-5 Table 1 (high shelf) and Table 2 (RLB high-pass) at 48 kHz: b0 b1 b2 a1 a2. */
const SHELF = [1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585];
const HIGH_PASS = [1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621];

/** K-weighted energy (sum of squares over the channels, weight 1 each) of every block of `q` frames, 48 kHz. */
export function kWeightedBlockEnergies(p: Planar, q: number): Float64Array {
  const blocks = Math.floor(p[0].length / q);
  const e = new Float64Array(blocks);
  const [b0, b1, b2, a1, a2] = SHELF;
  const [, , , c1, c2] = HIGH_PASS;
  for (const x of p) {
    // Transposed direct form II, stage by stage.
    let s1 = 0, s2 = 0, t1 = 0, t2 = 0;
    for (let b = 0; b < blocks; b++) {
      let acc = 0;
      for (let j = b * q; j < (b + 1) * q; j++) {
        const v = x[j];
        const y = b0 * v + s1;
        s1 = b1 * v - a1 * y + s2;
        s2 = b2 * v - a2 * y;
        const z = y + t1;
        t1 = -2 * y - c1 * z + t2;
        t2 = y - c2 * z;
        acc += z * z;
      }
      e[b] += acc;
    }
  }
  return e;
}

/**
 * The input times the follower's gain: G(block) = 10 log10(R / I), R and I the reference's and the input's block
 * energies summed with forgetting (time constant `memorySeconds`) over the blocks where both are at or above
 * `gateLufs`; G is applied one block late (as a plugin's gain is), 0 dB until the first open block.
 */
export function forgettingFollower(reference: Planar, input: Planar, fs: number, q: number, memorySeconds: number, gateLufs = -50): Planar {
  const eR = kWeightedBlockEnergies(reference, q);
  const eI = kWeightedBlockEnergies(input, q);
  const gate = q * 10 ** ((gateLufs + 0.691) / 10); // BS.1770-5 eq. 2, as a block energy
  const keep = Math.exp(-q / (memorySeconds * fs));
  const out = input.map((x) => new Float32Array(x.length));
  let r = 0;
  let i = 0;
  let g = 1; // linear
  for (let b = 0; b < eR.length; b++) {
    for (let c = 0; c < out.length; c++) for (let j = b * q; j < (b + 1) * q; j++) out[c][j] = input[c][j] * g;
    if (eR[b] >= gate && eI[b] >= gate) {
      r = r * keep + eR[b];
      i = i * keep + eI[b];
      g = Math.sqrt(r / i);
    }
  }
  return out;
}
