/**
 * Watching an applied latency between detections (issue 16): the GCC-PHAT detector (dsp/latency.ts) costs tens
 * of microseconds per render quantum while it runs, and once it has found a stable latency there is nothing new
 * to find until the chain between the reference and this instance changes. So after a stable estimate the
 * detector rests (it keeps filling its rings, so it can start again at once with a full history) and this watch
 * checks, for a few operations per sample, that the reference delayed by the applied latency still lines up with
 * the input; when it stops lining up, the detector runs again.
 *
 * The check: the correlation coefficient, over the last WATCH_SMOOTH_SECONDS (exponential window), of the first
 * differences of the input and of the aligned reference (mono mixes):
 *     rho = sum(dx dr) / sqrt(sum(dx^2) sum(dr^2)),   dx[n] = x[n] - x[n-1].
 * The first difference is a crude pre-whitening (+6 dB per octave): music and speech are dominated by their low
 * bands, which stay correlated over tens of milliseconds, so the raw signals would still correlate when the
 * latency is off by a few hundred frames; their differences do not. An effect that changes magnitudes (EQ,
 * compressor, saturation) lowers rho a little and steadily; a latency that changed drops it towards 0.
 *
 * Decision: the first WATCH_LEARN_SECONDS of programme (both sides above -100 dBFS) after a lock set `locked`,
 * rho as it is with this chain; from then on `locked` follows rho slowly (LOCK_FOLLOW_SECONDS) while rho is
 * near it. The detector wakes when rho stays below WAKE_RATIO x locked for WAKE_SECONDS of programme, and in any
 * case after REVERIFY_SECONDS of programme (a safety net for programme whose differences stay correlated at the
 * wrong lag, like one steady tone). A chain whose aligned correlation is weak from the start (locked below
 * MIN_LOCKED: a heavy reverb or a phase-scrambling effect) is watched by the re-verification alone.
 *
 * Cost: about 8 flops per sample; no allocation after construction.
 */

/** Length of the exponential window of the correlation, s. */
export const WATCH_SMOOTH_SECONDS: f64 = 0.25;
/** Programme after a lock over which the locked correlation is learned, s. */
export const WATCH_LEARN_SECONDS: f64 = 0.5;
/** Time constant with which `locked` follows the correlation while it stays near, s. */
const LOCK_FOLLOW_SECONDS: f64 = 8.0;
/** The detector wakes when rho stays below this fraction of the locked correlation ... */
export const WAKE_RATIO: f64 = 0.5;
/** ... for this long (programme), s: a short dissimilar passage (a fill, a cut) does not wake it. */
export const WAKE_SECONDS: f64 = 0.15;
/**
 * The detector re-verifies the latency after this much programme, s, however well it seems to line up. (Each
 * re-verification costs one estimate's work, about 0.5 s of a running detector: at 30 s that was still 0.6 µs
 * per quantum on average.)
 */
export const REVERIFY_SECONDS: f64 = 60.0;
/** The same after a rest the detector took unsure (it could not find any latency with confidence), s. */
export const UNSURE_REVERIFY_SECONDS: f64 = 10.0;
/** Below this locked correlation the watch relies on re-verification alone. */
export const MIN_LOCKED: f64 = 0.2;
/** Per-sample mean square below which a side counts as silent (-100 dBFS), as the detector's frames do. */
const SILENT_MEAN_SQUARE: f64 = 1e-10;

export class LatencyWatch {
  readonly sampleRate: f64;
  /** Staging buffer, maxFrames mono f32: the caller writes the aligned reference here. */
  readonly aligned: usize;
  /** The latest correlation, NaN while either side is silent or the window is empty. */
  correlation: f64 = NaN;
  /** The correlation of the chain as locked, NaN while it is being learned. */
  locked: f64 = NaN;
  /** Why update() last returned true: the correlation fell (true) or it was time to re-verify (false). */
  dropped: bool = false;
  /** Programme seconds watched since begin(), and since rho went below the wake threshold. */
  private watched: f64 = 0.0;
  private reverify: f64 = REVERIFY_SECONDS;
  private below: f64 = 0.0;
  private sxr: f64 = 0.0;
  private sxx: f64 = 0.0;
  private srr: f64 = 0.0;
  private weight: f64 = 0.0; // sum of the window's weights (samples), for the silence test
  private lastX: f32 = 0.0;
  /** The smoothing factor for blocks of smoothFrames frames (exp computed once per block length). */
  private smoothFrames: i32 = -1;
  private smoothK: f64 = 0.0;
  private lastR: f32 = 0.0;

  /** `aligned`: a staging buffer to use (the gain engine's shared one, dsp/block-scratch.ts); 0 allocates one. */
  constructor(sampleRate: f64, maxFrames: i32, aligned: usize = 0) {
    this.sampleRate = sampleRate;
    if (aligned == 0) {
      aligned = heap.alloc(<usize>maxFrames << 2);
      memory.fill(aligned, 0, <usize>maxFrames << 2);
    }
    this.aligned = aligned;
  }

