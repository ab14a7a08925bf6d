/**
 * The processor's audio logic, independent of the WAM SDK and of the AudioWorkletGlobalScope globals so that
 * it runs (and is tested) in plain Node with any implementation of the engine ABI.
 *
 * AUDIO THREAD: everything reachable from beginQuantum / processSlice / endQuantum / setParameter runs inside
 * AudioWorkletProcessor.process(). It must not allocate in steady state (views are rebuilt only when the WASM
 * memory grows, link rings are allocated once when a channel is first claimed), throw, log, or use URL, fetch,
 * atob, TextDecoder, timers or performance.
 *
 * Per instance: one engine (a handle in a WASM instance shared by every processor of the scope, from an
 * EnginePool; or in an instance of its own given by the caller) fed in chunks of at most ENGINE_MAX_FRAMES
 * frames, whatever the render quantum length. Input 0 is the signal; input 1 the sidechain. Its buffers are
 * addressed by index into the shard's views of the whole memory, which the shard rebuilds once for all its
 * processors when the memory grows (engine-pool.ts).
 *
 * Watching (issue 16): readings nobody watches are not measured. Unwatched (the processor's default until the
 * node reports a `readout` listener), a reference instance does not run its engine at all (the audio passes
 * through, NaN/Inf replaced by 0 and counted, and is published on the link), and the engine skips the output
 * meter and the readout's integrated loudness and LRA (engine-abi engineSetWatched).
 */
import { P, R, READOUT_COUNT, S, type EngineExports } from './engine-abi.ts';
import { EngineShard, type EngineLease, type EnginePool } from './engine-pool.ts';
import { FrameRing, LINK_STATUS_MASK, LinkReader, type LinkChannel, MAX_RING_CHANNELS, wrapFrame, type LinkBus } from './link-bus.ts';
import { PARAMETERS, clampSlot, defaultParameterValues } from './parameters.ts';
import { READOUT_FRAME, READOUT_LINK, READOUT_MESSAGE_LENGTH, READOUT_MODE, READOUT_PARAMETERS } from './readout.ts';
import { makeState, type LevelMatchState } from './state.ts';

/** Frames per engine call (the engine is created with this maxFrames). */
export const ENGINE_MAX_FRAMES = 128;
/** Readouts are posted every this many seconds of audio (25 Hz) while watched (a GUI or a readout listener) ... */
export const READOUT_INTERVAL_SECONDS = 0.04;
/**
 * ... and every this many (1 Hz) while nobody watches, so that `node.readout` stays current for a host that
 * polls it. A postMessage from Chromium's audio thread costs about 100 µs there (measured: 25 Hz readouts made
 * an unwatched reference cost 4x the pass-through floor, 1 Hz 1.1x), and hundreds of unwatched instances posting
 * 25 times a second would spend most of the render on messages nobody reads (issue 16).
 */
export const UNWATCHED_READOUT_INTERVAL_SECONDS = 1;
/**
 * A change of the reference's delay crossfades between the old and the new read positions over this long: no
 * click in a reference / delta listen, and the reference meter's alignment glides instead of jumping.
 */
export const LATENCY_CROSSFADE_SECONDS = 0.02;

const MODE_REFERENCE = 0;
const MODE_MATCH = 1;
const MODE_SIDECHAIN = 2;
const MODE_TARGET = 3;
const MODE_TRACK = 4;

export interface CoreOptions {
  sampleRate: number;
  /** Channel count of the node (its output). */
  channels: number;
  bus: LinkBus;
  /** A fresh engine instance's exports, or null when the WASM could not be instantiated (ignored with `pool`). */
  engine: EngineExports | null;
  /** Where to take the engine from (shared instance, reuse); when given, `engine` is ignored. */
  pool?: EnginePool;
  /** Whether the readings are watched from the start (default true; the processor starts unwatched). */
  watched?: boolean;
  /**
   * Parameter values to start from (a validated state's): the engine is set up with them from the start, so a
   * reference instance never allocates the match mode's latency detector (~2 MB) for the defaults. applyState()
   * still applies the whole state (gain, latency, track).
   */
  initialState?: LevelMatchState;
}

/** Whether x[0..n) holds no NaN or infinity (x * 0 is 0 exactly for finite x): one branch-free pass. */
function allFinite(x: Float32Array, n: number): boolean {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += x[i] * 0;
  return acc === 0;
}

/** The common difference of `at` (a stride every entry keeps), or 0 when the entries are not evenly spaced. */
function evenStride(at: Int32Array): number {
  const d = at[1] - at[0];
  for (let c = 2; c < at.length; c++) if (at[c] - at[c - 1] !== d) return 0;
  return d;
}

/** The input channel output c carries: its own, input 0 for output 1 of a mono input, else -1 (silent). */
function sourceChannel(c: number, inputChannels: number): number {
  return c < inputChannels ? c : inputChannels === 1 && c === 1 ? 0 : -1;
}

/** Frames a non-finite input sample keeps the nonFiniteInput status on (the engine's NON_FINITE_HOLD_SECONDS). */
const NON_FINITE_HOLD_SECONDS = 1;

export class LevelMatchCore {
  readonly sampleRate: number;
  readonly channels: number;
  /** Parameter values, slot order (engine-abi P). */
  readonly values: Float64Array = defaultParameterValues();
  /** The latest readout (READOUT_MESSAGE_LENGTH values, see readout.ts), filled by endQuantum(). */
  readonly readout = new Float64Array(READOUT_MESSAGE_LENGTH);
  /** Why the engine is missing (output is then passed through), or null. */
  error: string | null = null;
  /** Whether the engine has processed any audio (setState's gain is immediate before that, glided after). */
  processed = false;

