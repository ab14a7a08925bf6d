/**
 * An AudioReader over a compressed file or stream (MP3, FLAC, Ogg Vorbis, Ogg Opus): bytes go through a
 * WASM decoder 64 KiB at a time and come out re-chunked, so memory stays bounded. The format (rate,
 * channels) is only known once the first samples are decoded, so opening decodes up to the first block.
 */
import type { ByteSource } from '../wav/sources.ts';
import { channelOrder, type CodecSpec, type DecodedBlock, type StreamDecoder } from './codec-decoders.ts';
import type { AudioContainer } from './detect.ts';
import { Rechunker } from './rechunker.ts';
import { AudioError, type AudioInfo, type AudioReader } from './types.ts';

/** Bytes handed to the decoder per call. */
const READ_BYTES = 64 * 1024;

interface Pass {
  src: ByteSource;
  decoder: StreamDecoder;
  /** Decoded blocks not yet handed out (copies). */
  pending: DecodedBlock[];
  ended: boolean;
  /** The decoder's complaints about the last input that gave no samples (for the error message). */
  errors: { message: string }[];
  /** The first bytes read (for CodecSpec.declaredChannels). */
  head?: Uint8Array;
}

const copyBlock = (b: DecodedBlock): DecodedBlock => ({ ...b, channelData: b.channelData.map((p) => p.slice(0, b.samplesDecoded)) });

async function startPass(openSource: () => Promise<ByteSource>, spec: CodecSpec): Promise<Pass> {
  const src = await openSource();
  let decoder: StreamDecoder | undefined;
  try {
    decoder = await spec.create();
    await decoder.ready;
    return { src, decoder, pending: [], ended: false, errors: [] };
  } catch (e) {
    decoder?.free();
    await src.close();
    throw e;
  }
}

/** Reads and decodes until some samples come out (or the input ends); false at the end. */
async function decodeMore(pass: Pass, buf: Buffer): Promise<boolean> {
  while (!pass.ended) {
    const n = await pass.src.fill(buf, READ_BYTES);
    pass.head ??= buf.slice(0, n);
    let block: DecodedBlock | undefined;
    if (n > 0) block = await pass.decoder.decode(buf.subarray(0, n));
    if (n < READ_BYTES) {
      pass.ended = true;
      if (block && block.samplesDecoded > 0) pass.pending.push(copyBlock(block));
      const tail = pass.decoder.flush ? await pass.decoder.flush() : undefined;
      if (tail && tail.samplesDecoded > 0) pass.pending.push(copyBlock(tail));
      if (!block?.samplesDecoded && tail === undefined) pass.errors = block?.errors ?? [];
      return pass.pending.length > 0;
    }
    if (block && block.samplesDecoded > 0) {
      pass.pending.push(copyBlock(block));
      return true;
    }
    if (block) pass.errors = block.errors;
  }
  return false;
}

export async function openDecoded(container: AudioContainer, spec: CodecSpec, openSource: () => Promise<ByteSource>, rewindable: boolean): Promise<AudioReader> {
  const pass = await startPass(openSource, spec);
  try {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    if (!(await decodeMore(pass, buf))) {
      const why = pass.errors[0]?.message;
      throw new AudioError(`no ${spec.codec} audio could be decoded${why ? ` (${why.replace(/\s+/g, ' ')})` : ' (empty or damaged)'}`);
    }
    const first = pass.pending[0]!;
    const info: AudioInfo = {
      container,
      codec: spec.codec,
      sampleRate: first.sampleRate,
      channels: Math.min(first.channelData.length, spec.declaredChannels?.(pass.head!) ?? Infinity),
      format: spec.codec === 'FLAC' && first.bitDepth && first.bitDepth <= 24 ? 'pcm' : 'float',
      bitsPerSample: spec.codec === 'FLAC' && first.bitDepth && first.bitDepth <= 24 ? Math.max(16, Math.ceil(first.bitDepth / 8) * 8) : 32,
      frames: 0,
      durationSeconds: 0,
      lengthKnown: false,
    };
    if (info.channels < 1 || info.channels > 8) throw new AudioError(`unsupported channel count ${info.channels} (supported: 1 to 8)`);
    return new DecodedReader(info, spec, openSource, pass, rewindable);
  } catch (e) {
    pass.decoder.free();
    await pass.src.close();
    throw e;
  }
}

class DecodedReader implements AudioReader {
  private pass: Pass | undefined;
  private passes = 0;

  constructor(readonly info: AudioInfo, private readonly spec: CodecSpec, private readonly openSource: () => Promise<ByteSource>,
    first: Pass, readonly rewindable: boolean) {
    this.pass = first;
  }

  progress(): number {
    const src = this.pass?.src;
    return src?.size ? src.position / src.size : NaN;
  }

  async *chunks(framesPerChunk = 8192): AsyncGenerator<Float32Array[], void, undefined> {
    if (this.passes > 0) {
      if (!this.rewindable) throw new Error('a stream can be decoded only once');
      await this.endPass();
      this.pass = await startPass(this.openSource, this.spec);
    }
    this.passes++;
    const pass = this.pass!;
    const { info } = this;
    const order = channelOrder(this.spec, info.channels);
    const re = new Rechunker(info.channels, framesPerChunk);
    const buf = Buffer.allocUnsafe(READ_BYTES);
    let frames = 0;
    while (pass.pending.length > 0 || (await decodeMore(pass, buf))) {
      const block = pass.pending.shift()!;
      if (block.sampleRate !== info.sampleRate || block.channelData.length < info.channels) {
        throw new AudioError(`the format changes inside the file (${info.sampleRate} Hz ${info.channels} ch, then ${block.sampleRate} Hz ${block.channelData.length} ch): split it first`);
      }
      frames += block.samplesDecoded;
      yield* re.push(block.channelData, block.samplesDecoded, order);
    }
    const tail = re.flush();
    if (tail) yield tail;
    info.frames = frames;
    info.durationSeconds = frames / info.sampleRate;
    info.lengthKnown = true; // counted to the end once
  }

  private async endPass(): Promise<void> {
    const pass = this.pass;
    this.pass = undefined;
    if (!pass) return;
    pass.decoder.free();
    await pass.src.close();
  }

  close(): Promise<void> {
    return this.endPass();
  }
}
