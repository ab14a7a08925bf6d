// The processor core and the link bus with the context clock near 2^30, 2^31, 2^32 and 2^40 frames (6.2 h,
// 12.4 h, 24.9 h and 8.7 years at 48 kHz): link alignment (with and without skew), latency, loss detection and
// readout timing must be exactly what they are at frame 0, across the points where a frame number stops being a
// V8 small integer and where the bus's wrapped positions (CLOCK_WRAP) roll over. (0 B per quantum at these clocks
// is host-test/long-clock-allocation.test.ts.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { P, S } from './engine-abi.ts';
import { LevelMatchCore } from './core.ts';
import { CLOCK_WRAP, FrameRing, LinkBus, LinkReader, frameDistance, wrapFrame } from './link-bus.ts';
import { createMockEngine, type MockEngine } from './mock-engine.ts';
import { READOUT_FRAME } from './readout.ts';

const SR = 48000;
const Q = 128;
const CLOCKS = [2 ** 30, 2 ** 31, 2 ** 32, 2 ** 40];

/** Frame f (absolute), channel c: a value that identifies f near the test's clock (exact in float32). */
const sig = (f: number, c: number) => ((f % 4096) + 1) / 4096 + c;
const block = (frame0: number, n: number, channels: number) =>
  Array.from({ length: channels }, (_, c) => Float32Array.from({ length: n }, (_, i) => sig(frame0 + i, c)));

function make(bus: LinkBus, mode: number) {
  const engine = createMockEngine();
  const core = new LevelMatchCore({ sampleRate: SR, channels: 2, bus, engine });
  core.setParameter(P.link, 3);
  core.setParameter(P.mode, mode);
  return { core, engine: engine as MockEngine };
}

function run(core: LevelMatchCore, inputs: Float32Array[][], frame0: number): boolean {
  const outputs = [[new Float32Array(Q), new Float32Array(Q)]];
  core.beginQuantum(inputs, frame0, Q);
  core.processSlice(inputs, outputs, 0, Q);
  return core.endQuantum();
}

test('positions: wrapFrame and frameDistance are exact around every clock', () => {
  for (const k of CLOCKS) {
    for (const d of [-300, -1, 0, 1, 127, 128, 5000]) {
      assert.is(wrapFrame(k + d), ((k + d) % CLOCK_WRAP + CLOCK_WRAP) % CLOCK_WRAP);
      assert.is(frameDistance(wrapFrame(k + d), wrapFrame(k)), d, `distance ${d} at ${k}`);
    }
  }
  // A ring written across a wrap reads back by absolute frame.
  const ring = new FrameRing(1024, 1);
  const f0 = 2 ** 32 - 300;
  for (let f = f0; f < f0 + 600; f += 100) ring.write(wrapFrame(f), block(f, 100, 1), 1, 0, 100);
  const out = [new Float32Array(50)];
  assert.is(ring.read(wrapFrame(2 ** 32 - 25), 50, out), 1);
  assert.is(out[0][0], Math.fround(sig(2 ** 32 - 25, 0)));
  assert.is(out[0][49], Math.fround(sig(2 ** 32 + 24, 0)));
  assert.ok(!ring.has(wrapFrame(f0 - 1), 1), 'before the run');
  assert.ok(!ring.has(wrapFrame(f0 + 590), 11), 'past the end');
});

