/**
 * The WebAssembly module's exports. A meter is referred to by the address of its Meter object (a handle);
 * several meters may live in one module instance. The module imports nothing (runtime "stub", abort disabled)
 * and grows its memory only while meters or engines are being created (and in allocateFloats).
 *
 * Protocol: createMeter -> setWeight per channel -> repeatedly { write <= maxFrames f32 samples per channel at
 * inputPointer(h, c); processFrames(h, frames) } -> read results at any time.
 *
 * The gain engine of the plugin (dsp/engine.ts) is exported below the meter, per the contract in
 * wam/engine-abi.ts: createEngine -> engineSetChannels / engineSetParam -> repeatedly { write the input (and the
 * aligned reference) at engineInput / engineReference; engineProcess; read engineOutput } -> engineUpdateReadout.
 */
import { Meter, MAX_CHANNELS } from './meter';
import { allowTruePeakSkip } from './truepeak';
import { Engine, ENGINE_PARAM_COUNT, ENGINE_READOUT_COUNT, ENGINE_MAX_FRAMES } from './engine';
import { LatencyDetector } from './latency';
import { Fft } from './fft';
import { sharedScratch } from './block-scratch';
import { allFinite, sanitizeAndPeak } from './sanitize';

/** A meter (0 for arguments out of range), on the instance's shared input buffers or on buffers of its own. */
function newMeter(sampleRate: f64, channels: i32, maxFrames: i32, sharedLanes: bool): usize {
  if (!(sampleRate >= 8000.0 && sampleRate <= 384000.0)) return 0;
  if (channels < 1 || channels > MAX_CHANNELS || maxFrames < 1) return 0;
  return changetype<usize>(new Meter(sampleRate, channels, maxFrames, sharedLanes ? sharedScratch(maxFrames).inputLanes : 0));
}

export function createMeter(sampleRate: f64, channels: i32, maxFrames: i32): usize {
  return newMeter(sampleRate, channels, maxFrames, false);
}

/**
 * createMeter, but the meter's input buffers are the instance's shared block buffers (dsp/block-scratch.ts, the
 * gain engines' input lanes) instead of its own, as the engines' meters have them: for a caller that writes and
 * processes one meter at a time, as an audio thread runs its processors one after another (the bench's
 * arithmetic floor, host-test/pages/scale-host.js). Two such meters written before either is processed read each
 * other's samples: createMeter is the one for that.
 */
export function createSharedBufferMeter(sampleRate: f64, channels: i32, maxFrames: i32): usize {
  return newMeter(sampleRate, channels, maxFrames, true);
}

export function setWeight(h: usize, channel: i32, weight: f64): void {
  changetype<Meter>(h).setWeight(channel, weight);
}

/** Turns true-peak measurement on (default) or off. */
export function enableTruePeak(h: usize, enabled: bool): void {
  changetype<Meter>(h).truePeakEnabled = enabled;
}

/** Turns the unweighted 3 s loudness (rmsShortTerm) on or off (default off: it costs a pass over the input). */
export function enableRms(h: usize, enabled: bool): void {
  changetype<Meter>(h).rmsEnabled = enabled;
}

export function inputPointer(h: usize, channel: i32): usize {
  return changetype<Meter>(h).input(channel);
}

export function processFrames(h: usize, frames: i32): void {
  const m = changetype<Meter>(h);
  if (frames > 0 && frames <= m.maxFrames) m.process(frames);
}

export function resetMeter(h: usize): void {
  changetype<Meter>(h).reset();
}

export function momentary(h: usize): f64 {
  return changetype<Meter>(h).momentary();
}

export function shortTerm(h: usize): f64 {
  return changetype<Meter>(h).shortTerm();
}

export function momentaryMax(h: usize): f64 {
  return changetype<Meter>(h).momentaryMax();
}

export function shortTermMax(h: usize): f64 {
  return changetype<Meter>(h).shortTermMax();
}

export function integrated(h: usize): f64 {
  return changetype<Meter>(h).integrated();
}

export function loudnessRange(h: usize): f64 {
  return changetype<Meter>(h).loudnessRange();
}

export function truePeak(h: usize, channel: i32): f64 {
  return changetype<Meter>(h).truePeak(channel);
}

export function samplePeak(h: usize, channel: i32): f64 {
  return changetype<Meter>(h).samplePeak(channel);
}

export function nonFinite(h: usize): f64 {
  return changetype<Meter>(h).nonFinite();
}

