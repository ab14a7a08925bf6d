/**
 * True-peak detection by polyphase oversampling (ITU-R BS.1770-5, Annex 2).
 *
 * The standard oversamples 4x below 96 kHz and 2x below 192 kHz, low-passes and takes the largest absolute
 * value; we oversample 4x up to 192 kHz (see Meter) and not at all above. Its example FIR (48 taps) is allowed to be replaced by a better interpolator; ours is a Kaiser-windowed
 * sinc with TAPS taps per phase, designed here at creation time:
 *  - phase 0 sits exactly on the input samples (its taps are a unit impulse), so the true peak can never read
 *    below the sample peak;
 *  - each phase is normalised to unity gain at DC, and with beta = 7 the passband ripple stays below 0.01 dB,
 *    so steady signals are not over-read; the fractional phases are within 0.25 dB up to 0.4 fs.
 *  - the remaining under-read for a pure tone is the 4x grid's own, at most 20*log10(cos(pi*f/(4 fs))):
 *    0.44 dB at 0.4 fs (standards.md quotes 0.688 dB at 0.5 fs for any 4x design).
 *
 * Speed: the four phases live in the four lanes of one f32x4, so each input sample costs TAPS splat-multiply-adds
 * and one abs/max, whatever the oversampling factor. The running maximum stays a vector until it is read.
 *
 * Range: the oversampler does not run on the samples themselves but on a prepared copy (see prepareForTruePeak in
 * sanitize.ts), scaled by TP_INPUT_SCALE with tiny samples flushed to zero:
 *  - x86 takes a ~100-cycle micro-code assist for every f32 operation whose result (or operand) is subnormal,
 *    and WebAssembly cannot set flush-to-zero. Products of tap (>= 7.6e-4 in magnitude, MIN_TAP) and sample
 *    underflow for samples below ~1e-34, and even 1e-37, a normal float, made the meter 27-73x slower.
 *    With every sample either 0 or >= TP_FLUSH_BELOW in magnitude, every product is 0 or >= 1.9e-29 and every
 *    partial sum 0 or >= that times 2^-24 (an exact sum of floats is a multiple of the smallest term's ulp):
 *    nothing subnormal can arise. A flushed sample moves an output by at most TP_GAIN * TP_FLUSH_BELOW = 2e-25
 *    (-494 dB), i.e. under 2e-10 of any reading above -300 dBTP, far below f32 resolution (6e-8); the
 *    sample peak (and so the true-peak floor, see Meter.truePeak) is taken before flushing.
 *  - The largest phase gain (sum of |taps|) is TP_GAIN = 2.03, so a full-range f32 sample (3.4e38) would overflow
 *    to +Infinity in the accumulator. Scaled by 1/4 (a power of two: exact, the results are exactly 1/4 of the
 *    unscaled ones) every partial sum stays below 2.03 * 3.4e38 / 4 = 1.7e38: finite for every finite input.
 */

/** The copy the oversampler reads is the input times this (a power of two: exact). Readers multiply back. */
export const TP_INPUT_SCALE: f32 = 0.25;
/** Samples smaller than this in magnitude reach the oversampler as 0 (see Range above). */
export const TP_FLUSH_BELOW: f32 = 1e-25;
/** Designed taps smaller than this are rounding residue (sin(pi*k) for integer k) and are set to exactly 0. */
const TAP_FLOOR: f64 = 1e-6;

/** Taps per phase. 16 keeps the fractional phases flat to 0.4 fs (12 taps droop by 1 dB there). */
export const TAPS: i32 = 16;
/** Where phase 0's unit impulse sits: output j reads the input at j - DELAY + phase/factor. */
export const DELAY: i32 = TAPS / 2;
const KAISER_BETA: f64 = 7.0;

/** Zeroth-order modified Bessel function of the first kind, by its power series (converges fast for x < 20). */
function besselI0(x: f64): f64 {
  let sum: f64 = 1.0;
  let term: f64 = 1.0;
  const half = x / 2.0;
  for (let k = 1; k < 60; k++) {
    const r = half / <f64>k;
    term *= r * r;
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Writes TAPS vectors of 4 f32 lanes at `coef`: lane p of vector k is the weight of input x[j - k] for the
 * output at fractional position p/factor. Lanes >= factor are zero (their output is 0, which never wins the max).
 * factor is 4 or 2.
 */
export function designOversampler(factor: i32, coef: usize): void {
  const half = <f64>DELAY + 0.5; // window half-width in input samples
  const i0beta = besselI0(KAISER_BETA);
  for (let p = 0; p < 4; p++) {
    let sum: f64 = 0.0;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < TAPS; k++) {
        let h: f64 = 0.0;
        if (p < factor) {
          // Distance in input samples between the tap's sample and the output position.
          const u = <f64>(DELAY - k) - <f64>p / <f64>factor;
          const sinc = u == 0.0 ? 1.0 : Math.sin(Math.PI * u) / (Math.PI * u);
          const r = u / half;
          const w = r * r >= 1.0 ? 0.0 : besselI0(KAISER_BETA * Math.sqrt(1.0 - r * r)) / i0beta;
          h = sinc * w;
        }
        if (pass == 0) sum += h;
        else {
          const t = sum != 0.0 ? h / sum : 0.0;
          store<f32>(coef + <usize>(k * 16 + p * 4), <f32>(Math.abs(t) < TAP_FLOOR ? 0.0 : t));
        }
      }
    }
  }
}

