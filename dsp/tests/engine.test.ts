/**
 * The gain engine (dsp/engine.ts) driven directly through its WebAssembly exports (wam/engine-abi.ts), on plain
 * Float32Arrays. Expected values are worked out from the signals: sine loudness from the K-filter's analogue
 * design (standards.md, BS.1770-5 Annex 1), gains from amplitude ratios, slew and crossfade bounds from the
 * signals' own slopes.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compileDsp, instantiateDsp, type DspExports } from '../../lib/wasm.ts';
import { P, R, S, Mode, Detector, Follow, PARAM_COUNT, READOUT_COUNT } from '../../wam/engine-abi.ts';
import { Rng, programme } from './signals.ts';
import { Worst } from './helpers.ts';
import { LINK_CHANNEL_COUNT } from '../../wam/parameters.ts';

const FS = 48000;
const QUANTUM = 128;
const module = await compileDsp();
const w = new Worst('gain engine');

// ---------------------------------------------------------------------------------------------------------------
// Expected values

const db = (x: number): number => 20 * Math.log10(x);
const fromDb = (d: number): number => Math.pow(10, d / 20);

/** |H| in dB of one biquad (a0 = 1) at frequency f. */
function biquadDb(b: readonly number[], a: readonly number[], f: number, fs: number): number {
  const wv = (2 * Math.PI * f) / fs;
  const re = (c: readonly number[]): number => c[0]! + c[1]! * Math.cos(wv) + c[2]! * Math.cos(2 * wv);
  const im = (c: readonly number[]): number => -c[1]! * Math.sin(wv) - c[2]! * Math.sin(2 * wv);
  const num = Math.hypot(re(b), im(b));
  const den = Math.hypot(re(a), im(a));
  return db(num / den);
}

/** Gain of the K-filter at f (dB), from the analogue design quoted in standards.md. */
function kGainDb(f: number, fs = FS): number {
  let k = Math.tan((Math.PI * 1681.974450955533) / fs);
  const vh = Math.pow(10, 3.999843853973347 / 20);
  const vb = Math.pow(vh, 0.4996667741545416);
  const q1 = 0.7071752369554196;
  let a0 = 1 + k / q1 + k * k;
  const shelfB = [(vh + (vb * k) / q1 + k * k) / a0, (2 * (k * k - vh)) / a0, (vh - (vb * k) / q1 + k * k) / a0];
  const shelfA = [1, (2 * (k * k - 1)) / a0, (1 - k / q1 + k * k) / a0];
  k = Math.tan((Math.PI * 38.13547087602444) / fs);
  const q2 = 0.5003270373238773;
  a0 = 1 + k / q2 + k * k;
  const hpA = [1, (2 * (k * k - 1)) / a0, (1 - k / q2 + k * k) / a0];
  return biquadDb(shelfB, shelfA, f, fs) + biquadDb([1, -2, 1], hpA, f, fs);
}

/** BS.1770 loudness of a steady sine of peak `amp` at `f` in `channels` channels of weight 1. */
function sineLufs(amp: number, f: number, channels = 2): number {
  return -0.691 + 10 * Math.log10((channels * amp * amp) / 2) + kGainDb(f);
}

// ---------------------------------------------------------------------------------------------------------------
// A rig around one engine instance

/** Parameter slots by name (P is a const enum: its members cannot be looked up by a computed name). */
const SLOTS = {
  mode: P.mode, link: P.link, detector: P.detector, follow: P.follow, response: P.response, tolerance: P.tolerance,
  maxBoost: P.maxBoost, maxCut: P.maxCut, gate: P.gate, target: P.target, offset: P.offset, latency: P.latency,
  ceiling: P.ceiling, ceilingOn: P.ceilingOn, listen: P.listen, bypass: P.bypass,
  ceilingInMatch: P.ceilingInMatch, autoLock: P.autoLock, autoLatency: P.autoLatency,
} as const;
type Params = Partial<Record<keyof typeof SLOTS, number>>;

type Gen = (t: number, c: number) => number;
const sine = (amp: number, f: number, phase = 0): Gen => (t) => amp * Math.sin((2 * Math.PI * f * t) / FS + phase);
const silent: Gen = () => 0;

interface RunOptions {
  /** Reference audio; null = referenceValid 0. */
  reference?: Gen | null;
  /** Frames per call: a number, or a function giving each call's size. */
  frames?: number | (() => number);
  /** Called after every call with the samples written (before sanitising), the output and the reference. */
  onBlock?: (n: number, input: Float32Array[], output: Float32Array[], reference: Float32Array[]) => void;
}

class Rig {
  readonly d: DspExports;
  readonly h: number;
  /** Sample clock: the index of the next frame. */
  t = 0;
  inChannels = 2;
  refChannels = 2;
  private readonly written: Float32Array[];
  private readonly writtenRef: Float32Array[];

  constructor(readonly maxFrames = QUANTUM, params: Params = {}) {
    this.d = instantiateDsp(module);
    this.h = this.d.createEngine(FS, maxFrames);
    assert.ok(this.h !== 0, 'createEngine');
    this.written = Array.from({ length: 8 }, () => new Float32Array(maxFrames));
    this.writtenRef = Array.from({ length: 8 }, () => new Float32Array(maxFrames));
    // Neutral defaults for the tests: no ceiling, wide range, match on short-term.
    this.set({ mode: Mode.match, detector: Detector.shortTerm, follow: Follow.continuous, response: 2, tolerance: 0.5, maxBoost: 30, maxCut: 30, gate: -70, ceilingOn: 0, listen: 0, bypass: 0, offset: 0 });
    this.set(params);
  }

  set(params: Params): void {
    for (const [k, v] of Object.entries(params)) this.d.engineSetParam(this.h, SLOTS[k as keyof typeof SLOTS], v!);
  }

  channels(input: number, reference: number): void {
    this.inChannels = input;
    this.refChannels = reference;
    this.d.engineSetChannels(this.h, input, reference);
  }

  private view(ptr: number, n: number): Float32Array {
    return new Float32Array(this.d.memory.buffer, ptr, n);
  }

  input(c: number, n = this.maxFrames): Float32Array {
    return this.view(this.d.engineInput(this.h, c), n);
  }

  reference(c: number, n = this.maxFrames): Float32Array {
    return this.view(this.d.engineReference(this.h, c), n);
  }

  output(c: number, n = this.maxFrames): Float32Array {
    return this.view(this.d.engineOutput(this.h, c), n);
  }

  /** One call of n frames. */
  step(n: number, input: Gen, reference: Gen | null = null): void {
    for (let c = 0; c < this.inChannels; c++) {
      const x = this.input(c, n);
      const keep = this.written[c]!;
      for (let i = 0; i < n; i++) keep[i] = x[i] = input(this.t + i, c);
    }
    if (reference !== null) {
      for (let c = 0; c < this.refChannels; c++) {
        const x = this.reference(c, n);
        const keep = this.writtenRef[c]!;
        for (let i = 0; i < n; i++) keep[i] = x[i] = reference(this.t + i, c);
      }
    }
    this.d.engineProcess(this.h, n, reference === null ? 0 : 1);
    this.t += n;
  }