/** Frames per hop (how often M and S are re-evaluated) and hops per 100 ms, for diagnostics and tests. */
export function hopFrames(h: usize): i32 {
  return changetype<Meter>(h).hop;
}

// ---------------------------------------------------------------------------------------------------------------
// Gain engine (wam/engine-abi.ts EngineExports). A handle of 0 (a failed createEngine) is ignored everywhere.

export function engineParamCount(): i32 {
  return ENGINE_PARAM_COUNT;
}

export function engineReadoutCount(): i32 {
  return ENGINE_READOUT_COUNT;
}

/** 0 when sampleRate is outside 8000..384000 or maxFrames outside 1..65536. Allocates ~1.1 MB, once. */
export function createEngine(sampleRate: f64, maxFrames: i32): usize {
  if (!(sampleRate >= 8000.0 && sampleRate <= 384000.0)) return 0;
  if (maxFrames < 1 || maxFrames > ENGINE_MAX_FRAMES) return 0;
  return changetype<usize>(new Engine(sampleRate, maxFrames));
}

/**
 * Input buffer of a channel (0..7): maxFrames f32. NaN / Inf written here are replaced by 0 when processed. The
 * input, reference and output buffers are the same for every engine of this instance (dsp/block-scratch.ts).
 */
export function engineInput(h: usize, channel: i32): usize {
  if (h == 0 || channel < 0 || channel >= MAX_CHANNELS) return 0;
  return changetype<Engine>(h).input.input(channel);
}

/** Reference buffer of a channel (0..7): maxFrames f32, the aligned reference (match / sidechain). */
export function engineReference(h: usize, channel: i32): usize {
  if (h == 0 || channel < 0 || channel >= MAX_CHANNELS) return 0;
  return changetype<Engine>(h).reference.input(channel);
}

/** Output buffer of a channel (0..7): maxFrames f32, valid for the input's active channels after engineProcess. */
export function engineOutput(h: usize, channel: i32): usize {
  if (h == 0 || channel < 0 || channel >= MAX_CHANNELS) return 0;
  return changetype<Engine>(h).output.input(channel);
}

export function engineSetChannels(h: usize, inputChannels: i32, referenceChannels: i32): void {
  if (h != 0) changetype<Engine>(h).setChannels(inputChannels, referenceChannels);
}

export function engineSetParam(h: usize, slot: i32, value: f64): void {
  if (h != 0) changetype<Engine>(h).setParam(slot, value);
}

/**
 * Returns the frames to delay the reference by for the next call (engineLatencyFrames after this block): the
 * processor needs it every quantum, and one call across the JavaScript/WebAssembly boundary is saved.
 */
export function engineProcess(h: usize, frames: i32, referenceValid: i32): i32 {
  if (h == 0) return 0;
  const e = changetype<Engine>(h);
  if (frames >= 1 && frames <= e.maxFrames) e.process(frames, referenceValid != 0);
  return e.latencyFrames();
}

export function engineSetGain(h: usize, db: f64, immediate: i32): void {
  if (h != 0) changetype<Engine>(h).setGain(db, immediate != 0);
}

export function engineResetMeters(h: usize): void {
  if (h != 0) changetype<Engine>(h).resetMeters();
}

/** wam-transport start or jump: the detectors start afresh and the gain acquires again (a held gain stays). */
export function engineReacquire(h: usize): void {
  if (h != 0) changetype<Engine>(h).reacquire();
}

/**
 * The engine's latency detector: how often it started again after resting (dsp/latency.ts "Resting"), and
 * whether it rests now (wakes * 2 + resting); -1 when it has none. For tests and diagnostics.
 */
export function engineLatencyActivity(h: usize): i32 {
  return h == 0 ? -1 : changetype<Engine>(h).latencyActivity();
}

export function engineUpdateReadout(h: usize): usize {
  return h == 0 ? 0 : changetype<Engine>(h).updateReadout();
}

/** The readout's status slot as the last engineUpdateReadout left it (an integer: see wam/engine-abi.ts). */
export function engineReadoutStatus(h: usize): i32 {
  return h == 0 ? 0 : changetype<Engine>(h).readoutStatus();
}

// ---------------------------------------------------------------------------------------------------------------
// Latency detector (dsp/latency.ts) and its FFT (dsp/fft.ts), exported on their own for tests on plain arrays.

export function createLatencyDetector(sampleRate: f64, maxFrames: i32): usize {
  if (!(sampleRate >= 8000.0 && sampleRate <= 384000.0)) return 0;
  if (maxFrames < 1 || maxFrames > ENGINE_MAX_FRAMES) return 0;
  return changetype<usize>(new LatencyDetector(sampleRate, maxFrames));
}

