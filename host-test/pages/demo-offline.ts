/**
 * Page side of the demo's offline checks (host-test/demo.browser.test.ts, issue 9): the demo's own examples,
 * built from its own classes (demo/source.ts, rack.ts, bus.ts, programme.ts) and instance states
 * (demo/instances.ts) with the built plugin, in a 48 kHz OfflineAudioContext, so a minute of the demo renders
 * in seconds and every run hears the same thing. The rack is driven through its own controls (slider input
 * events, power-button clicks) at context times reached with OfflineAudioContext.suspend(), as a visitor
 * would move them. Measured with the library meter and the field set's evaluate() (host-test/field/metrics.ts).
 *
 * The test bundles this file (esbuild) and imports it into the demo page from a blob: URL; it is not served.
 */
import { SourcePlayer, stereoBuffer, type SourceInfo } from '../../demo/source.ts';
import { EffectRack } from '../../demo/rack.ts';
import { Bus } from '../../demo/bus.ts';
import { PROGRAMME_SECONDS, SECTIONS, renderProgrammeAsync } from '../../demo/programme.ts';
import { createLevelMatch, loadLevelMatch } from '../../demo/host.ts';
import { MATCH_STATE, REFERENCE_STATE, TARGET_LUFS, TARGET_STATE } from '../../demo/instances.ts';
import { evaluate, integrated as integratedAt, sectionOracle, shortTermSpread, type Metrics } from '../field/metrics.ts';
import type { Run } from '../field/run.ts';
import type { Readout } from '../../wam/readout.ts';
import { watching } from './watching.js';

const FS = 48000;
type Planar = Float32Array[];

async function programmeSource(ctx: BaseAudioContext): Promise<SourcePlayer> {
  const p = await renderProgrammeAsync(FS);
  const player = new SourcePlayer(ctx);
  const info: SourceInfo = { kind: 'programme', name: 'Built-in programme', duration: PROGRAMME_SECONDS, hasStems: true };
  void player.play(info, { drums: stereoBuffer(p.drums, FS), music: stereoBuffer(p.music, FS) });
  return player;
}

/** Example 1's chain, as the demo builds it: programme -> reference (REFERENCE_STATE) -> EffectRack -> match (MATCH_STATE). */
async function example1(ctx: BaseAudioContext) {
  const { groupId, LevelMatch } = await loadLevelMatch(ctx);
  const player = await programmeSource(ctx);
  const rack = new EffectRack(ctx);
  const reference = await createLevelMatch(LevelMatch, groupId, ctx, REFERENCE_STATE);
  const match = await createLevelMatch(LevelMatch, groupId, ctx, MATCH_STATE);
  player.mix.connect(reference.audioNode);
  reference.audioNode.connect(rack.input);
  rack.output.connect(match.audioNode);
  return { rack, reference, match };
}

/** Records `nodes` (stereo each) on consecutive channel pairs of the context's destination. */
function record(ctx: OfflineAudioContext, nodes: AudioNode[]): void {
  const merger = new ChannelMergerNode(ctx, { numberOfInputs: 2 * nodes.length });
  nodes.forEach((n, k) => {
    const s = new ChannelSplitterNode(ctx, { numberOfOutputs: 2 });
    n.connect(s);
    s.connect(merger, 0, 2 * k);
    s.connect(merger, 1, 2 * k + 1);
  });
  merger.connect(ctx.destination);
}

const pair = (out: AudioBuffer, k: number): Planar => [out.getChannelData(2 * k), out.getChannelData(2 * k + 1)];
const span = (p: Planar, a: number, b: number): Planar => p.map((x) => x.subarray(Math.round(a * FS), Math.round(b * FS)));
const integrated = (p: Planar): number => integratedAt(p, FS);
function nonFinite(p: Planar): number {
  let n = 0;
  for (const x of p) for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) n++;
  return n;
}
/** 10 log10 of output over input energy per 40 ms window from `a` to `b` s (NaN where the input is near silent). */
function appliedGain(input: Planar, output: Planar, a: number, b: number): number[] {
  const n = Math.round(0.04 * FS);
  const g: number[] = [];
  for (let i = Math.round(a * FS); i + n <= Math.round(b * FS); i += n) {
    let ei = 0;
    let eo = 0;
    for (let c = 0; c < 2; c++) {
      for (let k = i; k < i + n; k++) {
        ei += input[c][k] * input[c][k];
        eo += output[c][k] * output[c][k];
      }
    }
    g.push(ei > 1e-7 * n ? 10 * Math.log10(eo / ei) : NaN);
  }
  return g;
}

