/**
 * A small streaming WAV reader: it reads the header, then decodes the audio a block at a time into planar
 * Float32Arrays, so memory stays bounded however long the file is. It reads files (openWav) and sequential
 * streams such as standard input (openWavStream) with the same header parser and decoder; the two differ
 * only in their ByteSource (./sources.ts).
 *
 * File layout (all integers little-endian):
 *   "RIFF" u32 size "WAVE", then chunks: 4-byte id, u32 body size in bytes, body, and one pad byte when the
 *   size is odd (chunks start at even offsets). We need "fmt " and "data" and skip every other chunk.
 *   RF64 and BW64 (EBU Tech 3306) files say "RF64"/"BW64" instead of "RIFF"; their first chunk "ds64" holds
 *   64-bit RIFF and data sizes, used when a 32-bit size field is 0xFFFFFFFF (files over 4 GiB). In a plain
 *   RIFF file a data size of 0xFFFFFFFF means the length was unknown when the header was written (a WAV
 *   streamed to a pipe): the audio runs to the end of the file (or stream).
 *
 * "fmt " body: u16 format tag, u16 channels, u32 sample rate (Hz), u32 byte rate, u16 block align (bytes per
 * frame, one sample of every channel), u16 bits per sample. Tags: 1 WAVE_FORMAT_PCM (integers; 8-bit is
 * unsigned with 128 as zero, wider is signed), 3 WAVE_FORMAT_IEEE_FLOAT, 0xFFFE WAVE_FORMAT_EXTENSIBLE, which
 * adds u16 cbSize (22), u16 valid bits, u32 channel mask and a 16-byte SubFormat GUID whose first two bytes
 * are the real format tag and whose other 14 bytes are the fixed KSDATAFORMAT suffix.
 *
 * "data" body: interleaved frames. Integers are scaled to [-1, 1) by 2^(bits-1). Float32 keeps 24 bits of
 * precision, so 32-bit integers are rounded and the largest positive ones become exactly 1.0.
 *
 * A final partial frame (a data size that is not a multiple of the block align) is ignored: fewer than one
 * frame of bytes cannot hold a sample of every channel, and such files exist (writers that were cut off).
 */
import { open } from 'node:fs/promises';
import { FileSource, StreamSource, readBytes, type ByteSource } from './sources.ts';

export type WavSampleFormat = 'pcm' | 'float';

export interface WavInfo {
  /** Hz. */
  sampleRate: number;
  channels: number;
  /** 'pcm': integer samples; 'float': IEEE float samples. */
  format: WavSampleFormat;
  /** Bits per sample as stored (the container size): 8, 16, 24, 32 or 64. */
  bitsPerSample: number;
  /** WAVE_FORMAT_EXTENSIBLE speaker mask; absent for plain PCM/float files. */
  channelMask?: number;
  /**
   * Whole frames in the data chunk. When !lengthKnown: the frames read so far, final once chunks() ends.
   */
  frames: number;
  /** frames / sampleRate, in seconds (so, like frames, what has been read so far when !lengthKnown). */
  durationSeconds: number;
  /**
   * False for a stream whose data size is 0xFFFFFFFF (written to a pipe): its length is only known at the
   * end. Always true for files (the size of the file gives the length).
   */
  lengthKnown: boolean;
  container: 'RIFF' | 'RF64' | 'BW64';
}

export interface WavReader {
  readonly info: WavInfo;
  /**
   * Decodes the audio from the start, `framesPerChunk` frames at a time (the last chunk may be shorter), as
   * one Float32Array per channel. The same arrays are reused for every chunk: copy them to keep them.
   * A file can be decoded any number of times; a stream once.
   */
  chunks(framesPerChunk?: number): AsyncGenerator<Float32Array[], void, undefined>;
  close(): Promise<void>;
}

/** A file or stream that is not a WAV we can read; the message names the problem in plain words. */
export class WavError extends Error {
  override name = 'WavError';
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2-15 of every KSDATAFORMAT_SUBTYPE_* GUID as stored: {xxxxxxxx-0000-0010-8000-00AA00389B71}. */
const KSDATAFORMAT_SUFFIX = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]);

const MIN_RATE = 8000;
const MAX_RATE = 384000;
const MAX_CHANNELS = 8;
const SIZE_UNKNOWN = 0xffffffff; // a 32-bit size that defers to ds64, or means "to the end"
/** On a stream, a data size this large (2 GiB less 64 KiB) or larger is a writer's placeholder: read to the end. */
const STREAM_PLACEHOLDER_SIZE = 0x7fff0000;

