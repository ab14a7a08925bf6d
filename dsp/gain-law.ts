/**
 * The gain law: from the detector readings to the engine gain G.
 *
 *  - W, the wanted gain: reference - input + offset (target - input in target mode), with the chosen detector,
 *    then limited by the range (-maxCut..+maxBoost) and by the true-peak ceiling (boost only);
 *  - G, the engine gain: follows W as a one-pole in dB, only when the error leaves the tolerance band
 *    (deadband with hysteresis, so a steady programme does not make the gain breathe).
 *
 * Units: loudness in LUFS (BS.1770-5 eq. 2), gains in dB (= LU for loudness differences), times in seconds at
 * the parameter boundary and in samples inside. The applied gain A (the slew after G) is the engine's
 * (dsp/engine.ts); the ceiling's peak memory is dsp/ceiling.ts.
 */
import { Meter } from './meter';
import { clamp } from './db';
import {
  MODE_MATCH, MODE_REFERENCE, DETECTOR_MOMENTARY, DETECTOR_SHORT_TERM, DETECTOR_INTEGRATED, DETECTOR_RMS,
  FOLLOW_CONTINUOUS, FOLLOW_LEARN, FOLLOW_HOLD, S_GATED, S_AT_RANGE_LIMIT, S_AT_CEILING, S_TRACKING,
} from './engine-slots';

/** Tracking stops when the engine gain is this close to the wanted gain ("converged fully"), dB. */
const CONVERGED_DB: f64 = 0.01;
/**
 * `response` is the time to cover 95 % of a change; a one-pole gets there after 3 time constants
 * (e^-3 = 5 %), so tau = response / 3. A literal tau = response would leave 20 dB errors 0.6 dB short after
 * 3.5 tau = 7 s at response 2 s, where users expect a match.
 */
const RESPONSE_TIME_CONSTANTS: f64 = 3.0;
/**
 * Acquisition: after a start, a reset, a mode change or a new follow setting, G converges on W without the
 * deadband until the detector has measured this many of its own windows (momentary 0.4 s, short-term and
 * rms 3 s, integrated 3 s) and G has converged. A match found on the first partial windows can be a few
 * tenths of a dB off the steady value; inside a 0.5 dB deadband it would stay off for ever.
 */
const ACQUIRE_WINDOWS: f64 = 2.0;

/**
 * The loudness a detector reads on a meter. Short-term and rms read the part of the 3 s window filled so far
 * (Meter.shortTermSoFar), so two meters started at different times compare means over what each has seen.
 */
function level(m: Meter, detector: i32): f64 {
  if (detector == DETECTOR_MOMENTARY) return m.momentary();
  if (detector == DETECTOR_SHORT_TERM) return m.shortTermSoFar();
  if (detector == DETECTOR_RMS) return m.rmsShortTermSoFar();
  return m.integrated();
}

/**
 * Whether a meter's detector window holds real data. `fullWindow` (target mode) waits for the detector's own
 * window; a match compares two meters that started together, so their partial windows agree from the first
 * full momentary window (400 ms) on. Integrated loudness is ready at its first gating block (400 ms); its
 * reading stays -Infinity (and gates) until a block passes the gates.
 */
function ready(m: Meter, detector: i32, fullWindow: bool): bool {
  if (fullWindow && (detector == DETECTOR_SHORT_TERM || detector == DETECTOR_RMS)) return m.shortTermReady();
  return m.momentaryReady();
}

export class GainLaw {
  // The law's parameters (clamped by the engine's setParam). Defaults as in wam/parameters.ts.
  detector: i32 = DETECTOR_SHORT_TERM;
  follow: i32 = FOLLOW_CONTINUOUS;
  response: f64 = 2.0;
  tolerance: f64 = 0.5;
  maxBoost: f64 = 12.0;
  maxCut: f64 = 24.0;
  gate: f64 = -50.0;
  target: f64 = -18.0;
  offset: f64 = 0.0;

  // State.
  gain: f64 = 0.0; // G, dB
  wanted: f64 = 0.0; // what G is heading for (W after limits, or G while holding), dB
  tracking: bool = false;
  private acquiring: bool = true; // deadband off until the first settled match (ACQUIRE_WINDOWS)
  private acquiredFrames: f64 = 0.0; // ungated frames since acquisition started
  /** Status bits (engine-slots S_*) set by the latest update(). */
  status: i32 = 0;

