/**
 * What the field evaluation measures (issue 9), with the library meter (lib/, itself checked against
 * libebur128 and the EBU tables), never with the plugin's own readouts:
 * - loudness error: output short-term - reference short-term (match) or - target (target), every 100 ms from
 *   2 s on, where the reference (target: the input) is above -50 LUFS short-term: share within 0.5 and 1 LU,
 *   mean and worst |error|;
 * - integrated: I(output) - I(reference) over the whole run (match);
 * - settle after each jump: the gain actually applied (10 log10 of output over input energy per 40 ms window)
 *   against the section's ideal gain (I(ref) - I(in) over the section, or target - I(in), within the range);
 *   the time after the jump from which it stays within 1 dB for 1 s (or to the section's end);
 * - fresh start: momentary error at 1 s (target mode: the applied gain's error against the first section's
 *   ideal gain at 1 s), and the worst momentary excess over the reference from 0.4 to 3 s;
 * - true peak: the output's true peak (4x) minus the ceiling.
 */
import { LoudnessMeter } from '../../lib/index.ts';
import type { Planar } from './programmes.ts';
import type { Run } from './run.ts';

export interface Metrics {
  within05: number;
  within1: number;
  meanError: number;
  worstError: number;
  integratedError: number;
  /** Seconds to settle after each jump (Infinity = never within the section). */
  settle: number[];
  /** Momentary error at 1 s, LU (NaN when the reference is below the gate then). */
  freshError: number;
  /** Largest momentary excess of the output over the reference (or target) between 0.4 and 3 s, LU. */
  burst: number;
  /** Output true peak - ceiling, dB. */
  truePeakOver: number;
  /** Standard deviation of the applied gain after the first 8 s (dB): how much the gain moves. */
  gainStd: number;
}

const sub = (p: Planar, a: number, b: number): Planar => p.map((x) => x.subarray(a, b));

/** Short-term and momentary loudness every `step` s (values at t = step, 2 step, ...). */
function series(p: Planar, fs: number, step: number): { s: number[]; m: number[] } {
  const meter = LoudnessMeter.createSync({ sampleRate: fs, channels: p.length, truePeak: false });
  const hop = Math.round(step * fs);
  const s: number[] = [];
  const m: number[] = [];
  for (let i = 0; i + hop <= p[0].length; i += hop) {
    meter.push(sub(p, i, i + hop));
    const r = meter.result();
    s.push(r.shortTerm);
    m.push(r.momentary);
  }
  return { s, m };
}

const integrated = (p: Planar, fs: number): number => {
  const meter = LoudnessMeter.createSync({ sampleRate: fs, channels: p.length, truePeak: false });
  meter.push(p);
  return meter.result().integrated;
};

const truePeak = (p: Planar, fs: number): number => {
  const meter = LoudnessMeter.createSync({ sampleRate: fs, channels: p.length });
  meter.push(p);
  return meter.result().truePeak;
};

/** Applied gain per window (dB), NaN where the input is near silent. */
function appliedGain(input: Planar, output: Planar, fs: number, window: number): number[] {
  const n = Math.round(window * fs);
  const g: number[] = [];
  for (let i = 0; i + n <= input[0].length; i += n) {
    let ei = 0;
    let eo = 0;
    for (let c = 0; c < input.length; c++) {
      for (let k = i; k < i + n; k++) {
        ei += input[c][k] * input[c][k];
        eo += output[c][k] * output[c][k];
      }
    }
    g.push(ei > 1e-7 * n ? 10 * Math.log10(eo / ei) : NaN);
  }
  return g;
}

