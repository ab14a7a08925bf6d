/**
 * Every control of the built plugin, through the WAM API in the headless host: gate, range, tolerance,
 * latency, ceiling, listen, bypass, mode switches, sample-accurate automation (plain and normalised),
 * out-of-range values, and the per-sample gain step limit (no step above 0.01 dB between samples).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Effect } from '../effects.ts';
import {
  dbToGain, gainToDb, makeRig, maxGainStepDb, measure, runChain, sine, steadyProgramme, type Planar, type Plugin, type Rig,
} from './rig.ts';

const FS = 48000;
const table: string[] = [];
const note = (s: string): void => void table.push(s);
let prog: Planar;
const programme = (): Planar => (prog ??= steadyProgramme(FS, 16, 0.5));

/** A gain effect whose gain the test can change while running. */
function mutableGain(db: number): Effect & { db: number } {
  return {
    name: 'mutable gain',
    db,
    process(ch, frames) {
      const g = dbToGain(this.db);
      for (const x of ch) for (let i = 0; i < frames; i++) x[i] *= g;
    },
  };
}

/** A pure delay of `frames` frames (per channel), standing in for an effect with latency. */
function delayEffect(frames: number, channels = 2): Effect {
  const lines = Array.from({ length: channels }, () => new Float32Array(frames));
  let pos = 0;
  return {
    name: `delay ${frames}`,
    process(ch, n) {
      let p = pos;
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < ch.length; c++) {
          const y = lines[c][p];
          lines[c][p] = ch[c][i];
          ch[c][i] = y;
        }
        p = p + 1 === frames ? 0 : p + 1;
      }
      pos = p;
    },
  };
}

async function linkedPair(rig: Rig, link: number, params: Record<string, number> = {}): Promise<[Plugin, Plugin]> {
  const ref = await rig.add({ mode: 0, link });
  const match = await rig.add({ mode: 1, link, ...params });
  return [ref, match];
}

// ---------------------------------------------------------------------------------------------------------------
const gain = suite('gain behaviour');

gain('gate: after matching, 5 s of silence on both sides leaves the gain where it was; a gate above the programme holds it at 0 dB', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const [ref, match] = await linkedPair(rig, 1);
  const src = programme().map((x) => {
    const y = new Float32Array(14 * FS);
    y.set(x.subarray(0, 8 * FS));
    return y; // 8 s of programme, then 6 s of digital silence
  });
  const run = await runChain(rig, src, ref, mutableGain(-7), match, 14);
  const at8 = run.readouts.find((r) => r.frame >= 8 * FS)!;
  note(`gate: gain at 8 s ${at8.gain.engine.toFixed(3)} dB, after 6 s of silence ${run.readout!.gain.engine.toFixed(3)} dB, gated ${run.readout!.status.gated}`);
  assert.ok(Math.abs(at8.gain.engine - 7) < 0.1, `matched ${at8.gain.engine}`);
  assert.ok(Math.abs(run.readout!.gain.engine - at8.gain.engine) < 0.01, 'held through the silence');
  assert.ok(run.readout!.status.gated);

  const rig2 = await makeRig({ sampleRate: FS });
  const [ref2, match2] = await linkedPair(rig2, 1, { gate: -20 });
  const loud = measure(programme(), FS).momentaryMax;
  assert.ok(loud < -20, `the programme stays below -20 LUFS momentary (${loud.toFixed(1)})`);
  const run2 = await runChain(rig2, programme(), ref2, mutableGain(-7), match2, 6);
  assert.is(run2.readout!.gain.engine, 0, 'never moved');
  assert.ok(run2.readout!.status.gated);
  rig.assertClean();
  rig2.assertClean();
  rig.host.close();
  rig2.host.close();
});