  /** Starts acquisition (no deadband until settled): after a start, reset, mode or follow change. */
  startAcquiring(): void {
    this.acquiring = true;
    this.acquiredFrames = 0.0;
  }

  /** Sets G (clamped to the range) and stops tracking, e.g. for a restored state. */
  setGain(db: f64): void {
    this.gain = clamp(db, -this.maxCut, this.maxBoost);
    this.wanted = this.gain;
    this.tracking = false;
  }

  /**
   * One block of `frames` frames, after the meters have measured it: W (with its limits) and G's movement
   * towards it. `cap` is the most boost the ceiling allows (dB, +Infinity when off).
   */
  update(frames: i32, sampleRate: f64, mode: i32, needsReference: bool, referenceValid: bool, input: Meter, reference: Meter, cap: f64): void {
    this.status = 0;
    const follow = this.follow;
    // Range first: the range applies to G whatever the follow mode (a narrowed range acts at once).
    let g = clamp(this.gain, -this.maxCut, this.maxBoost);
    // The ceiling only ever limits boost, never forces a cut; applied to G as well so that a new peak acts at
    // once (the output slew still limits the speed). A held gain is kept and limited at the output instead.
    if (mode != MODE_REFERENCE && g > 0.0 && g > cap) {
      if (follow != FOLLOW_HOLD) g = cap > 0.0 ? cap : 0.0;
      this.status |= S_AT_CEILING;
    }
    this.gain = g;

    if (mode == MODE_REFERENCE || follow == FOLLOW_HOLD) {
      // Reference mode passes audio through: nothing to follow (G is kept for when the mode changes back).
      this.wanted = mode == MODE_REFERENCE ? 0.0 : g;
      this.tracking = false;
      return;
    }

    // Wanted gain from the detector readings, or hold.
    const detector = follow == FOLLOW_LEARN ? DETECTOR_INTEGRATED : this.detector;
    let hold = false;
    let w: f64 = 0.0;
    const inM = input.momentary();
    if (needsReference) {
      if (!referenceValid) {
        hold = true; // the processor reports noReference
      } else if (
        !ready(input, detector, false) || !ready(reference, detector, false) ||
        !(inM >= this.gate) || !(reference.momentary() >= this.gate)
      ) {
        hold = true;
        this.status |= S_GATED;
      } else {
        w = level(reference, detector) - level(input, detector) + this.offset;
      }
    } else {
      if (!ready(input, detector, true) || !(inM >= this.gate)) {
        hold = true;
        this.status |= S_GATED;
      } else {
        w = this.target - level(input, detector) + this.offset;
      }
    }
    if (!hold && !isFinite<f64>(w)) {
      hold = true; // e.g. integrated loudness with no block above the gates yet
      this.status |= S_GATED;
    }
    if (hold) {
      this.wanted = g;
      return; // G does not move; `tracking` resumes where it was when the gate opens
    }

    // Range.
    if (w > this.maxBoost) {
      w = this.maxBoost;
      this.status |= S_AT_RANGE_LIMIT;
    } else if (w < -this.maxCut) {
      w = -this.maxCut;
      this.status |= S_AT_RANGE_LIMIT;
    }
    // Ceiling: boost only.
    if (w > 0.0 && w > cap) {
      w = cap > 0.0 ? cap : 0.0;
      this.status |= S_AT_CEILING;
    }
    this.wanted = w;

    // Follow: deadband with hysteresis, then a one-pole in dB (tau = response / 3) until fully converged.
    // Learning follows the integrated difference without a deadband (it moves smoothly by nature); so does
    // acquisition (see ACQUIRE_WINDOWS).
    this.acquiredFrames += <f64>frames;
    const window = detector == DETECTOR_MOMENTARY ? 0.4 : 3.0;
    const free = this.acquiring || follow == FOLLOW_LEARN;
    if (!this.tracking && (free || Math.abs(w - g) > this.tolerance)) this.tracking = true;
    if (this.tracking) {
      const tau = this.response / RESPONSE_TIME_CONSTANTS;
      g += (w - g) * (1.0 - Math.exp(-<f64>frames / (tau * sampleRate)));
      if (Math.abs(w - g) < CONVERGED_DB) {
        if (this.acquiring && this.acquiredFrames >= ACQUIRE_WINDOWS * window * sampleRate) this.acquiring = false;
        if (!free) this.tracking = false;
      }
      this.gain = g;
      if (Math.abs(w - g) >= CONVERGED_DB) this.status |= S_TRACKING;
    }
  }
}
