/**
 * The true-peak ceiling's memory of the input's peaks (BS.1770-5 Annex 2 true peak, as metered by the input
 * Meter with lastBlockPeak on). The ceiling limits boost only: the most boost it allows is
 * ceiling (dBTP) - remembered input true peak (dBTP).
 */
import { linearToDb } from './db';

/** The memory covers the last 10 s in 100 ms slots (100 slots). */
const PEAK_SLOTS: i32 = 100;

export class PeakMemory {
  private ring: usize; // PEAK_SLOTS x f64: the input's linear true peak per 100 ms slot
  private slotFrames: i32;
  private slotFill: i32 = 0;
  private slotIndex: i32 = 0;
  private slotPeak: f64 = 0.0; // peak of the slot being filled (the current block included)
  private ringPeak: f64 = 0.0; // peak of the other PEAK_SLOTS - 1 slots

  constructor(sampleRate: f64) {
    this.ring = heap.alloc(<usize>PEAK_SLOTS << 3);
    memory.fill(this.ring, 0, <usize>PEAK_SLOTS << 3);
    this.slotFrames = <i32>Math.round(sampleRate / 10.0);
  }

  /**
   * Notes a block's linear true peak. The slot being filled includes the current block, so a peak arriving now
   * limits the boost of this very block.
   */
  note(frames: i32, blockPeak: f64): void {
    if (blockPeak > this.slotPeak) this.slotPeak = blockPeak;
    this.slotFill += frames;
    if (this.slotFill < this.slotFrames) return;
    while (this.slotFill >= this.slotFrames) {
      store<f64>(this.ring + (<usize>this.slotIndex << 3), this.slotPeak);
      this.slotIndex = this.slotIndex + 1 == PEAK_SLOTS ? 0 : this.slotIndex + 1;
      this.slotFill -= this.slotFrames;
      // The block's tail (if any) belongs to the new slot.
      this.slotPeak = this.slotFill > 0 ? blockPeak : 0.0;
    }
    let m: f64 = 0.0;
    for (let i = 0; i < PEAK_SLOTS; i++) {
      if (i == this.slotIndex) continue; // the oldest slot, being replaced by the current one
      const v = load<f64>(this.ring + (<usize>i << 3));
      if (v > m) m = v;
    }
    this.ringPeak = m;
  }

  /** Most boost (dB) a ceiling of `ceilingDb` dBTP allows; +Infinity while the memory holds only silence. */
  cap(ceilingDb: f64): f64 {
    const peak = this.slotPeak > this.ringPeak ? this.slotPeak : this.ringPeak;
    return peak > 0.0 ? ceilingDb - linearToDb(peak) : Infinity;
  }
}
