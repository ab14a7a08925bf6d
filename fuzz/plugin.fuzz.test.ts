// Property-based fuzzing of the plugin's audio path (fast-check, fixed printed seeds; fuzz/settings.ts): the
// processor core (wam/core.ts) with the real WASM engine, several instances on a link bus, fed extreme audio in
// quanta of any length, with parameter changes of any value (NaN, infinities, out of range) landing at any frame
// inside a quantum (sample-accurate automation splits the quantum there), processing in any order, the clock
// starting anywhere up to 2^40 frames. Invariants: nothing throws, the engine never traps (no fallback to
// pass-through), every output sample is finite, a reference instance's output is its input bit for bit, and
// readouts come once per 40 ms of audio, stamped with their frame. And one WebAssembly instance shared by every
// core (whose engines share their call buffers, dsp/block-scratch.ts) gives the same samples and readouts as an
// instance per core.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { compileDsp, instantiateDsp } from '../lib/wasm.ts';
import { LevelMatchCore } from '../wam/core.ts';
import { P } from '../wam/engine-abi.ts';
import type { EngineExports } from '../wam/engine-abi.ts';
import { LinkBus } from '../wam/link-bus.ts';
import { EnginePool } from '../wam/engine-pool.ts';
import { PARAMETERS } from '../wam/parameters.ts';
import { READOUT_FRAME } from '../wam/readout.ts';
import { fuzzParams } from './settings.ts';

const module = await compileDsp();

const parameterValue = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: PARAMETERS.length - 1 }).chain((slot) => fc.tuple(fc.constant(slot), fc.double({ min: PARAMETERS[slot]!.minValue, max: PARAMETERS[slot]!.maxValue, noNaN: true }))) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: PARAMETERS.length - 1 }), fc.double()) }, // NaN, +-Infinity, huge, -0 included
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(P.mode, P.link), fc.integer({ min: -2, max: 18 })) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: -3, max: 20 }), fc.double()) }, // slots out of range
);

