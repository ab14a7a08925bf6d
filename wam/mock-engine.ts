/**
 * A stand-in for the WASM gain engine (engine-abi.ts), in JavaScript, for the processor-core tests: it applies
 * a flat gain (set by engineSetGain; output = the reference when listen = 1), and records every call so tests can
 * see what the processor fed it. Test code only.
 */
import { P, PARAM_COUNT, R, READOUT_COUNT, S, type EngineExports } from './engine-abi.ts';

export interface MockCall {
  frames: number;
  referenceValid: number;
  /** Copies of the input / reference buffers as fed (active channels only). */
  input: Float32Array[];
  reference: Float32Array[];
}

export interface MockEngine extends EngineExports {
  readonly calls: MockCall[];
  readonly params: Float64Array;
  readonly channelChanges: Array<[number, number]>;
  readonly gainSets: Array<[number, number]>;
  resets: number;
  /** engineReset calls (an engine handed to a new processor) and the last engineSetWatched value. */
  engineResets: number;
  watched: number;
  gainDb: number;
  /** Status bits the engine reports (engine part). */
  status: number;
  /** Replace the memory's buffer on the next engineSetChannels (a WASM memory.grow detaches the old one). */
  growOnSetChannels: boolean;
  /** Make the next engineProcess write NaN into output channel 0. */
  poisonOutput: boolean;
  /** The automatic latency (frames) engineSetLatency restored: what the mock applies with autoLatency on. */
  restoredLatency: number;
}

const MAX_CHANNELS = 8;

export function createMockEngine(options: { failCreate?: boolean } = {}): MockEngine {
  const memory = { buffer: new ArrayBuffer(1 << 20) } as unknown as WebAssembly.Memory;
  let maxFrames = 0;
  const base = 4096;
  const region = (kind: number, c: number) => base + (kind * MAX_CHANNELS + c) * maxFrames * 4;
  const readoutAt = () => region(3, 0);
  const f32 = (ptr: number, n: number) => new Float32Array(memory.buffer, ptr, n);
  let inCh = 1;
  let refCh = 1;
  let rate = 48000;

  const m: MockEngine = {
    memory,
    calls: [],
    params: new Float64Array(PARAM_COUNT),
    channelChanges: [],
    gainSets: [],
    resets: 0,
    engineResets: 0,
    watched: 1,
    gainDb: 0,
    status: 0,
    growOnSetChannels: false,
    poisonOutput: false,
    restoredLatency: 0,
    engineParamCount: () => PARAM_COUNT,
    engineReadoutCount: () => READOUT_COUNT,
    createEngine(sampleRate, frames) {
      if (options.failCreate || sampleRate < 8000 || sampleRate > 384000 || frames < 1) return 0;
      maxFrames = frames;
      rate = sampleRate;
      return 64;
    },
    engineInput: (_h, c) => region(0, c),
    engineReference: (_h, c) => region(1, c),
    engineOutput: (_h, c) => region(2, c),
    engineSetChannels(_h, i, r) {
      inCh = i;
      refCh = r;
      m.channelChanges.push([i, r]);
      if (m.growOnSetChannels) {
        const old = new Uint8Array(memory.buffer);
        const next = new ArrayBuffer(old.length * 2);
        new Uint8Array(next).set(old);
        // As memory.grow does: the old buffer is detached (its views read length 0).
        structuredClone(old.buffer, { transfer: [old.buffer] });
        (memory as unknown as { buffer: ArrayBuffer }).buffer = next;
        m.growOnSetChannels = false;
      }
    },
    engineSetParam(_h, slot, value) {
      m.params[slot] = value;
    },
    engineProcess(_h, frames, referenceValid) {
      const input = Array.from({ length: inCh }, (_, c) => f32(region(0, c), frames).slice());
      const reference = Array.from({ length: refCh }, (_, c) => f32(region(1, c), frames).slice());
      m.calls.push({ frames, referenceValid, input, reference });
      const g = m.params[P.bypass] ? 1 : 10 ** (m.gainDb / 20);
      for (let c = 0; c < inCh; c++) {
        const out = f32(region(2, c), frames);
        const listenRef = m.params[P.listen] === 1;
        const src = listenRef ? f32(region(1, Math.min(c, refCh - 1)), frames) : f32(region(0, c), frames);
        for (let i = 0; i < frames; i++) out[i] = listenRef ? (referenceValid ? src[i] : 0) : src[i] * g;
      }
      if (m.poisonOutput) {
        f32(region(2, 0), frames).fill(NaN);
        m.poisonOutput = false;
      }
    },
    engineSetGain(_h, db, immediate) {
      m.gainDb = db;
      m.gainSets.push([db, immediate]);
    },
    engineResetMeters() {
      m.resets++;
    },
    // No detector: the manual latency always applies (or a restored one, with autoLatency on).
    engineLatencyReference: () => 0,
    engineLatencyReferenceB: () => 0,
    engineLatencyFrames: () =>
      m.params[P.autoLatency] === 1 ? m.restoredLatency : Math.round((m.params[P.latency] * rate) / 1000),
    engineSetLatency(_h, frames) {
      m.restoredLatency = frames;
    },
    engineReset() {
      m.engineResets++;
      m.restoredLatency = 0; // as the engine: a reset forgets the applied automatic latency
    },
    engineSetWatched(_h, watched) {
      m.watched = watched;
      return m.params[P.mode] === 0 && !watched ? 1 : 0;
    },
    engineIsIdle() {
      return m.params[P.mode] === 0 && !m.watched ? 1 : 0;
    },
    engineReadoutStatus() {
      return new Float64Array(memory.buffer, readoutAt(), READOUT_COUNT)[R.status];
    },
    engineUpdateReadout() {
      const d = new Float64Array(memory.buffer, readoutAt(), READOUT_COUNT);
      d.fill(-Infinity);
      d[R.gainApplied] = m.gainDb;
      d[R.gainWanted] = m.gainDb;
      d[R.engineGain] = m.gainDb;
      d[R.status] = m.status | (m.params[P.bypass] ? S.bypassed : 0);
      d[R.nonFinite] = 0;
      d[R.learnSeconds] = 0;
      return readoutAt();
    },
  };
  return m;
}
