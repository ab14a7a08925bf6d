/**
 * The loudness meter: K-weighting, sliding momentary / short-term windows, gated integrated loudness,
 * loudness range, true peak and sample peak, for 1 to 8 channels at 8 kHz to 384 kHz.
 *
 * Time structure (everything is counted in samples, never in floating-point seconds):
 *  - A HOP is at most 128 frames. Each hop's K-weighted, channel-weighted energy goes into a ring.
 *    Momentary (400 ms) and short-term (3 s) windows are whole numbers of hops, re-evaluated after every hop,
 *    so their maxima are exact to within one hop (EBU Tech 3341 tests 10 and 13 need the exact maximum).
 *  - Q hops make 100 ms: the gating-block step of BS.1770-5 Annex 1 (400 ms blocks, 75 % overlap) and the
 *    short-term sampling rate of Tech 3342 (LRA). At standard rates 100 ms is an exact number of hops
 *    (48 kHz: 40 x 120; 44.1 kHz: 35 x 126; 96 kHz: 75 x 128); at odd rates the hop is chosen so that Q hops
 *    are within a sample or two of round(fs/10), the block length libebur128 uses too.
 *  - A gating block is the momentary window at a 100 ms boundary; the first ends 400 ms after reset.
 *
 * Channels: a meter is allocated for up to `allocatedChannels` channels; `channels` of them (1..allocated) are
 * active and metered. The library sets the count once, at creation; the gain engine changes it with
 * setActiveChannels() when the host's channel layout changes, without allocating.
 *
 * Besides the standard readings the meter keeps, for the gain engine: the peak of the latest block alone (for a
 * true-peak ceiling over a sliding window), an unweighted short-term (3 s) loudness, partial-window readings and
 * the number of hops since reset (so a caller knows whether a window holds real data yet).
 *
 * Memory: everything is allocated in the constructor; process() never allocates.
 */
import { kWeightingCoefficients } from './kweighting';
import { TAPS, FACTOR, TP_INPUT_SCALE, TP_FLUSH_BELOW, COEFFICIENT_BYTES, READ_PAST, designOversampler, oversampledPeakBounded, horizontalMax, oversamplerGainBound, truePeakCannotExceed } from './truepeak';
import { sanitizeAndPeak, sanitizePeakAndPrepare } from './sanitize';
import { GatedHistogram, energyToLufs } from './histogram';
import { coldAlloc } from './cold-memory';

export const MAX_CHANNELS: i32 = 8;
const MAX_HOP: i32 = 128;
/** Filter state below this is flushed to 0: x86 is slow on denormals and wasm cannot set flush-to-zero. */
const DENORMAL_FLOOR: f64 = 1e-30;
/** Bytes of K-weighting state per channel pair: x[n-1], x[n-2], y[n-1], y[n-2], z[n-1], z[n-2], each an f64x2. */
const FILTER_STATE_BYTES: usize = 6 * 16;
/**
 * Bound on the rounding of one running-sum update s + e - leaving: two roundings, each at most half an ulp
 * of the largest magnitude involved (2^-53 relative), summed conservatively as 2^-52 of their total.
 */
const SUM_ROUNDING: f64 = 2.220446049250313e-16;
/**
 * A running window sum whose accumulated rounding bound exceeds this fraction of its value is recomputed
 * exactly at once (1e-9 of the energy is 4e-9 dB). This happens only after the sum fell by many orders of
 * magnitude within the window (an extreme burst leaving it), where cancellation would otherwise leave a residue
 * larger than the signal itself until the next 100 ms recompute (+337 LUFS read after +-1e30 samples).
 */
const SUM_MAX_RELATIVE_ERROR: f64 = 1e-9;
/** Relative gates: BS.1770-5 (integrated) -10 LU, Tech 3342 (LRA) -20 LU. */
const INTEGRATED_GATE_LU: f64 = -10.0;
const RANGE_GATE_LU: f64 = -20.0;

/**
 * BS.1770-5 Annex 1 table 3 weights for the default layout of each channel count, in the order of the Web
 * Audio / WAVE channel masks: 1 C; 2 L R; 3 L R C; 4 L R Ls Rs; 5 L R C Ls Rs; 6 L R C LFE Ls Rs;
 * 7 L R C Ls Rs Lb Rb; 8 L R C LFE Ls Rs Lb Rb. Fronts, centre and backs 1.0, surrounds (60-120 degrees
 * azimuth) 1.41, LFE 0 (not part of the loudness).
 */
export function defaultWeight(count: i32, channel: i32): f64 {
  if (channel < 0 || channel >= count) return 0.0;
  const SURROUND: f64 = 1.41;
  if (count == 4) return channel >= 2 ? SURROUND : 1.0;
  if (count == 5 || count == 7) return channel == 3 || channel == 4 ? SURROUND : 1.0;
  if (count == 6 || count == 8) {
    if (channel == 3) return 0.0;
    return channel == 4 || channel == 5 ? SURROUND : 1.0;
  }
  return 1.0;
}