  private engine: EngineExports | null = null;
  /** Track mode's target: the reference track's integrated loudness (LUFS), NaN while there is none. */
  private trackLoudness = NaN;
  private shard: EngineShard | null = null;
  private lease: EngineLease | null = null;
  private readonly pool: EnginePool | null;
  private watched: boolean;
  /** Whether the last passThrough() found every input channel finite, whole quanta (publish may block-copy). */
  private passThroughChecked = false;
  /** Non-finite input samples counted here while an idle reference (the engine did not see them). */
  private idleNonFinite = 0;
  /**
   * Frames since the last one, counted up to nonFiniteHoldFrames only: a small integer from the start (a field
   * that ever held Infinity or a fraction is boxed, and reading it unoptimised allocates).
   */
  private framesSinceIdleNonFinite: number;
  private readonly nonFiniteHoldFrames: number;
  /** The engine gain (dB) last read or set: what getState reports if the engine is gone. */
  private lastGain = 0;
  /** The engine's latency target (engineLatencyFrames), valid while latencyKnown (see engineChanged). */
  private latencyTarget = 0;
  private latencyKnown = false;
  /** Integer copies of the follow and bypass parameters, for readouts (copyReadout reads no doubles). */
  private follow = 0;
  private bypassOn = false;
  private handle = 0;
  private readonly bus: LinkBus;
  private readonly reader = new LinkReader();
  /** The link channel of the `link` parameter (kept by relink(): looked up once, not per quantum). */
  private linkChannel: LinkChannel;
  private sideRing: FrameRing | null = null;
  /** The link channel this instance publishes on (reference mode), 0 when none. */
  private claimedLink = 0;
  /** That channel (null when none): looked up when claimed, not per quantum. */
  private claimedChannel: LinkChannel | null = null;
  private linkBits = 0;
  private inChannels: number;
  private refChannels: number;
  /** f32 indices of the engine's input / reference / output buffers in the shard's view, per channel. */
  private readonly inAt = new Int32Array(MAX_RING_CHANNELS);
  private readonly refAt = new Int32Array(MAX_RING_CHANNELS);
  private readonly outAt = new Int32Array(MAX_RING_CHANNELS);
  /** refAt[c + 1] - refAt[c] when the reference buffers are evenly spaced (one call reads them all), else 0. */
  private refStride = 0;
  /** inAt[c + 1] - inAt[c] when the input buffers are evenly spaced, else 0. */
  private inStride = 0;
  /** The reference buffers as views for the link reader; rebuilt when the shard's views change. */
  private readonly refViews: Float32Array[] = [];
  /** The output buffers as views (block copies to the host's output); rebuilt likewise. */
  private readonly outViews: Float32Array[] = [];
  /** The latency detector's two staging buffers (byte addresses, 0 before there is one) ... */
  private detectorAt = 0;
  private detectorBAt = 0;
  /** ... and as f32 indices, for the link reader (readTo). */
  private readonly detectorIdx = new Int32Array(2);
  /** Whether the engine's output buffers are always finite (engine-abi engineOutputFinite). */
  private outputFinite = false;
  private viewGeneration = -1;
  /**
   * clock[0]: the absolute frame (context clock) at which the current quantum starts. A double in a typed array,
   * so that past 2^30 frames it is never boxed into a heap number: the processor writes it there
   * (beginQuantumAtClock) and only readouts read it. Everything else uses frame0.
   */
  readonly clock = new Float64Array(1);
  /** The current quantum's first frame as a link-bus position (clock[0] mod CLOCK_WRAP, a small integer). */
  private frame0 = 0;
  private quantum = ENGINE_MAX_FRAMES;
  private needBegin = true;
  private sinceReadout = 0;
  private readonly readoutInterval: number;
  private readonly unwatchedReadoutInterval: number;
  /** Byte address of the engine's readout slots (fixed for its life: allocated with it) and a view of them. */
  private readoutPtr = 0;
  private readoutView: Float64Array = new Float64Array(READOUT_COUNT);
  /** The reference's delay in frames (the read position behind the input), -1 before the first chunk. */
  private latencyNow = -1;
  /** The delay being faded to, and how far (frames) the fade has gone; latencyNext === latencyNow: no fade. */
  private latencyNext = -1;
  private latencyFaded = 0;
  private readonly latencyFadeFrames: number;
  /** Scratch for the reference at the new delay during a fade. */
  private readonly fadeViews: Float32Array[] = [];

