/**
 * Measures a reference track on the main thread, off the audio thread: decodes it with the context's
 * decodeAudioData (which resamples to the context's rate and decodes on the browser's own decoder thread) and
 * meters it with the library's LoudnessMeter (lib/), the same core as `levelmatch measure`, in chunks that
 * hand the event loop back between them so the page stays responsive on long files.
 *
 * Bundled on its own (dist/plugin/track.js, WASM inside) and loaded on the first loadReferenceTrack(): a host
 * that never loads a track never loads a second meter. Main thread only.
 */
import { LoudnessMeter, MAX_CHANNELS } from '../lib/loudness-meter.ts';

export interface TrackReadings {
  /** LUFS, gated (BS.1770-5). */
  integrated: number;
  /** LU (EBU Tech 3342). */
  range: number;
  /** dBTP, largest over the channels. */
  truePeak: number;
  /** Seconds. */
  duration: number;
  /** The decoded buffer's rate (the context's) and channel count. */
  sampleRate: number;
  channels: number;
}

/** Frames metered between two returns to the event loop: about 1 ms of work for stereo (18 ns per frame). */
export const MEASURE_CHUNK_FRAMES = 1 << 16;

export type TrackSource = Blob | ArrayBuffer | ArrayBufferView | AudioBuffer;

const isAudioBuffer = (x: unknown): x is AudioBuffer =>
  typeof AudioBuffer !== 'undefined' && x instanceof AudioBuffer;

/**
 * Why bytes that claim to be a WAV file are not a whole one, or null (also for anything that is not a RIFF WAV:
 * the decoder judges those). A cut-off file would otherwise decode to its first part and give a wrong reading
 * (`levelmatch measure` refuses it too). RF64 and streamed WAVs (size 0xFFFFFFFF) carry no usable size: skipped.
 */
export function truncatedWav(bytes: Uint8Array): string | null {
  const tag = (o: number): string => String.fromCharCode(bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]);
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 12;
  let fmt = false;
  while (o + 8 <= bytes.length) {
    const id = tag(o);
    const size = view.getUint32(o + 4, true);
    if (id === 'fmt ') fmt = true;
    if (id === 'data') {
      if (!fmt) return null; // unusual order: leave it to the decoder
      if (size === 0xffffffff) return null;
      const have = bytes.length - (o + 8);
      return have < size ? `truncated WAV: its data chunk declares ${size} bytes but only ${have} are there` : null;
    }
    o += 8 + size + (size & 1);
  }
  return `truncated WAV: the file ends before its ${fmt ? 'data' : 'fmt '} chunk`;
}

/** Decodes a Blob / ArrayBuffer (a copy: the caller's buffer is not detached) or passes an AudioBuffer through. */
export async function decodeTrack(ctx: BaseAudioContext, source: TrackSource): Promise<AudioBuffer> {
  if (isAudioBuffer(source)) return source;
  let bytes: Uint8Array;
  if (typeof Blob !== 'undefined' && source instanceof Blob) bytes = new Uint8Array(await source.arrayBuffer());
  else if (source instanceof ArrayBuffer) bytes = new Uint8Array(source.slice(0));
  else if (ArrayBuffer.isView(source)) bytes = new Uint8Array(source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength) as ArrayBuffer);
  else throw new TypeError('a reference track must be a Blob, an ArrayBuffer or an AudioBuffer');
  if (bytes.length === 0) throw new Error('the file is empty (0 bytes)');
  const cut = truncatedWav(bytes);
  if (cut !== null) throw new Error(cut);
  try {
    return await ctx.decodeAudioData(bytes.buffer as ArrayBuffer);
  } catch (e) {
    const why = e instanceof Error && e.message ? e.message : String(e);
    throw new Error(`not an audio file the browser can decode (${why})`);
  }
}

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    // A message task rather than setTimeout(0), which browsers clamp to 4 ms once nested.
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(0);
  });

/**
 * Meters a decoded track: integrated loudness, LRA, true peak, duration. `onProgress(framesDone, frames)` is
 * called after every chunk of MEASURE_CHUNK_FRAMES. Throws an Error for an empty, silent or over-wide buffer.
 */
export async function measureTrack(buffer: AudioBuffer, onProgress?: (done: number, total: number) => void): Promise<TrackReadings> {
  const frames = buffer.length;
  const channels = buffer.numberOfChannels;
  if (frames === 0) throw new Error('the file holds no audio (0 frames)');
  if (channels > MAX_CHANNELS) throw new Error(`${channels} channels: at most ${MAX_CHANNELS} are measured`);
  const meter = await LoudnessMeter.create({ sampleRate: buffer.sampleRate, channels });
  const data: Float32Array[] = [];
  for (let c = 0; c < channels; c++) data.push(buffer.getChannelData(c));
  for (let start = 0; start < frames; start += MEASURE_CHUNK_FRAMES) {
    const end = Math.min(frames, start + MEASURE_CHUNK_FRAMES);
    meter.push(data.map((d) => d.subarray(start, end)));
    onProgress?.(end, frames);
    if (end < frames) await yieldToEventLoop();
  }
  const r = meter.result();
  if (!Number.isFinite(r.integrated)) {
    throw new Error('the track is silent: nothing above the gates of BS.1770 (no integrated loudness to match)');
  }
  return { integrated: r.integrated, range: r.range, truePeak: r.truePeak, duration: frames / buffer.sampleRate, sampleRate: buffer.sampleRate, channels };
}