  /**
   * Starts watching the latency now applied: `locked` is learned afresh; the detector re-verifies after
   * `reverifySeconds` of programme. The correlation window runs on (measure() fills it while the detector works).
   */
  begin(reverifySeconds: f64): void {
    this.locked = NaN;
    this.watched = 0.0;
    this.below = 0.0;
    this.reverify = reverifySeconds;
  }

  /** Forgets everything, the correlation window too (a new reference). */
  reset(): void {
    this.begin(REVERIFY_SECONDS);
    this.correlation = NaN;
    this.sxr = 0.0;
    this.sxx = 0.0;
    this.srr = 0.0;
    this.weight = 0.0;
    this.lastX = 0.0;
    this.lastR = 0.0;
  }

  /**
   * Takes `frames` frames of the input (mono f32 at `input`) and of the aligned reference (at `aligned`), both
   * finite; `valid` false: there is no reference this block (it counts as nothing). True when the detector
   * should run again.
   */
  update(input: usize, frames: i32, valid: bool): bool {
    if (!this.measure(input, frames, valid)) return false;
    const rho = this.correlation;
    const seconds = <f64>frames / this.sampleRate;
    this.watched += seconds;
    if (this.watched >= this.reverify) {
      this.dropped = false;
      return true;
    }
    if (this.watched < WATCH_LEARN_SECONDS) return false;
    const locked = this.locked;
    if (locked != locked) {
      this.locked = rho;
      return false;
    }
    if (locked < MIN_LOCKED) return false;
    if (rho < WAKE_RATIO * locked) {
      this.below += seconds;
      this.dropped = true;
      return this.below >= WAKE_SECONDS;
    }
    this.below = 0.0;
    this.locked = locked + (rho - locked) * (seconds / LOCK_FOLLOW_SECONDS);
    return false;
  }

  /**
   * Adds `frames` frames to the correlation window without deciding anything (while the detector works).
   * True when `correlation` holds a value (both sides audible).
   */
  measure(input: usize, frames: i32, valid: bool): bool {
    if (!valid) return false;
    const aligned = this.aligned;
    let xr: f64 = 0.0;
    let xx: f64 = 0.0;
    let rr: f64 = 0.0;
    let px = this.lastX;
    let pr = this.lastR;
    let i = 0;
    if (frames >= 9) {
      // Frame 0 against the last frame of the previous block, then four frames at a time against the frames one
      // before (unaligned loads), summed in f32 lanes: a block's sums of a few dozen products per lane, for a
      // correlation that is compared with half its locked value, need no more.
      const x0 = load<f32>(input);
      const r0 = load<f32>(aligned);
      const dx0 = <f64>(x0 - px);
      const dr0 = <f64>(r0 - pr);
      xr = dx0 * dr0;
      xx = dx0 * dx0;
      rr = dr0 * dr0;
      let vxr = f32x4.splat(0.0);
      let vxx = f32x4.splat(0.0);
      let vrr = f32x4.splat(0.0);
      const end = 1 + ((frames - 1) & ~3);
      for (i = 1; i < end; i += 4) {
        const at = <usize>i << 2;
        const dx = f32x4.sub(v128.load(input + at), v128.load(input + at - 4));
        const dr = f32x4.sub(v128.load(aligned + at), v128.load(aligned + at - 4));
        vxr = f32x4.add(vxr, f32x4.mul(dx, dr));
        vxx = f32x4.add(vxx, f32x4.mul(dx, dx));
        vrr = f32x4.add(vrr, f32x4.mul(dr, dr));
      }
      xr += sumLanes(vxr);
      xx += sumLanes(vxx);
      rr += sumLanes(vrr);
      px = load<f32>(input + ((<usize>i - 1) << 2));
      pr = load<f32>(aligned + ((<usize>i - 1) << 2));
    }
    for (; i < frames; i++) {
      const x = load<f32>(input + (<usize>i << 2));
      const r = load<f32>(aligned + (<usize>i << 2));
      const dx = <f64>(x - px);
      const dr = <f64>(r - pr);
      xr += dx * dr;
      xx += dx * dx;
      rr += dr * dr;
      px = x;
      pr = r;
    }
    this.lastX = px;
    this.lastR = pr;
    if (frames != this.smoothFrames) {
      this.smoothFrames = frames;
      this.smoothK = Math.exp(-<f64>frames / (WATCH_SMOOTH_SECONDS * this.sampleRate));
    }
    const k = this.smoothK;
    this.sxr = this.sxr * k + xr;
    this.sxx = this.sxx * k + xx;
    this.srr = this.srr * k + rr;
    this.weight = this.weight * k + <f64>frames;
    // Silence on either side tells nothing: the window's mean square of the differences must be audible.
    // (A difference's mean square is at most 4x the signal's, so this threshold is no stricter than -100 dBFS.)
    const floor = SILENT_MEAN_SQUARE * this.weight;
    if (!(this.sxx > floor && this.srr > floor)) {
      this.correlation = NaN;
      return false;
    }
    this.correlation = this.sxr / Math.sqrt(this.sxx * this.srr);
    return true;
  }
}

/** The sum of an f32x4's lanes, as f64. */
function sumLanes(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}
