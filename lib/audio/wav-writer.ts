/**
 * A streaming WAV writer that never leaves a partial file: it writes to a temporary file beside the target
 * (same directory, so the final rename is atomic on one file system) and renames it over the target only in
 * commit(), after the header is final and the data is flushed to disk (fsync). abort(), an error, a full disk
 * or a killed process leave the target as it was (the caller removes stray temporaries: tempPattern()).
 *
 * Layout written: "RIFF" size "WAVE", "JUNK" (28 bytes, reserved so a file over 4 GiB can become RF64 by
 * turning it into "ds64" in place, EBU Tech 3306), "fmt " (WAVE_FORMAT_EXTENSIBLE when there are more than
 * two channels or a channel mask, as the Microsoft spec asks), "data".
 *
 * PCM 16 is dithered with TPDF noise of +-1 LSB (the sum of two uniform values, Lipshitz/Vanderkooy/Wannamaker
 * 1992: it makes the quantisation error independent of the signal); wider formats are rounded. Integer
 * samples beyond full scale are clipped (and counted).
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import type { SampleFormat } from './types.ts';

export type OutputFormat = 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['pcm16', 'pcm24', 'pcm32', 'float32', 'float64'];

/** The output format that keeps an input's sample format (8-bit PCM becomes 16-bit: 8 bits cannot hold a gain change cleanly). */
export function keepFormat(f: SampleFormat): OutputFormat {
  if (f.format === 'float') return f.bitsPerSample === 64 ? 'float64' : 'float32';
  return f.bitsPerSample <= 16 ? 'pcm16' : f.bitsPerSample === 24 ? 'pcm24' : 'pcm32';
}

export interface WavWriterOptions {
  sampleRate: number;
  channels: number;
  format: OutputFormat;
  /** WAVE_FORMAT_EXTENSIBLE speaker mask; default none for 1-2 channels, the usual one otherwise. */
  channelMask?: number;
  /** Seed of the dither's noise, for reproducible output (default: random). */
  ditherSeed?: number;
}

/** The default speaker masks by channel count (mono, stereo, 3.0, quad, 5.0, 5.1, 6.1, 7.1). */
const DEFAULT_MASKS = [0, 0x4, 0x3, 0x7, 0x33, 0x37, 0x3f, 0x13f, 0x63f];

/** A temporary name beside `target`: hidden, and tagged with our process id so it can be cleaned up. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.levelmatch-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** Matches the temporaries tempPathFor() makes for process `pid`. */
export function tempPattern(pid = process.pid): RegExp {
  return new RegExp(`^\\..*\\.levelmatch-${pid}-[0-9a-f]{8}\\.tmp$`);
}

const LITTLE_ENDIAN = endianness() === 'LE';
const WRITE_FRAMES = 8192;

export class WavWriter {
  /** Integer samples clipped at full scale so far. */
  clipped = 0;
  private frames = 0;
  private closed = false;
  private readonly bytesPerSample: number;
  private readonly buf: Buffer;
  private rng: number;
  private headerSize = 0;
  private i16: Int16Array | undefined;
  private f32: Float32Array | undefined;

  private constructor(readonly target: string, readonly tempPath: string, private readonly fh: FileHandle, readonly options: WavWriterOptions) {
    this.bytesPerSample = { pcm16: 2, pcm24: 3, pcm32: 4, float32: 4, float64: 8 }[options.format];
    // Not from Buffer's shared pool, so its offset is 0 and aligned for the typed-array views.
    this.buf = Buffer.alloc(WRITE_FRAMES * options.channels * this.bytesPerSample);
    // The dither's noise: a 32-bit LCG (Numerical Recipes constants), cheap and good enough for dither.
    this.rng = (options.ditherSeed ?? randomBytes(4).readUInt32LE(0)) >>> 0 || 1;
    if (LITTLE_ENDIAN) {
      if (options.format === 'pcm16') this.i16 = new Int16Array(this.buf.buffer, this.buf.byteOffset, this.buf.length / 2);
      if (options.format === 'float32') this.f32 = new Float32Array(this.buf.buffer, this.buf.byteOffset, this.buf.length / 4);
    }
  }

  /** Creates the temporary file beside `target` and writes a provisional header. */
  static async create(target: string, options: WavWriterOptions): Promise<WavWriter> {
    const tmp = tempPathFor(target);
    const fh = await open(tmp, 'wx');
    const w = new WavWriter(target, tmp, fh, options);
    try {
      await w.writeHeader();
    } catch (e) {
      await w.abort();
      throw e;
    }
    return w;
  }

  /** Appends planar frames (one array per channel, equal lengths). */
  async write(planes: readonly Float32Array[]): Promise<void> {
    const n = planes[0]!.length;
    for (let at = 0; at < n; at += WRITE_FRAMES) {
      const count = Math.min(WRITE_FRAMES, n - at);
      const bytes = this.encode(planes, at, count);
      let done = 0;
      while (done < bytes) done += (await this.fh.write(this.buf, done, bytes - done, this.headerSize + this.dataBytes() + done)).bytesWritten;
      this.frames += count;
    }
  }

  /** Writes the final header, flushes to disk and renames the file over the target. */
  async commit(): Promise<void> {
    try {
      await this.writeHeader();
      await this.fh.sync();
      await this.fh.close();
      this.closed = true;
      await rename(this.tempPath, this.target);
    } catch (e) {
      await this.abort();
      throw e;
    }
  }