/** Picks the hop size for a 100 ms step of `step` samples: an exact divisor <= 128 when a big enough one exists. */
export function chooseHop(step: i32): i32 {
  for (let h = MAX_HOP; h >= 48; h--) {
    if (step % h == 0) return h;
  }
  // No usable divisor (e.g. 11025 Hz: step 1103 is prime). Take the hop whose multiple comes closest.
  let best = MAX_HOP;
  let bestError = i32.MAX_VALUE;
  for (let h = MAX_HOP; h >= 64; h--) {
    const q = (step + h / 2) / h;
    const err = abs(q * h - step);
    if (err < bestError) {
      bestError = err;
      best = h;
    }
  }
  return best;
}

/**
 * Sum of squares of `run` f32 samples at x, four at a time, squared and summed in f64. A separate pass over
 * samples already in L1: far cheaper than squaring inside the K-filter loop, where the extra vector work slowed
 * the filter by half (4.9 -> 8.0 ns per stereo frame). Squares in f64 never underflow (the smallest f32 squared
 * is 2e-90), where f32 squares of samples below 1e-19 would be subnormal: slow on x86, and no flush-to-zero.
 */
function rawSquares(x: usize, run: i32): f64 {
  let acc = f64x2.splat(0.0);
  const end = run & ~3;
  let j = 0;
  for (; j < end; j += 4) {
    const v = v128.load(x + (<usize>j << 2));
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    acc = f64x2.add(acc, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; j < run; j++) {
    const v = <f64>load<f32>(x + (<usize>j << 2));
    s += v * v;
  }
  return s;
}

/**
 * Sum of `count` f64 values from `p`, four at a time in two f64x2 accumulators: the running sums' exact
 * recomputation (every 100 ms, 160 momentary and 1200 short-term hop energies at 48 kHz) is otherwise one
 * dependent addition after another. Any order of summation is an exact recomputation in the sense the running
 * sums need (a fresh sum of the values in the window, no accumulated rounding).
 */
function sumRun(p: usize, count: i32): f64 {
  let a = f64x2.splat(0.0);
  let b = f64x2.splat(0.0);
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const at = p + (<usize>k << 3);
    a = f64x2.add(a, v128.load(at));
    b = f64x2.add(b, v128.load(at, 16));
  }
  a = f64x2.add(a, b);
  let s = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  for (; k < count; k++) s += load<f64>(p + (<usize>k << 3));
  return s;
}

/**
 * Exact sum of the newest `count` of a ring of `length` f64 values whose next write goes to index `next`: at most
 * two runs of the ring, from the oldest wanted value up to the end, then from the start.
 */
function sumNewest(ring: usize, length: i32, next: i32, count: i32): f64 {
  let i = next - count;
  if (i < 0) i += length;
  const first = i + count <= length ? count : length - i;
  return sumRun(ring + (<usize>i << 3), first) + sumRun(ring, count - first);
}

/** 100 ms slots in the short-term window (3 s) and in the momentary one (400 ms). */
const SLOTS: i32 = 30;
const MOMENTARY_SLOTS: i32 = 4;

export class Meter {
  readonly sampleRate: f64;
  /** Channels the buffers are allocated for (the constructor's `channels`). */
  readonly allocatedChannels: i32;
  /** Active channels, 1..allocatedChannels: only these are metered. Change with setActiveChannels(). */
  channels: i32;
  readonly maxFrames: i32;
  readonly hop: i32; // frames per hop
  readonly hopsPer100ms: i32; // Q
  readonly ringLength: i32; // hops in the short-term window (30 Q)
  readonly momentaryHops: i32; // hops in the momentary window (4 Q)
  readonly oversampling: i32; // 4 or 1
  /** False skips the oversampler (true peak then reads as the sample peak); for callers that need no true peak. */
  truePeakEnabled: bool = true;
  /**
   * True measures rmsShortTerm() (unweighted 3 s loudness). Off by default: the library meter does not need it
   * and it costs a pass over the input plus its own ring. Turned on mid-stream, the window fills from then on
   * (the part before reads as silence until 3 s have passed).
   */
  rmsEnabled: bool = false;
  /** True tracks lastBlockPeak(). Off by default: the library meter does not need it (a few per cent of its time). */
  blockPeakEnabled: bool = false;
  /**
   * With blockPeakEnabled: lastBlockPeak() may read below the block's true peak (its sample peak instead) when
   * both are at or below this linear value, which lets the oversampler skip such blocks (the gain engine sets it
   * to the peak its ceiling already holds for the current slot). 0 (the default): lastBlockPeak() is exact.
   */
  blockPeakFloor: f64 = 0.0;
  /** Channel blocks whose oversampling was skipped because they provably could not raise a maximum. */
  truePeakSkips: f64 = 0.0;
  /** Parts (truepeak.ts SUB_BLOCK frames) of the remaining channel blocks the oversampler skipped. */
  truePeakPartSkips: f64 = 0.0;

