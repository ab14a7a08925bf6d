/**
 * Passive latency detection: how many frames this instance's input lags the reference, found from the programme
 * itself (no test tones) by a generalised cross-correlation with phase transform (GCC-PHAT; Knapp & Carter,
 * "The generalized correlation method for estimation of time delay", IEEE Trans. ASSP 24(4), 1976). PHAT divides
 * the cross-spectrum by its magnitude, so every frequency band votes with its phase alone: the correlation of a
 * pure delay becomes a sharp spike whatever the programme's spectrum, and an EQ or a compressor (which change
 * magnitudes far more than phases) barely move it.
 *
 * Two stages, so that a 0..1000 ms search stays cheap in memory and work at any sample rate:
 *  1. coarse: both signals decimated by D = round(fs / 8000) (boxcar means, ~8 kHz), 16384-point transforms:
 *     each frame correlates the last ~1.05 s of input with the last ~2.05 s of reference (lags 0..1 s, no
 *     circular wrap), the cross-spectra are averaged over frames with a forgetting factor (a latency that
 *     changes is followed within a few frames), and the peak is refined by a parabola;
 *  2. fine: at full rate around the coarse peak (+-2D + 4 frames), FINE_BLOCKS blocks of ~8 k frames spread
 *     over the coarse frame's input window, 8192-point transforms: the exact frame.
 * A frame starts every ~0.52 s of programme; its work (transforms, spectra, peak search) is spread over the
 * following render quanta, at most WORK_PER_FRAME units (butterflies or samples) per frame pushed, so no call
 * does more than a bounded slice (~6 k units per 128-frame quantum, tens of microseconds).
 *
 * Confidence (0..1): 1 - (highest correlation value more than NEIGHBOURHOOD coarse lags from the peak) / peak,
 * and the same at full rate in the fine window (FINE_NEIGHBOURHOOD frames), the smaller of the two.
 * Uncorrelated signals give a peak hardly above the rest (confidence near 0), steady unrelated tones a fine
 * correlation that is flat around its top, silence no frame at all.
 *
 * Decision: an estimate is `stable` when it is confident (>= CONFIDENT) and the previous estimate was too and
 * agrees within +-1 frame; the engine applies only stable estimates.
 *
 * Resting (issue 16): with `watchEnabled` (the gain engine sets it), once an estimate is stable and the latest
 * estimate confirms it, the detector rests: push() keeps filling the rings but starts no frame, and a
 * LatencyWatch (dsp/latency-watch.ts) checks, for a few operations per sample, that the reference delayed by the
 * applied latency still lines up with the input. When it does not (or every REVERIFY_SECONDS), the detector
 * starts again from its full rings, forgetting its averaged spectrum so that a new latency needs no more frames
 * than a first one; it rests again when two new estimates have confirmed the (possibly new) stable estimate.
 * Programme on which no latency can be told (steady tones; an effect that scrambles phase) never gives a
 * confident estimate, so two more ways to rest: after two unconfident estimates when the applied latency lines
 * up anyway (watch correlation >= ALIGNED_REST: nothing says it is wrong), and after UNSURE_ESTIMATES
 * unconfident ones in any case, re-verifying then after UNSURE_REVERIFY_SECONDS, doubled after each unsure
 * rest in a row up to REVERIFY_SECONDS: a programme that never tells a latency (or a match instance whose input
 * runs ahead of the reference it reads: a negative delay, which no latency can fix) then costs less and less,
 * while a chain change the watch sees still wakes it at once.
 *
 * While resting only the full-rate rings are filled (two block copies per push); the decimated rings, which
 * would cost a sum per sample, are made again from them when the detector wakes (D_REBUILD, spread over the
 * work budget of the next few blocks: the same sums in the same order, so the same values to the bit).
 * The reference's full-rate ring is filled from the watch's aligned reference then, `lag` frames behind (the
 * aligned reference is the unaligned one delayed by the applied latency, and the watch needs its mono mix
 * anyway), so the gain engine stages no unaligned reference and the processor copies none out of the link
 * ring while the detector rests (engine-abi engineLatencyActivity): that staging was about a quarter of a
 * resting detector's cost (headless host, 128 match engines: 2.48 / 2.52 -> 2.32 / 2.39 µs per engine per
 * quantum, round 12). With more than two reference channels the aligned mix takes them all, the unaligned one
 * the first two (the detector is scale-free, and a rest only follows a confirmed latency). Waking, the
 * unaligned feed starts again at the newest frame and the aligned one fills the last `lag` frames behind it
 * (`filling`: lag frames of programme, none for a latency of 0); then the rings hold what a detector that never
 * rested would hold (dsp/tests/latency-watch.test.ts compares them to the bit), and the wake goes on as before.
 *
 * Memory: everything is allocated in the constructor (~2.1 MB at 48 kHz, ~2.6 MB at 96 kHz); push() and work()
 * never allocate.
 */
import { Fft } from './fft';
import { LatencyWatch, REVERIFY_SECONDS, UNSURE_REVERIFY_SECONDS } from './latency-watch';
import { coldAlloc } from './cold-memory';

