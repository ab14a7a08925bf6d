/**
 * One WebAssembly instance for every LevelMatch processor of an AudioWorkletGlobalScope (issue 16).
 *
 * Why: a 64-bit browser reserves a large address range for every WebAssembly memory, so one instance (one
 * memory) per processor stopped at about 124 processors per page ("Out of memory: Cannot allocate Wasm memory
 * for new instance"). Engines are handles (addresses) into one memory already, so every processor of a scope
 * takes its engine from one shared instance; only when that instance cannot grow any more (or holds
 * `enginesPerShard` engines) is another one started (a small pool of "shards").
 *
 * Reuse: the module's runtime never frees, so a destroyed processor's engine goes to a free list keyed by what
 * its allocation depends on (sample rate and maxFrames; channel buffers are always allocated for 8 channels)
 * and is reset (engineReset) and handed to the next processor. Create/destroy cycles do not grow the memory.
 *
 * Memory growth detaches every view of the memory. Each shard holds the only views (one Float32Array and one
 * Float64Array over the whole memory) and rebuilds them in refresh(), once for all its processors; processors
 * address their buffers by index into those views. The memory grows inside createEngine, which runs in a
 * processor's constructor, and when a mode change first allocates an engine's latency detector or a link
 * channel's ring (inside a quantum if an automation event brought it: core.ts setParameter rebuilds the views
 * at once); refresh() at the start of each quantum is a cheap identity check that covers every growth.
 *
 * AUDIO THREAD: acquire/release run in constructors and destroy(), between quanta (they may allocate);
 * refresh() runs per quantum and allocates only when the memory did grow.
 */
import type { EngineExports } from './engine-abi.ts';

/** One WebAssembly instance and the views over its memory. */
export class EngineShard {
  readonly exports: EngineExports;
  /** The whole memory as f32 / f64: index = byte address / 4 (/ 8). Replaced when the memory grows. */
  f32: Float32Array;
  f64: Float64Array;
  /** Counts the view rebuilds (memory growths seen). */
  generation = 0;
  /** Engines created in this instance (in use or on a free list). */
  engines = 0;
  /** Set when creating an engine failed (the memory could not grow): no more engines from here. */
  full = false;
  /** Whether the module has sanitizeBlock (sanitize() works) and copyStrided (copy() works). */
  readonly canSanitize: boolean;
  readonly canCopy: boolean;
  private buffer: ArrayBuffer;

  constructor(exports: EngineExports) {
    this.exports = exports;
    this.canSanitize = typeof exports.sanitizeBlock === 'function';
    this.canCopy = typeof exports.copyStrided === 'function';
    this.buffer = exports.memory.buffer as ArrayBuffer;
    this.f32 = new Float32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer, 0, this.buffer.byteLength >>> 3);
  }

  /** Rebuilds the views if the memory grew (the old ones are detached). True when it did. */
  refresh(): boolean {
    // A growth detaches the old buffer, and every view of a detached buffer has length 0: that check is a field
    // load, where reading memory.buffer is a call into the engine (made several times per quantum per processor).
    if (this.f32.length !== 0) return false;
    const b = this.exports.memory.buffer as ArrayBuffer;
    if (b === this.buffer) return false;
    this.buffer = b;
    this.f32 = new Float32Array(b);
    this.f64 = new Float64Array(b, 0, b.byteLength >>> 3);
    this.generation++;
    return true;
  }

  /**
   * Replaces NaN and infinities in the f32 samples at byte address [addr, addr + 4 n) by 0; returns how many, or
   * -1 without the module's sanitizeBlock (a link ring's RingHeap, wam/link-bus.ts).
   */
  sanitize(byteAddress: number, n: number): number {
    return this.canSanitize ? this.exports.sanitizeBlock!(byteAddress, n) : -1;
  }

  /**
   * sanitize() over `channels` runs of n samples, run c at byteAddress + c strideBytes: one call into the module
   * when it has sanitizeChannels, else one per run.
   */
  sanitizeChannels(byteAddress: number, strideBytes: number, n: number, channels: number): number {
    if (!this.canSanitize) return -1;
    const e = this.exports;
    if (e.sanitizeChannels !== undefined) return e.sanitizeChannels(byteAddress, strideBytes, n, channels);
    let bad = 0;
    for (let c = 0; c < channels; c++) bad += e.sanitizeBlock!(byteAddress + c * strideBytes, n);
    return bad;
  }

  /** copyStrided in this memory (byte addresses and strides), when canCopy. */
  copy(dst: number, dstStride: number, src: number, srcStride: number, floats: number, channels: number): void {
    this.exports.copyStrided!(dst, dstStride, src, srcStride, floats, channels);
  }

  /** Bytes of the memory now. */
  get bytes(): number {
    return this.buffer.byteLength;
  }
}

