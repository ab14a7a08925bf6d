/**
 * The link bus: how a `match` instance hears its `reference` instance without any host wiring.
 *
 * Instances of one plugin in one AudioContext share a module scope in the AudioWorkletGlobalScope
 * (webAudioModules.getModuleScope(id)); the processor keeps one LinkBus there (an OfflineAudioContext has its own
 * global scope, hence its own bus). The bus has LINK_CHANNELS channels (the `link` parameter, 1..256). A
 * reference instance claims its channel (a second reference on the same channel is a duplicate and does not
 * publish) and writes its sanitised input into the channel's FrameRing, indexed by ABSOLUTE frame (the context's
 * currentFrame + offset). Match instances read frames [now - latency - skew, +n) from it.
 *
 * Clock: every frame position here is the absolute frame modulo CLOCK_WRAP (2^28, 93 minutes at 48 kHz), so it is
 * always a small integer. Past 2^30 frames (6.2 h at 48 kHz) V8 can no longer hold a frame number as a small
 * integer: each sum or argument would then allocate a heap number on the audio thread. Ring capacities are powers
 * of two far below CLOCK_WRAP, so a wrapped position indexes the ring exactly as the absolute frame did; distances
 * between positions are taken modulo CLOCK_WRAP (frameDistance), valid up to 2^27 frames apart.
 *
 * Skew: nodes that are not connected to each other run in an undefined order within a render quantum. When a
 * match instance runs before its reference, the reference has not written the current quantum yet: the reader
 * then reads one quantum further back (`skew`). Skew only grows, and resets when the reader relinks or a new
 * reference takes the channel, so the alignment stays stable.
 *
 * Loss: a reader whose reference has written nothing it needs for more than LOSS_GRACE_QUANTA quanta (or
 * whose channel has no owner) reports referenceLost (had a reference since relinking) or noReference.
 *
 * Runs on the audio thread: nothing here allocates after a channel's ring exists (rings are allocated when a
 * channel is first claimed, or grow once when a reference with more channels writes), nothing throws.
 * Pure module: unit-testable in Node.
 */
import { S } from './engine-abi.ts';
import { LINK_CHANNEL_COUNT } from './parameters.ts';

/** The `link` parameter's range, 1..LINK_CHANNELS (wam/parameters.ts). */
export const LINK_CHANNELS = LINK_CHANNEL_COUNT;
export const MAX_RING_CHANNELS = 8;
/** The longest latency the `latency` parameter allows, in seconds. */
export const MAX_LATENCY_SECONDS = 1;
/** Frames a ring keeps beyond MAX_LATENCY_SECONDS: skew plus the largest render quantum we expect, with room. */
export const RING_MARGIN_FRAMES = 16384;
/** Quanta a reference may miss before its readers report it lost. */
export const LOSS_GRACE_QUANTA = 2;

export const LINK_STATUS_MASK = S.linked | S.noReference | S.duplicateReference | S.referenceLost;

/** Frame positions are absolute frames modulo this (see "Clock" above). */
export const CLOCK_WRAP = 0x10000000;
const CLOCK_MASK = CLOCK_WRAP - 1;

/** An absolute frame (any integer from 0 to 2^53) as a position: frame mod CLOCK_WRAP, a small integer. */
export function wrapFrame(frame: number): number {
  return (frame % CLOCK_WRAP) | 0;
}

/** The signed distance a - b between two positions (each any int32; exact when |a - b| < 2^27 in frames). */
export function frameDistance(a: number, b: number): number {
  return ((a - b) << 4) >> 4;
}

/** Smallest power of two >= sampleRate * MAX_LATENCY_SECONDS + RING_MARGIN_FRAMES. */
export function ringCapacity(sampleRate: number): number {
  const need = Math.ceil(sampleRate * MAX_LATENCY_SECONDS) + RING_MARGIN_FRAMES;
  let c = 1;
  while (c < need) c *= 2;
  return c;
}

/**
 * Where a ring's samples live: a Float32Array over a whole heap, addressed by index. Either a WebAssembly memory
 * (an EngineShard: its view is replaced when the memory grows, refresh() says so) or an array of the ring's own.
 */