  private pairs: i32; // active channel pairs (an odd count pads the last pair with a silent, weight-0 channel)
  private allocatedPairs: i32;
  private kCoef: usize; // 10 x f64
  private filterState: usize; // per channel pair: FILTER_STATE_BYTES (direct form I, see filterPair)
  private weights: usize; // per channel f64 (index = channel; a padded odd channel has weight 0)
  private buffers: usize; // per channel (and one silent pad channel): pointer to [TAPS-1 unused | maxFrames]
  private tpBuffers: usize; // per channel, when oversampling: pointer to the oversampler's copy [TAPS-1 history | maxFrames | READ_PAST]
  private tpCoef: usize; // COEFFICIENT_BYTES (truepeak.ts designOversampler)
  private truePeaks: usize; // per channel f32x4 running max
  private samplePeaks: usize; // per channel f32x4 running max
  private ring: usize; // ringLength x f64 hop energies (sum of weighted squares)
  private rawRing: usize; // ringLength x f64 hop energies WITHOUT K-weighting (same channel weights)
  // SLOTS x f64: the exact sum of each 100 ms slot of `ring` (and `rawRing`), written as the slot completes. The
  // ring and the slots stay aligned: both start at index 0 on reset() and a slot is Q hops.
  private slots: usize;
  private rawSlots: usize;
  private slotIndex: i32 = 0;
  private blockPeakScratch: usize; // one f32x4: the peak of the block being metered, per channel
  private blockSamplePeaks: usize; // per channel f32: the sample peak of the block being metered
  private tpGainBound: f64 = 0.0; // oversamplerGainBound of tpCoef

  private ringIndex: i32 = 0;
  private hopFill: i32 = 0;
  private hopInStep: i32 = 0;
  private hops: f64 = 0.0;
  private gatedFromHop: f64 = 0.0; // hop count at the last reset of the gated histograms
  private hopEnergy: f64 = 0.0;
  private hopRawEnergy: f64 = 0.0;
  private momentarySum: f64 = 0.0;
  private shortTermSum: f64 = 0.0;
  private rawShortTermSum: f64 = 0.0;
  // Bounds on the rounding accumulated in the three running sums since they were last summed exactly.
  private momentaryError: f64 = 0.0;
  private shortTermError: f64 = 0.0;
  private rawShortTermError: f64 = 0.0;
  private latestBlockPeak: f64 = 0.0;
  private latestBlockEnergy: f64 = 0.0; // K-weighted, channel-weighted sum of squares of the latest block
  private latestBlockRawEnergy: f64 = 0.0; // the same without the K-filter (rmsEnabled only)
  private momentaryMaxSum: f64 = 0.0;
  private shortTermMaxSum: f64 = 0.0;
  private nonFiniteCount: f64 = 0.0;
  private blocks: GatedHistogram = new GatedHistogram();
  private shortTerms: GatedHistogram = new GatedHistogram();

  /**
   * `sharedLanes`: a table of channel buffers to use instead of allocating them (the gain engine's, shared by
   * every engine of the instance: dsp/block-scratch.ts), at least `channels` rounded up to even, each
   * TAPS - 1 + maxFrames f32; 0 allocates the meter's own.
   */
  constructor(sampleRate: f64, channels: i32, maxFrames: i32, sharedLanes: usize = 0) {
    this.sampleRate = sampleRate;
    this.allocatedChannels = channels;
    this.channels = channels;
    this.maxFrames = maxFrames;
    const step = <i32>Math.round(sampleRate / 10.0);
    const hop = chooseHop(step);
    const q = (step + hop / 2) / hop;
    this.hop = hop;
    this.hopsPer100ms = q;
    this.ringLength = SLOTS * q;
    this.momentaryHops = MOMENTARY_SLOTS * q;
    // BS.1770-5 Annex 2 asks for 4x below 96 kHz and 2x up to 192 kHz. 96-192 kHz gets 4x as well (three
    // fractional phases where 2x would compute one): a 2x grid can miss an fs/4 peak by 0.69 dB (EBU Tech 3341
    // tests 20-23 at 96 kHz read -0.46 dBTP with it, outside -0.4).
    this.oversampling = sampleRate < 192000.0 ? FACTOR : 1;

    this.pairs = (channels + 1) >> 1;
    this.allocatedPairs = this.pairs;
    const lanes = this.pairs * 2;
    this.kCoef = heap.alloc(10 << 3);
    kWeightingCoefficients(sampleRate, this.kCoef);
    this.filterState = heap.alloc(<usize>this.pairs * FILTER_STATE_BYTES);
    this.weights = heap.alloc(<usize>lanes << 3);
    const bufferBytes = <usize>(TAPS - 1 + maxFrames) << 2;
    this.buffers = sharedLanes != 0 ? sharedLanes : heap.alloc(<usize>lanes * sizeof<usize>());
    for (let c = 0; c < lanes; c++) {
      if (sharedLanes == 0) store<usize>(this.buffers + <usize>c * sizeof<usize>(), heap.alloc(bufferBytes));
      store<f64>(this.weights + (<usize>c << 3), c < channels ? 1.0 : 0.0);
    }
    this.tpBuffers = heap.alloc(<usize>lanes * sizeof<usize>());
    for (let c = 0; c < lanes; c++) {
      // READ_PAST more: the oversampler's last group of four may read that far past a block (masked there).
      store<usize>(this.tpBuffers + <usize>c * sizeof<usize>(), this.oversampling > 1 ? coldAlloc(bufferBytes + (<usize>READ_PAST << 2)) : 0);
    }
    this.tpCoef = heap.alloc(<usize>COEFFICIENT_BYTES);
    if (this.oversampling > 1) designOversampler(this.tpCoef);
    this.tpGainBound = oversamplerGainBound(this.tpCoef);
    this.blockSamplePeaks = heap.alloc(<usize>lanes << 2);
    this.truePeaks = heap.alloc(<usize>lanes * 16);
    this.samplePeaks = heap.alloc(<usize>lanes * 16);
    this.ring = coldAlloc(<usize>this.ringLength << 3);
    this.rawRing = coldAlloc(<usize>this.ringLength << 3);
    this.slots = heap.alloc(<usize>SLOTS << 3);
    this.rawSlots = heap.alloc(<usize>SLOTS << 3);
    this.blockPeakScratch = heap.alloc(16);
    this.reset();
  }