const scenario = fc.record({
  instances: fc.array(fc.record({ mode: fc.integer({ min: 0, max: 3 }), link: fc.integer({ min: 1, max: 3 }), channels: fc.integer({ min: 1, max: 8 }) }), { minLength: 1, maxLength: 4 }),
  sampleRate: fc.constantFrom(44100, 48000, 96000, 8000, 384000),
  // One shared WebAssembly instance (the processor's EnginePool) with the link rings in its memory, or an
  // instance per core with rings of their own.
  shared: fc.boolean(),
  clock: fc.oneof(fc.constant(0), fc.constantFrom(2 ** 30, 2 ** 31, 2 ** 32, 2 ** 40).chain((k) => fc.integer({ min: -5000, max: 5000 }).map((d) => k + d * 128))),
  quanta: fc.array(fc.record({
    frames: fc.oneof(fc.constant(128), fc.integer({ min: 1, max: 700 })),
    audio: fc.constantFrom('programme', 'extreme', 'silence', 'tiny'),
    level: fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(1e-40, 1e-37, 3.4e38, NaN, Infinity)),
    events: fc.array(fc.tuple(fc.nat({ max: 699 }), fc.nat({ max: 3 }), parameterValue), { maxLength: 3 }),
    order: fc.nat({ max: 23 }),
    sidechain: fc.boolean(),
  }), { minLength: 4, maxLength: 40 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/**
 * Runs a scenario, asserting the invariants on the way; returns every core's output (all quanta, channel by
 * channel) and its readouts, for comparisons between runs. `shared` overrides the scenario's own choice.
 */
function runScenario({ instances, sampleRate, clock, quanta, shared: own }: Scenario, shared = own): { outputs: Float32Array[][]; readouts: number[][] } {
  const recorded: Float32Array[][] = instances.map(() => []);
  const readouts: number[][] = instances.map(() => []);
  const pool = shared ? new EnginePool(() => instantiateDsp(module) as unknown as EngineExports) : undefined;
  const bus = new LinkBus(sampleRate, pool ? (floats) => pool.allocateFloats(floats) : null);
  const cores = instances.map((spec) => {
    const core = new LevelMatchCore({ sampleRate, channels: spec.channels, bus, engine: pool ? null : instantiateDsp(module) as unknown as EngineExports, pool });
    core.setParameter(P.link, spec.link);
    core.setParameter(P.mode, spec.mode);
    return core;
  });
  const readoutFrames: number[][] = cores.map(() => []);
  // A reference instance is bit-exact once transitions are over: after a change (to reference mode, of listen,
  // bypass...) the gain glides to 0 dB at 0.009 dB per sample (40 dB: 4444 frames) and the listen crossfade
  // takes 20 ms, both click-free by design (dsp/engine.ts render).
  const settleFrames = 4500 + Math.ceil(0.03 * sampleRate);
  const settledFrom = cores.map(() => settleFrames);
  let frame = clock;
  let t = 0;
  for (const q of quanta) {
    const n = q.frames;
    const inputs = cores.map((core) => {
      const ch = Array.from({ length: core.channels }, (_, c) => new Float32Array(n).map((_, i) => {
        const k = t + i;
        switch (q.audio) {
          case 'programme': return Math.sin(k * 0.05 + c) * 0.3;
          case 'silence': return 0;
          case 'tiny': return Math.fround(1e-40 * Math.sin(k * 0.05));
          default: return ((k * 7919 + c) % 13 === 0 ? q.level : (k & 1 ? q.level : -q.level) * 0.5);
        }
      }));
      return q.sidechain ? [ch, ch.map((x) => x.map((v) => v * 0.5))] : [ch];
    });
    // A permutation of the instances (order: 0..23 covers every order of up to 4).
    const order = cores.map((_, i) => i);
    for (let i = order.length - 1, r = q.order; i > 0; i--) {
      const j = r % (i + 1);
      r = Math.floor(r / (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order) {
      const core = cores[i]!;
      const outputs = [Array.from({ length: core.channels }, () => new Float32Array(n).fill(NaN))];
      core.beginQuantum(inputs[i]!, frame, n);
      // Events for this instance, at their frame (sample-accurate automation).
      const events = q.events.filter(([, who]) => who % cores.length === i).map(([at, , pv]) => [Math.min(at, n), pv] as const).sort((a, b) => a[0] - b[0]);
      let start = 0;
      for (const [at, [slot, value]] of events) {
        if (at > start) core.processSlice(inputs[i]!, outputs, start, at);
        start = Math.max(start, at);
        core.setParameter(slot, value);
        settledFrom[i] = t + at + settleFrames;
      }
      if (start < n) core.processSlice(inputs[i]!, outputs, start, n);
      if (core.endQuantum()) {
        assert.is(core.readout[READOUT_FRAME], frame + n, 'a readout is stamped with the frame after its quantum');
        readoutFrames[i]!.push(core.readout[READOUT_FRAME]!);
        readouts[i]!.push(...core.readout);
      }
      recorded[i]!.push(...outputs[0]!);
      assert.is(core.error, null, 'the engine trapped');
      for (const out of outputs[0]!) {
        for (let s = 0; s < n; s++) if (!Number.isFinite(out[s]!)) throw new Error(`instance ${i}: output ${out[s]} at frame ${s} of ${n}`);
      }
      if (core.values[P.mode] === 0 && t >= settledFrom[i]!) {
        const inp = inputs[i]![0]!;
        outputs[0]!.slice(0, inp.length).forEach((o, c) => {
          for (let s = 0; s < n; s++) {
            const x = inp[c]![s]!;
            const want = Number.isFinite(x) ? x : 0; // NaN and infinities are passed as 0
            if (!Object.is(o[s], want)) throw new Error(`reference instance ${i}: output ${o[s]} is not its input ${x}`);
          }
        });
      }
    }
    frame += n;
    t += n;
  }
  // Readouts: one per readout interval (40 ms) of audio on average, whatever the quantum lengths (a quantum
  // longer than the interval yields one readout, not several).
  const interval = Math.round(0.04 * sampleRate);
  const long = quanta.some((q) => q.frames > interval);
  for (const frames of readoutFrames) {
    assert.ok(frames.length <= Math.floor(t / interval) + 1, `${frames.length} readouts in ${t} frames`);
    if (!long) assert.ok(frames.length >= Math.floor(t / interval) - 1, `${frames.length} readouts in ${t} frames`);
  }
  return { outputs: recorded, readouts };
}

test('plugin core: any parameters, events, audio, order and clock: no throw, no trap, finite output, readouts on time', () => {
  fc.assert(fc.property(scenario, (s) => {
    runScenario(s);
  }), fuzzParams('plugin core', 60));
});

// The engines of one WebAssembly instance share the buffers a call's audio passes through (dsp/block-scratch.ts):
// under any scenario, one shared instance must sound and read exactly as an instance per core.
test('plugin core: one shared WebAssembly instance sounds and reads exactly as an instance per core', () => {
  fc.assert(fc.property(scenario, (s) => {
    const a = runScenario(s, true);
    const b = runScenario(s, false);
    a.outputs.forEach((outs, i) => outs.forEach((x, k) => {
      const y = b.outputs[i]![k]!;
      for (let j = 0; j < x.length; j++) if (!Object.is(x[j], y[j])) throw new Error(`instance ${i}, block ${k}, frame ${j}: ${x[j]} shared, ${y[j]} alone`);
    }));
    a.readouts.forEach((r, i) => assert.equal(r, b.readouts[i], `instance ${i}: readouts`));
  }), fuzzParams('plugin core, shared against alone', 30));
});

test.run();
