/**
 * The gain engine of the LevelMatch plugin: it meters an input and (in match / sidechain mode) a reference,
 * works out the gain that would make the input as loud as the reference (or as a target loudness), moves its
 * gain towards it at a controlled speed, applies it to the audio without zipper noise, and meters the result.
 *
 * The contract with the JavaScript side (parameter slots, readout slots, status bits, export signatures) is
 * wam/engine-abi.ts; the numbers below repeat it and a test checks both agree.
 *
 * Units: loudness in LUFS (BS.1770-5 eq. 2), gains and differences in dB (= LU for loudness differences),
 * true peak in dBTP (BS.1770-5 Annex 2), times in seconds at the parameter boundary and in samples inside.
 *
 * Three gains, three speeds:
 *  - W, the wanted gain: recomputed on every call from the meters (reference - input + offset), then limited
 *    by the range (-maxCut..+maxBoost) and by the true-peak ceiling;
 *  - G, the engine gain: follows W as a one-pole in dB, only when the error leaves the tolerance band
 *    (deadband with hysteresis, so a steady programme does not make the gain breathe);
 *  - A, the applied gain: follows G (or 0 when bypassed) at no more than 0.009 dB per sample, as a geometric
 *    ramp inside each call, so no two consecutive samples differ in gain by more than 0.01 dB (inaudible).
 *
 * Memory: everything is allocated in createEngine(); engineProcess() and the setters never allocate.
 */
import { Meter, MAX_CHANNELS } from './meter';
import { sanitizeAndPeak } from './sanitize';
import { LatencyDetector } from './latency';

/** Number of parameter slots (wam/engine-abi.ts PARAM_COUNT). */
export const ENGINE_PARAM_COUNT: i32 = 17;
/** Number of f64 readout slots (wam/engine-abi.ts READOUT_COUNT). */
export const ENGINE_READOUT_COUNT: i32 = 32;
/** Largest block the engine accepts: a bound on what createEngine allocates (3 meters x 8 channels x f32). */
export const ENGINE_MAX_FRAMES: i32 = 65536;

// Parameter slots (wam/engine-abi.ts P).
const P_MODE: i32 = 0;
const P_LINK: i32 = 1;
const P_DETECTOR: i32 = 2;
const P_FOLLOW: i32 = 3;
const P_RESPONSE: i32 = 4;
const P_TOLERANCE: i32 = 5;
const P_MAX_BOOST: i32 = 6;
const P_MAX_CUT: i32 = 7;
const P_GATE: i32 = 8;
const P_TARGET: i32 = 9;
const P_OFFSET: i32 = 10;
const P_LATENCY: i32 = 11;
const P_CEILING: i32 = 12;
const P_CEILING_ON: i32 = 13;
const P_LISTEN: i32 = 14;
const P_BYPASS: i32 = 15;
const P_AUTO_LATENCY: i32 = 16;

// Modes, detectors, follow modes (wam/engine-abi.ts Mode, Detector, Follow).
const MODE_REFERENCE: i32 = 0;
const MODE_MATCH: i32 = 1;
const MODE_SIDECHAIN: i32 = 2;
const MODE_TARGET: i32 = 3;
const DETECTOR_MOMENTARY: i32 = 0;
const DETECTOR_SHORT_TERM: i32 = 1;
const DETECTOR_INTEGRATED: i32 = 2;
const DETECTOR_RMS: i32 = 3;
const FOLLOW_CONTINUOUS: i32 = 0;
const FOLLOW_LEARN: i32 = 1;
const FOLLOW_HOLD: i32 = 2;

// Readout slots (wam/engine-abi.ts R).
const R_REF_M: i32 = 0;
const R_REF_S: i32 = 1;
const R_REF_I: i32 = 2;
const R_IN_M: i32 = 3;
const R_IN_S: i32 = 4;
const R_IN_I: i32 = 5;
const R_OUT_M: i32 = 6;
const R_OUT_S: i32 = 7;
const R_OUT_I: i32 = 8;
const R_GAIN_APPLIED: i32 = 9;
const R_GAIN_WANTED: i32 = 10;
const R_TRUE_PEAK_IN: i32 = 11;
const R_TRUE_PEAK_OUT: i32 = 12;
const R_STATUS: i32 = 13;
const R_NON_FINITE: i32 = 14;
const R_LEARN_SECONDS: i32 = 15;
const R_REF_M_MAX: i32 = 16;
const R_REF_S_MAX: i32 = 17;
const R_OUT_M_MAX: i32 = 18;
const R_OUT_S_MAX: i32 = 19;
const R_IN_M_MAX: i32 = 20;
const R_IN_S_MAX: i32 = 21;
const R_REF_LRA: i32 = 22;
const R_IN_LRA: i32 = 23;
const R_OUT_LRA: i32 = 24;
const R_ENGINE_GAIN: i32 = 25;
const R_IN_RMS: i32 = 26;
const R_REF_RMS: i32 = 27;
const R_LATENCY_DETECTED: i32 = 28;
const R_LATENCY_CONFIDENCE: i32 = 29;
const R_LATENCY_APPLIED: i32 = 30;
const R_LATENCY_SOURCE: i32 = 31;