  /** Runs `seconds` of audio; returns the OR of the status bits seen after each call. */
  run(seconds: number, input: Gen, opts: RunOptions = {}): number {
    const end = this.t + Math.round(seconds * FS);
    const reference = opts.reference === undefined ? null : opts.reference;
    let statusSeen = 0;
    while (this.t < end) {
      const want = typeof opts.frames === 'function' ? opts.frames() : (opts.frames ?? this.maxFrames);
      const n = Math.min(want, end - this.t, this.maxFrames);
      this.step(n, input, reference);
      if (opts.onBlock) {
        const ins = this.written.slice(0, this.inChannels).map((a) => a.subarray(0, n));
        const outs = Array.from({ length: this.inChannels }, (_, c) => this.output(c, n));
        const refs = this.writtenRef.slice(0, this.refChannels).map((a) => a.subarray(0, n));
        opts.onBlock(n, ins, outs, refs);
      }
      statusSeen |= this.readout()[R.status]!;
    }
    return statusSeen;
  }

  readout(): Float64Array {
    return new Float64Array(this.d.memory.buffer, this.d.engineUpdateReadout(this.h), READOUT_COUNT).slice();
  }

  get gain(): number {
    return this.readout()[R.engineGain]!;
  }

  get applied(): number {
    return this.readout()[R.gainApplied]!;
  }

  get status(): number {
    return this.readout()[R.status]!;
  }
}

const has = (status: number, bit: number): boolean => (status & bit) !== 0;

/** Loudness of a stereo 997 Hz sine at `amp`: exactly what a -20 dB copy must be matched against. */
const A_REF = fromDb(-18);

// ---------------------------------------------------------------------------------------------------------------
const abi = suite('engine ABI');

abi('counts agree with wam/engine-abi.ts; bad arguments give handle 0', () => {
  const d = instantiateDsp(module);
  assert.is(d.engineParamCount(), PARAM_COUNT);
  assert.is(d.engineReadoutCount(), READOUT_COUNT);
  assert.is(Object.keys(SLOTS).length, PARAM_COUNT);
  assert.is(d.createEngine(7999, 128), 0);
  assert.is(d.createEngine(384001, 128), 0);
  assert.is(d.createEngine(NaN, 128), 0);
  assert.is(d.createEngine(48000, 0), 0);
  const h = d.createEngine(48000, 128);
  assert.ok(h !== 0);
  for (let c = 0; c < 8; c++) {
    assert.ok(d.engineInput(h, c) !== 0 && d.engineReference(h, c) !== 0 && d.engineOutput(h, c) !== 0);
  }
  assert.is(d.engineInput(h, 8), 0);
  // A handle of 0 is ignored rather than scribbling over memory.
  d.engineProcess(0, 128, 1);
  d.engineSetParam(0, 0, 1);
  assert.is(d.engineUpdateReadout(0), 0);
});

abi('a fresh engine reads silence: -Infinity loudness, gain 0, gated', () => {
  const rig = new Rig();
  const r = rig.readout();
  for (const slot of [R.inM, R.inS, R.inI, R.refM, R.outM, R.truePeakIn, R.inRms]) assert.is(r[slot], -Infinity, `slot ${slot}`);
  assert.is(r[R.engineGain], 0);
  assert.is(r[R.estimateSeconds], 0);
  rig.run(0.2, silent, { reference: silent });
  assert.ok(has(rig.status, S.gated), 'silence holds the gain (gated)');
  assert.is(rig.gain, 0);
  // Equal programme on both sides: the first estimate (from the first block on) says 0 dB.
  rig.run(0.2, sine(0.1, 997), { reference: sine(0.1, 997) });
  assert.ok(!has(rig.status, S.gated) && has(rig.status, S.acquiring), 'acquiring, not gated');
  assert.ok(Math.abs(rig.gain) < 1e-6, `gain ${rig.gain}`);
});

abi('first estimate: a fresh match is at the static gain from its first block, with no burst', () => {
  const rig = new Rig(QUANTUM, { maxBoost: 30 });
  // The input is the reference +12 dB: the wanted gain is exactly -12 dB from the first block on.
  let worst = -Infinity;
  rig.run(0.4, sine(4 * 0.05, 997), {
    reference: sine(0.05, 997),
    onBlock: (n, ins, outs, refs) => {
      let eo = 0;
      let er = 0;
      for (let i = 0; i < n; i++) {
        eo += outs[0]![i]! ** 2;
        er += refs[0]![i]! ** 2;
      }
      worst = Math.max(worst, 10 * Math.log10(eo / er));
    },
  });
  w.note('fresh match +12 dB: loudest block over the reference (dB)', worst);
  assert.ok(worst < 0.01, `a block ${worst.toFixed(3)} dB over the reference`);
  assert.ok(Math.abs(rig.applied + 20 * Math.log10(4)) < 1e-6, `applied ${rig.applied}`);
});

abi('link 1..LINK_CHANNEL_COUNT (256): a move between two links past 16 is another reference, measured afresh; past the top it clamps', () => {
  const d = instantiateDsp(module);
  const h = d.createEngine(FS, QUANTUM);
  d.engineSetChannels(h, 2, 2);
  const set = (slot: number, v: number) => d.engineSetParam(h, slot, v);
  set(P.mode, Mode.match);
  set(P.autoLatency, 1);
  const src = programme({ sampleRate: FS, seconds: 3, channels: 2 });
  const delay = 300;
  const detected = () => new Float64Array(d.memory.buffer, d.engineUpdateReadout(h), READOUT_COUNT)[R.latencyDetected]!;
  /** 3 s of programme through a 300-frame delay, the unaligned reference fed as the processor feeds it. */
  const detect = (): void => {
    for (let s = 0; s + QUANTUM <= src[0]!.length; s += QUANTUM) {
      const lat = d.engineLatencyFrames(h);
      for (let c = 0; c < 2; c++) {
        const inp = new Float32Array(d.memory.buffer, d.engineInput(h, c), QUANTUM);
        const ref = new Float32Array(d.memory.buffer, d.engineReference(h, c), QUANTUM);
        for (let i = 0; i < QUANTUM; i++) {
          const f = s + i;
          inp[i] = f >= delay ? src[c]![f - delay]! : 0;
          ref[i] = f >= lat ? src[c]![f - lat]! : 0;
        }
      }
      new Float32Array(d.memory.buffer, d.engineLatencyReference(h), QUANTUM).set(src[0]!.subarray(s, s + QUANTUM));
      new Float32Array(d.memory.buffer, d.engineLatencyReferenceB(h), QUANTUM).set(src[1]!.subarray(s, s + QUANTUM));
      d.engineProcess(h, QUANTUM, 1);
    }
  };
  set(P.link, 17);
  detect();
  assert.is(detected(), delay, 'found on link 17');
  set(P.link, 17);
  assert.is(detected(), delay, 'the same link: kept');
  set(P.link, 18);
  assert.ok(Number.isNaN(detected()), `link 18: measured afresh (${detected()})`);
  const top = LINK_CHANNEL_COUNT;
  set(P.link, top);
  detect();
  assert.is(detected(), delay, `found on link ${top}`);
  set(P.link, top + 1);
  set(P.link, 1e6);
  assert.is(detected(), delay, 'past the top: clamped to it, the same link');
  set(P.link, top - 1);
  assert.ok(Number.isNaN(detected()), `link ${top - 1}: measured afresh`);
});

