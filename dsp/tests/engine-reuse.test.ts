/**
 * Issue 16 at the DSP level: (1) the true-peak skip changes no reading: meters and engines with it allowed read
 * exactly (bit for bit) what the same code reads with it forbidden, in a separate module instance, while the
 * skip does happen; (2) an engine reset with engineReset behaves exactly like a freshly created one; (3) many
 * engines live in one module instance, and unwatched engines skip only what feeds readings.
 */
// @ts-expect-error: a plain JS module without declarations
import { programme } from '../../scripts/programme.mjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileDsp, instantiateDsp, type DspExports } from '../../lib/wasm.ts';
import { P, R, S, Mode, LatencySource, PARAM_COUNT, READOUT_COUNT } from '../../wam/engine-abi.ts';
import { defaultParameterValues } from '../../wam/parameters.ts';
import { Rng } from './signals.ts';

const FS = 48000;
const Q = 128;
const module = await compileDsp();

/**
 * Programme-like stereo test audio: noise bursts with a decaying envelope, a loud transient at 2 s, quieter
 * passages after it (where blocks cannot raise the maximum), near-Nyquist tones (inter-sample peaks).
 */
function material(seconds: number, seed: number): Float32Array[] {
  const n = seconds * FS;
  const rng = new Rng(seed);
  const out = [new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) {
    const t = i / FS;
    const env = 0.02 + 0.12 * Math.exp(-((t % 0.5) / 0.08)) + (Math.abs(t - 2) < 0.01 ? 0.3 : 0);
    const tone = 0.1 * Math.sin(2 * Math.PI * (FS / 4 - 3) * t + 0.3);
    for (let c = 0; c < 2; c++) out[c]![i] = env * rng.uniform() + (t > 4 && t < 5 ? tone : 0) * (c === 0 ? 1 : 0.5);
  }
  return out;
}

function meterRun(dsp: DspExports, audio: Float32Array[]): { tp: number[]; sp: number[]; skips: number } {
  const h = dsp.createMeter(FS, 2, Q);
  for (let o = 0; o + Q <= audio[0]!.length; o += Q) {
    for (let c = 0; c < 2; c++) new Float32Array(dsp.memory.buffer, dsp.inputPointer(h, c), Q).set(audio[c]!.subarray(o, o + Q));
    dsp.processFrames(h, Q);
  }
  return { tp: [dsp.truePeak(h, 0), dsp.truePeak(h, 1)], sp: [dsp.samplePeak(h, 0), dsp.samplePeak(h, 1)], skips: dsp.truePeakSkips(h) };
}

test('true-peak skip: the library meter reads exactly the same true peaks, and skips blocks', () => {
  const audio = material(8, 7);
  const skipping = instantiateDsp(module);
  const exact = instantiateDsp(module);
  exact.setTruePeakSkip(0);
  const a = meterRun(skipping, audio);
  const b = meterRun(exact, audio);
  const blocks = 2 * Math.floor(audio[0]!.length / Q);
  console.log(`  meter: true peak ${a.tp.map((x) => (20 * Math.log10(x)).toFixed(3)).join(' / ')} dBTP; oversampler skipped on ${a.skips} of ${blocks} channel blocks`);
  assert.equal(a.tp, b.tp);
  assert.equal(a.sp, b.sp);
  assert.is(b.skips, 0);
  assert.ok(a.skips > blocks / 4, `skips ${a.skips}`);
  assert.ok(a.tp[0]! > a.sp[0]!, 'an inter-sample peak above the sample peak is found');
});

