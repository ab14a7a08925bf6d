/**
 * A look-ahead true-peak limiter for the file tools (offline, so its latency is compensated by the caller:
 * output frame k comes out `latency` frames after input frame k went in). It only acts where a peak would pass
 * the ceiling; elsewhere its gain is exactly 1, so a file that needs no limiting comes out bit-identical.
 *
 * 1. Detector: the peak of each frame between it and the next, across all channels (one gain for all
 *    channels keeps the stereo image): the sample itself and 3 interpolated points (4x oversampling as in ITU-R
 *    BS.1770-5 Annex 2, with a 24-tap Kaiser-windowed sinc per phase: a shorter filter misses the peaks of the
 *    high partials that heavy limiting creates, which ffmpeg's longer resampling filter then finds). Interpolation is skipped where no sample in the
 *    filter's reach is loud enough for any phase to pass the ceiling (the sum of |taps| bounds the overshoot).
 * 2. r[n] = min(1, ceiling / peak[n]): the gain each frame needs.
 * 3. h[k] = min(r[k .. k+L-1]) (a sliding minimum over the look-ahead L), then a release: h may rise by at
 *    most a one-pole step (time constant releaseMs) per frame, never fall slower.
 * 4. s[n] = mean(h[n-L+1 .. n]) (a boxcar of L): every h[k] in that window covers frame n, so s[n] <= r[n]
 *    while s moves smoothly (the attack is a linear fade over L frames, no clicks).
 */

const PHASES = 4; // oversampling factor of the detector: BS.1770-5 Annex 2's 4x
const HALF = 12; // taps each side: interpolating between n and n+1 uses x[n-11 .. n+12]
const TAPS = 2 * HALF;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 30; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

/** taps[(p-1) * TAPS + m] interpolates x at n + p/4 from x[n - 11 + m]. Kaiser beta 8; each phase sums to 1 (DC gain 1). */
function designTaps(): { taps: Float64Array; absSum: number } {
  const beta = 8;
  const taps: Float64Array[] = [];
  let absSum = 1;
  for (let p = 1; p < PHASES; p++) {
    const t = p / PHASES;
    const h = new Float64Array(TAPS);
    let sum = 0;
    for (let m = 0; m < TAPS; m++) {
      const d = m - (HALF - 1) - t; // distance from the interpolated point, in samples
      const sinc = Math.sin(Math.PI * d) / (Math.PI * d);
      const u = d / HALF;
      const w = Math.abs(u) < 1 ? besselI0(beta * Math.sqrt(1 - u * u)) / besselI0(beta) : 0;
      h[m] = sinc * w;
      sum += h[m]!;
    }
    let abs = 0;
    for (let m = 0; m < TAPS; m++) {
      h[m]! /= sum;
      abs += Math.abs(h[m]!);
    }
    absSum = Math.max(absSum, abs);
    taps.push(h);
  }
  const flat = new Float64Array((PHASES - 1) * TAPS);
  taps.forEach((h, p) => flat.set(h, p * TAPS));
  return { taps: flat, absSum };
}

const DESIGN = designTaps();

export interface LimiterOptions {
  /** Look-ahead, which is also the attack (ms). Default 3. */
  lookaheadMs?: number;
  /** Release time constant (ms). Default 100. */
  releaseMs?: number;
}

export class TruePeakLimiter {
  /** Frames between an input frame and its output. */
  readonly latency: number;
  /** The lowest gain applied so far (linear, 1 = none). */
  minGain = 1;
  /** Frames output with a gain below 1. */
  limitedFrames = 0;

  private readonly ceiling: number;
  private readonly L: number;
  private readonly release: number;
  private readonly size: number; // ring size (power of two)
  private readonly mask: number;
  private readonly x: Float32Array[]; // input ring per channel
  private readonly loud: number; // a sample above this may interpolate over the ceiling
  private lastLoud = -Infinity; // the newest frame index with a sample above `loud`
  private readonly dqIndex: Int32Array; // sliding-minimum deque over r: frame indices, values ascending
  private readonly dqValue: Float64Array;
  private dqHead = 0;
  private dqTail = 0;
  private readonly hRing: Float64Array; // h after release, last L values, for the boxcar
  private boxSum: number;
  private hPrev = 1;
  private frame = 0; // frames taken in