export interface MoveResult {
  name: string;
  at: number;
  /** I(match output) - I(reference) over [at + 2 s, at + 6 s), LU. */
  error: number;
  /** The same over the first 2 s after the move (how far off it was while it moved), LU. */
  errorDuring: number;
  /** I(match output) over [at + 2 s, at + 6 s), LUFS: not silent. */
  outLoudness: number;
  /** What the rack adds there: I(match input) - I(reference), LU. */
  rackAdds: number;
  /** Seconds after the move from which the applied gain stays within 1 dB of the window's ideal gain (Infinity: never). */
  settle: number;
  /** The match instance's last readout before the next move: applied gain and what holds it. */
  applied: number;
  atRangeLimit: boolean;
  atCeiling: boolean;
}

/**
 * Example 1 driven to the rack's extremes, one at a time from the rack's defaults: programme -> reference
 * (REFERENCE_STATE) -> the demo's EffectRack -> match (MATCH_STATE). One move of the rack's controls 2 s into
 * each 8 s section of the programme (a section change is then 2 s old, and the next one 6 s away): output
 * +12 dB, -12 dB, back to 0; drive to its maximum and back; make-up to its maximum and back; each stage off and
 * on again; the output stage off and on at +12 dB. Measured over [move + 2 s, move + 6 s), the rest of the
 * section. Returns per move the loudness error after it, and the sample counts.
 */
export async function rackExtremes(): Promise<{ moves: MoveResult[]; nonFinite: number; seconds: number; readouts: number }> {
  const first = 2;
  const step = 8;
  const slider = (rack: EffectRack, id: string, v: number) => () => {
    const input = rack.element.querySelector<HTMLInputElement>(`#${id}`)!;
    input.value = String(v);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    if (Number(input.value) !== v) throw new Error(`${id} did not take ${v} (range ${input.min}..${input.max})`);
  };
  const power = (rack: EffectRack, key: string) => () => rack.element.querySelector<HTMLButtonElement>(`#rack-${key}-on`)!.click();
  const plan = (rack: EffectRack): Array<[string, () => void]> => [
    ['output +12 dB', slider(rack, 'rack-output', 12)],
    ['output -12 dB', slider(rack, 'rack-output', -12)],
    ['output 0 dB', slider(rack, 'rack-output', 0)],
    ['drive max (+30 dB)', slider(rack, 'rack-drive', 30)],
    ['drive back to +12 dB', slider(rack, 'rack-drive', 12)],
    ['make-up max (+24 dB)', slider(rack, 'rack-makeup', 24)],
    ['make-up back to +4 dB', slider(rack, 'rack-makeup', 4)],
    ['drive off', power(rack, 'drive')],
    ['drive on', power(rack, 'drive')],
    ['compressor off', power(rack, 'compressor')],
    ['compressor on', power(rack, 'compressor')],
    ['tilt off', power(rack, 'tilt')],
    ['tilt on', power(rack, 'tilt')],
    ['output +12 dB', slider(rack, 'rack-output', 12)],
    ['output stage off (at +12 dB)', power(rack, 'output')],
    ['output stage on (at +12 dB)', power(rack, 'output')],
    ['output 0 dB', slider(rack, 'rack-output', 0)],
  ];
  // The plan's length is fixed: a context of the right length needs it before the rack exists.
  const count = 17;
  const seconds = first + count * step;
  const ctx = new OfflineAudioContext({ numberOfChannels: 6, length: seconds * FS, sampleRate: FS });
  const { rack, reference, match } = await example1(ctx);
  const moves = plan(rack);
  if (moves.length !== count) throw new Error(`plan has ${moves.length} moves`);
  record(ctx, [reference.audioNode, rack.output, match.audioNode]);
  const readouts: Readout[] = [];
  match.audioNode.addEventListener('readout', (e) => readouts.push((e as CustomEvent<Readout>).detail));
  await watching(match.audioNode);
  moves.forEach(([, act], k) => {
    const at = first + k * step;
    void ctx.suspend(at).then(() => {
      act();
      void ctx.resume();
    });
  });
  const out = await ctx.startRendering();
  await new Promise((r) => setTimeout(r, 200)); // readouts posted during the render arrive afterwards
  reference.audioNode.destroy();
  match.audioNode.destroy();
  const ref = pair(out, 0);
  const inp = pair(out, 1);
  const res = pair(out, 2);
  const results = moves.map(([name], k): MoveResult => {
    const at = first + k * step;
    const a = at + 2;
    const b = at + 6;
    const idealGain = integrated(span(ref, a, b)) - integrated(span(inp, a, b));
    const g = appliedGain(inp, res, at, b);
    let settle = Infinity;
    for (let w = 0; w < g.length; w++) {
      if (g.slice(w).every((x) => Number.isNaN(x) || Math.abs(x - idealGain) <= 1)) {
        settle = w * 0.04;
        break;
      }
    }
    let last: Readout | null = null;
    for (const r of readouts) if (r.frame < b * FS) last = r;
    return {
      name, at,
      error: integrated(span(res, a, b)) - integrated(span(ref, a, b)),
      errorDuring: integrated(span(res, at, a)) - integrated(span(ref, at, a)),
      outLoudness: integrated(span(res, a, b)),
      rackAdds: integrated(span(inp, a, b)) - integrated(span(ref, a, b)),
      settle,
      applied: last?.gain.applied ?? NaN,
      atRangeLimit: last?.status.atRangeLimit ?? false,
      atCeiling: last?.status.atCeiling ?? false,
    };
  });
  return { moves: results, nonFinite: nonFinite(res), seconds, readouts: readouts.length };
}

