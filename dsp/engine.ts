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
 *  - W, the wanted gain, and G, the engine gain that follows it: the gain law, dsp/gain-law.ts (the true-peak
 *    ceiling's peak memory is dsp/ceiling.ts);
 *  - A, the applied gain: follows G (or 0 when bypassed) at no more than 0.009 dB per sample, as a geometric
 *    ramp inside each call, so no two consecutive samples differ in gain by more than 0.01 dB (inaudible).
 *
 * Memory: everything is allocated in createEngine(); engineProcess() and the setters never allocate. The audio
 * of one call (input, reference and output buffers, the gain ramp, the detector's staging) lives in buffers every
 * engine of the WebAssembly instance shares (dsp/block-scratch.ts): nothing in them outlasts the call.
 */
import { Meter, MAX_CHANNELS } from './meter';
import { peakBelow, sanitizeAndPeak } from './sanitize';
import { DELAY } from './truepeak';
import { dbToLinear, linearToDb, clamp, choice } from './db';
import { PeakMemory } from './ceiling';
import { GainLaw } from './gain-law';
import { scale, fillRamp, applyRamp, crossfade, fadeTo, finiteOnly } from './gain-render';
import { LatencyDetector } from './latency';
import { BlockScratch, sharedScratch } from './block-scratch';
import {
  P_MODE, P_LINK, P_DETECTOR, P_FOLLOW, P_RESPONSE, P_TOLERANCE, P_MAX_BOOST, P_MAX_CUT, P_GATE, P_TARGET, P_OFFSET, P_LATENCY, P_CEILING, P_CEILING_ON, P_LISTEN, P_BYPASS, MODE_REFERENCE, MODE_MATCH, MODE_SIDECHAIN, MODE_TARGET, DETECTOR_MOMENTARY, DETECTOR_SHORT_TERM, DETECTOR_INTEGRATED, DETECTOR_RMS, FOLLOW_CONTINUOUS, FOLLOW_LEARN, FOLLOW_HOLD, R_REF_M, R_REF_S, R_REF_I, R_IN_M, R_IN_S, R_IN_I, R_OUT_M, R_OUT_S, R_OUT_I, R_GAIN_APPLIED, R_GAIN_WANTED, R_TRUE_PEAK_IN, R_TRUE_PEAK_OUT, R_STATUS, R_NON_FINITE, R_LEARN_SECONDS, R_REF_M_MAX, R_REF_S_MAX, R_OUT_M_MAX, R_OUT_S_MAX, R_IN_M_MAX, R_IN_S_MAX, R_REF_LRA, R_IN_LRA, R_OUT_LRA, R_ENGINE_GAIN, R_IN_RMS, R_REF_RMS, S_GATED, S_AT_RANGE_LIMIT, S_AT_CEILING, S_LEARNING, S_HELD, S_NON_FINITE_INPUT, S_BYPASSED, S_LISTENING_REFERENCE, S_TRACKING,
  P_CEILING_IN_MATCH, P_AUTO_LOCK, R_GAIN_UNLIMITED, R_CEILING_REDUCTION, R_ESTIMATE_SECONDS, R_DRIFT,
  LINK_CHANNELS, P_AUTO_LATENCY, R_LATENCY_DETECTED, R_LATENCY_CONFIDENCE, R_LATENCY_APPLIED, R_LATENCY_SOURCE, LISTEN_OUTPUT, LISTEN_REFERENCE, LISTEN_DELTA, SOURCE_MANUAL, SOURCE_DETECTED, SOURCE_RESTORED, SOURCE_NONE, S_LISTENING_DELTA,
} from './engine-slots';
import { coldAlloc } from './cold-memory';

/** Number of parameter slots (wam/engine-abi.ts PARAM_COUNT). */
export const ENGINE_PARAM_COUNT: i32 = 19;
/** Number of f64 readout slots (wam/engine-abi.ts READOUT_COUNT). */
export const ENGINE_READOUT_COUNT: i32 = 36;
/** Largest block the engine accepts: a bound on what createEngine allocates (3 meters x 8 channels x f32). */
export const ENGINE_MAX_FRAMES: i32 = 65536;

/**
 * Largest change of the applied gain per sample, dB. A gain step below ~0.01 dB between consecutive samples is
 * far under the ~0.1-0.2 dB level JND and produces no audible click; 0.009 keeps rounding inside 0.01.
 * At this rate a 20 dB change takes 2222 samples (46 ms at 48 kHz): a fade, not a jump.
 */
const SLEW_DB_PER_SAMPLE: f64 = 0.009;
/** The listen crossfade (output <-> reference) lasts 20 ms: long enough to be click-free, short enough to A/B. */
const CROSSFADE_SECONDS: f64 = 0.02;
/** A NaN / Inf input sample keeps the nonFiniteInput status bit up for one second. */
const NON_FINITE_HOLD_SECONDS: f64 = 1.0;

export class Engine {
  readonly sampleRate: f64;
  readonly maxFrames: i32;
  /** Meters the input (true peak on: the ceiling and the readout need it). Its buffers are the engine's input. */
  readonly input: Meter;
  /** Meters the aligned reference (true peak off: nothing reads it). Its buffers are the reference input. */
  readonly reference: Meter;
  /** Meters the output (true peak on). Its buffers are the engine's output: written, then metered. */
  readonly output: Meter;
  /** W and G (dsp/gain-law.ts), with the law's parameters. */
  readonly law: GainLaw;
  /** The ceiling's memory of the input's true peaks (dsp/ceiling.ts). */
  readonly peaks: PeakMemory;

  private readout: usize; // ENGINE_READOUT_COUNT x f64
  private ramp: usize; // maxFrames x f64 (shared, dsp/block-scratch.ts): the per-sample linear gain of the current call
  private scratch: BlockScratch;
  private peakScratch: usize; // one f32x4 for sanitising reference buffers that were not metered

  // Parameters the engine itself uses (clamped). Defaults as in the public parameter table (wam/parameters.ts);
  // the processor sets every slot after creation anyway.
  private mode: i32 = MODE_MATCH;
  private link: i32 = 1;
  private latency: f64 = 0.0;
  private ceiling: f64 = 0.0;
  private ceilingOn: bool = true;
  private ceilingInMatch: bool = false;
  private listen: i32 = LISTEN_OUTPUT;
  private bypass: bool = false;
  private autoLatency: bool = true;

  /**
   * The latency detector: allocated (~2 MB) the first time the engine is in match or sidechain mode with
   * autoLatency on (a setter, never process()); null before. It gets the input (mono) and the UNALIGNED
   * reference (mono, written by the processor at engineLatencyReference) and measures how far the input lags.
   * reset() keeps it (the runtime never frees) and resets it.
   */
  private latencyDetector: LatencyDetector | null = null;
  /** The automatic latency applied (frames): the last stable detection, or what a state restored; -1 none. */
  private autoFrames: i32 = -1;
  private autoSource: i32 = SOURCE_NONE;

  // State.
  private applied: f64 = 0.0; // A, dB
  private appliedLinear: f64 = 1.0; // 10^(A/20), exactly 1.0 when A is 0
  private fade: f64 = 0.0; // X, 0 = processed input, 1 = reference
  private deltaFade: f64 = 0.0; // Y, 1 = minus the reference (delta listen): out = (1-X) dry + (X-Y) ref
  private listening: bool = false; // X is heading for 1
  private listeningDelta: bool = false; // Y is heading for 1
  private untouched: bool = true; // no gain has been estimated since creation: the first estimate applies at once
  private status: i32 = 0;
  private learnFrames: f64 = 0.0;
  private nonFiniteTotal: f64 = 0.0;
  private framesSinceNonFinite: f64 = Infinity;
  /**
   * Whether the readings are watched (a GUI or a readout listener; the processor decides, issue 16). Unwatched,
   * measurements that only feed readings are skipped: the output meter, integrated loudness and LRA in the
   * readout, and (the processor's part) the whole metering of a reference instance. See setWatched().
   */
  private watched: bool = true;
  /** A copy of this object's fields as constructed, restored by reset(). */
  private pristine: usize = 0;

  constructor(sampleRate: f64, maxFrames: i32) {
    this.sampleRate = sampleRate;
    this.maxFrames = maxFrames;
    // The audio of a call lives in buffers every engine of this instance shares (dsp/block-scratch.ts).
    const scratch = sharedScratch(maxFrames);
    this.scratch = scratch;
    this.input = new Meter(sampleRate, MAX_CHANNELS, maxFrames, scratch.inputLanes);
    this.reference = new Meter(sampleRate, MAX_CHANNELS, maxFrames, scratch.referenceLanes);
    this.output = new Meter(sampleRate, MAX_CHANNELS, maxFrames, scratch.outputLanes);
    this.peaks = new PeakMemory(sampleRate);
    this.law = new GainLaw(sampleRate);
    this.configureMeters();
    this.readout = coldAlloc(<usize>ENGINE_READOUT_COUNT << 3);
    memory.fill(this.readout, 0, <usize>ENGINE_READOUT_COUNT << 3);
    this.ramp = scratch.ramp;
    this.peakScratch = heap.alloc(16);
    this.pristine = coldAlloc(offsetof<Engine>());
    memory.copy(this.pristine, changetype<usize>(this), offsetof<Engine>());
  }

  /** The meters' options, and stereo until the processor says otherwise (L R, weights 1.0). */
  private configureMeters(): void {
    this.input.truePeakEnabled = true;
    this.input.blockPeakEnabled = true;
    this.input.rmsEnabled = true;
    this.reference.rmsEnabled = true;
    this.reference.truePeakEnabled = false;
    this.input.setActiveChannels(2);
    this.reference.setActiveChannels(2);
    this.output.setActiveChannels(2);
  }

  /**
   * Back to the state of a freshly constructed engine, in the same memory: an engine handed from a destroyed
   * plugin instance to a new one (the module's runtime never frees). Every field comes from the copy taken at
   * construction (so fields added later are covered too), then the meters and buffers are cleared.
   */
  reset(): void {
    // The detector is a sub-object allocated after construction (the pristine copy holds null): keep it, so a
    // reused engine does not allocate another, and clear what it measured (prepareDetector allocates it anew
    // only when there is none).
    const detector = this.latencyDetector;
    memory.copy(changetype<usize>(this), this.pristine, offsetof<Engine>());
    this.latencyDetector = detector;
    if (detector != null) detector.reset();
    this.configureMeters();
    this.input.reset();
    this.reference.reset();
    this.output.reset();
    memory.fill(this.readout, 0, <usize>ENGINE_READOUT_COUNT << 3);
    this.peaks.reset();
    this.law.reset();
  }

  /**
   * Watched or not (see `watched`). Readings that were not measured start afresh when watching starts: the
   * output meter, and in reference mode the input meter (the processor did not run the engine meanwhile).
   */
  setWatched(on: bool): void {
    if (on && !this.watched) {
      this.output.reset();
      if (this.mode == MODE_REFERENCE) this.input.reset();
    }
    this.watched = on;
    this.chooseInputTruePeak();
  }

  /**
   * The input's true peak is measured only where it is shown (watched) or used (the ceiling applies): the 4x
   * oversampler is most of a meter's cost (issue 16). Unwatched in match mode with the ceiling off there, it is
   * skipped; the readout's input true peak is then NaN. Turned on again, the input's peaks start afresh.
   */
  private chooseInputTruePeak(): void {
    const ceiling = this.ceilingOn && (this.mode == MODE_TARGET || (this.ceilingInMatch && this.mode != MODE_REFERENCE));
    this.input.setTruePeak(this.watched || ceiling);
  }

  /**
   * Whether the processor may skip the engine: reference mode, nothing watches the readings, and the output is
   * already the plain input (the applied gain has glided to 0 dB and no listen crossfade is under way).
   */
  get idleReference(): bool {
    return this.mode == MODE_REFERENCE && !this.watched && this.applied == 0.0 && this.fade == 0.0 && this.deltaFade == 0.0;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Setters

  /** Sets one parameter slot; values are clamped to the slot's range, choices rounded, NaN / Inf ignored. */
  setParam(slot: i32, value: f64): void {
    if (!isFinite<f64>(value)) return;
    const law = this.law;
    switch (slot) {
      case P_MODE: {
        const m = choice(value, MODE_REFERENCE, MODE_TARGET);
        if (m != this.mode) this.changeMode(m);
        this.chooseInputTruePeak();
        break;
      }
      case P_LINK: {
        const l = choice(value, 1, LINK_CHANNELS);
        if (l != this.link) {
          this.link = l;
          this.prepareDetector(true); // another reference: measure afresh
        }
        break;
      }
      case P_DETECTOR: law.detector = choice(value, DETECTOR_MOMENTARY, DETECTOR_RMS); break;
      case P_FOLLOW: {
        const f = choice(value, FOLLOW_CONTINUOUS, FOLLOW_HOLD);
        if (f != law.follow) {
          law.follow = f;
          law.tracking = false;
          law.startAcquiring();
          if (f == FOLLOW_LEARN) this.startLearning();
          else this.learnFrames = 0.0;
        }
        break;
      }
      case P_RESPONSE: law.response = clamp(value, 0.1, 30.0); break;
      case P_TOLERANCE: law.tolerance = clamp(value, 0.0, 3.0); break;
      case P_MAX_BOOST: law.maxBoost = clamp(value, 0.0, 40.0); break;
      case P_MAX_CUT: law.maxCut = clamp(value, 0.0, 40.0); break;
      case P_GATE: law.gate = clamp(value, -90.0, -20.0); break;
      case P_TARGET: law.target = clamp(value, -60.0, 0.0); break;
      case P_OFFSET: law.offset = clamp(value, -24.0, 24.0); break;
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
      case P_CEILING_ON: this.ceilingOn = choice(value, 0, 1) == 1; this.chooseInputTruePeak(); break;
      case P_LISTEN: this.listen = choice(value, LISTEN_OUTPUT, LISTEN_DELTA); break;
      case P_BYPASS: this.bypass = choice(value, 0, 1) == 1; break;
      case P_CEILING_IN_MATCH: this.ceilingInMatch = choice(value, 0, 1) == 1; this.chooseInputTruePeak(); break;
      case P_AUTO_LOCK: {
        law.autoLock = choice(value, 0, 1) == 1;
        if (!law.autoLock) law.locked = false;
        break;
      }
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
    this.law.tracking = false;
    this.law.startAcquiring();
    this.reference.reset();
    if (old == MODE_REFERENCE) this.output.reset();
    if (old == MODE_REFERENCE && !this.watched) this.input.reset(); // not metered while an idle reference
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
      if (needs) {
        const d = new LatencyDetector(this.sampleRate, this.maxFrames, this.scratch.detectorStaging, this.scratch.frames);
        d.watchEnabled = true;
        this.latencyDetector = d;
      }
    } else if (fresh) {
      this.latencyDetector!.reset();
    }
  }

  /** The detector's wakes * 2 + (1 when resting), -1 without a detector (dsp/index engineLatencyActivity). */
  latencyActivity(): i32 {
    const d = this.latencyDetector;
    return d == null ? -1 : d.wakes * 2 + (d.resting ? 1 : 0);
  }

  /** Where the processor may write the unaligned reference's second channel (0 when there is no detector). */
  latencyReferenceB(): usize {
    const d = this.latencyDetector;
    return d == null ? 0 : d.referenceB;
  }

  /** Where the processor writes the unaligned reference's channel 0 (maxFrames f32) for the detector; 0 when none. */
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

  /** Learning measures integrated loudness from now on, on every meter, and follows its difference. */
  private startLearning(): void {
    this.input.resetIntegrated();
    this.reference.resetIntegrated();
    this.output.resetIntegrated();
    this.learnFrames = 0.0;
    this.law.tracking = false;
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
    this.law.setGain(db);
    if (immediate) {
      const t = this.outputTarget(this.ceilingCap());
      this.applied = t;
      this.appliedLinear = dbToLinear(t);
    }
  }

  /**
   * A transport start or position jump (wam-transport): the detectors start afresh on the new programme and
   * the gain acquires again; a held or auto-locked gain stays held. The output meter keeps its readings.
   */
  reacquire(): void {
    this.input.reset();
    this.reference.reset();
    if (this.law.follow == FOLLOW_LEARN) this.startLearning();
    this.law.reacquire();
  }

  /** Resets the three meters (readings, maxima, peaks); not the gain, not the ceiling's peak memory. */
  resetMeters(): void {
    this.input.reset();
    this.reference.reset();
    this.output.reset();
    this.learnFrames = 0.0;
    this.law.startAcquiring();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Processing

  /** Input buffers -> output buffers, `frames` (1..maxFrames) frames. */
  process(frames: i32, referenceValid: bool): void {
    const mode = this.mode;
    const input = this.input;

    // 1. Meter the input (this also replaces NaN / Inf by 0 in place) and, when it is usable, the reference.
    const badBefore = input.nonFinite();
    // A block that cannot exceed the peak the ceiling's memory already holds needs no exact true peak.
    input.blockPeakFloor = this.peaks.skipFloor(frames);
    input.process(frames);
    const bad = input.nonFinite() - badBefore;
    this.nonFiniteTotal += bad;
    this.framesSinceNonFinite = bad > 0.0 ? 0.0 : this.framesSinceNonFinite + <f64>frames;
    const needsReference = mode == MODE_MATCH || mode == MODE_SIDECHAIN;
    const referenceMetered = needsReference && referenceValid;
    if (referenceMetered) this.reference.process(frames);
    if (needsReference && this.autoLatency) this.detect(frames, referenceMetered);
    this.peaks.note(frames, input.lastBlockPeak(), tailPeak(input, frames));
    if (this.law.follow == FOLLOW_LEARN) this.learnFrames += <f64>frames;

    // 2. Wanted gain, range, follow (dsp/gain-law.ts); the ceiling limits what is applied.
    this.law.update(frames, this.sampleRate, mode, needsReference, referenceValid, input, this.reference);
    const cap = this.ceilingCap();
    this.status = this.law.status;
    if (mode != MODE_REFERENCE && this.law.gain > cap) this.status |= S_AT_CEILING;

    // 3. Apply: gain ramp and listen crossfade.
    this.render(frames, needsReference, referenceValid, referenceMetered, cap);
    for (let c = 0; c < this.input.channels; c++) finiteOnly(this.output.input(c), frames);

    // 4. Meter the output (reference mode passes the input through unchanged: its readings are the input's).
    // Unwatched, the output's readings are read by nobody: not metered.
    if (mode != MODE_REFERENCE && this.watched) this.output.process(frames);

    let s = this.status;
    if (this.law.follow == FOLLOW_LEARN) s |= S_LEARNING;
    if (this.law.follow == FOLLOW_HOLD) s |= S_HELD;
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
  private detect(frames: i32, alignedValid: bool): void {
    const d = this.latencyDetector;
    if (d == null) return;
    // A side whose block peaks under DETECTOR_QUIET_PEAK goes to the detector as zeros: see there.
    if (quiet(this.input, frames)) memory.fill(d.input, 0, <usize>frames << 2);
    else monoMix(d.input, this.input, frames);
    // The unaligned reference: not while the detector rests (it fills its reference ring from the watch's aligned
    // reference then, dsp/latency.ts "Resting"; the processor does not write it). It may hold anything the
    // processor wrote: NaN / Inf become 0. With a second channel (written at referenceB) the two are mixed here
    // (the detector and its watch are scale-free).
    if (!d.resting) {
      const ref = d.reference;
      const two = this.reference.channels >= 2;
      if (peakBelow(ref, frames, DETECTOR_QUIET_PEAK) && (!two || peakBelow(d.referenceB, frames, DETECTOR_QUIET_PEAK))) {
        memory.fill(ref, 0, <usize>frames << 2);
      } else {
        if (two) meanOfTwo(ref, ref, d.referenceB, frames);
        finiteOnly(ref, frames);
      }
    }
    // The detector's watch compares the input with the aligned (metered, sanitised) reference.
    if (alignedValid) {
      if (quiet(this.reference, frames)) memory.fill(d.watch.aligned, 0, <usize>frames << 2);
      else monoMix(d.watch.aligned, this.reference, frames);
    }
    d.lag = this.latencyFrames(); // how far the aligned reference lags the unaligned one
    d.push(frames, alignedValid);
    const s = d.stable;
    if (s >= 0 && (s != this.autoFrames || this.autoSource != SOURCE_DETECTED)) {
      this.autoFrames = s;
      this.autoSource = SOURCE_DETECTED;
    }
  }

  /**
   * Most gain (dB) the ceiling allows the applied gain: ceiling - the input's true peak over the last
   * CEILING_HOLD_SECONDS (dsp/ceiling.ts), never below 0 dB or the wanted gain if that is lower (the ceiling
   * limits boost and brings forward a cut the law is heading for; it never forces a cut of its own);
   * +Infinity when it does not apply. It applies in target mode when ceilingOn is on, and in match and
   * sidechain modes only when ceilingInMatch is on too: inside a floating-point host nothing clips between two
   * plugins, and a match that stops short of the reference does not match.
   */
  private ceilingCap(): f64 {
    if (!this.ceilingOn || this.mode == MODE_REFERENCE) return Infinity;
    if (this.mode != MODE_TARGET && !this.ceilingInMatch) return Infinity;
    const cap = this.peaks.cap(this.ceiling);
    const w = this.law.wanted;
    const floor = w < 0.0 ? w : 0.0;
    return cap > floor ? cap : floor;
  }

  /** Where A is heading: 0 when bypassed or in reference mode, else G limited by the ceiling. */
  private outputTarget(cap: f64): f64 {
    if (this.bypass || this.mode == MODE_REFERENCE) return 0.0;
    const t = this.law.gain;
    return t > cap ? cap : t;
  }

  /**
   * Step 3: moves A towards its target at <= SLEW_DB_PER_SAMPLE (geometric ramp: equal dB steps per sample)
   * and the listen crossfade X linearly over CROSSFADE_SECONDS, and writes
   *   out = (1 - X) * in * gain + X * reference   (target mode: the input itself stands in for the reference).
   * With A exactly 0 dB and no crossfade the output is a bit-exact copy of the (sanitised) input.
   */
  private render(frames: i32, needsReference: bool, referenceValid: bool, referenceMetered: bool, cap: f64): void {
    const channels = this.input.channels;
    // Applied gain.
    // A peak louder than the ceiling allows at the current gain: A steps down to the cap at the block's first
    // sample (the block's own peak is already in the cap), so the output's true peak stays under the ceiling
    // with no look-ahead. Every other movement is the slew below.
    if (this.applied > cap) {
      this.applied = cap;
      this.appliedLinear = dbToLinear(cap);
    }
    const t = this.outputTarget(cap);
    // A fresh instance has not yet output anything it estimated a gain for: its first estimate applies from
    // its first block (a static effect is matched from the first sample, so a fresh match makes no burst).
    if (this.untouched && this.law.estimateFrames > 0.0) {
      this.untouched = false;
      this.applied = t;
      this.appliedLinear = dbToLinear(t);
    }
    const a0 = this.applied;
    const maxStep = SLEW_DB_PER_SAMPLE * <f64>frames;
    const a1 = Math.abs(t - a0) <= maxStep ? t : t > a0 ? a0 + maxStep : a0 - maxStep;
    const g0 = this.appliedLinear;
    const g1 = dbToLinear(a1);
    this.applied = a1;
    this.appliedLinear = g1;
    // Crossfade.
    // Target mode has no reference: its A/B compares with the input before the gain (same crossfade, the input
    // standing in for the reference); delta needs a reference.
    const listenInput = this.mode == MODE_TARGET && !this.bypass;
    const canListen = (needsReference && referenceValid || listenInput) && !this.bypass;
    this.listening = this.listen == LISTEN_REFERENCE && canListen;
    this.listeningDelta = this.listen == LISTEN_DELTA && canListen && !listenInput;
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
        fillRamp(this.ramp, frames, g0, a1 - a0, g1);
        for (let c = 0; c < channels; c++) applyRamp(this.input.input(c), this.output.input(c), frames, this.ramp);
      }
      return;
    }

    // Crossfading: the reference must be finite. Metered reference buffers were sanitised by their meter;
    // others (e.g. fading out after a switch to target mode) are sanitised here; an invalid reference is silence.
    const refChannels = this.reference.channels;
    if (referenceValid && !referenceMetered && !listenInput) {
      for (let c = 0; c < refChannels; c++) {
        v128.store(this.peakScratch, f32x4.splat(0.0));
        sanitizeAndPeak(this.reference.input(c), frames, this.peakScratch);
      }
    }
    fillRamp(this.ramp, frames, g0, a1 - a0, g1);
    const dx = xTarget > x0 ? xStep : -xStep;
    const dy = yTarget > y0 ? xStep : -xStep;
    for (let c = 0; c < channels; c++) {
      // A mono reference feeds every channel; otherwise channels the reference lacks are silent.
      let ref: usize = 0;
      if (listenInput) ref = this.input.input(c);
      else if (referenceValid) {
        if (c < refChannels) ref = this.reference.input(c);
        else if (refChannels == 1) ref = this.reference.input(0);
      }
      crossfade(this.input.input(c), ref, this.output.input(c), frames, this.ramp, x0, dx, x1, y0, dy, y1);
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // Readout

  /** Fills the readout slots (wam/engine-abi.ts R) and returns their address. */
  updateReadout(): usize {
    if (!this.watched) return this.unwatchedReadout();
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
        this.targetAsReference(r);
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
    this.gainReadout(r);
    return r;
  }

  /** Target mode's reference slots (both readouts): the target is what the input is matched to. */
  private targetAsReference(r: usize): void {
    const t = this.law.target;
    set(r, R_REF_M, t);
    set(r, R_REF_S, t);
    set(r, R_REF_I, t);
    set(r, R_REF_M_MAX, t);
    set(r, R_REF_S_MAX, t);
    set(r, R_REF_LRA, 0.0);
    set(r, R_REF_RMS, t);
  }

  /** The status slot of the readout as the last updateReadout left it. */
  readoutStatus(): i32 {
    return <i32>load<f64>(this.readout + (<usize>R_STATUS << 3));
  }

  /** The readout slots of the gain and its state (both readouts). */
  private gainReadout(r: usize): void {
    set(r, R_GAIN_APPLIED, this.applied);
    const cap = this.ceilingCap();
    const wanted = this.law.wanted;
    set(r, R_GAIN_WANTED, wanted > cap ? cap : wanted);
    set(r, R_GAIN_UNLIMITED, this.law.unlimited);
    const g = this.law.gain;
    set(r, R_CEILING_REDUCTION, this.mode != MODE_REFERENCE && g > cap ? g - cap : 0.0);
    set(r, R_ESTIMATE_SECONDS, this.law.estimateFrames / this.sampleRate);
    set(r, R_DRIFT, this.law.drift());
    set(r, R_STATUS, <f64>this.status);
    set(r, R_NON_FINITE, this.nonFiniteTotal);
    set(r, R_LEARN_SECONDS, this.law.follow == FOLLOW_LEARN ? this.learnFrames / this.sampleRate : 0.0);
    set(r, R_ENGINE_GAIN, this.law.gain);
    const d = this.latencyDetector;
    const mode = this.mode;
    const active = d != null && this.autoLatency && (mode == MODE_MATCH || mode == MODE_SIDECHAIN);
    set(r, R_LATENCY_DETECTED, active && d!.detected >= 0 ? <f64>d!.detected : NaN);
    set(r, R_LATENCY_CONFIDENCE, active ? d!.confidence : NaN);
    set(r, R_LATENCY_APPLIED, <f64>this.latencyFrames());
    set(r, R_LATENCY_SOURCE, <f64>(this.autoLatency ? this.autoSource : SOURCE_MANUAL));
  }

  /**
   * The readout while unwatched: the gain slots, and outside reference mode the input's and the reference's
   * constant-time readings (M, S, maxima, rms) and the input true peak; NaN (not measured) for the rest:
   * integrated loudness and LRA (a histogram scan each), the output, and everything of an idle reference.
   */
  private unwatchedReadout(): usize {
    const r = this.readout;
    for (let i = 0; i < ENGINE_READOUT_COUNT; i++) set(r, i, NaN);
    if (this.mode != MODE_REFERENCE) {
      const inp = this.input;
      set(r, R_IN_M, inp.momentary());
      set(r, R_IN_S, inp.shortTerm());
      set(r, R_IN_M_MAX, inp.momentaryMax());
      set(r, R_IN_S_MAX, inp.shortTermMax());
      set(r, R_IN_RMS, inp.rmsShortTerm());
      if (inp.truePeakEnabled) set(r, R_TRUE_PEAK_IN, linearToDb(maxTruePeak(inp)));
      if (this.mode != MODE_TARGET) {
        const ref = this.reference;
        set(r, R_REF_M, ref.momentary());
        set(r, R_REF_S, ref.shortTerm());
        set(r, R_REF_M_MAX, ref.momentaryMax());
        set(r, R_REF_S_MAX, ref.shortTermMax());
        set(r, R_REF_RMS, ref.rmsShortTerm());
      } else {
        this.targetAsReference(r);
      }
    }
    this.gainReadout(r);
    return r;
  }
}

function set(r: usize, slot: i32, value: f64): void {
  store<f64>(r + (<usize>slot << 3), value);
}

/** The sample peak of a (sanitised) block's last DELAY frames over the meter's active channels, linear. */
function tailPeak(m: Meter, frames: i32): f64 {
  const from = frames > DELAY ? frames - DELAY : 0;
  let p: f32 = 0.0;
  for (let c = 0; c < m.channels; c++) {
    const x = m.input(c);
    for (let i = from; i < frames; i++) {
      const v = Mathf.abs(load<f32>(x + (<usize>i << 2)));
      if (v > p) p = v;
    }
  }
  return <f64>p;
}

/**
 * A block whose every sample is under this (-100 dBFS) reaches the latency detector and its watch as zeros.
 * Their silence test is a mean square under 1e-10 (-100 dBFS), so they read such blocks as silence anyway; but
 * their f32 mixes and the watch's products of quiet samples (1e-20 squared is subnormal) took x86's subnormal
 * assists: a match instance on programme scaled to -400 or -800 dBFS (1e-20, 1e-40) cost 1.6-1.9 x what it
 * costs on programme (dsp/tests/denormal-cost.test.ts, on a Xeon whose assists are slow). With this check
 * 0.9-1.1 x; with the gain stage's own as well (gain-render.ts TINY_BITS) 0.7-0.9 x.
 */
const DETECTOR_QUIET_PEAK: f32 = 1e-5;

/** Whether every active channel of a meter's (sanitised) input block is under DETECTOR_QUIET_PEAK. */
function quiet(m: Meter, frames: i32): bool {
  for (let c = 0; c < m.channels; c++) if (!peakBelow(m.input(c), frames, DETECTOR_QUIET_PEAK)) return false;
  return true;
}

/** dst[i] = (a[i] + b[i]) * 0.5 in f32, four frames at a time (dst may be a). */
function meanOfTwo(dst: usize, a: usize, b: usize, frames: i32): void {
  const half = f32x4.splat(0.5);
  let i = 0;
  for (; i + 4 <= frames; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.mul(f32x4.add(v128.load(a + o), v128.load(b + o)), half));
  }
  for (; i < frames; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, (load<f32>(a + o) + load<f32>(b + o)) * <f32>0.5);
  }
}

/** Writes the mean of a meter's active channels (its sanitised input buffers) to `dst`, `frames` f32. */
function monoMix(dst: usize, m: Meter, frames: i32): void {
  const channels = m.channels;
  if (channels == 2) {
    meanOfTwo(dst, m.input(0), m.input(1), frames); // the usual case (the same f32 operations as below)
    return;
  }
  memory.copy(dst, m.input(0), <usize>frames << 2);
  for (let c = 1; c < channels; c++) {
    const src = m.input(c);
    for (let i = 0; i < frames; i++) {
      const o = <usize>i << 2;
      store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
    }
  }
  if (channels > 1) {
    const inv: f32 = <f32>(1.0 / <f64>channels);
    for (let i = 0; i < frames; i++) {
      const o = <usize>i << 2;
      store<f32>(dst + o, load<f32>(dst + o) * inv);
    }
  }
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
