/**
 * The gain law in the field (issue 9), through the BUILT plugin in the headless host, measured with the library
 * meter (host-test/field/metrics.ts), on the synthesised field set (host-test/field/): music with 12 dB
 * sections and a quiet breakdown, sharp transients, a rack's gain moved by +-12 dB, a compressor with a
 * start-up overshoot and +14 dB make-up, and a fresh instance behind a +12 dB chain. `npm run evaluate` prints
 * the whole set against a plain one-pole ride.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SCENARIOS, FS, song } from '../field/scenarios.ts';
import { runScenario } from '../field/run.ts';
import { evaluate } from '../field/metrics.ts';
import { makeRig, runChain, steadyProgramme } from './rig.ts';
import { movingGain } from '../field/effects.ts';

const table: string[] = [];
const scenario = (re: RegExp) => SCENARIOS.find((s) => re.test(s.name))!;
const f = (x: number, d = 2): string => x.toFixed(d);

const target = suite('field: target mode');

target('music with 12 dB sections: mean error < 0.7 LU, within 1 LU >= 80 % after 2 s, true peak <= ceiling + 0.1 dB, fresh gain within 1 dB at 1 s', async () => {
  const run = await runScenario(scenario(/target: music/), FS);
  const m = evaluate(run, run.output, FS);
  const plain = evaluate(run, run.plain, FS);
  table.push(`target music: within 1 LU ${f(m.within1 * 100, 0)} % (one-pole ${f(plain.within1 * 100, 0)} %), mean ${f(m.meanError)} LU, worst ${f(m.worstError)}, TP - ceiling ${f(m.truePeakOver)} dB, gain error at 1 s ${f(m.freshError)} dB, settle ${m.settle.map((s) => f(s, 1)).join('/')} s`);
  assert.ok(m.meanError < 0.7, `mean ${m.meanError}`);
  assert.ok(m.within1 >= 0.8, `within 1 LU ${m.within1}`);
  assert.ok(m.within1 > plain.within1 + 0.1, 'better than a plain one-pole ride');
  assert.ok(m.truePeakOver <= 0.1, `true peak ${m.truePeakOver} dB over the ceiling`);
  assert.ok(Math.abs(m.freshError) < 1, `fresh start: gain ${m.freshError} dB off at 1 s`);
  // The two upward jumps (verse -> chorus, breakdown -> chorus) settle within 1.5 s.
  assert.ok(m.settle[0] <= 1.5 && m.settle[2] <= 1.5, `settle ${m.settle}`);
});

target('sharp transients: output true peak never above the ceiling + 0.1 dB (library meter, 4x), with no look-ahead', async () => {
  const run = await runScenario(scenario(/sharp transients/), FS);
  const m = evaluate(run, run.output, FS);
  const plain = evaluate(run, run.plain, FS);
  table.push(`target transients: TP - ceiling ${f(m.truePeakOver)} dB (one-pole ${f(plain.truePeakOver)}), within 1 LU ${f(m.within1 * 100, 0)} %`);
  assert.ok(plain.truePeakOver > 0.5, 'the programme does cross the ceiling without one');
  assert.ok(m.truePeakOver <= 0.1, `${m.truePeakOver} dB over`);
  assert.ok(m.within1 >= 0.85, `within 1 LU ${m.within1}: a peak stops limiting after its release`);
});

target.run();

const match = suite('field: match mode');

match('rack gain moved +12 / -12 dB: within 1 dB of the new gain within 1.5 s of each move; I within 0.3 LU', async () => {
  const run = await runScenario(scenario(/flat gain moved/), FS);
  const m = evaluate(run, run.output, FS);
  table.push(`match, gain moved: settle ${m.settle.map((s) => f(s, 1)).join('/')} s, I(out) - I(ref) ${f(m.integratedError)} LU, TP out ${f(m.truePeakOver)} dBTP (ceiling not applied in match mode)`);
  for (const s of m.settle) assert.ok(s <= 1.5, `settle ${m.settle}`);
  assert.ok(Math.abs(m.integratedError) <= 0.3, `I ${m.integratedError}`);
  // The chain's +12 dB pushes the input over 0 dBTP; the match still matches (no ceiling in match mode).
  assert.ok(m.truePeakOver > 0, 'output peaks where the reference does: nothing holds the match off');
});

match('compressor with start-up overshoot and +14 dB make-up: I within 0.3 LU, section jumps settle within 1.5 s, no start-up burst', async () => {
  const run = await runScenario(scenario(/overshoot/), FS);
  const m = evaluate(run, run.output, FS);
  table.push(`match, overshoot compressor: I ${f(m.integratedError)} LU, settle ${m.settle.map((s) => f(s, 1)).join('/')} s, burst ${f(m.burst)} LU, within 1 LU ${f(m.within1 * 100, 0)} %`);
  assert.ok(Math.abs(m.integratedError) <= 0.3, `I ${m.integratedError}`);
  for (const s of m.settle) assert.ok(s <= 1.5, `settle ${m.settle}`);
  assert.ok(m.burst <= 1.5, `burst ${m.burst}`);
});

match('fresh instance behind +12 dB: momentary within 1 LU of the reference at 1 s; no 400 ms window > 1.5 LU louder in the first 3 s', async () => {
  const run = await runScenario(scenario(/fresh instance/), FS);
  const m = evaluate(run, run.output, FS);
  const plain = evaluate(run, run.plain, FS);
  table.push(`match, fresh behind +12 dB: M error at 1 s ${f(m.freshError)} LU, burst ${f(m.burst)} LU (one-pole ${f(plain.burst)})`);
  assert.ok(Math.abs(m.freshError) <= 1, `at 1 s ${m.freshError}`);
  assert.ok(m.burst <= 1.5, `burst ${m.burst}`);
});

match('wam-transport: a playback start re-acquires (the estimate starts afresh); a held gain stays held', async () => {
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

match('steady programme: the gain does not breathe (standard deviation of the applied gain over 8-12 s under 0.02 dB)', async () => {
  const { compressorEffect } = await import('../effects.ts');
  const rig = await makeRig({ sampleRate: FS });
  const ref = await rig.add({ mode: 0, link: 2 });
  const m = await rig.add({ mode: 1, link: 2 });
  const run = await runChain(rig, steadyProgramme(FS, 12.2, 0.5), ref, compressorEffect(FS, -24, 4, 8), m, 12.2, { flushEvery: 0.04 });
  const g = run.readouts.filter((r) => r.frame >= 8 * FS).map((r) => r.gain.applied);
  const mean = g.reduce((a, b) => a + b, 0) / g.length;
  const sd = Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / g.length);
  table.push(`steady programme + compressor: applied gain sd over 8-12 s ${sd.toFixed(4)} dB (${g.length} readouts); no section restarts: acquiring ${run.readout!.status.acquiring}`);
  assert.ok(sd < 0.02, `sd ${sd}`);
  rig.assertClean();
  rig.host.close();
});

match.after(() => {
  console.log(`\n  measured (gain law in the field):\n    ${table.join('\n    ')}`);
});

match.run();
