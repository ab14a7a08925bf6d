/**
 * openAudio(): one streaming reader for every input the file tools accept. The container is told from the
 * first bytes (./detect.ts), then:
 *   WAV                     lib/wav/reader.ts (as `measure` always did)
 *   AIFF / AIFF-C           ./aiff-reader.ts
 *   MP3, FLAC, Vorbis, Opus WASM decoders from npm (./codec-decoders.ts), streamed
 *   M4A/MP4, ADTS AAC, other Ogg: ffmpeg, when it is on the PATH, decoding to a float WAV pipe. No
 *     permissively licensed, maintained AAC decoder runs in Node without native code (the WASM FAAD2 builds
 *     are GPL), so we lean on the user's ffmpeg and say so clearly when it is missing.
 * "-" reads standard input the same way (read once; the tools that need two passes spool it to a file).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createReadStream, createWriteStream, fstatSync } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { openWav, openWavStream, type WavReader } from '../wav/reader.ts';
import { FileSource, StreamSource, readBytes, type ByteSource } from '../wav/sources.ts';
import { openAiff } from './aiff-reader.ts';
import { CODECS } from './codec-decoders.ts';
import { openDecoded } from './decoded-reader.ts';
import { CONTAINER_NAMES, DETECT_BYTES, detectFormat, type AudioContainer } from './detect.ts';
import { AudioError, type AudioInfo, type AudioReader } from './types.ts';

/** The file name that means standard input. */
export const STDIN_NAME = '-';

export type ByteStream = AsyncIterable<unknown> & { isTTY?: boolean };

export interface OpenAudioOptions {
  /** What "-" reads; default process.stdin. */
  stdin?: ByteStream;
  /** The ffmpeg executable for M4A/AAC (default "ffmpeg" on the PATH). */
  ffmpeg?: string;
}

const SUPPORTED = 'WAV, AIFF, FLAC, MP3, Ogg Vorbis, Opus, and M4A/AAC through ffmpeg';

/** Opens a file by path, or standard input for "-". Throws AudioError (one line) or the fs error. */
export async function openAudio(file: string, options: OpenAudioOptions = {}): Promise<AudioReader> {
  if (file === STDIN_NAME) return openStdinAudio(options);
  const st = await stat(file);
  // A FIFO, `/dev/stdin` from a pipe, `<(...)`, a character device: no positional reads, so read it as a stream.
  if (!st.isFile() && !st.isDirectory()) {
    if (STDIN_PATHS.has(file)) {
      // open() of /dev/stdin fails (ENXIO) when it is a socket, as when Node spawns a child: read stdin itself.
      const fh = await open(file, 'r').catch((e: NodeJS.ErrnoException) => (e.code === 'ENXIO' ? null : Promise.reject(e)));
      if (fh === null) return openStdinAudio(options);
      return openAudioStream(fh.createReadStream(), options);
    }
    return openAudioStream(createReadStream(file), options);
  }
  return openAudioFile(file, options);
}

/** Names of standard input that open() may refuse (ENXIO) when it is a socket. */
const STDIN_PATHS = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

function openStdinAudio(options: OpenAudioOptions): Promise<AudioReader> {
  const stdin = (options.stdin ?? process.stdin) as ByteStream & { fd?: unknown };
  if (stdin.isTTY) throw new AudioError('standard input is a terminal: pipe audio into it, e.g. levelmatch measure - < song.flac');
  if (typeof stdin.fd === 'number' && isDirectoryFd(stdin.fd)) {
    throw new AudioError('standard input is a directory, not an audio stream (levelmatch measure - < song.wav)');
  }
  return openAudioStream(stdin, options);
}

/** Whether the file descriptor is a directory (reading it would look like an empty stream). */
function isDirectoryFd(fd: number): boolean {
  try {
    return fstatSync(fd).isDirectory();
  } catch {
    return false;
  }
}