export interface RingHeap {
  readonly f32: Float32Array;
  /** Rebuilds f32 if the memory behind it grew (true when it did); a cheap identity check otherwise. */
  refresh(): boolean;
  /**
   * Replaces NaN and infinities in the f32 samples at byte address [addr, addr + 4 n) by 0 and returns how many
   * there were (a WebAssembly heap's SIMD pass), or -1 when this heap has no such pass.
   */
  sanitize(byteAddress: number, n: number): number;
  /** sanitize() over `channels` runs of n samples, run c at byteAddress + c strideBytes (one call). */
  sanitizeChannels(byteAddress: number, strideBytes: number, n: number, channels: number): number;
  /** Whether sanitize() and sanitizeChannels() are there (they never return -1). */
  readonly canSanitize: boolean;
  /**
   * Copies `channels` runs of `floats` samples within the heap, run c from byte src + c srcStride to dst + c
   * dstStride (one call for every channel); only when canCopy.
   */
  copy(dst: number, dstStride: number, src: number, srcStride: number, floats: number, channels: number): void;
  readonly canCopy: boolean;
}

/** `floats` f32 slots in a heap, or null when the heap cannot give them (the ring then keeps its own array). */
export type RingAllocator = (floats: number) => { heap: RingHeap; at: number } | null;

/** A ring's own heap: one Float32Array that never moves. */
class OwnHeap implements RingHeap {
  readonly f32: Float32Array;
  readonly canSanitize = false;
  readonly canCopy = false;
  constructor(floats: number) {
    this.f32 = new Float32Array(floats);
  }
  refresh(): boolean {
    return false;
  }
  sanitize(): number {
    return -1;
  }
  sanitizeChannels(): number {
    return -1;
  }
  copy(): void {}
}

/**
 * Multichannel audio indexed by absolute frame: keeps the most recent `capacity` frames of one contiguous run.
 *
 * Storage: channel c occupies heap slots [at[c], at[c] + capacity). With an allocator the heap is the engines'
 * WebAssembly memory, so a match instance whose engine lives in the same memory reads the reference with one
 * memory.copy call per segment for every channel (readTo; no JavaScript loop, nothing allocated) and a reference
 * publishes with a block copy and one SIMD sanitising pass (writeSanitized). Element-by-element copies here were
 * most of what a linked pair cost in JavaScript (issue 16). Without an allocator (tests, sidechain rings, a
 * module without allocateFloats) the ring has an array of its own.
 */
export class FrameRing {
  readonly capacity: number;
  private heap: RingHeap;
  /** f32 index of each channel's first slot in heap.f32. */
  private readonly at = new Int32Array(MAX_RING_CHANNELS);
  private allocated = 0;
  private readonly allocator: RingAllocator | null;
  /** Channel count of the current run. */
  channels = 0;
  /** First frame (position, see "Clock") of the current contiguous run still held. */
  start = 0;
  /** One past the last frame written (position). start === end: empty. */
  end = 0;

