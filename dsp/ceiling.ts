/**
 * The true-peak ceiling's memory of the input's peaks (BS.1770-5 Annex 2 true peak, as metered by the input
 * Meter with lastBlockPeak on). The ceiling limits boost only: the most boost it allows is
 * ceiling (dBTP) - remembered input true peak (dBTP).
 */
import { linearToDb } from './db';

/**
 * The memory covers the last 1.0 to 1.1 s in 100 ms slots (the slot being filled plus the 10 before it): a peak
 * stops limiting the gain at most 1.1 s after it passed (the release), and the gain then returns at the
 * engine's slew (0.009 dB per sample). One second spans the beats of any tempo above 60 bpm, so the gain does
 * not pump between the hits of a bar, while a quiet section after a loud one is not held down for long.
 */
export const CEILING_HOLD_SECONDS: f64 = 1.1;
const PEAK_SLOTS: i32 = 11;
/**
 * The meter's oversampler lags DELAY (8) samples, so the true peak between a block's last samples is only read
 * with the next block, after they have gone out. For the current block their sample peak stands in, raised by
 * this margin (1 dB: the inter-sample overshoot of content up to about 0.3 fs) so that a new peak arriving in
 * a block's last samples stays under the ceiling too. Only the current block uses it; the memory keeps the
 * measured true peaks.
 */
const TAIL_MARGIN: f64 = 1.1220184543019633; // 10^(1/20)

export class PeakMemory {
  private ring: usize; // PEAK_SLOTS x f64: the input's linear true peak per 100 ms slot
  private slotFrames: i32;
  private slotFill: i32 = 0;
  private slotIndex: i32 = 0;
  private slotPeak: f64 = 0.0; // peak of the slot being filled (the current block included)
  private ringPeak: f64 = 0.0; // peak of the other PEAK_SLOTS - 1 slots
  private tailPeak: f64 = 0.0; // the current block's tail sample peak, with TAIL_MARGIN

  constructor(sampleRate: f64) {
    this.ring = heap.alloc(<usize>PEAK_SLOTS << 3);
    memory.fill(this.ring, 0, <usize>PEAK_SLOTS << 3);
    this.slotFrames = <i32>Math.round(sampleRate / 10.0);
  }

  /**
   * Notes a block's linear true peak and the sample peak of its last samples (see TAIL_MARGIN). The slot being filled includes the current block, so a peak arriving now
   * limits the boost of this very block.
   */
  note(frames: i32, blockPeak: f64, tailPeak: f64): void {
    this.tailPeak = tailPeak * TAIL_MARGIN;
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

  /**
   * The peak this memory holds for the whole of a block of `frames` (the slot being filled, when the block does
   * not complete it; else 0): a block whose true peak cannot exceed it changes nothing here, so the meter may
   * skip its oversampler (dsp/meter.ts truePeakSkippable).
   */
  skipFloor(frames: i32): f64 {
    return this.slotFill + frames < this.slotFrames ? this.slotPeak : 0.0;
  }

  /** Back to a fresh memory (an engine handed to a new plugin instance). */
  reset(): void {
    memory.fill(this.ring, 0, <usize>PEAK_SLOTS << 3);
    this.slotFill = 0;
    this.slotIndex = 0;
    this.slotPeak = 0.0;
    this.ringPeak = 0.0;
    this.tailPeak = 0.0;
  }

  /** Most boost (dB) a ceiling of `ceilingDb` dBTP allows; +Infinity while the memory holds only silence. */
  cap(ceilingDb: f64): f64 {
    let peak = this.slotPeak > this.ringPeak ? this.slotPeak : this.ringPeak;
    if (this.tailPeak > peak) peak = this.tailPeak;
    return peak > 0.0 ? ceilingDb - linearToDb(peak) : Infinity;
  }
}
