/**
 * Constant-memory store of gated loudness values (integrated loudness, loudness range).
 *
 * BS.1770's relative gate needs the power mean of every block ever measured, and LRA needs percentiles, so an
 * exact meter would keep every block: memory growing with the stream. Like libebur128 we keep a histogram
 * instead, but (1) with 0.01 LU bins instead of 0.1 LU, and (2) each bin keeps the SUM OF ITS BLOCKS' ENERGIES,
 * not just a count. Power means are then exact sums; the only approximation left is which side of a gate the
 * blocks in the gate's own bin fall on (they are within 0.01 LU of it), and a percentile reads the power mean of
 * its bin instead of the exact value (error < 0.01 LU). 10 000 bins x 16 bytes = 160 KB per histogram.
 *
 * Values are stored as mean-square energies (the argument of the log in BS.1770 eq. 2); loudness is
 * -0.691 + 10*log10(energy) LUFS.
 */
import { coldAlloc } from './cold-memory';

export const LOWEST_LUFS: f64 = -70.0; // the absolute gate, BS.1770-5 Annex 1 eq. 4 / Tech 3342
export const BINS_PER_LU: f64 = 100.0;
export const BIN_COUNT: i32 = 10000; // -70 ... +30 LUFS; louder blocks go to the top bin (their energy stays exact)

/** -0.691 dB: the K-filter's gain at 997 Hz is compensated so a 0 dBFS sine reads -3.01 LUFS (BS.1770 eq. 2). */
export const LOUDNESS_OFFSET: f64 = -0.691;

export function energyToLufs(energy: f64): f64 {
  return energy > 0.0 ? LOUDNESS_OFFSET + 10.0 * Math.log10(energy) : -Infinity;
}

export function lufsToEnergy(lufs: f64): f64 {
  return Math.pow(10.0, (lufs - LOUDNESS_OFFSET) / 10.0);
}

/** Energy of the absolute gate (-70 LUFS). */
const ABSOLUTE_GATE_ENERGY: f64 = lufsToEnergy(LOWEST_LUFS);

function binOf(lufs: f64): i32 {
  const i = <i32>Math.floor((lufs - LOWEST_LUFS) * BINS_PER_LU);
  return i < 0 ? 0 : i >= BIN_COUNT ? BIN_COUNT - 1 : i;
}

export class GatedHistogram {
  /** f64 energy sum per bin, then f64 count per bin (a count up to 2^53 blocks is exact). */
  private energy: usize;
  private count: usize;
  private totalEnergy: f64 = 0.0;
  private totalCount: f64 = 0.0;
  /**
   * The highest bin holding a block (-1: none). Every scan stops there: a readout scans from the gate up, and
   * above the programme's loudest block the bins are empty (adding their zeros changed no sum). Programme around
   * -20 LUFS fills bins up to about 5 000-6 000 of 10 000; the scans of a watched instance's readout (three
   * meters' integrated loudness and LRA every 40 ms) were most of its cost.
   */
  private top: i32 = -1;
  /**
   * The last gatedMeanEnergy / range result and its gate, valid until add() or clear(): blocks arrive every
   * 100 ms and a watched readout asks every 40 ms, so most readings were the same scan repeated.
   */
  private meanGate: f64 = NaN;
  private meanValue: f64 = 0.0;
  private rangeGate: f64 = NaN;
  private rangeValue: f64 = 0.0;

  constructor() {
    this.energy = coldAlloc(<usize>BIN_COUNT << 3);
    this.count = coldAlloc(<usize>BIN_COUNT << 3);
    this.clear();
  }

  clear(): void {
    memory.fill(this.energy, 0, <usize>BIN_COUNT << 3);
    memory.fill(this.count, 0, <usize>BIN_COUNT << 3);
    this.totalEnergy = 0.0;
    this.totalCount = 0.0;
    this.top = -1;
    this.forget();
  }

  /** The cached results no longer hold (NaN never equals a gate). */
  private forget(): void {
    this.meanGate = NaN;
    this.rangeGate = NaN;
  }