const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0050: 'MPEG',
  0x0055: 'MPEG Layer 3 (MP3)',
  0x00ff: 'AAC',
  0x1610: 'AAC (HE)',
};

interface Fmt {
  tag: number; // the effective tag (from the SubFormat GUID for EXTENSIBLE)
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  channelMask?: number;
}

/**
 * Opens a WAV file and reads its header. Throws WavError for files it cannot read, or the fs error. A path that
 * is not a regular file (a FIFO, /dev/stdin from a pipe, bash's <(...), a character device) cannot be read at
 * positions, so it is read once, in order, exactly as openWavStream reads standard input.
 */
export async function openWav(path: string): Promise<WavReader> {
  const fh = await open(path, 'r');
  try {
    const stat = await fh.stat();
    if (!stat.isFile() && !stat.isDirectory()) { // (a directory fails below with the fs error EISDIR)
      return await openWavStream(fh.createReadStream({ highWaterMark: 1 << 16 }));
    }
    const src = new FileSource(fh, stat.size);
    const header = await readHeader(src);
    const present = src.size - header.dataOffset;
    if (header.dataSize! > present) { // a file's data size is always known
      throw new WavError(`truncated file: the data chunk declares ${header.dataSize} bytes but only ${present} are present`);
    }
    return new SourceWavReader(src, header);
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/**
 * Reads a WAV stream (e.g. process.stdin, or any async iterable of byte chunks) sequentially: the header
 * up to the start of the audio now, the audio when chunks() is iterated (once only: a stream cannot be
 * rewound). Chunks come in order, so "fmt " must precede "data"; chunks before "data" are read and discarded.
 * A RIFF data size of 0xFFFFFFFF (what ffmpeg writes to a pipe), or on a stream any size from 0x7FFF0000 up
 * (sox writes 0x7FFFEFFC), means "to the end of the stream":
 * info.lengthKnown is then false, and info.frames and durationSeconds count the audio read so far. A stream
 * that ends before its declared data size makes chunks() throw a "truncated stream" WavError.
 * Throws WavError for streams it cannot read, or the stream's own error; close() ends (destroys) the
 * stream if it was not read to its end.
 */
export async function openWavStream(input: AsyncIterable<unknown>): Promise<WavReader> {
  const src = new StreamSource(input);
  try {
    return new SourceWavReader(src, await readHeader(src));
  } catch (e) {
    await src.close();
    throw e;
  }
}

interface Header {
  fmt: Fmt;
  container: WavInfo['container'];
  /** Offset of the first audio byte. */
  dataOffset: number;
  /** Bytes of audio; undefined for a stream whose data runs to its end (size 0xFFFFFFFF). */
  dataSize: number | undefined;
}

/**
 * Reads the RIFF header and walks the chunks up to the audio, through `src` only, so files and streams
 * share it. A file may put "fmt " after "data" (the walk then skips over the audio); a stream may not.
 */
async function readHeader(src: ByteSource): Promise<Header> {
  const head = await readBytes(src, 12);
  if (head.length === 0) throw new WavError(`empty ${src.kind}`);
  const riffId = head.toString('latin1', 0, 4);
  if (riffId === 'RIFX') throw new WavError('big-endian RIFX files are not supported');
  if (head.length < 12 || !['RIFF', 'RF64', 'BW64'].includes(riffId) || head.toString('latin1', 8, 12) !== 'WAVE') {
    throw new WavError(`not a RIFF/WAVE ${src.kind}`);
  }
  const container = riffId as WavInfo['container'];

  let fmt: Fmt | undefined;
  let ds64DataSize: number | undefined;
  let dataOffset = -1;
  let dataSize: number | undefined;
  while (fmt === undefined || dataOffset < 0) {
    const h = await readBytes(src, 8);
    if (h.length < 8) break;
    const id = h.toString('latin1', 0, 4);
    let size = h.readUInt32LE(4);
    const body = src.position;
    let toEnd = false;
    if (id === 'ds64' && container !== 'RIFF') {
      // u64 RIFF size, u64 data size, u64 sample count, u32 table length, table.
      const b = await readBytes(src, Math.min(size, 28));
      if (b.length < 16) throw new WavError(`truncated ${src.kind}: the ds64 chunk is incomplete`);
      ds64DataSize = Number(b.readBigUInt64LE(8));
    } else if (id === 'fmt ' && fmt === undefined) {
      // A second "fmt " chunk is skipped: the first one describes the audio (as sox and ffmpeg read it).
      fmt = parseFmt(await readBytes(src, Math.min(size, 40)), size);
    } else if (id === 'data') {
      if (fmt === undefined && !src.seekable) {
        throw new WavError('the data chunk comes before the fmt chunk: a stream must give its format first (save it to a file and measure that)');
      }
      dataOffset = body;
      if (size === SIZE_UNKNOWN && ds64DataSize !== undefined && ds64DataSize !== 0) size = ds64DataSize;
      else if (size === SIZE_UNKNOWN || size === 0 || (!src.seekable && size >= STREAM_PLACEHOLDER_SIZE)) {
        // A RIFF data size of 0xFFFFFFFF means "length unknown": what ffmpeg writes when the WAV goes to a
        // pipe; sox writes a placeholder just under 2 GiB (0x7FFFEFFC) instead. A size of 0 (RIFF, or ds64)
        // is what a writer that never came back to fill in the header leaves: ffmpeg and sox read the audio
        // after it too. The audio then runs to the end of the file or stream, and nothing can follow it.
        toEnd = true;
      }
      dataSize = toEnd ? (src.size === undefined ? undefined : src.size - body) : size;
    }
    if (toEnd || (fmt !== undefined && dataOffset >= 0)) break; // never skip the audio once fmt is known
    await src.skipTo(body + size + (size & 1)); // chunks are padded to an even size
  }
  if (fmt === undefined) throw new WavError('no fmt chunk (the format description is missing)');
  if (dataOffset < 0) throw new WavError('no data chunk (no audio found)');
  return { fmt, container, dataOffset, dataSize };
}

/** Parses and validates a "fmt " chunk body; `size` is the declared body size in bytes. */
function parseFmt(b: Buffer, size: number): Fmt {
  if (size < 16 || b.length < 16) throw new WavError(`fmt chunk too short (${Math.min(size, b.length)} bytes, need 16)`);
  let tag = b.readUInt16LE(0);
  const channels = b.readUInt16LE(2);
  const sampleRate = b.readUInt32LE(4);
  const blockAlign = b.readUInt16LE(12);
  const bitsPerSample = b.readUInt16LE(14);
  let channelMask: number | undefined;
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40 || b.length < 40) throw new WavError(`WAVE_FORMAT_EXTENSIBLE fmt chunk too short (${Math.min(size, b.length)} bytes, need 40)`);
    channelMask = b.readUInt32LE(20);
    tag = b.readUInt16LE(24);
    if (!b.subarray(26, 40).equals(KSDATAFORMAT_SUFFIX)) {
      throw new WavError('unsupported format: WAVE_FORMAT_EXTENSIBLE with an unknown SubFormat GUID');
    }
  }
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
    const hex = `0x${tag.toString(16).padStart(4, '0')}`;
    const name = FORMAT_NAMES[tag];
    throw new WavError(`unsupported format tag ${hex}${name ? ` (${name})` : ''}; only PCM and IEEE float are supported`);
  }
  const okBits = tag === WAVE_FORMAT_PCM ? [8, 16, 24, 32] : [32, 64];
  if (!okBits.includes(bitsPerSample)) {
    throw new WavError(`unsupported bit depth: ${bitsPerSample}-bit ${tag === WAVE_FORMAT_PCM ? 'PCM' : 'float'} (supported: ${okBits.join(', ')})`);
  }
  if (channels === 0 || channels > MAX_CHANNELS) {
    throw new WavError(`unsupported channel count ${channels} (supported: 1 to ${MAX_CHANNELS})`);
  }
  if (sampleRate < MIN_RATE || sampleRate > MAX_RATE) {
    throw new WavError(`unsupported sample rate ${sampleRate} Hz (supported: ${MIN_RATE} to ${MAX_RATE} Hz)`);
  }
  const expectedAlign = channels * (bitsPerSample / 8);
  if (blockAlign !== expectedAlign) {
    throw new WavError(`bad block align ${blockAlign} (${channels} channel(s) of ${bitsPerSample} bits need ${expectedAlign})`);
  }
  const fmt: Fmt = { tag, channels, sampleRate, blockAlign, bitsPerSample };
  if (channelMask !== undefined) fmt.channelMask = channelMask;
  return fmt;
}

