/**
 * The gain law: from the detector readings to the engine gain G. Every decision about where the gain goes is
 * here; the ceiling (a limit on the applied gain, not on G) is dsp/ceiling.ts and the engine's outputTarget.
 *
 *  - W, the wanted gain: reference - input + offset (target - input in target mode), with the chosen detector,
 *    then limited by the range (-maxCut..+maxBoost). `unlimited` keeps W before the range, for the status.
 *  - First estimate (acquisition): after a start, a reset, a mode or follow change, a transport start or jump,
 *    and after a section change, the detector's own window is not yet full of relevant audio. W then comes
 *    from the K-weighted energy accumulated block by block since the first block above the gate (an exact mean
 *    over what has been heard, both sides over the same frames in match mode), until that covers the
 *    detector's window; G follows it with a time constant of a quarter of the audio heard (instant at first,
 *    never slower than `response`), so a static effect is matched within the first block's slew.
 *  - Section change: when the momentary wanted gain (400 ms windows) stays, on one side, more than SECTION_MATCH_DB (match,
 *    sidechain) or SECTION_TARGET_DB (target) away from G for SECTION_SECONDS, the programme has jumped
 *    (a new section, a rack move): the estimate restarts from the current block and acquires again.
 *    Steady programme never leaves those bands, so the deadband below holds as before. Target mode also watches
 *    the gated level of the last second (dsp/second-level.ts), for jumps smaller than its momentary band.
 *  - Match mode, short-term and rms detectors: past the first window the first estimate goes on with a memory of
 *    0.75 x response (MATCH_MEMORY_PER_RESPONSE) instead of the two meters' 3 s windows, and G follows it at once
 *    (MATCH_TAU); the deadband reads the 3 s windows' ratio, and a tracking move of over 2 dB (a jump the section
 *    change did not catch) turns the deadband off until the estimate has settled.
 *  - G follows W as a one-pole in dB (tau = response / 3), only when the error leaves the tolerance band
 *    (deadband with hysteresis, so a steady programme does not make the gain breathe); no deadband while
 *    acquiring or learning. While acquiring, G's time constant is a fraction of the audio heard (a quarter after
 *    a start, ACQUIRE_TAU_FRACTION; three quarters after a section change, SECTION_TAU_FRACTION).
 *  - Settledness: `estimateFrames` (ungated audio behind the estimate since it last started afresh) and
 *    drift() (spread of W over the last 3 s, dsp/drift-window.ts); with autoLock on, G locks once settled.
 *
 * Units: loudness in LUFS (BS.1770-5 eq. 2), gains in dB (= LU for loudness differences), times in seconds at
 * the parameter boundary and in samples inside.
 */
import { Meter } from './meter';
import { clamp, lufsToMeanSquare } from './db';
import { GatedShortTerm } from './gated-short-term';
import { DriftWindow } from './drift-window';
import { SecondLevel } from './second-level';
// Auto-lock's settledness (LOCK_SECONDS of estimate, LOCK_DRIFT_DB of drift), shared with the GUI.
import { LOCK_SECONDS, LOCK_DRIFT_DB } from './settle-constants';
import {
  MODE_REFERENCE, DETECTOR_MOMENTARY, DETECTOR_SHORT_TERM, DETECTOR_INTEGRATED, DETECTOR_RMS,
  FOLLOW_CONTINUOUS, FOLLOW_LEARN, FOLLOW_HOLD, S_GATED, S_AT_RANGE_LIMIT, S_TRACKING, S_LOCKED, S_HELD, S_ACQUIRING,
} from './engine-slots';
import { coldAlloc } from './cold-memory';

/** Tracking stops when the engine gain is this close to the wanted gain ("converged fully"), dB. */
const CONVERGED_DB: f64 = 0.01;
/**
 * `response` is the time to cover 95 % of a change; a one-pole gets there after 3 time constants
 * (e^-3 = 5 %), so tau = response / 3. A literal tau = response would leave 20 dB errors 0.6 dB short after
 * 3.5 tau = 7 s at response 2 s, where users expect a match.
 */
