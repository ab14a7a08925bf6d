/**
 * A test rig around the headless host (host-test/harness): loads the BUILT plugin (dist/plugin), creates
 * instances, sets parameters through the node's WAM API, runs quanta through hand-wired graphs, records
 * signals and measures them with the library's LoudnessMeter (itself checked against libebur128 and the EBU
 * tables in dsp/tests), which is independent of the plugin's own readouts.
 */
import * as assert from 'uvu/assert';
import { createHost, type Host, type HostOptions, type Instance, type WamConstructor } from '../harness/host.ts';
import { LoudnessMeter } from '../../lib/index.ts';
import type { ParameterId } from '../../wam/parameters.ts';
import type { Readout } from '../../wam/readout.ts';
import type { Effect } from '../effects.ts';

export type Planar = Float32Array[];
export type Params = Partial<Record<ParameterId, number>>;

/** The parts of LevelMatchNode the tests use. */
export interface PluginNode {
  readonly readout: Readout | null;
  setParameterValues(v: Record<string, { id: string; value: number; normalized: boolean }>): Promise<void>;
  getParameterValues(normalized?: boolean, ...ids: string[]): Promise<Record<string, { id: string; value: number; normalized: boolean }>>;
  getState(): Promise<any>;
  setState(state: unknown): Promise<void>;
  getCompensationDelay(): Promise<number>;
  scheduleEvents(...events: unknown[]): void;
  resetMeters(): void;
  destroy(): void;
  addEventListener(type: string, cb: (e: Event) => void): void;
}

export interface Plugin {
  wam: any;
  node: PluginNode;
  inst: Instance;
}

export interface Rig {
  host: Host;
  groupId: string;
  LevelMatch: WamConstructor;
  /** Adds an instance, watched (a readout listener, as an open GUI adds) unless `options.watch` is false. */
  add(params?: Params, initialState?: unknown, options?: { watch?: boolean }): Promise<Plugin>;
  set(p: Plugin, params: Params): Promise<void>;
  /** Asserts that nothing went wrong in the worklet and nothing was logged there. */
  assertClean(): void;
}

export async function makeRig(options: HostOptions = {}): Promise<Rig> {
  const host = await createHost({ quiet: true, ...options });
  const [groupId] = await host.initializeWamHost();
  const { default: LevelMatch } = await host.importPlugin();
  const set = async (p: Plugin, params: Params): Promise<void> => {
    const values: Record<string, { id: string; value: number; normalized: boolean }> = {};
    for (const [id, value] of Object.entries(params)) values[id] = { id, value: value as number, normalized: false };
    await p.node.setParameterValues(values);
    await host.flush();
  };
  return {
    host,
    groupId,
    LevelMatch,
    async add(params = {}, initialState, options = {}) {
      const wam = await LevelMatch.createInstance(groupId, host.context, initialState);
      const p: Plugin = { wam, node: wam.audioNode as unknown as PluginNode, inst: host.instanceOf(wam.audioNode) };
      // Watched, as with an open GUI: readouts (node.readout) every 40 ms, every reading measured. (Unwatched
      // instances post once a second; host-test/plugin-allocation.test.ts and the scale tests cover them.)
      if (options.watch !== false) (wam.audioNode as unknown as EventTarget).addEventListener('readout', () => {});
      if (Object.keys(params).length > 0) await set(p, params);
      return p;
    },
    set,
    assertClean() {
      assert.equal(host.errors.map((e) => `${e.kind} ${e.where}: ${String((e.error as Error)?.message ?? e.error)}`), [], 'worklet errors');
      assert.equal(host.consoleMessages.map((m) => `${m.level}: ${m.args.map(String).join(' ')}`), [], 'worklet console output');
    },
  };
}

/** Seconds -> whole quanta. */
export const quantaFor = (host: Host, seconds: number): number => Math.round((seconds * host.sampleRate) / host.quantum);