gain('range: -20 dB with the default +12 dB range stops at +12.00 (atRangeLimit); maxCut 6 stops a +15 dB effect at -6', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const [ref, match] = await linkedPair(rig, 2);
  const run = await runChain(rig, programme(), ref, mutableGain(-20), match, 8);
  note(`range: -20 dB effect -> gain ${run.readout!.gain.applied.toFixed(3)} dB, wanted ${run.readout!.gain.wanted.toFixed(3)}, atRangeLimit ${run.readout!.status.atRangeLimit}`);
  assert.ok(Math.abs(run.readout!.gain.applied - 12) < 0.01, `${run.readout!.gain.applied}`);
  assert.ok(run.readout!.status.atRangeLimit);
  const [ref2, match2] = await linkedPair(rig, 3, { maxCut: 6 });
  const run2 = await runChain(rig, programme(), ref2, mutableGain(15), match2, 8);
  assert.ok(Math.abs(run2.readout!.gain.applied + 6) < 0.01, `${run2.readout!.gain.applied}`);
  assert.ok(run2.readout!.status.atRangeLimit);
  rig.assertClean();
  rig.host.close();
});

gain('tolerance: after matching, a 0.3 dB change of the effect does not move the gain (0.5 dB deadband); 0.8 dB does, fully', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const [ref, match] = await linkedPair(rig, 4);
  const fx = mutableGain(-6);
  const src = [...programme(), ...programme()].slice(0, 2).map((x) => {
    const y = new Float32Array(30 * FS);
    for (let i = 0; i < y.length; i++) y[i] = x[i % (8 * FS)]; // a loop of whole bars
    return y;
  });
  const run = await runChain(rig, src, ref, fx, match, 30, {
    onQuantum: (q) => {
      if (q === Math.round((10 * FS) / 128)) fx.db = -6.3;
      if (q === Math.round((20 * FS) / 128)) fx.db = -6.8;
    },
  });
  const at = (s: number) => run.readouts.filter((r) => r.frame <= s * FS).at(-1)!.gain.engine;
  note(`tolerance 0.5: gain ${at(10).toFixed(3)} (effect -6) -> ${at(20).toFixed(3)} (-6.3) -> ${at(30).toFixed(3)} dB (-6.8)`);
  assert.ok(Math.abs(at(10) - 6) < 0.05, `${at(10)}`);
  assert.ok(Math.abs(at(20) - at(10)) < 0.01, `moved inside the deadband: ${at(10)} -> ${at(20)}`);
  assert.ok(Math.abs(at(30) - 6.8) < 0.05, `converged fully after leaving it: ${at(30)}`);
  rig.assertClean();
  rig.host.close();
});

gain('no gain step above 0.01 dB between consecutive samples, even at the fastest response and a 24 dB move', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const [ref, match] = await linkedPair(rig, 5, { response: 0.1, maxBoost: 30 });
  const src = sine(FS, 6, 997, 0.5);
  const fx = mutableGain(-24);
  let processed: Float32Array | undefined;
  const q = rig.host.quantum;
  const inputs: Float32Array = new Float32Array(6 * FS);
  // Record what the match instance receives, to compare sample by sample with what it outputs.
  const spy: Effect = { name: 'spy', process(ch, n) { fx.process(ch, n); inputs.set(ch[0].subarray(0, n), rig.host.currentFrame); } };
  const run = await runChain(rig, src, ref, spy, match, 6);
  processed = inputs;
  const step = maxGainStepDb(processed, run.output[0], q, run.output[0].length, 0.01);
  note(`largest gain step, 24 dB move at response 0.1 s: ${step.toFixed(5)} dB/sample; final gain ${run.readout!.gain.applied.toFixed(3)} dB`);
  assert.ok(step <= 0.01, `${step} dB`);
  assert.ok(Math.abs(run.readout!.gain.applied - 24) < 0.05, 'it did move all the way');
  rig.assertClean();
  rig.host.close();
});