/**
 * Runs the oversampler over `frames` samples starting at `x` (f32, prepared: scaled by TP_INPUT_SCALE, tiny
 * samples flushed), where the TAPS - 1 samples before `x` hold the previous block's tail. Updates the running
 * maximum vector at `maxAt` (four lanes, in the scaled units; reduce when reading and divide by TP_INPUT_SCALE).
 */
export function oversampledPeak(x: usize, frames: i32, coef: usize, maxAt: usize): void {
  let vmax = v128.load(maxAt);
  const c0 = v128.load(coef, 0);
  const c1 = v128.load(coef, 16);
  const c2 = v128.load(coef, 32);
  const c3 = v128.load(coef, 48);
  const c4 = v128.load(coef, 64);
  const c5 = v128.load(coef, 80);
  const c6 = v128.load(coef, 96);
  const c7 = v128.load(coef, 112);
  for (let j = 0; j < frames; j++) {
    const p = x + (<usize>j << 2);
    // Taps 0..7 from registers, 8..15 from memory: x86 has 16 vector registers and we need a few more.
    // (One running sum: four partial sums, or this body in an inlined helper, measured slower in V8.)
    let acc = f32x4.mul(c0, v128.load32_splat(p));
    acc = f32x4.add(acc, f32x4.mul(c1, v128.load32_splat(p - 4)));
    acc = f32x4.add(acc, f32x4.mul(c2, v128.load32_splat(p - 8)));
    acc = f32x4.add(acc, f32x4.mul(c3, v128.load32_splat(p - 12)));
    acc = f32x4.add(acc, f32x4.mul(c4, v128.load32_splat(p - 16)));
    acc = f32x4.add(acc, f32x4.mul(c5, v128.load32_splat(p - 20)));
    acc = f32x4.add(acc, f32x4.mul(c6, v128.load32_splat(p - 24)));
    acc = f32x4.add(acc, f32x4.mul(c7, v128.load32_splat(p - 28)));
    acc = f32x4.add(acc, f32x4.mul(v128.load(coef, 128), v128.load32_splat(p - 32)));
    acc = f32x4.add(acc, f32x4.mul(v128.load(coef, 144), v128.load32_splat(p - 36)));
    acc = f32x4.add(acc, f32x4.mul(v128.load(coef, 160), v128.load32_splat(p - 40)));
    acc = f32x4.add(acc, f32x4.mul(v128.load(coef, 176), v128.load32_splat(p - 44)));
    acc = f32x4.add(acc, f32x4.mul(v128.load(coef, 192), v128.load32_splat(p - 48)));
    acc = f32x4.add(acc, f32x4.mul(v128.load(coef, 208), v128.load32_splat(p - 52)));
    acc = f32x4.add(acc, f32x4.mul(v128.load(coef, 224), v128.load32_splat(p - 56)));
    acc = f32x4.add(acc, f32x4.mul(v128.load(coef, 240), v128.load32_splat(p - 60)));
    // pmax is a single maxps (no NaN fix-up); inputs were sanitised, so no NaN can reach here.
    vmax = f32x4.pmax(vmax, f32x4.abs(acc));
  }
  v128.store(maxAt, vmax);
}

/** Largest of the four lanes of the vector at `at`. */
export function horizontalMax(at: usize): f32 {
  const v = v128.load(at);
  const a = f32x4.extract_lane(v, 0);
  const b = f32x4.extract_lane(v, 1);
  const c = f32x4.extract_lane(v, 2);
  const d = f32x4.extract_lane(v, 3);
  const ab = a > b ? a : b;
  const cd = c > d ? c : d;
  return ab > cd ? ab : cd;
}

// ---------------------------------------------------------------------------------------------------------------
// Skipping blocks that cannot raise a maximum (issue 16). Output j of phase p is sum_k coef[k][p] * x[j - k], so
// |output| <= (sum_k |coef[k][p]|) * max_k |x[j - k]|: over a block, the largest L1 norm of a phase times the
// largest |x| in the block and its TAPS - 1 samples of history bounds every oversampled value. When that bound
// is at or below the maximum already held, the block cannot change it and the FIR can be skipped (the caller
// still keeps the history, which is the delay line, up to date).