  constructor(options: CoreOptions) {
    this.sampleRate = options.sampleRate;
    this.nonFiniteHoldFrames = Math.round(NON_FINITE_HOLD_SECONDS * options.sampleRate) | 0;
    this.framesSinceIdleNonFinite = this.nonFiniteHoldFrames;
    this.channels = Math.min(MAX_RING_CHANNELS, Math.max(1, options.channels | 0));
    this.bus = options.bus;
    const initial = options.initialState;
    if (initial !== undefined) {
      for (let slot = 0; slot < PARAMETERS.length; slot++) {
        const v = clampSlot(slot, initial.parameters[PARAMETERS[slot].id]);
        if (v === v) this.values[slot] = v;
      }
    }
    this.follow = this.values[P.follow] | 0;
    this.bypassOn = this.values[P.bypass] === 1;
    this.linkChannel = this.bus.channel(this.values[P.link]);
    this.inChannels = this.channels;
    this.refChannels = this.channels;
    this.readoutInterval = Math.max(1, Math.round(READOUT_INTERVAL_SECONDS * this.sampleRate));
    this.unwatchedReadoutInterval = Math.max(1, Math.round(UNWATCHED_READOUT_INTERVAL_SECONDS * this.sampleRate));
    this.latencyFadeFrames = Math.max(1, Math.round(LATENCY_CROSSFADE_SECONDS * this.sampleRate));
    for (let c = 0; c < MAX_RING_CHANNELS; c++) {
      this.fadeViews.push(new Float32Array(ENGINE_MAX_FRAMES));
    }
    this.pool = options.pool ?? null;
    this.watched = options.watched ?? true;
    // The first readout comes one watched interval after the start, watched or not; then at the rate in force.
    if (!this.watched) this.sinceReadout = Math.max(0, this.unwatchedReadoutInterval - this.readoutInterval);
    if (this.pool !== null) {
      const lease = this.pool.acquire(this.sampleRate, ENGINE_MAX_FRAMES);
      if (typeof lease === 'string') this.error = lease;
      else this.adopt(lease.shard, lease.handle, lease);
    } else {
      const e = options.engine;
      if (e === null) {
        this.error = 'the WebAssembly engine could not be instantiated';
      } else if (typeof e.createEngine !== 'function') {
        this.error = 'the WebAssembly module has no engine (createEngine is missing)';
      } else {
        const h = e.createEngine(this.sampleRate, ENGINE_MAX_FRAMES);
        if (h === 0) this.error = `the engine rejected sample rate ${this.sampleRate}`;
        else this.adopt(new EngineShard(e), h, null);
      }
    }
    this.relink();
    // The link channel's ring, before any quantum (allocating it may grow the WebAssembly memory).
    const mode = this.values[P.mode];
    if (mode === MODE_REFERENCE || mode === MODE_MATCH) this.bus.prepare(this.values[P.link], this.channels);
  }

  private adopt(shard: EngineShard, h: number, lease: EngineLease | null): void {
    const e = shard.exports;
    this.engine = e;
    this.outputFinite = typeof e.engineOutputFinite === 'function' && e.engineOutputFinite() === 1;
    this.shard = shard;
    this.lease = lease;
    this.handle = h;
    for (let c = 0; c < MAX_RING_CHANNELS; c++) {
      this.inAt[c] = e.engineInput(h, c) >>> 2;
      this.refAt[c] = e.engineReference(h, c) >>> 2;
      this.outAt[c] = e.engineOutput(h, c) >>> 2;
    }
    this.refStride = evenStride(this.refAt);
    this.inStride = evenStride(this.inAt);
    this.engineChanged();
    e.engineSetChannels(h, this.inChannels, this.refChannels);
    for (let slot = 0; slot < PARAMETERS.length; slot++) e.engineSetParam(h, slot, this.values[slot]);
    this.readoutPtr = e.engineUpdateReadout(h);
    this.viewGeneration = -1; // the readout view, over the new readoutPtr
    this.sendModeAndTarget();
    if (typeof e.engineSetWatched === 'function') e.engineSetWatched(h, this.watched ? 1 : 0);
    this.checkViews();
  }

  /** Whether the readings are watched (see the file comment). Unwatched readings start afresh when watched. */
  setWatched(on: boolean): void {
    if (on === this.watched) return;
    this.watched = on;
    this.engineChanged();
    if (this.engine !== null && typeof this.engine.engineSetWatched === 'function') this.engine.engineSetWatched(this.handle, on ? 1 : 0);
    if (on) {
      this.idle = false;
      this.sinceReadout = this.readoutInterval; // a watcher gets a readout at the next quantum
    }
  }

  get isWatched(): boolean {
    return this.watched;
  }

  /** The engine's lease when it came from a pool (tests), else null. */
  get engineLease(): EngineLease | null {
    return this.lease;
  }

  /** A reference instance whose readings nobody watches, its gain at 0 dB: the engine is not run (see begin). */
  private idle = false;
  /**
   * Whether `idle` (when true) still holds without asking the engine: while idle the engine does not run, so
   * only a call into it from here (a parameter, a state, watching, meters, transport) can change its idleness.
   */
  private idleKnown = false;
  /** Whether detectorAt / detectorBAt are current (the same invalidation: a call into the engine). */
  private detectorKnown = false;

  /** A call into the engine that may change what it reports per quantum (idleness, detector buffers). */
  private engineChanged(): void {
    this.idleKnown = false;
    this.detectorKnown = false;
    this.latencyKnown = false;
  }

  get hasEngine(): boolean {
    return this.engine !== null;
  }

  /** The link status bits of the current quantum (engine-abi S, link part). */
  get linkStatus(): number {
    return this.linkBits;
  }