  get size(): f64 {
    return this.totalCount;
  }

  /** Adds one block's mean-square energy; blocks below the absolute gate (-70 LUFS) are not kept. */
  add(blockEnergy: f64): void {
    if (!(blockEnergy >= ABSOLUTE_GATE_ENERGY)) return;
    const bin = binOf(energyToLufs(blockEnergy));
    if (bin > this.top) this.top = bin;
    const off = <usize>bin << 3;
    store<f64>(this.energy + off, load<f64>(this.energy + off) + blockEnergy);
    store<f64>(this.count + off, load<f64>(this.count + off) + 1.0);
    this.totalEnergy += blockEnergy;
    this.totalCount += 1.0;
    this.forget();
  }

  /**
   * First bin whose blocks pass a relative gate `gateLu` below the power mean of all kept blocks. The gate's
   * own bin passes when its power mean is at or above the gate (">=", as libebur128 and the EBU reference).
   * Returns BIN_COUNT when nothing is kept.
   */
  private firstBinAboveRelativeGate(gateLu: f64): i32 {
    if (this.totalCount == 0.0) return BIN_COUNT;
    const gate = energyToLufs(this.totalEnergy / this.totalCount) + gateLu;
    if (gate < LOWEST_LUFS) return 0;
    const gateEnergy = lufsToEnergy(gate);
    let i = binOf(gate);
    const n = load<f64>(this.count + (<usize>i << 3));
    if (n > 0.0 && load<f64>(this.energy + (<usize>i << 3)) / n < gateEnergy) i++;
    return i;
  }

  /** Power mean (as energy) of the blocks above the relative gate; 0 when there are none. */
  gatedMeanEnergy(gateLu: f64): f64 {
    if (gateLu == this.meanGate) return this.meanValue;
    const first = this.firstBinAboveRelativeGate(gateLu);
    let e: f64 = 0.0;
    let n: f64 = 0.0;
    const top = this.top;
    for (let i = first; i <= top; i++) {
      const off = <usize>i << 3;
      e += load<f64>(this.energy + off);
      n += load<f64>(this.count + off);
    }
    this.meanGate = gateLu;
    this.meanValue = n > 0.0 ? e / n : 0.0;
    return this.meanValue;
  }

  /**
   * Loudness range per EBU Tech 3342: 95th minus 10th percentile of the values above the relative gate.
   * The percentile of n sorted values is value number round((n-1)*p/100 + 1) (1-based), as in the Tech 3342
   * reference. A percentile reads the power mean of the bin it falls in.
   */
  range(gateLu: f64): f64 {
    if (gateLu == this.rangeGate) return this.rangeValue;
    this.rangeGate = gateLu;
    this.rangeValue = this.scanRange(gateLu);
    return this.rangeValue;
  }

  /** range() itself, scanning the bins. */
  private scanRange(gateLu: f64): f64 {
    const first = this.firstBinAboveRelativeGate(gateLu);
    let n: f64 = 0.0;
    const top = this.top;
    for (let i = first; i <= top; i++) n += load<f64>(this.count + (<usize>i << 3));
    if (n < 1.0) return 0.0;
    const lowRank = Math.floor((n - 1.0) * 0.10 + 1.0 + 0.5);
    const highRank = Math.floor((n - 1.0) * 0.95 + 1.0 + 0.5);
    let low: f64 = 0.0;
    let high: f64 = 0.0;
    let seen: f64 = 0.0;
    let haveLow = false;
    for (let i = first; i <= top; i++) {
      const off = <usize>i << 3;
      const c = load<f64>(this.count + off);
      if (c == 0.0) continue;
      seen += c;
      if (!haveLow && seen >= lowRank) {
        low = energyToLufs(load<f64>(this.energy + off) / c);
        haveLow = true;
      }
      if (seen >= highRank) {
        high = energyToLufs(load<f64>(this.energy + off) / c);
        break;
      }
    }
    return high - low;
  }
}
