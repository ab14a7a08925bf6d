/** The streaming audio reader's public types (shared by every container it reads). */
import { WavError } from '../wav/reader.ts';
import type { AudioContainer } from './detect.ts';

/** The sample format of a WAV copy that "keeps the input's format": what the file stores, or float 32 for lossy codecs. */
export interface SampleFormat {
  /** 'pcm': integer samples; 'float': IEEE float samples. */
  format: 'pcm' | 'float';
  /** Bits per sample: 8, 16, 24, 32 (pcm); 32, 64 (float). */
  bitsPerSample: number;
}

export interface AudioInfo extends SampleFormat {
  container: AudioContainer;
  /** What the audio is coded as, for reports: e.g. "PCM", "float", "MP3", "FLAC", "Vorbis", "Opus", "AAC (ffmpeg)". */
  codec: string;
  /** Hz. */
  sampleRate: number;
  channels: number;
  /** WAVE_FORMAT_EXTENSIBLE speaker mask, when the file has one. */
  channelMask?: number;
  /** Frames in the file; when !lengthKnown, the frames read so far (final once chunks() has ended). */
  frames: number;
  /** frames / sampleRate, in seconds. */
  durationSeconds: number;
  /** Whether frames was known before decoding (WAV and AIFF files; not compressed formats or endless streams). */
  lengthKnown: boolean;
}

export interface AudioReader {
  readonly info: AudioInfo;
  /** Whether chunks() may be called again (files: yes; standard input: no). */
  readonly rewindable: boolean;
  /**
   * Decodes from the start, `framesPerChunk` frames at a time (only the last chunk is shorter), one
   * Float32Array per channel in WAV channel order. The arrays are reused: copy them to keep them.
   */
  chunks(framesPerChunk?: number): AsyncGenerator<Float32Array[], void, undefined>;
  /** How far the current chunks() pass has read, 0..1 (by bytes of the input; NaN when unknown). */
  progress(): number;
  close(): Promise<void>;
}

/** A file or stream that cannot be read as audio; the message names the problem in plain words (one line). */
export class AudioError extends WavError {
  override name = 'AudioError';
}
