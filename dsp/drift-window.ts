/**
 * The drift of the wanted gain (dsp/gain-law.ts): W's spread, max - min in dB, over the last DRIFT_SLOTS slots of
 * 100 ms (3 s) since the estimate last started afresh. Shown as "drift" in the readout and the GUI's settle line,
 * and one of auto-lock's two conditions (dsp/settle-constants.ts).
 *
 * Audio thread: allocates its ring once, in the constructor; note() is O(1) per block and O(DRIFT_SLOTS) once
 * per slot.
 */

/** Slots of 100 ms the drift spans: 3 s. */
const DRIFT_SLOTS: i32 = 30;

export class DriftWindow {
  /** W's spread over the filled slots, dB; NaN before the first slot is complete. */
  value: f64 = NaN;
  private ring: usize; // per slot: min (f64), max (f64)
  private slotFrames: f64; // frames per 100 ms slot
  private fill: f64 = 0.0;
  private index: i32 = 0;
  private slots: i32 = 0; // slots filled since the estimate started afresh
  private slotMin: f64 = Infinity;
  private slotMax: f64 = -Infinity;

  constructor(sampleRate: f64) {
    this.ring = heap.alloc(<usize>DRIFT_SLOTS << 4);
    this.slotFrames = sampleRate / 10.0;
    this.reset();
  }

  /** As constructed. */
  reset(): void {
    memory.fill(this.ring, 0, <usize>DRIFT_SLOTS << 4);
    this.index = 0;
    this.restart();
  }

  /** The estimate starts afresh: no slot counts any more (the ring's old slots are not read again). */
  restart(): void {
    this.slots = 0;
    this.fill = 0.0;
    this.slotMin = Infinity;
    this.slotMax = -Infinity;
    this.value = NaN;
  }

  /** Adds a block of `n` frames whose wanted gain is `w` dB. */
  note(n: f64, w: f64): void {
    if (w < this.slotMin) this.slotMin = w;
    if (w > this.slotMax) this.slotMax = w;
    this.fill += n;
    if (this.fill < this.slotFrames) return;
    this.fill -= this.slotFrames;
    const at = this.ring + (<usize>this.index << 4);
    store<f64>(at, this.slotMin);
    store<f64>(at + 8, this.slotMax);
    this.index = this.index + 1 == DRIFT_SLOTS ? 0 : this.index + 1;
    if (this.slots < DRIFT_SLOTS) this.slots++;
    this.slotMin = Infinity;
    this.slotMax = -Infinity;
    let lo: f64 = Infinity;
    let hi: f64 = -Infinity;
    for (let i = 0; i < this.slots; i++) {
      // The filled slots are the `slots` ones before `index` (the ring may not be full yet).
      let k = this.index - 1 - i;
      if (k < 0) k += DRIFT_SLOTS;
      const p = this.ring + (<usize>k << 4);
      const a = load<f64>(p);
      const b = load<f64>(p + 8);
      if (a < lo) lo = a;
      if (b > hi) hi = b;
    }
    this.value = hi - lo;
  }
}