/** The largest latency searched, s (the `latency` parameter's range). */
export const MAX_LATENCY_SECONDS: f64 = 1.0;
/** Target rate of the coarse stage, Hz: speech and music keep most of their phase information below 4 kHz. */
const COARSE_RATE: f64 = 8000.0;
const COARSE_N: i32 = 16384;
const FINE_N: i32 = 8192;
/** Fine blocks per estimate, spread evenly over the coarse frame's input window (a pause in speech or a break
 * in the music then cannot take all of them). */
const FINE_BLOCKS: i32 = 4;
/** Weight of the older cross-spectra per coarse frame: a new latency dominates after two or three frames. */
const FORGET: f64 = 0.5;
/** PHAT regularisation: bins are divided by |G| + REG * mean|G|, so empty bands do not add noise. */
const REG: f64 = 0.01;
/** Coarse lags around the peak excluded from the "next highest" search (the peak's own width). */
const NEIGHBOURHOOD: i32 = 4;
/** Full-rate lags around the fine peak excluded from its "next highest" search. */
const FINE_NEIGHBOURHOOD: i32 = 3;
/** An estimate is confident at or above this confidence (uncorrelated programmes read 0..0.3, matched ones 0.44..0.98 in dsp/tests/latency.test.ts). */
export const CONFIDENT: f64 = 0.36;
/** Work units allowed per frame pushed. */
const WORK_PER_FRAME: i32 = 48;
/** Unconfident estimates after which the detector rests anyway (about 2 s of programme). */
const UNSURE_ESTIMATES: i32 = 4;
/** Watch correlation at the applied latency at which two unconfident estimates are enough to rest. */
const ALIGNED_REST: f64 = 0.8;
/** A coarse frame whose input or reference mean square is below this (-100 dBFS) is skipped: silence. */
const SILENT_MEAN_SQUARE: f64 = 1e-10;

// Work phases.
const IDLE: i32 = 0;
const C_LOAD: i32 = 1;
const C_FFT: i32 = 2;
const C_ACCUM: i32 = 3;
const C_WEIGHT: i32 = 4;
const C_IFFT: i32 = 5;
const C_PEAK: i32 = 6;
const C_SECOND: i32 = 7;
const F_LOAD: i32 = 8;
const F_FFT: i32 = 9;
const F_ACCUM: i32 = 10;
const F_WEIGHT: i32 = 11;
const F_IFFT: i32 = 12;
const F_PEAK: i32 = 13;
/** After a rest: the decimated rings are made again from the full-rate ones (see "Resting"). */
const D_REBUILD: i32 = 14;

function nextPow2(x: i32): i32 {
  let c = 1;
  while (c < x) c <<= 1;
  return c;
}

function allocF32(n: i32): usize {
  const p = coldAlloc(<usize>n << 2);
  memory.fill(p, 0, <usize>n << 2);
  return p;
}

function allocF64(n: i32): usize {
  const p = coldAlloc(<usize>n << 3);
  memory.fill(p, 0, <usize>n << 3);
  return p;
}

export class LatencyDetector {
  readonly sampleRate: f64;
  /** Decimation factor of the coarse stage. */
  readonly factor: i32;
  /** Largest latency searched, frames. */
  readonly maxLag: i32;

  /** The latest estimate, frames (-1 before the first). */
  detected: i32 = -1;
  /** Its confidence, 0..1. */
  confidence: f64 = 0.0;
  /** The latest stable estimate (confident and repeated), frames; -1 before the first. */
  stable: i32 = -1;
  /** Estimates made (frames that were not silent), for tests and diagnostics. */
  estimates: i32 = 0;
  /** Largest block push() takes. */
  readonly maxFrames: i32;
  /** Whether the detector may rest once stable (see "Resting"); off by default (tests of the detector alone). */
  watchEnabled: bool = false;
  /** Whether it is resting now. */
  resting: bool = false;
  /** Woken, and filling the reference ring's last `lag` frames from the aligned feed before it starts again. */
  filling: bool = false;
  /**
   * Frames the watch's aligned reference lags the unaligned one (the applied latency): the caller sets it
   * before each push(). While resting the reference ring is filled from the aligned reference this far back.
   */
  lag: i32 = 0;
  /** While filling: the first frame the unaligned feed wrote again after the rest. */
  private gapEnd: i64 = 0;
  /** Times it started again after resting (for tests and diagnostics). */
  wakes: i32 = 0;
  /** The watch; the caller writes the aligned reference (mono) to watch.aligned while resting. */
  readonly watch: LatencyWatch;
  /** `estimates` when it last started again: it rests again after two more (one when only confirming). */
  private estimatesAtWake: i32 = 0;
  /** Unsure rests in a row (each doubles the next unsure re-verification's wait). */
  private unsureRests: i32 = 0;
  private confirming: bool = false;
  /** Staging buffers, maxFrames mono f32 each: the caller writes the input and the unaligned reference here. */
  readonly input: usize;
  readonly reference: usize;
  /**
   * A second staging buffer for the gain engine: the unaligned reference's second channel, which it mixes into
   * `reference` before push() (the detector itself reads only `reference`).
   */
  readonly referenceB: usize;