  constructor(capacity: number, channels = 0, allocator: RingAllocator | null = null) {
    if (!Number.isInteger(capacity) || capacity < 1 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`ring capacity must be a power of two, got ${capacity}`);
    }
    this.capacity = capacity;
    this.allocator = allocator;
    this.heap = new OwnHeap(0);
    this.allocate(channels);
  }

  /**
   * Makes room for `channels` channels (MAX_RING_CHANNELS at most). Growing takes a new block for every channel
   * (what was written is dropped: a new channel count starts a new run anyway); the old block of a WebAssembly
   * heap is not reused (its runtime never frees), which happens once per channel count a link sees.
   */
  allocate(channels: number): void {
    const n = Math.min(channels, MAX_RING_CHANNELS);
    if (n <= this.allocated) return;
    const floats = n * this.capacity;
    const got = this.allocator !== null ? this.allocator(floats) : null;
    if (got !== null) {
      this.heap = got.heap;
      for (let c = 0; c < n; c++) this.at[c] = got.at + c * this.capacity;
    } else {
      this.heap = new OwnHeap(floats);
      for (let c = 0; c < n; c++) this.at[c] = c * this.capacity;
    }
    this.allocated = n;
    this.reset();
  }

  get allocatedChannels(): number {
    return this.allocated;
  }

  /** Whether the samples live in a WebAssembly memory (given by the allocator) rather than an array of the ring's own. */
  get shared(): boolean {
    return !(this.heap instanceof OwnHeap);
  }

  get empty(): boolean {
    return this.end === this.start;
  }

  /** Forgets everything written. */
  reset(): void {
    this.start = 0;
    this.end = 0;
    this.channels = 0;
  }

  /** Starts a new run unless a write of `ch` channels at `frame` continues the current one; returns frame wrapped. */
  private beginWrite(frame: number, ch: number): number {
    frame &= CLOCK_MASK;
    if (ch > this.allocated) this.allocate(ch);
    if (this.start === this.end || frame !== this.end || ch !== this.channels) {
      this.start = frame;
      this.channels = ch;
    }
    return frame;
  }

  private endWrite(frame: number, n: number): void {
    this.end = (frame + n) & CLOCK_MASK;
    if (((this.end - this.start) & CLOCK_MASK) > this.capacity) this.start = (this.end - this.capacity) & CLOCK_MASK;
  }

  /**
   * Writes frames [frame, frame + n) from channels 0..channels-1 of `src`, starting at src index `offset`.
   * NaN and infinities are written as 0. A write that does not continue the current run (a gap, an overlap or a
   * different channel count) starts a new run. `channels` 0 writes nothing. `finite`: the caller has checked
   * that the source holds no NaN or infinity, so whole arrays are block-copied.
   */
  write(frame: number, src: ArrayLike<Float32Array>, channels: number, offset: number, n: number, finite = false): void {
    const ch = channels < MAX_RING_CHANNELS ? channels : MAX_RING_CHANNELS;
    if (ch <= 0 || n <= 0) return;
    frame = this.beginWrite(frame, ch);
    this.heap.refresh();
    const heap = this.heap.f32;
    const cap = this.capacity;
    let done = 0;
    while (done < n) {
      const pos = (frame + done) & (cap - 1);
      const len = Math.min(n - done, cap - pos);
      for (let c = 0; c < ch; c++) {
        const s = src[c];
        const at = this.at[c] + pos;
        const o = offset + done;
        // Known finite and the whole source array: a block copy (no view is made, nothing allocated).
        if (finite && o === 0 && len === s.length) {
          heap.set(s, at);
          continue;
        }
        for (let i = 0; i < len; i++) {
          const v = s[o + i];
          heap[at + i] = v - v === 0 ? v : 0;
        }
      }
      done += len;
    }
    this.endWrite(frame, n);
  }

  /**
   * write() of whole source arrays (src[c].length === n) by block copy, then the heap's SIMD sanitising pass
   * over what was written. Returns the count of non-finite samples replaced, or -1 (nothing written) when this
   * ring cannot do it (an array of its own, or arrays that are not n long): use write() then.
   */
  writeSanitized(frame: number, src: ArrayLike<Float32Array>, channels: number, n: number): number {
    const ch = channels < MAX_RING_CHANNELS ? channels : MAX_RING_CHANNELS;
    if (ch <= 0 || n <= 0) return -1;
    for (let c = 0; c < ch; c++) if (src[c].length !== n) return -1;
    if (ch > this.allocated) this.allocate(ch);
    if (!this.heap.canSanitize) return -1;
    frame = this.beginWrite(frame, ch);
    this.heap.refresh();
    const heap = this.heap.f32;
    const cap = this.capacity;
    const pos = frame & (cap - 1);
    const first = n < cap - pos ? n : cap - pos;
    if (first === n) {
      // The usual case: a block copy per channel, then one SIMD pass over every channel (the channels' blocks are
      // `capacity` apart, see allocate).
      for (let c = 0; c < ch; c++) heap.set(src[c], this.at[c] + pos);
      const replaced = this.heap.sanitizeChannels((this.at[0] + pos) << 2, cap << 2, n, ch);
      this.endWrite(frame, n);
      return replaced;
    }
    let bad = 0;
    // Across the ring's end (a quantum not aligned to the capacity): two segments, element by element.
    for (let c = 0; c < ch; c++) {
      const s = src[c];
      const at = this.at[c];
      for (let i = 0; i < first; i++) heap[at + pos + i] = s[i];
      for (let i = first; i < n; i++) heap[at + i - first] = s[i];
      bad += this.heap.sanitize((at + pos) << 2, first) + this.heap.sanitize(at << 2, n - first);
    }
    this.endWrite(frame, n);
    return bad;
  }

  /** Whether frames [frame, frame + n) are held (frame: a position, or any int32 frame, wrapped here). */
  has(frame: number, n: number): boolean {
    const held = (this.end - this.start) & CLOCK_MASK;
    return held > 0 && ((frame - this.start) & CLOCK_MASK) + n <= held;
  }

  /**
   * Copies frames [frame, frame + n) of every channel of the run into dest[c][destOffset..]. Returns the channel
   * count copied, 0 (and copies nothing) when the frames are not all held.
   */
  read(frame: number, n: number, dest: ArrayLike<Float32Array>, destOffset = 0): number {
    if (!this.has(frame, n)) return 0;
    this.heap.refresh();
    const heap = this.heap.f32;
    const cap = this.capacity;
    const ch = Math.min(this.channels, dest.length);
    let done = 0;
    while (done < n) {
      const pos = (frame + done) & (cap - 1);
      const len = Math.min(n - done, cap - pos);
      for (let c = 0; c < ch; c++) {
        const at = this.at[c] + pos;
        const d = dest[c];
        const o = destOffset + done;
        for (let i = 0; i < len; i++) d[o + i] = heap[at + i];
      }
      done += len;
    }
    return ch;
  }

  /**
   * read() into slots of a heap: channel c's frames go to dest[destAt[c] ..], for at most `maxChannels`
   * channels. When dest is this ring's own heap view (the reader's engine shares the ring's WebAssembly memory)
   * each segment is one call into the heap for every channel when the destinations are evenly spaced
   * (`destStride` slots apart, 0: they are not), else a copyWithin per channel; in another heap, element by
   * element. Returns the channel count copied, 0 when the frames are not all held.
   */
  readTo(frame: number, n: number, dest: Float32Array, destAt: Int32Array, maxChannels: number, destStride = 0): number {
    if (!this.has(frame, n)) return 0;
    this.heap.refresh();
    const heap = this.heap.f32;
    const cap = this.capacity;
    const ch = this.channels < maxChannels ? this.channels : maxChannels;
    const same = heap === dest;
    const strided = same && destStride !== 0 && this.heap.canCopy;
    let done = 0;
    while (done < n) {
      const pos = (frame + done) & (cap - 1);
      const len = n - done < cap - pos ? n - done : cap - pos;
      if (strided) {
        this.heap.copy((destAt[0] + done) << 2, destStride << 2, (this.at[0] + pos) << 2, cap << 2, len, ch);
        done += len;
        continue;
      }
      for (let c = 0; c < ch; c++) {
        const from = this.at[c] + pos;
        const to = destAt[c] + done;
        if (same) dest.copyWithin(to, from, from + len);
        else for (let i = 0; i < len; i++) dest[to + i] = heap[from + i];
      }
      done += len;
    }
    return ch;
  }
}