/** The one WavReader: decodes the audio of a file or a stream through its ByteSource. */
class SourceWavReader implements WavReader {
  readonly info: WavInfo;
  private readonly blockAlign: number;
  private readonly dataOffset: number;
  private readonly dataSize: number | undefined;
  private started = false;

  constructor(private readonly src: ByteSource, header: Header) {
    const { fmt, container, dataOffset, dataSize } = header;
    const frames = dataSize === undefined ? 0 : Math.floor(dataSize / fmt.blockAlign);
    this.info = {
      sampleRate: fmt.sampleRate,
      channels: fmt.channels,
      format: fmt.tag === WAVE_FORMAT_IEEE_FLOAT ? 'float' : 'pcm',
      bitsPerSample: fmt.bitsPerSample,
      frames,
      durationSeconds: frames / fmt.sampleRate,
      lengthKnown: dataSize !== undefined,
      container,
    };
    if (fmt.channelMask !== undefined) this.info.channelMask = fmt.channelMask;
    this.blockAlign = fmt.blockAlign;
    this.dataOffset = dataOffset;
    this.dataSize = dataSize;
  }

  async *chunks(framesPerChunk = 8192): AsyncGenerator<Float32Array[], void, undefined> {
    if (!Number.isInteger(framesPerChunk) || framesPerChunk < 1) {
      throw new RangeError(`framesPerChunk must be a positive integer, got ${String(framesPerChunk)}`);
    }
    if (this.started && !this.src.seekable) throw new Error('a stream can be decoded only once');
    this.started = true;
    await this.src.skipTo(this.dataOffset);
    const { info, blockAlign, dataSize } = this;
    const { channels, format, bitsPerSample, lengthKnown } = info;
    // All frames when the size is known; else as many as the stream holds.
    const total = lengthKnown ? info.frames : Infinity;
    // One read buffer and one set of planes, reused for every chunk.
    const buf = Buffer.allocUnsafe(framesPerChunk * blockAlign);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const planes = Array.from({ length: channels }, () => new Float32Array(framesPerChunk));
    for (let frame = 0; frame < total;) {
      const bytes = Math.min(framesPerChunk, total - frame) * blockAlign;
      const got = await this.src.fill(buf, bytes);
      if (got < bytes && lengthKnown) {
        // A stream cut short, or a file that shrank after openWav checked its size.
        const kind = this.src.kind;
        throw new WavError(`truncated ${kind}: the data chunk declares ${dataSize} bytes but the ${kind} ends after ${frame * blockAlign + got} of them`);
      }
      const n = Math.floor(got / blockAlign); // a final partial frame is ignored
      if (n > 0) {
        decode(view, planes, n, format, bitsPerSample);
        frame += n;
        if (!lengthKnown) {
          info.frames = frame;
          info.durationSeconds = frame / info.sampleRate;
        }
        yield n === framesPerChunk ? planes : planes.map((p) => p.subarray(0, n));
      }
      if (got < bytes) break; // the end of a stream of unknown length
    }
  }

