/**
 * The processor's audio logic, independent of the WAM SDK and of the AudioWorkletGlobalScope globals so that
 * it runs (and is tested) in plain Node with any implementation of the engine ABI.
 *
 * AUDIO THREAD: everything reachable from beginQuantum / processSlice / endQuantum / setParameter runs inside
 * AudioWorkletProcessor.process(). It must not allocate in steady state (views are rebuilt only when the WASM
 * memory grows, link rings are allocated once when a channel is first claimed), throw, log, or use URL, fetch,
 * atob, TextDecoder, timers or performance.
 *
 * Per instance: one engine (one WASM instance, created by the caller) fed in chunks of at most
 * ENGINE_MAX_FRAMES frames, whatever the render quantum length. Input 0 is the signal; input 1 the sidechain.
 */
import { P, R, READOUT_COUNT, S, type EngineExports } from './engine-abi.ts';
import { FrameRing, LINK_STATUS_MASK, LinkReader, MAX_RING_CHANNELS, type LinkBus } from './link-bus.ts';
import { PARAMETERS, clampSlot, defaultParameterValues } from './parameters.ts';
import { READOUT_FRAME, READOUT_LINK, READOUT_MESSAGE_LENGTH, READOUT_MODE, READOUT_PARAMETERS } from './readout.ts';
import { makeState, type LevelMatchState } from './state.ts';

/** Frames per engine call (the engine is created with this maxFrames). */
export const ENGINE_MAX_FRAMES = 128;
/** Readouts are posted every this many seconds of audio (25 Hz). */
export const READOUT_INTERVAL_SECONDS = 0.04;
/**
 * A change of the reference's delay crossfades between the old and the new read positions over this long: no
 * click in a reference / delta listen, and the reference meter's alignment glides instead of jumping.
 */
export const LATENCY_CROSSFADE_SECONDS = 0.02;

const MODE_REFERENCE = 0;
const MODE_MATCH = 1;
const MODE_SIDECHAIN = 2;