const RESPONSE_TIME_CONSTANTS: f64 = 3.0;
/**
 * Acquisition ends (and the deadband starts) once the detector has measured this many of its own windows
 * (momentary 0.4 s, short-term and rms 3 s, integrated 3 s) and G has converged. A match found on the first
 * partial windows can be a few tenths of a dB off the steady value; inside a 0.5 dB deadband it would stay
 * off for ever.
 */
const ACQUIRE_WINDOWS: f64 = 2.0;
/**
 * The first estimate forgets: each block's energy fades with a time constant of this multiple of the audio
 * heard so far, so after T seconds the audio heard at t weighs t / T of the latest (weights rising linearly over
 * what was heard, a mean over the latest half in effect). An effect's start-up,
 * e.g. a compressor passing its first beats with the whole make-up before it clamps down, fades out of the
 * estimate within about a second instead of staying in it for the whole 3 s (field: the overshoot compressor's
 * momentary error at 1 s, -1.05 -> -0.43 LU). A static effect's ratio is the same on any span.
 */
const ACQUIRE_MEMORY: f64 = 1.0;
/**
 * Match mode's short-term (and rms) estimate, past the first window: the first estimate's energies (both sides, the
 * same blocks) go on accumulating, with a memory (the time constant of their forgetting) that stops growing at
 * MATCH_MEMORY_PER_RESPONSE x `response` (1.5 s at the default 2 s), instead of giving way to the ratio of the two
 * meters' 3 s windows; G follows it with a time constant of at most MATCH_TAU, so `response` sets how fast the
 * match follows through the estimate's memory rather than through G's lag.
 *
 * Why (field, speech through an 8:1 compressor and a tilt, I(out) - I(ref)): the wanted gain of such a chain swings
 * with the phrases, and a ratio of two 3 s windows followed with a lag (tau 0.67 s) lands +0.72 LU loud; the
 * same windows followed at once +0.75, an exponentially forgetting energy ratio followed at once +0.08 .. +0.09
 * (memories 1.5 .. 3 s, an offline model), with tau 0.67 s +0.31; any weighting that gives the newest audio less
 * than the most weight (a 3 s window, two cascaded one-poles) +0.4 .. +0.9. Here: +0.15 (Chromium +0.20). A
 * longer memory follows a quieter input slowly (a ratio of energy sums is led by the louder past): demo example
 * 1's rack, the compressor switched off, -0.61 LU from 2 s after the move at 1.5 s, -0.97 at 2 s (tau 0.05 s).
 */
const MATCH_MEMORY_PER_RESPONSE: f64 = 0.75;
const MATCH_TAU: f64 = 0.05;
/**
 * In match mode's long estimate, the deadband reads the ratio of the two meters' 3 s windows (a steady
 * programme's reading has no ripple there, while the estimate's short memory ripples with a bar's pattern: an 8 dB
 * tilt on the steady 1 s pattern moved it by 0.7 dB), and tracking ends only once G has reached that reading and
 * it has stopped moving: within BAND_STEADY_DB of itself through a one-pole of response / 3 (a reading in a
 * transition crosses G before it arrives).
 */
const BAND_STEADY_DB: f64 = 0.05;
/*
 * OPENING_NOTE. In the opening acquisition (after a start, a reset or a transport start; not after a section
 * change or a jump) match mode's long estimate ripples with the programme's bars: demo example 1's verse, a 1 s
 * pattern through the rack's compressor, moves it by +-0.45 dB around the 3 s windows' steady reading. Switching
 * G from that reading to the estimate whenever they part by the tolerance dipped the gain by 0.4 dB at each
 * bar's peak (a 0.50 dB spread over 5-7.5 s of the steady verse, every readout; the demo's real-time test allows
 * 0.5 and failed 1 run in 5). Heading for the reading clamped to within the tolerance of the estimate moves G
 * continuously instead: 0.29 dB over the same span. After a jump the estimate leads, as before: speech through a
 * compressor needs G to follow its phrase-to-phrase swings (field, I(out) - I(ref): +0.11 LU without the clamp,
 * +0.15 with it in the opening only, +0.28 with it in every acquisition).
 */
