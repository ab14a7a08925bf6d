/**
 * The audio buffers of one engineProcess() call, shared by every gain engine of one WebAssembly instance
 * (issue 16).
 *
 * Why: a page of hundreds of LevelMatch processors runs them one after another on one audio thread, and each
 * call's audio lives only from the processor's write to the processor's read-back: input, aligned reference and
 * output (the three meters' channel buffers), the gain ramp, and the latency detector's staging (the input's and
 * the unaligned reference's mono mixes, the aligned reference for its watch). Private buffers for each engine put
 * several KB of cold cache lines in every quantum (about 5 KB for a match instance: 80 lines written, read, and
 * evicted again before the engine's next quantum); shared, the next processor finds them still in the core's
 * caches (counted in a cache model of 252 instances: half the last-level write misses, README "Speed at scale").
 *
 * The rule that makes sharing safe: nothing is read from these buffers that the same call (or the processor,
 * just before it, for this call) did not write. Every engine already keeps whatever lasts from one call to the
 * next elsewhere: filter states, rings, the oversampler's history (the true-peak copies stay per meter, they
 * carry TAPS - 1 samples into the next block), the watch's last samples.
 * host-test/plugin/shared-buffers.test.ts and fuzz/plugin.fuzz.test.ts check it: engines interleaved in one
 * instance sound and read exactly as each does alone.
 *
 * The library's meters (dsp/index.ts createMeter) and detectors keep private buffers: a caller may write one
 * meter's input, then another's, before processing either.
 */
import { TAPS } from './truepeak';
import { MAX_CHANNELS } from './meter';

export class BlockScratch {
  /** Frames each buffer holds (the largest maxFrames asked for so far). */
  readonly frames: i32;
  /** Lane tables (MAX_CHANNELS addresses each, as Meter.buffers) for the input, reference and output meters. */
  readonly inputLanes: usize;
  readonly referenceLanes: usize;
  readonly outputLanes: usize;
  /** frames x f64: the per-sample linear gain of a ramp (dsp/gain-render.ts fillRamp). */
  readonly ramp: usize;
  /** 4 x frames f32: the latency detector's input, reference, reference B and its watch's aligned reference. */
  readonly detectorStaging: usize;

  constructor(frames: i32) {
    this.frames = frames;
    this.inputLanes = laneTable(frames);
    this.referenceLanes = laneTable(frames);
    this.outputLanes = laneTable(frames);
    this.ramp = zeroed(<usize>frames << 3);
    this.detectorStaging = zeroed(<usize>frames << 4);
  }
}

let current: BlockScratch | null = null;

/**
 * The instance's shared buffers, for an engine of `maxFrames` frames per call: allocated on the first call (and
 * again, larger, for an engine that needs more frames; engines made earlier keep theirs).
 */
export function sharedScratch(maxFrames: i32): BlockScratch {
  const s = current;
  if (s != null && s.frames >= maxFrames) return s;
  const fresh = new BlockScratch(maxFrames);
  current = fresh;
  return fresh;
}

/** A meter's lane table: MAX_CHANNELS buffers of TAPS - 1 + frames f32, the layout Meter allocates for itself. */
function laneTable(frames: i32): usize {
  const table = heap.alloc(<usize>MAX_CHANNELS * sizeof<usize>());
  const bytes = <usize>(TAPS - 1 + frames) << 2;
  for (let c = 0; c < MAX_CHANNELS; c++) store<usize>(table + <usize>c * sizeof<usize>(), zeroed(bytes));
  return table;
}

function zeroed(bytes: usize): usize {
  const p = heap.alloc(bytes);
  memory.fill(p, 0, bytes);
  return p;
}
