/**
 * The history graph's memory: a fixed ring of the last `capacity` readings in three Float32Array columns
 * (reference short-term loudness, output short-term loudness, both LUFS; applied gain, dB). Everything is
 * allocated once in the constructor; push and the accessors allocate nothing, so the graph can read every
 * stored point every frame without feeding the garbage collector.
 *
 * A value that is not finite (−Infinity for silence / not yet measured, NaN) is stored as NaN: a gap, which the
 * graph draws as a break in the line rather than a plunge to the bottom.
 */
export class HistoryBuffer {
  readonly capacity: number;
  private readonly refs: Float32Array;
  private readonly outs: Float32Array;
  private readonly gains: Float32Array;
  /** Index of the next write. */
  private head = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!(capacity >= 1) || !Number.isFinite(capacity)) throw new RangeError(`capacity must be >= 1, got ${capacity}`);
    this.capacity = Math.floor(capacity);
    this.refs = new Float32Array(this.capacity);
    this.outs = new Float32Array(this.capacity);
    this.gains = new Float32Array(this.capacity);
  }

  /** Number of stored readings, at most `capacity`. */
  get length(): number {
    return this.count;
  }

  /** Appends one reading, overwriting the oldest when full. */
  push(ref: number, out: number, gain: number): void {
    const i = this.head;
    this.refs[i] = Number.isFinite(ref) ? ref : NaN;
    this.outs[i] = Number.isFinite(out) ? out : NaN;
    this.gains[i] = Number.isFinite(gain) ? gain : NaN;
    this.head = i + 1 === this.capacity ? 0 : i + 1;
    if (this.count < this.capacity) this.count++;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  /**
   * The raw column (0 reference, 1 output, 2 gain) and the slot of the oldest reading, for a reader that walks
   * every point per frame: slot of reading i = (oldestSlot + i) mod capacity. Reading the typed array in the
   * caller's loop keeps each value an unboxed double there (an accessor call per point that V8 does not inline
   * returns a new heap number each time).
   */
  column(col: number): Float32Array {
    return col === 0 ? this.refs : col === 1 ? this.outs : this.gains;
  }

  get oldestSlot(): number {
    const s = this.head - this.count;
    return s < 0 ? s + this.capacity : s;
  }

  /** Storage slot of reading i (0 oldest .. length−1 newest), or −1 outside that. */
  private slot(i: number): number {
    if (!(i >= 0 && i < this.count)) return -1;
    const s = this.head - this.count + (i | 0);
    return s < 0 ? s + this.capacity : s;
  }

  /** Reference short-term loudness of reading i, LUFS (NaN: gap or out of range). */
  ref(i: number): number {
    const s = this.slot(i);
    return s < 0 ? NaN : this.refs[s];
  }

  /** Output short-term loudness of reading i, LUFS (NaN: gap or out of range). */
  out(i: number): number {
    const s = this.slot(i);
    return s < 0 ? NaN : this.outs[s];
  }

  /** Applied gain of reading i, dB (NaN: gap or out of range). */
  gain(i: number): number {
    const s = this.slot(i);
    return s < 0 ? NaN : this.gains[s];
  }

  /** Largest |gain| stored, dB; 0 when empty or all gaps. */
  gainExtent(): number {
    // Until the ring wraps, head === count, so the stored readings are always slots 0 .. count−1 (order does not
    // matter for a maximum).
    let m = 0;
    for (let s = 0; s < this.count; s++) {
      const g = Math.abs(this.gains[s]);
      if (g > m) m = g; // NaN compares false: gaps are skipped
    }
    return m;
  }
}