// Listen choices (wam/engine-abi.ts Listen) and latency sources (LatencySource).
const LISTEN_OUTPUT: i32 = 0;
const LISTEN_REFERENCE: i32 = 1;
const LISTEN_DELTA: i32 = 2;
const SOURCE_MANUAL: i32 = 0;
const SOURCE_DETECTED: i32 = 1;
const SOURCE_RESTORED: i32 = 2;
const SOURCE_NONE: i32 = 3;

// Status bits, engine part (wam/engine-abi.ts S).
const S_GATED: i32 = 1 << 8;
const S_AT_RANGE_LIMIT: i32 = 1 << 9;
const S_AT_CEILING: i32 = 1 << 10;
const S_LEARNING: i32 = 1 << 11;
const S_HELD: i32 = 1 << 12;
const S_NON_FINITE_INPUT: i32 = 1 << 13;
const S_BYPASSED: i32 = 1 << 14;
const S_LISTENING_REFERENCE: i32 = 1 << 15;
const S_TRACKING: i32 = 1 << 16;
const S_LISTENING_DELTA: i32 = 1 << 17;

/**
 * Largest change of the applied gain per sample, dB. A gain step below ~0.01 dB between consecutive samples is
 * far under the ~0.1-0.2 dB level JND and produces no audible click; 0.009 keeps rounding inside 0.01.
 * At this rate a 20 dB change takes 2222 samples (46 ms at 48 kHz): a fade, not a jump.
 */
const SLEW_DB_PER_SAMPLE: f64 = 0.009;
/** The listen crossfade (output <-> reference) lasts 20 ms: long enough to be click-free, short enough to A/B. */
const CROSSFADE_SECONDS: f64 = 0.02;
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
/** The ceiling looks at the input's true peak over the last 10 s, in 100 ms slots (100 slots). */
const PEAK_SLOTS: i32 = 100;
/** A NaN / Inf input sample keeps the nonFiniteInput status bit up for one second. */
const NON_FINITE_HOLD_SECONDS: f64 = 1.0;

const LN10_OVER_20: f64 = 0.11512925464970229; // ln(10) / 20: dB -> natural log of the linear gain

function dbToLinear(db: f64): f64 {
  return db == 0.0 ? 1.0 : Math.exp(db * LN10_OVER_20);
}

function linearToDb(x: f64): f64 {
  return x > 0.0 ? 20.0 * Math.log10(x) : -Infinity;
}

function clamp(x: f64, lo: f64, hi: f64): f64 {
  return x < lo ? lo : x > hi ? hi : x;
}

/** A choice parameter: rounded to the nearest integer, clamped to lo..hi. */
function choice(x: f64, lo: i32, hi: i32): i32 {
  return <i32>clamp(Math.round(x), <f64>lo, <f64>hi);
}

export class Engine {
  readonly sampleRate: f64;
  readonly maxFrames: i32;
  /** Meters the input (true peak on: the ceiling and the readout need it). Its buffers are the engine's input. */
  readonly input: Meter;
  /** Meters the aligned reference (true peak off: nothing reads it). Its buffers are the reference input. */
  readonly reference: Meter;
  /** Meters the output (true peak on). Its buffers are the engine's output: written, then metered. */
  readonly output: Meter;

  private readout: usize; // ENGINE_READOUT_COUNT x f64
  private ramp: usize; // maxFrames x f64: the per-sample linear gain of the current call
  private peakRing: usize; // PEAK_SLOTS x f64: the input's linear true peak per 100 ms slot
  private peakScratch: usize; // one f32x4 for sanitising reference buffers that were not metered

  // Parameters (clamped). Defaults as in the public parameter table (wam/parameters.ts); the processor sets
  // every slot after creation anyway.
  private mode: i32 = MODE_MATCH;
  private link: i32 = 1;
  private detector: i32 = DETECTOR_SHORT_TERM;
  private follow: i32 = FOLLOW_CONTINUOUS;
  private response: f64 = 2.0;
  private tolerance: f64 = 0.5;
  private maxBoost: f64 = 12.0;
  private maxCut: f64 = 24.0;
  private gate: f64 = -50.0;
  private target: f64 = -18.0;
  private offset: f64 = 0.0;
  private latency: f64 = 0.0;
  private ceiling: f64 = 0.0;
  private ceilingOn: bool = true;
  private listen: i32 = LISTEN_OUTPUT;
  private bypass: bool = false;
  private autoLatency: bool = true;

