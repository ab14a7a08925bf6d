/**
 * K-weighting coefficients for any sample rate (ITU-R BS.1770-5, Annex 1).
 *
 * The standard tabulates the two biquads only for 48 kHz and asks other rates to reproduce the same response.
 * We derive them from analogue prototypes (the design libebur128 uses; numbers in shared/reference/standards.md):
 * a high shelf of +4 dB around 1.68 kHz (the acoustic effect of the head) and the RLB high-pass around 38 Hz,
 * both bilinear-transformed with K = tan(pi*f0/fs). At 48 kHz this reproduces the table to about 1e-14.
 *
 * Layout of the 10 coefficients written at `out` (f64 each, a0 normalised to 1):
 *   [0..4]  shelf      b0 b1 b2 a1 a2
 *   [5..9]  high-pass  b0 b1 b2 a1 a2   (b = 1, -2, 1 as in the standard's table)
 */

const SHELF_F0: f64 = 1681.974450955533; // Hz
const SHELF_GAIN_DB: f64 = 3.999843853973347;
const SHELF_Q: f64 = 0.7071752369554196;
const SHELF_VB_EXP: f64 = 0.4996667741545416;
const HIGHPASS_F0: f64 = 38.13547087602444; // Hz
const HIGHPASS_Q: f64 = 0.5003270373238773;

export function kWeightingCoefficients(sampleRate: f64, out: usize): void {
  // Stage 1: high shelf.
  let k = Math.tan(Math.PI * SHELF_F0 / sampleRate);
  const vh = Math.pow(10.0, SHELF_GAIN_DB / 20.0);
  const vb = Math.pow(vh, SHELF_VB_EXP);
  let a0 = 1.0 + k / SHELF_Q + k * k;
  store<f64>(out, (vh + vb * k / SHELF_Q + k * k) / a0);
  store<f64>(out, 2.0 * (k * k - vh) / a0, 8);
  store<f64>(out, (vh - vb * k / SHELF_Q + k * k) / a0, 16);
  store<f64>(out, 2.0 * (k * k - 1.0) / a0, 24);
  store<f64>(out, (1.0 - k / SHELF_Q + k * k) / a0, 32);
  // Stage 2: RLB high-pass. Its numerator is left un-normalised, exactly as the 48 kHz table has it.
  k = Math.tan(Math.PI * HIGHPASS_F0 / sampleRate);
  a0 = 1.0 + k / HIGHPASS_Q + k * k;
  store<f64>(out, 1.0, 40);
  store<f64>(out, -2.0, 48);
  store<f64>(out, 1.0, 56);
  store<f64>(out, 2.0 * (k * k - 1.0) / a0, 64);
  store<f64>(out, (1.0 - k / HIGHPASS_Q + k * k) / a0, 72);
}