/** While acquiring, G's time constant is this fraction of the audio accumulated so far (never above tau). */
const ACQUIRE_TAU_FRACTION: f64 = 0.25;
/**
 * Section change thresholds, the narrowest band (dB between the momentary wanted gain and G; the band widens
 * with the programme's spread, SECTION_SPREAD_K). In match mode the programme's own dynamics cancel between
 * reference and input, so a lasting 2 dB is already a change (saturation turns a 14 LU section jump into a
 * 3.9 dB change of the wanted gain); in target mode the momentary loudness of music and speech wanders by a few
 * LU around its short-term value, so 6 dB.
 */
const SECTION_MATCH_DB: f64 = 2.0;
const SECTION_TARGET_DB: f64 = 6.0;
/**
 * How long the momentary error must stay outside the band, on one side, before the estimate restarts, s: a
 * whole momentary window. A dynamic effect on speech swings the momentary difference by more than 3 dB for a
 * syllable or two; shorter waits (0.15 and 0.2 s were tried, with a 100 ms level in target mode too) restart
 * on those and gain nothing on music, whose first half second after a jump does not tell its level better.
 */
const SECTION_SECONDS: f64 = 0.4;
/**
 * The section band widens with the programme's own spread: SECTION_SPREAD_K x the rms of the momentary wanted
 * gain's error against G (in-band errors only, so that a jump does not widen it), up to SECTION_MAX_DB; the rms
 * is the mean over the open blocks heard since a start, then a one-pole over SPREAD_SECONDS. An 8 dB tilt on a steady programme whose 1 s pattern has a
 * bass-heavy half moves the momentary difference by 3 dB every second: a fixed 3 dB band took that for a section
 * change every 4 s (the gain dipped by 2.3 dB each time); music through a static effect swings by well under
 * 1 dB and keeps the base band, and a 12 dB move still leaves the widest band.
 */
const SECTION_SPREAD_K: f64 = 2.5;
const SECTION_MAX_DB: f64 = 9.0;
const SPREAD_SECONDS: f64 = 4.0;
/** After a section change G's time constant stays above this while the new estimate builds up, s. */
const SECTION_TAU_MIN: f64 = 0.03;
/**
 * After a section change G's time constant is this fraction of the audio heard since the change (a fresh start's
 * is ACQUIRE_TAU_FRACTION; neither above tau). A fresh start has nothing better than its first blocks; after a
 * jump, G is already near the new level from the change's first block on, and the estimate built from the
 * first few hundred ms of a section wanders with its bars (field, target music: the chorus's first bar, 2 dB
 * under its mean, pulled the gain 1.9 dB high at 0.25, and its settle took 1.52 s; at 0.75: 1.20 s; 0.5 changed
 * nothing). Match mode's jumps settle as before or sooner (0.5-0.9 s).
 */