  /**
   * Sets a parameter (plain value; clamped and rounded, NaN ignored). Returns the value applied, or NaN.
   * Changing `link` or `mode` re-registers on the link bus.
   */
  setParameter(slot: number, value: number): number {
    if (!(slot >= 0 && slot < PARAMETERS.length)) return NaN;
    const v = clampSlot(slot, value);
    if (v !== v) return NaN;
    if (v === this.values[slot]) return v;
    this.values[slot] = v;
    if (slot === P.follow) this.follow = v | 0; // an integer: a Smi field
    if (slot === P.bypass) this.bypassOn = v === 1;
    this.engineChanged();
    if (slot === P.mode || slot === P.target) this.sendModeAndTarget();
    else if (this.engine !== null) this.engine.engineSetParam(this.handle, slot, v);
    if (slot === P.link || slot === P.mode) this.relink();
    // A mode change may allocate the latency detector, and a claim a link's first ring (the memory may grow):
    // views are rebuilt now, within the quantum if an event brought it, before any further chunk uses them.
    this.checkViews();
    return v;
  }

  /** Track mode's target: a reference track's integrated loudness in LUFS (NaN or Infinity: no track). */
  setTrackLoudness(lufs: number): void {
    this.engineChanged();
    this.trackLoudness = Number.isFinite(lufs) ? lufs : NaN;
    this.sendModeAndTarget();
  }

  /** The track loudness in use (NaN when there is none). */
  get trackTarget(): number {
    return this.trackLoudness;
  }

  /**
   * The engine knows modes 0-3 only. Track mode runs it in target mode with the track's loudness as the target;
   * without a track, in match mode with no reference, so the gain holds (and noReference is reported).
   */
  private sendModeAndTarget(): void {
    const e = this.engine;
    if (e === null) return;
    let mode = this.values[P.mode];
    let target = this.values[P.target];
    if (mode === MODE_TRACK) {
      if (this.trackLoudness === this.trackLoudness) {
        mode = MODE_TARGET;
        target = this.trackLoudness;
      } else {
        mode = MODE_MATCH;
      }
    }
    e.engineSetParam(this.handle, P.target, target);
    e.engineSetParam(this.handle, P.mode, mode);
  }

  /**
   * Applies a validated state: every parameter, the reference track's loudness, then the engine gain and the
   * applied automatic latency (before any audio: at once, so a bounce is aligned from its first sample; after:
   * crossfaded like a detection).
   */
  applyState(state: LevelMatchState): void {
    this.engineChanged();
    this.setTrackLoudness(state.referenceTrack?.integrated ?? NaN);
    for (let slot = 0; slot < PARAMETERS.length; slot++) this.setParameter(slot, state.parameters[PARAMETERS[slot].id]);
    this.lastGain = state.gain;
    if (this.engine !== null) this.engine.engineSetGain(this.handle, state.gain, this.processed ? 0 : 1);
    if (this.engine !== null && state.latencyMs !== undefined && this.values[P.autoLatency] === 1) {
      this.engine.engineSetLatency(this.handle, Math.round((state.latencyMs * this.sampleRate) / 1000));
      if (!this.processed) this.latencyNow = -1;
    }
  }

  /** The current state (allocates: call from message handlers, not per quantum). */
  getState(): LevelMatchState {
    if (this.engine !== null) {
      const ptr = this.engine.engineUpdateReadout(this.handle);
      this.checkViews();
      this.lastGain = this.shard!.f64[(ptr >>> 3) + R.engineGain];
    }
    const frames = this.engine !== null ? this.engine.engineLatencyFrames(this.handle) : this.latencyNow;
    const latencyMs = this.values[P.autoLatency] === 1 && frames > 0 ? (frames * 1000) / this.sampleRate : undefined;
    return makeState(this.values, this.lastGain, this.channels, latencyMs);
  }

  resetMeters(): void {
    this.engineChanged();
    if (this.engine !== null) this.engine.engineResetMeters(this.handle);
  }

  /** A transport start or position jump: the engine's detectors start afresh (a held gain stays held). */
  reacquire(): void {
    this.engineChanged();
    const e = this.engine;
    if (e !== null && e.engineReacquire !== undefined) e.engineReacquire(this.handle);
  }

  /**
   * The engine failed (a WASM trap): drop it and pass audio through from now on, reporting `reason`. The state
   * keeps the last gain read from the engine; a reference instance keeps publishing its input on the link.
   */
  fail(reason: string): void {
    this.error = reason;
    // The gain the last readout saw (the memory is still readable after a trap).
    if (this.engine !== null) {
      this.checkViews();
      const g = this.readoutView.length > 0 ? this.readoutView[R.engineGain] : NaN;
      if (Number.isFinite(g)) this.lastGain = g;
    }
    this.engine = null;
    this.handle = 0;
    this.shard = null;
    this.lease = null; // a failed engine is never handed to another processor
  }

  /** Leaves the link and drops the engine. */
  destroy(): void {
    if (this.claimedLink !== 0) this.bus.release(this.claimedLink, this);
    this.claimedLink = 0;
    this.claimedChannel = null;
    if (this.lease !== null && this.pool !== null) this.pool.release(this.lease);
    this.lease = null;
    this.engine = null;
    this.handle = 0;
    this.shard = null;
  }

  /** Starts a render quantum of `quantum` frames at absolute frame `frame0`. */
  beginQuantum(inputs: Float32Array[][], frame0: number, quantum: number): void {
    this.clock[0] = frame0;
    this.beginQuantumAtClock(inputs, quantum);
  }

  /**
   * Starts a render quantum of `quantum` frames at the absolute frame the caller has written to clock[0]. The
   * audio thread's way in: a frame number past 2^30 passed as an argument would be boxed on every call.
   */
  beginQuantumAtClock(inputs: Float32Array[][], quantum: number): void {
    this.frame0 = wrapFrame(this.clock[0]);
    // The frame a readout posted at the end of this quantum is stamped with, written here on the hot path
    // (optimised code: typed array to typed array, never boxed) rather than on the rare readout path, where
    // unoptimised code would box a frame number past 2^30 into a new heap number.
    this.readout[READOUT_FRAME] = this.clock[0] + quantum;
    this.quantum = quantum;
    this.begin(inputs);
    this.checkViews(); // after begin(): a claim there may allocate a ring (the memory may grow)
  }

