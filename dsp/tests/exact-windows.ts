// Test helper: exact momentary / short-term windows of a mono signal, independent of the meter's running sums.

/**
 * An independent exact reference for momentary and short-term loudness of a mono signal: the BS.1770 K-filter
 * (the two biquads, designed as in dsp/kweighting.ts from the same analogue prototypes) in double precision,
 * and every window summed directly (no running sums). Returns the loudness (LUFS) of the `windowHops` hops
 * ending after each hop of `hop` frames (a window not yet full counts its missing hops as silence).
 */
export function referenceWindows(x: Float32Array, SR: number, hop: number, windowHops: number): number[] {
  const k1 = Math.tan((Math.PI * 1681.974450955533) / SR);
  const vh = 10 ** (3.999843853973347 / 20);
  const vb = vh ** 0.4996667741545416;
  const q1 = 0.7071752369554196;
  const a0 = 1 + k1 / q1 + k1 * k1;
  const b0 = (vh + (vb * k1) / q1 + k1 * k1) / a0;
  const b1 = (2 * (k1 * k1 - vh)) / a0;
  const b2 = (vh - (vb * k1) / q1 + k1 * k1) / a0;
  const a1 = (2 * (k1 * k1 - 1)) / a0;
  const a2 = (1 - k1 / q1 + k1 * k1) / a0;
  const k2 = Math.tan((Math.PI * 38.13547087602444) / SR);
  const q2 = 0.5003270373238773;
  const d0 = 1 + k2 / q2 + k2 * k2;
  const c1 = (2 * (k2 * k2 - 1)) / d0;
  const c2 = (1 - k2 / q2 + k2 * k2) / d0;
  let s1 = 0, s2 = 0, t1 = 0, t2 = 0;
  const hops: number[] = [];
  let e = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const y = b0 * v + s1;
    s1 = b1 * v + s2 - a1 * y;
    s2 = b2 * v - a2 * y;
    const z = y + t1;
    t1 = t2 - 2 * y - c1 * z;
    t2 = y - c2 * z;
    e += z * z;
    if ((i + 1) % hop === 0) {
      hops.push(e);
      e = 0;
    }
  }
  const out: number[] = [];
  for (let h = 0; h < hops.length; h++) {
    let sum = 0;
    for (let j = Math.max(0, h - windowHops + 1); j <= h; j++) sum += hops[j];
    out.push(sum > 0 ? -0.691 + 10 * Math.log10(sum / (windowHops * hop)) : -Infinity);
  }
  return out;
}