// ---------------------------------------------------------------------------------------------------------------
const reference = suite('reference mode');

reference('passes audio bit-exact (irregular call sizes, values beyond full scale), readings mirror the input', () => {
  const rig = new Rig(QUANTUM, { mode: Mode.reference });
  const rng = new Rng(7);
  let compared = 0;
  rig.run(3, () => rng.uniform() * 1.5, {
    frames: () => 1 + Math.floor(rng.next() * QUANTUM),
    onBlock: (n, ins, outs) => {
      for (let c = 0; c < 2; c++) for (let i = 0; i < n; i++) assert.is(outs[c]![i], ins[c]![i]);
      compared += 2 * n;
    },
  });
  const r = rig.readout();
  assert.is(compared, 2 * 3 * FS);
  assert.is(r[R.gainApplied], 0);
  for (const [a, b] of [[R.refM, R.inM], [R.outM, R.inM], [R.refS, R.inS], [R.outI, R.inI], [R.truePeakOut, R.truePeakIn], [R.refRms, R.inRms]] as const) {
    assert.is(r[a], r[b]);
  }
  assert.ok(Number.isFinite(r[R.inM]!));
});

reference('a gain left from match mode fades out at the slew rate, then the copy is bit-exact', () => {
  const rig = new Rig();
  rig.d.engineSetGain(rig.h, 6, 1);
  assert.is(rig.applied, 6);
  rig.set({ mode: Mode.reference });
  const x = sine(0.3, 440);
  let firstExact = -1;
  const start = rig.t;
  rig.run(0.1, x, {
    onBlock: (n, ins, outs) => {
      let exact = true;
      for (let i = 0; i < n; i++) if (outs[0]![i] !== ins[0]![i]) exact = false;
      if (exact && firstExact < 0) firstExact = rig.t - n - start;
    },
  });
  // 6 dB at 0.009 dB per sample: 667 samples, i.e. the 6th 128-frame call.
  assert.is(firstExact, Math.ceil(Math.ceil(6 / 0.009) / QUANTUM) * QUANTUM);
  assert.is(rig.applied, 0);
});

// ---------------------------------------------------------------------------------------------------------------
const match = suite('match');

for (const delta of [20, -20]) {
  match(`short-term match of a ${delta > 0 ? '-20' : '+20'} dB copy converges to ${delta} dB within 0.2 dB after 8 s`, () => {
    const rig = new Rig(QUANTUM, { maxBoost: 30, maxCut: 30, detector: Detector.shortTerm, response: 2 });
    const aIn = A_REF / fromDb(delta);
    rig.run(8, sine(aIn, 997), { reference: sine(A_REF, 997) });
    const r = rig.readout();
    const expected = db(A_REF / aIn);
    w.note('match 8 s: engine gain - expected (dB)', r[R.engineGain]! - expected);
    assert.ok(Math.abs(r[R.engineGain]! - expected) <= 0.2, `engine gain ${r[R.engineGain]} vs ${expected}`);
    assert.ok(Math.abs(r[R.gainApplied]! - expected) <= 0.2, `applied ${r[R.gainApplied]}`);
    // The meters agree with BS.1770 for these sines, and the output now reads like the reference.
    assert.ok(Math.abs(r[R.refS]! - sineLufs(A_REF, 997)) < 0.05, `reference S ${r[R.refS]} vs ${sineLufs(A_REF, 997)}`);
    assert.ok(Math.abs(r[R.inS]! - sineLufs(aIn, 997)) < 0.05, `input S ${r[R.inS]}`);
    w.note('match 8 s: output S - reference S (LU)', r[R.outS]! - r[R.refS]!);
    assert.ok(Math.abs(r[R.outM]! - r[R.refM]!) < 0.2, `output M ${r[R.outM]} vs reference ${r[R.refM]}`);
    assert.ok(!has(r[R.status]!, S.tracking), 'tracking has stopped (converged fully)');
  });
}

match('first estimate forgets an effect\'s start-up: +6 dB for the first 100 ms, then a static -6 dB: within 0.3 dB of +6 dB at 2.5 s', () => {
  const rig = new Rig(QUANTUM, { mode: Mode.match, detector: Detector.shortTerm });
  const ref = sine(A_REF, 997);
  const input: Gen = (t, c) => ref(t, c) * (t < 0.1 * FS ? 2 : 0.5);
  rig.run(2.5, input, { reference: ref });
  const expected = -db(0.5);
  // Without forgetting, the mean since the start (the 100 ms at +6 dB in it) would still ask for 4.0 dB here.
  w.note('match, start-up transient: gain at 2.5 s - static match (dB)', rig.gain - expected);
  assert.ok(Math.abs(rig.gain - expected) < 0.3, `gain ${rig.gain} vs ${expected}`);
});

match('sidechain mode matches like match mode; single-frame and irregular calls give the same gain', () => {
  const aIn = A_REF / fromDb(9);
  const a = new Rig(QUANTUM, { mode: Mode.sidechain });
  a.run(6, sine(aIn, 997), { reference: sine(A_REF, 997) });
  const rng = new Rng(3);
  const b = new Rig(QUANTUM, { mode: Mode.sidechain });
  b.run(6, sine(aIn, 997), { reference: sine(A_REF, 997), frames: () => (rng.next() < 0.3 ? 1 : 1 + Math.floor(rng.next() * QUANTUM)) });
  assert.ok(Math.abs(a.gain - 9) < 0.05, `sidechain gain ${a.gain}`);
  w.note('irregular calls: gain difference (dB)', b.gain - a.gain);
  assert.ok(Math.abs(b.gain - a.gain) < 0.05, `irregular calls ${b.gain} vs ${a.gain}`);
});

match('tolerance 0.5 dB: once matched, a 0.3 dB change does not move the gain; 0.8 dB does, and converges fully', () => {
  // First acquisition: the deadband is off until the detector has measured two of its windows (2 x 3 s) and the
  // gain has converged, so the first match is exact even when the error starts inside the tolerance.
  const small = new Rig(QUANTUM, { tolerance: 0.5 });
  small.run(8, sine(A_REF / fromDb(0.3), 997), { reference: sine(A_REF, 997) });
  w.note('tolerance: acquisition of a 0.3 dB error (dB)', small.gain - 0.3);
  assert.ok(Math.abs(small.gain - 0.3) < 0.011, `acquired ${small.gain}`);
  // Then the input changes by 0.3 dB: inside the deadband, the gain does not move at all.
  const g0 = small.gain;
  const s1 = small.run(8, sine(A_REF / fromDb(0.6), 997), { reference: sine(A_REF, 997) });
  assert.is(small.gain, g0, 'gain stays exactly where it was');
  assert.ok(!has(s1, S.tracking), 'never tracked');
  assert.ok(Math.abs(small.readout()[R.gainWanted]! - 0.6) < 0.01, 'but the wanted gain is 0.6');
  // A change of 0.8 dB leaves the deadband: the gain tracks and converges fully (not just to the band's edge).
  const s2 = small.run(8, sine(A_REF / fromDb(1.1), 997), { reference: sine(A_REF, 997) });
  assert.ok(has(s2, S.tracking), 'tracked');
  w.note('tolerance: 0.8 dB change, final gain - 1.1', small.gain - 1.1);
  assert.ok(Math.abs(small.gain - 1.1) < 0.011, `converged to ${small.gain}`);
  assert.ok(!has(small.status, S.tracking), 'and stopped tracking');
});

