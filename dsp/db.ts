/** dB helpers shared by the gain engine's files. Gains in dB are 20 log10 of the linear amplitude gain. */

export const LN10_OVER_20: f64 = 0.11512925464970229; // ln(10) / 20: dB -> natural log of the linear gain

export function dbToLinear(db: f64): f64 {
  return db == 0.0 ? 1.0 : Math.exp(db * LN10_OVER_20);
}

export function linearToDb(x: f64): f64 {
  return x > 0.0 ? 20.0 * Math.log10(x) : -Infinity;
}

/** Mean square (K-weighted energy per frame) of a loudness in LUFS: BS.1770-5 eq. 2 inverted. */
export function lufsToMeanSquare(lufs: f64): f64 {
  return Math.pow(10.0, (lufs + 0.691) / 10.0);
}

export function clamp(x: f64, lo: f64, hi: f64): f64 {
  return x < lo ? lo : x > hi ? hi : x;
}

/** A choice parameter: rounded to the nearest integer, clamped to lo..hi. */
export function choice(x: f64, lo: i32, hi: i32): i32 {
  return <i32>clamp(Math.round(x), <f64>lo, <f64>hi);
}
