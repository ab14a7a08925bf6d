/**
 * The contract between the gain engine in WebAssembly (dsp/engine.ts, exported from dsp/index.ts) and the
 * JavaScript that drives it (the processor in wam/processor.ts, tests, benchmarks).
 *
 * Numbers here are ABI: the AssemblyScript side uses the same values (dsp/engine.ts repeats them, and a test
 * checks that both agree through the exports `engineParamCount`, `engineReadoutCount`).
 */

/** Engine parameter slots, in the order of the public parameter table (wam/parameters.ts). */
export const enum P {
  mode = 0, // 0 reference, 1 match, 2 sidechain, 3 target, 4 track (the processor runs the engine as target)
  link = 1, // not used by the engine (the processor routes the reference)
  detector = 2, // 0 momentary, 1 short-term, 2 integrated, 3 rms (unweighted, 3 s)
  follow = 3, // 0 continuous, 1 learn, 2 hold
  response = 4, // s, time constant of the gain's movement
  tolerance = 5, // dB deadband
  maxBoost = 6, // dB
  maxCut = 7, // dB
  gate = 8, // LUFS
  target = 9, // LUFS
  offset = 10, // dB
  latency = 11, // ms; not used by the engine (the processor delays the reference)
  ceiling = 12, // dBTP
  ceilingOn = 13, // 0 / 1
  listen = 14, // 0 output, 1 reference, 2 delta (matched output minus the aligned reference)
  bypass = 15, // 0 / 1
  ceilingInMatch = 16, // 0 / 1: the ceiling applies in match and sidechain modes too (target mode: ceilingOn alone)
  autoLock = 17, // 0 / 1: hold the gain once the estimate has settled
  autoLatency = 18, // 0 / 1: the reference's delay follows the detected latency (then `latency` is ignored)
}
export const PARAM_COUNT = 19;

export const enum Listen {
  output = 0,
  reference = 1,
  delta = 2,
}

/** How the applied latency was found (readout slot R.latencySource). */
export const enum LatencySource {
  manual = 0, // autoLatency off: the `latency` parameter
  detected = 1, // measured from the programme (confident, repeated)
  restored = 2, // from a saved state, not re-measured yet
  none = 3, // autoLatency on, nothing detected yet (0 applied)
}

export const enum Mode {
  reference = 0,
  match = 1,
  sidechain = 2,
  target = 3,
  /**
   * Public parameter value only: the engine never sees it. The processor (wam/core.ts) runs the engine in target
   * mode with the reference track's integrated loudness (a number from the main thread) as the target, or in
   * match mode without a reference (the gain holds) while no track is loaded.
   */
  track = 4,
}

export const enum Detector {
  momentary = 0,
  shortTerm = 1,
  integrated = 2,
  rms = 3,
}

export const enum Follow {
  continuous = 0,
  learn = 1,
  hold = 2,
}

/**
 * Readout slots (f64 each) at engineReadout(h), filled by engineUpdateReadout(h). Loudness in LUFS (-Infinity
 * for silence or not yet measured), gains in dB, true peaks in dBTP (max since the last meter reset).
 */
export const enum R {
  refM = 0,
  refS = 1,
  refI = 2,
  inM = 3,
  inS = 4,
  inI = 5,
  outM = 6,
  outS = 7,
  outI = 8,
  gainApplied = 9, // dB actually applied to the audio right now (0 when bypassed or in reference mode)
  gainWanted = 10, // dB the engine is heading for (after range and ceiling limits)
  truePeakIn = 11, // dBTP
  truePeakOut = 12, // dBTP
  status = 13, // bit set of S, engine part (the processor ORs in the link bits)
  nonFinite = 14, // count of NaN/Inf input samples since creation (replaced by 0)
  learnSeconds = 15, // seconds of audio since learning started (0 when not learning)
  refMmax = 16,
  refSmax = 17,
  outMmax = 18,
  outSmax = 19,
  inMmax = 20,
  inSmax = 21,
  refLRA = 22, // LU
  inLRA = 23,
  outLRA = 24,
  engineGain = 25, // dB: the gain the follow logic holds (the learned / held gain), before bypass
  inRms = 26, // unweighted 3 s loudness of the input (LUFS scale: -0.691 + 10 log10(weighted mean square))
  refRms = 27,
  gainUnlimited = 28, // dB: the wanted gain before the range (what the detectors ask for)
  ceilingReduction = 29, // dB: how far the ceiling holds the applied gain below the engine gain (0 when it does not)
  estimateSeconds = 30, // s of ungated audio behind the current estimate (since start, reset, section change, transport)
  drift = 31, // dB: spread of the wanted gain over the last 3 s of ungated audio (NaN before the first 100 ms)
  latencyDetected = 32, // frames: the latest estimate (NaN when not detecting or none yet)
  latencyConfidence = 33, // 0..1 of that estimate (NaN when not detecting)
  latencyApplied = 34, // frames the reference is delayed by (automatic or manual)
  latencySource = 35, // LatencySource
}
export const READOUT_COUNT = 36;