  /** Processes frames [start, end) of the current quantum. */
  processSlice(inputs: Float32Array[][], outputs: Float32Array[][], start: number, end: number): void {
    if (this.needBegin) {
      this.begin(inputs);
      this.checkViews();
    }
    let s = start;
    while (s < end) {
      const n = end - s < ENGINE_MAX_FRAMES ? end - s : ENGINE_MAX_FRAMES;
      if (this.engine === null) {
        this.passThrough(inputs, outputs, s, n);
        this.publish(inputs, s, n);
      } else if (this.idle) {
        this.idleChunk(inputs, outputs, s, n);
      } else {
        this.processChunk(inputs, outputs, s, n);
      }
      s += n;
    }
  }

  /** Ends the quantum. True when a readout is due: `readout` has been filled. */
  endQuantum(): boolean {
    if (this.engine === null) return false;
    this.sinceReadout += this.quantum;
    const interval = this.watched ? this.readoutInterval : this.unwatchedReadoutInterval;
    if (this.sinceReadout < interval) return false;
    this.sinceReadout -= interval;
    if (this.sinceReadout >= interval) this.sinceReadout = 0;
    // Only when due (every 40 ms watched, once a second not): this path runs rarely, so V8 may run it
    // unoptimised, where every double read from a typed array becomes a new heap number. copyReadout reads
    // none (see there); the frame slot is kept current by beginQuantumAtClock.
    this.engine.engineUpdateReadout(this.handle);
    this.copyReadout();
    return true;
  }

  /** Fills `readout` now, taken at absolute frame `frame` (also used by tests). */
  fillReadout(frame: number): Float64Array {
    this.writeReadout();
    this.readout[READOUT_FRAME] = frame;
    return this.readout;
  }

  /** Fills `readout` but for its frame. */
  private writeReadout(): void {
    if (this.engine !== null) this.engine.engineUpdateReadout(this.handle);
    this.copyReadout();
  }

  /**
   * Fills `readout` from the engine's readout slots as its last engineUpdateReadout left them, plus ours.
   * Allocation-free even unoptimised (it runs once per readout): no double is read from a typed array into a
   * JavaScript value. The engine part and the parameters are block copies; the link and mode slots are copied
   * within the array; the status is composed from integers (engineReadoutStatus, small integers are never boxed).
   */
  private copyReadout(): void {
    const d = this.readout;
    const e = this.engine;
    let status = 0;
    if (e !== null) {
      this.checkViews();
      d.set(this.readoutView); // a block copy
      status = e.engineReadoutStatus !== undefined ? e.engineReadoutStatus(this.handle) : d[R.status];
      // Counted while idle (the engine did not see them): only after non-finite input, so steady clean input
      // never reads the slot.
      if (this.idleNonFinite > 0) d[R.nonFinite] += this.idleNonFinite;
      if (this.idle) {
        status = this.idleStatus();
        d[R.gainApplied] = 0;
        d[R.gainWanted] = 0;
      }
    } else {
      d.fill(NaN, 0, READOUT_COUNT);
    }
    d[R.status] = ((status & ~LINK_STATUS_MASK) | this.linkBits) >>> 0;
    d.set(this.values, READOUT_PARAMETERS);
    d.copyWithin(READOUT_LINK, READOUT_PARAMETERS + P.link, READOUT_PARAMETERS + P.link + 1);
    d.copyWithin(READOUT_MODE, READOUT_PARAMETERS + P.mode, READOUT_PARAMETERS + P.mode + 1);
  }

  // ---- internals ----

  private relink(): void {
    this.linkChannel = this.bus.channel(this.values[P.link]);
    if (this.claimedLink !== 0) this.bus.release(this.claimedLink, this);
    this.claimedLink = 0;
    this.claimedChannel = null;
    this.reader.reset();
    this.needBegin = true;
    const mode = this.values[P.mode];
    if (mode === MODE_REFERENCE) this.tryClaim();
    if (mode === MODE_SIDECHAIN) {
      if (this.sideRing === null) this.sideRing = new FrameRing(this.bus.capacity, this.channels);
      this.sideRing.reset();
    }
  }

  private tryClaim(): void {
    const link = this.values[P.link];
    if (this.bus.claim(link, this, this.inChannels)) {
      this.claimedLink = link;
      this.claimedChannel = this.bus.channel(link);
    }
  }

  private begin(inputs: Float32Array[][]): void {
    this.needBegin = false;
    const mode = this.values[P.mode];
    if (!(this.idle && this.idleKnown)) {
      this.idle = mode === MODE_REFERENCE && !this.watched && this.engine !== null && this.engine.engineIsIdle(this.handle) === 1;
      this.idleKnown = this.idle;
    }
    if (mode === MODE_REFERENCE) {
      // A claim only when the channel is free (a duplicate reference would otherwise ask the bus every quantum).
      if (this.claimedLink === 0 && this.linkChannel.owner === null) this.tryClaim();
      this.linkBits = this.claimedLink !== 0 ? S.linked : S.duplicateReference;
    } else if (mode === MODE_MATCH) {
      this.linkBits = this.reader.begin(this.linkChannel, this.frame0, this.quantum);
    } else if (mode === MODE_SIDECHAIN) {
      const side = inputs.length > 1 ? inputs[1] : undefined;
      this.linkBits = side !== undefined && side.length > 0 ? S.linked : S.noReference;
    } else {
      this.linkBits = mode === MODE_TRACK && this.trackLoudness !== this.trackLoudness ? S.noReference : 0;
    }
  }

