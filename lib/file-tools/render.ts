/**
 * The rendering pass: gain (a constant, or a curve in dB), then the true-peak limiter if asked, then a meter
 * of the result and (optionally) the WAV writer. The limiter's latency is compensated: its first `latency`
 * output frames are dropped and it is flushed with silence at the end, so output frame n is input frame n.
 */
import { LoudnessMeter } from '../loudness-meter.ts';
import type { AudioReader } from '../audio/types.ts';
import { WavWriter, type OutputFormat } from '../audio/wav-writer.ts';
import type { ChannelRole, LoudnessResult } from '../types.ts';
import { TruePeakLimiter } from './true-peak-limiter.ts';
import type { ProgressFn } from './analyse.ts';

/** A gain that moves: db[k] (dB) holds at frame k * hopFrames, linearly interpolated (in dB) in between. */
export interface GainCurve {
  hopFrames: number;
  db: Float32Array;
}

export interface RenderOptions {
  layout: readonly ChannelRole[];
  /** dB, or a curve. */
  gain: number | GainCurve;
  /** Limit the true peak to this (linear); undefined: no limiter. */
  limitTo?: number;
  /** Write here (through a temporary file); undefined: measure only. */
  output?: { path: string; format: OutputFormat; channelMask?: number };
  onProgress?: ProgressFn;
}

export interface RenderResult {
  after: LoudnessResult;
  /** The deepest limiter gain reduction (dB, >= 0; 0 when it never acted). */
  limiterReductionDb: number;
  /** Seconds of audio the limiter acted on. */
  limitedSeconds: number;
  /** Integer samples clipped at full scale when writing (only with a ceiling above 0 dBTP, or no limiter). */
  clipped: number;
  /** The writer, still uncommitted: the caller commits it (keeps the file) or aborts it. */
  writer?: WavWriter;
}

const CHUNK = 8192;

export async function render(reader: AudioReader, o: RenderOptions): Promise<RenderResult> {
  const { info } = reader;
  const channels = info.channels;
  const meter = await LoudnessMeter.create({ sampleRate: info.sampleRate, channels, layout: o.layout });
  const limiter = o.limitTo === undefined ? undefined : new TruePeakLimiter(channels, info.sampleRate, o.limitTo);
  const writer = o.output ? await WavWriter.create(o.output.path, {
    sampleRate: info.sampleRate, channels, format: o.output.format, channelMask: o.output.channelMask,
  }) : undefined;
  try {
    const work = Array.from({ length: channels }, () => new Float32Array(CHUNK));
    let skip = limiter?.latency ?? 0; // output frames still to drop (the limiter's latency)
    let frame = 0;
    let steps = 0;
    const emit = async (n: number) => {
      let out = work;
      let count = n;
      if (skip > 0) {
        const drop = Math.min(skip, n);
        skip -= drop;
        count = n - drop;
        if (count === 0) return;
        out = work.map((p) => p.subarray(drop, n));
      } else if (n < CHUNK) out = work.map((p) => p.subarray(0, n));
      meter.push(out);
      await writer?.write(out);
    };
    for await (const planes of reader.chunks(CHUNK)) {
      const n = planes[0]!.length;
      applyGain(planes, work, n, frame, o.gain);
      frame += n;
      limiter?.process(work, work, n);
      await emit(n);
      if (++steps % 64 === 0) o.onProgress?.(reader.progress());
    }
    if (limiter) {
      for (let left = limiter.latency; left > 0;) {
        const n = Math.min(CHUNK, left);
        for (const p of work) p.fill(0, 0, n);
        limiter.process(work, work, n);
        await emit(n);
        left -= n;
      }
    }
    return {
      after: meter.result(),
      limiterReductionDb: limiter ? -20 * Math.log10(limiter.minGain) : 0,
      limitedSeconds: limiter ? limiter.limitedFrames / info.sampleRate : 0,
      clipped: writer?.clipped ?? 0,
      writer,
    };
  } catch (e) {
    await writer?.abort();
    throw e;
  }
}

/** work[c][i] = planes[c][i] * gain at frame start + i; non-finite samples become 0 (never written out). */
function applyGain(planes: Float32Array[], work: Float32Array[], n: number, start: number, gain: number | GainCurve): void {
  if (typeof gain === 'number') {
    const g = 10 ** (gain / 20);
    for (let c = 0; c < planes.length; c++) {
      const x = planes[c]!;
      const y = work[c]!;
      for (let i = 0; i < n; i++) {
        const v = x[i]! * g;
        y[i] = v - v === 0 ? v : 0; // NaN and +-Infinity fail v - v === 0
      }
    }
    return;
  }
  const { hopFrames, db } = gain;
  const last = db.length - 1;
  for (let i = 0; i < n; i++) {
    const pos = (start + i) / hopFrames;
    const k = Math.min(Math.floor(pos), last);
    const a = db[Math.max(0, k)]!;
    const b = db[Math.min(k + 1, last)]!;
    const g = 10 ** ((a + (b - a) * Math.min(1, pos - k)) / 20);
    for (let c = 0; c < planes.length; c++) {
      const v = planes[c]![i]! * g;
      work[c]![i] = v - v === 0 ? v : 0;
    }
  }
}