  constructor(readonly channels: number, sampleRate: number, ceilingLinear: number, options: LimiterOptions = {}) {
    this.ceiling = ceilingLinear;
    this.L = Math.max(1, Math.round(((options.lookaheadMs ?? 3) / 1000) * sampleRate));
    this.release = 1 - Math.exp(-1 / (((options.releaseMs ?? 100) / 1000) * sampleRate));
    this.latency = HALF + this.L - 1;
    let size = 1;
    while (size < this.latency + TAPS + 2) size <<= 1;
    this.size = size;
    this.mask = size - 1;
    // Each sample is stored twice (at slot and slot + size), so every filter window is contiguous.
    this.x = Array.from({ length: channels }, () => new Float32Array(2 * size));
    this.loud = ceilingLinear / DESIGN.absSum;
    this.dqIndex = new Int32Array(this.L + 2);
    this.dqValue = new Float64Array(this.L + 2);
    this.hRing = new Float64Array(this.L).fill(1);
    this.boxSum = this.L;
  }

  /**
   * Takes input[c][0..n) and writes the output of the same number of frames, delayed by `latency`, into
   * output[c][0..n) (output may be the input arrays). Feed `latency` frames of silence at the end to flush.
   */
  process(input: readonly Float32Array[], output: readonly Float32Array[], n: number): void {
    const { channels, mask, x, L } = this;
    const taps = DESIGN.taps;
    for (let i = 0; i < n; i++) {
      const f = this.frame++;
      const slot = f & mask;
      let peakIn = 0;
      for (let c = 0; c < channels; c++) {
        const v = input[c]![i]!;
        x[c]![slot] = v;
        x[c]![slot + this.size] = v;
        const a = v < 0 ? -v : v;
        if (a > peakIn) peakIn = a;
      }
      if (peakIn > this.loud) this.lastLoud = f;
      // Detector for frame j = f - HALF (it needs x up to j + HALF = f).
      const j = f - HALF;
      let peak = 0;
      if (j >= 0) {
        for (let c = 0; c < channels; c++) {
          const v = x[c]![j & mask]!;
          const a = v < 0 ? -v : v;
          if (a > peak) peak = a;
        }
        if (this.lastLoud >= j - (HALF - 1)) {
          const base = (j - (HALF - 1)) & mask;
          for (let c = 0; c < channels; c++) {
            const xc = x[c]!;
            for (let p = 0, t = 0; p < PHASES - 1; p++, t += TAPS) {
              let acc = 0;
              for (let m = 0; m < TAPS; m++) acc += taps[t + m]! * xc[base + m]!;
              const a = acc < 0 ? -acc : acc;
              if (a > peak) peak = a;
            }
          }
        }
      }
      const r = peak > this.ceiling ? this.ceiling / peak : 1;
      // Sliding minimum of r over [k, k + L - 1], for k = j - L + 1.
      const cap = this.dqIndex.length;
      while (this.dqTail !== this.dqHead && this.dqValue[(this.dqTail - 1 + cap) % cap]! >= r) this.dqTail = (this.dqTail - 1 + cap) % cap;
      this.dqIndex[this.dqTail] = j;
      this.dqValue[this.dqTail] = r;
      this.dqTail = (this.dqTail + 1) % cap;
      const k = j - L + 1;
      while (this.dqIndex[this.dqHead]! < k) this.dqHead = (this.dqHead + 1) % cap;
      let h = this.dqValue[this.dqHead]!;
      // Release: rise by at most one one-pole step.
      const rise = this.hPrev + (1 - this.hPrev) * this.release;
      if (h > rise) h = rise;
      this.hPrev = h;
      // Boxcar over the last L values of h; the output frame is k.
      const hs = ((k % L) + L) % L;
      this.boxSum += h - this.hRing[hs]!;
      this.hRing[hs] = h;
      let s = this.boxSum / L;
      if (s > 1 - 1e-12) s = 1; // exactly unity where nothing is limited
      else {
        if (s < this.minGain) this.minGain = s;
        if (k >= 0) this.limitedFrames++;
      }
      const ks = k & mask;
      for (let c = 0; c < channels; c++) output[c]![i] = k >= 0 ? x[c]![ks]! * s : 0;
    }
  }
}