/** False turns the skipping off in the whole module instance (setTruePeakSkip: tests compare both ways). */
let skipAllowed: bool = true;

export function allowTruePeakSkip(on: bool): void {
  skipAllowed = on;
}

/**
 * Frames per part of oversampledPeakBounded. 16: a part's bound needs its TAPS - 1 samples of history too (the
 * previous part's maximum stands in for them, a superset), and shorter parts would cost more in bounds than
 * they save.
 */
export const SUB_BLOCK: i32 = 16;

/** The largest |x| of n f32 samples at x (four lanes at a time; NaN-free input). */
function absMax(x: usize, n: i32): f32 {
  let v = f32x4.splat(0.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v = f32x4.pmax(v, f32x4.abs(v128.load(x + (<usize>i << 2))));
  let m = f32x4.extract_lane(v, 0);
  const b = f32x4.extract_lane(v, 1);
  const c = f32x4.extract_lane(v, 2);
  const d = f32x4.extract_lane(v, 3);
  if (b > m) m = b;
  if (c > m) m = c;
  if (d > m) m = d;
  for (; i < n; i++) {
    const a = Mathf.abs(load<f32>(x + (<usize>i << 2)));
    if (a > m) m = a;
  }
  return m;
}

/**
 * oversampledPeak over a block that could not be skipped whole, in SUB_BLOCK parts: a part none of whose
 * oversampled values can exceed `floor` (the bound of truePeakCannotExceed, over the part and its history) is
 * skipped. `floor` is what the block may reach without changing any reading (dsp/meter.ts truePeakFloor: the
 * channel's maximum, at most the ceiling's memory for this slot, whose maximum with the block's peak is all that
 * is used of it). Computed parts run the same FIR in the same order, so their values are bit-identical to one
 * pass and the maximum read afterwards is exact. `blockMaxAt` (zeroed by the caller) receives the computed
 * parts' maximum vector. Returns how many parts were skipped.
 */
export function oversampledPeakBounded(x: usize, frames: i32, coef: usize, blockMaxAt: usize, gainBound: f64, floor: f64): i32 {
  let skipped = 0;
  let prev = absMax(x - (<usize>(TAPS - 1) << 2), TAPS - 1);
  // Runs of consecutive parts that must be computed go to the FIR in one call each (its coefficients are loaded
  // once per call, and its loop keeps them in registers).
  let runStart = -1;
  for (let s = 0; s < frames; s += SUB_BLOCK) {
    const len = frames - s < SUB_BLOCK ? frames - s : SUB_BLOCK;
    const cur = absMax(x + (<usize>s << 2), len);
    const m = cur > prev ? cur : prev;
    prev = cur;
    const skip = skipAllowed && (m == 0.0 || (floor > 0.0 && <f64>m * gainBound <= floor));
    if (!skip) {
      if (runStart < 0) runStart = s;
      continue;
    }
    skipped++;
    if (runStart >= 0) {
      oversampledPeak(x + (<usize>runStart << 2), s - runStart, coef, blockMaxAt);
      runStart = -1;
    }
  }
  if (runStart >= 0) oversampledPeak(x + (<usize>runStart << 2), frames - runStart, coef, blockMaxAt);
  return skipped;
}

/** Slack for f32 rounding in the FIR (16 products and sums, each within 2^-24 relative): 1e-5 is far above it. */
const BOUND_SLACK: f64 = 1.00001;

/** The largest per-phase sum of |taps| of the coefficients at `coef` (TAPS x f32x4), with the rounding slack. */
export function oversamplerGainBound(coef: usize): f64 {
  let best: f64 = 0.0;
  for (let p = 0; p < 4; p++) {
    let sum: f64 = 0.0;
    for (let k = 0; k < TAPS; k++) sum += Math.abs(<f64>load<f32>(coef + <usize>(k * 16 + p * 4)));
    if (sum > best) best = sum;
  }
  return best * BOUND_SLACK;
}

/**
 * True when no oversampled value of the block at `x` (`frames` samples, TAPS - 1 history samples before it) can
 * exceed `floor`. `blockPeak` is the block's own sample peak (already measured); the history is scanned here.
 * A floor of 0 (nothing held yet) skips only a block that is all zeros (with its history).
 */
export function truePeakCannotExceed(x: usize, blockPeak: f32, gainBound: f64, floor: f64): bool {
  if (!skipAllowed) return false;
  const history = absMax(x - (<usize>(TAPS - 1) << 2), TAPS - 1);
  const m = history > blockPeak ? history : blockPeak;
  // All zeros (silence, or tiny samples flushed): every oversampled value is exactly 0, which raises no maximum,
  // so silence and subnormal tails cost no more than programme that skips (issue 11's cost bound).
  if (m == 0.0) return true;
  if (!(floor > 0.0)) return false;
  return <f64>m * gainBound <= floor;
}