const SECTION_TAU_FRACTION: f64 = 0.75;

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
  autoLock: bool = false;

  // State.
  gain: f64 = 0.0; // G, dB
  wanted: f64 = 0.0; // what G is heading for (W after the range, or G while holding), dB
  unlimited: f64 = 0.0; // W before the range (G while holding), dB
  tracking: bool = false;
  locked: bool = false; // auto-lock has fired: G holds
  /** Ungated frames of audio behind the current estimate (since it last started afresh). */
  estimateFrames: f64 = 0.0;
  /** Status bits (engine-slots S_*) set by the latest update(). */
  status: i32 = 0;

  private acquiring: bool = true; // deadband off until the first settled match (ACQUIRE_WINDOWS)
  private acquiredFrames: f64 = 0.0; // ungated frames since acquisition started
  private opening: bool = true; // the acquisition after a start (not after a section change or a jump)
  // First estimate: energies accumulated since the first block above the gate.
  private accIn: f64 = 0.0;
  private accRef: f64 = 0.0;
  private accFrames: f64 = 0.0;
  private accWeight: f64 = 0.0; // accFrames with the same forgetting as accIn and accRef (ACQUIRE_MEMORY)
  private sectionFrames: f64 = 0.0; // frames the momentary error has stayed outside the section band
  private afterSection: bool = false; // the current acquisition follows a section change
  private episodeFrom: f64 = 0.0; // G when the current tracking episode began
  private bandSlow: f64 = NaN; // the 3 s windows' ratio through a one-pole of response / 3
  private sectionSide: i32 = 0; // sign of the momentary error outside the band (0 inside)
  private spread: f64 = 0.0; // mean square of the in-band momentary error, dB^2 (SECTION_SPREAD_K)
  private spreadFrames: f64 = 0.0; // frames behind `spread`
  private second: SecondLevel; // target mode's second section test (dsp/second-level.ts)
  private gated: GatedShortTerm; // target mode's short-term detector (dsp/gated-short-term.ts)
  private driftWindow: DriftWindow; // W's spread over the last 3 s (dsp/drift-window.ts)

  /** A copy of this object's fields as constructed, restored by reset(). */
  private pristine: usize = 0;

  constructor(sampleRate: f64) {
    this.gated = new GatedShortTerm(sampleRate);
    this.driftWindow = new DriftWindow(sampleRate);
    this.second = new SecondLevel();
    this.pristine = coldAlloc(offsetof<GainLaw>());
    memory.copy(this.pristine, changetype<usize>(this), offsetof<GainLaw>());
  }

  /**
   * Back to a freshly constructed law in the same memory (an engine handed to a new plugin instance): every field
   * from the copy taken at construction, so fields added later are covered too (the two windows are the same
   * objects, reset in place).
   */
  reset(): void {
    memory.copy(changetype<usize>(this), this.pristine, offsetof<GainLaw>());
    this.gated.clear();
    this.second.clear();
    this.driftWindow.reset();
  }

  /** Starts acquisition afresh (first estimate, no deadband): a start, reset, mode or follow change. */
  startAcquiring(): void {
    this.restartEstimate();
    this.gated.clear();
    this.spread = 0.0;
    this.spreadFrames = 0.0;
    this.second.clear();
    this.locked = false;
  }

  /** A transport start or jump: the estimate restarts, a held or locked gain stays held. */
  reacquire(): void {
    this.restartEstimate();
    this.gated.clear();
  }

  private restartEstimate(): void {
    this.acquiring = true;
    this.opening = true;
    this.acquiredFrames = 0.0;
    this.accIn = 0.0;
    this.accRef = 0.0;
    this.accFrames = 0.0;
    this.accWeight = 0.0;
    this.sectionFrames = 0.0;
    this.afterSection = false;
    this.estimateFrames = 0.0;
    this.second.restart();
    this.driftWindow.restart();
  }

  /**
   * A section change: the estimate restarts from energies `accIn` / `accRef` over `weight` frames, acquiring as
   * after a jump (afterSection: G's time constant counted from `frames`, this block), and G tracks at once.
   */
  private sectionChange(accIn: f64, accRef: f64, weight: f64, frames: f64): void {
    this.restartEstimate();
    this.accIn = accIn;
    this.accRef = accRef;
    this.accFrames = frames;
    this.accWeight = weight;
    this.afterSection = true;
    this.opening = false;
    this.tracking = true;
  }

  /** Sets G (clamped to the range) and stops tracking, e.g. for a restored state. */
  setGain(db: f64): void {
    this.gain = clamp(db, -this.maxCut, this.maxBoost);
    this.wanted = this.gain;
    this.unlimited = this.gain;
    this.tracking = false;
  }

  /** W's spread (max - min, dB) over the last 3 s of ungated audio; NaN before the first 100 ms slot. */
  drift(): f64 {
    return this.driftWindow.value;
  }

  /** One block of `frames` frames, after the meters have measured it: W and G's movement towards it. */
  update(frames: i32, sampleRate: f64, mode: i32, needsReference: bool, referenceValid: bool, input: Meter, reference: Meter): void {
    this.status = 0;
    const follow = this.follow;
    const n = <f64>frames;
    // Range first: the range applies to G whatever the follow mode (a narrowed range acts at once).
    let g = clamp(this.gain, -this.maxCut, this.maxBoost);
    this.gain = g;

    if (mode == MODE_REFERENCE || follow == FOLLOW_HOLD || (needsReference && !referenceValid)) {
      // Reference mode passes audio through: nothing to follow (G is kept for when the mode changes back).
      // Without a reference (the processor reports noReference) G holds.
      this.wanted = mode == MODE_REFERENCE ? 0.0 : g;
      this.unlimited = this.wanted;
      if (mode == MODE_REFERENCE || follow == FOLLOW_HOLD) this.tracking = false;
      return;
    }

    const detector = follow == FOLLOW_LEARN ? DETECTOR_INTEGRATED : this.detector;
    const window = (detector == DETECTOR_MOMENTARY ? 0.4 : 3.0) * sampleRate;
    const rms = detector == DETECTOR_RMS;

    // The first estimate's energies (K-weighted, or unweighted for rms), from the first block above the gate.
    const eIn = rms ? input.lastBlockRawEnergy() : input.lastBlockEnergy();
    const eRef = needsReference ? (rms ? reference.lastBlockRawEnergy() : reference.lastBlockEnergy()) : 0.0;
    const gateEnergy = n * lufsToMeanSquare(this.gate);
    const blockOpen = eIn >= gateEnergy && (!needsReference || eRef >= gateEnergy);
    // Target mode counts open blocks only (a pause is not programme, as in the gated short-term below); match
    // mode every block from the first open one (a pause is silent on both sides).
    const longMatch = needsReference && (detector == DETECTOR_SHORT_TERM || detector == DETECTOR_RMS);
    const first = this.acquiring && this.accFrames < window;
    if ((first || longMatch) && (blockOpen || (needsReference && this.accFrames > 0.0))) {
      // Older blocks fade with a time constant of ACQUIRE_MEMORY x the audio heard: a static effect's ratio is
      // the same on any span, and an effect's start-up (a compressor that has not clamped down yet) fades out.
      // Match mode's long estimate keeps on with at most MATCH_MEMORY_PER_RESPONSE x response.
      let memory = ACQUIRE_MEMORY * this.accFrames;
      const longest = MATCH_MEMORY_PER_RESPONSE * this.response * sampleRate;
      if (longMatch && memory > longest) memory = longest;
      const keep = this.accFrames > 0.0 ? Math.exp(-n / memory) : 0.0;
      // Past the first window a block under the gate on either side ages the estimate but adds nothing: the
      // ratio stays as it was through a pause, and one side falling silent does not pull it.
      const add = first || blockOpen ? 1.0 : 0.0;
      this.accIn = this.accIn * keep + add * eIn;
      this.accRef = this.accRef * keep + add * eRef;
      this.accWeight = this.accWeight * keep + add * n;
      this.accFrames += n;
    }
    if (!needsReference) this.gated.note(n, input.lastBlockEnergy(), this.gate);
    const inM = input.momentary();
    const refM = reference.momentary();
    const momentaryOpen = inM >= this.gate && (!needsReference || refM >= this.gate);
    const useFirst = this.accFrames > 0.0 && (longMatch || (this.acquiring && this.accFrames < window));
    const firstWindow = this.acquiring && this.accFrames > 0.0 && this.accFrames < window;

    let hold = false;
    let w: f64 = 0.0;
    // The deadband's reading in match mode's long estimate: the ratio of the two meters' 3 s windows (MATCH_BAND_NOTE).
    let band: f64 = NaN;
    if (longMatch && !firstWindow && ready(input, detector, false) && ready(reference, detector, false)) {
      band = clamp(level(reference, detector) - level(input, detector) + this.offset, -this.maxCut, this.maxBoost);
    }
    if (useFirst) {
      // The gate reads the accumulated level (both sides), and the momentary one too once its window is full.
      const gateMs = lufsToMeanSquare(this.gate) * this.accWeight;
      const accOpen = this.accIn >= gateMs && (!needsReference || this.accRef >= gateMs);
      if (!accOpen || (input.momentaryReady() && !momentaryOpen) || !(this.accIn > 0.0)) {
        hold = true;
      } else if (needsReference) {
        w = 10.0 * Math.log10(this.accRef / this.accIn) + this.offset;
      } else {
        w = this.target - (-0.691 + 10.0 * Math.log10(this.accIn / this.accWeight)) + this.offset;
      }
    } else if (this.acquiring && this.accFrames == 0.0) {
      hold = true; // nothing above the gate yet
    } else if (!momentaryOpen || !ready(input, detector, !needsReference) || (needsReference && !ready(reference, detector, false))) {
      hold = true;
    } else if (!needsReference && detector == DETECTOR_SHORT_TERM) {
      // Target mode, short-term: the gated window (dsp/gated-short-term.ts); all of it below the gate holds.
      const gated = this.gated;
      if (gated.frames > 0.0) w = this.target - (-0.691 + 10.0 * Math.log10(gated.energy / gated.frames)) + this.offset;
      else hold = true;
    } else {
      w = (needsReference ? level(reference, detector) : this.target) - level(input, detector) + this.offset;
    }
    if (!hold && !isFinite<f64>(w)) hold = true; // e.g. integrated loudness with no block above the gates yet
    if (hold) {
      this.status |= S_GATED;
      this.wanted = g;
      this.unlimited = g;
      this.sectionFrames = 0.0;
      if (this.locked) this.status |= S_LOCKED | S_HELD;
      return; // G does not move; `tracking` resumes where it was when the gate opens
    }

    // Section change: a large momentary error that lasts restarts the estimate from the momentary window.
    if (follow == FOLLOW_CONTINUOUS && !this.locked && input.momentaryReady()) {
      const wm = clamp((needsReference ? refM : this.target) - inM + this.offset, -this.maxCut, this.maxBoost);
      // The band, squared (no square root per block): base^2 <= K^2 spread <= max^2.
      const base = needsReference ? SECTION_MATCH_DB : SECTION_TARGET_DB;
      let band2 = SECTION_SPREAD_K * SECTION_SPREAD_K * this.spread;
      band2 = band2 < base * base ? base * base : band2 > SECTION_MAX_DB * SECTION_MAX_DB ? SECTION_MAX_DB * SECTION_MAX_DB : band2;
      // The error must keep its sign: speech and drums swing both ways around a steady gain, a jump does not.
      // The spread is learnt from the first estimate on; a section change needs the detector's own window.
      const e = wm - g;
      const outside = e * e > band2;
      if (!outside) {
        // A mean over what has been heard until SPREAD_SECONDS are, then a one-pole over SPREAD_SECONDS.
        this.spreadFrames += n;
        const span = this.spreadFrames < SPREAD_SECONDS * sampleRate ? this.spreadFrames : SPREAD_SECONDS * sampleRate;
        this.spread += (e * e - this.spread) * (n / span);
      }
      const side: i32 = firstWindow || !outside ? 0 : e > 0.0 ? 1 : -1;
      this.sectionFrames = side != 0 && side == this.sectionSide ? this.sectionFrames + n : side != 0 ? n : 0.0;
      this.sectionSide = side;
      // Target mode's second test (dsp/second-level.ts), once per 100 ms slot of the gated window.
      const gs = this.gated;
      const medium = !needsReference && !firstWindow &&
        this.second.jumped(gs, this.target, this.offset, g, this.maxCut, this.maxBoost, SECTION_SPREAD_K * SECTION_SPREAD_K, SPREAD_SECONDS, band2);
      if (medium && this.sectionFrames < SECTION_SECONDS * sampleRate) {
        // The last second is mostly new audio by now (its first slot out, 0.4 s earlier, needed a third to a half
        // of it new): the estimate starts from it, with G's time constant counted from this block.
        this.sectionChange(gs.recentEnergy, 0.0, gs.recentFrames, n);
        w = this.second.wanted;
      } else if (this.sectionFrames >= SECTION_SECONDS * sampleRate) {
        // The momentary window still holds some of the old level, so the new estimate starts from this block
        // (all new audio by now), with a floor under G's time constant against the first blocks' noise.
        this.sectionChange(eIn, eRef, n, n);
        w = (needsReference ? refM : this.target) - inM + this.offset;
      }
    }

    // Range.
    this.unlimited = w;
    if (w > this.maxBoost) {
      w = this.maxBoost;
      this.status |= S_AT_RANGE_LIMIT;
    } else if (w < -this.maxCut) {
      w = -this.maxCut;
      this.status |= S_AT_RANGE_LIMIT;
    }
    this.driftWindow.note(n, w);
    this.estimateFrames += n;

    // Auto-lock: once settled, G holds (until a reset, a mode or follow change, or autoLock off).
    if (this.autoLock && !this.locked && !this.acquiring && this.estimateFrames >= LOCK_SECONDS * sampleRate &&
        this.driftWindow.value <= LOCK_DRIFT_DB && Math.abs(w - g) <= this.tolerance) {
      this.locked = true;
    }
    if (this.locked) {
      this.wanted = g;
      this.tracking = false;
      this.status |= S_LOCKED | S_HELD;
      return;
    }
    this.wanted = w;

    // Follow: deadband with hysteresis, then a one-pole in dB until fully converged. Learning follows the
    // integrated difference without a deadband (it moves smoothly by nature); so does acquisition.
    this.acquiredFrames += n;
    const free = this.acquiring || follow == FOLLOW_LEARN;
    // What the deadband and the end of tracking read: W, or in match mode's long estimate the 3 s windows' ratio,
    // whose reading of a steady programme has no ripple (BAND_STEADY_DB).
    const banded = isFinite<f64>(band);
    const settleOn = banded ? band : w;
    let bandSteady = true;
    if (banded) {
      const slow = this.response / RESPONSE_TIME_CONSTANTS;
      this.bandSlow = isFinite<f64>(this.bandSlow) ? this.bandSlow + (band - this.bandSlow) * (1.0 - Math.exp(-n / (slow * sampleRate))) : band;
      bandSteady = Math.abs(band - this.bandSlow) < BAND_STEADY_DB;
    } else {
      this.bandSlow = NaN;
    }
    if (!this.tracking && (free || Math.abs(settleOn - g) > this.tolerance)) {
      this.tracking = true;
      this.episodeFrom = g;
    }
    // A long estimate that has carried G more than SECTION_MATCH_DB in one go has followed a jump (a new section, a
    // rack move that did not stay off G long enough to restart the estimate): the deadband stays off until the
    // estimate has settled again, as after a section change, so G does not stop in the 3 s windows' transition.
    if (longMatch && this.tracking && !this.acquiring && Math.abs(g - this.episodeFrom) > SECTION_MATCH_DB) {
      this.acquiring = true;
      this.opening = false;
      this.acquiredFrames = 0.0;
    }
    if (this.acquiring) this.status |= S_ACQUIRING;
    if (this.tracking) {
      // Match mode's long estimate: G heads for the 3 s windows' reading where the two agree (within the
      // tolerance), for the estimate itself where they part (a jump, a compressor's phrase-to-phrase swing); both
      // with a time constant of at most MATCH_TAU. In the opening acquisition (OPENING_NOTE) G heads for the
      // windows' reading kept within the tolerance of the estimate.
      const arrive = banded && bandSteady && Math.abs(band - g) < this.tolerance;
      const onBand = arrive || (banded && Math.abs(band - w) < this.tolerance);
      const opening = banded && !arrive && this.acquiring && this.opening;
      const to = opening ? clamp(band, w - this.tolerance, w + this.tolerance) : onBand ? band : w;
      let tau = this.response / RESPONSE_TIME_CONSTANTS;
      if (longMatch && !firstWindow && tau > MATCH_TAU) tau = MATCH_TAU;
      if (this.acquiring) {
        let heard = (this.afterSection ? SECTION_TAU_FRACTION : ACQUIRE_TAU_FRACTION) * (this.accFrames > n ? this.accFrames : n) / sampleRate;
        if (this.afterSection && heard < SECTION_TAU_MIN) heard = SECTION_TAU_MIN;
        if (heard < tau) tau = heard;
      }
      // Tracking ends once the 3 s windows' reading has stopped moving and G has arrived there (`arrive`).
      // The first block of a fresh acquisition takes its estimate whole (an exact static match from the start).
      if (this.acquiring && !this.afterSection && this.accFrames <= n) g = w;
      else g += (to - g) * (1.0 - Math.exp(-n / (tau * sampleRate)));
      if (Math.abs(to - g) < CONVERGED_DB && (!banded || arrive)) {
        if (this.acquiring && this.acquiredFrames >= ACQUIRE_WINDOWS * window) {
          this.acquiring = false;
          this.episodeFrom = g; // what acquisition carried is not a jump
        }
        if (!free) this.tracking = false;
      }
      this.gain = g;
      if (Math.abs(w - g) >= CONVERGED_DB) this.status |= S_TRACKING;
    }
  }
}