test('shared-buffer meters: written and processed one at a time, beside an engine, they read what private meters read', () => {
  // Three stereo signals, metered in turn each quantum (as an audio thread runs its processors), every one by
  // a meter on the shared input buffers and by a private one in the same instance; an engine runs between them
  // on the same buffers (its input lanes are theirs).
  const dsp = instantiateDsp(module);
  const signals = [material(6, 11), material(6, 12).map((x) => x.map((v) => v * 0.25)), material(6, 13).map((x) => x.map((v) => v * 2))];
  const shared = signals.map(() => dsp.createSharedBufferMeter(FS, 2, Q));
  const own = signals.map(() => dsp.createMeter(FS, 2, Q));
  assert.ok(shared.every((h) => h !== 0) && new Set(shared.map((h) => dsp.inputPointer(h, 0))).size === 1, 'one set of buffers');
  assert.ok(!own.some((h) => dsp.inputPointer(h, 0) === dsp.inputPointer(shared[0]!, 0)), 'private meters keep their own');
  const engine = dsp.createEngine(FS, Q);
  assert.is(dsp.inputPointer(shared[0]!, 0), dsp.engineInput(engine, 0), 'the engines\' input lanes');
  dsp.engineSetChannels(engine, 2, 2);
  const write = (h: number, audio: Float32Array[], o: number, at: (h: number, c: number) => number) => {
    for (let c = 0; c < 2; c++) new Float32Array(dsp.memory.buffer, at(h, c), Q).set(audio[c]!.subarray(o, o + Q));
  };
  for (let o = 0; o + Q <= signals[0]![0]!.length; o += Q) {
    signals.forEach((audio, k) => {
      write(shared[k]!, audio, o, dsp.inputPointer);
      dsp.processFrames(shared[k]!, Q);
      write(own[k]!, audio, o, dsp.inputPointer);
      dsp.processFrames(own[k]!, Q);
      // The engine writes the shared buffers with other audio in between.
      write(engine, signals[(k + 1) % 3]!, o, dsp.engineInput);
      write(engine, audio, o, dsp.engineReference);
      dsp.engineProcess(engine, Q, 1);
    });
  }
  const readings = (h: number) => [dsp.momentary(h), dsp.shortTerm(h), dsp.momentaryMax(h), dsp.integrated(h), dsp.loudnessRange(h),
    dsp.truePeak(h, 0), dsp.truePeak(h, 1), dsp.samplePeak(h, 0), dsp.samplePeak(h, 1)];
  signals.forEach((_, k) => {
    const a = readings(shared[k]!);
    assert.ok(a.every(Number.isFinite), `finite readings ${a}`);
    assert.equal(a, readings(own[k]!), `signal ${k}`);
  });
  // Three different signals read differently (a meter that read another's samples would not match its twin).
  assert.ok(Math.abs(dsp.integrated(shared[1]!) - dsp.integrated(shared[0]!)) > 10, 'the quieter signal reads quieter');
});

interface EngineRun {
  output: Float32Array[];
  readouts: Float64Array[];
}

/** Runs an engine over `audio` (as input; the reference is `audio` scaled), readout every 15 quanta. */
function engineRun(dsp: DspExports, h: number, audio: Float32Array[], params: Partial<Record<number, number>>): EngineRun {
  const values = defaultParameterValues();
  for (const [slot, v] of Object.entries(params)) values[Number(slot)] = v!;
  dsp.engineSetChannels(h, 2, 2);
  for (let s = 0; s < PARAM_COUNT; s++) dsp.engineSetParam(h, s, values[s]!);
  const n = audio[0]!.length;
  const output = [new Float32Array(n), new Float32Array(n)];
  const readouts: Float64Array[] = [];
  for (let o = 0, q = 0; o + Q <= n; o += Q, q++) {
    const mem = dsp.memory.buffer;
    for (let c = 0; c < 2; c++) {
      const x = audio[c]!.subarray(o, o + Q);
      new Float32Array(mem, dsp.engineInput(h, c), Q).set(x);
      const r = new Float32Array(mem, dsp.engineReference(h, c), Q);
      for (let i = 0; i < Q; i++) r[i] = x[i]! * 2;
    }
    dsp.engineProcess(h, Q, 1);
    for (let c = 0; c < 2; c++) output[c]!.set(new Float32Array(dsp.memory.buffer, dsp.engineOutput(h, c), Q), o);
    if (q % 15 === 14) readouts.push(new Float64Array(dsp.memory.buffer, dsp.engineUpdateReadout(h), READOUT_COUNT).slice());
  }
  return { output, readouts };
}

function assertSameRun(a: EngineRun, b: EngineRun, what: string): void {
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < a.output[c]!.length; i++) {
      if (!Object.is(a.output[c]![i], b.output[c]![i])) assert.unreachable(`${what}: output ${c} differs at frame ${i}: ${a.output[c]![i]} vs ${b.output[c]![i]}`);
    }
  }
  assert.is(a.readouts.length, b.readouts.length);
  for (let k = 0; k < a.readouts.length; k++) {
    for (let s = 0; s < READOUT_COUNT; s++) {
      if (!Object.is(a.readouts[k]![s], b.readouts[k]![s])) assert.unreachable(`${what}: readout ${k} slot ${s}: ${a.readouts[k]![s]} vs ${b.readouts[k]![s]}`);
    }
  }
}