export function evaluate(run: Run, output: Planar, fs = 48000): Metrics {
  const match = run.scenario.mode === 'match';
  const step = 0.1;
  const out = series(output, fs, step);
  const ref = series(run.reference, fs, step);
  const inp = series(run.input, fs, step);
  const errs: number[] = [];
  for (let k = 0; k < out.s.length; k++) {
    const t = (k + 1) * step;
    if (t < 2) continue;
    const basis = match ? ref.s[k] : inp.s[k];
    if (!(basis > -50)) continue;
    errs.push(Math.abs(out.s[k] - (match ? ref.s[k] : run.target)));
  }
  const share = (lim: number): number => errs.filter((e) => e <= lim).length / Math.max(1, errs.length);
  const k1 = Math.round(1 / step) - 1;
  // Momentary comparisons only where the reference (target mode: the input) is above the -50 LUFS gate: in a
  // pause both sides are near silence and their ratio means nothing.
  const open = (k: number): boolean => (match ? ref.m[k] : inp.m[k]) > -50;
  // Target mode: the programme's own momentary swing is not the gain's error, so the fresh-start error there is
  // the applied gain at 1 s against the first section's ideal gain (see `ideal` below).
  let freshError = open(k1) ? out.m[k1] - (match ? ref.m[k1] : run.target) : NaN;
  let burst = -Infinity;
  for (let k = Math.round(0.4 / step) - 1; k < Math.round(3 / step); k++) {
    if (open(k)) burst = Math.max(burst, out.m[k] - (match ? ref.m[k] : run.target));
  }

  // Settling against each section's ideal gain.
  const win = 0.04;
  const gains = appliedGain(run.input, output, fs, win);
  const settle: number[] = [];
  const ideal = (a: number, b: number): number => {
    const ia = Math.round(a * fs);
    const ib = Math.round(b * fs);
    return Math.min(run.maxBoost, Math.max(-run.maxCut, (match ? integrated(sub(run.reference, ia, ib), fs) : run.target) - integrated(sub(run.input, ia, ib), fs)));
  };
  if (!match) {
    const [a, b] = run.sections[0];
    const w = Math.round(1 / win) - 1;
    freshError = gains[w] - ideal(a, b);
  }
  for (const [a, b] of run.sections) {
    if (a === 0) continue;
    const idealGain = ideal(a, b);
    const w0 = Math.ceil(a / win);
    const w1 = Math.floor(b / win);
    const hold = Math.round(1 / win);
    let found = Infinity;
    for (let w = w0; w < w1; w++) {
      let ok = true;
      for (let v = w; v < Math.min(w1, w + hold); v++) {
        if (!Number.isNaN(gains[v]) && Math.abs(gains[v] - idealGain) > 1) {
          ok = false;
          break;
        }
      }
      if (ok) {
        found = w * win - a;
        break;
      }
    }
    settle.push(found);
  }
  const late = gains.slice(Math.round(8 / win)).filter((g) => !Number.isNaN(g));
  const mean = late.reduce((x, y) => x + y, 0) / Math.max(1, late.length);
  const gainStd = Math.sqrt(late.reduce((x, y) => x + (y - mean) ** 2, 0) / Math.max(1, late.length));
  return {
    within05: share(0.5),
    within1: share(1),
    meanError: errs.reduce((x, y) => x + y, 0) / Math.max(1, errs.length),
    worstError: Math.max(0, ...errs),
    integratedError: match ? integrated(output, fs) - integrated(run.reference, fs) : integrated(output, fs) - run.target,
    settle,
    freshError,
    burst,
    truePeakOver: truePeak(output, fs) - run.ceiling,
    gainStd,
  };
}

const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : x > 0 ? 'never' : '-');

/** One table row. */
export function formatRow(label: string, m: Metrics): string {
  const settle = m.settle.length ? m.settle.map((s) => f(s, 1)).join('/') : '-';
  return [
    label.padEnd(12),
    `${(m.within05 * 100).toFixed(0).padStart(4)}%`,
    `${(m.within1 * 100).toFixed(0).padStart(4)}%`,
    f(m.meanError).padStart(6),
    f(m.worstError).padStart(6),
    f(m.integratedError).padStart(6),
    settle.padStart(20),
    f(m.freshError).padStart(6),
    f(m.burst).padStart(6),
    f(m.truePeakOver).padStart(6),
  ].join(' ');
}

export const HEADER = [
  'version'.padEnd(12), '<0.5LU', '  <1LU', '  mean', ' worst', '    dI', 'settle after jumps s'.padStart(20), ' M@1s', ' burst', ' TP-ceil',
].join(' ');