gain('ceiling: a +14 dB target boost is limited so the output true peak stays under -1 dBTP (atCeiling)', async () => {
  const rig = await makeRig({ sampleRate: FS });
  // Programme scaled to peak at -8 dBFS: reaching -10 LUFS would need a boost well past 0 dBTP.
  const p = programme();
  const peak = Math.max(...p.map((x) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
  const input = p.map((x) => x.map((v) => (v / peak) * dbToGain(-8)));
  const match = await rig.add({ mode: 3, target: -8, maxBoost: 30, ceiling: -1 });
  const run = await runChain(rig, input, null, null, match, 12);
  const out = measure(run.output, FS, 4);
  note(`ceiling -1 dBTP: output true peak after 4 s ${out.truePeak.toFixed(3)} dBTP, gain ${run.readout!.gain.applied.toFixed(2)} dB, atCeiling ${run.readout!.status.atCeiling}`);
  assert.ok(out.truePeak <= -0.9, `${out.truePeak} dBTP`);
  assert.ok(run.readout!.gain.applied > 5, 'still boosting up to the ceiling');
  assert.ok(run.readout!.status.atCeiling);
  rig.assertClean();
  rig.host.close();
});

gain.run();

// ---------------------------------------------------------------------------------------------------------------
const sw = suite('latency, listen, bypass, mode');

gain.after(() => undefined);

sw('latency 50 ms aligns the reference with an effect that delays by 50 ms: listen=reference outputs it sample-aligned', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const d = Math.round(0.05 * FS);
  const [ref, match] = await linkedPair(rig, 6, { autoLatency: 0, latency: 50, listen: 1 });
  const run = await runChain(rig, programme(), ref, delayEffect(d), match, 4);
  // After the 20 ms crossfade, the output is the reference delayed by exactly d frames.
  let worst = 0;
  for (let i = FS; i < run.output[0].length; i++) worst = Math.max(worst, Math.abs(run.output[0][i] - run.reference[0][i - d]));
  note(`latency 50 ms + listen: max |out - ref(t - 2400)| ${worst.toExponential(2)}`);
  assert.ok(worst < 1e-6, `${worst}`);
  assert.ok(run.readout!.status.listeningReference);
  rig.assertClean();
  rig.host.close();
});

sw('latency: with the delay compensated, a -6 dB delayed effect is matched to 0.1 dB by the momentary detector', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const d = Math.round(0.25 * FS);
  const [ref, match] = await linkedPair(rig, 7, { autoLatency: 0, latency: 250, detector: 0 });
  const fx: Effect = { name: 'delay+gain', process: (ch, n) => { delay.process(ch, n); g.process(ch, n); } };
  const delay = delayEffect(d);
  const g = mutableGain(-6);
  const run = await runChain(rig, programme(), ref, fx, match, 8);
  note(`latency 250 ms, momentary detector: gain ${run.readout!.gain.engine.toFixed(3)} dB for a -6 dB effect`);
  // The momentary windows of the two meters start up to a quantum apart, so the 400 ms readings differ by a few
  // hundredths of a dB from hop to hop; without the compensation they would differ by several dB.
  assert.ok(Math.abs(run.readout!.gain.engine - 6) < 0.1, `${run.readout!.gain.engine}`);
  rig.assertClean();
  rig.host.close();
});

/** The largest sample-to-sample jump of x in [from, to). */
const maxJump = (x: Float32Array, from: number, to: number): number => {
  let m = 0;
  for (let i = Math.max(1, from); i < to; i++) m = Math.max(m, Math.abs(x[i] - x[i - 1]));
  return m;
};

