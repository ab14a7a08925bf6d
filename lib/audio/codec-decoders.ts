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
  return spec.vorbisOrder ? VORBIS_TO_WAV[channels] : undefined;
}

// Imported on first use: a WAV-only run never loads (or compiles) a codec.
export const CODECS: Partial<Record<AudioContainer, CodecSpec>> = {
  mp3: {
    codec: 'MP3',
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