/** Status bits. Engine bits are set by the engine; link bits by the processor. */
export const enum S {
  // link (processor)
  linked = 1 << 0, // a reference is present and sending on this instance's link channel (or sidechain connected)
  noReference = 1 << 1, // match/sidechain mode without a usable reference: the gain holds
  duplicateReference = 1 << 2, // reference mode: another reference already owns this link channel
  referenceLost = 1 << 3, // there was a reference and it went away (destroyed or stopped sending)
  // engine
  gated = 1 << 8, // the input or the reference is below `gate` (or not yet measured): the gain holds
  atRangeLimit = 1 << 9, // the wanted gain was clamped to -maxCut or +maxBoost
  atCeiling = 1 << 10, // the true-peak ceiling is limiting the boost
  learning = 1 << 11,
  held = 1 << 12,
  nonFiniteInput = 1 << 13, // NaN or infinite input samples were seen in the last second
  bypassed = 1 << 14,
  listeningReference = 1 << 15, // listen = reference is active (output is the aligned reference)
  tracking = 1 << 16, // continuous: the gain is moving (the error left the tolerance and has not converged yet)
  locked = 1 << 17, // autoLock: the estimate settled and the gain is held (held is set too)
  acquiring = 1 << 18, // first estimate after a start, reset, section change or transport jump: no deadband yet
  listeningDelta = 1 << 19, // listen = delta is active (output is the matched input minus the aligned reference)
}

/** The engine's exports (added to dsp/index.ts next to the meter's). Handles are addresses in the instance. */
export interface EngineExports {
  memory: WebAssembly.Memory;
  engineParamCount(): number;
  engineReadoutCount(): number;
  /** 0 when the arguments are out of range (sampleRate 8000..384000, maxFrames >= 1). Channels up to 8. */
  createEngine(sampleRate: number, maxFrames: number): number;
  /**
   * f32 buffers of maxFrames samples: write the input / the aligned reference, read the output. Every engine of
   * one instance has the same ones (dsp/block-scratch.ts): write, engineProcess and read back in one go, with no
   * other engine's call in between.
   */
  engineInput(h: number, channel: number): number;
  engineReference(h: number, channel: number): number;
  engineOutput(h: number, channel: number): number;
  /** Active channel counts (1..8). A change resets the affected meters (and their readings). */
  engineSetChannels(h: number, inputChannels: number, referenceChannels: number): void;
  /** Sets a parameter slot (P). Values are clamped to the parameter's range. */
  engineSetParam(h: number, slot: number, value: number): void;
  /**
   * Processes `frames` (1..maxFrames) frames: input buffers -> output buffers. `referenceValid` (0/1) says
   * whether the reference buffers hold real, aligned reference audio for these frames (match / sidechain).
   * Returns engineLatencyFrames as it stands after these frames (an engine that returns nothing: ask it).
   */
  engineProcess(h: number, frames: number, referenceValid: number): number | void;
  /** Sets the engine gain (dB), e.g. a held or learned gain from a saved state; immediate = no glide. */
  engineSetGain(h: number, db: number, immediate: number): void;
  /** Resets the meters and the readings (not the gain). */
  engineResetMeters(h: number): void;
  /** Transport start or jump: input and reference meters afresh, the gain acquires again (a held gain stays). */
  engineReacquire?(h: number): void;
  /** Fills the readout slots and returns their address (READOUT_COUNT f64). */
  engineUpdateReadout(h: number): number;
  /**
   * Where to write the UNALIGNED reference's channel 0 (maxFrames f32) before engineProcess, for the latency detector;
   * 0 while there is no detector (autoLatency off, or never in match / sidechain mode).
   */
  engineLatencyReference(h: number): number;
  /**
   * Where to write the unaligned reference's second channel (maxFrames f32), when the reference has two or
   * more: the engine mixes it with the first (engineLatencyReference takes channel 0). 0 while there is no
   * detector.
   */
  engineLatencyReferenceB(h: number): number;
  /** 1 when the output buffers are always finite after engineProcess (missing: the processor sanitises them). */
  engineOutputFinite?(): number;
  /**
   * The latency detector's activity: (times it started again after resting) * 2 + (1 while resting); -1 when
   * there is no detector. The processor asks it before each call of a match instance with a detector: a resting
   * detector reads no unaligned reference, so the processor does not copy one (dsp/latency.ts "Resting").
   */
  engineLatencyActivity?(h: number): number;
  /** Frames to delay the reference by for the next engineProcess (detected, restored or manual). */
  engineLatencyFrames(h: number): number;
  /** Restores an automatic latency (frames) from a saved state. */
  engineSetLatency(h: number, frames: number): void;
  /** Back to the state of a fresh engine of the same sample rate and maxFrames, in the same memory (reuse). */
  engineReset(h: number): void;
  /**
   * Readings watched (1, default) or not (0). Unwatched, the output meter and the readout's integrated loudness
   * and LRA are skipped (NaN in the readout); they start afresh when watching starts. Returns 1 for an idle
   * reference (reference mode, unwatched): the engine need not be called at all then.
   */
  engineSetWatched(h: number, watched: number): number;
  /**
   * The status slot of the readout as the last engineUpdateReadout left it, as an integer (R.status). Read
   * this way, not from the readout's f64 slot: a double read by unoptimised JavaScript is a new heap number.
   */
  engineReadoutStatus?(h: number): number;
  /** 1 while an idle reference: reference mode, unwatched, applied gain 0 dB, no crossfade (engineSetWatched). */
  engineIsIdle(h: number): number;
  /**
   * `floats` f32 slots (16-byte aligned) in this memory, never freed; may grow the memory. The processor keeps
   * its link rings here (wam/link-bus.ts, FrameRing "Storage"). Missing: the rings have arrays of their own.
   */
  allocateFloats?(floats: number): number;
  /** Replaces NaN and infinities in the f32 samples at byte address ptr .. ptr + 4 n by 0; returns how many. */
  sanitizeBlock?(ptr: number, n: number): number;
  /** sanitizeBlock over `channels` runs of n samples, run c at byte address ptr + c stride; the total replaced. */
  sanitizeChannels?(ptr: number, stride: number, n: number, channels: number): number;
  /** Copies `channels` runs of `floats` f32: run c from src + c srcStride to dst + c dstStride (bytes). */
  copyStrided?(dst: number, dstStride: number, src: number, srcStride: number, floats: number, channels: number): void;
}
