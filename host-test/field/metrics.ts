/**
 * What the field evaluation measures (issue 9), with the library meter (lib/, itself checked against
 * libebur128 and the EBU tables), never with the plugin's own readouts (the held-off measure aside, which
 * needs the plugin's engine gain G):
 * - loudness error: output short-term - reference short-term (match) or - target (target), every 100 ms from
 *   2 s on, where the reference (target: the input) is above -50 LUFS short-term: share within 0.5 and 1 LU,
 *   mean and worst |error|. Before 3 s (0.4 s for momentary) the meter's window is not yet full and it reads the
 *   missing part as silence; every series here reads the part heard instead (+10 log10(window / t)), as the
 *   plugin's own detector does (in match mode both sides change alike);
 * - integrated: I(output) - I(reference) over the whole run (match), I(output) - target (target);
 * - settle after each jump: the gain actually applied (10 log10 of output over input energy per 40 ms window)
 *   against the section's ideal gain (I(ref) - I(in) over the section, or target - I(in), within the range);
 *   the time after the jump from which it stays within 1 dB for 1 s (or to the section's end); with the size
 *   of each jump (the larger of the reference's and the input's change of integrated loudness, LU);
 * - fresh start, from the programme's start (the start of the first 100 ms in which the reference, target
 *   mode: the input, reads at or above -50 LUFS momentary): the momentary error 1 s later, and the largest
 *   momentary excess over the reference (target) from 0.4 to 3 s later; both also against the matched static
 *   output (the input times the ideal gain of the programme's first 3 s): `freshGain` and `burstGain` are the
 *   gain law's own part,
 *   `freshStatic` and `burstStatic` what a perfect constant gain scores on the raw measures (a compressor's
 *   own syllable-to-syllable swing is no gain's error);
 * - true peak: the output's true peak (4x) minus the ceiling;
 * - held off: the most the applied gain sits under the lower of G and what the ceiling allows for the input's
 *   true peaks of the last 1.2 s (the 1.1 s release and one 100 ms slot), dB (0 without the ceiling).
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
  /** Size of each jump (the larger change of the reference's or the input's integrated loudness), LU. */
  jumpSizes: number[];
  /** Start of the programme (s): see the header. */
  start: number;
  /** Momentary error 1 s after the start against the matched static output, LU (the gain's own error). */
  freshGain: number;
  /** Largest momentary excess over the matched static output from 0.4 to 3 s after the start, LU. */
  burstGain: number;
  /**
   * What `freshGain` reads for two causal gains that know the audio exactly, dB: the ideal gain of everything heard
   * in the first second (I over it), and of the momentary window at 1 s alone. Where both miss 1 dB, no estimate
   * of the audio heard so far meets the measure (a level that moves in the first seconds).
   */
  freshOracleHeard: number;
  freshOracleWindow: number;
  /** The matched static output's own momentary error 1 s after the start, and its burst, LU. */
  freshStatic: number;
  burstStatic: number;
  /** Most the applied gain is held under min(G, ceiling allowance for the last 1.2 s of peaks), dB. */
  heldOff: number;
}

const sub = (p: Planar, a: number, b: number): Planar => p.map((x) => x.subarray(a, b));

/**
 * Short-term and momentary loudness every `step` s (values at t = step, 2 step, ...), over the part of each
 * window heard so far (the meter reads a window not yet full as partly silent: corrected by window / t).
 */
function series(p: Planar, fs: number, step: number): { s: number[]; m: number[] } {
  const meter = LoudnessMeter.createSync({ sampleRate: fs, channels: p.length, truePeak: false });
  const hop = Math.round(step * fs);
  const s: number[] = [];
  const m: number[] = [];
  for (let i = 0; i + hop <= p[0].length; i += hop) {
    meter.push(sub(p, i, i + hop));
    const r = meter.result();
    const t = (i + hop) / fs;
    s.push(r.shortTerm + (t < 3 ? 10 * Math.log10(3 / t) : 0));
    m.push(r.momentary + (t < 0.4 ? 10 * Math.log10(0.4 / t) : 0));
  }
  return { s, m };
}

/** Per-window true peak (4x, dBTP) of the input, windows of `n` frames (each read with 64 frames before it). */
function windowPeaks(p: Planar, fs: number, n: number): number[] {
  const meter = LoudnessMeter.createSync({ sampleRate: fs, channels: p.length });
  const out: number[] = [];
  for (let i = 0; i + n <= p[0].length; i += n) {
    meter.reset();
    meter.push(sub(p, Math.max(0, i - 64), i + n));
    out.push(meter.result().truePeak);
  }
  return out;
}

