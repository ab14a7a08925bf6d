/**
 * LevelMatch around real third-party DSP: a compressor and a look-ahead limiter from the Faust standard library
 * (co.compressor_stereo, co.limiter_lad_stereo), compiled at test time by @grame/faustwasm and run between a
 * reference and a match instance of the BUILT plugin in the headless host. The limiter delays its output by its
 * look-ahead; the match instance's `latency` parameter lines the reference up with it. Measured with the
 * library meter: integrated loudness of the match output against the reference's over the settled part.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { faustEffect } from '../faust-effects.ts';
import { makeRig, measure, runChain, steadyProgramme, type Planar } from './rig.ts';

const FS = 48000;
const SECONDS = 20;
const SETTLED = 12;
const TOLERANCE_LU = 0.3;
let prog: Planar;
const programme = (): Planar => (prog ??= steadyProgramme(FS, SECONDS + 1, 0.5));
const rows: string[] = [];

const CASES = [
  // ratio 4, threshold -30 dB, attack 5 ms, release 100 ms, no make-up: the output is several dB quieter.
  { name: 'Faust co.compressor_stereo(4, -30, 0.005, 0.1)', expression: 'co.compressor_stereo(4, -30, 0.005, 0.1)', latencyMs: 0, params: { maxBoost: 24 } },
  // 5 ms look-ahead, ceiling 0.1 (-20 dBFS), attack 0.5 ms, hold 10 ms, release 100 ms: latency 5 ms (240 frames).
  { name: 'Faust co.limiter_lad_stereo(0.005, 0.1, ...)', expression: 'co.limiter_lad_stereo(0.005, 0.1, 0.0005, 0.01, 0.1)', latencyMs: 5, params: { maxBoost: 24 } },
];

for (const c of CASES) {
  test(`${c.name}: match output integrated within ${TOLERANCE_LU} LU of the reference after ${SETTLED} s`, async () => {
    const effect = await faustEffect(c.name, c.expression, FS);
    const rig = await makeRig({ sampleRate: FS });
    const ref = await rig.add({ mode: 0, link: 3 });
    const match = await rig.add({ mode: 1, link: 3, latency: c.latencyMs, ...c.params });
    const dry = measure(programme().map((x) => x.subarray(0, SECONDS * FS)), FS, SETTLED).integrated;
    const run = await runChain(rig, programme(), ref, effect, match, SECONDS);
    const r = measure(run.reference, FS, SETTLED).integrated;
    const o = measure(run.output, FS, SETTLED).integrated;
    // What the effect alone did to the loudness, for the record: the effect on a copy of the reference.
    rows.push(`${c.name.padEnd(48)} reference ${r.toFixed(2)} LUFS, output ${o.toFixed(2)} LUFS: ${(o - r >= 0 ? '+' : '') + (o - r).toFixed(3)} LU; gain ${run.readout?.gain.applied.toFixed(2)} dB (wanted ${run.readout?.gain.wanted.toFixed(2)}${run.readout?.status.atCeiling ? ", at ceiling" : ""}; Faust ${effect.faustVersion})`);
    assert.ok(Math.abs(r - dry) < 0.01, 'the reference passes the source unchanged');
    assert.ok(run.readout?.status.linked, 'linked');
    assert.ok((run.readout?.gain.applied ?? 0) > 1, `the effect made the signal quieter and the match boosts: ${run.readout?.gain.applied}`);
    assert.ok(Math.abs(o - r) <= TOLERANCE_LU, `${c.name}: output ${o.toFixed(3)} vs reference ${r.toFixed(3)} LUFS`);
    rig.assertClean();
    rig.host.close();
  });
}

// Issue 12: the match instance finds a third-party look-ahead limiter's latency by itself (autoLatency, on by
// default). The limiter's own delay is measured first, independently: a click well below its ceiling comes out
// unchanged, later by the look-ahead.
test('Faust co.limiter_lad_stereo: autoLatency finds its look-ahead to the frame within 3 s of programme', async () => {
  const expression = 'co.limiter_lad_stereo(0.005, 0.1, 0.0005, 0.01, 0.1)';
  const probe = await faustEffect('probe', expression, FS);
  const q = 128;
  let at = -1;
  for (let i = 0; i < 40 && at < 0; i++) {
    const block = [new Float32Array(q), new Float32Array(q)];
    if (i === 2) block[0]![5] = block[1]![5] = 0.01;
    probe.process(block, q);
    for (let k = 0; k < q; k++) if (Math.abs(block[0]![k]!) > 0.005) { at = i * q + k; break; }
  }
  const trueLatency = at - (2 * q + 5);
  assert.ok(trueLatency > 0, `the limiter delays its output (${trueLatency} frames)`);
  const effect = await faustEffect('limiter', expression, FS);
  const rig = await makeRig({ sampleRate: FS });
  const ref = await rig.add({ mode: 0, link: 4 });
  const match = await rig.add({ mode: 1, link: 4, maxBoost: 24 });
  const run = await runChain(rig, programme(), ref, effect, match, 3);
  const lat = run.readout!.latency;
  rows.push(`${'Faust co.limiter_lad_stereo, autoLatency'.padEnd(48)} true latency ${trueLatency} frames; after 3 s applied ${lat.appliedFrames}, detected ${lat.detectedFrames}, confidence ${lat.confidence.toFixed(2)} (${lat.source})`);
  assert.is(lat.source, 'detected');
  assert.ok(Math.abs(lat.appliedFrames - trueLatency) <= 1, `applied ${lat.appliedFrames} vs the limiter's ${trueLatency} frames`);
  rig.assertClean();
  rig.host.close();
});

test.after(() => {
  if (rows.length > 0) console.log(`\nmatch around Faust standard-library DSP (integrated, ${SETTLED}..${SECONDS} s):\n${rows.join('\n')}`);
});

test.run();