export interface CoreOptions {
  sampleRate: number;
  /** Channel count of the node (its output). */
  channels: number;
  bus: LinkBus;
  /** A fresh engine instance's exports, or null when the WASM could not be instantiated. */
  engine: EngineExports | null;
}

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
  /** The engine gain (dB) last read or set: what getState reports if the engine is gone. */
  private lastGain = 0;
  private handle = 0;
  private readonly bus: LinkBus;
  private readonly reader = new LinkReader();
  private sideRing: FrameRing | null = null;
  /** The link channel this instance publishes on (reference mode), 0 when none. */
  private claimedLink = 0;
  private linkBits = 0;
  private inChannels: number;
  private refChannels: number;
  private viewBuffer: ArrayBuffer | null = null;
  private readonly inViews: Float32Array[] = [];
  private readonly refViews: Float32Array[] = [];
  private readonly outViews: Float32Array[] = [];
  private heap64: Float64Array = new Float64Array(0);
  private frame0 = 0;
  private quantum = ENGINE_MAX_FRAMES;
  private needBegin = true;
  private sinceReadout = 0;
  private readonly readoutInterval: number;
  /** The reference's delay in frames (the read position behind the input), -1 before the first chunk. */
  private latencyNow = -1;
  /** The delay being faded to, and how far (frames) the fade has gone; latencyNext === latencyNow: no fade. */
  private latencyNext = -1;
  private latencyFaded = 0;
  private readonly latencyFadeFrames: number;
  /** Scratch for the reference at the new delay during a fade, and the unaligned reference for the detector. */
  private readonly fadeViews: Float32Array[] = [];
  private readonly rawViews: Float32Array[] = [];
  /** The engine's detector input (mono), rebuilt when its address or the WASM memory changes. */
  private latencyView: Float32Array | null = null;
  private latencyPtr = 0;

  constructor(options: CoreOptions) {
    this.sampleRate = options.sampleRate;
    this.channels = Math.min(MAX_RING_CHANNELS, Math.max(1, options.channels | 0));
    this.bus = options.bus;
    this.inChannels = this.channels;
    this.refChannels = this.channels;
    this.readoutInterval = Math.max(1, Math.round(READOUT_INTERVAL_SECONDS * this.sampleRate));
    this.latencyFadeFrames = Math.max(1, Math.round(LATENCY_CROSSFADE_SECONDS * this.sampleRate));
    for (let c = 0; c < MAX_RING_CHANNELS; c++) {
      this.fadeViews.push(new Float32Array(ENGINE_MAX_FRAMES));
      this.rawViews.push(new Float32Array(ENGINE_MAX_FRAMES));
    }
    const e = options.engine;
    if (e === null) {
      this.error = 'the WebAssembly engine could not be instantiated';
    } else if (typeof e.createEngine !== 'function') {
      this.error = 'the WebAssembly module has no engine (createEngine is missing)';
    } else {
      const h = e.createEngine(this.sampleRate, ENGINE_MAX_FRAMES);
      if (h === 0) {
        this.error = `the engine rejected sample rate ${this.sampleRate}`;
      } else {
        this.engine = e;
        this.handle = h;
        e.engineSetChannels(h, this.inChannels, this.refChannels);
        for (let slot = 0; slot < PARAMETERS.length; slot++) e.engineSetParam(h, slot, this.values[slot]);
        this.checkViews();
      }
    }
    this.relink();
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
    if (this.engine !== null) this.engine.engineSetParam(this.handle, slot, v);
    if (slot === P.link || slot === P.mode) this.relink();
    return v;
  }

  /**
   * Applies a validated state: every parameter, then the engine gain and the applied automatic latency (before
   * any audio: at once, so a bounce is aligned from its first sample; after: crossfaded like a detection).
   */
  applyState(state: LevelMatchState): void {
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
      this.lastGain = this.heap64[(ptr >>> 3) + R.engineGain];
    }
    const frames = this.engine !== null ? this.engine.engineLatencyFrames(this.handle) : this.latencyNow;
    const latencyMs = this.values[P.autoLatency] === 1 && frames > 0 ? (frames * 1000) / this.sampleRate : undefined;
    return makeState(this.values, this.lastGain, this.channels, latencyMs);
  }

  resetMeters(): void {
    if (this.engine !== null) this.engine.engineResetMeters(this.handle);
  }

  /**
   * The engine failed (a WASM trap): drop it and pass audio through from now on, reporting `reason`. The state
   * keeps the last gain read from the engine; a reference instance keeps publishing its input on the link.
   */
  fail(reason: string): void {
    this.error = reason;
    this.engine = null;
    this.handle = 0;
    this.viewBuffer = null;
  }

  /** Leaves the link and drops the engine. */
  destroy(): void {
    if (this.claimedLink !== 0) this.bus.release(this.claimedLink, this);
    this.claimedLink = 0;
    this.engine = null;
    this.handle = 0;
    this.viewBuffer = null;
  }

  /** Starts a render quantum of `quantum` frames at absolute frame `frame0`. */
  beginQuantum(inputs: Float32Array[][], frame0: number, quantum: number): void {
    this.frame0 = frame0;
    this.quantum = quantum;
    this.begin(inputs);
  }

  /** Processes frames [start, end) of the current quantum. */
  processSlice(inputs: Float32Array[][], outputs: Float32Array[][], start: number, end: number): void {
    if (this.needBegin) this.begin(inputs);
    let s = start;
    while (s < end) {
      const n = end - s < ENGINE_MAX_FRAMES ? end - s : ENGINE_MAX_FRAMES;
      if (this.engine === null) {
        this.passThrough(inputs, outputs, s, n);
        this.publish(inputs, s, n);
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
    if (this.sinceReadout < this.readoutInterval) return false;
    this.sinceReadout -= this.readoutInterval;
    if (this.sinceReadout >= this.readoutInterval) this.sinceReadout = 0;
    this.fillReadout(this.frame0 + this.quantum);
    return true;
  }

  /** Fills `readout` now (also used by tests). */
  fillReadout(frame: number): Float64Array {
    const d = this.readout;
    if (this.engine !== null) {
      const ptr = this.engine.engineUpdateReadout(this.handle);
      this.checkViews();
      const base = ptr >>> 3;
      const heap = this.heap64;
      for (let i = 0; i < READOUT_COUNT; i++) d[i] = heap[base + i];
      this.lastGain = d[R.engineGain];
    } else {
      d.fill(NaN, 0, READOUT_COUNT);
      d[R.status] = 0;
    }
    d[R.status] = ((d[R.status] & ~LINK_STATUS_MASK) | this.linkBits) >>> 0;
    d[READOUT_LINK] = this.values[P.link];
    d[READOUT_MODE] = this.values[P.mode];
    d[READOUT_FRAME] = frame;
    d.set(this.values, READOUT_PARAMETERS);
    return d;
  }

  // ---- internals ----

  private relink(): void {
    if (this.claimedLink !== 0) this.bus.release(this.claimedLink, this);
    this.claimedLink = 0;
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
    if (this.bus.claim(link, this, this.inChannels)) this.claimedLink = link;
  }

  private begin(inputs: Float32Array[][]): void {
    this.needBegin = false;
    const mode = this.values[P.mode];
    if (mode === MODE_REFERENCE) {
      if (this.claimedLink === 0) this.tryClaim();
      this.linkBits = this.claimedLink !== 0 ? S.linked : S.duplicateReference;
    } else if (mode === MODE_MATCH) {
      this.linkBits = this.reader.begin(this.bus.channel(this.values[P.link]), this.frame0, this.quantum);
    } else if (mode === MODE_SIDECHAIN) {
      const side = inputs.length > 1 ? inputs[1] : undefined;
      this.linkBits = side !== undefined && side.length > 0 ? S.linked : S.noReference;
    } else {
      this.linkBits = 0;
    }
  }

  private checkViews(): void {
    const e = this.engine;
    if (e === null) return;
    const buf = e.memory.buffer;
    if (buf === this.viewBuffer) return;
    this.viewBuffer = buf as ArrayBuffer;
    const h = this.handle;
    for (let c = 0; c < MAX_RING_CHANNELS; c++) {
      this.inViews[c] = new Float32Array(buf, e.engineInput(h, c), ENGINE_MAX_FRAMES);
      this.refViews[c] = new Float32Array(buf, e.engineReference(h, c), ENGINE_MAX_FRAMES);
      this.outViews[c] = new Float32Array(buf, e.engineOutput(h, c), ENGINE_MAX_FRAMES);
    }
    this.heap64 = new Float64Array(buf, 0, buf.byteLength >>> 3);
  }

  private setChannels(inCh: number, refCh: number): void {
    if (inCh === this.inChannels && refCh === this.refChannels) return;
    this.inChannels = inCh;
    this.refChannels = refCh;
    this.engine!.engineSetChannels(this.handle, inCh, refCh);
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
      const ring = this.bus.channel(this.values[P.link]).ring;
      if (this.reader.sending && ring !== null && ring.channels > 0) refCh = ring.channels;
    } else if (mode === MODE_SIDECHAIN) {
      side = inputs.length > 1 ? inputs[1] : undefined;
      sc = side === undefined ? 0 : Math.min(side.length, MAX_RING_CHANNELS);
      if (sc > 0) refCh = sc;
    }
    this.setChannels(ci > 0 ? ci : this.inChannels, refCh);
    this.checkViews();

    // Input (an unconnected input meters silence).
    const inCh = this.inChannels;
    for (let c = 0; c < inCh; c++) {
      const d = this.inViews[c];
      if (c < ci) {
        const src = input![c];
        for (let i = 0; i < n; i++) d[i] = src[s + i];
      } else {
        d.fill(0, 0, n);
      }
    }

    // Reference, delayed by the engine's latency (detected or manual); a change crossfades.
    let valid = 0;
    if (mode === MODE_REFERENCE) {
      this.publish(inputs, s, n);
    } else if (mode === MODE_MATCH || mode === MODE_SIDECHAIN) {
      if (mode === MODE_SIDECHAIN && sc > 0) this.sideRing!.write(frame, side!, sc, s, n);
      const usable = mode === MODE_MATCH || sc > 0;
      const target = e.engineLatencyFrames(h);
      if (this.latencyNow < 0) this.latencyNow = this.latencyNext = target;
      else if (this.latencyNext === this.latencyNow && target !== this.latencyNow) {
        this.latencyNext = target;
        this.latencyFaded = 0;
      }
      const got = usable ? this.readReference(mode, frame, n, this.latencyNow, this.refViews) : 0;
      valid = got > 0 && got === this.refChannels ? 1 : 0;
      if (this.latencyNext !== this.latencyNow && this.fadeLatency(mode, frame, n, valid === 1)) valid = 1;
      this.feedDetector(mode, frame, n, usable);
    }

    e.engineProcess(h, n, valid);
    this.processed = true;

    // Output: engine output c for the input's channels; a mono input also feeds output 1; others silent.
    const out = outputs.length > 0 ? outputs[0] : undefined;
    const co = out === undefined ? 0 : out.length;
    for (let c = 0; c < co; c++) {
      const d = out![c];
      const from = c < inCh ? c : inCh === 1 && c === 1 ? 0 : -1;
      if (from < 0) {
        d.fill(0, s, s + n);
        continue;
      }
      const src = this.outViews[from];
      for (let i = 0; i < n; i++) {
        const v = src[i];
        d[s + i] = v - v === 0 ? v : 0;
      }
    }
  }

  /** Reads the reference (match: the link ring; sidechain: its ring) `latency` frames behind `frame`. */
  private readReference(mode: number, frame: number, n: number, latency: number, dest: Float32Array[]): number {
    if (mode === MODE_MATCH) return this.reader.read(this.bus.channel(this.values[P.link]), frame, n, latency, dest);
    return this.sideRing!.read(frame - latency, n, dest, 0);
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

  /** Writes the unaligned reference (mono mix, 0 when absent) where the engine's latency detector reads it. */
  private feedDetector(mode: number, frame: number, n: number, usable: boolean): void {
    const e = this.engine!;
    const ptr = e.engineLatencyReference(this.handle);
    if (ptr === 0) return;
    if (ptr !== this.latencyPtr || this.latencyView === null || this.latencyView.buffer !== e.memory.buffer) {
      this.latencyPtr = ptr;
      this.latencyView = new Float32Array(e.memory.buffer, ptr, ENGINE_MAX_FRAMES);
    }
    const d = this.latencyView;
    const got = usable ? this.readReference(mode, frame, n, 0, this.rawViews) : 0;
    if (got <= 0) {
      d.fill(0, 0, n);
      return;
    }
    const src0 = this.rawViews[0];
    for (let i = 0; i < n; i++) d[i] = src0[i];
    for (let c = 1; c < got; c++) {
      const src = this.rawViews[c];
      for (let i = 0; i < n; i++) d[i] += src[i];
    }
    if (got > 1) {
      const g = 1 / got;
      for (let i = 0; i < n; i++) d[i] *= g;
    }
  }

  /** Reference mode: writes input 0 (when connected) into the claimed link channel's ring. */
  private publish(inputs: Float32Array[][], s: number, n: number): void {
    if (this.claimedLink === 0 || this.values[P.mode] !== MODE_REFERENCE) return;
    const input = inputs.length > 0 ? inputs[0] : undefined;
    if (input === undefined || input.length === 0) return;
    this.bus.channel(this.claimedLink).ring!.write(this.frame0 + s, input, input.length, s, n);
  }

  /** No engine: the input goes through unchanged (finite), so a failure never silences a track. */
  private passThrough(inputs: Float32Array[][], outputs: Float32Array[][], s: number, n: number): void {
    const input = inputs.length > 0 ? inputs[0] : undefined;
    const ci = input === undefined ? 0 : input.length;
    const out = outputs.length > 0 ? outputs[0] : undefined;
    const co = out === undefined ? 0 : out.length;
    for (let c = 0; c < co; c++) {
      const d = out![c];
      const from = c < ci ? c : ci === 1 && c === 1 ? 0 : -1;
      if (from < 0) {
        d.fill(0, s, s + n);
        continue;
      }
      const src = input![from];
      for (let i = 0; i < n; i++) {
        const v = src[s + i];
        d[s + i] = v - v === 0 ? v : 0;
      }
    }
  }
}