/** Mono f32 staging buffers (maxFrames): the input, the unaligned reference. */
export function latencyInput(h: usize): usize {
  return changetype<LatencyDetector>(h).input;
}

export function latencyReference(h: usize): usize {
  return changetype<LatencyDetector>(h).reference;
}

export function latencyPush(h: usize, frames: i32): void {
  const d = changetype<LatencyDetector>(h);
  if (frames >= 1 && frames <= d.maxFrames) d.push(frames);
}

/**
 * Resting (dsp/latency.ts): turns it on or off; pushes with the aligned reference (mono f32 at
 * latencyWatchAligned, written by the caller) for the watch; whether it rests, and how often it woke.
 */
export function latencySetWatchEnabled(h: usize, on: i32): void {
  changetype<LatencyDetector>(h).watchEnabled = on != 0;
}

export function latencyWatchAligned(h: usize): usize {
  return changetype<LatencyDetector>(h).watch.aligned;
}

/** How far the aligned reference written at latencyWatchAligned lags the unaligned one (frames; see push()). */
export function latencySetLag(h: usize, frames: i32): void {
  const d = changetype<LatencyDetector>(h);
  if (frames >= 0 && frames <= d.maxLag) d.lag = frames;
}

export function latencyPushAligned(h: usize, frames: i32): void {
  const d = changetype<LatencyDetector>(h);
  if (frames >= 1 && frames <= d.maxFrames) d.push(frames, true);
}

export function latencyResting(h: usize): i32 {
  return changetype<LatencyDetector>(h).resting ? 1 : 0;
}

/** Test access: the detector's decimated reference (input 0) or input (1) sample `back` before the newest. */
export function latencyDecimated(h: usize, back: i32, input: i32): f32 {
  return changetype<LatencyDetector>(h).decimatedAt(back, input != 0);
}

export function latencyWakes(h: usize): i32 {
  return changetype<LatencyDetector>(h).wakes;
}

/** The latest estimate (frames, -1 before the first), its confidence (0..1), the latest stable estimate. */
export function latencyDetected(h: usize): i32 {
  return changetype<LatencyDetector>(h).detected;
}

export function latencyConfidence(h: usize): f64 {
  return changetype<LatencyDetector>(h).confidence;
}

export function latencyStable(h: usize): i32 {
  return changetype<LatencyDetector>(h).stable;
}

export function latencyEstimates(h: usize): i32 {
  return changetype<LatencyDetector>(h).estimates;
}

export function latencyReset(h: usize): void {
  changetype<LatencyDetector>(h).reset();
}

export function createFft(n: i32): usize {
  if (n < 2 || n > 1 << 20) return 0;
  return changetype<usize>(new Fft(n));
}

/** n f64 real / imaginary parts of the FFT's buffers. */
export function fftRe(h: usize): usize {
  return changetype<Fft>(h).re;
}

export function fftIm(h: usize): usize {
  return changetype<Fft>(h).im;
}

/** Transforms in slices of at most `budget` units; returns the number of step() calls it took. */
export function fftRun(h: usize, inverse: i32, budget: i32): i32 {
  const f = changetype<Fft>(h);
  f.begin(inverse != 0);
  let calls = 0;
  while (!f.done) {
    f.step(budget > 0 ? budget : 1);
    calls++;
  }
  return calls;
}

/** 1: engineProcess never leaves NaN or infinity in the output buffers (the processor may block-copy them). */
export function engineOutputFinite(): i32 {
  return 1;
}

/** Where the processor may write the unaligned reference's second channel (mixed by the engine); 0: none. */
export function engineLatencyReferenceB(h: usize): usize {
  return h == 0 ? 0 : changetype<Engine>(h).latencyReferenceB();
}

/** Where the processor writes the unaligned reference's channel 0 (maxFrames f32) for the latency detector; 0 if none. */
export function engineLatencyReference(h: usize): usize {
  return h == 0 ? 0 : changetype<Engine>(h).latencyReference();
}

/** The latency (frames) the processor delays the reference by: automatic (detected) or the manual parameter. */
export function engineLatencyFrames(h: usize): i32 {
  return h == 0 ? 0 : changetype<Engine>(h).latencyFrames();
}

/** Restores an automatic latency (frames, 0..sampleRate) from a saved state. */
export function engineSetLatency(h: usize, frames: i32): void {
  if (h != 0) changetype<Engine>(h).setLatency(frames);
}