/** A growable planar recording. */
export class Recorder {
  readonly data: Planar;
  length = 0;
  constructor(channels: number, capacity: number) {
    this.data = Array.from({ length: channels }, () => new Float32Array(capacity));
  }
  push(chs: ArrayLike<number>[], frames: number): void {
    for (let c = 0; c < this.data.length; c++) {
      const src = chs[c] ?? chs[0];
      this.data[c].set(Array.prototype.slice.call(src, 0, frames) as number[], this.length);
    }
    this.length += frames;
  }
  view(): Planar {
    return this.data.map((x) => x.subarray(0, this.length));
  }
}

/** Copies `frames` frames of `src` from `offset` into fresh arrays (the stage's own buffer). */
export function slice(src: Planar, offset: number, frames: number): Planar {
  return src.map((x) => {
    const out = new Float32Array(frames);
    const end = Math.min(x.length, offset + frames);
    if (end > offset) out.set(x.subarray(offset, end));
    return out;
  });
}

export interface ChainRun {
  /** Signal after the first plugin (the reference instance's output = the unprocessed signal). */
  reference: Planar;
  /** The last plugin's output. */
  output: Planar;
  /** The last plugin's readout after the run (flushed). */
  readout: Readout | null;
  /** The readouts collected every `flushEvery` seconds. */
  readouts: Readout[];
}

/**
 * Runs source -> ref -> effect -> match for `seconds`, one quantum at a time in graph order.
 * `ref` may be null (match mode without a reference; or target mode: pass match only).
 */
export async function runChain(rig: Rig, source: Planar, ref: Plugin | null, effect: Effect | null, match: Plugin, seconds: number, opts: { flushEvery?: number; onQuantum?: (q: number) => void | Promise<void> } = {}): Promise<ChainRun> {
  const { host } = rig;
  const q = host.quantum;
  const n = quantaFor(host, seconds);
  const channels = source.length;
  const refRec = new Recorder(channels, n * q);
  const outRec = new Recorder(channels, n * q);
  const readouts: Readout[] = [];
  const flushQuanta = Math.max(1, quantaFor(host, opts.flushEvery ?? 0.25));
  for (let i = 0; i < n; i++) {
    let block = slice(source, i * q, q);
    if (ref) {
      const o = ref.inst.process([block]);
      block = o.map((x) => Float32Array.from(x));
    }
    refRec.push(block, q);
    if (effect) effect.process(block, q);
    const out = match.inst.process([block]);
    outRec.push(out, q);
    if (opts.onQuantum) await opts.onQuantum(i);
    host.advance();
    if ((i + 1) % flushQuanta === 0) {
      await host.flush();
      if (match.node.readout) readouts.push(match.node.readout);
    }
  }
  await host.flush();
  return { reference: refRec.view(), output: outRec.view(), readout: match.node.readout, readouts };
}

/** Short-term loudness (LUFS) of `p` at each time in `times` (seconds), measured by the library meter. */
export function shortTermAt(p: Planar, sampleRate: number, times: number[]): number[] {
  const m = LoudnessMeter.createSync({ sampleRate, channels: p.length });
  const out: number[] = [];
  let pos = 0;
  for (const t of times) {
    const end = Math.min(p[0].length, Math.round(t * sampleRate));
    if (end > pos) m.push(p.map((x) => x.subarray(pos, end)));
    pos = end;
    out.push(m.result().shortTerm);
  }
  return out;
}

/** Full-signal readings of `p` (integrated, true peak ...) by the library meter, from `from` seconds. */
export function measure(p: Planar, sampleRate: number, from = 0) {
  const m = LoudnessMeter.createSync({ sampleRate, channels: p.length });
  const start = Math.round(from * sampleRate);
  m.push(p.map((x) => x.subarray(start)));
  return m.result();
}

export const dbToGain = (db: number): number => 10 ** (db / 20);
export const gainToDb = (g: number): number => 20 * Math.log10(g);

/** The largest |20 log10(out[i]/in[i]) - 20 log10(out[i-1]/in[i-1])| where both samples are well above 0. */
export function maxGainStepDb(input: Float32Array, output: Float32Array, from = 0, to = input.length, floor = 0.05): number {
  let worst = 0;
  let prev = NaN;
  for (let i = from; i < to; i++) {
    if (Math.abs(input[i]) < floor) {
      prev = NaN;
      continue;
    }
    const g = gainToDb(output[i] / input[i]);
    if (!Number.isNaN(prev)) worst = Math.max(worst, Math.abs(g - prev));
    prev = g;
  }
  return worst;
}