/** An engine held by one processor. */
export interface EngineLease {
  readonly shard: EngineShard;
  readonly handle: number;
  /** The free-list key (sample rate / maxFrames). */
  readonly key: string;
}

export class EnginePool {
  private readonly shards: EngineShard[] = [];
  private readonly free = new Map<string, EngineLease[]>();
  private inUse = 0;

  /**
   * @param instantiate makes a new WebAssembly instance of the DSP module (throws when it cannot)
   * @param enginesPerShard engines per instance before another is started (~1.1 MB each: 1024 stay far below
   *   the 4 GB a 32-bit memory can address)
   */
  constructor(
    private readonly instantiate: () => EngineExports,
    readonly enginesPerShard = 1024,
  ) {}

  /** An engine for `sampleRate` / `maxFrames` (reused and reset, or new), or a sentence saying why not. */
  acquire(sampleRate: number, maxFrames: number): EngineLease | string {
    const key = `${sampleRate}/${maxFrames}`;
    const list = this.free.get(key);
    const reused = list !== undefined ? list.pop() : undefined;
    if (reused !== undefined) {
      reused.shard.exports.engineReset(reused.handle);
      this.inUse++;
      return reused;
    }
    let last: string | null = null;
    // The newest shard first; when it cannot take another engine (full, or its memory cannot grow: the
    // runtime traps), a fresh instance, once.
    for (let attempt = 0; attempt < 2; attempt++) {
      let shard = this.shards.length > 0 ? this.shards[this.shards.length - 1] : null;
      if (shard === null || shard.full || shard.engines >= this.enginesPerShard) {
        try {
          shard = new EngineShard(this.instantiate());
        } catch (e) {
          return `the WebAssembly module did not instantiate: ${e instanceof Error ? e.message : String(e)}`;
        }
        if (typeof shard.exports.createEngine !== 'function') return 'the WebAssembly module has no engine (createEngine is missing)';
        this.shards.push(shard);
      }
      let h = 0;
      try {
        h = shard.exports.createEngine(sampleRate, maxFrames);
      } catch (e) {
        last = `the engine could not be allocated (${e instanceof Error ? e.message : String(e)})`;
        shard.refresh();
        shard.full = true;
        continue;
      }
      shard.refresh(); // once for every processor on this shard
      if (h === 0) return `the engine rejected sample rate ${sampleRate}`;
      shard.engines++;
      this.inUse++;
      return { shard, handle: h, key };
    }
    return last ?? 'the engine could not be allocated';
  }

  /**
   * `floats` f32 slots in the newest instance's memory for a link ring (wam/link-bus.ts RingAllocator), or null
   * when the module cannot give them (no allocateFloats, no instance, memory exhausted): the ring then keeps an
   * array of its own. Rings sit with the engines, so a match instance reads its reference with a memmove.
   */
  allocateFloats(floats: number): { heap: EngineShard; at: number } | null {
    let shard = this.shards.length > 0 ? this.shards[this.shards.length - 1] : null;
    if (shard === null) {
      try {
        shard = new EngineShard(this.instantiate());
      } catch {
        return null;
      }
      this.shards.push(shard);
    }
    const allocate = shard.exports.allocateFloats;
    if (typeof allocate !== 'function') return null;
    let ptr = 0;
    try {
      ptr = allocate(floats);
    } catch {
      ptr = 0; // the memory cannot grow: an array of the ring's own instead
    }
    shard.refresh(); // once for every processor on this shard
    return ptr > 0 ? { heap: shard, at: ptr >>> 2 } : null;
  }

  /** Hands an engine back for reuse (a processor was destroyed). */
  release(lease: EngineLease): void {
    let list = this.free.get(lease.key);
    if (list === undefined) {
      list = [];
      this.free.set(lease.key, list);
    }
    if (list.includes(lease)) return;
    list.push(lease);
    this.inUse--;
  }

  /** For tests and benchmarks: instances, engines (in use / free) and memory bytes. */
  stats(): { shards: number; engines: number; inUse: number; free: number; bytes: number; generations: number } {
    let engines = 0;
    let bytes = 0;
    let generations = 0;
    for (const s of this.shards) {
      engines += s.engines;
      bytes += s.bytes;
      generations += s.generation;
    }
    let free = 0;
    for (const l of this.free.values()) free += l.length;
    return { shards: this.shards.length, engines, inUse: this.inUse, free, bytes, generations };
  }
}