match('gate: silence on either side holds the gain exactly (status gated)', () => {
  const rig = new Rig(QUANTUM, { gate: -50 });
  const aIn = A_REF / fromDb(6);
  rig.run(6, sine(aIn, 997), { reference: sine(A_REF, 997) });
  const g = rig.gain;
  assert.ok(Math.abs(g - 6) < 0.05);
  // The gate reads the momentary loudness, which takes up to 400 ms to fall below it; meanwhile the short-term
  // reading sags by at most 10 log10(2.6 / 3) = 0.62 dB.
  rig.run(0.5, silent, { reference: sine(A_REF, 997) });
  const g1 = rig.gain;
  w.note('gate: drift while the momentary window drains (dB)', g1 - g);
  assert.ok(Math.abs(g1 - g) < 0.62, `drift ${g1 - g}`);
  const s1 = rig.run(5, silent, { reference: sine(A_REF * 4, 997) });
  assert.is(rig.gain, g1, 'input silent: held exactly');
  assert.ok(has(s1, S.gated) && has(rig.status, S.gated));
  rig.run(6, sine(aIn, 997), { reference: sine(A_REF, 997) });
  const g2 = rig.gain;
  assert.ok(Math.abs(g2 - 6) <= 0.5, `resumes, within the tolerance: ${g2}`);
  rig.run(0.5, sine(aIn, 997), { reference: silent });
  const g3 = rig.gain;
  const s2 = rig.run(5, sine(aIn * 4, 997), { reference: silent });
  assert.is(rig.gain, g3, 'reference silent: held exactly');
  assert.ok(has(s2, S.gated));
  // A missing reference (referenceValid 0) holds too; the processor reports it (no gated bit needed).
  rig.run(3, sine(aIn * 8, 997), { reference: null });
  assert.is(rig.gain, g3, 'no reference: held');
});

match('maxBoost / maxCut clamp the gain, with status atRangeLimit', () => {
  const boost = new Rig(QUANTUM, { maxBoost: 6 });
  const s1 = boost.run(6, sine(A_REF / 10, 997), { reference: sine(A_REF, 997) });
  assert.ok(Math.abs(boost.gain - 6) < 0.011, `boost ${boost.gain}`);
  assert.is(boost.readout()[R.gainWanted], 6);
  assert.ok(has(s1, S.atRangeLimit));
  const cut = new Rig(QUANTUM, { maxCut: 3 });
  const s2 = cut.run(6, sine(A_REF, 997), { reference: sine(A_REF / 10, 997) });
  assert.ok(Math.abs(cut.gain + 3) < 0.011, `cut ${cut.gain}`);
  assert.ok(has(s2, S.atRangeLimit));
  // Parameter values beyond the range are clamped (maxBoost 100 -> 40); NaN is ignored.
  const wide = new Rig(QUANTUM, { maxBoost: 100, response: 0.5 });
  wide.set({ maxBoost: NaN });
  wide.run(6, sine(A_REF / fromDb(50), 997), { reference: sine(A_REF, 997) });
  assert.ok(Math.abs(wide.gain - 40) < 0.011, `clamped at 40 dB, got ${wide.gain}`);
});

match('offset adds to the matched gain', () => {
  const rig = new Rig(QUANTUM, { offset: -3 });
  rig.run(7, sine(A_REF / fromDb(5), 997), { reference: sine(A_REF, 997) });
  assert.ok(Math.abs(rig.gain - 2) < 0.05, `gain ${rig.gain}`);
});

match('momentary and integrated detectors', () => {
  for (const detector of [Detector.momentary, Detector.integrated]) {
    const rig = new Rig(QUANTUM, { detector });
    rig.run(7, sine(A_REF / fromDb(-7), 997), { reference: sine(A_REF, 997) });
    assert.ok(Math.abs(rig.gain + 7) < 0.05, `detector ${detector}: ${rig.gain}`);
  }
});

match('rms detector is unweighted: 50 Hz vs 1 kHz at equal amplitude match at 0 dB; short-term sees the K-filter', () => {
  const a = 0.1;
  const expectedK = kGainDb(1000) - kGainDb(50); // what the K-weighted detector must ask for
  const rms = new Rig(QUANTUM, { detector: Detector.rms, tolerance: 3 });
  rms.run(4, sine(a, 50), { reference: sine(a, 1000) });
  const r = rms.readout();
  w.note('rms 50 Hz vs 1 kHz: wanted gain (dB)', r[R.gainWanted]!);
  assert.ok(Math.abs(r[R.gainWanted]!) < 0.02, `rms wanted ${r[R.gainWanted]}`);
  const expectedRms = -0.691 + 10 * Math.log10(a * a); // two channels of mean square a^2/2
  assert.ok(Math.abs(r[R.inRms]! - expectedRms) < 0.01, `inRms ${r[R.inRms]} vs ${expectedRms}`);
  assert.ok(Math.abs(r[R.refRms]! - expectedRms) < 0.01, `refRms ${r[R.refRms]}`);
  const k = new Rig(QUANTUM, { detector: Detector.shortTerm, tolerance: 3 });
  k.run(4, sine(a, 50), { reference: sine(a, 1000) });
  const wk = k.readout()[R.gainWanted]!;
  w.note('short-term 50 Hz vs 1 kHz: wanted - K difference (dB)', wk - expectedK);
  assert.ok(expectedK > 1, `the K-filter weights 50 Hz ${expectedK.toFixed(2)} dB below 1 kHz`);
  assert.ok(Math.abs(wk - expectedK) < 0.05, `short-term wanted ${wk} vs ${expectedK}`);
});

// ---------------------------------------------------------------------------------------------------------------
const target = suite('target mode');

target('reaches the target within 0.5 LU in 10 s; ref readings show the target', () => {
  const aIn = 0.05; // ~ -26 LUFS stereo
  const rig = new Rig(QUANTUM, { mode: Mode.target, target: -16, detector: Detector.shortTerm });
  rig.run(10, sine(aIn, 997));
  const r = rig.readout();
  const expectedGain = -16 - sineLufs(aIn, 997);
  w.note('target 10 s: output S - target (LU)', r[R.outS]! + 16);
  assert.ok(Math.abs(r[R.outS]! + 16) < 0.5, `output S ${r[R.outS]}`);
  assert.ok(Math.abs(r[R.outM]! + 16) < 0.5, `output M ${r[R.outM]}`);
  assert.ok(Math.abs(r[R.engineGain]! - expectedGain) < 0.1, `gain ${r[R.engineGain]} vs ${expectedGain}`);
  assert.is(r[R.refS], -16);
  assert.is(r[R.refM], -16);
});

target('first estimate: within 1 dB of the wanted gain 1 s after the programme starts (after 0.5 s of silence)', () => {
  const rig = new Rig(QUANTUM, { mode: Mode.target, target: -16, detector: Detector.shortTerm });
  const expected = -16 - sineLufs(0.05, 997);
  const s = rig.run(0.5, silent);
  assert.ok(has(s, S.gated) && rig.gain === 0, 'silence: gated, no movement');
  rig.run(1, sine(0.05, 997));
  w.note('target first estimate at 1 s: gain - wanted (dB)', rig.applied - expected);
  assert.ok(Math.abs(rig.applied - expected) < 1, `applied ${rig.applied} vs ${expected}`);
  const r = rig.readout();
  assert.ok(Math.abs(r[R.estimateSeconds]! - 1) < 0.01, `estimateSeconds ${r[R.estimateSeconds]}`);
});

