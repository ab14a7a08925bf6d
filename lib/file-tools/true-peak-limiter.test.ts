/** The look-ahead true-peak limiter on its own: transparent below the ceiling, under it above, delay exact. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LoudnessMeter } from '../loudness-meter.ts';
import { TruePeakLimiter } from './true-peak-limiter.ts';

const SR = 48000;

function run(lim: TruePeakLimiter, input: Float32Array[]): Float32Array[] {
  const n = input[0]!.length;
  const out = input.map(() => new Float32Array(n + lim.latency));
  const block = 1000;
  const padded = input.map((x) => { const p = new Float32Array(n + lim.latency); p.set(x); return p; });
  for (let at = 0; at < n + lim.latency; at += block) {
    const m = Math.min(block, n + lim.latency - at);
    lim.process(padded.map((p) => p.subarray(at, at + m)), out.map((o) => o.subarray(at, at + m)), m);
  }
  return out.map((o) => o.subarray(lim.latency));
}

test('below the ceiling the output is the input, delayed by exactly `latency` frames', () => {
  const x = Float32Array.from({ length: SR }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 997 * i) / SR));
  const lim = new TruePeakLimiter(1, SR, 10 ** (-1 / 20));
  const [y] = run(lim, [x]);
  assert.equal(Array.from(y!), Array.from(x));
  assert.is(lim.minGain, 1);
  assert.is(lim.limitedFrames, 0);
});

test('bursts 12 dB over the ceiling, with inter-sample peaks: true peak at or below it (our meter), level kept elsewhere', async () => {
  const ceiling = 10 ** (-1 / 20);
  // A sine near fs/4 with a 45-degree phase peaks between samples (Tech 3341 test 15-style), in bursts.
  const x = Float32Array.from({ length: 2 * SR }, (_, i) => {
    const burst = Math.floor(i / (SR / 2)) % 2 === 1 ? 3.5 : 0.3; // loud 0.5-1 s, quiet 1-1.5 s
    return burst * Math.sin((2 * Math.PI * (SR / 4) * i) / SR + Math.PI / 4);
  });
  const lim = new TruePeakLimiter(2, SR, ceiling * 10 ** (-0.15 / 20));
  const [y, z] = run(lim, [x, x.map((v) => -v)]);
  const meter = await LoudnessMeter.create({ sampleRate: SR, channels: 2 });
  meter.push([y!, z!]);
  const tp = meter.result().truePeak;
  assert.ok(tp <= -1, `true peak ${tp} dBTP over -1`);
  assert.ok(lim.minGain < 0.3, `it limited (${lim.minGain})`);
  // 450 ms after a burst (4.5 release time constants) the gain is back within 1.5 % of 1; before the first, exactly 1.
  for (let i = 1.45 * SR; i < 1.45 * SR + 100; i++) assert.ok(Math.abs(y![i]! - x[i]!) <= 0.015 * Math.abs(x[i]!) + 1e-6, `frame ${i}: ${y![i]} vs ${x[i]}`);
  for (let i = 0; i < 0.4 * SR; i++) assert.is(y![i], x[i], `frame ${i} before any burst`);
});

test.run();
