/**
 * Runs a field scenario (programme -> [reference instance] -> effect -> LevelMatch) in the headless host, and,
 * for comparison, a plain one-pole ride of the same detector (short-term loudness, the library meter) on the
 * same recorded input: W = reference S - input S (or target - input S), clamped to the range, held below the
 * gate, G += (W - G)(1 - e^(-T/tau)) per quantum with tau = response / 3; no deadband, no ceiling. Test support.
 */
import { LoudnessMeter } from '../../lib/index.ts';
import { makeRig, type Params, type Plugin } from '../plugin/rig.ts';
import type { Effect } from './effects.ts';
import type { Planar, Programme } from './programmes.ts';

export interface Scenario {
  readonly name: string;
  readonly mode: 'match' | 'target';
  readonly programme: () => Programme;
  readonly effect?: () => Effect;
  /** Match instance parameters beyond the defaults (mode and link are set by the runner). */
  readonly params?: Params;
  /** Times (s) where the effect moves the level (added to the programme's own jumps). */
  readonly moves?: number[];
}

export interface Run {
  scenario: Scenario;
  /** What the reference instance passed (match) or the programme (target). */
  reference: Planar;
  /** The match instance's input (after the effect). */
  input: Planar;
  output: Planar;
  /** The one-pole ride's output on the same input. */
  plain: Planar;
  jumps: number[];
  sections: Array<[number, number]>;
  /** Parameter values the scenario ran with (defaults filled in). */
  target: number;
  ceiling: number;
  ceilingOn: boolean;
  maxBoost: number;
  maxCut: number;
  /** Readouts every 40 ms (the plugin's own view). */
  readouts: Array<import('../../wam/readout.ts').Readout>;
}

const copy = (p: Planar): Planar => p.map((x) => Float32Array.from(x));

export async function runScenario(s: Scenario, fs = 48000): Promise<Run> {
  const prog = s.programme();
  const rig = await makeRig({ sampleRate: fs });
  const q = rig.host.quantum;
  const params = { ...(s.params ?? {}) };
  const ref: Plugin | null = s.mode === 'match' ? await rig.add({ mode: 0, link: 9 }) : null;
  const match = await rig.add({ mode: s.mode === 'match' ? 1 : 3, link: 9, ...params });
  const pv = await match.node.getParameterValues(false);
  const val = (id: string): number => pv[id].value;
  const effect = s.effect ? s.effect() : null;
  const n = Math.floor(prog.audio[0].length / q);
  const len = n * q;
  const chs = prog.audio.length;
  const refRec = Array.from({ length: chs }, () => new Float32Array(len));
  const inRec = Array.from({ length: chs }, () => new Float32Array(len));
  const outRec = Array.from({ length: chs }, () => new Float32Array(len));
  const readouts: Run['readouts'] = [];
  const every = Math.round((0.04 * fs) / q);
  for (let i = 0; i < n; i++) {
    let block: Planar = prog.audio.map((x) => x.slice(i * q, (i + 1) * q));
    if (ref) block = copy(ref.inst.process([block]));
    block.forEach((x, c) => refRec[c].set(x, i * q));
    if (effect) effect.process(block, q);
    block.forEach((x, c) => inRec[c].set(x, i * q));
    const out = match.inst.process([block]);
    out.forEach((x, c) => outRec[c].set(x, i * q));
    rig.host.advance();
    if ((i + 1) % every === 0) {
      await rig.host.flush();
      if (match.node.readout) readouts.push(match.node.readout);
    }
  }
  await rig.host.flush();
  rig.assertClean();
  rig.host.close();
  const jumps = [...new Set([...prog.jumps, ...(s.moves ?? [])])].sort((a, b) => a - b);
  const bounds = [0, ...jumps, len / fs];
  const sections: Array<[number, number]> = [];
  for (let k = 0; k + 1 < bounds.length; k++) sections.push([bounds[k], bounds[k + 1]]);
  const run: Run = {
    scenario: s, reference: refRec, input: inRec, output: outRec, plain: [], jumps, sections,
    target: val('target'), ceiling: val('ceiling'), ceilingOn: val('ceilingOn') > 0, maxBoost: val('maxBoost'), maxCut: val('maxCut'), readouts,
  };
  run.plain = plainRide(run, fs, q, val('response'), val('gate'), val('offset'));
  return run;
}

/** The comparison: a one-pole on the short-term wanted gain, per quantum, no deadband, no ceiling, no slew. */
export function plainRide(run: Run, fs: number, q: number, response: number, gate: number, offset: number): Planar {
  const match = run.scenario.mode === 'match';
  const inM = LoudnessMeter.createSync({ sampleRate: fs, channels: run.input.length, truePeak: false });
  const refM = match ? LoudnessMeter.createSync({ sampleRate: fs, channels: run.reference.length, truePeak: false }) : null;
  const len = run.input[0].length;
  const out = run.input.map(() => new Float32Array(len));
  const a = 1 - Math.exp(-q / ((response / 3) * fs));
  let g = 0;
  for (let i = 0; i < len; i += q) {
    const gl = 10 ** (g / 20);
    for (let c = 0; c < out.length; c++) for (let k = 0; k < q; k++) out[c][i + k] = run.input[c][i + k] * gl;
    inM.push(run.input.map((x) => x.subarray(i, i + q)));
    refM?.push(run.reference.map((x) => x.subarray(i, i + q)));
    const ri = inM.result();
    const rr = refM?.result();
    const open = ri.momentary >= gate && (!rr || rr.momentary >= gate);
    if (!open) continue;
    let w = (rr ? rr.shortTerm : run.target) - ri.shortTerm + offset;
    if (!Number.isFinite(w)) continue;
    w = Math.min(run.maxBoost, Math.max(-run.maxCut, w));
    g += (w - g) * a;
  }
  return out;
}