  // Rings (f32, power-of-two sizes), indexed by absolute frame (full rate) or decimated sample.
  private refF: usize;
  private inF: usize;
  private maskRefF: i64;
  private maskInF: i64;
  private refD: usize;
  private inD: usize;
  private maskD: i64;
  private writeF: i64 = 0;
  private writeD: i64 = 0;
  /** The next decimated sample D_REBUILD makes. */
  private rebuildAt: i64 = 0;
  private sumRef: f64 = 0.0;
  private sumIn: f64 = 0.0;
  private sumCount: i32 = 0;
  private sinceFrame: i32 = 0;

  // Coarse stage.
  private coarse: Fft = new Fft(COARSE_N);
  private gRe: usize;
  private gIm: usize;
  private coarseLags: i32; // Lc: lags 0..Lc held in a transform
  private coarseMaxLag: i32; // lags searched: 0..floor(maxLag / factor)
  private coarseW: i32; // input frames per coarse transform
  /** Hann windows of coarseW and fineW points (f64), shared by the detectors of a module (hannWindow). */
  private coarseWindow: usize = 0;
  private fineWindow: usize = 0;
  private hop: i32; // decimated samples between coarse frames
  private hasSpectrum: bool = false;

  // Fine stage.
  private fine: Fft = new Fft(FINE_N);
  private fRe: usize;
  private fIm: usize;
  private fineRange: i32; // R: lags c-R..c+R
  private fineW: i32;
  private fineBase: i32 = 0; // d0: the lag at fine index 0
  private fineStride: i32 = 0; // frames between the ends of consecutive fine blocks

  // Work state.
  private phase: i32 = IDLE;
  private pos: i32 = 0;
  private block: i32 = 0;
  private snapD: i64 = 0;
  private snapF: i64 = 0;
  private eRef: f64 = 0.0;
  private eIn: f64 = 0.0;
  private gAbsSum: f64 = 0.0;
  private peakValue: f64 = 0.0;
  private peakIndex: i32 = 0;
  private secondValue: f64 = 0.0;
  private frameConfidence: f64 = 0.0;
  private lastEstimate: i32 = -1;
  private lastConfident: bool = false;

  /**
   * `staging`: four buffers of `stagingFrames` (>= maxFrames) f32 to use as input, reference, referenceB and the
   * watch's aligned reference (the gain engine's, shared by every engine of the instance: dsp/block-scratch.ts);
   * 0 allocates the detector's own.
   */
  constructor(sampleRate: f64, maxFrames: i32, staging: usize = 0, stagingFrames: i32 = 0) {
    this.sampleRate = sampleRate;
    this.maxFrames = maxFrames;
    if (staging != 0) {
      const stride = <usize>stagingFrames << 2;
      this.input = staging;
      this.reference = staging + stride;
      this.referenceB = staging + 2 * stride;
      this.watch = new LatencyWatch(sampleRate, maxFrames, staging + 3 * stride);
    } else {
      this.input = allocF32(maxFrames);
      this.reference = allocF32(maxFrames);
      this.referenceB = allocF32(maxFrames);
      this.watch = new LatencyWatch(sampleRate, maxFrames);
    }
    const d = <i32>Math.max(1.0, Math.round(sampleRate / COARSE_RATE));
    this.factor = d;
    this.maxLag = <i32>Math.ceil(sampleRate * MAX_LATENCY_SECONDS);
    this.coarseMaxLag = this.maxLag / d;
    this.coarseLags = this.coarseMaxLag + NEIGHBOURHOOD + 2;
    this.coarseW = COARSE_N - this.coarseLags;
    this.hop = this.coarseW >> 1;
    this.fineRange = 2 * d + 4;
    this.fineW = FINE_N - 2 * this.fineRange;
    this.coarseWindow = hannWindow(this.coarseW);
    this.fineWindow = hannWindow(this.fineW);
    // Rings: what a frame reads, plus what arrives while its work is spread out (with room).
    const span = this.coarseW * d; // full-rate frames of a coarse frame's input window
    this.fineStride = (span - this.fineW) / (FINE_BLOCKS - 1);
    const capF = nextPow2(this.maxLag + span + 4 * FINE_N + 16384);
    const capIn = nextPow2(span + 4 * FINE_N + 16384);
    const capD = nextPow2(2 * COARSE_N);
    this.refF = allocF32(capF);
    this.inF = allocF32(capIn);
    this.maskRefF = <i64>(capF - 1);
    this.maskInF = <i64>(capIn - 1);
    this.refD = allocF32(capD);
    this.inD = allocF32(capD);
    this.maskD = <i64>(capD - 1);
    this.gRe = allocF64(COARSE_N);
    this.gIm = allocF64(COARSE_N);
    this.fRe = allocF64(FINE_N);
    this.fIm = allocF64(FINE_N);
  }