test('true-peak skip: an engine with the ceiling boosting (match, +6 dB wanted) gives the same output and readouts', () => {
  const audio = material(8, 11);
  const skipping = instantiateDsp(module);
  const exact = instantiateDsp(module);
  exact.setTruePeakSkip(0);
  const params = { [P.mode]: Mode.match, [P.ceiling]: -3, [P.ceilingInMatch]: 1, [P.response]: 0.5, [P.maxBoost]: 20 };
  const hs = skipping.createEngine(FS, Q);
  const he = exact.createEngine(FS, Q);
  const a = engineRun(skipping, hs, audio, params);
  const b = engineRun(exact, he, audio, params);
  assertSameRun(a, b, 'skip vs exact');
  const last = a.readouts[a.readouts.length - 1]!;
  const skips = skipping.engineTruePeakSkips(hs);
  console.log(`  engine: gain ${last[R.gainApplied]!.toFixed(2)} dB, true peak in ${last[R.truePeakIn]!.toFixed(3)} / out ${last[R.truePeakOut]!.toFixed(3)} dBTP; ${skips} channel blocks skipped`);
  assert.ok(skips > 0, "the engine skipped some blocks");
  // The ceiling's memory releases after about 1.1 s (dsp/ceiling.ts), so it limits during the run, not at its end.
  assert.ok(a.readouts.some((r) => (r[R.status]! & S.atCeiling) !== 0), "the ceiling limited the boost during the run");
  assert.is(exact.engineTruePeakSkips(he), 0);
});

test('true-peak skip in parts: a target engine with the ceiling on gives the same output and readouts, and skips parts of blocks', () => {
  // Target mode at the defaults (ceiling on, 0 dBTP): the ceiling's memory for the current 100 ms slot is the
  // floor. Blocks that cannot be skipped whole are oversampled in 16-frame parts (truepeak.ts SUB_BLOCK), and a
  // part whose bound stays under the floor is skipped: every reading and every output sample stay identical.
  // Music-like programme (scripts/programme.mjs: drums, bass, chords), where peaks come and go within a slot.
  const audio = programme(FS, 8, 5) as Float32Array[];
  const skipping = instantiateDsp(module);
  const exact = instantiateDsp(module);
  exact.setTruePeakSkip(0);
  const params = { [P.mode]: Mode.target, [P.target]: -14 };
  const hs = skipping.createEngine(FS, Q);
  const he = exact.createEngine(FS, Q);
  // Unwatched (a bus nobody looks at): the input meter alone measures true peak, for the ceiling.
  skipping.engineSetWatched(hs, 0);
  exact.engineSetWatched(he, 0);
  const a = engineRun(skipping, hs, audio, params);
  const b = engineRun(exact, he, audio, params);
  assertSameRun(a, b, 'parts skipped vs exact');
  const blocks = 2 * Math.floor(audio[0]!.length / Q);
  const whole = skipping.engineTruePeakSkips(hs);
  const parts = skipping.engineTruePeakPartSkips(hs);
  console.log(`  target engine: ${whole} of ${blocks} channel blocks skipped whole, ${parts} of the other ${(blocks - whole) * 8} parts`);
  assert.ok(parts > (blocks - whole) * 8 * 0.1, `parts skipped: ${parts}`);
  assert.is(exact.engineTruePeakPartSkips(he), 0);
});

test('engineReset: an engine used before and reset runs exactly like a fresh one', () => {
  const dsp = instantiateDsp(module);
  const used = dsp.createEngine(FS, Q);
  // Use it hard: another mode, channels, learning, watched off, a gain.
  engineRun(dsp, used, material(3, 3), { [P.mode]: Mode.target, [P.follow]: 1, [P.bypass]: 1 });
  dsp.engineSetChannels(used, 6, 1);
  dsp.engineSetWatched(used, 0);
  dsp.engineSetGain(used, 7, 1);
  const bytes = dsp.memory.buffer.byteLength;
  dsp.engineReset(used);
  const fresh = dsp.createEngine(FS, Q);
  const audio = material(5, 5);
  const params = { [P.mode]: Mode.match, [P.ceiling]: -2 };
  assertSameRun(engineRun(dsp, used, audio, params), engineRun(dsp, fresh, audio, params), 'reset vs fresh');
  assert.ok(dsp.memory.buffer.byteLength >= bytes);
});

