/**
 * The gain law in the field (issue 9), through the BUILT plugin in the headless host, measured with the library
 * meter (host-test/field/metrics.ts), on the whole synthesised field set (host-test/field/scenarios.ts): music
 * with 12 dB sections and a quiet breakdown, speech with pauses, sharp transients; a rack's gain moved by
 * +-12 dB, a compressor whose transients pass, one with a start-up overshoot and +14 dB make-up, saturation,
 * EQ, speech through a compressor and EQ, and a fresh instance behind a +12 dB chain. Every goal of the issue
 * is asserted on every scenario it applies to; `npm run evaluate` prints the whole table against a plain
 * one-pole ride.
 *
 * Where a scenario misses a goal today, SHORTFALLS names it, with the measured value as a bound that keeps it
 * from getting worse; the test prints every shortfall with its goal. They are not met goals.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SCENARIOS, FS, song } from '../field/scenarios.ts';
import { runScenario, type Run, type Scenario } from '../field/run.ts';
import { causalSettle, evaluate, type Metrics } from '../field/metrics.ts';
import { makeRig, runChain, steadyProgramme } from './rig.ts';
import { movingGain } from '../field/effects.ts';
import { BURST_LU, FRESH_LU, hasLongSections, rawBurstHeld, rawFreshHeld } from '../field/scope.ts';

const table: string[] = [];
const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));

interface Result {
  scenario: Scenario;
  m: Metrics;
  plain: Metrics;
}
const results: Result[] = [];
/** Target-mode runs, kept for the causal-settle comparison. */
const runs = new Map<Scenario, Run>();

/**
 * Goals not met today: scenario (name pattern), goal, and the bound asserted instead (today's value with a small
 * margin, so a regression fails). Each is explained in the README's field section.
 */
interface Shortfall {
  scenario: RegExp;
  goal: string;
  bound: number;
  /** For settle: which jump (index into Metrics.settle). */
  jump?: number;
}
const SHORTFALLS: Shortfall[] = [
  // The breakdown's pad swells with a 4 s period (its first 2 s are 1.5-2.6 LU under its mean): the exact mean of the
  // section heard so far settles no sooner (causalSettle, asserted below: about 2.7 s).
  { scenario: /target: music/, goal: 'settle', jump: 1, bound: 2.8 },
];
const shortfall = (s: Scenario, goal: string, jump?: number): Shortfall | undefined =>
  SHORTFALLS.find((x) => x.scenario.test(s.name) && x.goal === goal && (jump === undefined || x.jump === jump));
const notes: string[] = [];

/** Asserts `value <= limit` (the goal) unless a shortfall is listed for it, then `value <= bound`. */
function atMost(s: Scenario, goal: string, value: number, limit: number, jump?: number): void {
  const short = shortfall(s, goal, jump);
  // A listed shortfall that is met is a stale entry: the list must say what is not done, no more.
  if (short) assert.ok(value > limit, `${s.name}: ${goal} ${value} meets the goal ${limit}: remove its SHORTFALLS entry`);
  if (short) {
    notes.push(`NOT MET: ${s.name}: ${goal}${jump !== undefined ? ` (jump ${jump + 1})` : ''} ${f(value)} (goal ${limit}, held at <= ${short.bound})`);
    assert.ok(value <= short.bound, `${s.name}: ${goal} ${value} (regressed past ${short.bound})`);
    return;
  }
  assert.ok(value <= limit, `${s.name}: ${goal} ${value} (goal <= ${limit})`);
}

const goals = suite('field: every goal on every scenario');

goals.before(async () => {
  for (const scenario of SCENARIOS) {
    const run = await runScenario(scenario, FS);
    results.push({ scenario, m: evaluate(run, run.output, FS), plain: evaluate(run, run.plain, FS) });
    if (scenario.mode === 'target') runs.set(scenario, run);
  }
});

const target = () => results.filter((r) => r.scenario.mode === 'target');
const match = () => results.filter((r) => r.scenario.mode === 'match');
/** Sections of 15 s or more (the issue's target-mode case, host-test/field/scope.ts). */
const longSections = (r: Result) => hasLongSections(r.scenario.name);

goals('target mode, sections >= 15 s: within 1 LU (short-term) >= 85 % after 2 s, mean error < 0.7 LU, better than a one-pole', () => {
  const rs = target().filter(longSections);
  assert.ok(rs.length >= 2);
  for (const { scenario, m, plain } of rs) {
    table.push(`${scenario.name}: within 1 LU ${f(m.within1 * 100, 0)} % (one-pole ${f(plain.within1 * 100, 0)} %), mean ${f(m.meanError)} LU`);
    const short = shortfall(scenario, 'within 1 LU');
    if (short) {
      notes.push(`NOT MET: ${scenario.name}: within 1 LU ${f(m.within1 * 100, 1)} % (goal 85 %, held at >= ${short.bound * 100} %)`);
      assert.ok(m.within1 >= short.bound, `${scenario.name}: within 1 LU ${m.within1}`);
    } else {
      assert.ok(m.within1 >= 0.85, `${scenario.name}: within 1 LU ${m.within1}`);
    }
    assert.ok(m.meanError < 0.7, `${scenario.name}: mean ${m.meanError}`);
    assert.ok(m.within1 >= plain.within1, `${scenario.name}: not better than a plain one-pole`);
  }
});