  /** Forgets everything (rings, spectra, estimates). Not for the audio path's steady state (clears ~1 MB). */
  reset(): void {
    memory.fill(this.refF, 0, <usize>(this.maskRefF + 1) << 2);
    memory.fill(this.inF, 0, <usize>(this.maskInF + 1) << 2);
    memory.fill(this.refD, 0, <usize>(this.maskD + 1) << 2);
    memory.fill(this.inD, 0, <usize>(this.maskD + 1) << 2);
    memory.fill(this.gRe, 0, <usize>COARSE_N << 3);
    memory.fill(this.gIm, 0, <usize>COARSE_N << 3);
    this.writeF = 0;
    this.writeD = 0;
    this.rebuildAt = 0;
    this.sumRef = 0.0;
    this.sumIn = 0.0;
    this.sumCount = 0;
    this.sinceFrame = 0;
    this.hasSpectrum = false;
    this.phase = IDLE;
    this.detected = -1;
    this.confidence = 0.0;
    this.stable = -1;
    this.estimates = 0;
    this.lastEstimate = -1;
    this.lastConfident = false;
    this.resting = false;
    this.filling = false;
    this.gapEnd = 0;
    this.estimatesAtWake = 0;
    this.unsureRests = 0;
    this.confirming = false;
    this.watch.reset();
  }

  /**
   * Starts again after resting, from the full rings: the averaged spectrum and the last estimate are forgotten
   * (the stable estimate stays until a new one is confirmed), and a frame starts at the next push.
   */
  private wake(): void {
    this.resting = false;
    // The decimated rings stood still while resting: they continue from the full-rate position, and the
    // samples a coarse frame reads are made again from the full-rate rings first (D_REBUILD).
    const d = <i64>this.factor;
    const target = this.writeF / d;
    let sumIn: f64 = 0.0;
    let sumRef: f64 = 0.0;
    for (let f = target * d; f < this.writeF; f++) {
      sumIn += <f64>load<f32>(this.inF + (<usize>(f & this.maskInF) << 2));
      sumRef += <f64>load<f32>(this.refF + (<usize>(f & this.maskRefF) << 2));
    }
    this.sumIn = sumIn;
    this.sumRef = sumRef;
    this.sumCount = <i32>(this.writeF - target * d);
    this.writeD = target;
    const from = target - <i64>COARSE_N;
    this.rebuildAt = from > 0 ? from : 0;
    this.phase = D_REBUILD;
    this.wakes++;
    this.estimatesAtWake = this.estimates;
    this.sinceFrame = this.hop;
    // The averaged spectrum is forgotten either way (a new latency then needs no more frames than a first one).
    // A re-verification only confirms: one new confident estimate that agrees with the stable one is enough. A
    // drop of the correlation means the chain changed: the last estimate is forgotten too, two new ones must
    // agree.
    this.hasSpectrum = false;
    this.confirming = !this.watch.dropped && this.stable >= 0;
    if (this.watch.dropped) this.unsureRests = 0;
    this.lastEstimate = this.confirming ? this.stable : -1;
    this.lastConfident = this.confirming;
  }

  /**
   * Takes `frames` (1..maxFrames) frames of the input and of the unaligned reference (mono f32, finite) from the
   * staging buffers, then does a bounded slice of the pending work. While resting it only fills the rings, and
   * with `alignedValid` (watch.aligned holds the reference at the applied latency) lets the watch decide whether
   * to start again.
   */
  push(frames: i32, alignedValid: bool = false): void {
    const input = this.input;
    const reference = this.reference;
    // Full rate: block copies into the two rings (each wraps at most once per block). The reference comes from
    // the unaligned staging when awake, from the aligned one (lag frames back) while resting (see "Resting").
    copyIntoRing(this.inF, this.maskInF, this.writeF, input, frames);
    if (!this.resting) copyIntoRing(this.refF, this.maskRefF, this.writeF, reference, frames);
    if (this.resting || this.filling) this.feedAligned(frames, alignedValid);
    this.writeF += <i64>frames;
    if (!this.resting && !this.filling) this.decimate(frames);
    if (this.resting) {
      if (!this.watch.update(input, frames, alignedValid)) return;
      // The unaligned feed starts again with the next block; the last lag frames before it come from the
      // aligned feed first.
      this.resting = false;
      this.filling = true;
      this.gapEnd = this.writeF;
    }
    if (this.filling) {
      if (this.writeF - <i64>this.lag < this.gapEnd) return;
      this.filling = false;
      this.wake();
    } else if (this.watchEnabled) {
      this.watch.measure(input, frames, alignedValid);
    }
    this.work(frames * WORK_PER_FRAME);
    if (!this.watchEnabled || this.phase != IDLE) return;
    const fresh = this.estimates - this.estimatesAtWake;
    if (fresh < (this.confirming ? 1 : 2)) return;
    if (this.lastConfident) {
      this.unsureRests = 0;
      if (this.stable >= 0 && this.lastEstimate == this.stable) this.rest(REVERIFY_SECONDS);
    } else if (this.watch.correlation >= ALIGNED_REST) {
      this.rest(REVERIFY_SECONDS);
    } else if (fresh >= UNSURE_ESTIMATES) {
      // 10, 20, 40 s ... up to REVERIFY_SECONDS between unsure re-verifications (see the file comment).
      let wait = UNSURE_REVERIFY_SECONDS;
      for (let k = 0; k < this.unsureRests && wait < REVERIFY_SECONDS; k++) wait *= 2.0;
      this.unsureRests++;
      this.rest(wait < REVERIFY_SECONDS ? wait : REVERIFY_SECONDS);
      return;
    }
  }