  /**
   * The status an engine in reference mode would report while this is an idle reference (the engine did not
   * run), from the integer copies of follow and bypass (setParameter keeps them).
   */
  private idleStatus(): number {
    let st = 0;
    if (this.follow === 1) st |= S.learning;
    if (this.follow === 2) st |= S.held;
    if (this.bypassOn) st |= S.bypassed;
    if (this.framesSinceIdleNonFinite < this.nonFiniteHoldFrames) st |= S.nonFiniteInput;
    return st;
  }

  /** Refreshes the shard's views if the memory grew (once for all its processors) and this core's ref views. */
  private checkViews(): void {
    const shard = this.shard;
    if (shard === null) return;
    shard.refresh();
    if (shard.generation === this.viewGeneration) return;
    this.viewGeneration = shard.generation;
    const buf = shard.f32.buffer;
    for (let c = 0; c < MAX_RING_CHANNELS; c++) {
      this.refViews[c] = new Float32Array(buf, this.refAt[c] << 2, ENGINE_MAX_FRAMES);
      this.outViews[c] = new Float32Array(buf, this.outAt[c] << 2, ENGINE_MAX_FRAMES);
    }
    if (this.readoutPtr !== 0) this.readoutView = new Float64Array(buf, this.readoutPtr, READOUT_COUNT);
  }

  private setChannels(inCh: number, refCh: number): void {
    if (inCh === this.inChannels && refCh === this.refChannels) return;
    this.inChannels = inCh;
    this.refChannels = refCh;
    this.engine!.engineSetChannels(this.handle, inCh, refCh);
    this.engineChanged();
    this.checkViews();
  }

  private processChunk(inputs: Float32Array[][], outputs: Float32Array[][], s: number, n: number): void {
    const e = this.engine!;
    const h = this.handle;
    const frame = this.frame0 + s;
    const input = inputs.length > 0 ? inputs[0] : undefined;
    let ci = input === undefined ? 0 : input.length;
    if (ci > MAX_RING_CHANNELS) ci = MAX_RING_CHANNELS;
    const mode = this.values[P.mode];

    // Channel counts first (a change may grow the WASM memory and move the views).
    let refCh = this.refChannels;
    let side: Float32Array[] | undefined;
    let sc = 0;
    if (mode === MODE_MATCH) {
      const ring = this.linkChannel.ring;
      if (this.reader.sending && ring !== null && ring.channels > 0) refCh = ring.channels;
    } else if (mode === MODE_SIDECHAIN) {
      side = inputs.length > 1 ? inputs[1] : undefined;
      sc = side === undefined ? 0 : Math.min(side.length, MAX_RING_CHANNELS);
      if (sc > 0) refCh = sc;
    }
    this.setChannels(ci > 0 ? ci : this.inChannels, refCh); // checks the views when the counts change

    // Input (an unconnected input meters silence).
    const heap = this.shard!.f32;
    const inCh = this.inChannels;
    for (let c = 0; c < inCh; c++) {
      const at = this.inAt[c];
      if (c < ci) {
        const src = input![c];
        if (s === 0 && n === src.length) heap.set(src, at); // the whole quantum: a block copy
        else for (let i = 0; i < n; i++) heap[at + i] = src[s + i];
      } else {
        heap.fill(0, at, at + n);
      }
    }

    // Reference, delayed by the engine's latency (detected or manual); a change crossfades.
    let valid = 0;
    if (mode === MODE_REFERENCE) {
      if (this.publishSanitized(inputs, s, n) < 0) this.publish(inputs, s, n);
      // More channels than the ring had: it took a new block (the memory may have grown).
      this.checkViews();
    } else if (mode === MODE_MATCH || mode === MODE_SIDECHAIN) {
      if (mode === MODE_SIDECHAIN && sc > 0) this.sideRing!.write(frame, side!, sc, s, n);
      const usable = mode === MODE_MATCH || sc > 0;
      // What engineProcess returned last time; asked again only after a call that may change it.
      if (!this.latencyKnown) {
        this.latencyTarget = e.engineLatencyFrames(h);
        this.latencyKnown = true;
      }
      const target = this.latencyTarget;
      if (this.latencyNow < 0) this.latencyNow = this.latencyNext = target;
      else if (this.latencyNext === this.latencyNow && target !== this.latencyNow) {
        this.latencyNext = target;
        this.latencyFaded = 0;
      }
      const got = usable ? this.readReferenceTo(mode, frame, n, this.latencyNow, this.refAt, MAX_RING_CHANNELS, this.refStride) : 0;
      valid = got > 0 && got === this.refChannels ? 1 : 0;
      if (this.latencyNext !== this.latencyNow && this.fadeLatency(mode, frame, n, valid === 1)) valid = 1;
      this.feedDetector(mode, frame, n, usable);
    } else if (mode === MODE_TRACK) {
      // Without a track the engine runs in match mode (sendModeAndTarget): its detector, if any, gets silence.
      this.feedDetector(mode, frame, n, false);
    }

    const latency = e.engineProcess(h, n, valid);
    if (typeof latency === 'number') this.latencyTarget = latency;
    else this.latencyKnown = false; // an engine that does not say
    this.processed = true;

    // Output: engine output c for the input's channels; a mono input also feeds output 1; others silent.
    const outHeap = this.shard!.f32; // read again: publishing above may have grown the memory
    const out = outputs.length > 0 ? outputs[0] : undefined;
    const co = out === undefined ? 0 : out.length;
    for (let c = 0; c < co; c++) {
      const d = out![c];
      const from = sourceChannel(c, inCh);
      if (from < 0) {
        d.fill(0, s, s + n);
        continue;
      }
      // An engine that says so has replaced any NaN or infinity in its output by 0 (gain-render finiteOnly).
      if (this.outputFinite && s === 0 && n === ENGINE_MAX_FRAMES && d.length === n) {
        d.set(this.outViews[from]); // the whole quantum: a block copy
        continue;
      }
      const at = this.outAt[from];
      for (let i = 0; i < n; i++) {
        const v = outHeap[at + i];
        d[s + i] = v - v === 0 ? v : 0;
      }
    }
  }

