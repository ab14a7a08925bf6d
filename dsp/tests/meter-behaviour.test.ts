/**
 * Behaviour of the LoudnessMeter API beyond the standards' test tables:
 * constant memory over an hour of audio, non-finite input, reset, independent meters, chunking invariance,
 * channel layouts and weights (BS.1770-5 Annex 1 table 3), argument validation, and extreme sample rates.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { LoudnessResult } from '../../lib/index.ts';
import * as S from './signals.ts';
import { Worst, assertSameResult, createMeter, expectRangeError, measure, near, tech3342Range, type Layout } from './helpers.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const w = new Worst('meter behaviour');

/** Programme-like material, generated once per (rate, seconds, channels). */
const progCache = new Map<string, S.Planar>();
function prog(fs: number, seconds: number, channels: 1 | 2, seed = 5): S.Planar {
  const key = `${fs}/${seconds}/${channels}/${seed}`;
  let p = progCache.get(key);
  if (!p) {
    p = S.programme({ sampleRate: fs, seconds, channels, seed });
    progCache.set(key, p);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------------------------
const memory = suite('constant memory');

// A streaming meter must run for hours in bounded memory: the WASM memory must not grow and the JS heap must
// not accumulate anything per push (EBU Tech 3341 "live" metering; the integrated/LRA gating must use
// constant-size state such as a histogram, BS.1770 note on constant-memory implementations).
memory('one hour of 48 kHz stereo in 128-frame pushes: WASM memory and JS heap do not grow; readings do not drift', async () => {
  const fs = 48000;
  const loop = prog(fs, 60, 2); // 60 s = 2,880,000 frames, a whole number of 100 ms steps
  const m = await createMeter(fs, 2);
  const wasmBefore = m.memoryBytes;
  // Warm-up so that lazily created JS structures exist before the baseline.
  m.push([new Float32Array(128), new Float32Array(128)]);
  m.result();
  m.reset();
  gc();
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let k = 0; k < 60; k++) S.pushChunked(m, loop, 128);
  const seconds = (performance.now() - t0) / 1000;
  const long = m.result();
  gc();
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const growth = heapAfter - heapBefore;
  console.log(`  one hour pushed in ${seconds.toFixed(1)} s; WASM ${wasmBefore} -> ${m.memoryBytes} bytes; JS heap growth ${(growth / 1024).toFixed(1)} KiB`);
  assert.is(m.memoryBytes, wasmBefore, 'WASM memory after one hour');
  w.note('1 h: JS heap growth (KiB)', growth / 1024);
  assert.ok(growth < 1024 * 1024, `JS heap grew by ${growth} bytes over one hour`);

  // The hour is the same minute 60 times: its readings must match two repetitions (no accumulation drift).
  // The reference meter is read every 100 ms (pushes of 4800 frames, 40 hops) to collect the short-term values
  // Tech 3342 uses; the hour's LRA must equal the LRA of the first minute's values plus 59 copies of the
  // second minute's (every later minute sees the same audio, including the seam from the minute before).
  const short = await createMeter(fs, 2);
  const step = fs / 10;
  const loopFrames = loop[0]!.length;
  const firstMinute: number[] = [];
  const laterMinute: number[] = [];
  for (let k = 0; k < 2; k++) {
    S.pushChunked(short, loop, step, (frames) => {
      const t = k * loopFrames + frames;
      if (t < 30 * step) return; // the first short-term value for LRA is the first full 3 s window
      (k === 0 ? firstMinute : laterMinute).push(short.result().shortTerm);
    });
  }
  const ref = short.result();
  const hourValues = firstMinute.slice();
  for (let k = 1; k < 60; k++) hourValues.push(...laterMinute);
  near(w, 'LRA vs exact Tech 3342 (2 min)', ref.range, tech3342Range(firstMinute.concat(laterMinute)), 0.1, 'LRA of 2 min vs exact percentiles of its short-term values');
  near(w, '1 h: LRA vs exact Tech 3342', long.range, tech3342Range(hourValues), 0.1, 'LRA of 1 h vs exact percentiles of its short-term values');
  near(w, '1 h vs 2 min: I', long.integrated, ref.integrated, 0.05, 'integrated, 1 h vs 2 min of the same loop');
  near(w, '1 h vs 2 min: max M/S', long.momentaryMax, ref.momentaryMax, 1e-6, 'max M, 1 h vs 2 min');
  near(w, '1 h vs 2 min: max M/S', long.shortTermMax, ref.shortTermMax, 1e-6, 'max S, 1 h vs 2 min');
  near(w, '1 h vs 2 min: M/S at end', long.momentary, ref.momentary, 1e-6, 'M at the end, 1 h vs 2 min');
  near(w, '1 h vs 2 min: M/S at end', long.shortTerm, ref.shortTerm, 1e-6, 'S at the end, 1 h vs 2 min');
  assert.is(long.samplePeak, ref.samplePeak, 'sample peak');
  assert.is(long.truePeak, ref.truePeak, 'true peak');
});

memory('silence after an hour of programme reads -Infinity again (no residue in running sums)', async () => {
  const fs = 48000;
  const m = await createMeter(fs, 2);
  const loop = prog(fs, 60, 2);
  for (let k = 0; k < 10; k++) S.pushChunked(m, loop, 4096);
  S.pushChunked(m, [S.silence(S.framesOf(5, fs)), S.silence(S.framesOf(5, fs))], 4096);
  const r = m.result();
  assert.is(r.momentary, -Infinity, `M after 5 s of digital silence: ${r.momentary}`);
  assert.is(r.shortTerm, -Infinity, `S after 5 s of digital silence: ${r.shortTerm}`);
  assert.ok(Number.isFinite(r.integrated), 'I keeps the programme');
});

memory.run();

// ---------------------------------------------------------------------------------------------------------------
const nonFinite = suite('non-finite samples');

/** A copy of p with NaN, +Inf and -Inf at pseudo-random places; returns it, the zeroed copy and the count. */
function corrupt(p: S.Planar, count: number, seed: number): { bad: S.Planar; zeroed: S.Planar; n: number } {
  const rng = new S.Rng(seed);
  const bad = p.map((c) => c.slice());
  const zeroed = p.map((c) => c.slice());
  const values = [NaN, Infinity, -Infinity];
  const seen = new Set<string>();
  let n = 0;
  while (n < count) {
    const c = Math.floor(rng.next() * p.length);
    const i = Math.floor(rng.next() * p[0]!.length);
    const key = `${c}/${i}`;
    if (seen.has(key)) continue;
    seen.add(key);
    bad[c]![i] = values[n % 3]!;
    zeroed[c]![i] = 0;
    n++;
  }
  // A run of consecutive bad samples in every channel too (a dropout).
  for (const c of bad.keys()) {
    for (let i = 1000; i < 1100; i++) {
      const key = `${c}/${i}`;
      if (seen.has(key)) continue;
      seen.add(key);
      bad[c]![i] = NaN;
      zeroed[c]![i] = 0;
      n++;
    }
  }
  return { bad, zeroed, n };
}

nonFinite('NaN/+Inf/-Inf are counted in nonFinite and metered exactly as silence', async () => {
  for (const fs of [48000, 44100]) {
    const p = prog(fs, 12, 2);
    const { bad, zeroed, n } = corrupt(p, 3000, 17);
    const a = await createMeter(fs, 2);
    const b = await createMeter(fs, 2);
    S.pushChunked(a, bad, S.IRREGULAR_CHUNKS);
    S.pushChunked(b, zeroed, S.IRREGULAR_CHUNKS);
    const ra = a.result();
    const rb = b.result();
    assert.is(ra.nonFinite, n, 'nonFinite counts every NaN and infinity');
    assert.is(rb.nonFinite, 0);
    assertSameResult({ ...ra, nonFinite: 0 }, rb, 1e-9, `@${fs}: corrupted vs zeroed`);
    for (const k of ['momentary', 'shortTerm', 'integrated', 'range', 'momentaryMax', 'shortTermMax', 'truePeak', 'samplePeak'] as const) {
      assert.ok(Number.isFinite(ra[k]), `${k} finite: ${ra[k]}`);
    }
    // The caller's buffers are not modified.
    assert.ok(Number.isNaN(bad[0]![1050]!), 'push does not write into the caller buffers');
    // Later clean audio is metered normally: both meters keep agreeing and stay finite.
    const more = prog(fs, 12, 2, 6);
    S.pushChunked(a, more, 4096);
    S.pushChunked(b, more, 4096);
    const ra2 = a.result();
    assertSameResult({ ...ra2, nonFinite: 0 }, b.result(), 1e-9, `@${fs}: after more clean audio`);
    assert.is(ra2.nonFinite, n, 'count unchanged by clean audio');
    assert.ok(Number.isFinite(ra2.momentary) && Number.isFinite(ra2.truePeak), 'readings finite afterwards');
  }
});

nonFinite('a stream that is entirely non-finite reads like silence', async () => {
  const n = 48000 * 2;
  const x = new Float32Array(n).fill(NaN);
  const y = new Float32Array(n).fill(Infinity);
  const r = await measure(48000, [x, y], 128);
  assert.is(r.nonFinite, 2 * n);
  assert.is(r.integrated, -Infinity);
  assert.is(r.momentary, -Infinity);
  assert.is(r.samplePeak, -Infinity);
  assert.is(r.truePeak, -Infinity);
});

nonFinite.run();

// ---------------------------------------------------------------------------------------------------------------
const reset = suite('reset');

function assertInitial(r: LoudnessResult, channels: number, what: string): void {
  for (const k of ['momentary', 'shortTerm', 'integrated', 'momentaryMax', 'shortTermMax', 'truePeak', 'samplePeak'] as const) {
    assert.is(r[k], -Infinity, `${what}: ${k}`);
  }
  assert.is(r.range, 0, `${what}: range`);
  assert.is(r.nonFinite, 0, `${what}: nonFinite`);
  assert.equal(r.channelTruePeak, new Array(channels).fill(-Infinity), `${what}: channelTruePeak`);
  assert.equal(r.channelSamplePeak, new Array(channels).fill(-Infinity), `${what}: channelSamplePeak`);
}

reset('a new meter and a reset meter read -Infinity, range 0, nonFinite 0; after reset a meter equals a fresh one', async () => {
  const fs = 48000;
  const m = await createMeter(fs, 2);
  assertInitial(m.result(), 2, 'fresh meter');
  const mem = m.memoryBytes;
  const { bad } = corrupt(prog(fs, 12, 2), 100, 3);
  S.pushChunked(m, bad, 1000); // loud programme, some NaN, partial hop at the end
  assert.ok(m.result().nonFinite > 0 && Number.isFinite(m.result().integrated));
  m.reset();
  assertInitial(m.result(), 2, 'after reset');
  assert.is(m.memoryBytes, mem, 'reset does not change memory');
  const next = prog(fs, 12, 2, 9);
  S.pushChunked(m, next, 777);
  const fresh = await measure(fs, next, 777);
  assertSameResult(m.result(), fresh, 1e-9, 'after reset vs fresh meter');
  // A reset in the middle of a hop must also start cleanly: reset again after an odd number of frames.
  m.reset();
  S.pushChunked(m, S.slicePlanar(next, 0, 12345), 12345);
  m.reset();
  S.pushChunked(m, next, 4096);
  assertSameResult(m.result(), fresh, 1e-9, 'reset mid-hop vs fresh meter');
});

reset.run();

// ---------------------------------------------------------------------------------------------------------------
const independence = suite('independent meters');

independence('meters pushed in interleaved order give the same results as separate runs', async () => {
  const jobs: { fs: number; p: S.Planar; chunk: number; layout?: Layout }[] = [
    { fs: 48000, p: prog(48000, 12, 2), chunk: 128 },
    { fs: 44100, p: S.noisePlanar('pink', 1, 44100 * 12, -30, 77), chunk: 441 },
    { fs: 48000, p: prog(48000, 12, 2, 8).concat([S.pinkNoise(48000 * 12, -25, 9)]), chunk: 1000, layout: ['L', 'R', 'Ls'] },
    { fs: 96000, p: S.inPhaseStereo(S.sine(96000, 1000, -18, 12)), chunk: 4096 },
  ];
  const separate: LoudnessResult[] = [];
  for (const j of jobs) separate.push(await measure(j.fs, j.p, j.chunk, j.layout));
  const meters = await Promise.all(jobs.map((j) => createMeter(j.fs, j.p.length, j.layout)));
  const pos = jobs.map(() => 0);
  let busy = true;
  while (busy) {
    busy = false;
    jobs.forEach((j, k) => {
      const n = j.p[0]!.length;
      if (pos[k]! >= n) return;
      const end = Math.min(n, pos[k]! + j.chunk);
      meters[k]!.push(S.slicePlanar(j.p, pos[k]!, end));
      pos[k] = end;
      busy = true;
    });
  }
  jobs.forEach((j, k) => assertSameResult(meters[k]!.result(), separate[k]!, 0, `meter ${k} (${j.fs} Hz, ${j.p.length} ch)`));
});

independence.run();

// ---------------------------------------------------------------------------------------------------------------
const chunking = suite('chunking invariance');

// Re-evaluation points (hops, 100 ms gating steps) are counted in samples from the start of the stream, so the
// way a host slices the stream into pushes must not change any reading.
chunking('pushes of 1, 127, 128, 129, 5000, 100000 frames and irregular sizes give the same readings as one push', async () => {
  for (const fs of [48000, 44100]) {
    const p = prog(fs, 15, 2, 12);
    const whole = await createMeter(fs, 2);
    whole.push(p);
    const ref = whole.result();
    assert.ok(ref.range > 1, `the material has dynamics (LRA ${ref.range})`);
    for (const chunk of [1, 127, 128, 129, 5000, 100000, S.IRREGULAR_CHUNKS, [4097, 1, 8191, 3]] as const) {
      const r = await measure(fs, p, chunk);
      const what = `@${fs}, chunks ${Array.isArray(chunk) ? `[${chunk.join(',')}]` : chunk}`;
      for (const k of ['integrated', 'range', 'momentaryMax', 'shortTermMax', 'momentary', 'shortTerm'] as const) {
        near(w, 'chunking: loudness readings', r[k], ref[k], 1e-6, `${what}: ${k}`);
      }
      for (const k of ['truePeak', 'samplePeak'] as const) {
        near(w, 'chunking: peaks', r[k], ref[k], 1e-9, `${what}: ${k}`);
      }
    }
  }
});

chunking('empty pushes are accepted and change nothing', async () => {
  const fs = 48000;
  const p = prog(fs, 5, 2);
  const m = await createMeter(fs, 2);
  m.push([new Float32Array(0), new Float32Array(0)]);
  S.pushChunked(m, p, 1000);
  m.push([new Float32Array(0), new Float32Array(0)]);
  assertSameResult(m.result(), await measure(fs, p, 1000), 0, 'with empty pushes');
});

chunking.run();

// ---------------------------------------------------------------------------------------------------------------
const layouts = suite('layouts and channel weights');

const WEIGHT_LS_DB = 10 * Math.log10(1.41); // BS.1770-5 Annex 1 table 3: surrounds G = 1.41 (+1.49 dB)

/** Integrated loudness of a -20 dBFS 1 kHz tone placed in channel `ch` of a `channels`-channel signal. */
async function toneIn(ch: number, channels: number, layout?: Layout): Promise<number> {
  const x = S.sine(48000, 1000, -20, 5);
  const p = S.assemble(Array.from({ length: channels }, (_, c) => (c === ch ? x : null)));
  return (await measure(48000, p, 4096, layout)).integrated;
}

layouts('5.1: a tone in Ls reads 1.49 dB louder than in L; LFE content is ignored', async () => {
  const l = await toneIn(0, 6, '5.1');
  const c = await toneIn(2, 6, '5.1');
  const ls = await toneIn(4, 6, '5.1');
  const rs = await toneIn(5, 6, '5.1');
  near(w, 'layouts: surround weight', ls - l, WEIGHT_LS_DB, 0.005, 'Ls - L');
  near(w, 'layouts: surround weight', rs - l, WEIGHT_LS_DB, 0.005, 'Rs - L');
  near(w, 'layouts: unity weights', c - l, 0, 0.005, 'C - L');
  assert.is(await toneIn(3, 6, '5.1'), -Infinity, 'a tone in the LFE alone is not measured');
  assert.is(await toneIn(3, 6), -Infinity, 'default 6-channel layout is 5.1: LFE not measured');
  // LFE content added to a full mix changes nothing.
  const x = S.sine(48000, 1000, -20, 5);
  const bass = S.sine(48000, 60, -6, 5);
  const withLfe = await measure(48000, [x, x.slice(), x.slice(), bass, x.slice(), x.slice()], 4096, '5.1');
  const without = await measure(48000, S.assemble([x, x, x, null, x, x]), 4096, '5.1');
  near(w, 'layouts: LFE ignored', withLfe.integrated, without.integrated, 1e-9, 'with vs without LFE');
});

layouts('default layouts by channel count and named layouts weight the right channels', async () => {
  const l = await toneIn(0, 2);
  // quad (4 channels): L R Ls Rs
  near(w, 'layouts: surround weight', (await toneIn(2, 4)) - l, WEIGHT_LS_DB, 0.005, 'quad channel 2 (Ls)');
  // 5.0 (5 channels): L R C Ls Rs
  near(w, 'layouts: surround weight', (await toneIn(3, 5)) - l, WEIGHT_LS_DB, 0.005, '5.0 channel 3 (Ls)');
  near(w, 'layouts: unity weights', (await toneIn(2, 5)) - l, 0, 0.005, '5.0 channel 2 (C)');
  // 7.1 (8 channels): L R C LFE Ls Rs Lb Rb; rear channels (beyond 120 degrees) have weight 1.0.
  near(w, 'layouts: surround weight', (await toneIn(5, 8)) - l, WEIGHT_LS_DB, 0.005, '7.1 channel 5 (Rs)');
  near(w, 'layouts: unity weights', (await toneIn(6, 8)) - l, 0, 0.005, '7.1 channel 6 (Lb)');
  assert.is(await toneIn(3, 8), -Infinity, '7.1 channel 3 (LFE)');
  // 7.0 (7 channels): L R C Ls Rs Lb Rb
  near(w, 'layouts: surround weight', (await toneIn(4, 7)) - l, WEIGHT_LS_DB, 0.005, '7.0 channel 4 (Rs)');
  near(w, 'layouts: unity weights', (await toneIn(6, 7)) - l, 0, 0.005, '7.0 channel 6 (Rb)');
  // mono = C, 3.0 = L R C
  near(w, 'layouts: unity weights', (await toneIn(0, 1)) - l, 0, 0.005, 'mono');
  near(w, 'layouts: unity weights', (await toneIn(2, 3)) - l, 0, 0.005, '3.0 channel 2 (C)');
});

layouts('custom role arrays: X and LFE are not measured, Ls/Rs weighted 1.41, others 1.0', async () => {
  const l = await toneIn(0, 2);
  assert.is(await toneIn(1, 2, ['L', 'X']), -Infinity, '[L, X]: X unused');
  assert.is(await toneIn(0, 1, ['LFE']), -Infinity, '[LFE]');
  near(w, 'layouts: surround weight', (await toneIn(0, 3, ['Rs', 'C', 'T'])) - l, WEIGHT_LS_DB, 0.005, '[Rs, C, T]: Rs');
  for (const [k, role] of (['Lc', 'Rc', 'Cb', 'T', 'Lb'] as const).entries()) {
    const roles: ('Lc' | 'Rc' | 'Cb' | 'T' | 'Lb' | 'X')[] = ['X', 'X', 'X', 'X', 'X'];
    roles[k] = role;
    near(w, 'layouts: unity weights', (await toneIn(k, 5, roles)) - l, 0, 0.005, `role ${role}`);
  }
  // A role array equal to a named layout measures the same.
  const p = prog(48000, 6, 2).concat([S.pinkNoise(48000 * 6, -30, 1), S.pinkNoise(48000 * 6, -30, 2), S.pinkNoise(48000 * 6, -24, 3)]);
  const named = await measure(48000, p, 4096, '5.0');
  const roles = await measure(48000, p, 4096, ['L', 'R', 'C', 'Ls', 'Rs']);
  assertSameResult(named, roles, 0, '"5.0" vs [L, R, C, Ls, Rs]');
});

layouts.run();

// ---------------------------------------------------------------------------------------------------------------
const errors = suite('argument validation (RangeError naming the problem)');

errors('bad sample rates', async () => {
  for (const sampleRate of [7999, 384001, 0, -48000, NaN, Infinity, -Infinity]) {
    await expectRangeError(() => createMeter(sampleRate, 2), /sample ?rate/i, `sampleRate ${sampleRate}`);
  }
  await expectRangeError(() => createMeter('48000' as unknown as number, 2), /sample ?rate/i, 'sampleRate as a string');
  // The limits themselves are valid.
  for (const sampleRate of [8000, 384000]) await createMeter(sampleRate, 2);
});

errors('bad channel counts', async () => {
  for (const channels of [0, 9, -1, 1.5, NaN, Infinity]) {
    await expectRangeError(() => createMeter(48000, channels), /channel/i, `channels ${channels}`);
  }
  await expectRangeError(() => createMeter(48000, '2' as unknown as number), /channel/i, 'channels as a string');
  for (let channels = 1; channels <= 8; channels++) await createMeter(48000, channels);
});

errors('bad layouts', async () => {
  await expectRangeError(() => createMeter(48000, 2, 'surround' as Layout), /layout/i, 'unknown layout name');
  await expectRangeError(() => createMeter(48000, 2, ['L', 'Q'] as unknown as Layout), /role/i, 'unknown role');
  await expectRangeError(() => createMeter(48000, 2, '5.1'), /layout|channel/i, 'named layout of the wrong length');
  await expectRangeError(() => createMeter(48000, 2, ['L']), /layout|channel/i, 'role array of the wrong length');
  await expectRangeError(() => createMeter(48000, 6, ['L', 'R', 'C', 'LFE', 'Ls', 'Rs', 'Lb']), /layout|channel/i, 'role array too long');
  await expectRangeError(() => createMeter(48000, 2, 42 as unknown as Layout), /layout/i, 'layout of the wrong type');
});

errors('bad buffers', async () => {
  const m = await createMeter(48000, 2);
  const a = new Float32Array(256);
  await expectRangeError(() => m.push([a]), /channel/i, 'one channel for a stereo meter');
  await expectRangeError(() => m.push([a, a, a]), /channel/i, 'three channels for a stereo meter');
  await expectRangeError(() => m.push([]), /channel/i, 'no channels');
  await expectRangeError(() => m.push([a, new Float64Array(256) as unknown as Float32Array]), /Float32Array/, 'a Float64Array channel');
  await expectRangeError(() => m.push([a, Array.from(a) as unknown as Float32Array]), /Float32Array/, 'a plain array channel');
  await expectRangeError(() => m.push([a, null as unknown as Float32Array]), /Float32Array/, 'a null channel');
  await expectRangeError(() => m.push(a as unknown as Float32Array[]), /channel|array/i, 'a bare Float32Array');
  await expectRangeError(() => m.push([a, new Float32Array(255)]), /frames|length/i, 'unequal lengths');
  await expectRangeError(() => m.push([new Float32Array(10), a]), /frames|length/i, 'unequal lengths (first shorter)');
  // A rejected push must leave the meter untouched.
  assertInitial(m.result(), 2, 'after rejected pushes');
});

errors.run();

// ---------------------------------------------------------------------------------------------------------------
const rates = suite('extreme and odd sample rates');

// EBU Tech 3341 test 1 (stereo 1 kHz at -23 dBFS, 20 s -> M, S, I = -23.0 +-0.1) at the limits of the
// supported range and at odd rates whose 100 ms step is not a multiple of a small hop (11025 Hz: 1102.5).
for (const fs of [8000, 11025, 22050, 32000, 88200, 192000, 384000]) {
  rates(`test 1 at ${fs} Hz: M, S, I = -23.0 +-0.1; true peak -23.0 +0.2/-0.4`, async () => {
    const r = await measure(fs, S.inPhaseStereo(S.sine(fs, 1000, -23, 20)), 4096);
    near(w, 'rates: test 1 M/S/I', r.integrated, -23, 0.1, `I @ ${fs}`);
    near(w, 'rates: test 1 M/S/I', r.momentary, -23, 0.1, `M @ ${fs}`);
    near(w, 'rates: test 1 M/S/I', r.shortTerm, -23, 0.1, `S @ ${fs}`);
    assert.ok(r.truePeak <= -23 + 0.2 && r.truePeak >= -23 - 0.4, `true peak @ ${fs}: ${r.truePeak}`);
    assert.ok(r.truePeak >= r.samplePeak - 1e-9, `true peak ${r.truePeak} >= sample peak ${r.samplePeak}`);
  });
}

rates('test 3341/12 at 11025 and 22050 Hz (M constant within tolerance after 1 s)', async () => {
  for (const fs of [11025, 22050]) {
    const segs: S.ToneSegment[] = [];
    for (let k = 0; k < 25; k++) segs.push({ seconds: 0.18, db: -20 }, { seconds: 0.22, db: -30 });
    const m = await createMeter(fs, 2);
    const start = S.framesOf(1, fs) + 128;
    S.pushChunked(m, S.inPhaseStereo(S.toneSequence(fs, 1000, segs)), S.IRREGULAR_CHUNKS, (frames) => {
      if (frames >= start) near(w, 'rates: test 12 M', m.result().momentary, -23, 0.1, `M @ ${fs}, frame ${frames}`);
    });
  }
});

rates.after(() => w.print());
rates.run();