  /**
   * The decimated rings: the mean of each run of `factor` frames of the block just pushed (a run may span
   * blocks: sumIn / sumRef / sumCount carry it). Decimated sample k is the mean of full-rate frames
   * [k factor, (k + 1) factor), summed in frame order from 0.
   */
  private decimate(frames: i32): void {
    const input = this.input;
    const reference = this.reference;
    const d = this.factor;
    const inv = 1.0 / <f64>d;
    let i = 0;
    while (i < frames) {
      const need = d - this.sumCount; // frames that complete the current run
      const end = need < frames - i ? i + need : frames;
      let sumIn = this.sumIn;
      let sumRef = this.sumRef;
      for (let j = i; j < end; j++) {
        sumIn += <f64>load<f32>(input + (<usize>j << 2));
        sumRef += <f64>load<f32>(reference + (<usize>j << 2));
      }
      this.sumCount += end - i;
      i = end;
      if (this.sumCount == d) {
        const at = <usize>(this.writeD & this.maskD) << 2;
        store<f32>(this.inD + at, <f32>(sumIn * inv));
        store<f32>(this.refD + at, <f32>(sumRef * inv));
        this.writeD++;
        this.sinceFrame++;
        sumIn = 0.0;
        sumRef = 0.0;
        this.sumCount = 0;
      }
      this.sumIn = sumIn;
      this.sumRef = sumRef;
    }
  }

  /**
   * Remakes decimated samples [rebuildAt, writeD) from the full-rate rings (after a rest), at most `budget`
   * units (one per full-rate frame summed); returns the units used.
   */
  private rebuild(budget: i32): i32 {
    const d = this.factor;
    const inv = 1.0 / <f64>d;
    const inputFrom = this.writeD - <i64>this.coarseW; // the input's decimated ring is read this far back only
    let k = this.rebuildAt;
    let used = 0;
    while (k < this.writeD && used < budget) {
      const f0 = k * <i64>d;
      let sumRef: f64 = 0.0;
      for (let j = 0; j < d; j++) sumRef += <f64>load<f32>(this.refF + (<usize>((f0 + <i64>j) & this.maskRefF) << 2));
      const at = <usize>(k & this.maskD) << 2;
      store<f32>(this.refD + at, <f32>(sumRef * inv));
      if (k >= inputFrom) {
        let sumIn: f64 = 0.0;
        for (let j = 0; j < d; j++) sumIn += <f64>load<f32>(this.inF + (<usize>((f0 + <i64>j) & this.maskInF) << 2));
        store<f32>(this.inD + at, <f32>(sumIn * inv));
      }
      used += 2 * d;
      k++;
    }
    this.rebuildAt = k;
    if (k >= this.writeD) this.phase = IDLE;
    return used > 0 ? used : 1;
  }

  /**
   * The decimated reference (input false) or input (true) sample `back` (1..) samples before the newest, as the
   * coarse stage would read it (tests: the rings made again after a rest equal the streamed ones).
   */
  decimatedAt(back: i32, input: bool): f32 {
    const k = this.writeD - <i64>back;
    if (k < 0 || back > COARSE_N) return 0.0;
    return load<f32>((input ? this.inD : this.refD) + (<usize>(k & this.maskD) << 2));
  }

  /**
   * The aligned reference of this block (watch.aligned, or silence without one) into the reference ring at the
   * frames it stands for, lag frames back; while filling only those before gapEnd (the unaligned feed wrote the
   * rest). Frames before 0 are left out.
   */
  private feedAligned(frames: i32, valid: bool): void {
    let at = this.writeF - <i64>this.lag;
    let n = frames;
    let src = this.watch.aligned;
    if (!valid) {
      memory.fill(src, 0, <usize>frames << 2);
    }
    if (at < 0) {
      const skip = <i32>(at < -<i64>n ? -<i64>n : -at);
      src += <usize>skip << 2;
      n -= skip;
      at = 0;
    }
    if (this.filling && at + <i64>n > this.gapEnd) n = <i32>(this.gapEnd - at);
    if (n > 0) copyIntoRing(this.refF, this.maskRefF, at, src, n);
  }

  private rest(reverifySeconds: f64): void {
    this.resting = true;
    this.watch.begin(reverifySeconds);
  }

  /** Whether a frame's work is under way (for tests). */
  get busy(): bool {
    return this.phase != IDLE;
  }

