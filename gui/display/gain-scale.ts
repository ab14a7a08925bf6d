/**
 * Where gains (dB) sit on the gain bar and on the history graph's gain axis. Pure (no DOM), tested in Node.
 */

/** Smallest half-range of the history's gain axis, dB: gains of a few dB stay readable, not full-height. */
export const MIN_GAIN_AXIS = 6;

/**
 * The history graph's gain axis runs symmetrically from −R to +R dB with R = max(6, the largest stored |gain|
 * rounded up to a multiple of 6). Steps of 6 dB keep the axis still while the gain wanders, and put its
 * half-way labels (±R/2) on whole dB.
 */
export function gainAxisRange(extent: number): number {
  if (!(extent > MIN_GAIN_AXIS)) return MIN_GAIN_AXIS; // also NaN
  if (extent === Infinity) return MIN_GAIN_AXIS;
  return Math.ceil(extent / 6) * 6;
}

/**
 * Position of `db` on a bar from −maxCut (0) to +maxBoost (1), clamped. maxCut and maxBoost are magnitudes in dB
 * (a signed maxCut is accepted too). A bar with no range at all still has a middle: ±0.5 dB around zero.
 * NaN sits at 0 dB (no gain). Allocation-free.
 */
export function gainToFraction(db: number, maxCut: number, maxBoost: number): number {
  let lo = -Math.abs(maxCut);
  let hi = Math.abs(maxBoost);
  if (!(hi - lo > 0)) {
    lo = -0.5;
    hi = 0.5;
  }
  const x = db === db ? db : 0;
  const f = (x - lo) / (hi - lo);
  return f <= 0 ? 0 : f >= 1 ? 1 : f;
}