/** One link channel: its owner (the reference instance publishing on it) and its ring. */
export class LinkChannel {
  owner: object | null = null;
  /** Changes whenever the owner changes (claim or release): readers then reset their skew. */
  generation = 0;
  ring: FrameRing | null = null;
}

/** The registry of link channels of one plugin in one AudioWorkletGlobalScope. */
export class LinkBus {
  readonly sampleRate: number;
  readonly capacity: number;
  private readonly channels: LinkChannel[] = [];
  private readonly allocator: RingAllocator | null;

  /**
   * @param allocator where rings get their samples (the processor gives the engines' WebAssembly memory, see
   *   FrameRing "Storage"); without one every ring has an array of its own
   */
  constructor(sampleRate: number, allocator: RingAllocator | null = null) {
    this.sampleRate = sampleRate;
    this.capacity = ringCapacity(sampleRate);
    this.allocator = allocator;
    for (let i = 0; i < LINK_CHANNELS; i++) this.channels.push(new LinkChannel());
  }

  /**
   * Makes sure channel `link` has a ring of at least `channels` channels, without claiming it. Processors call
   * it from their constructors, between quanta, so that allocating a ring (which may grow the WebAssembly
   * memory) does not happen inside a quantum in the usual case.
   */
  prepare(link: number, channels = 2): void {
    const ch = this.channel(link);
    if (ch.ring === null) ch.ring = new FrameRing(this.capacity, channels, this.allocator);
    else if (ch.owner === null) ch.ring.allocate(channels);
  }

  /** Channel `link` (1..LINK_CHANNELS; out-of-range values are clamped). */
  channel(link: number): LinkChannel {
    const i = Math.min(LINK_CHANNELS, Math.max(1, Math.round(link) || 1)) - 1;
    return this.channels[i];
  }

