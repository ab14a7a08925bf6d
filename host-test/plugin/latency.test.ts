/**
 * Automatic latency and delta listen through the BUILT plugin (dist/plugin) in the headless host: source ->
 * reference instance -> effect chain with latency -> match instance (autoLatency on by default). The expected
 * latency is the delay the test's own effect applies; the delta's expected signal is worked out offline from the
 * recorded reference and the same effect.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chain, compressorEffect, delayEffect, gainEffect, tiltEffect, type Effect } from '../effects.ts';
import { makeRig, quantaFor, runChain, type Planar } from './rig.ts';
import { programme, speechLike, whiteNoise } from '../../dsp/tests/signals.ts';

const table: string[] = [];
const stereo = (x: Float32Array): Planar => [x, x.slice()];
const rmsDb = (x: Float32Array, from = 0, to = x.length): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return 10 * Math.log10(s / Math.max(1, to - from) + 1e-300);
};

const auto = suite('autoLatency: the match instance lines the reference up by itself');

const cases: Array<[number, string, number, () => Effect]> = [
  [48000, 'music', 1, () => delayEffect(1)],
  [48000, 'music', 64, () => delayEffect(64)],
  [48000, 'music', 1791, () => delayEffect(1791)],
  [48000, 'speech', 24000, () => delayEffect(24000)],
  [44100, 'music', 1791, () => chain(delayEffect(1791), tiltEffect(44100, 6, 800), compressorEffect(44100))],
  [96000, 'speech', 1791, () => chain(delayEffect(1791), gainEffect(-6))],
];

for (const [fs, kind, d, make] of cases) {
  auto(`${fs} Hz ${kind}, ${make().name}: applied latency ${d} +-1 frame within 3 s`, async () => {
    const rig = await makeRig({ sampleRate: fs });
    const ref = await rig.add({ mode: 0, link: 3 });
    const match = await rig.add({ mode: 1, link: 3 });
    const src = kind === 'music' ? programme({ sampleRate: fs, seconds: 3, channels: 2 }) : stereo(speechLike(fs, 3));
    const run = await runChain(rig, src, ref, make(), match, 3, { flushEvery: 0.1 });
    const found = run.readouts.findIndex((r) => Math.abs(r.latency.appliedFrames - d) <= 1 && r.latency.source === 'detected');
    const last = run.readout!;
    assert.ok(found >= 0, `applied ${last.latency.appliedFrames}, detected ${last.latency.detectedFrames}, confidence ${last.latency.confidence}`);
    assert.ok(Math.abs(last.latency.appliedFrames - d) <= 1, `applied ${last.latency.appliedFrames} at the end`);
    assert.ok(last.latency.confidence >= 0.36 && last.latency.confidence <= 1);
    table.push(`${fs} Hz ${kind.padEnd(6)} ${make().name.padEnd(58)} applied ${last.latency.appliedFrames} after ${((found + 1) * 0.1).toFixed(1)} s, confidence ${last.latency.confidence.toFixed(2)}`);
    rig.assertClean();
    rig.host.close();
  });
}

auto('a latency that changes mid-stream (64 -> 1791 frames at 4 s) is followed within 3 s; listening to the reference, no click', async () => {
  const fs = 48000;
  const rig = await makeRig({ sampleRate: fs });
  const ref = await rig.add({ mode: 0, link: 4 });
  const match = await rig.add({ mode: 1, link: 4, listen: 1 });
  const src = programme({ sampleRate: fs, seconds: 8, channels: 2 });
  let frame = 0;
  const effect = delayEffect(() => (frame < 4 * fs ? 64 : 1791));
  const run = await runChain(rig, src, ref, { name: 'switching delay', process: (ch, n) => { effect.process(ch, n); frame += n; } }, match, 8, { flushEvery: 0.1 });
  const at = run.readouts.findIndex((r, i) => i >= 40 && Math.abs(r.latency.appliedFrames - 1791) <= 1);
  assert.ok(at >= 0, `applied ${run.readout!.latency.appliedFrames}`);
  const after = (at + 1) * 0.1 - 4;
  assert.ok(after <= 3, `followed after ${after.toFixed(2)} s`);
  assert.ok(run.readouts.slice(25, 40).every((r) => Math.abs(r.latency.appliedFrames - 64) <= 1), '64 before the switch');
  // No click: the listened reference (crossfaded between the two read positions over 20 ms) steps no more than
  // the reference itself does, plus the fade's own slope (peak * 2 / 960 per frame).
  const ch = run.reference[0];
  let refStep = 0;
  let peak = 0;
  for (let i = 1; i < ch.length; i++) {
    refStep = Math.max(refStep, Math.abs(ch[i] - ch[i - 1]));
    peak = Math.max(peak, Math.abs(ch[i]));
  }
  const out = run.output[0];
  let outStep = 0;
  for (let i = fs; i < out.length; i++) outStep = Math.max(outStep, Math.abs(out[i] - out[i - 1]));
  const gain = 10 ** (run.readout!.gain.applied / 20);
  assert.ok(outStep <= refStep * Math.max(1, gain) * 1.05 + (2 * peak) / 960, `largest step ${outStep} (reference ${refStep})`);
  table.push(`64 -> 1791 frames at 4 s: followed after ${after.toFixed(1)} s; largest output step ${outStep.toFixed(4)} vs the reference's ${refStep.toFixed(4)}`);
  rig.assertClean();
  rig.host.close();
});

auto('an uncorrelated effect (a generator replacing the input) and silence: low confidence, no latency applied', async () => {
  const fs = 48000;
  for (const [what, effect] of [
    ['noise generator', ((): Effect => {
      const n = whiteNoise(6 * fs, -20, 5);
      let pos = 0;
      return { name: 'generator', process: (ch, k) => { for (const x of ch) x.set(n.subarray(pos, pos + k)); pos += k; } };
    })()],
    ['silence', { name: 'mute', process: (ch: Float32Array[], k: number) => { for (const x of ch) x.fill(0, 0, k); } } as Effect],
  ] as const) {
    const rig = await makeRig({ sampleRate: fs });
    const ref = await rig.add({ mode: 0, link: 5 });
    const match = await rig.add({ mode: 1, link: 5 });
    const run = await runChain(rig, programme({ sampleRate: fs, seconds: 6, channels: 2 }), ref, effect, match, 6, { flushEvery: 0.2 });
    for (const r of run.readouts) {
      assert.is(r.latency.appliedFrames, 0, what);
      assert.is(r.latency.source, 'none', what);
      assert.ok(!(r.latency.confidence >= 0.36), `${what}: confidence ${r.latency.confidence}`);
    }
    rig.host.close();
  }
});

auto('autoLatency off: the manual latency rules; state carries the applied latency to a fresh instance', async () => {
  const fs = 48000;
  const rig = await makeRig({ sampleRate: fs });
  const ref = await rig.add({ mode: 0, link: 6 });
  const match = await rig.add({ mode: 1, link: 6 });
  await runChain(rig, programme({ sampleRate: fs, seconds: 3, channels: 2 }), ref, delayEffect(500), match, 3);
  assert.is(match.node.readout!.latency.appliedFrames, 500);
  const state = await match.node.getState();
  assert.ok(Math.abs(state.latencyMs - (500 * 1000) / fs) < 1e-9, `state.latencyMs ${state.latencyMs}`);
  // A bounce: a fresh host (an offline context), the state given at creation: aligned from the first quantum.
  const rig2 = await makeRig({ sampleRate: fs });
  const ref2 = await rig2.add({ mode: 0, link: 6 });
  const match2 = await rig2.add({}, state);
  const run2 = await runChain(rig2, programme({ sampleRate: fs, seconds: 0.2, channels: 2 }), ref2, delayEffect(500), match2, 0.2, { flushEvery: 0.05 });
  assert.is(run2.readouts[0].latency.appliedFrames, 500);
  assert.is(run2.readouts[0].latency.source, 'restored');
  rig2.host.close();
  // Off: the manual latency, whatever was detected.
  await rig.set(match, { autoLatency: 0, latency: 10 });
  await runChain(rig, programme({ sampleRate: fs, seconds: 0.5, channels: 2 }), ref, delayEffect(500), match, 0.5);
  assert.is(match.node.readout!.latency.appliedFrames, 480);
  assert.is(match.node.readout!.latency.source, 'manual');
  rig.assertClean();
  rig.host.close();
});

auto.after(() => console.log(`\n[latency in the plugin]\n  ${table.join('\n  ')}`));
auto.run();

const delta = suite('delta listen: matched output minus the aligned reference');

delta('delay + gain only: the delta is below -90 dBFS once the match has settled', async () => {
  const fs = 48000;
  const rig = await makeRig({ sampleRate: fs });
  const ref = await rig.add({ mode: 0, link: 7 });
  // Tolerance 0 and a fast response: the gain converges fully instead of resting inside a deadband.
  const match = await rig.add({ mode: 1, link: 7, tolerance: 0, response: 0.5, listen: 2 });
  const src = programme({ sampleRate: fs, seconds: 14, channels: 2 });
  const run = await runChain(rig, src, ref, chain(delayEffect(1791), gainEffect(-6.020599913279624)), match, 14);
  const level = Math.max(rmsDb(run.output[0], 12 * fs), rmsDb(run.output[1], 12 * fs));
  const refLevel = rmsDb(run.reference[0], 12 * fs);
  assert.ok(level < -90, `delta ${level.toFixed(1)} dBFS (reference ${refLevel.toFixed(1)} dBFS)`);
  assert.ok(run.readout!.status.listeningDelta);
  table.push(`delta, delay 1791 + gain -6 dB: ${level.toFixed(1)} dBFS RMS over 12..14 s (reference ${refLevel.toFixed(1)} dBFS)`);
  rig.assertClean();
  rig.host.close();
});

delta('delay + a known EQ: the delta equals gain x EQ(reference) - reference, worked out offline', async () => {
  const fs = 48000;
  const rig = await makeRig({ sampleRate: fs });
  const ref = await rig.add({ mode: 0, link: 8 });
  const match = await rig.add({ mode: 1, link: 8, listen: 2 });
  const src = programme({ sampleRate: fs, seconds: 10, channels: 2 });
  const d = 1791;
  // Hold the gain from 7 s on, so the expected signal has one constant gain.
  const run = await runChain(rig, src, ref, chain(delayEffect(d), tiltEffect(fs, 6, 800)), match, 10, {
    onQuantum: async (q) => {
      if (q === quantaFor(rig.host, 7)) await rig.set(match, { follow: 2 });
    },
  });
  const g = 10 ** (run.readout!.gain.applied / 20);
  // The match input, offline: the same EQ on the recorded reference (the delay only shifts it).
  const eq = run.reference.map((x) => x.slice());
  const tilt = tiltEffect(fs, 6, 800);
  for (let s = 0; s < eq[0].length; s += 128) tilt.process(eq.map((x) => x.subarray(s, s + 128)), Math.min(128, eq[0].length - s));
  const from = 8 * fs;
  let err = 0;
  let sig = 0;
  for (let c = 0; c < 2; c++) {
    for (let i = from; i < run.output[c].length; i++) {
      const want = g * eq[c][i - d] - run.reference[c][i - d];
      err += (run.output[c][i] - want) ** 2;
      sig += want * want;
    }
  }
  const rel = 10 * Math.log10(err / sig);
  assert.ok(sig > 0 && rel < -60, `delta differs from the expected difference by ${rel.toFixed(1)} dB`);
  table.push(`delta, delay + EQ tilt: equals gain x EQ - reference to ${rel.toFixed(1)} dB (gain ${run.readout!.gain.applied.toFixed(2)} dB)`);
  rig.assertClean();
  rig.host.close();
});

delta.after(() => console.log(`\n[delta listen]\n  ${table.slice(-2).join('\n  ')}`));
delta.run();