  /**
   * Sets how many of the allocated channels are metered (clamped to 1..allocatedChannels). A change resets the
   * meter (the readings belonged to another layout) and restores the default BS.1770 weights for the new count
   * (defaultWeight); the same count changes nothing.
   */
  setActiveChannels(count: i32): void {
    const n = count < 1 ? 1 : count > this.allocatedChannels ? this.allocatedChannels : count;
    if (n == this.channels) return;
    this.channels = n;
    this.pairs = (n + 1) >> 1;
    const lanes = this.allocatedPairs * 2;
    for (let c = 0; c < lanes; c++) store<f64>(this.weights + (<usize>c << 3), defaultWeight(n, c));
    this.reset();
  }

  setWeight(channel: i32, weight: f64): void {
    store<f64>(this.weights + (<usize>channel << 3), weight);
  }

  /** Where the caller writes up to maxFrames samples of `channel` before calling process(). */
  input(channel: i32): usize {
    return load<usize>(this.buffers + <usize>channel * sizeof<usize>()) + (<usize>(TAPS - 1) << 2);
  }

  /** The oversampler's copy of `channel` (see sanitizePeakAndPrepare); only when oversampling. */
  private tpInput(channel: i32): usize {
    return load<usize>(this.tpBuffers + <usize>channel * sizeof<usize>()) + (<usize>(TAPS - 1) << 2);
  }

  /** Whether process() runs the oversampler. */
  private oversampled(): bool {
    return this.oversampling > 1 && this.truePeakEnabled;
  }

  /** Sanitises channel c, folds its sample peak into peakAt and, when oversampling, prepares its copy. */
  private sanitize(c: i32, frames: i32, peakAt: usize): i32 {
    return this.oversampled()
      ? sanitizePeakAndPrepare(this.input(c), frames, peakAt, this.tpInput(c))
      : sanitizeAndPeak(this.input(c), frames, peakAt);
  }

  /**
   * Turns the oversampler on or off (truePeakEnabled) mid-stream. Turned on again, the true and sample peaks
   * start afresh from the next block (the oversampler's history is cleared): a maximum over a stretch that was
   * not oversampled would not be a true peak. The loudness readings are not touched.
   */
  setTruePeak(on: bool): void {
    if (on == this.truePeakEnabled) return;
    this.truePeakEnabled = on;
    if (!on || this.oversampling == 1) return;
    const lanes = this.allocatedPairs * 2;
    for (let c = 0; c < lanes; c++) memory.fill(load<usize>(this.tpBuffers + <usize>c * sizeof<usize>()), 0, <usize>(TAPS - 1) << 2);
    memory.fill(this.truePeaks, 0, <usize>lanes * 16);
    memory.fill(this.samplePeaks, 0, <usize>lanes * 16);
  }

  reset(): void {
    const lanes = this.allocatedPairs * 2;
    const bufferBytes = <usize>(TAPS - 1 + this.maxFrames) << 2;
    for (let c = 0; c < lanes; c++) {
      memory.fill(load<usize>(this.buffers + <usize>c * sizeof<usize>()), 0, bufferBytes);
      if (this.oversampling > 1) memory.fill(load<usize>(this.tpBuffers + <usize>c * sizeof<usize>()), 0, bufferBytes);
    }
    memory.fill(this.filterState, 0, <usize>this.allocatedPairs * FILTER_STATE_BYTES);
    memory.fill(this.truePeaks, 0, <usize>lanes * 16);
    memory.fill(this.samplePeaks, 0, <usize>lanes * 16);
    memory.fill(this.ring, 0, <usize>this.ringLength << 3);
    memory.fill(this.rawRing, 0, <usize>this.ringLength << 3);
    memory.fill(this.slots, 0, <usize>SLOTS << 3);
    memory.fill(this.rawSlots, 0, <usize>SLOTS << 3);
    this.slotIndex = 0;
    this.ringIndex = 0;
    this.hopFill = 0;
    this.hopInStep = 0;
    this.hops = 0.0;
    this.gatedFromHop = 0.0;
    this.hopEnergy = 0.0;
    this.hopRawEnergy = 0.0;
    this.momentarySum = 0.0;
    this.shortTermSum = 0.0;
    this.rawShortTermSum = 0.0;
    this.momentaryError = 0.0;
    this.shortTermError = 0.0;
    this.rawShortTermError = 0.0;
    this.latestBlockPeak = 0.0;
    this.momentaryMaxSum = 0.0;
    this.shortTermMaxSum = 0.0;
    this.nonFiniteCount = 0.0;
    this.blocks.clear();
    this.shortTerms.clear();
  }