sw('listen A/B crossfades: switching to the reference and back leaves no jump larger than the signals own', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const [ref, match] = await linkedPair(rig, 8);
  // Reference: a 220 Hz sine; processed: a 330 Hz sine 10 dB down (the match brings it up).
  const a = sine(FS, 8, 220, 0.3);
  const q = rig.host.quantum;
  const proc = sine(FS, 8, 330, 0.3 * dbToGain(-10));
  const out = new Float32Array(8 * FS);
  for (let i = 0; i < (8 * FS) / q; i++) {
    if (i === Math.round((5 * FS) / q)) await rig.set(match, { listen: 1 });
    if (i === Math.round((6.5 * FS) / q)) await rig.set(match, { listen: 0 });
    ref.inst.process([a.map((x) => x.subarray(i * q, (i + 1) * q))]);
    const o = match.inst.process([proc.map((x) => x.subarray(i * q, (i + 1) * q))]);
    out.set(o[0], i * q);
    rig.host.advance();
    if (i % 50 === 0) await rig.host.flush();
  }
  const own = Math.max(maxJump(a[0], 0, a[0].length), 0.3 * 2 * Math.sin((Math.PI * 330) / FS));
  const jump = maxJump(out, 4 * FS, 8 * FS);
  note(`listen A/B: largest output jump ${jump.toFixed(5)} vs the sines' own ${own.toFixed(5)}`);
  assert.ok(jump <= own * 1.05, `${jump} > ${own}`);
  // In the middle of the listen window the output is the reference itself.
  const mid = Math.round(5.8 * FS);
  assert.ok(Math.abs(out[mid] - a[0][mid]) < 1e-6, 'listening to the reference');
  rig.assertClean();
  rig.host.close();
});

sw('bypass at an exact sample: gain ramps to unity from that sample (<= 0.01 dB per sample) and then passes audio bit-exact', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const [ref, match] = await linkedPair(rig, 9);
  const src = sine(FS, 8, 997, 0.2);
  const q = rig.host.quantum;
  const at = 6 * FS + 37; // inside a quantum
  const received = new Float32Array(8 * FS);
  const out = new Float32Array(8 * FS);
  const g = dbToGain(-9);
  for (let i = 0; i < (8 * FS) / q; i++) {
    if (i === Math.floor(at / q) - 2) await rig.host.scheduleAutomation(match.inst, 'bypass', 1, at);
    const r = ref.inst.process([src.map((x) => x.subarray(i * q, (i + 1) * q))]).map((x) => x.map((v) => v * g));
    received.set(r[0], i * q);
    out.set(match.inst.process([r])[0], i * q);
    rig.host.advance();
    if (i % 50 === 0) await rig.host.flush();
  }
  const ratioDb = (i: number) => gainToDb(out[i] / received[i]);
  // Find the first sample whose gain differs from the settled matching gain.
  let first = -1;
  const settled = ratioDb(at - 300);
  for (let i = at - 200; i < at + 200; i++) {
    if (Math.abs(received[i]) > 0.01 && Math.abs(ratioDb(i) - settled) > 0.004) {
      first = i;
      break;
    }
  }
  const step = maxGainStepDb(received, out, at - 1000, 8 * FS, 0.01);
  let exact = true;
  for (let i = 7 * FS; i < 8 * FS; i++) if (out[i] !== received[i]) exact = false;
  note(`bypass at frame ${at}: gain starts moving at ${first} (matching gain ${settled.toFixed(3)} dB), largest step ${step.toFixed(5)} dB, bit-exact afterwards ${exact}`);
  assert.ok(Math.abs(settled - 9) < 0.05);
  assert.ok(first >= at && first <= at + 1, `first change at ${first}, event at ${at}`);
  assert.ok(step <= 0.01);
  assert.ok(exact, 'bypassed output equals the input bit for bit');
  assert.ok(match.node.readout!.status.bypassed);
  rig.assertClean();
  rig.host.close();
});

sw('mode switch match -> reference -> match: the gain glides (<= 0.01 dB per sample), reference mode is bit-exact', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const [ref, match] = await linkedPair(rig, 10);
  const src = sine(FS, 10, 440, 0.2);
  const q = rig.host.quantum;
  const g = dbToGain(-8);
  const received = new Float32Array(10 * FS);
  const out = new Float32Array(10 * FS);
  for (let i = 0; i < (10 * FS) / q; i++) {
    if (i === Math.round((5 * FS) / q)) await rig.set(match, { mode: 0, link: 11 });
    if (i === Math.round((7.5 * FS) / q)) await rig.set(match, { mode: 1, link: 10 });
    const r = ref.inst.process([src.map((x) => x.subarray(i * q, (i + 1) * q))]).map((x) => x.map((v) => v * g));
    received.set(r[0], i * q);
    out.set(match.inst.process([r])[0], i * q);
    rig.host.advance();
    if (i % 50 === 0) await rig.host.flush();
  }
  const step = maxGainStepDb(received, out, 4 * FS, 10 * FS, 0.01);
  let exact = true;
  for (let i = 6 * FS; i < 7.4 * FS; i++) if (out[i] !== received[i]) exact = false;
  const final = gainToDb(out[10 * FS - 10] / received[10 * FS - 10]);
  note(`mode switches: largest step ${step.toFixed(5)} dB/sample; reference mode bit-exact ${exact}; back in match: ${final.toFixed(3)} dB`);
  assert.ok(step <= 0.01, `${step}`);
  assert.ok(exact);
  assert.ok(Math.abs(final - 8) < 0.1, `${final}`);
  rig.assertClean();
  rig.host.close();
});