export async function openAudioFile(path: string, options: OpenAudioOptions = {}): Promise<AudioReader> {
  const fh = await open(path, 'r');
  let head: Buffer;
  let size: number;
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = st.size;
    head = await readBytes(new FileSource(fh, size), DETECT_BYTES);
  } finally {
    await fh.close();
  }
  if (head.length === 0) throw new AudioError('empty file');
  const container = detectFormat(head);
  const openSource = async (): Promise<ByteSource> => {
    const h = await open(path, 'r');
    return new FileSource(h, (await h.stat()).size);
  };
  switch (container) {
    case 'wav':
      return wrapWav(await openWav(path), true);
    case 'aiff': {
      const src = await openSource();
      try {
        return await openAiff(src, true);
      } catch (e) {
        await src.close();
        throw e;
      }
    }
    case 'mp4': case 'aac': case 'ogg':
      return openWithFfmpeg(container, { path }, options);
    case 'unknown':
      throw new AudioError(`not an audio file we can read (we read ${SUPPORTED})`);
    default:
      return openDecoded(container, CODECS[container]!, openSource, true);
  }
}

/** Reads a byte stream once (e.g. standard input). */
export async function openAudioStream(input: AsyncIterable<unknown>, options: OpenAudioOptions = {}): Promise<AudioReader> {
  const { head, stream } = await peek(input, DETECT_BYTES);
  if (head.length === 0) throw new AudioError('empty stream');
  const container = detectFormat(head);
  switch (container) {
    case 'wav':
      return wrapWav(await openWavStream(stream), false);
    case 'aiff': {
      const src = new StreamSource(stream);
      try {
        return await openAiff(src, false);
      } catch (e) {
        await src.close();
        throw e;
      }
    }
    case 'mp4': {
      // MP4 usually keeps its index (moov) at the end, which ffmpeg cannot reach on a pipe: spool it first.
      const dir = await mkdtemp(path.join(tmpdir(), 'levelmatch-mp4-'));
      const spool = path.join(dir, 'stdin.mp4');
      try {
        await pipeline(stream, createWriteStream(spool));
        const reader = await openWithFfmpeg(container, { path: spool }, options);
        const close = reader.close.bind(reader);
        return Object.assign(reader, { rewindable: false, close: async () => { await close(); await rm(dir, { recursive: true, force: true }); } });
      } catch (e) {
        await rm(dir, { recursive: true, force: true });
        throw e;
      }
    }
    case 'aac': case 'ogg':
      return openWithFfmpeg(container, { stream }, options);
    case 'unknown':
      await stream[Symbol.asyncIterator]().return?.();
      throw new AudioError(`not an audio stream we can read (we read ${SUPPORTED})`);
    default: {
      let used = false;
      return openDecoded(container, CODECS[container]!, async () => {
        if (used) throw new Error('a stream can be decoded only once');
        used = true;
        return new StreamSource(stream);
      }, false);
    }
  }
}

/**
 * Reads at least `bytes` bytes of `input` (or all of it, if shorter), and returns them with a stream that
 * yields the same bytes again followed by the rest: the container is detected without losing anything.
 */
async function peek(input: AsyncIterable<unknown>, bytes: number): Promise<{ head: Buffer; stream: AsyncIterable<Uint8Array> }> {
  const it = input[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < bytes) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    if (!(r.value instanceof Uint8Array)) throw new TypeError(`expected a byte stream, got a chunk of type ${typeof r.value} (is an encoding set on it?)`);
    const b = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    seen.push(b);
    length += b.length;
  }
  const head = Buffer.concat(seen);
  async function* replay(): AsyncGenerator<Uint8Array> {
    let finished = done;
    try {
      if (head.length > 0) yield head;
      while (!finished) {
        const r = await it.next();
        if (r.done) {
          finished = true;
          return;
        }
        yield r.value as Uint8Array;
      }
    } finally {
      if (!finished) await it.return?.(); // the consumer stopped early: end (destroy) the input
    }
  }
  return { head, stream: { [Symbol.asyncIterator]: replay } };
}