  /**
   * Forgets the integrated loudness and the loudness range (their gated histograms) only; the sliding windows,
   * maxima and peaks keep running. Used when the gain engine starts learning: I then means "since learning began",
   * so the first gating block (and short-term value for LRA) is the first whose window lies entirely after now.
   */
  resetIntegrated(): void {
    this.blocks.clear();
    this.shortTerms.clear();
    this.gatedFromHop = this.hops;
  }

  /** Meters `frames` (<= maxFrames) frames already written at input(c) for every active channel. */
  process(frames: i32): void {
    const channels = this.channels;
    if (this.blockPeakEnabled || (this.oversampling > 1 && this.truePeakEnabled)) {
      this.peaksWithBlockPeak(frames);
    } else {
      // No true peak to measure (off, or >= 192 kHz): the sample peaks alone.
      for (let c = 0; c < channels; c++) {
        this.nonFiniteCount += <f64>this.sanitize(c, frames, this.samplePeaks + (<usize>c << 4));
      }
    }
    // A padding channel (odd count) has weight 0, but a NaN left in it by a caller would poison its filter lane.
    if (channels & 1) memory.fill(this.input(channels), 0, <usize>frames << 2);
    let pos = 0;
    this.latestBlockEnergy = 0.0;
    this.latestBlockRawEnergy = 0.0;
    while (pos < frames) {
      let run = this.hop - this.hopFill;
      if (run > frames - pos) run = frames - pos;
      let e: f64 = 0.0;
      for (let p = 0; p < this.pairs; p++) e += this.filterPair(p, pos, run);
      this.hopEnergy += e;
      this.latestBlockEnergy += e;
      if (this.rmsEnabled) {
        let r: f64 = 0.0;
        for (let c = 0; c < channels; c++) {
          r += load<f64>(this.weights + (<usize>c << 3)) * rawSquares(this.input(c) + (<usize>pos << 2), run);
        }
        this.hopRawEnergy += r;
        this.latestBlockRawEnergy += r;
      }
      this.hopFill += run;
      pos += run;
      if (this.hopFill == this.hop) this.commitHop();
    }
    this.flushTinyStates();
    // Keep each channel's last TAPS-1 prepared samples in front of the next block for the oversampler. (With
    // true peak turned off they are not kept: turned on again, its first TAPS-1 outputs see an older tail.)
    if (this.oversampled()) {
      for (let c = 0; c < channels; c++) {
        const base = load<usize>(this.tpBuffers + <usize>c * sizeof<usize>());
        memory.copy(base, base + (<usize>frames << 2), <usize>(TAPS - 1) << 2);
      }
    }
  }

  /**
   * process()'s first step with the latest block's peak: each channel's peaks go to a zeroed scratch vector first
   * and are then folded into the running maxima, so the block's own peak comes without a second pass over the
   * samples. Also the path whenever true peak is measured: the block's sample peak decides whether a channel
   * may skip the oversampler (truePeakSkippable).
   */
  private peaksWithBlockPeak(frames: i32): void {
    const channels = this.channels;
    const scratch = this.blockPeakScratch;
    const zero = f32x4.splat(0.0);
    let blockPeak: f64 = 0.0; // f64: a true peak can exceed the f32 range (see truePeak)
    for (let c = 0; c < channels; c++) {
      v128.store(scratch, zero);
      this.nonFiniteCount += <f64>this.sanitize(c, frames, scratch);
      const at = this.samplePeaks + (<usize>c << 4);
      v128.store(at, f32x4.pmax(v128.load(at), v128.load(scratch)));
      const p32 = horizontalMax(scratch);
      store<f32>(this.blockSamplePeaks + (<usize>c << 2), p32);
      const p = <f64>p32;
      if (p > blockPeak) blockPeak = p;
    }
    if (this.oversampled()) {
      for (let c = 0; c < channels; c++) {
        const at = this.truePeaks + (<usize>c << 4);
        const floor = this.truePeakFloor(c);
        if (this.truePeakSkippable(c, floor)) continue;
        v128.store(scratch, zero);
        this.truePeakPartSkips += <f64>oversampledPeakBounded(this.tpInput(c), frames, this.tpCoef, scratch, this.tpGainBound, floor);
        v128.store(at, f32x4.pmax(v128.load(at), v128.load(scratch)));
        const p = <f64>horizontalMax(scratch) / <f64>TP_INPUT_SCALE;
        if (p > blockPeak) blockPeak = p;
      }
    }
    this.latestBlockPeak = this.blockPeakEnabled ? <f64>blockPeak : 0.0;
  }

  /**
   * What channel c's block may reach without changing a reading (scaled units, see truePeakSkippable): the
   * channel's true-peak maximum and, with blockPeakEnabled, at most blockPeakFloor. Taken once per block, for the
   * whole-block skip and for its parts.
   */
  private truePeakFloor(c: i32): f64 {
    // The channel's reading is the larger of its true-peak maximum and its sample peak (which already holds this
    // block's samples: sanitize ran first); the oversampler computes the fractional phases only.
    const tp = <f64>horizontalMax(this.truePeaks + (<usize>c << 4));
    const sp = <f64>horizontalMax(this.samplePeaks + (<usize>c << 4)) * <f64>TP_INPUT_SCALE;
    const floor = tp > sp ? tp : sp;
    const blockFloor = this.blockPeakFloor * <f64>TP_INPUT_SCALE;
    return this.blockPeakEnabled && blockFloor < floor ? blockFloor : floor;
  }

