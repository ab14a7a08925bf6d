/**
 * Target mode's second section test (dsp/gain-law.ts "Section change"), for jumps smaller than the 6 dB momentary
 * band: demo example 2's verse -> build -> chorus are 4-5 LU apart, and a bar's beats swing the momentary level
 * by +-2.5 LU around its mean, so the momentary test cannot tell such a jump from the bars. The gated level of the
 * last second (GatedShortTerm.recent*, the same two gates as the 3 s window) swings by well under 1 LU there.
 *
 * The test: that second's wanted gain more than SECOND_DB from G, on one side, for SECOND_SLOTS slots of 100 ms in
 * a row. The band widens with the second's own spread against G as the momentary band does (SPREAD_K x its rms,
 * in-band slots only, a mean until SPREAD_SECONDS are heard and then a one-pole over them), up to the momentary
 * band. Measured (round 13): 2.5 dB and 5 slots leave the field set's target music as it was (85 % within 1 LU,
 * chorus settled in 1.2 s); 2 dB took it to 84 %, 3 slots settled its chorus in 1.7 s (goal 1.5).
 *
 * Audio thread: no allocation; one log10 per 100 ms slot.
 */
import { clamp } from './db';
import { GatedShortTerm } from './gated-short-term';

const SECOND_DB: f64 = 2.5;
const SECOND_SLOTS: i32 = 5;
/** Slots of 100 ms per second. */
const SLOTS_PER_SECOND: f64 = 10.0;

export class SecondLevel {
  /** The second's wanted gain at the latest test (dB, within the range). */
  wanted: f64 = 0.0;
  private spread: f64 = 0.0; // mean square of the in-band error, dB^2
  private spreadSlots: f64 = 0.0; // slots behind `spread`
  private side: i32 = 0; // sign of the error outside the band (0 inside)
  private count: i32 = 0; // slots in a row outside the band on `side`
  private seen: i32 = 0; // GatedShortTerm.slots at the latest test

  /** A fresh start (with the gated window cleared): the spread is learnt again. */
  clear(): void {
    this.wanted = 0.0;
    this.spread = 0.0;
    this.spreadSlots = 0.0;
    this.seen = 0;
    this.restart();
  }

  /** The estimate restarted: a run outside the band starts again. */
  restart(): void {
    this.side = 0;
    this.count = 0;
  }

  /**
   * Tests the newest slot of `gated` once (false between slots): whether the second's level has stayed out of the
   * band around G (`gain`) for SECOND_SLOTS slots. `spreadK2`: the band's widening factor, squared; `maxBand2`:
   * the momentary band, squared, the widest this band gets.
   */
  jumped(gated: GatedShortTerm, target: f64, offset: f64, gain: f64, maxCut: f64, maxBoost: f64, spreadK2: f64, spreadSeconds: f64, maxBand2: f64): bool {
    if (gated.slots == this.seen) return false;
    this.seen = gated.slots;
    if (!(gated.recentFrames > 0.0)) return false;
    const w = clamp(target - (-0.691 + 10.0 * Math.log10(gated.recentEnergy / gated.recentFrames)) + offset, -maxCut, maxBoost);
    this.wanted = w;
    const e = w - gain;
    let band2 = spreadK2 * this.spread;
    const lo = SECOND_DB * SECOND_DB;
    band2 = band2 < lo ? lo : band2 > maxBand2 ? maxBand2 : band2;
    const outside = e * e > band2;
    if (!outside) {
      this.spreadSlots += 1.0;
      const span = this.spreadSlots < spreadSeconds * SLOTS_PER_SECOND ? this.spreadSlots : spreadSeconds * SLOTS_PER_SECOND;
      this.spread += (e * e - this.spread) / span;
    }
    const side: i32 = !outside ? 0 : e > 0.0 ? 1 : -1;
    this.count = side != 0 && side == this.side ? this.count + 1 : side != 0 ? 1 : 0;
    this.side = side;
    return this.count >= SECOND_SLOTS;
  }
}
