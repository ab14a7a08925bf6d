/** Output of `levelmatch measure`: the readable table and the JSON objects. */
import type { LoudnessResult } from '../types.ts';
import type { AudioInfo } from '../audio/types.ts';
import { STDIN_NAME, type Measurement } from './measure-file.ts';

/** The table's title for standard input ("-"; --json names it "-"). */
export const STDIN_TITLE = '(stdin)';

/** A number with `decimals` decimals, or "-inf" / "inf" / "nan". */
export function formatNumber(x: number, decimals: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === -Infinity) return '-inf';
  if (x === Infinity) return 'inf';
  return x.toFixed(decimals);
}

/** Seconds as m:ss.mmm, or h:mm:ss.mmm from one hour. */
export function formatDuration(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = ((ms % 60_000) / 1000).toFixed(3).padStart(6, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * E.g. "48000 Hz, 2 ch, 24-bit PCM, 3:25.120", or "44100 Hz, 2 ch, MP3, 3:25.120" for a compressed file (the
 * duration read, for a stream of unknown length too).
 */
export function formatLine(info: AudioInfo): string {
  const kind = info.codec === 'PCM' || info.codec === 'float'
    ? `${info.bitsPerSample}-bit ${info.format === 'float' ? 'float' : 'PCM'}${info.container === 'aiff' ? ' AIFF' : ''}`
    : info.codec;
  return `${info.sampleRate} Hz, ${info.channels} ch, ${kind}, ${formatDuration(info.durationSeconds)}`;
}

/** The readable report of one file: its name ("(stdin)" for "-"), then one aligned row per reading. */
export function formatTable(m: Measurement): string {
  const r = m.result;
  const rows: [string, string, string][] = [
    ['Format', formatLine(m.info), ''],
    ['Layout', m.layout.join(' '), ''],
    ['Integrated', formatNumber(r.integrated, 1), 'LUFS'],
    ['Loudness range', formatNumber(r.range, 1), 'LU'],
    ['Momentary max', formatNumber(r.momentaryMax, 1), 'LUFS'],
    ['Short-term max', formatNumber(r.shortTermMax, 1), 'LUFS'],
    ['True peak', formatNumber(r.truePeak, 2), 'dBTP'],
  ];
  if (r.channelTruePeak.length > 1) {
    r.channelTruePeak.forEach((tp, c) => rows.push([`  ${c + 1} ${m.layout[c] ?? ''}`, formatNumber(tp, 2), 'dBTP']));
  }
  rows.push(['Sample peak', formatNumber(r.samplePeak, 2), 'dBFS']);
  if (r.nonFinite > 0) rows.push(['Non-finite samples', String(r.nonFinite), '(metered as silence)']);

  const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 2;
  // Numbers are right-aligned in one column; the Format and Layout values are text and left-aligned.
  const numberWidth = Math.max(...rows.slice(2).map(([, value]) => value.length));
  const lines = rows.map(([label, value, unit], i) => {
    const v = i < 2 ? value : value.padStart(numberWidth);
    return `  ${label.padEnd(labelWidth)}${v}${unit ? ` ${unit}` : ''}`;
  });
  return `${m.file === STDIN_NAME ? STDIN_TITLE : m.file}\n${lines.join('\n')}\n`;
}

/** JSON of a reading: null where it is -Infinity (no signal) or otherwise not finite. */
const jsonNumber = (x: number): number | null => (Number.isFinite(x) ? x : null);

export type JsonResult = { [K in keyof LoudnessResult]: LoudnessResult[K] extends number[] ? (number | null)[] : number | null };

export interface JsonMeasurement extends JsonResult {
  file: string;
  sampleRate: number;
  channels: number;
  /** 'pcm' or 'float'. */
  format: string;
  bitsPerSample: number;
  /** Seconds. */
  duration: number;
  layout: string[];
}

/** The --json object of one measured file. */
export function toJson(m: Measurement): JsonMeasurement {
  const r = m.result;
  return {
    file: m.file,
    sampleRate: m.info.sampleRate,
    channels: m.info.channels,
    format: m.info.format,
    bitsPerSample: m.info.bitsPerSample,
    duration: m.info.durationSeconds,
    layout: [...m.layout],
    momentary: jsonNumber(r.momentary),
    shortTerm: jsonNumber(r.shortTerm),
    integrated: jsonNumber(r.integrated),
    range: jsonNumber(r.range),
    momentaryMax: jsonNumber(r.momentaryMax),
    shortTermMax: jsonNumber(r.shortTermMax),
    truePeak: jsonNumber(r.truePeak),
    samplePeak: jsonNumber(r.samplePeak),
    channelTruePeak: r.channelTruePeak.map(jsonNumber),
    channelSamplePeak: r.channelSamplePeak.map(jsonNumber),
    nonFinite: r.nonFinite,
  };
}