/**
 * Example 1 at the rack's defaults for the verse's first 8 s (a steady 1 s pattern): the match instance's applied
 * gain from every readout between `from` and `to` s, dB, and the sample count of non-finite output.
 */
export async function verseGain({ from = 5, to = 7.5 } = {}): Promise<{ gains: number[]; nonFinite: number }> {
  const seconds = 8;
  const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: seconds * FS, sampleRate: FS });
  const { reference, match } = await example1(ctx);
  match.audioNode.connect(ctx.destination);
  const gains: number[] = [];
  match.audioNode.addEventListener('readout', (e) => {
    const r = (e as CustomEvent<Readout>).detail;
    if (r.frame >= from * FS && r.frame <= to * FS) gains.push(r.gain.applied);
  });
  await watching(match.audioNode);
  const out = await ctx.startRendering();
  await new Promise((r) => setTimeout(r, 200)); // readouts posted during the render arrive afterwards
  reference.audioNode.destroy();
  match.audioNode.destroy();
  return { gains, nonFinite: nonFinite(pair(out, 0)) };
}

/**
 * Example 2: the programme's stems -> the demo's Bus (its defaults: level -6 dB, drums on; `ride` presses "Ride
 * the fader") -> target instance (TARGET_STATE), for `seconds`. Measured by the field set's evaluate() in
 * target mode against TARGET_LUFS, with the loop's sections as its sections.
 */
export interface BusLoop {
  metrics: Metrics;
  /** The yardstick (field/metrics.ts sectionOracle): a gain that knows each section's start and level, acting 0.4 s and 1 s into it. */
  oracle: { early: Metrics; late: Metrics };
  /** Short-term loudness from 4 s on, 5th and 95th percentiles (LUFS): of the bus (the instance's input) and of the output. */
  inputSpread: [number, number];
  outputSpread: [number, number];
  /** The jumps' times, and the length of the render (s). */
  jumps: number[];
  seconds: number;
  nonFinite: number;
  target: number;
  ceiling: number;
  sectionSeconds: number;
}
export async function busLoop({ seconds = 34, ride = false } = {}): Promise<BusLoop> {
  const ctx = new OfflineAudioContext({ numberOfChannels: 4, length: seconds * FS, sampleRate: FS });
  const { groupId, LevelMatch } = await loadLevelMatch(ctx);
  const player = await programmeSource(ctx);
  const bus = new Bus(ctx);
  player.drums.connect(bus.drumsIn);
  player.music.connect(bus.musicIn);
  const target = await createLevelMatch(LevelMatch, groupId, ctx, TARGET_STATE);
  bus.output.connect(target.audioNode);
  record(ctx, [bus.output, target.audioNode]);
  if (ride) bus.element.querySelector<HTMLButtonElement>('#bus-ride')!.click();
  const out = await ctx.startRendering();
  const pv = await target.audioNode.getParameterValues(false);
  target.audioNode.destroy();
  const input = pair(out, 0);
  const output = pair(out, 1);
  const sections: Array<[number, number]> = [];
  for (let t0 = 0; t0 < seconds; t0 += PROGRAMME_SECONDS) {
    for (const s of SECTIONS) if (t0 + s.start < seconds) sections.push([t0 + s.start, Math.min(seconds, t0 + s.end)]);
  }
  const run = {
    scenario: { mode: 'target' }, reference: input, input, sections, jumps: sections.slice(1).map((s) => s[0]),
    target: pv.target.value, ceiling: pv.ceiling.value, maxBoost: pv.maxBoost.value, maxCut: pv.maxCut.value,
  } as unknown as Run;
  if (run.target !== TARGET_LUFS) throw new Error(`target ${run.target}`);
  return {
    metrics: evaluate(run, output, FS),
    oracle: { early: evaluate(run, sectionOracle(run, 0.4, FS), FS), late: evaluate(run, sectionOracle(run, 1, FS), FS) },
    inputSpread: shortTermSpread(input, FS, 4), outputSpread: shortTermSpread(output, FS, 4), jumps: run.jumps, seconds,
    nonFinite: nonFinite(output), target: run.target, ceiling: run.ceiling,
    sectionSeconds: Math.min(...SECTIONS.map((s) => s.end - s.start)),
  };
}
