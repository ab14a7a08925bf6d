/**
 * The measuring pass of the file tools: the whole file through a LoudnessMeter, read in hops of 100 ms so
 * that the momentary loudness after each hop is one BS.1770 gating block (400 ms, 75 % overlap: ITU-R
 * BS.1770-5 Annex 1, "gating block"). Keeping those block loudnesses lets album mode gate several files
 * together exactly as one long file, and the short-term values at the same hops drive `match --detector
 * short-term`. Memory: 4 bytes per 100 ms per series (290 KB for 2 hours).
 */
import { LoudnessMeter } from '../loudness-meter.ts';
import { chooseLayout } from '../cli/measure-file.ts';
import type { AudioInfo, AudioReader } from '../audio/types.ts';
import type { ChannelRole, LayoutName, LoudnessResult } from '../types.ts';

export interface Analysis {
  info: AudioInfo;
  layout: readonly ChannelRole[];
  result: LoudnessResult;
  /** Momentary loudness (LUFS) of each full 400 ms gating block, one per 100 ms from 0.4 s (empty if !series). */
  blocks: Float32Array;
  /** Short-term loudness (LUFS) after each 100 ms hop (the first 3 s fill the window). */
  shortTerm: Float32Array;
}

/** Frames per 100 ms hop. */
export const hopFrames = (sampleRate: number): number => Math.round(sampleRate / 10);

export type ProgressFn = (fraction: number) => void;

export interface AnalyseOptions {
  layout?: LayoutName | readonly ChannelRole[];
  onProgress?: ProgressFn;
  /** Keep the 100 ms series (blocks, shortTerm); default true. Without them the pass is about twice as fast. */
  series?: boolean;
}

export async function analyse(reader: AudioReader, options: AnalyseOptions = {}): Promise<Analysis> {
  const { info } = reader;
  const layout = chooseLayout(info, options.layout);
  const meter = await LoudnessMeter.create({ sampleRate: info.sampleRate, channels: info.channels, layout });
  const series = options.series ?? true;
  const hop = series ? hopFrames(info.sampleRate) : 16384;
  const blocks = new GrowableF32();
  const shortTerm = new GrowableF32();
  let hops = 0;
  for await (const planes of reader.chunks(hop)) {
    meter.push(planes);
    if (!series) {
      if (++hops % 32 === 0) options.onProgress?.(reader.progress());
    } else if (planes[0]!.length === hop) {
      hops++;
      const r = meter.result();
      if (hops >= 4) blocks.push(r.momentary);
      shortTerm.push(r.shortTerm);
      if (hops % 50 === 0) options.onProgress?.(reader.progress());
    }
  }
  return { info: { ...info }, layout: meter.layout, result: meter.result(), blocks: blocks.take(), shortTerm: shortTerm.take() };
}

/**
 * Integrated loudness (LUFS) of gating blocks, BS.1770-5 Annex 1: the mean energy of the blocks above the
 * absolute gate (-70 LUFS) and above the relative gate (10 LU under the mean of those). Several files' blocks
 * together give their joint ("album") loudness.
 */
export function gatedLoudness(blockLists: readonly Float32Array[]): number {
  const energy = (l: number) => 10 ** ((l + 0.691) / 10);
  let sum = 0;
  let count = 0;
  for (const list of blockLists) for (const l of list) if (l > -70) { sum += energy(l); count++; }
  if (count === 0) return -Infinity;
  const relative = -0.691 + 10 * Math.log10(sum / count) - 10;
  sum = 0;
  count = 0;
  for (const list of blockLists) for (const l of list) if (l > -70 && l > relative) { sum += energy(l); count++; }
  return count === 0 ? -Infinity : -0.691 + 10 * Math.log10(sum / count);
}

class GrowableF32 {
  private data = new Float32Array(1024);
  private n = 0;
  push(v: number): void {
    if (this.n === this.data.length) {
      const d = new Float32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.n++] = v;
  }
  take(): Float32Array {
    return this.data.slice(0, this.n);
  }
}
