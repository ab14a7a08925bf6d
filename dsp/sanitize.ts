/**
 * Input hygiene and sample peak, in one pass over a channel.
 *
 * A NaN or an infinity that reached the IIR filters would stay in their state for ever (every later output
 * would be NaN), so non-finite samples are replaced by 0 (metered as silence) and counted. x - x is 0 for every
 * finite x and NaN for NaN and +-Inf, so "x - x != 0" finds them without a branch, four samples at a time.
 */

import { TP_INPUT_SCALE, TP_FLUSH_BELOW } from './truepeak';

/**
 * Whether x[0..frames) holds no NaN or infinity, without writing anything: x * 0 is +-0 for every finite x
 * and NaN for NaN and +-Inf, and a NaN stays in a sum, so one multiply-add per sample (two independent vector
 * sums, eight samples a step) tells. Clean audio, the usual case, then costs a read-only pass and no store.
 */
export function allFinite(x: usize, frames: i32): bool {
  const zero = f32x4.splat(0.0);
  let a = zero;
  let b = zero;
  const end = frames & ~7;
  let j = 0;
  for (; j < end; j += 8) {
    const p = x + (<usize>j << 2);
    a = f32x4.add(a, f32x4.mul(v128.load(p), zero));
    b = f32x4.add(b, f32x4.mul(v128.load(p, 16), zero));
  }
  let tail: f32 = 0.0;
  for (; j < frames; j++) tail += load<f32>(x + (<usize>j << 2)) * 0.0;
  return !v128.any_true(f32x4.ne(f32x4.add(a, b), zero)) && tail == 0.0;
}

/**
 * Replaces non-finite samples in x[0..frames) by 0. Returns how many there were; writes the running
 * absolute-peak vector (four lanes, reduce when reading) back to `peakAt`.
 */
export function sanitizeAndPeak(x: usize, frames: i32, peakAt: usize): i32 {
  let bad: i32 = 0;
  let peak = v128.load(peakAt);
  const zero = f32x4.splat(0.0);
  const vectorEnd = frames & ~3;
  let j = 0;
  for (; j < vectorEnd; j += 4) {
    const p = x + (<usize>j << 2);
    const v = v128.load(p);
    const nonFinite = f32x4.ne(f32x4.sub(v, v), zero);
    const clean = v128.andnot(v, nonFinite);
    bad += <i32>popcnt<u32>(i32x4.bitmask(nonFinite));
    v128.store(p, clean);
    peak = f32x4.pmax(peak, f32x4.abs(clean));
  }
  // Scalar tail: lane 0 of the peak vector absorbs it.
  let tail = f32x4.extract_lane(peak, 0);
  for (; j < frames; j++) {
    const p = x + (<usize>j << 2);
    let s = load<f32>(p);
    if (s - s != 0.0) {
      s = 0.0;
      store<f32>(p, s);
      bad++;
    }
    const a = Mathf.abs(s);
    tail = a > tail ? a : tail;
  }
  v128.store(peakAt, f32x4.replace_lane(peak, 0, tail));
  return bad;
}

/**
 * sanitizeAndPeak, and also writes the oversampler's copy of the clean samples to tp[0..frames): each sample
 * times TP_INPUT_SCALE, or 0 where its magnitude is below TP_FLUSH_BELOW (dsp/truepeak.ts, "Range", says why).
 * The peak is taken before flushing, so the sample peak of a tiny signal stays exact.
 */
export function sanitizePeakAndPrepare(x: usize, frames: i32, peakAt: usize, tp: usize): i32 {
  let bad: i32 = 0;
  let peak = v128.load(peakAt);
  const zero = f32x4.splat(0.0);
  const floor = f32x4.splat(TP_FLUSH_BELOW);
  const scale = f32x4.splat(TP_INPUT_SCALE);
  const vectorEnd = frames & ~3;
  let j = 0;
  for (; j < vectorEnd; j += 4) {
    const off = <usize>j << 2;
    const v = v128.load(x + off);
    const nonFinite = f32x4.ne(f32x4.sub(v, v), zero);
    const clean = v128.andnot(v, nonFinite);
    bad += <i32>popcnt<u32>(i32x4.bitmask(nonFinite));
    v128.store(x + off, clean);
    const a = f32x4.abs(clean);
    peak = f32x4.pmax(peak, a);
    // Masking first: the scaling multiply then never sees a subnormal operand.
    v128.store(tp + off, f32x4.mul(v128.and(clean, f32x4.ge(a, floor)), scale));
  }
  let tail = f32x4.extract_lane(peak, 0);
  for (; j < frames; j++) {
    const off = <usize>j << 2;
    let s = load<f32>(x + off);
    if (s - s != 0.0) {
      s = 0.0;
      store<f32>(x + off, s);
      bad++;
    }
    const a = Mathf.abs(s);
    tail = a > tail ? a : tail;
    store<f32>(tp + off, a >= TP_FLUSH_BELOW ? s * TP_INPUT_SCALE : 0.0);
  }
  v128.store(peakAt, f32x4.replace_lane(peak, 0, tail));
  return bad;
}

/**
 * Whether every sample of x[0..frames) is smaller in magnitude than `limit` (a NaN or an infinity is not).
 * Compared as integers: for f32 bit patterns with the sign cleared, integer order is magnitude order, so no
 * floating-point operation touches the samples. Why: on x86 an operation on a subnormal f32 (or one whose
 * result is subnormal) takes a microcode assist of about a hundred cycles, and wasm cannot set flush-to-zero,
 * so code that would only multiply quiet samples together asks this first (dsp/engine.ts detect()).
 */
export function peakBelow(x: usize, frames: i32, limit: f32): bool {
  const magnitude = i32x4.splat(0x7fffffff);
  let m = i32x4.splat(0);
  let j = 0;
  for (; j + 4 <= frames; j += 4) m = i32x4.max_s(m, v128.and(v128.load(x + (<usize>j << 2)), magnitude));
  m = i32x4.max_s(m, i32x4.shuffle(m, m, 2, 3, 0, 1));
  m = i32x4.max_s(m, i32x4.shuffle(m, m, 1, 0, 3, 2));
  let top = i32x4.extract_lane(m, 0);
  for (; j < frames; j++) {
    const v = load<i32>(x + (<usize>j << 2)) & 0x7fffffff;
    if (v > top) top = v;
  }
  return top < reinterpret<i32>(limit);
}