/** Integrated loudness (BS.1770-5), LUFS, of a whole recording: the library's meter, no true peak. */
export const integrated = (p: Planar, fs: number): number => {
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

  // Each section's ideal gain, and the matched static output (the input times it).
  const ideal = (a: number, b: number): number => {
    const ia = Math.round(a * fs);
    const ib = Math.round(b * fs);
    return Math.min(run.maxBoost, Math.max(-run.maxCut, (match ? integrated(sub(run.reference, ia, ib), fs) : run.target) - integrated(sub(run.input, ia, ib), fs)));
  };
  const ideals = run.sections.map(([a, b]) => ideal(a, b));

  // Fresh start and burst, from the programme's start. Momentary comparisons only where the reference (target
  // mode: the input) is above the -50 LUFS gate: in a pause both sides are near silence and their ratio means
  // nothing.
  const open = (k: number): boolean => (match ? ref.m[k] : inp.m[k]) > -50;
  let k0 = 0;
  while (k0 < out.m.length && !open(k0)) k0++;
  const start = k0 * step;
  // The matched static output of the opening: the input times the ideal gain of the first 3 s of programme (of
  // the first section at most), what a gain that knew the opening would do.
  const opening = ideal(start, Math.min(start + 3, run.sections[0][1]));
  const stat = series(run.input.map((x) => x.map((v) => v * 10 ** (opening / 20))), fs, step);
  const k1 = k0 + Math.round(1 / step) - 1;
  const wanted = (k: number): number => (match ? ref.m[k] : run.target);
  const freshError = open(k1) ? out.m[k1] - wanted(k1) : NaN;
  const freshStatic = open(k1) ? stat.m[k1] - wanted(k1) : NaN;
  const freshGain = open(k1) ? out.m[k1] - stat.m[k1] : NaN;
  const freshOracleHeard = open(k1) ? ideal(start, start + 1) - opening : NaN;
  const freshOracleWindow = open(k1) ? ideal(start + 0.6, start + 1) - opening : NaN;
  let burst = -Infinity;
  let burstStatic = -Infinity;
  let burstGain = -Infinity;
  for (let k = k0 + Math.round(0.4 / step) - 1; k < Math.min(out.m.length, k0 + Math.round(3 / step)); k++) {
    if (!open(k)) continue;
    burst = Math.max(burst, out.m[k] - wanted(k));
    burstStatic = Math.max(burstStatic, stat.m[k] - wanted(k));
    burstGain = Math.max(burstGain, out.m[k] - stat.m[k]);
  }

  // Settling against each section's ideal gain.
  const win = 0.04;
  const gains = appliedGain(run.input, output, fs, win);
  const settle: number[] = [];
  const jumpSizes: number[] = [];
  const loud = (p: Planar, a: number, b: number): number => integrated(sub(p, Math.round(a * fs), Math.round(b * fs)), fs);
  run.sections.forEach(([a, b], k) => {
    if (a === 0) return;
    const [pa, pb] = run.sections[k - 1];
    jumpSizes.push(Math.max(Math.abs(loud(run.reference, a, b) - loud(run.reference, pa, pb)), Math.abs(loud(run.input, a, b) - loud(run.input, pa, pb))));
    const idealGain = ideals[k];
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
  });
  const late = gains.slice(Math.round(8 / win)).filter((g) => !Number.isNaN(g));
  const mean = late.reduce((x, y) => x + y, 0) / Math.max(1, late.length);
  const gainStd = Math.sqrt(late.reduce((x, y) => x + (y - mean) ** 2, 0) / Math.max(1, late.length));

  // Held off by old peaks: only where the ceiling applies (target mode, or match with ceilingInMatch).
  let heldOff = 0;
  const ceilingApplies = run.ceilingOn && (!match || (run.scenario.params?.ceilingInMatch ?? 0) > 0);
  if (ceilingApplies && run.readouts.length > 0 && output === run.output) {
    const peaks = windowPeaks(run.input, fs, Math.round(win * fs));
    const back = Math.round(1.2 / win);
    let r = 0;
    for (let w = Math.round(1 / win); w < gains.length; w++) {
      if (Number.isNaN(gains[w])) continue;
      const end = (w + 1) * win * fs;
      while (r + 1 < run.readouts.length && run.readouts[r + 1].frame <= end) r++;
      const rd = run.readouts[r];
      const prev = run.readouts[Math.max(0, r - 1)];
      // G must be steady over the window (the readout is every 40 ms): a moving G is not a held gain.
      if (!Number.isFinite(rd.gain.engine) || !(Math.abs(rd.gain.engine - prev.gain.engine) <= 0.1)) continue;
      let peak = -Infinity;
      for (let v = Math.max(0, w - back); v <= w; v++) peak = Math.max(peak, peaks[v]);
      const allowed = Math.min(rd.gain.engine, run.ceiling - peak);
      heldOff = Math.max(heldOff, allowed - gains[w]);
    }
  }
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
    jumpSizes,
    start,
    freshGain,
    freshOracleHeard,
    freshOracleWindow,
    burstGain,
    freshStatic,
    burstStatic,
    heldOff,
  };
}