  /**
   * The latency detector: allocated (~2 MB) the first time the engine is in match or sidechain mode with
   * autoLatency on (a setter, never process()); null before. It gets the input (mono) and the UNALIGNED
   * reference (mono, written by the processor at engineLatencyReference) and measures how far the input lags.
   */
  private latencyDetector: LatencyDetector | null = null;
  /** The automatic latency applied (frames): the last stable detection, or what a state restored; -1 none. */
  private autoFrames: i32 = -1;
  private autoSource: i32 = SOURCE_NONE;

  // State.
  private gain: f64 = 0.0; // G, dB
  private wanted: f64 = 0.0; // what G is heading for (W after limits, or G while holding), dB
  private tracking: bool = false;
  private acquiring: bool = true; // deadband off until the first settled match (ACQUIRE_WINDOWS)
  private acquiredFrames: f64 = 0.0; // ungated frames since acquisition started
  private applied: f64 = 0.0; // A, dB
  private appliedLinear: f64 = 1.0; // 10^(A/20), exactly 1.0 when A is 0
  private fade: f64 = 0.0; // X, 0 = processed input, 1 = reference
  private deltaFade: f64 = 0.0; // Y, 1 = minus the reference (delta listen): out = (1-X) dry + (X-Y) ref
  private listening: bool = false; // X is heading for 1
  private listeningDelta: bool = false; // Y is heading for 1
  private status: i32 = 0;
  private learnFrames: f64 = 0.0;
  private nonFiniteTotal: f64 = 0.0;
  private framesSinceNonFinite: f64 = Infinity;
  private slotFrames: i32;
  private slotFill: i32 = 0;
  private slotIndex: i32 = 0;
  private slotPeak: f64 = 0.0; // peak of the slot being filled (the current block included)
  private ringPeak: f64 = 0.0; // peak of the other PEAK_SLOTS - 1 slots

