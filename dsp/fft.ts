/**
 * A complex radix-2 FFT on f64 arrays whose work can be spread over many calls: `begin()` arms a transform of
 * the object's own re / im buffers, and each `step(budget)` does at most `budget` units of work (one unit = one
 * butterfly or one bit-reversal swap), so an audio callback can do a bounded slice of a large transform per
 * render quantum (the latency detector, dsp/latency.ts, needs transforms of 16384 points, ~0.5 ms each in one go).
 *
 * Algorithm: in-place iterative decimation in time (bit-reversal permutation, then log2(n) stages of n/2
 * butterflies), forward X[k] = sum x[j] e^(-2 pi i jk/n); the inverse uses e^(+2 pi i jk/n) and does NOT divide
 * by n (callers scale). Twiddles come from a table of n/2 cosines and sines made once.
 *
 * Memory: everything is allocated in the constructor; begin() and step() never allocate.
 */
import { coldAlloc } from './cold-memory';

export class Fft {
  readonly n: i32;
  readonly log2n: i32;
  /** Real and imaginary parts, n f64 each: the caller fills them before begin() and reads them once done. */
  readonly re: usize;
  readonly im: usize;
  private cosT: usize; // n/2 f64: cos(2 pi k / n)
  private sinT: usize; // n/2 f64: sin(2 pi k / n)
  private inverse: bool = false;
  /** 0: bit reversal (pos = next index), 1..log2n: that butterfly stage (pos = next butterfly), log2n+1: done. */
  private stage: i32 = 0;
  private pos: i32 = 0;

  /** n: a power of two, 2..2^24. */
  constructor(n: i32) {
    let l = 0;
    while ((1 << l) < n) l++;
    this.n = 1 << l;
    this.log2n = l;
    const bytes = <usize>this.n << 3;
    this.re = coldAlloc(bytes);
    this.im = coldAlloc(bytes);
    memory.fill(this.re, 0, bytes);
    memory.fill(this.im, 0, bytes);
    const half = this.n >> 1;
    this.cosT = coldAlloc(<usize>half << 3);
    this.sinT = coldAlloc(<usize>half << 3);
    for (let k = 0; k < half; k++) {
      const a = (2.0 * Math.PI * <f64>k) / <f64>this.n;
      store<f64>(this.cosT + (<usize>k << 3), Math.cos(a));
      store<f64>(this.sinT + (<usize>k << 3), Math.sin(a));
    }
    this.stage = l + 1; // idle
  }

  /** Arms a transform of re / im (forward, or inverse without the 1/n). */
  begin(inverse: bool): void {
    this.inverse = inverse;
    this.stage = 0;
    this.pos = 0;
  }

  get done(): bool {
    return this.stage > this.log2n;
  }

  /** Does at most `budget` (>= 1) units of work; returns the units used (0 when already done). */
  step(budget: i32): i32 {
    let used = 0;
    const n = this.n;
    const re = this.re;
    const im = this.im;
    while (used < budget && this.stage <= this.log2n) {
      if (this.stage == 0) {
        // Bit reversal: swap j with rev(j) for j < rev(j).
        const shift = 32 - this.log2n;
        let j = this.pos;
        const end = j + (budget - used) < n ? j + (budget - used) : n;
        for (; j < end; j++) {
          const r = <i32>(reverseBits(<u32>j) >>> <u32>shift);
          if (r > j) {
            const a = <usize>j << 3;
            const b = <usize>r << 3;
            const tr = load<f64>(re + a);
            const ti = load<f64>(im + a);
            store<f64>(re + a, load<f64>(re + b));
            store<f64>(im + a, load<f64>(im + b));
            store<f64>(re + b, tr);
            store<f64>(im + b, ti);
          }
        }
        used += end - this.pos;
        this.pos = end;
        if (end == n) {
          this.stage = 1;
          this.pos = 0;
        }
        continue;
      }
      // Stage s: groups of 2*half points, butterflies (i, i + half) with twiddle w^(j * n / (2 half)).
      const s = this.stage;
      const half = 1 << (s - 1);
      const tstride = this.log2n - s; // twiddle index = j << tstride
      const sign: f64 = this.inverse ? 1.0 : -1.0;
      let b = this.pos;
      const total = n >> 1;
      const end = b + (budget - used) < total ? b + (budget - used) : total;
      while (b < end) {
        const group = b >> (s - 1);
        let j = b & (half - 1);
        const base = group << s;
        let stop = half;
        if (end - b < half - j) stop = j + (end - b);
        for (; j < stop; j++) {
          const t = <usize>(j << tstride) << 3;
          const wr = load<f64>(this.cosT + t);
          const wi = sign * load<f64>(this.sinT + t);
          const p = <usize>(base + j) << 3;
          const q = <usize>(base + j + half) << 3;
          const xr = load<f64>(re + q);
          const xi = load<f64>(im + q);
          const tr = xr * wr - xi * wi;
          const ti = xr * wi + xi * wr;
          const ur = load<f64>(re + p);
          const ui = load<f64>(im + p);
          store<f64>(re + p, ur + tr);
          store<f64>(im + p, ui + ti);
          store<f64>(re + q, ur - tr);
          store<f64>(im + q, ui - ti);
          b++;
        }
      }
      used += end - this.pos;
      this.pos = end;
      if (end == total) {
        this.stage++;
        this.pos = 0;
      }
    }
    return used;
  }

  /** Transforms at once (tests, set-up). */
  run(inverse: bool): void {
    this.begin(inverse);
    while (!this.done) this.step(1 << 30);
  }
}

function reverseBits(x: u32): u32 {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  x = ((x >>> 8) & 0x00ff00ff) | ((x & 0x00ff00ff) << 8);
  return (x >>> 16) | (x << 16);
}
