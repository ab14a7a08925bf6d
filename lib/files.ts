/**
 * levelmatch/files: the file tools for Node. A streaming reader for WAV, AIFF, FLAC, MP3, Ogg Vorbis, Opus
 * (and M4A/AAC through ffmpeg), a WAV writer that never leaves a partial file, and normalizeFile /
 * normalizeAlbum / matchFile, the library side of `levelmatch normalize` and `levelmatch match`.
 */
export { openAudio, openAudioFile, openAudioStream, STDIN_NAME, type OpenAudioOptions, type ByteStream } from './audio/open-audio.ts';
export { AudioError, type AudioInfo, type AudioReader, type SampleFormat } from './audio/types.ts';
export { detectFormat, type AudioContainer } from './audio/detect.ts';
export { WavWriter, keepFormat, OUTPUT_FORMATS, type OutputFormat, type WavWriterOptions } from './audio/wav-writer.ts';
export {
  normalizeFile, normalizeAlbum, matchFile, ShortfallError,
  type NormalizeOptions, type MatchOptions, type ProcessOptions, type FileReport, type PeakPolicy,
} from './file-tools/normalize.ts';
export { TruePeakLimiter, type LimiterOptions } from './file-tools/true-peak-limiter.ts';
export { PRESETS, findPreset, type LoudnessPreset } from './presets.ts';
