/**
 * Test helper: builds WAV files byte by byte, including malformed ones, for the reader and CLI tests.
 * Not part of the library (nothing outside the tests imports it).
 */

export interface Chunk {
  /** Four ASCII characters, e.g. 'fmt ', 'LIST'. */
  id: string;
  body: Uint8Array;
  /** Size to write in the chunk header, if not body.length (for malformed files). */
  declaredSize?: number;
}

/** A RIFF container: `riffId` ("RIFF"), u32 size, `form` ("WAVE"), then the chunks, each padded to even size. */
export function riff(chunks: Chunk[], riffId = 'RIFF', form = 'WAVE'): Buffer {
  const parts = chunks.map(encodeChunk);
  const body = Buffer.concat([Buffer.from(form, 'latin1'), ...parts]);
  const head = Buffer.alloc(8);
  head.write(riffId, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

export function encodeChunk(c: Chunk): Buffer {
  const head = Buffer.alloc(8);
  head.write(c.id, 0, 'latin1');
  head.writeUInt32LE(c.declaredSize ?? c.body.length, 4);
  const pad = c.body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0);
  return Buffer.concat([head, c.body, pad]);
}

export interface FmtSpec {
  /** Format tag: 1 PCM, 3 IEEE float, 0xFFFE extensible, or anything for error tests. */
  tag: number;
  channels: number;
  sampleRate: number;
  bits: number;
  /** Default channels * bits / 8. */
  blockAlign?: number;
  /** For tag 0xFFFE: the speaker mask and the tag stored in the SubFormat GUID. */
  mask?: number;
  subTag?: number;
}

/** A "fmt " chunk: 16 bytes, or 40 for WAVE_FORMAT_EXTENSIBLE. */
export function fmtChunk(s: FmtSpec): Chunk {
  const ext = s.tag === 0xfffe;
  const b = Buffer.alloc(ext ? 40 : 16);
  const blockAlign = s.blockAlign ?? s.channels * Math.ceil(s.bits / 8);
  b.writeUInt16LE(s.tag, 0);
  b.writeUInt16LE(s.channels, 2);
  b.writeUInt32LE(s.sampleRate, 4);
  b.writeUInt32LE((s.sampleRate * blockAlign) >>> 0, 8); // byte rate
  b.writeUInt16LE(blockAlign, 12);
  b.writeUInt16LE(s.bits, 14);
  if (ext) {
    b.writeUInt16LE(22, 16); // cbSize
    b.writeUInt16LE(s.bits, 18); // valid bits
    b.writeUInt32LE((s.mask ?? 0) >>> 0, 20);
    // SubFormat GUID {0000tttt-0000-0010-8000-00AA00389B71}, stored little-endian: tag first.
    b.writeUInt16LE(s.subTag ?? 1, 24);
    Buffer.from([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]).copy(b, 26);
  }
  return { id: 'fmt ', body: b };
}

export interface WavSpec {
  sampleRate: number;
  format: 'pcm' | 'float';
  /** 8, 16, 24, 32 (pcm) or 32, 64 (float). */
  bits: number;
  /** Write WAVE_FORMAT_EXTENSIBLE with this channel mask. */
  mask?: number;
  /** Write an RF64 file (ds64 chunk, 0xFFFFFFFF sizes). */
  rf64?: boolean;
  /** Write 0xFFFFFFFF as the RIFF and data sizes, as ffmpeg and sox do when writing a WAV to a pipe. */
  unknownLength?: boolean;
  /** Chunks placed between fmt and data (e.g. an odd-sized LIST to test padding). */
  extraChunks?: Chunk[];
}

/** The fmt chunk for a spec. */
export function fmtFor(spec: WavSpec, channels: number): Chunk {
  const tag = spec.format === 'float' ? 3 : 1;
  return fmtChunk(spec.mask === undefined
    ? { tag, channels, sampleRate: spec.sampleRate, bits: spec.bits }
    : { tag: 0xfffe, subTag: tag, mask: spec.mask, channels, sampleRate: spec.sampleRate, bits: spec.bits });
}

/**
 * Every byte of the file before the audio: container header, fmt, extra chunks and the data chunk header,
 * for `dataBytes` bytes of audio. Used to write long files in pieces.
 */
export function wavHeader(spec: WavSpec, channels: number, dataBytes: number): Buffer {
  const chunks = [fmtFor(spec, channels), ...(spec.extraChunks ?? [])].map(encodeChunk);
  const beforeData = chunks.reduce((n, c) => n + c.length, 0);
  const dataHead = Buffer.alloc(8);
  dataHead.write('data', 0, 'latin1');
  const pad = dataBytes & 1;
  if (!spec.rf64) {
    dataHead.writeUInt32LE(spec.unknownLength ? 0xffffffff : dataBytes, 4);
    const head = Buffer.alloc(12);
    head.write('RIFF', 0, 'latin1');
    head.writeUInt32LE(spec.unknownLength ? 0xffffffff : 4 + beforeData + 8 + dataBytes + pad, 4);
    head.write('WAVE', 8, 'latin1');
    return Buffer.concat([head, ...chunks, dataHead]);
  }
  // RF64: 32-bit sizes are 0xFFFFFFFF and the real ones are in ds64 (u64 riff size, data size, sample count).
  dataHead.writeUInt32LE(0xffffffff, 4);
  const ds64 = Buffer.alloc(28);
  const riffSize = 4 + (8 + 28) + beforeData + 8 + dataBytes + pad;
  ds64.writeBigUInt64LE(BigInt(riffSize), 0);
  ds64.writeBigUInt64LE(BigInt(dataBytes), 8);
  ds64.writeBigUInt64LE(BigInt(dataBytes / ((spec.bits / 8) * channels)), 16);
  const head = Buffer.alloc(12);
  head.write('RF64', 0, 'latin1');
  head.writeUInt32LE(0xffffffff, 4);
  head.write('WAVE', 8, 'latin1');
  return Buffer.concat([head, encodeChunk({ id: 'ds64', body: ds64 }), ...chunks, dataHead]);
}

/**
 * Interleaved sample bytes for planar samples in [-1, 1]. Integers: round(x * 2^(bits-1)), clipped to the
 * integer range; 8-bit is unsigned (offset 128).
 */
export function encodeFrames(spec: WavSpec, planar: readonly ArrayLike<number>[]): Buffer {
  const channels = planar.length;
  const frames = planar[0]?.length ?? 0;
  const bytes = spec.bits / 8;
  const out = Buffer.alloc(frames * channels * bytes);
  const full = 2 ** (spec.bits - 1);
  let at = 0;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++, at += bytes) {
      const x = planar[c]![i]!;
      if (spec.format === 'float') {
        if (spec.bits === 32) out.writeFloatLE(x, at);
        else out.writeDoubleLE(x, at);
        continue;
      }
      const v = Math.max(-full, Math.min(full - 1, Math.round(x * full)));
      if (spec.bits === 8) out.writeUInt8(v + 128, at);
      else out.writeIntLE(v, at, bytes); // 16, 24 or 32 bits, signed
    }
  }
  return out;
}

/** A complete WAV file holding `planar` (one array per channel, equal lengths). */
export function makeWav(spec: WavSpec, planar: readonly ArrayLike<number>[]): Buffer {
  const data = encodeFrames(spec, planar);
  const pad = data.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0);
  return Buffer.concat([wavHeader(spec, planar.length, data.length), data, pad]);
}

/** A sine of `freq` Hz with peak amplitude `peak` (linear), `seconds` long at `sampleRate` Hz. */
export function sine(freq: number, peak: number, seconds: number, sampleRate: number): Float64Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = peak * Math.sin((2 * Math.PI * freq * i) / sampleRate);
  return out;
}

/** Linear amplitude of a level in dB (dBFS). */
export function dbToAmp(db: number): number {
  return 10 ** (db / 20);
}