  close(): Promise<void> {
    return this.src.close();
  }
}

/**
 * De-interleaves and scales `frames` frames from `view` into `planes`. Channel c of frame i is at byte
 * (i * channels + c) * bytesPerSample. One plain loop per sample type keeps each loop monomorphic (fast).
 */
function decode(view: DataView, planes: Float32Array[], frames: number, format: WavSampleFormat, bits: number): void {
  const channels = planes.length;
  const bytes = bits / 8;
  const stride = channels * bytes;
  const type = format === 'float' ? `f${bits}` : `i${bits}`;
  for (let c = 0; c < channels; c++) {
    const out = planes[c]!;
    let at = c * bytes;
    switch (type) {
      case 'i8': // unsigned, 128 = zero
        for (let i = 0; i < frames; i++, at += stride) out[i] = (view.getUint8(at) - 128) / 128;
        break;
      case 'i16':
        for (let i = 0; i < frames; i++, at += stride) out[i] = view.getInt16(at, true) / 32768;
        break;
      case 'i24': // low, middle, high (signed) byte
        for (let i = 0; i < frames; i++, at += stride) {
          out[i] = (view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16)) / 8388608;
        }
        break;
      case 'i32':
        for (let i = 0; i < frames; i++, at += stride) out[i] = view.getInt32(at, true) / 2147483648;
        break;
      case 'f32':
        for (let i = 0; i < frames; i++, at += stride) out[i] = view.getFloat32(at, true);
        break;
      case 'f64':
        for (let i = 0; i < frames; i++, at += stride) out[i] = view.getFloat64(at, true);
        break;
      default:
        throw new WavError(`unsupported bit depth ${bits}`); // parseFmt already rejected it
    }
  }
}
