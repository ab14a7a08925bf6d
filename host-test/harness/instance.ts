/**
 * One AudioWorkletNode of a host with its processor, and the per-quantum call of `process()` (inputs mixed to
 * the node's channel configuration, outputs zeroed, worklet-realm arrays reused). See host.ts for the contract.
 */
import type { Host } from './host.ts';
import type { WorkletRealm, ProcessorDefinition } from './realm.ts';
import { EmulatedAudioParam, type EmulatedAudioWorkletNode, type NormalizedNodeOptions } from './main-thread.ts';

type Pool = { w: Float32Array[]; h: Float32Array[] };

/** A node created in this host, with its processor. */
export class Instance {
  readonly node: EmulatedAudioWorkletNode;
  /** The registered processor name (the WAM's moduleId). */
  readonly name: string;
  readonly options: NormalizedNodeOptions;
  /** The AudioWorkletProcessor object (worklet realm), or null if its constructor threw. */
  processor: any = null;
  /** 'running' | 'finished' (process returned falsy) | 'errored' (process threw) | 'failed' (constructor threw). */
  state: 'running' | 'finished' | 'errored' | 'failed' = 'running';
  /** Errors thrown by this processor (constructor, process, message handlers). */
  readonly errors: unknown[] = [];
  /** Number of process() calls that reached the processor. */
  processCalls = 0;

  readonly #host: Host;
  readonly #realm: WorkletRealm;
  #lastFrame = -1;
  readonly #inArr: any;
  readonly #inLists: any[] = [];
  readonly #inPools: Pool[] = [];
  readonly #outArr: any;
  readonly #outLists: any[] = [];
  readonly #outPools: Pool[] = [];
  readonly #hostOutputs: Float32Array[][] = [];
  readonly #params: any;
  readonly #paramViews: Array<{ param: EmulatedAudioParam; view: Float32Array }> = [];

  /** @internal */
  constructor(host: Host, realm: WorkletRealm, node: EmulatedAudioWorkletNode, name: string, options: NormalizedNodeOptions,
    def: ProcessorDefinition) {
    this.#host = host;
    this.#realm = realm;
    this.node = node;
    this.name = name;
    this.options = options;
    const R = realm.intrinsics;
    this.#inArr = new R.Array();
    this.#outArr = new R.Array();
    for (let i = 0; i < options.numberOfInputs; i++) {
      const list = new R.Array();
      this.#inLists.push(list);
      this.#inArr.push(list);
      this.#inPools.push({ w: [], h: [] });
    }
    for (let o = 0; o < options.numberOfOutputs; o++) {
      const list = new R.Array();
      this.#outLists.push(list);
      this.#outArr.push(list);
      this.#outPools.push({ w: [], h: [] });
      this.#hostOutputs.push([]);
    }
    this.#params = new R.Object();
    for (const d of def.parameterDescriptors) {
      const param = new EmulatedAudioParam(d, options.parameterData?.[d.name]);
      node.parameters.set(d.name, param);
      const w = new R.Float32Array!(1);
      this.#params[d.name] = w;
      this.#paramViews.push({ param, view: new Float32Array(w.buffer) });
    }
  }

  /** Host-realm views of every output's channels after the last process() (stable buffers). */
  get outputs(): Float32Array[][] {
    return this.#hostOutputs;
  }

  /**
   * Runs one render quantum of this processor at the host's current frame.
   * @param inputs per input: its channels (read from `offset`), or undefined/[] for an unconnected input.
   * @returns output 0's channels: host-realm views, reused and overwritten by the next call.
   */
  process(inputs?: ReadonlyArray<ReadonlyArray<ArrayLike<number>> | null | undefined>, offset = 0): Float32Array[] {
    const host = this.#host;
    if (host.closed) throw new Error('harness: process() on a closed host');
    const frame = host.currentFrame;
    if (this.#lastFrame === frame) {
      throw new Error(`harness: ${this.name} was already processed at frame ${frame}; call host.advance() first`);
    }
    this.#lastFrame = frame;
    const q = host.quantum;
    const opts = this.options;
    let firstInputChannels = 0;
    for (let i = 0; i < opts.numberOfInputs; i++) {
      const list = this.#inLists[i];
      this.#inArr[i] = list;
      const given = inputs ? inputs[i] : undefined;
      if (!given || given.length === 0) {
        list.length = 0;
        continue;
      }
      const n = computedChannels(given.length, opts.channelCountMode, this.node.channelCount);
      const pool = this.#inPools[i]!;
      this.#grow(pool, n);
      list.length = n;
      for (let c = 0; c < n; c++) list[c] = pool.w[c];
      mix(given, pool.h, n, this.node.channelInterpretation, offset, q);
      if (i === 0) firstInputChannels = n;
    }
    const occ = opts.outputChannelCount;
    const dynamic = occ === undefined && opts.numberOfInputs === 1 && opts.numberOfOutputs === 1;
    for (let o = 0; o < opts.numberOfOutputs; o++) {
      const n = occ !== undefined ? occ[o]! : dynamic ? Math.max(1, firstInputChannels) : 1;
      const pool = this.#outPools[o]!;
      this.#grow(pool, n);
      const list = this.#outLists[o];
      this.#outArr[o] = list;
      list.length = n;
      const hostList = this.#hostOutputs[o]!;
      hostList.length = n;
      for (let c = 0; c < n; c++) {
        list[c] = pool.w[c];
        const h = pool.h[c]!;
        h.fill(0);
        hostList[c] = h;
      }
    }
    for (let p = 0; p < this.#paramViews.length; p++) {
      const pv = this.#paramViews[p]!;
      pv.view[0] = pv.param.value;
    }
    this.#inArr.length = opts.numberOfInputs;
    this.#outArr.length = opts.numberOfOutputs;
    if (this.state === 'running') {
      let keepAlive: unknown;
      try {
        this.processCalls++;
        const fn = this.processor.process;
        if (typeof fn !== 'function') throw new TypeError('The provided callback is not callable: process');
        keepAlive = fn.call(this.processor, this.#inArr, this.#outArr, this.#params);
      } catch (e) {
        this.#silence();
        host._fail(this, 'process', e, `${this.name}.process()`);
        return this.#hostOutputs[0] ?? [];
      }
      if (!keepAlive) this.state = 'finished';
    }
    return this.#hostOutputs[0] ?? [];
  }

  #grow(pool: Pool, n: number): void {
    const R = this.#realm.intrinsics;
    const q = this.#host.quantum;
    while (pool.w.length < n) {
      const w = new R.Float32Array!(q) as Float32Array;
      pool.w.push(w);
      pool.h.push(new Float32Array(w.buffer));
    }
  }