  /** Closes and removes the temporary file; the target is untouched. */
  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.fh.close().catch(() => {});
    }
    await rm(this.tempPath, { force: true });
  }

  private dataBytes(): number {
    return this.frames * this.options.channels * this.bytesPerSample;
  }

  private async writeHeader(): Promise<void> {
    const { channels, sampleRate, format } = this.options;
    const mask = this.options.channelMask ?? (channels > 2 ? DEFAULT_MASKS[channels]! : 0);
    const extensible = channels > 2 || mask !== 0;
    const float = format.startsWith('float');
    const bits = this.bytesPerSample * 8;
    const data = this.dataBytes();
    const fmtSize = extensible ? 40 : 16;
    const size = 12 + 8 + 28 + 8 + fmtSize + 8;
    const b = Buffer.alloc(size);
    const riffSize = size - 8 + data;
    const big = riffSize > 0xffffffff;
    b.write(big ? 'RF64' : 'RIFF', 0, 'latin1');
    b.writeUInt32LE(big ? 0xffffffff : riffSize, 4);
    b.write('WAVE', 8, 'latin1');
    b.write(big ? 'ds64' : 'JUNK', 12, 'latin1');
    b.writeUInt32LE(28, 16);
    if (big) {
      b.writeBigUInt64LE(BigInt(riffSize), 20);
      b.writeBigUInt64LE(BigInt(data), 28);
      b.writeBigUInt64LE(BigInt(this.frames), 36);
    }
    let at = 48;
    b.write('fmt ', at, 'latin1');
    b.writeUInt32LE(fmtSize, at + 4);
    at += 8;
    const blockAlign = channels * this.bytesPerSample;
    b.writeUInt16LE(extensible ? 0xfffe : float ? 3 : 1, at);
    b.writeUInt16LE(channels, at + 2);
    b.writeUInt32LE(sampleRate, at + 4);
    b.writeUInt32LE(sampleRate * blockAlign, at + 8);
    b.writeUInt16LE(blockAlign, at + 12);
    b.writeUInt16LE(bits, at + 14);
    if (extensible) {
      b.writeUInt16LE(22, at + 16);
      b.writeUInt16LE(bits, at + 18);
      b.writeUInt32LE(mask >>> 0, at + 20);
      // SubFormat GUID {0000000X-0000-0010-8000-00AA00389B71}: the format tag, then the fixed suffix.
      b.writeUInt16LE(float ? 3 : 1, at + 24);
      Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(b, at + 26);
    }
    at += fmtSize;
    b.write('data', at, 'latin1');
    b.writeUInt32LE(big ? 0xffffffff : data, at + 4);
    this.headerSize = size;
    let done = 0;
    while (done < size) done += (await this.fh.write(b, done, size - done, done)).bytesWritten;
  }

  /**
   * Interleaves and encodes frames [at, at + count) into this.buf; returns the bytes. 16-bit and float
   * samples go through typed-array views of the buffer (the machine is little-endian, as WAV is: checked
   * once), which is several times faster than Buffer's per-sample write methods.
   */
  private encode(planes: readonly Float32Array[], at: number, count: number): number {
    const { channels, format } = this.options;
    const b = this.buf;
    const bps = this.bytesPerSample;
    const stride = channels * bps;
    for (let c = 0; c < channels; c++) {
      const src = planes[c]!;
      switch (format) {
        case 'float32':
          if (LITTLE_ENDIAN) {
            const out = this.f32!;
            for (let i = 0, o = c; i < count; i++, o += channels) out[o] = src[at + i]!;
          } else for (let i = 0, o = c * 4; i < count; i++, o += stride) b.writeFloatLE(src[at + i]!, o);
          break;
        case 'float64':
          for (let i = 0, o = c * 8; i < count; i++, o += stride) b.writeDoubleLE(src[at + i]!, o);
          break;
        case 'pcm16': {
          const out = this.i16;
          let rng = this.rng;
          for (let i = 0, o = c; i < count; i++, o += channels) {
            // TPDF: the difference of two uniform values in [0, 1), i.e. -1..1 LSB with a triangular density.
            rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
            const u1 = rng / 4294967296;
            rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
            const q = this.quantise(src[at + i]! * 32768 + (u1 - rng / 4294967296), 32767);
            if (out) out[o] = q;
            else b.writeInt16LE(q, o * 2);
          }
          this.rng = rng;
          break;
        }
        case 'pcm24':
          for (let i = 0, o = c * 3; i < count; i++, o += stride) {
            const q = this.quantise(src[at + i]! * 8388608, 8388607);
            b[o] = q & 0xff;
            b[o + 1] = (q >> 8) & 0xff;
            b[o + 2] = (q >> 16) & 0xff;
          }
          break;
        case 'pcm32':
          for (let i = 0, o = c * 4; i < count; i++, o += stride) b.writeInt32LE(this.quantise(src[at + i]! * 2147483648, 2147483647), o);
          break;
      }
    }
    return count * stride;
  }

  private quantise(x: number, max: number): number {
    const q = Math.round(x);
    if (q > max) { this.clipped++; return max; }
    if (q < -max - 1) { this.clipped++; return -max - 1; }
    return q === q ? q : 0; // NaN -> 0
  }
}
