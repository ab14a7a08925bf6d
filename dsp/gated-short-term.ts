/**
 * Target mode's gated short-term window (dsp/gain-law.ts): the K-weighted energy of the last GATED_SLOTS slots of
 * 100 ms, counting only the slots at or above the gate, gated twice as BS.1770-5 gates integrated loudness (an
 * absolute gate, then a relative one GATED_RELATIVE under the mean of what passed it; BS.1770-5 Annex 1, eq. 4-6,
 * on 100 ms slots instead of 400 ms blocks).
 *
 * Why: a pause in speech is not programme; counted as silence, a plain 3 s window reads speech 1-1.5 LU quieter
 * than its integrated loudness, and a target gain rides up by as much. Match mode needs no such gate (a pause is
 * silent on both sides).
 *
 * Audio thread: allocates its ring once, in the constructor; note() is O(1) per block and O(GATED_SLOTS) once
 * per 100 ms slot.
 */
import { lufsToMeanSquare } from './db';

/** Slots of 100 ms in the window: 3 s, the short-term window (EBU Tech 3341 section 2.2). */
const GATED_SLOTS: i32 = 30;
/** The relative gate, as a mean-square ratio: -10 LU (BS.1770-5's relative gate). */
const GATED_RELATIVE: f64 = 0.1;
/** Slots in the recent window: 1 s. */
const RECENT_SLOTS: i32 = 10;


export class GatedShortTerm {
  /** Sums over the window's slots that pass both gates: K-weighted energy, and frames. */
  energy: f64 = 0.0;
  frames: f64 = 0.0;
  /** The same sums over the newest RECENT_SLOTS slots (1 s), through the same two gates. */
  recentEnergy: f64 = 0.0;
  recentFrames: f64 = 0.0;
  /** Slots completed since clear(): the gain law reads the recent sums once per slot. */
  slots: i32 = 0;
  private ring: usize; // per slot: energy (f64), frames (f64)
  private slotFrames: f64; // frames per 100 ms slot
  private slotEnergy: f64 = 0.0; // the slot being filled
  private slotFill: f64 = 0.0;
  private index: i32 = 0;

  constructor(sampleRate: f64) {
    this.ring = heap.alloc(<usize>GATED_SLOTS << 4);
    this.slotFrames = sampleRate / 10.0;
    this.clear();
  }

  /** An empty window (a start, a reset, a transport start or jump). */
  clear(): void {
    memory.fill(this.ring, 0, <usize>GATED_SLOTS << 4);
    this.slotEnergy = 0.0;
    this.slotFill = 0.0;
    this.index = 0;
    this.energy = 0.0;
    this.frames = 0.0;
    this.recentEnergy = 0.0;
    this.recentFrames = 0.0;
    this.slots = 0;
  }

  /**
   * Adds a block of `n` frames and K-weighted energy `e`; at the end of each slot, sums the window's slots that
   * pass `gate` (LUFS) and then the relative gate.
   */
  note(n: f64, e: f64, gate: f64): void {
    this.slotEnergy += e;
    this.slotFill += n;
    if (this.slotFill < this.slotFrames) return;
    const at = this.ring + (<usize>this.index << 4);
    store<f64>(at, this.slotEnergy);
    store<f64>(at + 8, this.slotFill);
    this.index = this.index + 1 == GATED_SLOTS ? 0 : this.index + 1;
    this.slotEnergy = 0.0;
    this.slotFill = 0.0;
    this.slots++;
    let gateMs = lufsToMeanSquare(gate);
    for (let pass = 0; pass < 2; pass++) {
      let se: f64 = 0.0;
      let sn: f64 = 0.0;
      let re: f64 = 0.0;
      let rn: f64 = 0.0;
      for (let i = 0; i < GATED_SLOTS; i++) {
        const p = this.ring + (<usize>i << 4);
        const fe = load<f64>(p);
        const fn = load<f64>(p + 8);
        if (fn > 0.0 && fe >= gateMs * fn) {
          se += fe;
          sn += fn;
          let age = this.index - 1 - i;
          if (age < 0) age += GATED_SLOTS;
          if (age < RECENT_SLOTS) {
            re += fe;
            rn += fn;
          }
        }
      }
      this.energy = se;
      this.frames = sn;
      this.recentEnergy = re;
      this.recentFrames = rn;
      if (sn == 0.0) break;
      const relative = (se / sn) * GATED_RELATIVE;
      if (relative > gateMs) gateMs = relative;
    }
  }
}
