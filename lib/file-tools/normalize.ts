/**
 * normalizeFile / normalizeAlbum / matchFile: the file versions of the plugin's target and match modes.
 *
 * One linear gain per file (or per album), so the dynamics are untouched. When that gain would take the true
 * peak over the ceiling, the policy decides:
 *   limit  (default) the true-peak limiter acts only where a peak would pass the ceiling; the gain is then
 *          refined over a few passes so the limited file still lands on the target (secant steps).
 *   cap    the gain is lowered until the true peak fits; the loudness reached is reported.
 *   error  a ShortfallError naming the file and the shortfall; nothing is written.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { openAudio, STDIN_NAME, type ByteStream } from '../audio/open-audio.ts';
import { AudioError, type AudioInfo, type AudioReader } from '../audio/types.ts';
import { keepFormat, type OutputFormat } from '../audio/wav-writer.ts';
import type { ChannelRole, LayoutName, LoudnessResult } from '../types.ts';
import { analyse, gatedLoudness, hopFrames, type Analysis, type ProgressFn } from './analyse.ts';
import { render, type GainCurve, type RenderResult } from './render.ts';

export type PeakPolicy = 'limit' | 'cap' | 'error';

export interface ProcessOptions {
  /** True-peak ceiling (dBTP); default -1. */
  truePeak?: number;
  /** Default 'limit'. */
  policy?: PeakPolicy;
  /** Output sample format; default: the input's (see keepFormat). */
  format?: OutputFormat;
  /** Allow the output to be the input file itself. */
  inPlace?: boolean;
  layout?: LayoutName | readonly ChannelRole[];
  /** What "-" reads (default process.stdin). */
  stdin?: ByteStream;
  /** Called with 0..1 as the work proceeds. */
  onProgress?: ProgressFn;
  /** The input's name in reports and errors, if not its path (the CLI spools "-" to a file). */
  name?: string;
}

export interface NormalizeOptions extends ProcessOptions {
  /** Integrated loudness target (LUFS). */
  target: number;
  /** Target for mono files, if different (e.g. podcasts: -19 mono, -16 stereo). */
  targetMono?: number;
}

export interface FileReport {
  file: string;
  output: string;
  info: AudioInfo;
  layout: readonly ChannelRole[];
  /** The loudness wanted (LUFS): the target, the album's target, or the reference's loudness. */
  target: number;
  before: LoudnessResult;
  after: LoudnessResult;
  /** The linear gain applied (dB); for a short-term match, its mean over the file. */
  gainDb: number;
  /** 'none': the gain fitted under the ceiling; 'limit' or 'cap': the policy acted. */
  peakAction: 'none' | 'limit' | 'cap';
  limiterReductionDb: number;
  limitedSeconds: number;
  /** Rendering passes made (1 unless the limiter needed the gain refined). */
  passes: number;
  format: OutputFormat;
}

/** The gain cannot fit under the ceiling and the policy is 'error'. */
export class ShortfallError extends Error {
  override name = 'ShortfallError';
}

/** The ceiling margin the limiter aims under (dB): other meters' oversampling filters read a few hundredths higher. */
const LIMIT_MARGIN_DB = 0.15;
/** Loudness error (LU) at which the limiter's gain refinement stops. */
const LIMIT_TOLERANCE_LU = 0.02;
const MAX_PASSES = 5;

const db = (x: number) => 10 ** (x / 20);