/** A stereo sine (same phase both channels). */
export function sine(sampleRate: number, seconds: number, hz: number, amplitude: number, channels = 2): Planar {
  const n = Math.round(seconds * sampleRate);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return Array.from({ length: channels }, () => x.slice());
}

/** Deterministic white noise at a given RMS (dBFS) per channel. */
export function noise(sampleRate: number, seconds: number, rmsDb: number, channels = 2, seed = 7): Planar {
  const n = Math.round(seconds * sampleRate);
  let s = seed >>> 0 || 1;
  const amp = dbToGain(rmsDb) * Math.sqrt(3); // uniform on [-a, a] has RMS a / sqrt(3)
  return Array.from({ length: channels }, () => {
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      x[i] = amp * ((s / 2 ** 32) * 2 - 1);
    }
    return x;
  });
}

/** Scales a planar signal (copy). */
export function scaled(p: Planar, gain: number): Planar {
  return p.map((x) => x.map((v) => v * gain));
}

/**
 * Steady programme: kick, snare, hi-hat, a saturated bass line and a chord pad at 120 bpm with no sections.
 * Drums repeat every second and the bass/chord riff cycles through its four chords in one second too, so every
 * 3 s window holds exactly three cycles: short-term loudness is steady once the window is full, whatever the
 * effect does to the spectrum (the "steady programme").
 * `level` scales everything (1 peaks near -6 dBFS).
 */
export function steadyProgramme(sampleRate: number, seconds: number, level = 1, seed = 3): Planar {
  const frames = Math.round(sampleRate * seconds);
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  let s = seed >>> 0 || 1;
  const rnd = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  // One second of noise, replayed every second: the snare and hi-hat are the same every cycle.
  const noiseTable = new Float32Array(sampleRate);
  for (let i = 0; i < sampleRate; i++) noiseTable[i] = rnd();
  const snareTable = new Float32Array(sampleRate);
  let lp = 0;
  for (let k = 0; k < 2; k++) for (let i = 0; i < sampleRate; i++) snareTable[i] = lp += 0.5 * (noiseTable[i] - lp);
  const beat = 0.5;
  // Whole-number frequencies: every part repeats exactly once per second.
  const bassHz = [55, 55, 65, 49];
  const chords = [[220, 262, 330], [220, 262, 330], [262, 330, 392], [196, 247, 294]];
  for (let i = 0; i < frames; i++) {
    const t = i / sampleRate;
    const bar = Math.floor(t / 0.25) % 4; // the riff's chord index, 0.25 s each
    const inBeat = t % beat;
    const beatNo = Math.floor(t / beat) % 2;
    const kf = 45 + 75 * Math.exp(-inBeat * 30);
    const kick = 0.9 * Math.exp(-inBeat * 9) * Math.sin(2 * Math.PI * kf * inBeat);
    const cyc = i % sampleRate;
    const snare = beatNo === 1 ? 0.6 * Math.exp(-inBeat * 18) * snareTable[cyc] : 0;
    const hat = 0.12 * Math.exp(-(t % (beat / 2)) * 60) * noiseTable[(cyc * 7) % sampleRate];
    const bass = 0.35 * Math.tanh(2 * Math.sin(2 * Math.PI * bassHz[bar] * t)) * (0.6 + 0.4 * Math.exp(-inBeat * 4));
    let pad = 0;
    for (const f of chords[bar]) pad += Math.sin(2 * Math.PI * f * t) + 0.3 * Math.sin(2 * Math.PI * 2 * f * t + 1);
    pad *= 0.05;
    const mid = kick + snare + bass;
    left[i] = 0.5 * level * (mid + hat * 0.7 + pad * 1.2);
    right[i] = 0.5 * level * (mid + hat * 1.3 + pad * 0.8);
  }
  return [left, right];
}