  /**
   * Reads the reference (match: the link ring; sidechain: its ring) `latency` frames behind `frame`. `frame` is a
   * link-bus position (the wrapped clock, frame0 + offset); the rings wrap `frame - latency` themselves
   * (link-bus "Clock"), so the difference needs no care here and stays a small integer.
   */
  private readReference(mode: number, frame: number, n: number, latency: number, dest: Float32Array[]): number {
    if (mode === MODE_MATCH) return this.reader.read(this.linkChannel, frame, n, latency, dest);
    return this.sideRing!.read(frame - latency, n, dest, 0);
  }

  /**
   * readReference() into the engine's memory, channel c at f32 index destAt[c], at most maxChannels: a memmove
   * when the link ring lives in the same WebAssembly memory (FrameRing "Storage").
   */
  private readReferenceTo(mode: number, frame: number, n: number, latency: number, destAt: Int32Array, maxChannels: number, destStride: number): number {
    const heap = this.shard!.f32;
    if (mode === MODE_MATCH) return this.reader.readTo(this.linkChannel, frame, n, latency, heap, destAt, maxChannels, destStride);
    return this.sideRing!.readTo(frame - latency, n, heap, destAt, maxChannels, destStride);
  }

  /**
   * A latency change in progress: mixes the reference at the new delay into refViews with a linear crossfade
   * over LATENCY_CROSSFADE_SECONDS; at its end the new delay is the current one. If the new position cannot be
   * read (not held yet), the change waits.
   */
  private fadeLatency(mode: number, frame: number, n: number, oldValid: boolean): boolean {
    const got = this.readReference(mode, frame, n, this.latencyNext, this.fadeViews);
    if (got !== this.refChannels) return false;
    const len = this.latencyFadeFrames;
    const done = this.latencyFaded;
    for (let c = 0; c < got; c++) {
      const d = this.refViews[c];
      const f = this.fadeViews[c];
      for (let i = 0; i < n; i++) {
        const x = done + i + 1 >= len ? 1 : (done + i + 1) / len;
        d[i] = oldValid ? d[i] + (f[i] - d[i]) * x : f[i];
      }
    }
    this.latencyFaded = done + n;
    if (this.latencyFaded >= len || !oldValid) {
      this.latencyNow = this.latencyNext;
      this.latencyFaded = 0;
    }
    return true;
  }

  /**
   * Writes the unaligned reference's channels 0 and 1 (0 when absent) straight from the ring into the engine's
   * two staging buffers for its latency detector, which mixes them (engine-abi engineLatencyReference / B).
   * Not while the detector rests: it reads none then.
   */
  private feedDetector(mode: number, frame: number, n: number, usable: boolean): void {
    if (!this.detectorKnown) {
      // Asked after a call into the engine only (its detector is allocated, or turned off, by a parameter).
      const e = this.engine!;
      const ptr = e.engineLatencyReference(this.handle);
      const ptrB = ptr === 0 ? 0 : e.engineLatencyReferenceB(this.handle);
      this.detectorAt = ptr;
      this.detectorBAt = ptrB;
      this.detectorIdx[0] = ptr >>> 2;
      this.detectorIdx[1] = ptrB >>> 2;
      this.detectorKnown = true;
    }
    const ptr = this.detectorAt;
    if (ptr === 0) return;
    // A resting detector reads no unaligned reference (engine-abi engineLatencyActivity): nothing to copy.
    const e = this.engine!;
    if (e.engineLatencyActivity !== undefined && (e.engineLatencyActivity(this.handle) & 1) === 1) return;
    const ptrB = this.detectorBAt;
    const heap = this.shard!.f32;
    const got = usable ? this.readReferenceTo(mode, frame, n, 0, this.detectorIdx, 2, this.detectorIdx[1] - this.detectorIdx[0]) : 0;
    if (got <= 0) heap.fill(0, ptr >>> 2, (ptr >>> 2) + n);
    if (got <= 1) heap.fill(0, ptrB >>> 2, (ptrB >>> 2) + n);
  }

  /** Reference mode: writes input 0 (when connected) into the claimed link channel's ring. */
  private publish(inputs: Float32Array[][], s: number, n: number, finite = false): void {
    const ch = this.claimedChannel;
    if (ch === null || this.values[P.mode] !== MODE_REFERENCE) return;
    const input = inputs.length > 0 ? inputs[0] : undefined;
    if (input === undefined || input.length === 0) return;
    ch.ring!.write(this.frame0 + s, input, input.length, s, n, finite);
  }