/** An input, opened (stdin spooled to a temporary file, since two passes are needed), with its cleanup. */
async function openInput(file: string, o: ProcessOptions): Promise<{ reader: AudioReader; done: () => Promise<void> }> {
  if (file !== STDIN_NAME) {
    const reader = await openAudio(file);
    return { reader, done: () => reader.close() };
  }
  const stdin = o.stdin ?? process.stdin;
  if (stdin.isTTY) throw new AudioError('standard input is a terminal: pipe audio into it');
  const dir = await mkdtemp(path.join(tmpdir(), 'levelmatch-stdin-'));
  const spool = path.join(dir, 'stdin');
  try {
    await pipeline(stdin as AsyncIterable<Uint8Array>, createWriteStream(spool));
    const reader = await openAudio(spool);
    return { reader, done: async () => { await reader.close(); await rm(dir, { recursive: true, force: true }); } };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Refuses to write over an input without inPlace, and to write WAV bytes in place of another format. */
export async function checkOutput(input: string, output: string, info: AudioInfo | undefined, inPlace: boolean): Promise<void> {
  if (input === STDIN_NAME) return;
  const same = await sameFile(input, output);
  if (same && !inPlace) throw new AudioError(`the output ${output} is the input: use --in-place to replace it`);
  if (same && info && info.container !== 'wav') {
    throw new AudioError(`--in-place writes WAV, and this is ${info.codec}: write it with -o or --out-dir instead`);
  }
}

async function sameFile(a: string, b: string): Promise<boolean> {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    const [sa, sb] = await Promise.all([stat(a), stat(b)]);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    try { return (await realpath(a)) === path.resolve(b); } catch { return false; }
  }
}

interface Plan {
  gain: number | GainCurve;
  /** The limiter's ceiling (linear), or none. */
  limitTo?: number;
  /** Refine the gain until the output lands on this (LUFS) (limit policy, one file). */
  refineTo?: number;
  peakAction: FileReport['peakAction'];
}

/** Chooses the gain for `wanted` (LUFS) under the ceiling and policy; `label` names the file in errors. */
export function planGain(label: string, before: LoudnessResult, wanted: number, o: ProcessOptions, refine: boolean): Plan {
  if (!Number.isFinite(before.integrated)) throw new AudioError('it is silent (integrated loudness -inf): there is nothing to normalise');
  const ceiling = o.truePeak ?? -1;
  const gain = wanted - before.integrated;
  const peak = before.truePeak + gain;
  if (!(peak > ceiling)) return { gain, peakAction: 'none' };
  const policy = o.policy ?? 'limit';
  if (policy === 'error') {
    throw new ShortfallError(`${label}: a gain of ${sign(gain)} dB to reach ${wanted.toFixed(1)} LUFS takes its true peak to ${peak.toFixed(2)} dBTP, ${(peak - ceiling).toFixed(2)} dB over the ceiling of ${ceiling.toFixed(1)} dBTP (use --policy limit or cap)`);
  }
  if (policy === 'cap') return { gain: ceiling - before.truePeak, peakAction: 'cap' };
  return { gain, limitTo: db(ceiling - LIMIT_MARGIN_DB), refineTo: refine ? wanted : undefined, peakAction: 'limit' };
}

const sign = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;

/** Renders `plan` (refining a limited gain toward its target) and commits the output. */
async function execute(reader: AudioReader, a: Analysis, plan: Plan, output: string, o: ProcessOptions, progressFrom: number): Promise<Omit<FileReport, 'file' | 'target'>> {
  const format = o.format ?? keepFormat(a.info);
  const ceiling = o.truePeak ?? -1;
  let gain = plan.gain;
  let limitTo = plan.limitTo;
  let passes = 0;
  let last: { gain: number; loudness: number } | undefined;
  // When the gain will be refined, the first pass only measures (it rarely lands within the tolerance).
  let write = plan.refineTo === undefined;
  for (;;) {
    passes++;
    const share = (1 - progressFrom) / (plan.refineTo === undefined ? 1 : 3);
    const base = Math.min(0.97, progressFrom + Math.min(passes - 1, 2) * share);
    const r: RenderResult = await render(reader, {
      layout: a.layout, gain, limitTo, output: write ? { path: output, format, channelMask: a.info.channelMask } : undefined,
      onProgress: o.onProgress && ((f) => o.onProgress!(Math.min(0.99, base + share * (Number.isFinite(f) ? f : 0.5)))),
    });
    const I = r.after.integrated;
    const done = plan.refineTo === undefined || typeof gain !== 'number' || passes >= MAX_PASSES
      || (Math.abs(I - plan.refineTo) <= LIMIT_TOLERANCE_LU && !(r.after.truePeak > ceiling));
    if (done && !r.writer) {
      write = true; // converged on a measuring pass: render it once more, to the file
      continue;
    }
    if (done) {
      await r.writer!.commit();
      o.onProgress?.(1);
      const meanGain = typeof gain === 'number' ? gain : mean(gain.db);
      return {
        output, info: a.info, layout: a.layout, before: a.result, after: r.after, gainDb: meanGain, peakAction: plan.peakAction,
        limiterReductionDb: r.limiterReductionDb, limitedSeconds: r.limitedSeconds, passes, format,
      };
    }
    write = true;
    await r.writer?.abort();
    if (r.after.truePeak > ceiling && limitTo !== undefined) limitTo *= db(ceiling - r.after.truePeak - 0.02); // aim lower
    const g = gain as number;
    const want = plan.refineTo!;
    const next = last && Math.abs(I - last.loudness) > 1e-6
      ? g + ((want - I) * (g - last.gain)) / (I - last.loudness) // secant
      : g + (want - I);
    last = { gain: g, loudness: I };
    gain = Math.min(next, g + 12); // a bound: limiting harder than 12 dB more per step is never what is wanted
  }
}

const mean = (a: Float32Array) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : 0);