/**
 * Like engineRun, with the input lagging the programme by `lag` frames and the latency detector fed the programme
 * itself (the unaligned reference, mono) at engineLatencyReference, as the processor does.
 */
function detectRun(dsp: DspExports, h: number, audio: Float32Array[], lag: number, params: Partial<Record<number, number>>): EngineRun {
  const values = defaultParameterValues();
  for (const [slot, v] of Object.entries(params)) values[Number(slot)] = v!;
  dsp.engineSetChannels(h, 2, 2);
  for (let s = 0; s < PARAM_COUNT; s++) dsp.engineSetParam(h, s, values[s]!);
  const n = audio[0]!.length;
  const output = [new Float32Array(n), new Float32Array(n)];
  const readouts: Float64Array[] = [];
  for (let o = 0, q = 0; o + Q <= n; o += Q, q++) {
    const mem = dsp.memory.buffer;
    for (let c = 0; c < 2; c++) {
      const x = new Float32Array(mem, dsp.engineInput(h, c), Q);
      const r = new Float32Array(mem, dsp.engineReference(h, c), Q);
      for (let i = 0; i < Q; i++) {
        x[i] = o + i >= lag ? audio[c]![o + i - lag]! : 0;
        r[i] = x[i]! * 2;
      }
    }
    const raw = new Float32Array(mem, dsp.engineLatencyReference(h), Q);
    for (let i = 0; i < Q; i++) raw[i] = (audio[0]![o + i]! + audio[1]![o + i]!) / 2;
    dsp.engineProcess(h, Q, 1);
    for (let c = 0; c < 2; c++) output[c]!.set(new Float32Array(dsp.memory.buffer, dsp.engineOutput(h, c), Q), o);
    if (q % 15 === 14) readouts.push(new Float64Array(dsp.memory.buffer, dsp.engineUpdateReadout(h), READOUT_COUNT).slice());
  }
  return { output, readouts };
}

test('engineReset resets the latency detector too: an engine that detected a latency, reset, runs like a fresh one', () => {
  const dsp = instantiateDsp(module);
  const used = dsp.createEngine(FS, Q);
  const params = { [P.mode]: Mode.match, [P.autoLatency]: 1 };
  const first = detectRun(dsp, used, material(4, 13), 300, params);
  const last = first.readouts[first.readouts.length - 1]!;
  assert.is(last[R.latencySource], LatencySource.detected, 'the used engine detected its latency');
  assert.is(last[R.latencyApplied], 300);
  const detector = dsp.engineLatencyReference(used);
  assert.ok(detector > 0);
  dsp.engineReset(used);
  // The reset engine reads as fresh (no latency applied, none detected) and keeps its detector (no new ~2 MB).
  const r = new Float64Array(dsp.memory.buffer, dsp.engineUpdateReadout(used), READOUT_COUNT);
  assert.is(r[R.latencySource], LatencySource.none);
  assert.is(r[R.latencyApplied], 0);
  assert.is(dsp.engineLatencyFrames(used), 0);
  const fresh = dsp.createEngine(FS, Q);
  const audio = material(4, 17);
  const a = detectRun(dsp, used, audio, 700, params);
  assert.is(dsp.engineLatencyReference(used), detector, 'the same detector, reused');
  const b = detectRun(dsp, fresh, audio, 700, params);
  assertSameRun(a, b, 'reset vs fresh (detector)');
  assert.is(a.readouts[a.readouts.length - 1]![R.latencyApplied], 700, 'the new latency, detected afresh');
});