goals('target mode: speech is not ridden up by its pauses (I(out) - target within 0.3 LU); reported: within 1 LU', () => {
  for (const { scenario, m, plain } of target().filter((r) => !longSections(r))) {
    table.push(`${scenario.name}: I(out) - target ${f(m.integratedError)} LU (one-pole ${f(plain.integratedError)}), within 1 LU (S) ${f(m.within1 * 100, 0)} %, mean ${f(m.meanError)} LU`);
    assert.ok(Math.abs(m.integratedError) <= 0.3, `${scenario.name}: I ${m.integratedError}`);
  }
});

goals('target mode: output true peak never above the ceiling + 0.1 dB (library meter, 4x), with no look-ahead', () => {
  for (const { scenario, m, plain } of target()) {
    table.push(`${scenario.name}: TP - ceiling ${f(m.truePeakOver)} dB (one-pole ${f(plain.truePeakOver)})`);
    assert.ok(m.truePeakOver <= 0.1, `${scenario.name}: ${m.truePeakOver} dB over`);
  }
  assert.ok(target().some((r) => r.plain.truePeakOver > 0.5), 'some programme crosses the ceiling without one');
});

goals('ceiling: the gain is never held off by more than 1 dB by a peak older than the release (1.1 s)', () => {
  for (const { scenario, m } of target()) {
    table.push(`${scenario.name}: held off by old peaks ${f(m.heldOff)} dB`);
    assert.ok(m.heldOff <= 1, `${scenario.name}: held off ${m.heldOff} dB`);
  }
});

goals('match mode: integrated output within 0.3 LU of the reference over each scenario', () => {
  for (const { scenario, m, plain } of match()) {
    table.push(`${scenario.name}: I(out) - I(ref) ${f(m.integratedError)} LU (one-pole ${f(plain.integratedError)})`);
    atMost(scenario, 'integrated', Math.abs(m.integratedError), 0.3);
  }
});

goals('every jump of 10 LU or more (programme or rack move): within 1 dB of the section\'s ideal gain within 1.5 s', () => {
  let jumps = 0;
  for (const { scenario, m } of results) {
    m.settle.forEach((t, k) => {
      if (m.jumpSizes[k] < 10) return;
      jumps++;
      atMost(scenario, 'settle', t, 1.5, k);
    });
    if (m.settle.length) table.push(`${scenario.name}: settle ${m.settle.map((t) => f(t, 1)).join('/')} s after jumps of ${m.jumpSizes.map((j) => f(j, 1)).join('/')} LU`);
  }
  assert.ok(jumps >= 15, `${jumps} jumps`);
});

goals('target mode: where a jump does not settle within 1.5 s, the best causal estimate (the exact mean of the section heard so far) does not either, and the gain law settles within 0.2 s of it', () => {
  for (const { scenario, m } of target()) {
    const run = runs.get(scenario)!;
    m.settle.forEach((t, k) => {
      if (m.jumpSizes[k] < 10 || t <= 1.5) return;
      const [a, b] = run.sections[k + 1];
      const best = causalSettle(run, a, b, FS);
      table.push(`${scenario.name}: jump ${k + 1} at ${a} s settles in ${f(t)} s; the exact mean of the section heard so far in ${f(best)} s`);
      assert.ok(best > 1.5, `${scenario.name}: jump ${k + 1}: a causal mean settles in ${best} s, the law in ${t} s`);
      assert.ok(t <= best + 0.2, `${scenario.name}: jump ${k + 1}: the law ${t} s, a causal mean ${best} s`);
    });
  }
});

goals('fresh start, every scenario: 1 s after the programme starts, within 1 LU (momentary) of the matched opening; of the reference or target where a constant gain is', () => {
  for (const { scenario, m } of results) {
    table.push(`${scenario.name}: start ${f(m.start, 1)} s, M error at 1 s ${f(m.freshError)} LU (a constant gain ${f(m.freshStatic)}), against the matched opening ${f(m.freshGain)}`);
    atMost(scenario, 'fresh gain', Math.abs(m.freshGain), FRESH_LU);
    if (rawFreshHeld(m)) atMost(scenario, 'fresh', Math.abs(m.freshError), FRESH_LU);
    else if (Math.abs(m.freshError) > FRESH_LU) notes.push(`raw, not asserted: ${scenario.name}: M error at 1 s ${f(m.freshError)} LU, where a constant gain scores ${f(m.freshStatic)}`);
  }
});