  /** Does at most `budget` units of pending work. */
  work(budget: i32): void {
    let left = budget;
    while (left > 0) {
      const p = this.phase;
      if (p == IDLE) {
        if (this.sinceFrame < this.hop) return;
        this.sinceFrame = 0;
        this.snapD = this.writeD;
        this.phase = C_LOAD;
        this.pos = 0;
        this.eRef = 0.0;
        this.eIn = 0.0;
        continue;
      }
      if (p == D_REBUILD) left -= this.rebuild(left);
      else if (p == C_LOAD) left -= this.coarseLoad(left);
      else if (p == C_FFT) {
        left -= this.coarse.step(left);
        if (this.coarse.done) this.next(C_ACCUM);
      } else if (p == C_ACCUM) left -= this.coarseAccumulate(left);
      else if (p == C_WEIGHT) left -= this.weight(this.coarse, this.gRe, this.gIm, COARSE_N, left, C_IFFT);
      else if (p == C_IFFT) {
        left -= this.coarse.step(left);
        if (this.coarse.done) {
          this.next(C_PEAK);
          this.peakValue = -Infinity;
          this.peakIndex = 0;
        }
      } else if (p == C_PEAK) left -= this.coarsePeak(left);
      else if (p == C_SECOND) left -= this.coarseSecond(left);
      else if (p == F_LOAD) left -= this.fineLoad(left);
      else if (p == F_FFT) {
        left -= this.fine.step(left);
        if (this.fine.done) this.next(F_ACCUM);
      } else if (p == F_ACCUM) left -= this.fineAccumulate(left);
      else if (p == F_WEIGHT) left -= this.weight(this.fine, this.fRe, this.fIm, FINE_N, left, F_IFFT);
      else if (p == F_IFFT) {
        left -= this.fine.step(left);
        if (this.fine.done) {
          this.next(F_PEAK);
          this.peakValue = -Infinity;
          this.peakIndex = 0;
        }
      } else if (p == F_PEAK) left -= this.finePeak(left);
      else this.phase = IDLE;
    }
  }

  private next(phase: i32): void {
    this.phase = phase;
    this.pos = 0;
  }

  // ---- coarse stage ----

  /**
   * re[i] = reference at decimated time t - W - Lc + i (i < N); im[j] = input at t - W + j - Lc for j in
   * [Lc, N), 0 below: their circular cross-correlation at k in 0..Lc is the linear one at lag k (no wrap).
   */
  private coarseLoad(budget: i32): i32 {
    const n = COARSE_N;
    const lc = this.coarseLags;
    const t0 = this.snapD - <i64>(this.coarseW + lc);
    const re = this.coarse.re;
    const im = this.coarse.im;
    let i = this.pos;
    const end = i + budget < n ? i + budget : n;
    for (; i < end; i++) {
      const t = t0 + <i64>i;
      const r: f64 = t >= 0 ? <f64>load<f32>(this.refD + (<usize>(t & this.maskD) << 2)) : 0.0;
      let x: f64 = 0.0;
      if (i >= lc && t >= 0) x = <f64>load<f32>(this.inD + (<usize>(t & this.maskD) << 2)) * load<f64>(this.coarseWindow + (<usize>(i - lc) << 3));
      store<f64>(re + (<usize>i << 3), r);
      store<f64>(im + (<usize>i << 3), x);
      this.eRef += r * r;
      this.eIn += x * x;
    }
    const used = end - this.pos;
    this.pos = end;
    if (end == n) {
      const silent = this.eRef < SILENT_MEAN_SQUARE * <f64>n || this.eIn < SILENT_MEAN_SQUARE * <f64>this.coarseW;
      if (silent) this.phase = IDLE;
      else {
        this.coarse.begin(false);
        this.next(C_FFT);
      }
    }
    return used > 0 ? used : 1;
  }

  /** G = FORGET * G + Y conj(X), X and Y separated from Z = FFT(x + i y); sums |G| for the regularisation. */
  private coarseAccumulate(budget: i32): i32 {
    const used = accumulate(this.coarse, this.gRe, this.gIm, COARSE_N, this.pos, budget, this.hasSpectrum ? FORGET : 0.0, this);
    this.pos += used;
    if (this.pos > COARSE_N >> 1) {
      this.hasSpectrum = true;
      this.next(C_WEIGHT);
    }
    return used > 0 ? used : 1;
  }

  /** Writes G[k] / (|G[k]| + REG mean|G|) into the transform's buffers and arms the inverse transform. */
  private weight(fft: Fft, gRe: usize, gIm: usize, n: i32, budget: i32, nextPhase: i32): i32 {
    const eps = (REG * this.gAbsSum) / <f64>n + 1e-300;
    let k = this.pos;
    const end = k + budget < n ? k + budget : n;
    for (; k < end; k++) {
      const o = <usize>k << 3;
      const a = load<f64>(gRe + o);
      const b = load<f64>(gIm + o);
      const s = 1.0 / (Math.sqrt(a * a + b * b) + eps);
      store<f64>(fft.re + o, a * s);
      store<f64>(fft.im + o, b * s);
    }
    const used = end - this.pos;
    this.pos = end;
    if (end == n) {
      fft.begin(true);
      this.next(nextPhase);
    }
    return used > 0 ? used : 1;
  }

  /** The largest correlation value at lags 0..coarseMaxLag. */
  private coarsePeak(budget: i32): i32 {
    const re = this.coarse.re;
    const last = this.coarseMaxLag;
    let k = this.pos;
    const end = k + budget < last + 1 ? k + budget : last + 1;
    for (; k < end; k++) {
      const v = load<f64>(re + (<usize>k << 3));
      if (v > this.peakValue) {
        this.peakValue = v;
        this.peakIndex = k;
      }
    }
    const used = end - this.pos;
    this.pos = end;
    if (end == last + 1) {
      this.secondValue = 0.0;
      this.next(C_SECOND);
    }
    return used > 0 ? used : 1;
  }