  /**
   * publish() of a whole quantum by block copy into a ring in the WebAssembly memory, sanitised there by one SIMD
   * pass (FrameRing.writeSanitized). Returns the non-finite samples replaced (0: the input was clean), or -1
   * when nothing was published this way (no claimed ring there, no input, a partial quantum): publish() then.
   */
  private publishSanitized(inputs: Float32Array[][], s: number, n: number): number {
    const ch = this.claimedChannel;
    if (ch === null || s !== 0 || this.values[P.mode] !== MODE_REFERENCE) return -1;
    const input = inputs.length > 0 ? inputs[0] : undefined;
    if (input === undefined || input.length === 0) return -1;
    return ch.ring!.writeSanitized(this.frame0, input, input.length, n);
  }

  /**
   * An idle reference's chunk: the input goes out unchanged and onto the link. The usual case, a whole clean
   * quantum with a ring in the WebAssembly memory, is block copies and one SIMD check (publishSanitized); a
   * non-finite sample, or no such ring, takes passThrough (which replaces and counts them).
   */
  private idleChunk(inputs: Float32Array[][], outputs: Float32Array[][], s: number, n: number): void {
    let bad = this.publishSanitized(inputs, s, n);
    const published = bad >= 0;
    // Not published that way (a duplicate reference, say): checked in the engine's input buffers instead.
    if (!published) bad = this.checkInEngine(inputs, s, n);
    if (bad === 0) {
      const input = inputs[0];
      const ci = input.length;
      const out = outputs.length > 0 ? outputs[0] : undefined;
      const co = out === undefined ? 0 : out.length;
      let fast = true;
      for (let c = 0; c < co; c++) if (out![c].length !== n) fast = false;
      if (fast) {
        for (let c = 0; c < co; c++) {
          const from = sourceChannel(c, ci);
          if (from < 0) out![c].fill(0);
          else out![c].set(input[from]);
        }
        if (!published) this.publish(inputs, s, n, true);
        this.countCleanFrames(n);
        return;
      }
    }
    const counted = this.passThrough(inputs, outputs, s, n);
    this.idleNonFinite += counted;
    if (!published) this.publish(inputs, s, n, counted === 0 && this.passThroughChecked);
  }

  /**
   * Counts the non-finite samples of a whole quantum of input 0 by block-copying it into the engine's input
   * buffers and running the engine's SIMD sanitising pass there (the engine does not run: an idle reference).
   * -1 when that cannot be done (a partial quantum, no input, an engine without sanitizeBlock).
   */
  private checkInEngine(inputs: Float32Array[][], s: number, n: number): number {
    const e = this.engine;
    const input = inputs.length > 0 ? inputs[0] : undefined;
    if (e === null || e.sanitizeBlock === undefined || s !== 0 || input === undefined || input.length === 0) return -1;
    const ci = input.length < MAX_RING_CHANNELS ? input.length : MAX_RING_CHANNELS;
    for (let c = 0; c < ci; c++) if (input[c].length !== n) return -1;
    const heap = this.shard!.f32;
    for (let c = 0; c < ci; c++) heap.set(input[c], this.inAt[c]);
    // One call for every channel when the buffers are evenly spaced (the engine lays them out so).
    if (this.inStride !== 0) return this.shard!.sanitizeChannels(this.inAt[0] << 2, this.inStride << 2, n, ci);
    let bad = 0;
    for (let c = 0; c < ci; c++) bad += e.sanitizeBlock(this.inAt[c] << 2, n);
    return bad;
  }

  /** Frames since the last non-finite input sample, counted up to the hold only (stays a small integer). */
  private countCleanFrames(n: number): void {
    const f = this.framesSinceIdleNonFinite;
    if (f < this.nonFiniteHoldFrames) this.framesSinceIdleNonFinite = f + n;
  }

  /**
   * No engine, or an idle reference: the input goes through unchanged (finite), so a failure never silences a
   * track. Returns the count of non-finite input samples (replaced by 0), over the input's own channels.
   */
  private passThrough(inputs: Float32Array[][], outputs: Float32Array[][], s: number, n: number): number {
    const input = inputs.length > 0 ? inputs[0] : undefined;
    const ci = input === undefined ? 0 : input.length;
    const out = outputs.length > 0 ? outputs[0] : undefined;
    const co = out === undefined ? 0 : out.length;
    let bad = 0;
    let checked = ci > 0 && ci <= co;
    for (let c = 0; c < co; c++) {
      const d = out![c];
      const from = sourceChannel(c, ci);
      if (from < 0) {
        d.fill(0, s, s + n);
        continue;
      }
      const src = input![from];
      const counted = from === c;
      // The whole quantum, all finite (the usual case): one check pass, then a block copy.
      if (s === 0 && n === src.length && n === d.length && allFinite(src, n)) {
        d.set(src);
        continue;
      }
      if (counted) checked = false;
      for (let i = 0; i < n; i++) {
        const v = src[s + i];
        if (v - v === 0) {
          d[s + i] = v;
        } else {
          d[s + i] = 0;
          if (counted) bad++;
        }
      }
    }
    if (bad > 0) this.framesSinceIdleNonFinite = 0;
    else this.countCleanFrames(n);
    this.passThroughChecked = checked;
    return bad;
  }
}
