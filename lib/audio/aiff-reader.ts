/**
 * A streaming AIFF / AIFF-C reader (Apple "Audio Interchange File Format" 1.3 and AIFF-C draft 1991), small
 * enough to keep here rather than pull in a dependency: big-endian IFF chunks, "COMM" (format) and "SSND"
 * (audio). Integers are big-endian and signed, also at 8 bits (unlike WAV).
 *
 *   "FORM" u32 size "AIFF" | "AIFC", then chunks: 4-byte id, u32 size, body, a pad byte when the size is odd.
 *   COMM: u16 channels, u32 frames, u16 bits per sample, 80-bit IEEE extended sample rate; AIFF-C adds a
 *         4-byte compression type: NONE / twos (big-endian PCM), sowt (little-endian PCM), fl32, fl64 (float).
 *   SSND: u32 offset, u32 block size, then `offset` bytes to skip, then interleaved frames.
 */
import { readBytes, type ByteSource } from '../wav/sources.ts';
import { AudioError, type AudioInfo, type AudioReader } from './types.ts';

interface Comm {
  channels: number;
  frames: number;
  bits: number;
  sampleRate: number;
  type: 'be' | 'le' | 'f32' | 'f64';
}

/** IEEE 754 80-bit extended (1 sign, 15 exponent, 64 mantissa bits with an explicit integer bit). */
function extended(b: Buffer, at: number): number {
  const sign = b[at]! & 0x80 ? -1 : 1;
  const exp = ((b[at]! & 0x7f) << 8) | b[at + 1]!;
  const hi = b.readUInt32BE(at + 2);
  const lo = b.readUInt32BE(at + 6);
  if (exp === 0 && hi === 0 && lo === 0) return 0;
  return sign * (hi * 2 ** 32 + lo) * 2 ** (exp - 16383 - 63);
}

function parseComm(b: Buffer, aifc: boolean): Comm {
  if (b.length < 18) throw new AudioError('AIFF COMM chunk too short');
  const channels = b.readUInt16BE(0);
  const frames = b.readUInt32BE(2);
  const bits = b.readUInt16BE(6);
  const sampleRate = Math.round(extended(b, 8));
  let type: Comm['type'] = 'be';
  if (aifc) {
    const kind = b.length >= 22 ? b.toString('latin1', 18, 22) : 'NONE';
    if (kind === 'sowt') type = 'le';
    else if (kind === 'fl32' || kind === 'FL32') type = 'f32';
    else if (kind === 'fl64' || kind === 'FL64') type = 'f64';
    else if (kind !== 'NONE' && kind !== 'twos') throw new AudioError(`unsupported AIFF-C compression '${kind}' (supported: NONE, twos, sowt, fl32, fl64)`);
  }
  if (type === 'f32' || type === 'f64') {
    if (bits !== (type === 'f32' ? 32 : 64)) { /* some writers put 0 here; the type decides */ }
  } else if (![8, 16, 24, 32].includes(bits)) {
    throw new AudioError(`unsupported AIFF bit depth ${bits} (supported: 8, 16, 24, 32)`);
  }
  if (channels < 1 || channels > 8) throw new AudioError(`unsupported channel count ${channels} (supported: 1 to 8)`);
  if (sampleRate < 8000 || sampleRate > 384000) throw new AudioError(`unsupported sample rate ${sampleRate} Hz (supported: 8000 to 384000 Hz)`);
  return { channels, frames, bits: type === 'f32' ? 32 : type === 'f64' ? 64 : bits, sampleRate, type };
}

/** Reads the header through `src` up to the first audio byte. */
export async function openAiff(src: ByteSource, rewindable: boolean): Promise<AudioReader> {
  const head = await readBytes(src, 12);
  const aifc = head.toString('latin1', 8, 12) === 'AIFC';
  let comm: Comm | undefined;
  let dataOffset = -1;
  for (;;) {
    const h = await readBytes(src, 8);
    if (h.length < 8) break;
    const id = h.toString('latin1', 0, 4);
    const size = h.readUInt32BE(4);
    const body = src.position;
    if (id === 'COMM') comm = parseComm(await readBytes(src, Math.min(size, 64)), aifc);
    else if (id === 'SSND') {
      if (!comm && !src.seekable) throw new AudioError('the SSND chunk comes before COMM: a stream must give its format first');
      const s = await readBytes(src, 8);
      if (s.length < 8) throw new AudioError('truncated AIFF: the SSND chunk is incomplete');
      dataOffset = body + 8 + s.readUInt32BE(0);
      if (comm) break;
    }
    await src.skipTo(body + size + (size & 1));
  }
  if (!comm) throw new AudioError('no COMM chunk in the AIFF file (the format description is missing)');
  if (dataOffset < 0) throw new AudioError('no SSND chunk in the AIFF file (no audio found)');
  return new AiffReader(src, comm, dataOffset, rewindable);
}

class AiffReader implements AudioReader {
  readonly info: AudioInfo;
  private started = false;
  private read = 0;

  constructor(private readonly src: ByteSource, private readonly comm: Comm, private readonly dataOffset: number, readonly rewindable: boolean) {
    const float = comm.type === 'f32' || comm.type === 'f64';
    this.info = {
      container: 'aiff',
      codec: float ? 'float' : 'PCM',
      sampleRate: comm.sampleRate,
      channels: comm.channels,
      format: float ? 'float' : 'pcm',
      bitsPerSample: comm.bits,
      frames: comm.frames,
      durationSeconds: comm.frames / comm.sampleRate,
      lengthKnown: true,
    };
  }

  progress(): number {
    return this.comm.frames > 0 ? this.read / this.comm.frames : NaN;
  }

  async *chunks(framesPerChunk = 8192): AsyncGenerator<Float32Array[], void, undefined> {
    if (this.started && !this.rewindable) throw new Error('a stream can be decoded only once');
    this.started = true;
    await this.src.skipTo(this.dataOffset);
    const { channels, bits, type, frames } = this.comm;
    const bytes = bits / 8;
    const align = channels * bytes;
    const buf = Buffer.allocUnsafe(framesPerChunk * align);
    const planes = Array.from({ length: channels }, () => new Float32Array(framesPerChunk));
    this.read = 0;
    while (this.read < frames) {
      const want = Math.min(framesPerChunk, frames - this.read) * align;
      const got = await this.src.fill(buf, want);
      const n = Math.floor(got / align);
      for (let c = 0; c < channels; c++) {
        const out = planes[c]!;
        let at = c * bytes;
        for (let i = 0; i < n; i++, at += align) {
          switch (type) {
            case 'f32': out[i] = buf.readFloatBE(at); break;
            case 'f64': out[i] = buf.readDoubleBE(at); break;
            case 'le': out[i] = buf.readIntLE(at, bytes) / 2 ** (bits - 1); break;
            default: out[i] = buf.readIntBE(at, bytes) / 2 ** (bits - 1);
          }
        }
      }
      this.read += n;
      if (n > 0) yield n === framesPerChunk ? planes : planes.map((p) => p.subarray(0, n));
      if (got < want) {
        throw new AudioError(`truncated AIFF ${this.src.kind}: COMM declares ${frames} frames but it ends after ${this.read}`);
      }
    }
  }

  close(): Promise<void> {
    return this.src.close();
  }
}