for (const clock of CLOCKS) {
  for (const order of ['reference first', 'match first'] as const) {
    test(`clock ${clock}: linked, ${order}, 10 ms latency aligned to the frame, readouts every 1920 frames at the true frame`, () => {
      const bus = new LinkBus(SR);
      const ref = make(bus, 0);
      const match = make(bus, 1);
      match.core.setParameter(P.autoLatency, 0); // the manual latency rules (issue 12)
      match.core.setParameter(P.latency, 10); // 480 frames
      const start = clock - 40 * Q; // the run crosses the clock value (a multiple of CLOCK_WRAP: positions roll over)
      const readoutFrames: number[] = [];
      const skew = order === 'reference first' ? 0 : Q;
      let checked = 0;
      for (let q = 0; q < 80; q++) {
        const f = start + q * Q;
        const dry = block(f, Q, 2);
        if (order === 'reference first') run(ref.core, [dry], f);
        if (run(match.core, [dry], f)) readoutFrames.push(match.core.readout[READOUT_FRAME]);
        if (order === 'match first') run(ref.core, [dry], f);
        const call = match.engine.calls.at(-1)!;
        if (q >= 10) {
          assert.is(call.referenceValid, 1, `quantum ${q}`);
          for (const i of [0, 77, Q - 1]) {
            assert.is(call.reference[1][i], Math.fround(sig(f + i - 480 - skew, 1)), `quantum ${q} frame ${i}`);
          }
          checked++;
        }
        assert.is(match.core.linkStatus, order === 'match first' && q === 0 ? S.noReference : S.linked, `status at quantum ${q}`);
      }
      assert.is(checked, 70);
      // Readouts: quanta 14, 29, 44, 59, 74, at the frame after each of them, exactly (doubles up to 2^53).
      assert.equal(readoutFrames, [14, 29, 44, 59, 74].map((q) => start + (q + 1) * Q));
      // The reference stops: lost after the grace period, as at frame 0.
      const statuses: number[] = [];
      for (let q = 80; q < 85; q++) {
        run(match.core, [block(start + q * Q, Q, 2)], start + q * Q);
        statuses.push(match.core.linkStatus);
      }
      // (A reader one quantum behind its reference - skew - sees the last quantum one quantum later.)
      const graceQuanta = order === 'reference first' ? 2 : 3;
      assert.equal(statuses.map((s) => s === S.linked), [0, 1, 2, 3, 4].map((q) => q < graceQuanta));
    });
  }
}

for (const clock of CLOCKS) {
  test(`clock ${clock}: an automatic latency change (480 -> 960 frames) crossfades the read positions across the wrap`, () => {
    const bus = new LinkBus(SR);
    const ref = make(bus, 0);
    const match = make(bus, 1); // autoLatency on (the default): the engine's latency (the mock's restored one) rules
    match.engine.restoredLatency = 480;
    const start = clock - 36 * Q; // the change starts at quantum 32, 4 quanta before the clock value; the fade lasts 7.5
    const fade = Math.round(0.02 * SR); // LATENCY_CROSSFADE_SECONDS
    for (let q = 0; q < 60; q++) {
      const f = start + q * Q;
      const dry = block(f, Q, 2);
      run(ref.core, [dry], f);
      if (q === 32) match.engine.restoredLatency = 960;
      run(match.core, [dry], f);
      if (q < 10) continue;
      const call = match.engine.calls.at(-1)!;
      assert.is(call.referenceValid, 1, `quantum ${q}`);
      for (const i of [0, 77, Q - 1]) {
        const old = Math.fround(sig(f + i - 480, 1));
        const next = Math.fround(sig(f + i - 960, 1));
        const done = (q - 32) * Q + i + 1; // frames of the fade so far
        const x = q < 32 ? 0 : Math.min(1, done / fade);
        const want = old + (next - old) * x;
        assert.ok(Math.abs(call.reference[1][i] - want) < 1e-6, `quantum ${q} frame ${i}: ${call.reference[1][i]} vs ${want}`);
      }
    }
    assert.is(match.engine.calls.at(-1)!.reference[1][5], Math.fround(sig(start + 59 * Q + 5 - 960, 1)), 'the new delay, exactly');
  });
}

test('a reference that stopped exactly CLOCK_WRAP frames ago is not taken for a live one', () => {
  const bus = new LinkBus(SR);
  bus.claim(1, {}, 1);
  const ch = bus.channel(1);
  const reader = new LinkReader();
  const dest = [new Float32Array(Q)];
  const start = 2 ** 31;
  for (let q = 0; q < 4; q++) {
    ch.ring!.write(wrapFrame(start + q * Q), block(start + q * Q, Q, 1), 1, 0, Q);
    assert.is(reader.begin(ch, wrapFrame(start + q * Q), Q), S.linked);
  }
  // The reference writes nothing more; the reader runs on for 2^21 quanta (CLOCK_WRAP frames), then some.
  let linkedLate = 0;
  const total = CLOCK_WRAP / Q + 8;
  for (let q = 4; q < total; q++) {
    const s = reader.begin(ch, wrapFrame(start + q * Q), Q);
    if (q > 6 && s === S.linked) linkedLate++;
    if (q > CLOCK_WRAP / Q - 4) assert.is(reader.read(ch, wrapFrame(start + q * Q), Q, 0, dest), 0, `quantum ${q}`);
  }
  assert.is(linkedLate, 0);
});

test.run();