target('short-term detector: pauses do not count (tone 0.6 s on, 0.4 s silent): the gain matches the tone, not the tone diluted by 2.2 dB', () => {
  const aIn = 0.05;
  const rig = new Rig(QUANTUM, { mode: Mode.target, target: -16, detector: Detector.shortTerm, tolerance: 0.1 });
  const tone = sine(aIn, 997);
  const gated: Gen = (t, c) => ((t % FS) < 0.6 * FS ? tone(t, c) : 0);
  rig.run(10, gated);
  const expected = -16 - sineLufs(aIn, 997);
  const ungated = expected - 10 * Math.log10(0.6); // what a short-term window counting the pauses asks for
  w.note('target, 40 % pauses: gain - the tone\'s gain (dB)', rig.gain - expected);
  // The window counts 100 ms slots: the two slots a tone's edges cut count in part (at most 2 slots' frames
  // for 1 slot's energy over 7 slots, -0.67 dB), so the gain sits a few tenths of a dB high, not 2.2 dB.
  assert.ok(Math.abs(rig.gain - expected) < 0.5, `gain ${rig.gain} vs ${expected} (ungated ${ungated})`);
});

target('a 4 dB step under a bar pattern (momentary +-2.5 LU): the second\'s level tells it, settled within 2 s (2.84 s by the momentary band alone); the steady pattern does not move the gain', () => {
  // Beats of 250 ms alternating between two levels 5 dB apart: the momentary window swings by about +-2.5 LU
  // around the pattern's loudness, inside target mode's 6 dB momentary band, while a second holds 2 bars.
  const aLow = 0.03;
  const beat = (t: number): number => (Math.floor(t / (0.25 * FS)) % 2 === 0 ? 1 : fromDb(5));
  const step = 16 * FS; // the +4 dB step, frames
  const x: Gen = (t, c) => sine(aLow, 997)(t, c) * beat(t) * (t >= step ? fromDb(4) : 1);
  const rig = new Rig(QUANTUM, { mode: Mode.target, target: -16, detector: Detector.shortTerm });
  const patternLufs = sineLufs(aLow, 997) + 10 * Math.log10((1 + fromDb(5) ** 2) / 2);
  const before = -16 - patternLufs;
  const after = before - 4;
  rig.run(8, x);
  let lo = Infinity;
  let hi = -Infinity;
  rig.run(8, x, { onBlock: () => { const g = rig.applied; lo = Math.min(lo, g); hi = Math.max(hi, g); } });
  w.note('bar pattern, steady 8-16 s: applied gain spread (dB)', hi - lo);
  assert.ok(hi - lo < 0.2, `steady pattern: gain ${lo.toFixed(2)} .. ${hi.toFixed(2)} dB`);
  assert.ok(Math.abs(rig.applied - before) < 0.5, `gain ${rig.applied} vs ${before}`);
  // Settled: within 1 dB of the new gain from some time on, for the rest of 4 s.
  const gains: number[] = [];
  rig.run(4, x, { onBlock: () => gains.push(rig.applied) });
  let settledAt = Infinity;
  for (let k = gains.length - 1; k >= 0 && Math.abs(gains[k]! - after) <= 1; k--) settledAt = (k * QUANTUM) / FS;
  w.note('4 dB step under the bar pattern: settled after (s)', settledAt);
  assert.ok(settledAt <= 2, `settled ${settledAt.toFixed(2)} s after the step (gain ${gains[gains.length - 1]?.toFixed(2)} vs ${after.toFixed(2)})`);
});

target('-80 LUFS noise for 10 s raises the gain by less than 1 dB (gate)', () => {
  const rng = new Rng(11);
  const amp = fromDb(-80);
  const rig = new Rig(QUANTUM, { mode: Mode.target, target: -16, gate: -50, detector: Detector.momentary });
  const s = rig.run(10, () => amp * rng.gaussian());
  const r = rig.readout();
  assert.ok(r[R.inM]! < -70, `input M ${r[R.inM]}`);
  w.note('-80 LUFS noise: gain after 10 s (dB)', r[R.engineGain]!);
  assert.ok(r[R.engineGain]! < 1, `gain ${r[R.engineGain]}`);
  assert.ok(has(s, S.gated));
});

// ---------------------------------------------------------------------------------------------------------------
const ceiling = suite('true-peak ceiling');

ceiling('limits boost so the output true peak stays under the ceiling (+0.1 dB); a new peak acts at once, and is released after 1.1 s', () => {
  const aIn = 0.05; // -26 dBFS peak: 20 dB boost would put it at -6 dBTP
  const rig = new Rig(QUANTUM, { mode: Mode.target, target: -6, detector: Detector.shortTerm, ceilingOn: 1, ceiling: -12 });
  const s = rig.run(10, sine(aIn, 997));
  const r = rig.readout();
  const cap = -12 - r[R.truePeakIn]!;
  assert.ok(Math.abs(r[R.truePeakIn]! - db(aIn)) < 0.05, `input true peak ${r[R.truePeakIn]}`);
  assert.ok(has(s, S.atCeiling), 'atCeiling');
  // The engine gain follows the target; the ceiling limits what is applied, and the readout says by how much.
  assert.ok(r[R.gainApplied]! <= cap && r[R.gainApplied]! > cap - 0.011, `applied ${r[R.gainApplied]} vs cap ${cap}`);
  assert.ok(Math.abs(r[R.ceilingReduction]! - (r[R.engineGain]! - cap)) < 0.011, `reduction ${r[R.ceilingReduction]}`);
  w.note('ceiling: output true peak - ceiling (dB)', r[R.truePeakOut]! + 12);
  assert.ok(r[R.truePeakOut]! <= -12 + 0.1, `output true peak ${r[R.truePeakOut]}`);

  // One louder block (a 4x click): the applied gain steps down at that block's first sample, so even that
  // block's output stays under the ceiling.
  const before = rig.applied;
  let blockPeak = 0;
  rig.run(QUANTUM / FS, (t) => (t % 480 === 0 ? 4 * aIn : aIn * Math.sin((2 * Math.PI * 997 * t) / FS)), {
    onBlock: (n, _ins, outs) => {
      for (let i = 0; i < n; i++) blockPeak = Math.max(blockPeak, Math.abs(outs[0]![i]!));
    },
  });
  const after = rig.applied;
  assert.ok(Math.abs(after - (before - db(4))) < 0.2, `applied ${before} -> ${after}`);
  assert.ok(db(blockPeak) <= -12 + 0.1, `the click's block peaks at ${db(blockPeak).toFixed(2)} dBFS`);
  // ... it is remembered for 1 s at least, and stops limiting within 1.1 s (CEILING_HOLD_SECONDS).
  rig.run(0.95, sine(aIn, 997));
  assert.ok(Math.abs(rig.applied - after) < 0.01, 'still limited after 0.95 s');
  rig.run(0.25, sine(aIn, 997));
  assert.ok(Math.abs(rig.applied - before) < 0.01, `released after 1.2 s: ${rig.applied}`);
});

