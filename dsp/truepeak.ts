/**
 * True-peak detection by polyphase oversampling (ITU-R BS.1770-5, Annex 2).
 *
 * The standard oversamples 4x below 96 kHz and 2x below 192 kHz, low-passes and takes the largest absolute
 * value; we oversample 4x up to 192 kHz (see Meter) and not at all above. Its example FIR (48 taps) is allowed to be replaced by a better interpolator; ours is a Kaiser-windowed
 * sinc with TAPS taps per phase, designed here at creation time:
 *  - phase 0 sits exactly on the input samples (its taps would be a unit impulse): it is not computed, the
 *    readings take the sample peak instead (Meter.truePeak, the block peak), so the true peak can never read
 *    below the sample peak;
 *  - each phase is normalised to unity gain at DC, and with beta = 7 the passband ripple stays below 0.01 dB,
 *    so steady signals are not over-read; the fractional phases are within 0.25 dB up to 0.4 fs.
 *  - the remaining under-read for a pure tone is the 4x grid's own, at most 20*log10(cos(pi*f/(4 fs))):
 *    0.44 dB at 0.4 fs (standards.md quotes 0.688 dB at 0.5 fs for any 4x design).
 *
 * Speed: four consecutive outputs of one phase share an f32x4 (one unaligned load of four input samples per
 * tap, times the tap's splatted weight), the three fractional phases in three accumulators: 12 multiply-adds
 * per input sample. (Round 14; before, the four phases were the four lanes, 16 multiply-adds and 16 splat
 * loads per sample, one lane spent on phase 0: the FIR alone 5.0-5.5 -> 3.8-4.1 ns per sample. Each phase's
 * sum runs over the same taps in the same order as before, so every value, and so every reading, is the same
 * to the bit.) The running maximum stays a vector until it is read.
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
/** The oversampler's lag: output j of phase p is the signal at input position j - DELAY + p / FACTOR. */
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

/** Oversampling factor: 4 below 192 kHz (see Meter), and the fractional phases computed, 1/4, 2/4 and 3/4. */
export const FACTOR: i32 = 4;
/** Phases computed (phase 0 is the input sample itself). */
const PHASES: i32 = FACTOR - 1;
/** Bytes of the oversampler's coefficients: TAPS x PHASES splatted f32x4 (see designOversampler). */
export const COEFFICIENT_BYTES: i32 = TAPS * PHASES * 16;
/** Floats the oversampler may read past the end of a block (its last group of four outputs, masked). */
export const READ_PAST: i32 = 3;

/**
 * Writes TAPS x PHASES vectors at `coef`: vector k * PHASES + (p - 1) holds, in all four lanes, the weight of
 * input x[j - k] for the output at fractional position p / FACTOR (p = 1 .. PHASES).
 */
export function designOversampler(coef: usize): void {
  const half = <f64>DELAY + 0.5; // window half-width in input samples
  const i0beta = besselI0(KAISER_BETA);
  for (let p = 1; p < FACTOR; p++) {
    let sum: f64 = 0.0;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < TAPS; k++) {
        // Distance in input samples between the tap's sample and the output position.
        const u = <f64>(DELAY - k) - <f64>p / <f64>FACTOR;
        const sinc = u == 0.0 ? 1.0 : Math.sin(Math.PI * u) / (Math.PI * u);
        const r = u / half;
        const w = r * r >= 1.0 ? 0.0 : besselI0(KAISER_BETA * Math.sqrt(1.0 - r * r)) / i0beta;
        const h = sinc * w;
        if (pass == 0) sum += h;
        else {
          const t = sum != 0.0 ? h / sum : 0.0;
          v128.store(coef + <usize>((k * PHASES + p - 1) * 16), f32x4.splat(<f32>(Math.abs(t) < TAP_FLOOR ? 0.0 : t)));
        }
      }
    }
  }
}

