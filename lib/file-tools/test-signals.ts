/**
 * Test helpers for the file tools: programme-like multichannel signals written as WAV, and ffmpeg's ebur128
 * readings of a file (the independent reference). Not part of the library (only tests import it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeWav, type WavSpec } from '../wav/write-test-wav.ts';

/**
 * `channels` channels of `seconds` at `rate`: band-limited noise plus a few partials, with a 2 s quiet/loud
 * cycle (about 8 dB apart), different in each channel, scaled to a sample peak of `peak` (linear).
 */
export function programmeSignal(channels: number, seconds: number, rate: number, peak = 0.5, seed = 7): Float64Array[] {
  const n = Math.round(seconds * rate);
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const out: Float64Array[] = [];
  for (let c = 0; c < channels; c++) {
    const x = new Float64Array(n);
    let lp = 0;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const t = i / rate;
      lp += 0.2 * (rnd() - lp);
      const loud = Math.floor(t / 2 + c * 0.25) % 2 === 1 ? 1 : 0.4;
      const v = loud * (lp + 0.3 * Math.sin(2 * Math.PI * (110 * (c + 1)) * t) + 0.15 * Math.sin(2 * Math.PI * 1800 * t + c));
      x[i] = v;
      max = Math.max(max, Math.abs(v));
    }
    for (let i = 0; i < n; i++) x[i]! *= peak / max;
    out.push(x);
  }
  return out;
}

export function writeWav(path: string, planar: Float64Array[], rate: number, format: WavSpec['format'] = 'float', bits = 32): string {
  const spec: WavSpec = { sampleRate: rate, format, bits };
  if (planar.length > 2) spec.mask = [0, 0x4, 0x3, 0x7, 0x33, 0x37, 0x3f][planar.length];
  writeFileSync(path, makeWav(spec, planar));
  return path;
}

export const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

/**
 * ffmpeg's EBU R128 readings of a file: integrated (LUFS) and true peak (dBTP, 4x oversampled), at three
 * decimals from the filter's frame metadata (its printed summary has one decimal). The last frame holds the
 * whole file's values.
 */
export function ffmpegEbur128(file: string): { integrated: number; truePeak: number } {
  const dir = mkdtempSync(path.join(tmpdir(), 'levelmatch-ffmpeg-'));
  const meta = path.join(dir, 'meta.txt');
  try {
    const r = spawnSync('ffmpeg', ['-nostats', '-hide_banner', '-nostdin', '-i', file, '-af', `ebur128=peak=true:metadata=1,ametadata=print:file=${meta}`, '-f', 'null', '-'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ffmpeg ebur128 failed on ${file}: ${r.stderr.slice(-500)}`);
    const text = readFileSync(meta, 'utf8');
    const last = (key: string) => {
      const all = [...text.matchAll(new RegExp(`lavfi\\.r128\\.${key}=(\\S+)`, 'g'))];
      return Number(all[all.length - 1]?.[1]);
    };
    return { integrated: last('I'), truePeak: 20 * Math.log10(last('true_peak')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