ceiling('never forces a cut: a signal above the ceiling gets 0 dB, not less', () => {
  const rig = new Rig(QUANTUM, { mode: Mode.target, target: -6, ceilingOn: 1, ceiling: -20 });
  rig.run(6, sine(0.5, 997));
  assert.ok(Math.abs(rig.applied) < 0.011, `applied ${rig.applied}`);
});

ceiling('applies in match mode only with ceilingInMatch on', () => {
  // The input is the reference -14 dB at -12 dBFS peak: matching needs +14 dB, the ceiling (-6 dBTP) allows +6.
  const run = (inMatch: number): number => {
    const rig = new Rig(QUANTUM, { mode: Mode.match, ceilingOn: 1, ceiling: -6, ceilingInMatch: inMatch });
    rig.run(4, sine(fromDb(-12), 997), { reference: sine(fromDb(2), 997) });
    return rig.applied;
  };
  assert.ok(Math.abs(run(0) - 14) < 0.05, `off: applied ${run(0)}`);
  assert.ok(Math.abs(run(1) - 6) < 0.05, `on: applied ${run(1)}`);
});

// ---------------------------------------------------------------------------------------------------------------
const smooth = suite('smoothness');

/** Per-sample gain (dB) from out/in, where the input is large enough for the ratio to be exact to ~1e-6 dB. */
function gainSteps(rig: Rig, seconds: number, x: Gen, frames: number | (() => number)): { maxStep: number; gains: number[] } {
  let prev = NaN; // gain of the previous sample, NaN when that sample was too small to measure
  let maxStep = 0;
  const gains: number[] = [];
  rig.run(seconds, x, {
    frames,
    onBlock: (n, ins, outs) => {
      for (let i = 0; i < n; i++) {
        const xi = ins[0]![i]!;
        if (Math.abs(xi) < 0.05) {
          prev = NaN;
          continue;
        }
        const g = db(outs[0]![i]! / xi);
        if (!Number.isNaN(prev)) maxStep = Math.max(maxStep, Math.abs(g - prev));
        prev = g;
        gains.push(g);
      }
    },
  });
  return { maxStep, gains };
}

smooth('no per-sample gain step exceeds 0.01 dB (out/in ratio of a sine, irregular calls, +-20 dB jumps)', () => {
  const rng = new Rng(5);
  const rig = new Rig(QUANTUM, { follow: Follow.hold, mode: Mode.target });
  // A 1 Hz-spaced sine pair would dip; a steady sine at 0.3 with |x| >= 0.05 covers most samples.
  const x = sine(0.3, 997);
  const frames = (): number => 1 + Math.floor(rng.next() * QUANTUM);
  rig.d.engineSetGain(rig.h, 20, 0);
  const up = gainSteps(rig, 0.1, x, frames);
  rig.d.engineSetGain(rig.h, -20, 0);
  const down = gainSteps(rig, 0.15, x, frames);
  rig.set({ bypass: 1 });
  const bypass = gainSteps(rig, 0.1, x, frames);
  const worst = Math.max(up.maxStep, down.maxStep, bypass.maxStep);
  w.note('max per-sample gain step (dB)', worst);
  assert.ok(worst <= 0.01, `max step ${worst}`);
  // Each ramp gets where it is going: +20, -20, 0.
  assert.ok(Math.abs(up.gains.at(-1)! - 20) < 1e-4 && Math.abs(down.gains.at(-1)! + 20) < 1e-4 && Math.abs(bypass.gains.at(-1)!) < 1e-4);
  assert.ok(has(rig.status, S.bypassed));
});

smooth('the applied gain moves <= 0.009 dB per single-frame call (engine readout)', () => {
  const rig = new Rig(1, { follow: Follow.hold, mode: Mode.target });
  rig.d.engineSetGain(rig.h, 10, 0);
  let prev = rig.applied;
  let maxStep = 0;
  let calls = 0;
  while (Math.abs(rig.applied - 10) > 0 && calls < 5000) {
    rig.step(1, sine(0.1, 997));
    const a = rig.applied;
    maxStep = Math.max(maxStep, Math.abs(a - prev));
    prev = a;
    calls++;
  }
  assert.is(rig.applied, 10);
  assert.is(calls, Math.ceil(10 / 0.009));
  assert.ok(maxStep <= 0.009 + 1e-12, `max step ${maxStep}`);
});

/** Largest |out[i] - out[i-1]| over a run, across call boundaries. */
function maxDelta(rig: Rig, seconds: number, x: Gen, ref: Gen | null): number {
  let prev = NaN;
  let m = 0;
  rig.run(seconds, x, {
    reference: ref,
    onBlock: (n, _ins, outs) => {
      for (let i = 0; i < n; i++) {
        const y = outs[0]![i]!;
        if (!Number.isNaN(prev)) m = Math.max(m, Math.abs(y - prev));
        prev = y;
      }
    },
  });
  return m;
}

smooth('bypass and listen crossfades have no step: the output moves no faster than its sources allow', () => {
  const f = 100;
  const aIn = 0.05;
  const aRef = 0.5;
  const slope = (a: number): number => 2 * Math.PI * f / FS * a; // largest sample-to-sample change of a sine
  const rig = new Rig(QUANTUM, { maxBoost: 30 });
  const x = sine(aIn, f);
  const ref = sine(aRef, f, 2); // out of phase with the input: a hard switch would jump by ~aRef
  rig.run(8, x, { reference: ref });
  const g = fromDb(rig.applied);
  assert.ok(Math.abs(db(g) - 20) < 0.2);
  const steady = maxDelta(rig, 0.1, x, ref);
  // Listen: out = (1 - X) in g + X ref, X moving 1/960 per sample.
  rig.set({ listen: 1 });
  const listenOn = maxDelta(rig, 0.1, x, ref);
  assert.ok(has(rig.status, S.listeningReference));
  // Fully faded: the output is the reference itself.
  rig.run(0.01, x, { reference: ref, onBlock: (n, _i, outs, refs) => { for (let i = 0; i < n; i++) assert.is(outs[0]![i], refs[0]![i]); } });
  rig.set({ listen: 0 });
  const listenOff = maxDelta(rig, 0.1, x, ref);
  const fadeBound = slope(aIn * g) + slope(aRef) + (aIn * g + aRef) / (0.02 * FS);
  // Bypass: the gain ramps 20 dB -> 0 at <= 0.009 dB per sample.
  rig.set({ bypass: 1 });
  const bypassOn = maxDelta(rig, 0.1, x, ref);
  rig.set({ bypass: 0 });
  const bypassOff = maxDelta(rig, 0.1, x, ref);
  const bypassBound = slope(aIn * g) + aIn * g * (fromDb(0.009) - 1);
  w.note('listen fade: max step / bound', Math.max(listenOn, listenOff) / fadeBound);
  w.note('bypass fade: max step / bound', Math.max(bypassOn, bypassOff) / bypassBound);
  assert.ok(listenOn <= fadeBound * 1.001 && listenOff <= fadeBound * 1.001, `listen ${listenOn}, ${listenOff} vs ${fadeBound}`);
  assert.ok(bypassOn <= bypassBound * 1.001 && bypassOff <= bypassBound * 1.001, `bypass ${bypassOn}, ${bypassOff} vs ${bypassBound}`);
  // The bound is small: a hard switch between the two would have jumped by up to aIn g + aRef.
  assert.ok(fadeBound < 0.05 * (aIn * g + aRef), `bound ${fadeBound}`);
  assert.ok(steady <= slope(aIn * g) * 1.001);
});

