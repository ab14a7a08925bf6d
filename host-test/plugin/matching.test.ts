/**
 * What the plugin must reach, run through the BUILT dist/plugin in the headless host, measured with the library
 * meter (independent of the plugin's readouts):
 * - continuous + short-term (the defaults): within 0.2 LU of the reference after 8 s of steady programme, for
 *   effect gain changes of -20..+20 dB, compression, saturation and EQ tilt;
 * - learn + integrated: within 0.1 LU after 20 s;
 * - target: within 0.5 LU of the target after 10 s for inputs from -40 to -6 LUFS; 10 s of -80 LUFS noise
 *   raises the gain by less than 1 dB;
 * - the other detectors (momentary, integrated, rms) match too, each by its own measure.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chain, compressorEffect, gainEffect, saturationEffect, tiltEffect, type Effect } from '../effects.ts';
import { makeRig, measure, noise, runChain, shortTermAt, steadyProgramme, type Planar } from './rig.ts';

const FS = 48000;
const table: string[] = [];
const note = (s: string): void => {
  table.push(s);
};

let programme16: Planar;
// Level 0.5: peaks near -12 dBFS, the headroom a mix bus has; the effects then boost without clipping, so the
// true-peak ceiling (0 dBTP by default) does not limit the matching gain (it is tested on its own).
const source = (): Planar => (programme16 ??= steadyProgramme(FS, 22, 0.5));

// ---------------------------------------------------------------------------------------------------------------
const cont = suite('continuous + short-term');

const effects: Array<[string, () => Effect, Record<string, number>]> = [
  ['gain -20 dB', () => gainEffect(-20), { maxBoost: 24 }],
  ['gain -10 dB', () => gainEffect(-10), {}],
  ['gain +10 dB', () => gainEffect(10), {}],
  ['gain +20 dB', () => gainEffect(20), {}],
  ['compressor', () => compressorEffect(FS, -24, 4, 8), {}],
  ['saturation', () => saturationEffect(14, -2), {}],
  ['EQ tilt', () => tiltEffect(FS, 8, 700), {}],
  ['comp + saturation + tilt', () => chain(compressorEffect(FS, -20, 3, 4), saturationEffect(8, 0), tiltEffect(FS, 4)), {}],
];

for (const [name, make, params] of effects) {
  cont(`${name}: output S within 0.2 LU of the reference S at 8, 10 and 12 s`, async () => {
    const rig = await makeRig({ sampleRate: FS });
    const ref = await rig.add({ mode: 0, link: 2 });
    const match = await rig.add({ mode: 1, link: 2, ...params });
    const run = await runChain(rig, source(), ref, make(), match, 12.2);
    const times = [8, 10, 12];
    const r = shortTermAt(run.reference, FS, times);
    const o = shortTermAt(run.output, FS, times);
    const diffs = times.map((_, k) => o[k] - r[k]);
    note(`${name.padEnd(26)} S(out) - S(ref) at 8/10/12 s: ${diffs.map((d) => d.toFixed(3)).join(' / ')} LU; gain ${run.readout?.gain.applied.toFixed(2)} dB${run.readout?.status.atCeiling ? ' (at ceiling)' : ''}`);
    for (const [k, d] of diffs.entries()) assert.ok(Math.abs(d) <= 0.2, `${name} at ${times[k]} s: ${d.toFixed(3)} LU`);
    assert.ok(run.readout?.status.linked, 'linked');
    rig.assertClean();
    rig.host.close();
  });
}

cont('the same with the two instances processed in the other order (match first: one quantum of skew)', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const ref = await rig.add({ mode: 0, link: 5 });
  const match = await rig.add({ mode: 1, link: 5 });
  const src = source();
  const g = 10 ** (-8 / 20);
  const q = rig.host.quantum;
  const n = Math.round((10 * FS) / q);
  const outL = new Float32Array(n * q);
  const refL = new Float32Array(n * q);
  for (let i = 0; i < n; i++) {
    const block = src.map((x) => x.slice(i * q, (i + 1) * q));
    const processed = block.map((x) => x.map((v) => v * g));
    const out = match.inst.process([processed]); // before the reference in this quantum
    outL.set(out[0], i * q);
    const r = ref.inst.process([block]);
    refL.set(r[0], i * q);
    rig.host.advance();
    if (i % 100 === 0) await rig.host.flush();
  }
  await rig.host.flush();
  const rr = shortTermAt([refL], FS, [9.9])[0];
  const oo = shortTermAt([outL], FS, [9.9])[0];
  note(`unconnected order (match first)     S(out) - S(ref) at 9.9 s: ${(oo - rr).toFixed(3)} LU`);
  assert.ok(Math.abs(oo - rr) <= 0.2, `${(oo - rr).toFixed(3)} LU`);
  assert.ok(match.node.readout!.status.linked);
  rig.assertClean();
  rig.host.close();
});

cont.run();

// ---------------------------------------------------------------------------------------------------------------
const det = suite('other detectors and learn');

det('learn + integrated: integrated loudness of the output within 0.1 LU of the reference after 20 s (compressor)', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const ref = await rig.add({ mode: 0, link: 3 });
  const match = await rig.add({ mode: 1, link: 3, follow: 1, detector: 2 });
  const run = await runChain(rig, source(), ref, compressorEffect(FS, -26, 5, 10), match, 20.5);
  // Integrated over the last 10 s, once learning has settled: the gain is a constant there.
  const ri = measure(run.reference, FS, 10).integrated;
  const oi = measure(run.output, FS, 10).integrated;
  note(`learn + integrated, compressor     I(out) - I(ref) over 10-20 s: ${(oi - ri).toFixed(3)} LU; learned ${run.readout?.gain.engine.toFixed(2)} dB after ${run.readout?.learnSeconds.toFixed(1)} s`);
  assert.ok(Math.abs(oi - ri) <= 0.1, `${(oi - ri).toFixed(3)} LU`);
  assert.ok(run.readout!.status.learning, 'status learning');
  assert.ok(run.readout!.learnSeconds > 19, `learnSeconds ${run.readout!.learnSeconds}`);
  rig.assertClean();
  rig.host.close();
});

for (const [detector, name] of [[0, 'momentary'], [2, 'integrated'], [3, 'rms']] as const) {
  det(`continuous + ${name}: a -9 dB effect is matched (integrated loudness of 6-12 s within 0.2 LU)`, async () => {
    const rig = await makeRig({ sampleRate: FS });
    const ref = await rig.add({ mode: 0, link: 4 });
    const match = await rig.add({ mode: 1, link: 4, detector });
    const run = await runChain(rig, source(), ref, gainEffect(-9), match, 12);
    const ri = measure(run.reference.map((x) => x.subarray(6 * FS)), FS).integrated;
    const oi = measure(run.output.map((x) => x.subarray(6 * FS)), FS).integrated;
    note(`continuous + ${name.padEnd(10)} -9 dB effect: I(out) - I(ref) 6-12 s: ${(oi - ri).toFixed(3)} LU`);
    assert.ok(Math.abs(oi - ri) <= 0.2, `${(oi - ri).toFixed(3)} LU`);
    rig.assertClean();
    rig.host.close();
  });
}

det('rms detector is unweighted: a 50 Hz reference vs a 1 kHz input of equal RMS needs no gain (short-term would)', async () => {
  // K-weighting (BS.1770 Annex 1) is about -1.3 dB at 50 Hz and +0.7 dB at 1 kHz relative to flat, so a
  // short-term detector sees the two sines about 2 dB apart while the unweighted rms detector sees them equal.
  const rig = await makeRig({ sampleRate: FS });
  const ref = await rig.add({ mode: 0, link: 6 });
  const match = await rig.add({ mode: 1, link: 6, detector: 3, tolerance: 0 });
  const n = 8 * FS;
  const low = new Float32Array(n);
  const high = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    low[i] = 0.25 * Math.sin((2 * Math.PI * 50 * i) / FS);
    high[i] = 0.25 * Math.sin((2 * Math.PI * 1000 * i) / FS);
  }
  const q = rig.host.quantum;
  for (let i = 0; i < n / q; i++) {
    ref.inst.process([[low.subarray(i * q, (i + 1) * q), low.subarray(i * q, (i + 1) * q)]]);
    match.inst.process([[high.subarray(i * q, (i + 1) * q), high.subarray(i * q, (i + 1) * q)]]);
    rig.host.advance();
    if (i % 200 === 0) await rig.host.flush();
  }
  await rig.host.flush();
  const rd = match.node.readout!;
  note(`rms detector, 50 Hz vs 1 kHz        gain ${rd.gain.engine.toFixed(3)} dB (short-term sees ${(rd.reference.shortTerm - rd.input.shortTerm).toFixed(2)} LU)`);
  assert.ok(Math.abs(rd.gain.engine) < 0.1, `rms gain ${rd.gain.engine}`);
  assert.ok(Math.abs(rd.reference.shortTerm - rd.input.shortTerm) > 1.5, 'K-weighting does tell them apart');
  rig.assertClean();
  rig.host.close();
});

det.run();

// ---------------------------------------------------------------------------------------------------------------
const tgt = suite('target mode');

for (const inputLufs of [-40, -30, -18, -10, -6]) {
  tgt(`input at ${inputLufs} LUFS: output S within 0.5 LU of the -18 LUFS target after 10 s`, async () => {
    const rig = await makeRig({ sampleRate: FS });
    const prog = source();
    const at = measure(prog.map((x) => x.subarray(0, 10 * FS)), FS).integrated;
    const g = 10 ** ((inputLufs - at) / 20);
    const input = prog.map((x) => x.map((v) => v * g));
    // -40 -> -18 needs +22 dB: more than the default +12 dB range, so the range is opened for that case.
    const match = await rig.add({ mode: 3, target: -18, maxBoost: 30 });
    const run = await runChain(rig, input, null, null, match, 10.2);
    const s = shortTermAt(run.output, FS, [10])[0];
    note(`target -18, input ${String(inputLufs).padStart(3)} LUFS        S(out) at 10 s: ${s.toFixed(2)} LUFS; gain ${run.readout?.gain.applied.toFixed(2)} dB`);
    assert.ok(Math.abs(s + 18) <= 0.5, `S ${s.toFixed(3)}`);
    rig.assertClean();
    rig.host.close();
  });
}

tgt('10 s of -80 LUFS noise raises the gain by less than 1 dB (defaults)', async () => {
  const rig = await makeRig({ sampleRate: FS });
  // White noise scaled so that its short-term loudness is exactly -80 LUFS (below the absolute gate of
  // BS.1770, so its integrated loudness is -Infinity).
  const raw = noise(FS, 10.5, -80);
  const scale = 10 ** ((-80 - measure(raw, FS).shortTerm) / 20);
  const quiet = raw.map((x) => x.map((v) => v * scale));
  const lufs = measure(quiet, FS).shortTerm;
  assert.ok(Math.abs(lufs + 80) < 0.01, `${lufs}`);
  const match = await rig.add({ mode: 3 });
  const run = await runChain(rig, quiet, null, null, match, 10.2);
  const gains = run.readouts.map((r) => r.gain.applied);
  const maxGain = Math.max(...gains);
  note(`target, 10 s of ${lufs.toFixed(1)} LUFS noise       max gain ${maxGain.toFixed(3)} dB; gated ${run.readout?.status.gated}`);
  assert.ok(maxGain < 1, `gain rose to ${maxGain} dB`);
  assert.ok(run.readout!.status.gated, 'reports gated');
  rig.assertClean();
  rig.host.close();
});

tgt('silence after programme: the gain holds (does not ride up) through 10 s of digital silence', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const prog = source().map((x) => x.slice(0, 10 * FS));
  const input = prog.map((x) => {
    const y = new Float32Array(20 * FS);
    y.set(x.map((v) => v * 0.3));
    return y;
  });
  const match = await rig.add({ mode: 3, target: -18 });
  const run = await runChain(rig, input, null, null, match, 20);
  const at10 = run.readouts.find((r) => r.frame >= 10 * FS)!.gain.applied;
  const last = run.readout!.gain.applied;
  note(`target, programme then silence      gain at 10 s ${at10.toFixed(2)} dB, at 20 s ${last.toFixed(2)} dB`);
  assert.ok(last - at10 < 1, `rode up from ${at10} to ${last}`);
  rig.assertClean();
  rig.host.close();
});

tgt.after(() => {
  console.log(`\n  measured (plugin matching):\n    ${table.join('\n    ')}`);
});

tgt.run();