/** A WavReader as an AudioReader (info copied, frames counted for streams of unknown length). */
function wrapWav(wav: WavReader, rewindable: boolean, codec?: string, container: AudioContainer = 'wav'): AudioReader {
  const w = wav.info;
  const info: AudioInfo = {
    container,
    codec: codec ?? (w.format === 'float' ? 'float' : 'PCM'),
    sampleRate: w.sampleRate,
    channels: w.channels,
    format: w.format,
    bitsPerSample: w.bitsPerSample,
    frames: w.frames,
    durationSeconds: w.durationSeconds,
    lengthKnown: w.lengthKnown,
  };
  if (w.channelMask !== undefined) info.channelMask = w.channelMask;
  let read = 0;
  return {
    info,
    rewindable,
    progress: () => (info.lengthKnown && info.frames > 0 ? read / info.frames : NaN),
    async *chunks(framesPerChunk = 8192) {
      read = 0;
      for await (const planes of wav.chunks(framesPerChunk)) {
        read += planes[0]!.length;
        if (!w.lengthKnown) {
          info.frames = read;
          info.durationSeconds = read / info.sampleRate;
        }
        yield planes;
      }
    },
    close: () => wav.close(),
  };
}

/**
 * Decodes through ffmpeg: `ffmpeg -i IN -vn -f wav -c:a pcm_f32le -` (float, so nothing is lost), read as a
 * WAV stream. A file can be decoded again (ffmpeg runs again); standard input is piped into ffmpeg once.
 */
async function openWithFfmpeg(container: AudioContainer, input: { path?: string; stream?: AsyncIterable<Uint8Array> }, options: OpenAudioOptions): Promise<AudioReader> {
  const exe = options.ffmpeg ?? 'ffmpeg';
  const name = CONTAINER_NAMES[container];
  let child: ChildProcessWithoutNullStreams | undefined;
  let stderr = '';
  const start = async (): Promise<WavReader> => {
    child = spawn(exe, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', input.path ?? 'pipe:0', '-vn', '-map', '0:a:0', '-f', 'wav', '-c:a', 'pcm_f32le', 'pipe:1'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const spawned = new Promise<void>((resolve, reject) => {
      child!.once('spawn', resolve);
      child!.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT'
        ? new AudioError(`${name} needs ffmpeg to decode, and ffmpeg was not found on the PATH: install ffmpeg, or convert the file to WAV or FLAC first`)
        : e));
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => { stderr = (stderr + d).slice(-2000); });
    await spawned;
    if (input.stream) {
      const c = child;
      c.stdin.on('error', () => { /* ffmpeg stopped reading: its exit status tells why */ });
      void (async () => {
        try {
          for await (const b of input.stream!) if (!c.stdin.write(b)) await new Promise((r) => c.stdin.once('drain', r));
        } catch { /* the reader's own error is reported by ffmpeg's end of stream */ }
        c.stdin.end();
      })();
    } else {
      child.stdin.end();
    }
    const exited = new Promise<number | null>((resolve) => child!.once('close', resolve));
    try {
      return await openWavStream(child.stdout);
    } catch (e) {
      const code = await exited;
      const why = stderr.trim().split('\n').pop()?.trim();
      throw new AudioError(code !== 0 && why ? `ffmpeg could not decode this ${name} input: ${why}` : (e as Error).message);
    }
  };
  let wav = await start();
  const reader = wrapWav(wav, input.path !== undefined, `${name === 'MP4/M4A' ? 'AAC/M4A' : name} (ffmpeg)`, container);
  let passes = 0;
  const inner = reader.chunks.bind(reader);
  return {
    ...reader,
    info: reader.info,
    async *chunks(framesPerChunk = 8192) {
      if (passes++ > 0) {
        if (!input.path) throw new Error('a stream can be decoded only once');
        await wav.close();
        child?.kill();
        wav = await start();
      }
      const c = child!;
      const closed = new Promise<number | null>((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.once('close', resolve)));
      yield* (passes > 1 ? wrapWav(wav, true).chunks(framesPerChunk) : inner(framesPerChunk));
      const code = await closed;
      const why = stderr.trim().split('\n').pop()?.trim();
      if (code !== 0) throw new AudioError(`ffmpeg failed while decoding: ${why ?? `exit status ${code}`}`);
      if (reader.info.frames === 0 && why) throw new AudioError(`ffmpeg decoded no audio: ${why}`);
      reader.info.lengthKnown = true;
    },
    async close() {
      await wav.close();
      if (child && child.exitCode === null) child.kill();
    },
  };
}
