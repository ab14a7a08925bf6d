/**
 * The latency detector (dsp/latency.ts) and its sliced FFT (dsp/fft.ts), driven through their WebAssembly
 * exports on plain Float32Arrays. Expected values are the delays the tests themselves apply; the FFT is checked
 * against a direct DFT.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compileDsp, instantiateDsp } from '../../lib/wasm.ts';
import { programme, pinkNoise, whiteNoise, speechLike } from './signals.ts';
import { eqCompressor, type LatencyExports } from './latency-fixtures.ts';

const module = await compileDsp();
const fresh = (): LatencyExports => instantiateDsp(module) as unknown as LatencyExports;
const QUANTUM = 128;
/** The detector must have applied (stable) the right latency within this much programme. */
const DEADLINE_SECONDS = 3;

interface Run {
  /** Seconds of programme until the stable estimate was first the expected one (within +-1), or -1. */
  found: number;
  stable: number;
  detected: number;
  confidence: number;
  maxConfidence: number;
  estimates: number;
  /** Every distinct stable value seen, in order. */
  stables: number[];
}

/** Feeds `seconds` of (reference, input) quantum by quantum; `expected(frame)` the true delay at that frame. */
function run(fs: number, ref: Float32Array, inp: Float32Array, seconds: number, expected: (frame: number) => number = () => NaN): Run {
  const e = fresh();
  const h = e.createLatencyDetector(fs, QUANTUM);
  assert.ok(h !== 0);
  const n = Math.min(ref.length, inp.length, Math.round(seconds * fs));
  const r: Run = { found: -1, stable: -1, detected: -1, confidence: 0, maxConfidence: 0, estimates: 0, stables: [] };
  for (let s = 0; s < n; s += QUANTUM) {
    const k = Math.min(QUANTUM, n - s);
    new Float32Array(e.memory.buffer, e.latencyInput(h), k).set(inp.subarray(s, s + k));
    new Float32Array(e.memory.buffer, e.latencyReference(h), k).set(ref.subarray(s, s + k));
    e.latencyPush(h, k);
    const st = e.latencyStable(h);
    if (st !== r.stables[r.stables.length - 1] && st >= 0) r.stables.push(st);
    const want = expected(s + k);
    if (r.found < 0 && st >= 0 && Math.abs(st - want) <= 1) r.found = (s + k) / fs;
    if (r.found >= 0 && Math.abs(st - want) > 1) r.found = -1; // it must stay right
    r.maxConfidence = Math.max(r.maxConfidence, e.latencyConfidence(h));
  }
  r.stable = e.latencyStable(h);
  r.detected = e.latencyDetected(h);
  r.confidence = e.latencyConfidence(h);
  r.estimates = e.latencyEstimates(h);
  return r;
}

function delayed(x: Float32Array, d: number): Float32Array {
  const y = new Float32Array(x.length);
  y.set(x.subarray(0, x.length - d), d);
  return y;
}

const signalsAt = (fs: number, seconds: number): Record<string, Float32Array> => ({
  music: programme({ sampleRate: fs, seconds, channels: 1, seed: 3 })[0]!,
  speech: speechLike(fs, seconds, 5),
  noise: pinkNoise(Math.round(seconds * fs), -20, 11),
});

const Detect = suite('latency detector: pure delays and processing');
const worst = { time: 0, where: '', minConfidence: 1 };

for (const fs of [44100, 48000, 96000]) {
  Detect(`${fs} Hz: delays of 1, 64, 1791, 24000 frames and delay + EQ + compressor, music / speech / noise`, () => {
    const sigs = signalsAt(fs, DEADLINE_SECONDS);
    for (const [name, x] of Object.entries(sigs)) {
      const cases: Array<[string, number, Float32Array]> = [1, 64, 1791, 24000].map((d) => [`delay ${d}`, d, delayed(x, d)]);
      cases.push(['delay 1791 + EQ + compressor', 1791, eqCompressor(fs, delayed(x, 1791))]);
      for (const [what, d, y] of cases) {
        const r = run(fs, x, y, DEADLINE_SECONDS, () => d);
        const where = `${fs} Hz ${name} ${what}`;
        assert.ok(r.found >= 0, `${where}: stable ${r.stable} (latest ${r.detected}, confidence ${r.confidence.toFixed(2)}) after ${DEADLINE_SECONDS} s`);
        assert.ok(Math.abs(r.stable - d) <= 1, `${where}: stable ${r.stable}`);
        if (r.found > worst.time) Object.assign(worst, { time: r.found, where });
        worst.minConfidence = Math.min(worst.minConfidence, r.confidence);
      }
    }
  });
}

