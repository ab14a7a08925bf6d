/**
 * The compressed codecs, decoded in WebAssembly by the wasm-audio-decoders family from npm (libmpg123,
 * libFLAC, libvorbis, libopus builds): each decoder takes the file's bytes in pieces of any size and returns
 * the samples it completed, so a file streams through in bounded memory.
 */
import type { AudioContainer } from './detect.ts';

export interface DecodedBlock {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  bitDepth?: number;
  errors: { message: string }[];
}

/** The common shape of the decoders (their own types differ only in sync vs async results). */
export interface StreamDecoder {
  ready: Promise<void>;
  decode(bytes: Uint8Array): DecodedBlock | Promise<DecodedBlock>;
  flush?(): Promise<DecodedBlock>;
  free(): void;
}

export interface CodecSpec {
  codec: string;
  create(): Promise<StreamDecoder>;
  /**
   * Vorbis and Opus store more than two channels in Vorbis order (Vorbis I spec 4.3.9); WAV and our layouts
   * use the WAVE_FORMAT_EXTENSIBLE order. order[n][c] = the decoder's channel for our channel c.
   */
  vorbisOrder?: boolean;
  /** The channel count the stream declares, from its first bytes, when the decoder reports another. */
  declaredChannels?(head: Uint8Array): number | undefined;
}

/**
 * MP3 (ISO/IEC 11172-3 2.4.1.3): the channel mode is bits 7-6 of a frame header's fourth byte, 3 = mono
 * (libmpg123 as built for the decoder always outputs two channels). The first frame follows the ID3v2 tag,
 * whose size is a 28-bit syncsafe integer in bytes 6-9 (plus 10 for the header and 10 for a footer).
 */
function mp3Channels(head: Uint8Array): number | undefined {
  let at = 0;
  if (head[0] === 0x49 && head[1] === 0x44 && head[2] === 0x33) {
    at = 10 + ((head[6]! << 21) | (head[7]! << 14) | (head[8]! << 7) | head[9]!) + (head[5]! & 0x10 ? 10 : 0);
  }
  for (let i = at; i + 3 < head.length && i < at + 8192; i++) {
    if (head[i] === 0xff && (head[i + 1]! & 0xe0) === 0xe0 && ((head[i + 1]! >> 1) & 3) !== 0 && (head[i + 2]! >> 4) !== 15) {
      return head[i + 3]! >> 6 === 3 ? 1 : 2;
    }
  }
  return undefined;
}

/** Vorbis channel order -> WAV order, by channel count (L C R -> L R C; 5.1: L C R Ls Rs LFE -> L R C LFE Ls Rs). */
const VORBIS_TO_WAV: Record<number, number[]> = {
  3: [0, 2, 1],
  5: [0, 2, 1, 3, 4],
  6: [0, 2, 1, 5, 3, 4],
  7: [0, 2, 1, 6, 5, 3, 4],
  8: [0, 2, 1, 7, 5, 6, 3, 4],
};

export function channelOrder(spec: CodecSpec, channels: number): number[] | undefined {
  if (spec.declaredChannels && channels === 1) return [0];
  return spec.vorbisOrder ? VORBIS_TO_WAV[channels] : undefined;
}

// Imported on first use: a WAV-only run never loads (or compiles) a codec.
export const CODECS: Partial<Record<AudioContainer, CodecSpec>> = {
  mp3: {
    codec: 'MP3',
    declaredChannels: mp3Channels,
    async create() {
      const { MPEGDecoder } = await import('mpg123-decoder');
      return new MPEGDecoder() as unknown as StreamDecoder;
    },
  },
  flac: {
    codec: 'FLAC',
    async create() {
      const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
      return new FLACDecoder() as unknown as StreamDecoder;
    },
  },
  'ogg-vorbis': {
    codec: 'Vorbis',
    vorbisOrder: true,
    async create() {
      const { OggVorbisDecoder } = await import('@wasm-audio-decoders/ogg-vorbis');
      return new OggVorbisDecoder() as unknown as StreamDecoder;
    },
  },
  'ogg-opus': {
    codec: 'Opus',
    vorbisOrder: true,
    async create() {
      const { OggOpusDecoder } = await import('ogg-opus-decoder');
      return new OggOpusDecoder() as unknown as StreamDecoder;
    },
  },
};