/**
 * The best a causal estimate of a section's level can do, for target mode's settle (issue 9): after the jump at
 * `a`, a gain of target - I(input, a .. t) (the exact integrated loudness of the section heard so far, the jump's
 * time known; from t = a + 0.4 s, a first gating block), every 40 ms, against the section's ideal gain, with the
 * settle measure of evaluate(): the time after the jump from which it stays within 1 dB for 1 s. Test support.
 */
export function causalSettle(run: Run, a: number, b: number, fs = 48000): number {
  const ia = Math.round(a * fs);
  const ideal = Math.min(run.maxBoost, Math.max(-run.maxCut, run.target - integrated(sub(run.input, ia, Math.round(b * fs)), fs)));
  const win = 0.04;
  const meter = LoudnessMeter.createSync({ sampleRate: fs, channels: run.input.length, truePeak: false });
  const ok: boolean[] = [];
  const hop = Math.round(win * fs);
  for (let i = ia; i + hop <= Math.round(b * fs); i += hop) {
    meter.push(sub(run.input, i, i + hop));
    const t = (i + hop - ia) / fs;
    const g = Math.min(run.maxBoost, Math.max(-run.maxCut, run.target - meter.result().integrated));
    ok.push(t >= 0.4 && Math.abs(g - ideal) <= 1);
  }
  const hold = Math.round(1 / win);
  for (let w = 0; w + hold <= ok.length; w++) if (ok.slice(w, w + hold).every(Boolean)) return (w + 1) * win;
  return Infinity;
}

/**
 * A yardstick for target mode on sectioned programme (the demo's example 2): the output of a gain that knows where
 * every section starts and its level exactly as heard so far. Before `delay` s into a section (0.4 s into the
 * first, a first gating block) it keeps the gain it had; from then on, per 128-frame block, it is
 * target - I(input, section start .. now), within the range. A causal law has to notice a jump before it can
 * act, so `delay` stands for how long that takes; the short-term error of the output is what the field
 * measures read on it. Test support.
 */
export function sectionOracle(run: Run, delay: number, fs = 48000): Planar {
  if (run.scenario.mode !== 'target') throw new Error('sectionOracle: target mode only');
  const q = 128;
  const len = run.input[0].length;
  const out = run.input.map(() => new Float32Array(len));
  let g = 0;
  let section = -1;
  let meter = LoudnessMeter.createSync({ sampleRate: fs, channels: run.input.length, truePeak: false });
  for (let i = 0; i < len; i += q) {
    const t = i / fs;
    const k = run.sections.findIndex(([a, b]) => t >= a && t < b);
    if (k !== section) {
      section = k;
      meter = LoudnessMeter.createSync({ sampleRate: fs, channels: run.input.length, truePeak: false });
    }
    const end = Math.min(len, i + q);
    const lin = 10 ** (g / 20);
    for (let c = 0; c < out.length; c++) for (let j = i; j < end; j++) out[c][j] = run.input[c][j] * lin;
    meter.push(sub(run.input, i, end));
    const heard = meter.result().integrated;
    if (k >= 0 && t - run.sections[k][0] >= (k === 0 ? 0.4 : delay) && Number.isFinite(heard)) {
      g = Math.min(run.maxBoost, Math.max(-run.maxCut, run.target - heard));
    }
  }
  return out;
}

/** Short-term loudness every 100 ms from `from` s on, its 5th and 95th percentiles (LUFS): how far a level swings. */
export function shortTermSpread(p: Planar, fs: number, from: number): [number, number] {
  const s = series(p, fs, 0.1).s.slice(Math.round(from / 0.1) - 1).filter(Number.isFinite).sort((a, b) => a - b);
  return [s[Math.floor(0.05 * s.length)], s[Math.floor(0.95 * s.length)]];
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
    f(m.freshGain).padStart(6),
    f(m.burstGain).padStart(6),
    f(m.truePeakOver).padStart(7),
    f(m.heldOff).padStart(5),
  ].join(' ');
}

export const HEADER = [
  'version'.padEnd(12), '<0.5LU', '  <1LU', '  mean', ' worst', '    dI', 'settle after jumps s'.padStart(20), ' M@1s', ' burst', 'gM@1s', 'gburst', 'TP-ceil', ' held',
].join(' ');

/** The row's reading aid: the jumps' sizes, the programme's start and what a perfect constant gain scores. */
export function formatNote(m: Metrics): string {
  const jumps = m.jumpSizes.length ? `jumps ${m.jumpSizes.map((j) => f(j, 1)).join('/')} LU; ` : '';
  return `${jumps}programme starts at ${f(m.start, 1)} s; the matched static output scores M@1s ${f(m.freshStatic)}, burst ${f(m.burstStatic)}`;
}