  #silence(): void {
    for (const out of this.#hostOutputs) for (const ch of out) ch.fill(0);
  }
}

/** The number of channels a connected input has after mixing (Web Audio "computedNumberOfChannels"). */
function computedChannels(given: number, mode: ChannelCountMode, channelCount: number): number {
  if (mode === 'explicit') return channelCount;
  if (mode === 'clamped-max') return Math.min(given, channelCount);
  return given;
}

const S = Math.SQRT1_2;
/**
 * The spec's speaker up/down-mix matrices (rows: output channels, columns: input channels), keyed 'in>out'.
 * Layouts: 1 mono; 2 L R; 4 L R SL SR; 6 L R C LFE SL SR.
 */
const SPEAKER_MIX: Record<string, number[][]> = {
  '1>2': [[1], [1]],
  '1>4': [[1], [1], [0], [0]],
  '1>6': [[0], [0], [1], [0], [0], [0]],
  '2>4': [[1, 0], [0, 1], [0, 0], [0, 0]],
  '2>6': [[1, 0], [0, 1], [0, 0], [0, 0], [0, 0], [0, 0]],
  '4>6': [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
  '2>1': [[0.5, 0.5]],
  '4>1': [[0.25, 0.25, 0.25, 0.25]],
  '6>1': [[S, S, 1, 0, 0.5, 0.5]],
  '4>2': [[0.5, 0, 0.5, 0], [0, 0.5, 0, 0.5]],
  '6>2': [[1, 0, S, 0, S, 0], [0, 1, S, 0, 0, S]],
  '6>4': [[1, 0, S, 0, 0, 0], [0, 1, S, 0, 0, 0], [0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1]],
};
/** SPEAKER_MIX by [in][out] channel count, so the per-quantum lookup builds no string. */
const MIX_BY_COUNT: Array<Array<number[][] | undefined>> = [];
for (const [key, matrix] of Object.entries(SPEAKER_MIX)) {
  const [m, n] = key.split('>').map(Number) as [number, number];
  (MIX_BY_COUNT[m] ??= [])[n] = matrix;
}

/** Copies/mixes `src` (its channel count) into `dst[0..n)` per the Web Audio up/down-mixing rules. */
function mix(src: ReadonlyArray<ArrayLike<number>>, dst: Float32Array[], n: number, interp: ChannelInterpretation,
  offset: number, q: number): void {
  const m = src.length;
  for (let c = 0; c < m; c++) {
    const s = src[c];
    if (!s || s.length < offset + q) {
      throw new RangeError(`harness: input channel ${c} has ${s ? s.length : 0} samples, needs ${offset + q} (offset ${offset} + quantum ${q})`);
    }
  }
  const matrix = m !== n && interp === 'speakers' ? MIX_BY_COUNT[m]?.[n] : undefined;
  if (matrix === undefined) { // same count, or discrete: copy what fits, silence the rest
    for (let c = 0; c < n; c++) {
      const d = dst[c]!;
      if (c >= m) { d.fill(0); continue; }
      const s = src[c]!;
      if (offset === 0 && s instanceof Float32Array && s.length === q) d.set(s);
      else for (let k = 0; k < q; k++) d[k] = s[offset + k]!;
    }
    return;
  }
  for (let o = 0; o < n; o++) {
    const d = dst[o]!;
    const row = matrix[o]!;
    d.fill(0);
    for (let i = 0; i < m; i++) {
      const g = row[i]!;
      if (g === 0) continue;
      const s = src[i]!;
      for (let k = 0; k < q; k++) d[k] += g * s[offset + k]!;
    }
  }
}
