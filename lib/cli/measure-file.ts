/**
 * Measures one WAV file, or the WAV stream on standard input for the name "-": streams it through a
 * LoudnessMeter a block at a time, so memory does not grow with the audio's length.
 */
import cliProgress from 'cli-progress';
import { fstatSync } from 'node:fs';
import path from 'node:path';
import { LoudnessMeter } from '../index.ts';
import { LAYOUTS } from '../layouts.ts';
import type { ChannelRole, LayoutName, LoudnessResult } from '../types.ts';
import { channelMaskToLayout } from '../wav/channel-mask.ts';
import { openWav, openWavStream, type WavInfo, type WavReader } from '../wav/reader.ts';

/** Frames read and metered per step (8192 frames: 170 ms at 48 kHz, 192 KiB of 8-channel float). */
const FRAMES_PER_CHUNK = 8192;
/** Files with more audio than this (seconds) get a progress bar, when stderr is a terminal. */
export const PROGRESS_MIN_SECONDS = 60;
/** The file name that means standard input. */
export const STDIN_NAME = '-';

export interface Measurement {
  /** As given; "-" for standard input. */
  file: string;
  /** The audio that was read: frames and durationSeconds are final, also for a stream of unknown length. */
  info: WavInfo;
  /** The role of each channel that was used. */
  layout: readonly ChannelRole[];
  result: LoudnessResult;
}

export interface MeasureOptions {
  /** Overrides the file's channel mask or the default layout. */
  layout?: LayoutName | readonly ChannelRole[];
  /** A terminal stream to draw a progress bar on, for long files. */
  progressStream?: NodeJS.WritableStream;
  /** What "-" reads; default process.stdin. */
  stdin?: AsyncIterable<unknown> & { isTTY?: boolean };
}

/**
 * Throws WavError for unreadable WAV files or streams, fs errors for missing files, Error for a layout that
 * does not fit.
 */
export async function measureFile(file: string, options: MeasureOptions = {}): Promise<Measurement> {
  const reader = file === STDIN_NAME ? await openStdin(options.stdin ?? process.stdin) : await openPath(file, options);
  let bar: cliProgress.SingleBar | undefined;
  try {
    const { info } = reader;
    const layout = chooseLayout(info, options.layout);
    const meter = await LoudnessMeter.create({ sampleRate: info.sampleRate, channels: info.channels, layout });
    // A stream of unknown length (data size 0xFFFFFFFF) gets no bar: its total is unknown.
    if (options.progressStream && info.lengthKnown && info.durationSeconds > PROGRESS_MIN_SECONDS) {
      bar = new cliProgress.SingleBar({
        stream: options.progressStream,
        format: `${path.basename(file)} [{bar}] {percentage}% | {value}/{total} s of audio`,
        clearOnComplete: true,
        hideCursor: true,
      }, cliProgress.Presets.shades_classic);
      bar.start(Math.ceil(info.durationSeconds), 0);
    }
    let frames = 0;
    for await (const planes of reader.chunks(FRAMES_PER_CHUNK)) {
      meter.push(planes);
      frames += planes[0]!.length;
      bar?.update(Math.floor(frames / info.sampleRate));
    }
    bar?.update(Math.ceil(info.durationSeconds));
    // A copy: the reader's info counted the frames as it went when the length was unknown.
    return { file, info: { ...info }, layout: meter.layout, result: meter.result() };
  } finally {
    bar?.stop(); // also restores the cursor after an error
    await reader.close();
  }
}

/** Names of standard input that open() refuses (ENXIO) when it is a socket, as when Node spawns a child. */
const STDIN_PATHS = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

function openPath(file: string, options: MeasureOptions): Promise<WavReader> {
  return openWav(file).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException)?.code === 'ENXIO' && STDIN_PATHS.has(file)) return openStdin(options.stdin ?? process.stdin);
    throw e;
  });
}

function openStdin(stdin: NonNullable<MeasureOptions['stdin']> & { fd?: unknown }): Promise<WavReader> {
  if (stdin.isTTY) throw new Error('standard input is a terminal: pipe a WAV stream into it, e.g. ffmpeg -i in.flac -f wav - | levelmatch measure -');
  if (typeof stdin.fd === 'number' && isDirectory(stdin.fd)) {
    throw new Error('standard input is a directory, not a WAV stream (levelmatch measure - < file.wav)');
  }
  return openWavStream(stdin);
}

/** Whether the file descriptor is a directory (reading it would look like an empty stream). */
function isDirectory(fd: number): boolean {
  try {
    return fstatSync(fd).isDirectory();
  } catch {
    return false;
  }
}

/** The --layout override, else the WAVE_FORMAT_EXTENSIBLE mask, else the default for the channel count. */
function chooseLayout(info: WavInfo, override: LayoutName | readonly ChannelRole[] | undefined): readonly ChannelRole[] {
  if (override !== undefined) {
    const roles = typeof override === 'string' ? LAYOUTS[override] : override;
    if (roles.length !== info.channels) {
      const name = typeof override === 'string' ? override : override.join(',');
      throw new Error(`--layout ${name} has ${roles.length} channel(s) but the file has ${info.channels}`);
    }
    return roles;
  }
  return channelMaskToLayout(info.channelMask ?? 0, info.channels);
}