  /**
   * Whether channel c's block can skip the oversampler: its bound (truepeak.ts truePeakCannotExceed) is at or
   * below `floor` (truePeakFloor). Readings stay exact. The bound is taken on the oversampler's own prepared
   * copy (scaled by TP_INPUT_SCALE, tiny samples flushed), so it is compared in those units: truePeaks are
   * stored scaled, blockPeakFloor (linear) is scaled by truePeakFloor.
   */
  private truePeakSkippable(c: i32, floor: f64): bool {
    // A block whose samples are all below TP_FLUSH_BELOW reaches the oversampler as zeros (sanitize.ts).
    const raw = load<f32>(this.blockSamplePeaks + (<usize>c << 2));
    const bp = raw < TP_FLUSH_BELOW ? <f32>0.0 : raw * TP_INPUT_SCALE;
    if (!truePeakCannotExceed(this.tpInput(c), bp, this.tpGainBound, floor)) return false;
    this.truePeakSkips += 1.0;
    return true;
  }

  /**
   * K-weights channels 2p and 2p+1 together (one per f64x2 lane) over `run` frames from `pos`, and returns
   * their weighted sum of squares. Double precision: at high rates the 38 Hz high-pass poles sit within 1e-3 of
   * the unit circle, where single precision would add audible error.
   * (Squaring the unfiltered x here as well, for rmsShortTerm, slowed this loop by half: see rawSquares.)
   *
   * Direct form I, both biquads of BS.1770-5 Annex 1 (shared/reference/standards.md, "K-weighting"): y = b0 x + b1 x1 + b2 x2 - a2 y2
   * - a1 y1, z = y - 2 y1 + y2 - c2 z2 - c1 z1. Why this form: a recurrence's loop waits on its loop-carried
   * chain, and here everything but the last term of each line is known a sample ahead, so the chain from one
   * output to the next is one multiply and one subtraction, for both stages (the transposed form II used before
   * carried y through its second state, a chain of five operations over two samples). Same operation count;
   * readings move in the last bits (library meter without true peak, 128-frame pushes, alternated in one process:
   * about 15 % faster, README "Speed at scale", round 11).
   */
  private filterPair(p: i32, pos: i32, run: i32): f64 {
    const xa = this.input(2 * p) + (<usize>pos << 2);
    const xb = this.input(2 * p + 1) + (<usize>pos << 2);
    const k = this.kCoef;
    const b0 = f64x2.splat(load<f64>(k, 0));
    const b1 = f64x2.splat(load<f64>(k, 8));
    const b2 = f64x2.splat(load<f64>(k, 16));
    const a1 = f64x2.splat(load<f64>(k, 24));
    const a2 = f64x2.splat(load<f64>(k, 32));
    const c1 = f64x2.splat(load<f64>(k, 64));
    const c2 = f64x2.splat(load<f64>(k, 72));
    const st = this.filterState + <usize>p * FILTER_STATE_BYTES;
    let x1 = v128.load(st, 0);
    let x2 = v128.load(st, 16);
    let y1 = v128.load(st, 32);
    let y2 = v128.load(st, 48);
    let z1 = v128.load(st, 64);
    let z2 = v128.load(st, 80);
    let acc = f64x2.splat(0.0);
    for (let j = 0; j < run; j++) {
      const off = <usize>j << 2;
      const x = f64x2.promote_low_f32x4(f32x4.replace_lane(f32x4.splat(load<f32>(xa + off)), 1, load<f32>(xb + off)));
      // Stage 1, high shelf: all but a1 y1 from earlier samples.
      const ahead = f64x2.add(f64x2.add(f64x2.mul(b0, x), f64x2.mul(b1, x1)), f64x2.sub(f64x2.mul(b2, x2), f64x2.mul(a2, y2)));
      const y = f64x2.sub(ahead, f64x2.mul(a1, y1));
      // Stage 2, high-pass with b = 1, -2, 1: all but c1 z1 from y and earlier samples.
      const ahead2 = f64x2.sub(f64x2.add(f64x2.sub(y, y1), f64x2.sub(y2, y1)), f64x2.mul(c2, z2));
      const z = f64x2.sub(ahead2, f64x2.mul(c1, z1));
      acc = f64x2.add(acc, f64x2.mul(z, z));
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      z2 = z1;
      z1 = z;
    }
    // Stored as they are: flushTinyStates() runs after every pair is filtered (here, with the loop's registers
    // all in use, the same masking cost 0.6 ns per frame in the alternated runs).
    v128.store(st, x1, 0);
    v128.store(st, x2, 16);
    v128.store(st, y1, 32);
    v128.store(st, y2, 48);
    v128.store(st, z1, 64);
    v128.store(st, z2, 80);
    const w = this.weights + (<usize>p << 4);
    return load<f64>(w) * f64x2.extract_lane(acc, 0) + load<f64>(w, 8) * f64x2.extract_lane(acc, 1);
  }

