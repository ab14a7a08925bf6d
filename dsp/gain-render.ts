/**
 * The gain engine's sample loops: a constant gain, a per-sample gain ramp, and the listen crossfade. Pure
 * functions on f32 buffers (addresses) with f64 gains; nothing here allocates.
 */
import { LN10_OVER_20 } from './db';

/**
 * Magnitude (as f32 bits) under which a sample leaves a gain stage as 0: 1e-30, -600 dBFS. Why: on x86 a product
 * that is subnormal takes a microcode assist of about a hundred cycles (wasm cannot set flush-to-zero), and a
 * reverb tail decays through the subnormal range for seconds; a match instance cost 1.5-2 x programme there in
 * the headless host (`npm run bench`). Under the full range of gains (+-64 dB with the offset) a sample above it
 * never gives a subnormal product. Told by an integer compare, so the quiet samples meet no float operation.
 */
const TINY_BITS: i32 = 0x0da24260; // reinterpret<i32>(<f32>1e-30)

/** dst = src * g, four samples at a time (a constant gain: no ramp, no crossfade); under TINY_BITS: 0. */
export function scale(src: usize, dst: usize, frames: i32, g: f32): void {
  const gv = f32x4.splat(g);
  const magnitude = i32x4.splat(0x7fffffff);
  const tiny = i32x4.splat(TINY_BITS);
  const end = frames & ~3;
  let j = 0;
  for (; j < end; j += 4) {
    const off = <usize>j << 2;
    const v = v128.load(src + off);
    const audible = i32x4.gt_s(v128.and(v, magnitude), tiny); // NaN and infinities too: finiteOnly takes them
    v128.store(dst + off, f32x4.mul(v128.and(v, audible), gv));
  }
  for (; j < frames; j++) {
    const off = <usize>j << 2;
    const x = select<f32>(load<f32>(src + off), 0.0, (load<i32>(src + off) & 0x7fffffff) > TINY_BITS);
    store<f32>(dst + off, x * g);
  }
}

/**
 * ramp[i] = g0 * r^(i+1), r = 10^(dA / (20 frames)): a constant-dB ramp that reaches g0 * 10^(dA/20) at the
 * last sample, where `g1` (that end value, computed once by the caller) is stored exactly, so rounding in the
 * product cannot accumulate across calls.
 */
export function fillRamp(ramp: usize, frames: i32, g0: f64, dA: f64, g1: f64): void {
  const r = Math.exp((dA / <f64>frames) * LN10_OVER_20);
  let g = g0;
  for (let i = 0; i < frames; i++) {
    g *= r;
    store<f64>(ramp + (<usize>i << 3), g);
  }
  store<f64>(ramp + (<usize>(frames - 1) << 3), g1);
}

/** dst[i] = src[i] * ramp[i] (f64 gains); under TINY_BITS: 0 (see there). */
export function applyRamp(src: usize, dst: usize, frames: i32, ramp: usize): void {
  for (let i = 0; i < frames; i++) {
    const at = src + (<usize>i << 2);
    const x = select<f32>(load<f32>(at), 0.0, (load<i32>(at) & 0x7fffffff) > TINY_BITS);
    store<f32>(dst + (<usize>i << 2), <f32>(<f64>x * load<f64>(ramp + (<usize>i << 3))));
  }
}

/** One linear fade step from v towards target by at most `step`, stopping there. */
export function fadeTo(v: f64, target: f64, step: f64): f64 {
  if (v == target) return target;
  const n = target > v ? v + step : v - step;
  return (target > v && n > target) || (target < v && n < target) ? target : n;
}

/**
 * dst[i] = (1 - X_i) * src[i] * ramp[i] + (X_i - Y_i) * ref[i], X_i = x0 + (i+1) dx clamped to the end value x1
 * (the fade is linear and stops there), Y likewise (the delta listen's weight). ref == 0 means a silent reference.
 */
export function crossfade(src: usize, ref: usize, dst: usize, frames: i32, ramp: usize, x0: f64, dx: f64, x1: f64, y0: f64, dy: f64, y1: f64): void {
  const lo = x0 < x1 ? x0 : x1;
  const hi = x0 < x1 ? x1 : x0;
  const ylo = y0 < y1 ? y0 : y1;
  const yhi = y0 < y1 ? y1 : y0;
  for (let i = 0; i < frames; i++) {
    let x = x0 + <f64>(i + 1) * dx;
    x = x < lo ? lo : x > hi ? hi : x;
    let y = y0 + <f64>(i + 1) * dy;
    y = y < ylo ? ylo : y > yhi ? yhi : y;
    const dry = <f64>load<f32>(src + (<usize>i << 2)) * load<f64>(ramp + (<usize>i << 3));
    const wet: f64 = ref != 0 ? <f64>load<f32>(ref + (<usize>i << 2)) : 0.0;
    store<f32>(dst + (<usize>i << 2), <f32>((1.0 - x) * dry + (x - y) * wet));
  }
}

/**
 * Replaces NaN and infinities in buf[0..frames) by 0 (f32x4 lanes: x - x is 0 exactly for finite x). The output
 * of a finite input times a finite gain can still overflow to infinity (1e38 x +24 dB); the host never gets it.
 */
export function finiteOnly(buf: usize, frames: i32): void {
  const zero = f32x4.splat(0.0);
  let i = 0;
  for (; i + 4 <= frames; i += 4) {
    const p = buf + (<usize>i << 2);
    const v = v128.load(p);
    v128.store(p, v128.bitselect(v, zero, f32x4.eq(f32x4.sub(v, v), zero)));
  }
  for (; i < frames; i++) {
    const p = buf + (<usize>i << 2);
    const v = load<f32>(p);
    if (v - v != 0.0) store<f32>(p, 0.0);
  }
}