goals('match mode: no start-up burst: no 400 ms window of the first 3 s > 1.5 LU louder than the matched opening; than the reference where a constant gain is not', () => {
  for (const { scenario, m, plain } of match()) {
    table.push(`${scenario.name}: burst ${f(m.burst)} LU (one-pole ${f(plain.burst)}, a constant gain ${f(m.burstStatic)}), against the matched opening ${f(m.burstGain)}`);
    atMost(scenario, 'burst gain', m.burstGain, BURST_LU);
    if (rawBurstHeld(m)) atMost(scenario, 'burst', m.burst, BURST_LU);
    else if (m.burst > BURST_LU) notes.push(`raw, not asserted: ${scenario.name}: burst ${f(m.burst)} LU, where a constant gain scores ${f(m.burstStatic)}`);
  }
});

let printed = 0;
goals.after(() => {
  printed = table.length;
  console.log(`\n  measured (gain law in the field, every scenario):\n    ${table.join('\n    ')}`);
  if (notes.length) console.log(`\n  goals not met (bounded against regression) and raw figures not asserted:\n    ${notes.join('\n    ')}`);
});

goals.run();

const rest = suite('field: transport and steady programme');

rest('wam-transport: a playback start re-acquires (the estimate starts afresh); a held gain stays held', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const ref = await rig.add({ mode: 0, link: 3 });
  const m = await rig.add({ mode: 1, link: 3 });
  const src = song().audio;
  const first = await runChain(rig, src, ref, movingGain(FS, [], -6), m, 5);
  assert.ok(first.readout!.estimateSeconds > 4.5, `estimate ${first.readout!.estimateSeconds} s`);
  const t = rig.host.currentTime;
  const play = { type: 'wam-transport', time: t, data: { currentBar: 0, currentBarStarted: t, tempo: 120, timeSigNumerator: 4, timeSigDenominator: 4, playing: true } };
  m.node.scheduleEvents(play);
  await rig.host.flush();
  const after = await runChain(rig, src.map((x) => x.subarray(5 * FS)), ref, movingGain(FS, [], -6), m, 0.5);
  table.push(`transport start: estimate ${f(first.readout!.estimateSeconds, 1)} s before, ${f(after.readout!.estimateSeconds, 2)} s 0.5 s after; gain ${f(after.readout!.gain.engine)} dB`);
  assert.ok(after.readout!.estimateSeconds < 0.6, `estimate ${after.readout!.estimateSeconds} s after the start`);
  assert.ok(Math.abs(after.readout!.gain.engine - 6) < 0.3, `still matched: ${after.readout!.gain.engine}`);
  // Held: a transport start leaves the gain alone.
  await rig.set(m, { follow: 2 });
  const settled = await runChain(rig, src.map((x) => x.subarray(5 * FS)), ref, movingGain(FS, [], -6), m, 0.2);
  const held = settled.readout!.gain.engine;
  m.node.scheduleEvents({ ...play, time: rig.host.currentTime, data: { ...play.data, currentBar: 40 } });
  await rig.host.flush();
  const later = await runChain(rig, src.map((x) => x.subarray(6 * FS)), ref, movingGain(FS, [], 0), m, 1);
  assert.is(later.readout!.gain.engine, held, 'held');
  rig.assertClean();
  rig.host.close();
});

rest('steady programme: the gain does not breathe (applied gain over 6-12 s: standard deviation under 0.02 dB, range under 0.1 dB), through a compressor and through an 8 dB tilt', async () => {
  const { compressorEffect, tiltEffect } = await import('../effects.ts');
  // The tilt moves the momentary difference of this 1 s pattern by about 3 dB every second: a fixed 3 dB section
  // band restarted the estimate every 4 s and the gain dipped by 2.3 dB each time.
  for (const [name, effect] of [['compressor', () => compressorEffect(FS, -24, 4, 8)], ['tilt 8 dB at 700 Hz', () => tiltEffect(FS, 8, 700)]] as const) {
    const rig = await makeRig({ sampleRate: FS });
    const ref = await rig.add({ mode: 0, link: 2 });
    const m = await rig.add({ mode: 1, link: 2 });
    const run = await runChain(rig, steadyProgramme(FS, 12.2, 0.5), ref, effect(), m, 12.2, { flushEvery: 0.04 });
    const g = run.readouts.filter((r) => r.frame >= 6 * FS).map((r) => r.gain.applied);
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    const sd = Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / g.length);
    const range = Math.max(...g) - Math.min(...g);
    table.push(`steady programme + ${name}: applied gain sd over 6-12 s ${sd.toFixed(4)} dB, range ${range.toFixed(3)} dB (${g.length} readouts); acquiring at the end: ${run.readout!.status.acquiring}`);
    assert.ok(sd < 0.02, `${name}: sd ${sd}`);
    assert.ok(range < 0.1, `${name}: range ${range}`);
    assert.not.ok(run.readout!.status.acquiring, `${name}: still acquiring (a section restart) at 12 s`);
    rig.assertClean();
    rig.host.close();
  }
});

rest.after(() => {
  console.log(`\n  measured (transport, steady programme):\n    ${table.slice(printed).join('\n    ')}`);
});

rest.run();