  /**
   * Flushes filter outputs held as state (y1, y2, z1, z2 of every pair) below DENORMAL_FLOOR to 0, so that a
   * decaying tail never reaches the denormal range, where x86 arithmetic is slow. The inputs held (x1, x2) are
   * f32 samples, never denormal as f64.
   */
  private flushTinyStates(): void {
    const floor = f64x2.splat(DENORMAL_FLOOR);
    const end = this.filterState + <usize>this.pairs * FILTER_STATE_BYTES;
    for (let st = this.filterState; st < end; st += FILTER_STATE_BYTES) {
      for (let o: usize = 32; o < FILTER_STATE_BYTES; o += 16) {
        const v = v128.load(st + o);
        v128.store(st + o, v128.and(v, f64x2.ge(f64x2.abs(v), floor)));
      }
    }
  }

  /** One hop is complete: slide both windows, track maxima, and every 100 ms feed the gated histograms. */
  private commitHop(): void {
    const e = this.hopEnergy;
    const r = this.hopRawEnergy;
    this.hopEnergy = 0.0;
    this.hopRawEnergy = 0.0;
    this.hopFill = 0;
    const n = this.ringLength;
    const at = this.ringIndex;
    const leavingShort = load<f64>(this.ring + (<usize>at << 3));
    let m = at - this.momentaryHops;
    if (m < 0) m += n;
    const leavingMomentary = load<f64>(this.ring + (<usize>m << 3));
    store<f64>(this.ring + (<usize>at << 3), e);
    const rms = this.rmsEnabled;
    let leavingRaw: f64 = 0.0;
    if (rms) {
      leavingRaw = load<f64>(this.rawRing + (<usize>at << 3));
      store<f64>(this.rawRing + (<usize>at << 3), r);
    }
    this.ringIndex = at + 1 == n ? 0 : at + 1;
    this.hops += 1.0;
    // Running sums are O(1) per hop; they are recomputed exactly every 100 ms below so that rounding
    // can neither accumulate nor leave a residue after the signal stops, and at once whenever their rounding
    // bound grows past SUM_MAX_RELATIVE_ERROR of their value (cancellation after a much louder passage).
    const msOld = this.momentarySum;
    const ssOld = this.shortTermSum;
    const rsOld = this.rawShortTermSum;
    let ms = msOld + e - leavingMomentary;
    let ss = ssOld + e - leavingShort;
    let rs = rsOld + r - leavingRaw;
    let msErr = this.momentaryError + (msOld + e + leavingMomentary) * SUM_ROUNDING;
    let ssErr = this.shortTermError + (ssOld + e + leavingShort) * SUM_ROUNDING;
    let rsErr = this.rawShortTermError + (rsOld + r + leavingRaw) * SUM_ROUNDING;
    this.hopInStep++;
    if (this.hopInStep == this.hopsPer100ms) {
      // A slot is complete: its exact sum goes into the slot ring, and the windows are summed from the slots
      // (4 and 30 of them, not 4 Q and 30 Q hop energies: 1360 loads every 100 ms at 48 kHz, a stream through
      // 9.6 KB per meter that hundreds of engines in one scope do not keep in cache; issue 16).
      this.hopInStep = 0;
      const slot = this.slotIndex;
      store<f64>(this.slots + (<usize>slot << 3), this.sumRecent(this.ring, this.hopsPer100ms));
      if (rms) store<f64>(this.rawSlots + (<usize>slot << 3), this.sumRecent(this.rawRing, this.hopsPer100ms));
      this.slotIndex = slot + 1 == SLOTS ? 0 : slot + 1;
      ms = sumNewest(this.slots, SLOTS, this.slotIndex, MOMENTARY_SLOTS);
      ss = sumRun(this.slots, SLOTS);
      if (rms) rs = sumRun(this.rawSlots, SLOTS);
      msErr = 0.0;
      ssErr = 0.0;
      rsErr = 0.0;
      const gatedHops = this.hops - this.gatedFromHop;
      if (gatedHops >= <f64>this.momentaryHops) this.blocks.add(ms / this.momentaryFrames());
      if (gatedHops >= <f64>n) this.shortTerms.add(ss / this.shortTermFrames());
    }
    // (Hop energies are >= 0, so an exact sum is too; the error bounds are >= 0 and finite for finite input.)
    if (msErr > ms * SUM_MAX_RELATIVE_ERROR) {
      ms = this.sumRecent(this.ring, this.momentaryHops);
      msErr = 0.0;
    }
    if (ssErr > ss * SUM_MAX_RELATIVE_ERROR) {
      ss = this.sumRecent(this.ring, n);
      ssErr = 0.0;
    }
    if (rms && rsErr > rs * SUM_MAX_RELATIVE_ERROR) {
      rs = this.sumRecent(this.rawRing, n);
      rsErr = 0.0;
    }
    if (ms < 0.0) ms = 0.0;
    if (ss < 0.0) ss = 0.0;
    if (rs < 0.0) rs = 0.0;
    this.momentaryError = msErr;
    this.shortTermError = ssErr;
    this.rawShortTermError = rsErr;
    this.momentarySum = ms;
    this.shortTermSum = ss;
    this.rawShortTermSum = rs;
    if (ms > this.momentaryMaxSum) this.momentaryMaxSum = ms;
    if (ss > this.shortTermMaxSum) this.shortTermMaxSum = ss;
  }