  /**
   * Claims channel `link` for `owner`. True when the owner holds it afterwards; false when another owner does
   * (a duplicate reference). A new claim empties the ring (allocating it on the channel's first claim).
   */
  claim(link: number, owner: object, channels = 2): boolean {
    const ch = this.channel(link);
    if (ch.owner === owner) return true;
    if (ch.owner !== null) return false;
    ch.owner = owner;
    ch.generation++;
    if (ch.ring === null) ch.ring = new FrameRing(this.capacity, channels, this.allocator);
    else ch.ring.allocate(channels);
    ch.ring.reset();
    return true;
  }

  /** Releases channel `link` if `owner` holds it. */
  release(link: number, owner: object): void {
    const ch = this.channel(link);
    if (ch.owner !== owner) return;
    ch.owner = null;
    ch.generation++;
  }

  /** Releases every channel `owner` holds. */
  releaseAll(owner: object): void {
    for (let i = 0; i < LINK_CHANNELS; i++) this.release(i + 1, owner);
  }
}

/** A match instance's view of its link channel: skew and reference presence, per quantum. */
export class LinkReader {
  /** Frames read behind the nominal position because the reference runs after this reader. */
  skew = 0;
  /** Whether the reference was present (sending) at the last begin(). */
  sending = false;
  /** Whether a reference has been present since the last reset(). */
  hadReference = false;
  private generation = -1;
  /** The ring's end at the previous begin(), -1 when unknown. */
  private lastEnd = -1;
  /** begin() calls in a row that found the ring's end where it was: a stopped reference (see begin). */
  private stalled = 0;

  /** Relink: forget skew and history. */
  reset(): void {
    this.skew = 0;
    this.sending = false;
    this.hadReference = false;
    this.generation = -1;
    this.lastEnd = -1;
    this.stalled = 0;
  }

  /**
   * Call once per render quantum (frames [frame0, frame0 + quantum)) before read(). Updates the skew and
   * presence, and returns the link status bits (S.linked, S.noReference or S.referenceLost).
   */
  begin(ch: LinkChannel, frame0: number, quantum: number): number {
    if (ch.generation !== this.generation) {
      this.generation = ch.generation;
      this.skew = 0;
      this.lastEnd = -1;
    }
    const ring = ch.ring;
    this.sending = false;
    if (ch.owner !== null && ring !== null && !ring.empty) {
      // A reference that ran before us this quantum has written up to frame0 + quantum; one that runs after us,
      // up to frame0. Only a reference that is still writing (its end moved since our last quantum) proves the
      // order: one that just stopped looks the same for a quantum, and must not grow the skew.
      // Positions wrap (see "Clock"): a reference that stopped CLOCK_WRAP frames ago would look current again
      // by distance alone, so one whose end has not moved for more than the grace period is lost whatever the
      // distance says (while both run every quantum that is the same test).
      const behind = frameDistance(frame0 + quantum, ring.end);
      const advanced = this.lastEnd >= 0 && frameDistance(ring.end, this.lastEnd) > 0;
      this.stalled = this.lastEnd >= 0 && ring.end === this.lastEnd ? this.stalled + 1 : 0;
      if (advanced && behind > this.skew && behind <= quantum) this.skew = behind;
      this.sending = behind - this.skew <= LOSS_GRACE_QUANTA * quantum && this.stalled <= LOSS_GRACE_QUANTA;
      this.lastEnd = ring.end;
    } else {
      this.lastEnd = -1;
      this.stalled = 0;
    }
    if (this.sending) {
      this.hadReference = true;
      return S.linked;
    }
    return this.hadReference ? S.referenceLost : S.noReference;
  }

  /**
   * Reads the reference for frames [frame, frame + n) of this instance's clock (positions), i.e. ring frames
   * [frame - latencyFrames - skew, +n), into dest[c][0..n). Returns the reference's channel count, or 0 when
   * the reference is absent or has not (or no longer) got those frames.
   */
  read(ch: LinkChannel, frame: number, n: number, latencyFrames: number, dest: ArrayLike<Float32Array>): number {
    if (!this.sending || ch.ring === null) return 0;
    return ch.ring.read(frame - latencyFrames - this.skew, n, dest, 0);
  }

  /** read(), into slots destAt[c] of the heap view `dest` (FrameRing.readTo: a memmove in the same heap). */
  readTo(ch: LinkChannel, frame: number, n: number, latencyFrames: number, dest: Float32Array, destAt: Int32Array, maxChannels: number, destStride = 0): number {
    if (!this.sending || ch.ring === null) return 0;
    return ch.ring.readTo(frame - latencyFrames - this.skew, n, dest, destAt, maxChannels, destStride);
  }
}