/** Normalises one file to `o.target` LUFS and writes a WAV to `output`. */
export async function normalizeFile(input: string, output: string, o: NormalizeOptions): Promise<FileReport> {
  const { reader, done } = await openInput(input, o);
  try {
    await checkOutput(input, output, reader.info, o.inPlace ?? false);
    const a = await analyse(reader, { layout: o.layout, series: false, onProgress: o.onProgress && ((f) => o.onProgress!(0.5 * (Number.isFinite(f) ? f : 0))) });
    const target = a.info.channels === 1 && o.targetMono !== undefined ? o.targetMono : o.target;
    const plan = planGain(o.name ?? input, a.result, target, o, true);
    return { file: o.name ?? input, target, ...(await execute(reader, a, plan, output, o, 0.5)) };
  } finally {
    await done();
  }
}

/** Measures a file for album mode (first pass). */
export async function analyseFile(input: string, o: ProcessOptions & { series?: boolean }): Promise<Analysis> {
  const { reader, done } = await openInput(input, o);
  try {
    return await analyse(reader, { layout: o.layout, onProgress: o.onProgress, series: o.series });
  } finally {
    await done();
  }
}

/** The album gain (dB) and policy for several analysed files, as planGain does for one. */
export function planAlbum(files: readonly { file: string; analysis: Analysis }[], o: NormalizeOptions): { albumLoudness: number; gain: number; plans: Plan[] } {
  const albumLoudness = gatedLoudness(files.map((f) => f.analysis.blocks));
  if (!Number.isFinite(albumLoudness)) throw new AudioError('the album is silent: there is nothing to normalise');
  const ceiling = o.truePeak ?? -1;
  let gain = o.target - albumLoudness;
  const policy = o.policy ?? 'limit';
  const over = files.filter((f) => f.analysis.result.truePeak + gain > ceiling);
  if (over.length > 0 && policy === 'error') {
    const worst = over.reduce((w, f) => (f.analysis.result.truePeak > w.analysis.result.truePeak ? f : w));
    throw new ShortfallError(`${worst.file}: the album gain of ${sign(gain)} dB takes its true peak to ${(worst.analysis.result.truePeak + gain).toFixed(2)} dBTP, ${(worst.analysis.result.truePeak + gain - ceiling).toFixed(2)} dB over the ceiling of ${ceiling.toFixed(1)} dBTP${over.length > 1 ? ` (and ${over.length - 1} more file(s))` : ''}`);
  }
  if (over.length > 0 && policy === 'cap') gain = Math.min(...files.map((f) => ceiling - f.analysis.result.truePeak));
  const plans = files.map((f): Plan => {
    const needs = f.analysis.result.truePeak + gain > ceiling;
    if (policy === 'limit' && needs) return { gain, limitTo: db(ceiling - LIMIT_MARGIN_DB), peakAction: 'limit' };
    return { gain, peakAction: over.length > 0 && policy === 'cap' ? 'cap' : 'none' };
  });
  return { albumLoudness, gain, plans };
}

/** Renders one file of an album with its plan (second pass). */
export async function renderPlanned(input: string, output: string, analysis: Analysis, plan: Plan, target: number, o: ProcessOptions): Promise<FileReport> {
  const { reader, done } = await openInput(input, o);
  try {
    await checkOutput(input, output, reader.info, o.inPlace ?? false);
    return { file: o.name ?? input, target, ...(await execute(reader, analysis, plan, output, o, 0)) };
  } finally {
    await done();
  }
}