  constructor(sampleRate: f64, maxFrames: i32) {
    this.sampleRate = sampleRate;
    this.maxFrames = maxFrames;
    this.input = new Meter(sampleRate, MAX_CHANNELS, maxFrames);
    this.reference = new Meter(sampleRate, MAX_CHANNELS, maxFrames);
    this.output = new Meter(sampleRate, MAX_CHANNELS, maxFrames);
    this.input.blockPeakEnabled = true;
    this.input.rmsEnabled = true;
    this.reference.rmsEnabled = true;
    this.reference.truePeakEnabled = false;
    // Stereo until the processor says otherwise (L R, weights 1.0).
    this.input.setActiveChannels(2);
    this.reference.setActiveChannels(2);
    this.output.setActiveChannels(2);
    this.readout = heap.alloc(<usize>ENGINE_READOUT_COUNT << 3);
    memory.fill(this.readout, 0, <usize>ENGINE_READOUT_COUNT << 3);
    this.ramp = heap.alloc(<usize>maxFrames << 3);
    this.peakRing = heap.alloc(<usize>PEAK_SLOTS << 3);
    memory.fill(this.peakRing, 0, <usize>PEAK_SLOTS << 3);
    this.peakScratch = heap.alloc(16);
    this.slotFrames = <i32>Math.round(sampleRate / 10.0);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Setters

  /** Sets one parameter slot; values are clamped to the slot's range, choices rounded, NaN / Inf ignored. */
  setParam(slot: i32, value: f64): void {
    if (!isFinite<f64>(value)) return;
    switch (slot) {
      case P_MODE: {
        const m = choice(value, MODE_REFERENCE, MODE_TARGET);
        if (m != this.mode) this.changeMode(m);
        break;
      }
      case P_LINK: {
        const l = choice(value, 1, 16);
        if (l != this.link) {
          this.link = l;
          this.prepareDetector(true); // another reference: measure afresh
        }
        break;
      }
      case P_DETECTOR: this.detector = choice(value, DETECTOR_MOMENTARY, DETECTOR_RMS); break;
      case P_FOLLOW: {
        const f = choice(value, FOLLOW_CONTINUOUS, FOLLOW_HOLD);
        if (f != this.follow) {
          this.follow = f;
          this.tracking = false;
          this.startAcquiring();
          if (f == FOLLOW_LEARN) this.startLearning();
          else this.learnFrames = 0.0;
        }
        break;
      }
      case P_RESPONSE: this.response = clamp(value, 0.1, 30.0); break;
      case P_TOLERANCE: this.tolerance = clamp(value, 0.0, 3.0); break;
      case P_MAX_BOOST: this.maxBoost = clamp(value, 0.0, 40.0); break;
      case P_MAX_CUT: this.maxCut = clamp(value, 0.0, 40.0); break;
      case P_GATE: this.gate = clamp(value, -90.0, -20.0); break;
      case P_TARGET: this.target = clamp(value, -60.0, 0.0); break;
      case P_OFFSET: this.offset = clamp(value, -24.0, 24.0); break;
      case P_LATENCY: this.latency = clamp(value, 0.0, 1000.0); break;
      case P_AUTO_LATENCY: {
        const on = choice(value, 0, 1) == 1;
        const was = this.autoLatency;
        this.autoLatency = on;
        // Turned back on: what the detector holds has a gap, measure afresh.
        this.prepareDetector(on && !was);
        break;
      }
      case P_CEILING: this.ceiling = clamp(value, -20.0, 0.0); break;
      case P_CEILING_ON: this.ceilingOn = choice(value, 0, 1) == 1; break;
      case P_LISTEN: this.listen = choice(value, LISTEN_OUTPUT, LISTEN_DELTA); break;
      case P_BYPASS: this.bypass = choice(value, 0, 1) == 1; break;
      default: break;
    }
  }

  /**
   * A new mode measures against another source (another reference instance, the sidechain, a number), so the
   * reference meter's readings no longer apply. Leaving reference mode, the output meter (not run there) starts
   * afresh too.
   */
  private changeMode(m: i32): void {
    const old = this.mode;
    this.mode = m;
    this.tracking = false;
    this.startAcquiring();
    this.reference.reset();
    if (old == MODE_REFERENCE) this.output.reset();
    this.prepareDetector(true);
  }

  /**
   * Allocates the detector when it is first needed (match / sidechain with autoLatency on); `fresh` (a new
   * reference: mode or link changed) also makes it forget what it measured. The applied latency is kept until a
   * new one is detected.
   */
  private prepareDetector(fresh: bool): void {
    const needs = this.autoLatency && (this.mode == MODE_MATCH || this.mode == MODE_SIDECHAIN);
    if (this.latencyDetector == null) {
      if (needs) this.latencyDetector = new LatencyDetector(this.sampleRate, this.maxFrames);
    } else if (fresh) {
      this.latencyDetector!.reset();
    }
  }

  /** Where the processor writes the unaligned reference (mono, maxFrames f32) for the detector; 0 when none. */
  latencyReference(): usize {
    const d = this.latencyDetector;
    return d == null ? 0 : d.reference;
  }

  /**
   * The latency (frames) the processor should delay the reference by: with autoLatency the applied automatic
   * latency (0 until one is detected or restored), else the manual `latency` parameter.
   */
  latencyFrames(): i32 {
    if (!this.autoLatency) return <i32>Math.round((this.latency * this.sampleRate) / 1000.0);
    return this.autoFrames >= 0 ? this.autoFrames : 0;
  }

  /** Restores an automatic latency (frames) from a saved state, so a bounce is aligned from its first sample. */
  setLatency(frames: i32): void {
    const max = <i32>Math.ceil(this.sampleRate);
    if (frames < 0 || frames > max) return;
    this.autoFrames = frames;
    this.autoSource = SOURCE_RESTORED;
  }

  private startAcquiring(): void {
    this.acquiring = true;
    this.acquiredFrames = 0.0;
  }

  /** Learning measures integrated loudness from now on, on every meter, and follows its difference. */
  private startLearning(): void {
    this.input.resetIntegrated();
    this.reference.resetIntegrated();
    this.output.resetIntegrated();
    this.learnFrames = 0.0;
    this.tracking = false;
  }

  /** Active channel counts (1..8); a change resets the meters concerned (Meter.setActiveChannels). */
  setChannels(inputChannels: i32, referenceChannels: i32): void {
    this.input.setActiveChannels(inputChannels);
    this.output.setActiveChannels(inputChannels);
    this.reference.setActiveChannels(referenceChannels);
  }

  /** Sets G (clamped to the range); `immediate` also sets A, for a fresh instance restoring its state. */
  setGain(db: f64, immediate: bool): void {
    if (!isFinite<f64>(db)) return;
    this.gain = clamp(db, -this.maxCut, this.maxBoost);
    this.wanted = this.gain;
    this.tracking = false;
    if (immediate) {
      const t = this.outputTarget(this.ceilingCap());
      this.applied = t;
      this.appliedLinear = dbToLinear(t);
    }
  }

  /** Resets the three meters (readings, maxima, peaks); not the gain, not the ceiling's 10 s peak memory. */
  resetMeters(): void {
    this.input.reset();
    this.reference.reset();
    this.output.reset();
    this.learnFrames = 0.0;
    this.startAcquiring();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Processing

  /** Input buffers -> output buffers, `frames` (1..maxFrames) frames. */
  process(frames: i32, referenceValid: bool): void {
    const mode = this.mode;
    const input = this.input;

    // 1. Meter the input (this also replaces NaN / Inf by 0 in place) and, when it is usable, the reference.
    const badBefore = input.nonFinite();
    input.process(frames);
    const bad = input.nonFinite() - badBefore;
    this.nonFiniteTotal += bad;
    this.framesSinceNonFinite = bad > 0.0 ? 0.0 : this.framesSinceNonFinite + <f64>frames;
    const needsReference = mode == MODE_MATCH || mode == MODE_SIDECHAIN;
    const referenceMetered = needsReference && referenceValid;
    if (referenceMetered) this.reference.process(frames);
    if (needsReference && this.autoLatency) this.detect(frames);
    this.notePeak(frames, input.lastBlockPeak());
    if (this.follow == FOLLOW_LEARN) this.learnFrames += <f64>frames;

    // 2.-5. Wanted gain, limits, follow.
    this.status = 0;
    const cap = this.ceilingCap();
    this.updateGain(frames, needsReference, referenceValid, cap);

    // 6.-7. Apply: gain ramp and listen crossfade.
    this.render(frames, needsReference, referenceValid, referenceMetered, cap);

    // 8. Meter the output (reference mode passes the input through unchanged: its readings are the input's).
    if (mode != MODE_REFERENCE) this.output.process(frames);

    let s = this.status;
    if (this.follow == FOLLOW_LEARN) s |= S_LEARNING;
    if (this.follow == FOLLOW_HOLD) s |= S_HELD;
    if (this.bypass) s |= S_BYPASSED;
    if (this.listening) s |= S_LISTENING_REFERENCE;
    if (this.listeningDelta) s |= S_LISTENING_DELTA;
    if (this.framesSinceNonFinite < NON_FINITE_HOLD_SECONDS * this.sampleRate) s |= S_NON_FINITE_INPUT;
    this.status = s;
  }

  /**
   * Feeds the detector the input's mono mix (the sanitised input buffers) and the unaligned reference the
   * processor wrote, lets it do a bounded slice of work, and takes a new stable estimate as the applied latency.
   */
  private detect(frames: i32): void {
    const d = this.latencyDetector;
    if (d == null) return;
    const channels = this.input.channels;
    const dst = d.input;
    const inv: f32 = <f32>(1.0 / <f64>channels);
    memory.copy(dst, this.input.input(0), <usize>frames << 2);
    for (let c = 1; c < channels; c++) {
      const src = this.input.input(c);
      for (let i = 0; i < frames; i++) {
        const o = <usize>i << 2;
        store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
      }
    }
    if (channels > 1) {
      for (let i = 0; i < frames; i++) {
        const o = <usize>i << 2;
        store<f32>(dst + o, load<f32>(dst + o) * inv);
      }
    }
    // The reference buffer may hold anything the processor wrote: replace NaN / Inf by 0.
    const ref = d.reference;
    for (let i = 0; i < frames; i++) {
      const o = <usize>i << 2;
      const v = load<f32>(ref + o);
      if (v - v != 0.0) store<f32>(ref + o, 0.0);
    }
    d.push(frames);
    const s = d.stable;
    if (s >= 0 && (s != this.autoFrames || this.autoSource != SOURCE_DETECTED)) {
      this.autoFrames = s;
      this.autoSource = SOURCE_DETECTED;
    }
  }

  /**
   * Keeps the input's true peak per 100 ms slot over the last 10 s. The slot being filled includes the current
   * block, so a peak arriving now limits the boost of this very block.
   */
  private notePeak(frames: i32, blockPeak: f64): void {
    if (blockPeak > this.slotPeak) this.slotPeak = blockPeak;
    this.slotFill += frames;
    if (this.slotFill < this.slotFrames) return;
    while (this.slotFill >= this.slotFrames) {
      store<f64>(this.peakRing + (<usize>this.slotIndex << 3), this.slotPeak);
      this.slotIndex = this.slotIndex + 1 == PEAK_SLOTS ? 0 : this.slotIndex + 1;
      this.slotFill -= this.slotFrames;
      // The block's tail (if any) belongs to the new slot.
      this.slotPeak = this.slotFill > 0 ? blockPeak : 0.0;
    }
    let m: f64 = 0.0;
    for (let i = 0; i < PEAK_SLOTS; i++) {
      if (i == this.slotIndex) continue; // the oldest slot, being replaced by the current one
      const v = load<f64>(this.peakRing + (<usize>i << 3));
      if (v > m) m = v;
    }
    this.ringPeak = m;
  }

  /** Most boost (dB) the ceiling allows: ceiling - input true peak over 10 s; +Infinity when off or silent. */
  private ceilingCap(): f64 {
    if (!this.ceilingOn) return Infinity;
    const peak = this.slotPeak > this.ringPeak ? this.slotPeak : this.ringPeak;
    return peak > 0.0 ? this.ceiling - linearToDb(peak) : Infinity;
  }

  /**
   * The loudness a detector reads on a meter. Short-term and rms read the part of the 3 s window filled so far
   * (Meter.shortTermSoFar), so two meters started at different times compare means over what each has seen.
   */
  private level(m: Meter, detector: i32): f64 {
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
  private ready(m: Meter, detector: i32, fullWindow: bool): bool {
    if (fullWindow && (detector == DETECTOR_SHORT_TERM || detector == DETECTOR_RMS)) return m.shortTermReady();
    return m.momentaryReady();
  }

  /** Steps 2-5: the wanted gain W (with its limits) and the engine gain G's movement towards it. */
  private updateGain(frames: i32, needsReference: bool, referenceValid: bool, cap: f64): void {
    const mode = this.mode;
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

    // 2. Wanted gain from the detector readings, or hold.
    const detector = follow == FOLLOW_LEARN ? DETECTOR_INTEGRATED : this.detector;
    let hold = false;
    let w: f64 = 0.0;
    const inM = this.input.momentary();
    if (needsReference) {
      if (!referenceValid) {
        hold = true; // the processor reports noReference
      } else if (
        !this.ready(this.input, detector, false) || !this.ready(this.reference, detector, false) ||
        !(inM >= this.gate) || !(this.reference.momentary() >= this.gate)
      ) {
        hold = true;
        this.status |= S_GATED;
      } else {
        w = this.level(this.reference, detector) - this.level(this.input, detector) + this.offset;
      }
    } else {
      if (!this.ready(this.input, detector, true) || !(inM >= this.gate)) {
        hold = true;
        this.status |= S_GATED;
      } else {
        w = this.target - this.level(this.input, detector) + this.offset;
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

    // 3. Range.
    if (w > this.maxBoost) {
      w = this.maxBoost;
      this.status |= S_AT_RANGE_LIMIT;
    } else if (w < -this.maxCut) {
      w = -this.maxCut;
      this.status |= S_AT_RANGE_LIMIT;
    }
    // 4. Ceiling: boost only.
    if (w > 0.0 && w > cap) {
      w = cap > 0.0 ? cap : 0.0;
      this.status |= S_AT_CEILING;
    }
    this.wanted = w;

    // 5. Follow: deadband with hysteresis, then a one-pole in dB (tau = response / 3) until fully converged.
    // Learning follows the integrated difference without a deadband (it moves smoothly by nature); so does
    // acquisition (see ACQUIRE_WINDOWS).
    this.acquiredFrames += <f64>frames;
    const window = detector == DETECTOR_MOMENTARY ? 0.4 : 3.0;
    const free = this.acquiring || follow == FOLLOW_LEARN;
    if (!this.tracking && (free || Math.abs(w - g) > this.tolerance)) this.tracking = true;
    if (this.tracking) {
      const tau = this.response / RESPONSE_TIME_CONSTANTS;
      g += (w - g) * (1.0 - Math.exp(-<f64>frames / (tau * this.sampleRate)));
      if (Math.abs(w - g) < CONVERGED_DB) {
        if (this.acquiring && this.acquiredFrames >= ACQUIRE_WINDOWS * window * this.sampleRate) this.acquiring = false;
        if (!free) this.tracking = false;
      }
      this.gain = g;
      if (Math.abs(w - g) >= CONVERGED_DB) this.status |= S_TRACKING;
    }
  }

  /** Where A is heading: 0 when bypassed or in reference mode, else G (a held G limited by the ceiling). */
  private outputTarget(cap: f64): f64 {
    if (this.bypass || this.mode == MODE_REFERENCE) return 0.0;
    let t = this.gain;
    if (t > 0.0 && t > cap) t = cap > 0.0 ? cap : 0.0;
    return t;
  }

  /**
   * Steps 6-7: moves A towards its target at <= SLEW_DB_PER_SAMPLE (geometric ramp: equal dB steps per sample)
   * and the listen crossfade X linearly over CROSSFADE_SECONDS, and writes
   *   out = (1 - X) * in * gain + X * reference.
   * With A exactly 0 dB and no crossfade the output is a bit-exact copy of the (sanitised) input.
   */
  private render(frames: i32, needsReference: bool, referenceValid: bool, referenceMetered: bool, cap: f64): void {
    const channels = this.input.channels;
    // Applied gain.
    const a0 = this.applied;
    const t = this.outputTarget(cap);
    const maxStep = SLEW_DB_PER_SAMPLE * <f64>frames;
    const a1 = Math.abs(t - a0) <= maxStep ? t : t > a0 ? a0 + maxStep : a0 - maxStep;
    const g0 = this.appliedLinear;
    const g1 = dbToLinear(a1);
    this.applied = a1;
    this.appliedLinear = g1;
    // Crossfade.
    const canListen = needsReference && referenceValid && !this.bypass;
    this.listening = this.listen == LISTEN_REFERENCE && canListen;
    this.listeningDelta = this.listen == LISTEN_DELTA && canListen;
    const x0 = this.fade;
    const xTarget: f64 = this.listening ? 1.0 : 0.0;
    const xStep = 1.0 / (CROSSFADE_SECONDS * this.sampleRate);
    const x1 = fadeTo(x0, xTarget, xStep * <f64>frames);
    this.fade = x1;
    // Delta: Y fades like X; out = (1 - X) dry + (X - Y) ref, so delta (X 0, Y 1) is dry - ref.
    const y0 = this.deltaFade;
    const yTarget: f64 = this.listeningDelta ? 1.0 : 0.0;
    const y1 = fadeTo(y0, yTarget, xStep * <f64>frames);
    this.deltaFade = y1;

    if (x0 == 0.0 && x1 == 0.0 && y0 == 0.0 && y1 == 0.0) {
      if (a0 == 0.0 && a1 == 0.0) {
        for (let c = 0; c < channels; c++) memory.copy(this.output.input(c), this.input.input(c), <usize>frames << 2);
      } else if (a0 == a1) {
        for (let c = 0; c < channels; c++) scale(this.input.input(c), this.output.input(c), frames, <f32>g1);
      } else {
        this.fillRamp(frames, g0, a1 - a0);
        for (let c = 0; c < channels; c++) applyRamp(this.input.input(c), this.output.input(c), frames, this.ramp);
      }
      return;
    }

    // Crossfading: the reference must be finite. Metered reference buffers were sanitised by their meter;
    // others (e.g. fading out after a switch to target mode) are sanitised here; an invalid reference is silence.
    const refChannels = this.reference.channels;
    if (referenceValid && !referenceMetered) {
      for (let c = 0; c < refChannels; c++) {
        v128.store(this.peakScratch, f32x4.splat(0.0));
        sanitizeAndPeak(this.reference.input(c), frames, this.peakScratch);
      }
    }
    this.fillRamp(frames, g0, a1 - a0);
    const dx = xTarget > x0 ? xStep : -xStep;
    const dy = yTarget > y0 ? xStep : -xStep;
    for (let c = 0; c < channels; c++) {
      // A mono reference feeds every channel; otherwise channels the reference lacks are silent.
      let ref: usize = 0;
      if (referenceValid) {
        if (c < refChannels) ref = this.reference.input(c);
        else if (refChannels == 1) ref = this.reference.input(0);
      }
      crossfade(this.input.input(c), ref, this.output.input(c), frames, this.ramp, x0, dx, x1, y0, dy, y1);
    }
  }

  /** ramp[i] = g0 * r^(i+1), r = 10^(dA / (20 frames)): the gain reaches g0 * 10^(dA/20) at the last sample. */
  private fillRamp(frames: i32, g0: f64, dA: f64): void {
    const r = Math.exp((dA / <f64>frames) * LN10_OVER_20);
    let g = g0;
    for (let i = 0; i < frames; i++) {
      g *= r;
      store<f64>(this.ramp + (<usize>i << 3), g);
    }
    // The last sample carries the exact end value, so rounding in the product cannot accumulate across calls.
    store<f64>(this.ramp + (<usize>(frames - 1) << 3), this.appliedLinear);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Readout

  /** Fills the readout slots (wam/engine-abi.ts R) and returns their address. */
  updateReadout(): usize {
    const r = this.readout;
    const mode = this.mode;
    const inp = this.input;
    const inM = inp.momentary();
    const inS = inp.shortTerm();
    const inI = inp.integrated();
    const inMmax = inp.momentaryMax();
    const inSmax = inp.shortTermMax();
    const inLRA = inp.loudnessRange();
    const inRms = inp.rmsShortTerm();
    const tpIn = linearToDb(maxTruePeak(inp));
    set(r, R_IN_M, inM);
    set(r, R_IN_S, inS);
    set(r, R_IN_I, inI);
    set(r, R_IN_M_MAX, inMmax);
    set(r, R_IN_S_MAX, inSmax);
    set(r, R_IN_LRA, inLRA);
    set(r, R_IN_RMS, inRms);
    set(r, R_TRUE_PEAK_IN, tpIn);
    if (mode == MODE_REFERENCE) {
      // The input passes unchanged and is itself the reference: every side reads the input.
      set(r, R_REF_M, inM);
      set(r, R_REF_S, inS);
      set(r, R_REF_I, inI);
      set(r, R_REF_M_MAX, inMmax);
      set(r, R_REF_S_MAX, inSmax);
      set(r, R_REF_LRA, inLRA);
      set(r, R_REF_RMS, inRms);
      set(r, R_OUT_M, inM);
      set(r, R_OUT_S, inS);
      set(r, R_OUT_I, inI);
      set(r, R_OUT_M_MAX, inMmax);
      set(r, R_OUT_S_MAX, inSmax);
      set(r, R_OUT_LRA, inLRA);
      set(r, R_TRUE_PEAK_OUT, tpIn);
    } else {
      const ref = this.reference;
      if (mode == MODE_TARGET) {
        // The target is what the input is matched to: it stands in for the reference's readings.
        const t = this.target;
        set(r, R_REF_M, t);
        set(r, R_REF_S, t);
        set(r, R_REF_I, t);
        set(r, R_REF_M_MAX, t);
        set(r, R_REF_S_MAX, t);
        set(r, R_REF_LRA, 0.0);
        set(r, R_REF_RMS, t);
      } else {
        set(r, R_REF_M, ref.momentary());
        set(r, R_REF_S, ref.shortTerm());
        set(r, R_REF_I, ref.integrated());
        set(r, R_REF_M_MAX, ref.momentaryMax());
        set(r, R_REF_S_MAX, ref.shortTermMax());
        set(r, R_REF_LRA, ref.loudnessRange());
        set(r, R_REF_RMS, ref.rmsShortTerm());
      }
      const out = this.output;
      set(r, R_OUT_M, out.momentary());
      set(r, R_OUT_S, out.shortTerm());
      set(r, R_OUT_I, out.integrated());
      set(r, R_OUT_M_MAX, out.momentaryMax());
      set(r, R_OUT_S_MAX, out.shortTermMax());
      set(r, R_OUT_LRA, out.loudnessRange());
      set(r, R_TRUE_PEAK_OUT, linearToDb(maxTruePeak(out)));
    }
    set(r, R_GAIN_APPLIED, this.applied);
    set(r, R_GAIN_WANTED, this.wanted);
    set(r, R_STATUS, <f64>this.status);
    set(r, R_NON_FINITE, this.nonFiniteTotal);
    set(r, R_LEARN_SECONDS, this.follow == FOLLOW_LEARN ? this.learnFrames / this.sampleRate : 0.0);
    set(r, R_ENGINE_GAIN, this.gain);
    const d = this.latencyDetector;
    const active = d != null && this.autoLatency && (mode == MODE_MATCH || mode == MODE_SIDECHAIN);
    set(r, R_LATENCY_DETECTED, active && d!.detected >= 0 ? <f64>d!.detected : NaN);
    set(r, R_LATENCY_CONFIDENCE, active ? d!.confidence : NaN);
    set(r, R_LATENCY_APPLIED, <f64>this.latencyFrames());
    set(r, R_LATENCY_SOURCE, <f64>(this.autoLatency ? this.autoSource : SOURCE_MANUAL));
    return r;
  }
}

function set(r: usize, slot: i32, value: f64): void {
  store<f64>(r + (<usize>slot << 3), value);
}

/** Largest linear true peak over a meter's active channels. */
function maxTruePeak(m: Meter): f64 {
  let p: f64 = 0.0;
  for (let c = 0; c < m.channels; c++) {
    const v = m.truePeak(c);
    if (v > p) p = v;
  }
  return p;
}

/** dst = src * g, four samples at a time (a constant gain: no ramp, no crossfade). */
function scale(src: usize, dst: usize, frames: i32, g: f32): void {
  const gv = f32x4.splat(g);
  const end = frames & ~3;
  let j = 0;
  for (; j < end; j += 4) {
    const off = <usize>j << 2;
    v128.store(dst + off, f32x4.mul(v128.load(src + off), gv));
  }
  for (; j < frames; j++) {
    const off = <usize>j << 2;
    store<f32>(dst + off, load<f32>(src + off) * g);
  }
}

/** dst[i] = src[i] * ramp[i] (f64 gains). */
function applyRamp(src: usize, dst: usize, frames: i32, ramp: usize): void {
  for (let i = 0; i < frames; i++) {
    store<f32>(dst + (<usize>i << 2), <f32>(<f64>load<f32>(src + (<usize>i << 2)) * load<f64>(ramp + (<usize>i << 3))));
  }
}

/** One linear fade step from v towards target by at most `step`, stopping there. */
function fadeTo(v: f64, target: f64, step: f64): f64 {
  if (v == target) return target;
  const n = target > v ? v + step : v - step;
  return (target > v && n > target) || (target < v && n < target) ? target : n;
}

/**
 * dst[i] = (1 - X_i) * src[i] * ramp[i] + (X_i - Y_i) * ref[i], X_i = x0 + (i+1) dx clamped to the end value x1
 * (the fade is linear and stops there), Y likewise (the delta listen's weight). ref == 0 means a silent reference.
 */
function crossfade(src: usize, ref: usize, dst: usize, frames: i32, ramp: usize, x0: f64, dx: f64, x1: f64, y0: f64, dy: f64, y1: f64): void {
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