sw.run();

// ---------------------------------------------------------------------------------------------------------------
const auto = suite('automation and parameter values');

auto('plain and normalised automation, out-of-range values clamped, unknown ids ignored', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const p = await rig.add();
  const frame = rig.host.currentFrame + 300;
  await rig.host.scheduleAutomation(p.inst, 'maxBoost', 0.25, frame, true); // 0..40 -> 10
  await rig.host.scheduleAutomation(p.inst, 'response', 100, frame); // clamped to 30
  await rig.host.scheduleAutomation(p.inst, 'gate', -500, frame); // clamped to -90
  await rig.host.scheduleAutomation(p.inst, 'mode', 2.6, frame); // a choice: rounded to 3
  await rig.host.scheduleAutomation(p.inst, 'nonsense', 1, frame);
  const z = [new Float32Array(128), new Float32Array(128)];
  for (let i = 0; i < 5; i++) {
    p.inst.process([z]);
    rig.host.advance();
  }
  await rig.host.flush();
  const v = await p.node.getParameterValues(false);
  assert.is(v.maxBoost.value, 10);
  assert.is(v.response.value, 30);
  assert.is(v.gate.value, -90);
  assert.is(v.mode.value, 3);
  await p.node.setParameterValues({ tolerance: { id: 'tolerance', value: 9, normalized: false }, link: { id: 'link', value: 0, normalized: false } });
  await rig.host.flush();
  const w = await p.node.getParameterValues(false, 'tolerance', 'link');
  assert.is(w.tolerance.value, 3);
  assert.is(w.link.value, 1);
  const n = await p.node.getParameterValues(true, 'maxBoost');
  assert.ok(Math.abs(n.maxBoost.value - 0.25) < 1e-9);
  rig.assertClean();
  rig.host.close();
});

auto('MIDI, transport, sysex and OSC events are ignored quietly; compensation delay is 0', async () => {
  const rig = await makeRig({ sampleRate: FS });
  const p = await rig.add({ mode: 0 });
  const t = rig.host.currentTime;
  p.node.scheduleEvents(
    { type: 'wam-midi', time: t, data: { bytes: [0x90, 60, 100] } },
    { type: 'wam-transport', time: t, data: { currentBar: 0, currentBarStarted: 0, tempo: 120, timeSigNumerator: 4, timeSigDenominator: 4, playing: true } },
    { type: 'wam-sysex', time: t, data: { bytes: new Uint8Array([0xf0, 0xf7]) } },
    { type: 'wam-osc', time: t, data: { bytes: new Uint8Array([1]) } },
  );
  await rig.host.flush();
  const src = sine(FS, 0.1, 440, 0.5);
  for (let i = 0; i < 30; i++) {
    const o = p.inst.process([src.map((x) => x.subarray(i * 128, (i + 1) * 128))]);
    for (let k = 0; k < 128; k++) assert.is(o[0][k], src[0][i * 128 + k], 'reference mode: same sample at the same index (no latency)');
    rig.host.advance();
  }
  assert.is(await p.node.getCompensationDelay(), 0);
  rig.assertClean();
  rig.host.close();
});

auto.after(() => {
  console.log(`\n  measured (plugin controls):\n    ${table.join('\n    ')}`);
});

auto.run();