smooth('listen in target mode plays the input before the gain; without a reference, the processed input', () => {
  // -20 dBFS sine in target mode at -18 LUFS: the gain boosts it; listen = 1 crossfades to the input itself.
  const rig = new Rig(QUANTUM, { mode: Mode.target, listen: 0, maxBoost: 20 });
  rig.run(1, sine(0.1, 440));
  let boosted = 0;
  rig.run(0.05, sine(0.1, 440), { onBlock: (n, ins, outs) => { for (let i = 0; i < n; i++) boosted = Math.max(boosted, Math.abs(outs[0]![i]!) - Math.abs(ins[0]![i]!)); } });
  // A 0.1 sine in both channels reads about -20 LUFS: about +2 dB to -18 LUFS, 0.1 x (10^(2/20) - 1) = 0.026 more.
  assert.ok(boosted > 0.015, `the gain boosts the output (${boosted})`);
  rig.set({ listen: 1 });
  rig.run(0.05, sine(0.1, 440)); // past the 20 ms crossfade
  rig.run(0.05, sine(0.1, 440), { onBlock: (n, ins, outs) => { for (let i = 0; i < n; i++) assert.is(outs[0]![i], ins[0]![i]); } });
  assert.ok(has(rig.status, S.listeningReference));
  const delta = new Rig(QUANTUM, { mode: Mode.target, listen: 2 });
  delta.run(0.1, sine(0.1, 440));
  assert.ok(!has(delta.status, S.listeningDelta), 'delta needs a reference');
  const m = new Rig(QUANTUM, { listen: 1 });
  m.run(0.1, sine(0.1, 440), { reference: null, onBlock: (n, ins, outs) => { for (let i = 0; i < n; i++) assert.is(outs[0]![i], ins[0]![i]); } });
  assert.ok(!has(m.status, S.listeningReference));
});

// ---------------------------------------------------------------------------------------------------------------
const follow = suite('follow modes');

follow('autoLock: locks once settled (>= 6 s learned, drift <= 0.3 dB), then holds through a level change; drift and estimateSeconds read out', () => {
  const rig = new Rig(QUANTUM, { autoLock: 1 });
  // The input is the reference -9 dB: a steady match of +9 dB.
  const s1 = rig.run(5, sine(fromDb(-30), 997), { reference: sine(fromDb(-21), 997) });
  assert.ok(!has(s1, S.locked), 'not locked before 6 s');
  const r1 = rig.readout();
  assert.ok(r1[R.drift]! < 0.05 && r1[R.estimateSeconds]! > 4.9, `drift ${r1[R.drift]}, estimate ${r1[R.estimateSeconds]}`);
  rig.run(2, sine(fromDb(-30), 997), { reference: sine(fromDb(-21), 997) });
  assert.ok(has(rig.status, S.locked) && has(rig.status, S.held), 'locked');
  const locked = rig.gain;
  assert.ok(Math.abs(locked - 9) < 0.05, `locked at ${locked}`);
  // The effect changes by 6 dB: a locked gain does not follow ...
  rig.run(4, sine(fromDb(-24), 997), { reference: sine(fromDb(-21), 997) });
  assert.is(rig.gain, locked, 'held');
  // ... until autoLock is turned off.
  rig.set({ autoLock: 0 });
  rig.run(4, sine(fromDb(-24), 997), { reference: sine(fromDb(-21), 997) });
  assert.ok(Math.abs(rig.gain - 3) < 0.1, `follows again: ${rig.gain}`);
  w.note('autoLock: locked gain - 9 dB', locked - 9);
});

follow('hold freezes the gain; engineSetGain sets it (clamped) and the output follows', () => {
  const rig = new Rig();
  rig.run(6, sine(A_REF / fromDb(4), 997), { reference: sine(A_REF, 997) });
  const g = rig.gain;
  rig.set({ follow: Follow.hold });
  const s = rig.run(4, sine(A_REF / fromDb(12), 997), { reference: sine(A_REF, 997) });
  assert.is(rig.gain, g, 'frozen');
  assert.ok(has(s, S.held));
  rig.d.engineSetGain(rig.h, -5, 0);
  assert.is(rig.gain, -5);
  rig.run(0.2, sine(0.1, 997), { reference: sine(0.1, 997) });
  assert.is(rig.applied, -5);
  rig.d.engineSetGain(rig.h, 99, 1);
  assert.is(rig.gain, 30, 'clamped to maxBoost');
  assert.is(rig.applied, 30, 'immediate');
});

follow('learn resets the integrated readings and converges within 0.1 dB after 20 s', () => {
  // Programme-like: noise under a slow envelope (so the gates matter); the reference is a scaled copy.
  const rng = new Rng(21);
  const table = new Float32Array(7 * FS);
  for (let i = 0; i < table.length; i++) table[i] = rng.gaussian();
  const src: Gen = (t, c) => {
    // A 12 dB swing: quiet parts fall under the relative gate, none under the absolute gate (-70 LUFS) on either
    // side (the absolute gate is not scale-invariant: it would make the two integrated readings differ).
    const env = 0.6 + 0.35 * Math.sin((2 * Math.PI * 0.23 * t) / FS);
    return 0.1 * env * env * table[(t + c * 12345) % table.length]!;
  };
  const rig = new Rig(QUANTUM, { detector: Detector.shortTerm });
  // Before learning: the input is 10 dB quieter than the reference.
  let phase = 10;
  const ref: Gen = (t, c) => src(t, c) * fromDb(phase / 2);
  const inp: Gen = (t, c) => src(t, c) * fromDb(-phase / 2);
  rig.run(8, inp, { reference: ref });
  const before = rig.readout();
  assert.ok(Number.isFinite(before[R.inI]!));
  // Learning starts; from now on the input is 6 dB louder than the reference.
  phase = -6;
  rig.set({ follow: Follow.learn });
  const r0 = rig.readout();
  assert.is(r0[R.inI], -Infinity, 'integrated loudness restarts');
  assert.is(r0[R.refI], -Infinity);
  assert.is(r0[R.outI], -Infinity);
  assert.is(r0[R.learnSeconds], 0);
  const s = rig.run(20, inp, { reference: ref });
  const r = rig.readout();
  assert.ok(has(s, S.learning));
  assert.ok(Math.abs(r[R.learnSeconds]! - 20) < 1e-9, `learnSeconds ${r[R.learnSeconds]}`);
  w.note('learn 20 s: gain - (-6) dB', r[R.engineGain]! + 6);
  assert.ok(Math.abs(r[R.engineGain]! + 6) < 0.1, `learned ${r[R.engineGain]}`);
  assert.ok(Math.abs(r[R.refI]! - r[R.inI]! + 6) < 0.05, `integrated difference since learning ${r[R.refI]! - r[R.inI]!} dB`);
  // Leaving learn: learnSeconds reads 0 again.
  rig.set({ follow: Follow.hold });
  assert.is(rig.readout()[R.learnSeconds], 0);
});