Detect('a latency that changes mid-stream (64 -> 1791 frames at 4 s, an oversampling switch) is followed within 3 s', () => {
  const fs = 48000;
  for (const [name, x] of Object.entries(signalsAt(fs, 9))) {
    const switchAt = 4 * fs;
    const a = delayed(x, 64);
    const b = delayed(x, 1791);
    const y = new Float32Array(x.length);
    y.set(a.subarray(0, switchAt));
    y.set(b.subarray(switchAt), switchAt);
    const r = run(fs, x, y, 9, (f) => (f < switchAt ? 64 : 1791));
    assert.ok(r.found >= 0, `${name}: stable ${r.stable}, seen ${r.stables.join(', ')}`);
    assert.ok(r.found - 4 <= 3, `${name}: followed after ${(r.found - 4).toFixed(2)} s`);
    assert.ok(r.stables.includes(64) || r.stables.includes(63) || r.stables.includes(65), `${name}: 64 first (${r.stables.join(', ')})`);
    console.log(`  [latency] ${name}: 64 -> 1791 followed ${(r.found - 4).toFixed(2)} s after the switch`);
  }
});

Detect.after(() => {
  console.log(`  [latency] slowest detection ${worst.time.toFixed(2)} s (${worst.where}); lowest final confidence ${worst.minConfidence.toFixed(2)}`);
});
Detect.run();

const Reject = suite('latency detector: uncorrelated effects and silence');

Reject('an effect that replaces the signal (uncorrelated noise, another programme) reads low confidence and never changes the latency', () => {
  const fs = 48000;
  const sigs = signalsAt(fs, 6);
  let maxConf = 0;
  for (const [name, x] of Object.entries(sigs)) {
    // (Another take of `programme` would not do: its notes and bars are the same whatever the seed.)
    const other = name === 'music' ? speechLike(fs, 6, 77) : programme({ sampleRate: fs, seconds: 6, channels: 1, seed: 42 })[0]!;
    for (const [what, y] of [['white noise', whiteNoise(x.length, -20, 99)], ['another programme', other]] as const) {
      const r = run(fs, x, y, 6);
      assert.ok(r.estimates >= 8, `${name} vs ${what}: ${r.estimates} estimates`);
      assert.is(r.stable, -1, `${name} vs ${what}: stable ${r.stable}`);
      assert.ok(r.maxConfidence < 0.36, `${name} vs ${what}: confidence reached ${r.maxConfidence.toFixed(2)}`);
      maxConf = Math.max(maxConf, r.maxConfidence);
    }
  }
  console.log(`  [latency] uncorrelated: highest confidence ${maxConf.toFixed(2)}`);
});

Reject('two unrelated steady tones (220 Hz reference, 330 Hz input) never change the latency', () => {
  const fs = 48000;
  const n = 8 * fs;
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / fs);
    b[i] = 0.1 * Math.sin((2 * Math.PI * 330 * i) / fs);
  }
  const r = run(fs, a, b, 8);
  assert.ok(r.estimates >= 12, `${r.estimates} estimates`);
  assert.is(r.stable, -1, `stable ${r.stable} (max confidence ${r.maxConfidence.toFixed(2)})`);
});

Reject('silence (either side) makes no estimate and no change', () => {
  const fs = 44100;
  const x = programme({ sampleRate: fs, seconds: 4, channels: 1 })[0]!;
  const zero = new Float32Array(x.length);
  for (const [what, ref, inp] of [['silent input', x, zero], ['silent reference', zero, x], ['both silent', zero, zero]] as const) {
    const r = run(fs, ref, inp, 4);
    assert.is(r.estimates, 0, what);
    assert.is(r.stable, -1, what);
    assert.is(r.confidence, 0, what);
  }
});
Reject.run();

const Transform = suite('sliced FFT');

Transform('forward and inverse transforms agree with a direct DFT, whatever the slice budget', () => {
  const e = fresh();
  const n = 256;
  const h = e.createFft(n);
  const x = whiteNoise(n, -10, 5);
  const y = whiteNoise(n, -10, 6);
  // Direct DFT.
  const dRe = new Float64Array(n);
  const dIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * j * k) / n;
      dRe[k] += x[j]! * Math.cos(a) - y[j]! * Math.sin(a);
      dIm[k] += x[j]! * Math.sin(a) + y[j]! * Math.cos(a);
    }
  }
  for (const budget of [1, 7, 100, 1 << 20]) {
    const re = new Float64Array(e.memory.buffer, e.fftRe(h), n);
    const im = new Float64Array(e.memory.buffer, e.fftIm(h), n);
    for (let j = 0; j < n; j++) {
      re[j] = x[j]!;
      im[j] = y[j]!;
    }
    const calls = e.fftRun(h, 0, budget);
    // n bit-reversal units + log2(n) * n/2 butterflies, in slices of `budget`.
    assert.ok(calls >= Math.ceil((n + 8 * (n / 2)) / budget), `budget ${budget}: ${calls} calls`);
    let err = 0;
    for (let k = 0; k < n; k++) err = Math.max(err, Math.abs(re[k]! - dRe[k]!), Math.abs(im[k]! - dIm[k]!));
    assert.ok(err < 1e-9, `budget ${budget}: forward error ${err}`);
    e.fftRun(h, 1, budget);
    let back = 0;
    for (let j = 0; j < n; j++) back = Math.max(back, Math.abs(re[j]! / n - x[j]!), Math.abs(im[j]! / n - y[j]!));
    assert.ok(back < 1e-12, `budget ${budget}: round trip error ${back}`);
  }
});
Transform.run();