/**
 * Runs the oversampler over `frames` samples starting at `x` (f32, prepared: scaled by TP_INPUT_SCALE, tiny
 * samples flushed), where the TAPS - 1 samples before `x` hold the previous block's tail. Updates the running
 * maximum vector at `maxAt` (four lanes, in the scaled units; reduce when reading and divide by TP_INPUT_SCALE).
 * A count that is not a multiple of four ends with one group read READ_PAST samples on (the buffer has room:
 * dsp/meter.ts) whose lanes past `frames` are masked to 0, which raises no maximum.
 */
export function oversampledPeak(x: usize, frames: i32, coef: usize, maxAt: usize): void {
  let vmax = v128.load(maxAt);
  let j = 0;
  for (; j + 4 <= frames; j += 4) vmax = f32x4.pmax(vmax, fractionalPeaks(x + (<usize>j << 2), coef));
  if (j < frames) {
    vmax = f32x4.pmax(vmax, v128.and(fractionalPeaks(x + (<usize>j << 2), coef), v128.load(TAIL_MASKS + (<usize>(frames - j) << 4))));
  }
  v128.store(maxAt, vmax);
}

/** Lane i of vector r (r = 1 .. 3): all ones for i < r (the valid outputs of a last group of r). */
const TAIL_MASKS: usize = memory.data<i32>([0, 0, 0, 0, -1, 0, 0, 0, -1, -1, 0, 0, -1, -1, -1, 0], 16);

/**
 * The largest |value| of the three fractional phases, per lane, for the four outputs from `p` (lane i: output
 * p + i). Each phase sums its taps from k = 0 up, as one output at a time would.
 */
// @ts-ignore: decorator
@inline function fractionalPeaks(p: usize, coef: usize): v128 {
  let x = v128.load(p);
  let a1 = f32x4.mul(v128.load(coef, 0), x);
  let a2 = f32x4.mul(v128.load(coef, 16), x);
  let a3 = f32x4.mul(v128.load(coef, 32), x);
  x = v128.load(p - 4);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 48), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 64), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 80), x));
  x = v128.load(p - 8);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 96), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 112), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 128), x));
  x = v128.load(p - 12);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 144), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 160), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 176), x));
  x = v128.load(p - 16);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 192), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 208), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 224), x));
  x = v128.load(p - 20);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 240), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 256), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 272), x));
  x = v128.load(p - 24);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 288), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 304), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 320), x));
  x = v128.load(p - 28);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 336), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 352), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 368), x));
  x = v128.load(p - 32);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 384), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 400), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 416), x));
  x = v128.load(p - 36);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 432), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 448), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 464), x));
  x = v128.load(p - 40);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 480), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 496), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 512), x));
  x = v128.load(p - 44);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 528), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 544), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 560), x));
  x = v128.load(p - 48);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 576), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 592), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 608), x));
  x = v128.load(p - 52);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 624), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 640), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 656), x));
  x = v128.load(p - 56);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 672), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 688), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 704), x));
  x = v128.load(p - 60);
  a1 = f32x4.add(a1, f32x4.mul(v128.load(coef, 720), x));
  a2 = f32x4.add(a2, f32x4.mul(v128.load(coef, 736), x));
  a3 = f32x4.add(a3, f32x4.mul(v128.load(coef, 752), x));
  // pmax is a single maxps (no NaN fix-up); inputs were sanitised, so no NaN can reach here.
  return f32x4.pmax(f32x4.abs(a1), f32x4.pmax(f32x4.abs(a2), f32x4.abs(a3)));
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

/** The largest per-phase sum of |taps| of the coefficients at `coef` (designOversampler's layout), with the rounding slack. */
export function oversamplerGainBound(coef: usize): f64 {
  let best: f64 = 0.0;
  for (let p = 0; p < PHASES; p++) {
    let sum: f64 = 0.0;
    for (let k = 0; k < TAPS; k++) sum += Math.abs(<f64>load<f32>(coef + <usize>((k * PHASES + p) * 16)));
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