// ---------------------------------------------------------------------------------------------------------------
const robust = suite('robustness');

robust('NaN / Inf input: finite output, counted, status for one second', () => {
  const rig = new Rig(QUANTUM, { maxBoost: 30 });
  rig.run(4, sine(A_REF / 10, 997), { reference: sine(A_REF, 997) });
  const bad = [NaN, Infinity, -Infinity];
  let injected = 0;
  const x = sine(A_REF / 10, 997);
  rig.run(0.5, (t, c) => {
    if (c === 0 && t % 1000 === 0) {
      injected++;
      return bad[t % 3]!;
    }
    return x(t, c);
  }, {
    reference: sine(A_REF, 997),
    onBlock: (n, _i, outs) => { for (const o of outs) for (let i = 0; i < n; i++) assert.ok(Number.isFinite(o[i]!)); },
  });
  const r = rig.readout();
  assert.is(r[R.nonFinite], injected);
  assert.ok(injected > 10);
  assert.ok(has(r[R.status]!, S.nonFiniteInput));
  assert.ok(Number.isFinite(r[R.engineGain]!) && Number.isFinite(r[R.inM]!) && Number.isFinite(r[R.outM]!));
  rig.run(1.01, x, { reference: sine(A_REF, 997) });
  assert.ok(!has(rig.status, S.nonFiniteInput), 'cleared after a second');
  // NaN in the reference is cleaned too, and a NaN parameter is ignored.
  rig.set({ listen: 1, response: NaN });
  rig.run(0.2, x, { reference: (t) => (t % 7 === 0 ? NaN : 0.1), onBlock: (n, _i, outs) => { for (const o of outs) for (let i = 0; i < n; i++) assert.ok(Number.isFinite(o[i]!)); } });
});

robust('engineSetChannels: mono and 5.1 readings follow the BS.1770 weights; a change resets the meters', () => {
  const a = 0.2;
  const rig = new Rig();
  rig.run(1, sine(a, 997), { reference: sine(a, 997) });
  assert.ok(Math.abs(rig.readout()[R.inM]! - sineLufs(a, 997, 2)) < 0.02);
  rig.channels(1, 1);
  assert.is(rig.readout()[R.inM], -Infinity, 'reset by the change');
  rig.run(1, sine(a, 997), { reference: sine(a, 997) });
  const mono = rig.readout()[R.inM]!;
  assert.ok(Math.abs(mono - sineLufs(a, 997, 1)) < 0.02, `mono ${mono} vs ${sineLufs(a, 997, 1)}`);
  // 5.1 (L R C LFE Ls Rs): a sine in Ls reads 10 log10(1.41) above mono; the LFE does not count.
  rig.channels(6, 6);
  rig.run(1, (t, c) => (c === 4 ? sine(a, 997)(t, c) : 0), { reference: sine(a, 997) });
  const ls = rig.readout()[R.inM]!;
  assert.ok(Math.abs(ls - (sineLufs(a, 997, 1) + 10 * Math.log10(1.41))) < 0.02, `Ls ${ls}`);
  rig.d.engineResetMeters(rig.h);
  rig.run(1, (t, c) => (c === 3 ? sine(a, 997)(t, c) : 0), { reference: sine(a, 997) });
  assert.is(rig.readout()[R.inM], -Infinity, 'LFE alone is silence to the meter');
  // Every one of the 6 output channels carries its input.
  rig.set({ mode: Mode.reference });
  rig.run(0.2, (t, c) => 0.01 * (c + 1)); // the gain left from matching fades out first
  rig.run(0.1, (t, c) => 0.01 * (c + 1), { onBlock: (n, ins, outs) => { for (let c = 0; c < 6; c++) assert.is(outs[c]![n - 1], ins[c]![n - 1]); } });
});

robust('a mono reference feeds every output channel when listening', () => {
  const rig = new Rig(QUANTUM, { listen: 1 });
  rig.channels(2, 1);
  rig.run(0.1, sine(0.1, 440), { reference: sine(0.3, 330) });
  rig.run(0.01, sine(0.1, 440), { reference: sine(0.3, 330), onBlock: (n, _i, outs, refs) => { for (let i = 0; i < n; i++) { assert.is(outs[0]![i], refs[0]![i]); assert.is(outs[1]![i], refs[0]![i]); } } });
  // Three channels, a stereo reference: channel 2 has no reference channel and fades to silence.
  rig.channels(3, 2);
  rig.run(0.1, sine(0.1, 440), { reference: sine(0.3, 330) });
  rig.run(0.01, sine(0.1, 440), {
    reference: sine(0.3, 330),
    onBlock: (n, _i, outs, refs) => {
      for (let i = 0; i < n; i++) {
        assert.is(outs[1]![i], refs[1]![i]);
        assert.is(outs[2]![i], 0, 'missing reference channel is silent');
      }
    },
  });
});

robust('mode changes reset the reference meter; target mode shows the target as the reference', () => {
  const rig = new Rig();
  rig.run(1, sine(0.1, 997), { reference: sine(0.2, 997) });
  assert.ok(Number.isFinite(rig.readout()[R.refM]!));
  rig.set({ mode: Mode.sidechain });
  assert.is(rig.readout()[R.refM], -Infinity);
  rig.set({ mode: 2.6 }); // rounds to target
  assert.is(rig.readout()[R.refM], -18);
  rig.set({ target: -30 });
  assert.is(rig.readout()[R.refS], -30);
});

robust('engineResetMeters clears readings and maxima, not the gain', () => {
  const rig = new Rig();
  rig.run(6, sine(A_REF / fromDb(5), 997), { reference: sine(A_REF, 997) });
  const g = rig.gain;
  rig.d.engineResetMeters(rig.h);
  const r = rig.readout();
  for (const slot of [R.inM, R.inMmax, R.refSmax, R.outI, R.truePeakIn, R.truePeakOut]) assert.is(r[slot], -Infinity, `slot ${slot}`);
  assert.is(r[R.engineGain], g);
});

robust('no memory growth after creation (and the latency detector\'s first enable)', () => {
  const rig = new Rig(QUANTUM, { autoLatency: 1 });
  const bytes = rig.d.memory.buffer.byteLength;
  const rng = new Rng(9);
  const x = sine(0.1, 997);
  for (let k = 0; k < 40; k++) {
    rig.set({ mode: k % 4, detector: k % 4, follow: k % 3, listen: k % 3, bypass: (k >> 2) % 2, ceilingOn: k % 2, autoLatency: (k >> 1) % 2 });
    if (k % 5 === 0) rig.channels(1 + (k % 8), 1 + ((k * 3) % 8));
    if (k % 7 === 0) rig.d.engineResetMeters(rig.h);
    rig.d.engineSetGain(rig.h, k - 20, k % 2);
    rig.run(0.25, x, { reference: k % 3 === 0 ? null : x, frames: () => 1 + Math.floor(rng.next() * QUANTUM) });
    rig.readout();
  }
  assert.is(rig.d.memory.buffer.byteLength, bytes);
  console.log(`  engine instance memory: ${(bytes / 1024).toFixed(0)} KiB`);
});

abi.run();
reference.run();
match.run();
target.run();
ceiling.run();
smooth.run();
follow.run();
robust.run();
process.on('exit', () => w.print());