  /** The largest value more than NEIGHBOURHOOD lags from the peak; then the confidence and the fine window. */
  private coarseSecond(budget: i32): i32 {
    const re = this.coarse.re;
    const last = this.coarseMaxLag;
    const pk = this.peakIndex;
    let k = this.pos;
    const end = k + budget < last + 1 ? k + budget : last + 1;
    for (; k < end; k++) {
      if (k >= pk - NEIGHBOURHOOD && k <= pk + NEIGHBOURHOOD) continue;
      const v = load<f64>(re + (<usize>k << 3));
      if (v > this.secondValue) this.secondValue = v;
    }
    const used = end - this.pos;
    this.pos = end;
    if (end == last + 1) {
      const p = this.peakValue;
      let c = p > 0.0 ? 1.0 - this.secondValue / p : 0.0;
      this.frameConfidence = c < 0.0 ? 0.0 : c > 1.0 ? 1.0 : c;
      // Parabolic refinement of the coarse peak (in decimated samples), then the fine window around it.
      let frac: f64 = 0.0;
      if (pk > 0 && pk < last) {
        const ym = load<f64>(re + (<usize>(pk - 1) << 3));
        const y0 = p;
        const yp = load<f64>(re + (<usize>(pk + 1) << 3));
        const den = ym - 2.0 * y0 + yp;
        if (den < 0.0) frac = (0.5 * (ym - yp)) / den;
        if (frac > 0.5) frac = 0.5;
        if (frac < -0.5) frac = -0.5;
      }
      const centre = <i32>Math.round((<f64>pk + frac) * <f64>this.factor);
      let d0 = centre - this.fineRange;
      if (d0 < 0) d0 = 0;
      if (d0 + 2 * this.fineRange > this.maxLag) d0 = this.maxLag - 2 * this.fineRange;
      this.fineBase = d0;
      memory.fill(this.fRe, 0, <usize>FINE_N << 3);
      memory.fill(this.fIm, 0, <usize>FINE_N << 3);
      this.snapF = this.snapD * <i64>this.factor; // the end of the coarse frame's input window, full rate
      this.block = 0;
      this.next(F_LOAD);
    }
    return used > 0 ? used : 1;
  }

  // ---- fine stage ----

  /** Like coarseLoad at full rate, for lags fineBase..fineBase + 2R, block `block` back from the snapshot. */
  private fineLoad(budget: i32): i32 {
    const n = FINE_N;
    const lr = 2 * this.fineRange;
    const t = this.snapF - <i64>(this.block * this.fineStride); // end of this block's input window
    const refStart = t - <i64>(this.fineW + this.fineBase + lr);
    const inStart = t - <i64>(this.fineW + lr);
    const re = this.fine.re;
    const im = this.fine.im;
    let i = this.pos;
    const end = i + budget < n ? i + budget : n;
    for (; i < end; i++) {
      const tr = refStart + <i64>i;
      const ti = inStart + <i64>i;
      const r: f64 = tr >= 0 ? <f64>load<f32>(this.refF + (<usize>(tr & this.maskRefF) << 2)) : 0.0;
      let x: f64 = 0.0;
      if (i >= lr && ti >= 0) x = <f64>load<f32>(this.inF + (<usize>(ti & this.maskInF) << 2)) * load<f64>(this.fineWindow + (<usize>(i - lr) << 3));
      store<f64>(re + (<usize>i << 3), r);
      store<f64>(im + (<usize>i << 3), x);
    }
    const used = end - this.pos;
    this.pos = end;
    if (end == n) {
      this.fine.begin(false);
      this.next(F_FFT);
    }
    return used > 0 ? used : 1;
  }

  private fineAccumulate(budget: i32): i32 {
    const used = accumulate(this.fine, this.fRe, this.fIm, FINE_N, this.pos, budget, 1.0, this);
    this.pos += used;
    if (this.pos > FINE_N >> 1) {
      this.block++;
      this.next(this.block < FINE_BLOCKS ? F_LOAD : F_WEIGHT);
    }
    return used > 0 ? used : 1;
  }

  /** The fine peak over lags fineBase..fineBase + 2R: the estimate; then the decision. */
  private finePeak(budget: i32): i32 {
    const re = this.fine.re;
    const last = 2 * this.fineRange;
    let k = this.pos;
    const end = k + budget < last + 1 ? k + budget : last + 1;
    for (; k < end; k++) {
      const v = load<f64>(re + (<usize>k << 3));
      if (v > this.peakValue) {
        this.peakValue = v;
        this.peakIndex = k;
      }
    }
    const used = end - this.pos;
    this.pos = end;
    if (end == last + 1) {
      const est = this.fineBase + this.peakIndex;
      // The fine correlation must be sharp too: a narrowband cross-spectrum (two unrelated steady tones) can
      // give a coarse peak that stands out, but at full rate it is a slow cosine, nearly flat around its top.
      const pk = this.peakIndex;
      const p = this.peakValue;
      let second: f64 = 0.0;
      for (let j = 0; j <= last; j++) {
        if (j >= pk - FINE_NEIGHBOURHOOD && j <= pk + FINE_NEIGHBOURHOOD) continue;
        const v = load<f64>(re + (<usize>j << 3));
        if (v > second) second = v;
      }
      let fineConf = p > 0.0 ? 1.0 - second / p : 0.0;
      fineConf = fineConf < 0.0 ? 0.0 : fineConf > 1.0 ? 1.0 : fineConf;
      const conf = this.frameConfidence < fineConf ? this.frameConfidence : fineConf;
      this.detected = est;
      this.confidence = conf;
      this.estimates++;
      const confident = conf >= CONFIDENT;
      const d = est - this.lastEstimate;
      if (confident && this.lastConfident && d >= -1 && d <= 1) this.stable = est;
      this.lastEstimate = est;
      this.lastConfident = confident;
      this.phase = IDLE;
    }
    return used > 0 ? used : 1;
  }