test('unwatched: the gain and the output are unchanged; only reading slots that nobody reads are NaN', () => {
  const dsp = instantiateDsp(module);
  const audio = material(5, 9);
  const params = { [P.mode]: Mode.match, [P.ceiling]: -2 };
  const watched = dsp.createEngine(FS, Q);
  const unwatched = dsp.createEngine(FS, Q);
  dsp.engineSetWatched(unwatched, 0);
  const a = engineRun(dsp, watched, audio, params);
  const b = engineRun(dsp, unwatched, audio, params);
  for (let c = 0; c < 2; c++) assert.ok(a.output[c]!.every((v, i) => Object.is(v, b.output[c]![i])), 'same output');
  const ra = a.readouts[a.readouts.length - 1]!;
  const rb = b.readouts[b.readouts.length - 1]!;
  for (const s of [R.gainApplied, R.gainWanted, R.engineGain, R.status, R.inM, R.inS, R.refM, R.refS, R.inMmax, R.refSmax]) {
    assert.ok(Object.is(ra[s], rb[s]), `slot ${s}: ${ra[s]} vs ${rb[s]}`);
  }
  // The input's true peak too is not measured: in match mode the ceiling does not apply by default (issue 16).
  for (const s of [R.inI, R.refI, R.outI, R.outM, R.outS, R.truePeakOut, R.inLRA, R.truePeakIn]) assert.ok(Number.isNaN(rb[s]!), `slot ${s} not measured`);
  assert.ok(Number.isFinite(ra[R.truePeakIn]!), 'watched, it is');
  // With the ceiling on in match mode the input's true peak is needed, watched or not: measured, and equal.
  const needs = { ...params, [P.ceilingInMatch]: 1 };
  const wa = engineRun(dsp, dsp.createEngine(FS, Q), audio, needs);
  const ub = dsp.createEngine(FS, Q);
  dsp.engineSetWatched(ub, 0);
  const wb = engineRun(dsp, ub, audio, needs);
  const ta = wa.readouts[wa.readouts.length - 1]![R.truePeakIn]!;
  assert.ok(Number.isFinite(ta) && Object.is(ta, wb.readouts[wb.readouts.length - 1]![R.truePeakIn]), `true peak in ${ta}`);
  for (let c = 0; c < 2; c++) assert.ok(wa.output[c]!.every((v, i) => Object.is(v, wb.output[c]![i])), 'same output with the ceiling');
  // Watching again: the output readings start afresh, as after a meter reset, and are finite.
  dsp.engineSetWatched(unwatched, 1);
  const c = engineRun(dsp, unwatched, audio.map((x) => x.subarray(0, FS)), params);
  assert.ok(Number.isFinite(c.readouts[c.readouts.length - 1]![R.outM]!));
  // A reference: idle only once nothing watches it and its gain is at 0 dB.
  const ref = dsp.createEngine(FS, Q);
  engineRun(dsp, ref, audio.map((x) => x.subarray(0, FS)), { [P.mode]: Mode.reference });
  assert.is(dsp.engineIsIdle(ref), 0, 'watched: not idle');
  assert.is(dsp.engineSetWatched(ref, 0), 1);
  assert.is(dsp.engineIsIdle(ref), 1);
});

test('many engines in one module instance: 600 engines, one set of call buffers (dsp/block-scratch.ts)', () => {
  const dsp = instantiateDsp(module);
  const handles: number[] = [];
  for (let i = 0; i < 600; i++) handles.push(dsp.createEngine(FS, Q));
  assert.ok(handles.every((h) => h > 0));
  assert.is(new Set(handles).size, 600);
  // Every engine's input, reference and output buffers are the same three sets, apart from one another.
  const at = (f: (h: number, c: number) => number) => new Set(handles.flatMap((h) => [0, 7].map((c) => f(h, c))));
  const [inputs, refs, outputs] = [at(dsp.engineInput), at(dsp.engineReference), at(dsp.engineOutput)];
  assert.is(inputs.size, 2);
  assert.is(refs.size, 2);
  assert.is(outputs.size, 2);
  assert.is(new Set([...inputs, ...refs, ...outputs]).size, 6);
  // An engine for longer calls gets buffers of its own size; the earlier engines keep theirs.
  const big = dsp.createEngine(FS, 4 * Q);
  assert.ok(!inputs.has(dsp.engineInput(big, 0)));
  assert.is(dsp.engineInput(handles[0], 0), [...inputs][0]);
  console.log(`  600 engines in one instance: ${(dsp.memory.buffer.byteLength / 1048576).toFixed(0)} MB of memory (${(dsp.memory.buffer.byteLength / 600 / 1024).toFixed(0)} KB per engine)`);
});

test.run();
