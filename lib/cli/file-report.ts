/** Output of `normalize` and `match`: a before/after table per file, or JSON objects. */
import type { FileReport } from '../file-tools/normalize.ts';
import type { LoudnessResult } from '../types.ts';
import { formatLine, formatNumber, STDIN_TITLE } from './report.ts';
import { STDIN_NAME } from '../audio/open-audio.ts';

const signed = (x: number, d: number) => `${x >= 0 ? '+' : ''}${x.toFixed(d)}`;

export function formatFileTable(r: FileReport): string {
  const rows: [string, string, string, string][] = [
    ['', 'before', 'after', ''],
    ['Integrated', formatNumber(r.before.integrated, 1), formatNumber(r.after.integrated, 1), 'LUFS'],
    ['Loudness range', formatNumber(r.before.range, 1), formatNumber(r.after.range, 1), 'LU'],
    ['True peak', formatNumber(r.before.truePeak, 2), formatNumber(r.after.truePeak, 2), 'dBTP'],
  ];
  const w = [Math.max(...rows.map((x) => x[0].length)) + 2, 9, 9];
  const lines = rows.map(([a, b, c, u]) => `  ${a.padEnd(w[0]!)}${b.padStart(w[1]!)}${c.padStart(w[2]!)}${u ? `  ${u}` : ''}`);
  let gain = `${signed(r.gainDb, 2)} dB`;
  if (r.peakAction === 'cap') gain += ` (capped by the true-peak ceiling: ${formatNumber(r.after.integrated - r.target, 2)} LU from the target)`;
  lines.push(`  ${'Gain'.padEnd(w[0]!)}${gain}`);
  if (r.peakAction === 'limit') {
    lines.push(`  ${'Limiter'.padEnd(w[0]!)}${r.limiterReductionDb > 0 ? `-${r.limiterReductionDb.toFixed(2)} dB at most, on ${r.limitedSeconds.toFixed(2)} s of audio` : 'not needed after all'}`);
  }
  const title = r.file === STDIN_NAME ? STDIN_TITLE : r.file;
  return `${title} -> ${r.output}\n  ${formatLine(r.info)}; target ${r.target.toFixed(1)} LUFS; wrote ${r.format}\n${lines.join('\n')}\n`;
}

const n = (x: number): number | null => (Number.isFinite(x) ? x : null);
const readings = (r: LoudnessResult) => ({
  integrated: n(r.integrated), range: n(r.range), truePeak: n(r.truePeak), samplePeak: n(r.samplePeak),
  momentaryMax: n(r.momentaryMax), shortTermMax: n(r.shortTermMax),
});

export function fileReportJson(r: FileReport) {
  return {
    file: r.file,
    output: r.output,
    sampleRate: r.info.sampleRate,
    channels: r.info.channels,
    codec: r.info.codec,
    duration: r.info.durationSeconds,
    outputFormat: r.format,
    target: r.target,
    gain: r.gainDb,
    peakAction: r.peakAction,
    limiterReduction: r.limiterReductionDb,
    limitedSeconds: r.limitedSeconds,
    passes: r.passes,
    before: readings(r.before),
    after: readings(r.after),
  };
}