  /** Called by accumulate(): adds |G| of a bin pair to the regularisation sum. */
  addAbs(v: f64, first: bool): void {
    if (first) this.gAbsSum = 0.0;
    this.gAbsSum += v;
  }
}

/**
 * Hann taper of the input window (j of w): only the input segment is tapered, the reference segment covers every
 * lag in full, so the correlation stays the exact linear one of the tapered input; the taper keeps a tone's
 * spectral leakage (whose phase is the tone's, not the bin's) from spreading over bins that PHAT would weight as
 * much as the tone itself.
 */
/** Copies `frames` f32 from `src` into the ring at `ring` (mask + 1 slots, a power of two) from position `at`. */
function copyIntoRing(ring: usize, mask: i64, at: i64, src: usize, frames: i32): void {
  const pos = <i32>(at & mask);
  const room = <i32>(mask + 1) - pos;
  const first = frames < room ? frames : room;
  memory.copy(ring + (<usize>pos << 2), src, <usize>first << 2);
  if (first < frames) memory.copy(ring, src + (<usize>first << 2), <usize>(frames - first) << 2);
}

function hann(j: i32, w: i32): f64 {
  return 0.5 - 0.5 * Math.cos((2.0 * Math.PI * (<f64>j + 0.5)) / <f64>w);
}

/**
 * Hann windows already made, by length: at most HANN_CACHE of them (a module hosts detectors of a few sample
 * rates at most), each made once, in a constructor. A window is the same for every detector of a sample rate,
 * and a cos per windowed sample was a tenth of a detector's work.
 */
const HANN_CACHE: i32 = 8;
const hannLengths = new StaticArray<i32>(HANN_CACHE);
const hannTables = new StaticArray<usize>(HANN_CACHE);

/** The Hann window of w points (f64 at the returned address), made on first use of this length. */
function hannWindow(w: i32): usize {
  for (let k = 0; k < HANN_CACHE; k++) {
    if (hannLengths[k] == w) return hannTables[k];
  }
  const table = coldAlloc(<usize>w << 3);
  for (let j = 0; j < w; j++) store<f64>(table + (<usize>j << 3), hann(j, w));
  for (let k = 0; k < HANN_CACHE; k++) {
    if (hannLengths[k] == 0) {
      hannLengths[k] = w;
      hannTables[k] = table;
      break;
    }
  }
  return table; // a ninth length: a table of its own (never happens: 44.1 / 48 / 96 kHz use two lengths each)
}

/**
 * For bins k in [from, from + budget) of 0..n/2: separates X (real input x) and Y (real input y) from Z = FFT(x + i y)
 *   X[k] = (Z[k] + conj Z[n-k]) / 2,  Y[k] = (Z[k] - conj Z[n-k]) / 2i,
 * and updates G[k] = forget G[k] + Y[k] conj X[k], G[n-k] = conj G[k] (real signals). Returns the bins done.
 */
function accumulate(fft: Fft, gRe: usize, gIm: usize, n: i32, from: i32, budget: i32, forget: f64, owner: LatencyDetector): i32 {
  const half = n >> 1;
  let k = from;
  const end = k + budget < half + 1 ? k + budget : half + 1;
  for (; k < end; k++) {
    const m = k == 0 ? 0 : n - k;
    const ok = <usize>k << 3;
    const om = <usize>m << 3;
    const zr = load<f64>(fft.re + ok);
    const zi = load<f64>(fft.im + ok);
    const wr = load<f64>(fft.re + om);
    const wi = load<f64>(fft.im + om);
    // X = (Z + conj W) / 2, Y = (Z - conj W) / 2i with W = Z[n-k].
    const xr = 0.5 * (zr + wr);
    const xi = 0.5 * (zi - wi);
    const yr = 0.5 * (zi + wi);
    const yi = -0.5 * (zr - wr);
    // Y conj X.
    const cr = yr * xr + yi * xi;
    const ci = yi * xr - yr * xi;
    const gr = forget * load<f64>(gRe + ok) + cr;
    const gi = forget * load<f64>(gIm + ok) + ci;
    store<f64>(gRe + ok, gr);
    store<f64>(gIm + ok, gi);
    if (m != k) {
      store<f64>(gRe + om, gr);
      store<f64>(gIm + om, -gi);
    }
    const a = Math.sqrt(gr * gr + gi * gi);
    owner.addAbs(m != k ? 2.0 * a : a, k == 0);
  }
  return end - from;
}