  /** Exact sum of the `count` most recent hop energies of `ring` (the K-weighted or the raw one). */
  private sumRecent(ring: usize, count: i32): f64 {
    return sumNewest(ring, this.ringLength, this.ringIndex, count);
  }

  private momentaryFrames(): f64 {
    return <f64>this.momentaryHops * <f64>this.hop;
  }

  private shortTermFrames(): f64 {
    return <f64>this.ringLength * <f64>this.hop;
  }

  momentary(): f64 {
    return energyToLufs(this.momentarySum / this.momentaryFrames());
  }

  shortTerm(): f64 {
    return energyToLufs(this.shortTermSum / this.shortTermFrames());
  }

  momentaryMax(): f64 {
    return energyToLufs(this.momentaryMaxSum / this.momentaryFrames());
  }

  shortTermMax(): f64 {
    return energyToLufs(this.shortTermMaxSum / this.shortTermFrames());
  }

  integrated(): f64 {
    return energyToLufs(this.blocks.gatedMeanEnergy(INTEGRATED_GATE_LU));
  }

  loudnessRange(): f64 {
    return this.shortTerms.range(RANGE_GATE_LU);
  }

  /** Linear sample peak of a channel. */
  samplePeak(channel: i32): f64 {
    return <f64>horizontalMax(this.samplePeaks + (<usize>channel << 4));
  }

  /**
   * Linear true peak of a channel. Never below the sample peak: phase 0 of the oversampler is the input itself,
   * but the newest DELAY samples of the stream have not been through it yet.
   */
  truePeak(channel: i32): f64 {
    const sp = this.samplePeak(channel);
    if (this.oversampling == 1) return sp;
    // In f64: the oversampler's scaled maximum times 4 may exceed the f32 range (a full-range square wave).
    const tp = <f64>horizontalMax(this.truePeaks + (<usize>channel << 4)) / <f64>TP_INPUT_SCALE;
    return tp > sp ? tp : sp;
  }

  nonFinite(): f64 {
    return this.nonFiniteCount;
  }

  /**
   * Linear peak of the latest process() call alone, over the active channels: the true peak (oversampler
   * output, or the sample peak where that is higher) or, with true peak off or at >= 192 kHz, the sample peak.
   * The oversampler lags DELAY samples, so its part covers the block shifted by that much. 0 after reset() and
   * whenever blockPeakEnabled is off.
   */
  lastBlockPeak(): f64 {
    return this.latestBlockPeak;
  }

  /**
   * The latest process() call's K-weighted energy: the sum over its frames of the channel-weighted squares
   * (BS.1770-5 eq. 2 before the mean and the log), so -0.691 + 10 log10(E / frames) is the block's loudness. The
   * gain engine's first estimate after a start is built from these (dsp/gain-law.ts).
   */
  lastBlockEnergy(): f64 {
    return this.latestBlockEnergy;
  }

  /** lastBlockEnergy() without the K-filter (the rms detector's measure); 0 unless rmsEnabled. */
  lastBlockRawEnergy(): f64 {
    return this.latestBlockRawEnergy;
  }

  /**
   * Unweighted short-term loudness: the same channel weights and 3 s window as shortTerm(), without the
   * K-filter, -0.691 + 10 log10(sum of weighted mean squares) (so a 997 Hz sine, where the K-filter's gain is
   * +0.691 dB, reads 0.69 LU below its short-term loudness). -Infinity for silence.
   */
  rmsShortTerm(): f64 {
    return energyToLufs(this.rawShortTermSum / this.shortTermFrames());
  }

  /** Hops metered since the last reset() (a hop is `hop` frames; Q hops make 100 ms). */
  hopsSinceReset(): f64 {
    return this.hops;
  }

  /** True once the momentary window (400 ms) holds audio metered since the last reset only. */
  momentaryReady(): bool {
    return this.hops >= <f64>this.momentaryHops;
  }

  /** True once the short-term window (3 s) holds audio metered since the last reset only. */
  shortTermReady(): bool {
    return this.hops >= <f64>this.ringLength;
  }

  /**
   * Short-term loudness over the part of the 3 s window filled since reset (the full window once it is).
   * shortTerm() divides by the whole window, as a meter's display must; a gain engine comparing two meters
   * that started at different times needs the mean over what each has actually seen. -Infinity before the
   * first hop.
   */
  shortTermSoFar(): f64 {
    const filled = this.filledShortTermFrames();
    return filled > 0.0 ? energyToLufs(this.shortTermSum / filled) : -Infinity;
  }

  /** rmsShortTerm() over the part of the window filled since reset (see shortTermSoFar). */
  rmsShortTermSoFar(): f64 {
    const filled = this.filledShortTermFrames();
    return filled > 0.0 ? energyToLufs(this.rawShortTermSum / filled) : -Infinity;
  }

  private filledShortTermFrames(): f64 {
    const n = <f64>this.ringLength;
    return (this.hops < n ? this.hops : n) * <f64>this.hop;
  }
}