/** Back to the state of a fresh engine (same sample rate and maxFrames), reusing its memory (issue 16). */
export function engineReset(h: usize): void {
  if (h != 0) changetype<Engine>(h).reset();
}

/**
 * Whether the engine's readings are watched (1, the default) or not (0): unwatched, measurements that only feed
 * readings are skipped (Engine.setWatched). Returns 1 when the engine is an idle reference (reference mode,
 * unwatched): the processor may then pass the audio through without calling the engine at all.
 */
export function engineSetWatched(h: usize, watched: i32): i32 {
  if (h == 0) return 0;
  const e = changetype<Engine>(h);
  e.setWatched(watched != 0);
  return e.idleReference ? 1 : 0;
}

/** Channel blocks the true-peak oversampler skipped (provably below the maximum), input + output meters. */
export function engineTruePeakSkips(h: usize): f64 {
  if (h == 0) return 0.0;
  const e = changetype<Engine>(h);
  return e.input.truePeakSkips + e.output.truePeakSkips;
}

/** Channel blocks the meter's true-peak oversampler skipped (provably below the maximum). */
export function truePeakSkips(h: usize): f64 {
  return changetype<Meter>(h).truePeakSkips;
}

/** Parts of the other channel blocks (truepeak.ts SUB_BLOCK frames) the oversampler skipped, likewise. */
export function truePeakPartSkips(h: usize): f64 {
  return changetype<Meter>(h).truePeakPartSkips;
}

/** truePeakPartSkips of an engine's input + output meters. */
export function engineTruePeakPartSkips(h: usize): f64 {
  if (h == 0) return 0.0;
  const e = changetype<Engine>(h);
  return e.input.truePeakPartSkips + e.output.truePeakPartSkips;
}

/** Allows (default) or forbids skipping provably irrelevant true-peak blocks, for every meter of this instance. */
export function setTruePeakSkip(on: i32): void {
  allowTruePeakSkip(on != 0);
}

/** 1 when the engine is an idle reference (Engine.idleReference): the processor may pass audio through itself. */
export function engineIsIdle(h: usize): i32 {
  return h != 0 && changetype<Engine>(h).idleReference ? 1 : 0;
}

/**
 * `floats` f32 slots (16-byte aligned, zeroed) for the processor's link rings, which live in this memory so that
 * a match instance reads its reference with a memmove (wam/link-bus.ts, FrameRing "Storage"). Never freed (the
 * runtime cannot): the processor allocates one block per link channel and channel count. May grow the memory.
 */
export function allocateFloats(floats: i32): usize {
  return floats > 0 ? heap.alloc(<usize>floats << 2) : 0;
}

/** Where sanitizeBlock's peak goes (not read: the link rings need the count only). */
const sanitizePeakScratch = memory.data(16, 16);

/**
 * Replaces NaN and infinities in the f32 samples [ptr, ptr + 4 n) by 0; returns how many there were (the link
 * rings' check of what a reference publishes). Clean audio takes one read-only pass (allFinite); only a block
 * with a non-finite sample takes sanitizeAndPeak, its peak unused.
 */
export function sanitizeBlock(ptr: usize, n: i32): i32 {
  if (ptr == 0 || n <= 0 || allFinite(ptr, n)) return 0;
  return sanitizeAndPeak(ptr, n, sanitizePeakScratch);
}

/**
 * sanitizeBlock over `channels` runs of n samples, run c at byte address ptr + c * stride: a quantum of every
 * channel of an idle reference (its link ring, or its engine's input buffers) in one call. Why one: from the
 * audio thread's JavaScript a call costs about as much as checking a clean channel does.
 */
export function sanitizeChannels(ptr: usize, stride: i32, n: i32, channels: i32): i32 {
  let bad = 0;
  for (let c = 0; c < channels; c++) bad += sanitizeBlock(ptr + <usize>(c * stride), n);
  return bad;
}

/**
 * Copies `channels` runs of `floats` f32 samples: run c from src + c * srcStride to dst + c * dstStride (byte
 * addresses and strides; a stride may be negative). One call moves a quantum of every channel between a link
 * ring and an engine's buffers (wam/link-bus.ts readTo), cheaper from JavaScript than a copyWithin per channel.
 */
export function copyStrided(dst: usize, dstStride: i32, src: usize, srcStride: i32, floats: i32, channels: i32): void {
  if (floats <= 0) return;
  for (let c = 0; c < channels; c++) {
    memory.copy(dst + <usize>(c * dstStride), src + <usize>(c * srcStride), <usize>floats << 2);
  }
}