/** Normalises files as one album: one gain for all, from their joint integrated loudness. */
export async function normalizeAlbum(inputs: readonly { input: string; output: string }[], o: NormalizeOptions): Promise<FileReport[]> {
  const analysed = [];
  for (const { input } of inputs) analysed.push({ file: input, analysis: await analyseFile(input, o) });
  const { plans, albumLoudness } = planAlbum(analysed, o);
  const reports = [];
  for (let i = 0; i < inputs.length; i++) {
    void albumLoudness;
    reports.push(await renderPlanned(inputs[i]!.input, inputs[i]!.output, analysed[i]!.analysis, plans[i]!, o.target, o));
  }
  return reports;
}

export interface MatchOptions extends ProcessOptions {
  /** 'integrated' (default): one gain; 'short-term': a gain that follows the reference's short-term loudness. */
  detector?: 'integrated' | 'short-term';
}

/** Makes `processed` as loud as `reference` and writes the result to `output`. */
export async function matchFile(processed: string, reference: string, output: string, o: MatchOptions = {}): Promise<FileReport> {
  const series = o.detector === 'short-term';
  const ref = await analyseFile(reference, { ...o, series, onProgress: o.onProgress && ((f) => o.onProgress!(0.3 * f)) });
  if (!Number.isFinite(ref.result.integrated)) throw new AudioError(`the reference ${reference} is silent: there is no loudness to match`);
  const { reader, done } = await openInput(processed, o);
  try {
    await checkOutput(processed, output, reader.info, o.inPlace ?? false);
    const a = await analyse(reader, { layout: o.layout, series, onProgress: o.onProgress && ((f) => o.onProgress!(0.3 + 0.3 * (Number.isFinite(f) ? f : 0))) });
    let plan = planGain(o.name ?? processed, a.result, ref.result.integrated, o, true);
    if (o.detector === 'short-term') {
      if (a.info.sampleRate !== ref.info.sampleRate) throw new AudioError(`--detector short-term needs both files at one sample rate (${a.info.sampleRate} Hz vs ${ref.info.sampleRate} Hz)`);
      const curve = shortTermCurve(ref.shortTerm, a.shortTerm, hopFrames(a.info.sampleRate), plan.gain as number);
      plan = { ...plan, gain: curve, refineTo: undefined, limitTo: plan.limitTo ?? (curveMax(curve) + a.result.truePeak > (o.truePeak ?? -1) && (o.policy ?? 'limit') === 'limit' ? db((o.truePeak ?? -1) - LIMIT_MARGIN_DB) : undefined) };
    }
    return { file: o.name ?? processed, target: ref.result.integrated, ...(await execute(reader, a, plan, output, o, 0.6)) };
  } finally {
    await done();
  }
}

const curveMax = (c: GainCurve) => c.db.reduce((m, v) => Math.max(m, v), -Infinity);

/**
 * The gain (dB per 100 ms hop) that makes the processed file's short-term loudness follow the reference's.
 * Short-term loudness at hop k covers the 3 s before it, so the difference is placed at the window's centre
 * (1.5 s earlier: offline, we can look ahead). Where either side is below -50 LUFS (the plugin's default gate)
 * the gain holds; it is smoothed over 1 s (a centred moving average) so it moves without zipper noise.
 */
function shortTermCurve(ref: Float32Array, proc: Float32Array, hop: number, fallback: number): GainCurve {
  const n = proc.length;
  const raw = new Float32Array(n);
  const centre = 14; // hops: value k covers the 3 s ending at hop k + 1, so its centre is 1.5 s = 15 hops before that
  let held = fallback;
  for (let k = 0; k < n; k++) {
    const src = Math.min(n - 1, k + centre);
    const r = ref[Math.min(src, ref.length - 1)] ?? -Infinity;
    const p = proc[src]!;
    if (src >= 29 && r > -50 && p > -50) held = r - p; // from 3 s on the window is full
    raw[k] = held;
  }
  // Before the first full window: the first full value.
  const firstFull = Math.min(n - 1, Math.max(0, 29 - centre));
  for (let k = 0; k < firstFull; k++) raw[k] = raw[firstFull]!;
  const smooth = new Float32Array(n);
  const half = 5;
  for (let k = 0; k < n; k++) {
    let s = 0;
    let c = 0;
    for (let j = Math.max(0, k - half); j <= Math.min(n - 1, k + half); j++) { s += raw[j]!; c++; }
    smooth[k] = s / c;
  }
  return { hopFrames: hop, db: smooth.length ? smooth : Float32Array.of(fallback) };
}
