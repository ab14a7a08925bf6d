/**
 * The latency detector's rest (dsp/latency.ts "Resting", dsp/latency-watch.ts), driven through its WebAssembly
 * exports on plain Float32Arrays the way the gain engine drives it: the unaligned reference for the detector,
 * and the reference delayed by the stable estimate for the watch. What is checked: once a latency is found the
 * detector stops making estimates (the work the issue-16 benchmark saves), it starts again when the latency
 * changes and finds the new one in time, and programme that merely changes (a compressor, speech pauses) does
 * not wake it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compileDsp, instantiateDsp } from '../../lib/wasm.ts';
import { programme, speechLike, whiteNoise } from './signals.ts';
import { eqCompressor, type LatencyExports } from './latency-fixtures.ts';

const module = await compileDsp();
const QUANTUM = 128;
const FS = 48000;

interface Run {
  estimates: number;
  wakes: number;
  /** Share of the quanta after the first stable estimate during which the detector rested. */
  restingShare: number;
  /** Seconds from `changeAt` until the stable estimate was the new delay (within +-1), -1 if never. */
  followed: number;
  stable: number;
  /** Estimates made after the first lock. */
  estimatesAfterLock: number;
}

/**
 * `delayOf(frame)`: the chain's delay at each frame (the input is the reference that many frames late, then
 * `fx`). The aligned reference for the watch is the reference delayed by the stable estimate, as the engine
 * would present it.
 */
function run(ref: Float32Array, delayOf: (frame: number) => number, fx: (x: Float32Array) => Float32Array, watch: boolean, changeAt = Infinity): Run {
  const e = instantiateDsp(module) as unknown as LatencyExports;
  const h = e.createLatencyDetector(FS, QUANTUM);
  e.latencySetWatchEnabled(h, watch ? 1 : 0);
  const n = ref.length;
  const raw = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const d = delayOf(i);
    raw[i] = i >= d ? ref[i - d]! : 0;
  }
  const inp = fx(raw);
  const r: Run = { estimates: 0, wakes: 0, restingShare: 0, followed: -1, stable: -1, estimatesAfterLock: 0 };
  let locked = -1;
  let lockedEstimates = 0;
  let resting = 0;
  let after = 0;
  const aligned = new Float32Array(QUANTUM);
  for (let s = 0; s + QUANTUM <= n; s += QUANTUM) {
    const st = e.latencyStable(h);
    const lag = st >= 0 ? st : 0;
    for (let i = 0; i < QUANTUM; i++) aligned[i] = s + i >= lag ? ref[s + i - lag]! : 0;
    e.latencySetLag(h, lag); // as the gain engine tells it: the aligned reference is `lag` frames behind
    new Float32Array(e.memory.buffer, e.latencyInput(h), QUANTUM).set(inp.subarray(s, s + QUANTUM));
    new Float32Array(e.memory.buffer, e.latencyReference(h), QUANTUM).set(ref.subarray(s, s + QUANTUM));
    new Float32Array(e.memory.buffer, e.latencyWatchAligned(h), QUANTUM).set(aligned);
    e.latencyPushAligned(h, QUANTUM);
    const now = e.latencyStable(h);
    if (locked < 0 && now >= 0) {
      locked = s;
      lockedEstimates = e.latencyEstimates(h);
    }
    if (locked >= 0) {
      after++;
      resting += e.latencyResting(h);
    }
    const t = (s + QUANTUM) / FS;
    if (t > changeAt && r.followed < 0 && Math.abs(now - delayOf(s)) <= 1) r.followed = t - changeAt;
  }
  r.estimates = e.latencyEstimates(h);
  r.estimatesAfterLock = r.estimates - lockedEstimates;
  r.wakes = e.latencyWakes(h);
  r.restingShare = after > 0 ? resting / after : 0;
  r.stable = e.latencyStable(h);
  return r;
}

const eqc = (x: Float32Array): Float32Array => eqCompressor(FS, x, QUANTUM);

const SECONDS = 28; // under REVERIFY_SECONDS (60 s) of programme: no re-verification falls inside
const music = programme({ sampleRate: FS, seconds: SECONDS, channels: 1, seed: 9 })[0]!;
const speech = speechLike(FS, SECONDS, 4);
const table: string[] = [];

const Rest = suite('latency detector at rest');

Rest('after a lock it rests: a steady chain (delay, EQ, compressor) makes it do almost no more estimates', () => {
  const busy = run(music, () => 300, eqc, false);
  const rest = run(music, () => 300, eqc, true);
  assert.is(busy.stable, 300);
  assert.is(rest.stable, 300);
  // Continuously it makes an estimate every ~0.52 s of programme; at rest none after the lock.
  assert.ok(busy.estimatesAfterLock >= 40, `busy: ${busy.estimatesAfterLock} estimates after the lock`);
  assert.is(rest.wakes, 0, 'a compressor and an EQ do not wake it');
  assert.ok(rest.estimatesAfterLock <= 1, `at rest: ${rest.estimatesAfterLock} estimates after the lock`);
  assert.ok(rest.restingShare > 0.95, `rested ${(rest.restingShare * 100).toFixed(1)} % of the time`);
  table.push(`music, delay 300 + EQ + compressor, ${SECONDS} s: estimates after lock ${busy.estimatesAfterLock} running, ${rest.estimatesAfterLock} with rest (${rest.wakes} wakes, resting ${(rest.restingShare * 100).toFixed(1)} %)`);
});

Rest('every 60 s of programme it re-verifies: one confirming estimate, then it rests again', () => {
  const long = programme({ sampleRate: FS, seconds: 130, channels: 1, seed: 9 })[0]!;
  const rest = run(long, () => 300, eqc, true);
  assert.is(rest.stable, 300);
  assert.is(rest.wakes, 2, 'at 60 s and at 120 s');
  assert.ok(rest.estimatesAfterLock <= 2, `${rest.estimatesAfterLock} estimates after the lock`);
  assert.ok(rest.restingShare > 0.98, `rested ${(rest.restingShare * 100).toFixed(1)} %`);
  table.push(`music, 130 s: ${rest.wakes} re-verifications, ${rest.estimatesAfterLock} estimates after the lock, resting ${(rest.restingShare * 100).toFixed(1)} %`);
});

Rest('speech with pauses at 24000 frames: pauses do not wake it', () => {
  const rest = run(speech, () => 24000, (x) => x.map((v) => v * 0.5), true);
  assert.is(rest.stable, 24000);
  assert.is(rest.wakes, 0);
  assert.ok(rest.restingShare > 0.95, `rested ${(rest.restingShare * 100).toFixed(1)} %`);
  table.push(`speech, delay 24000 x 0.5: ${rest.estimatesAfterLock} estimates after lock, ${rest.wakes} wakes, resting ${(rest.restingShare * 100).toFixed(1)} %`);
});

for (const [from, to] of [[64, 1791], [1791, 240], [300, 0]] as const) {
  Rest(`a latency that changes (${from} -> ${to} frames at 10 s) wakes it and is followed within 3 s; then it rests again`, () => {
    const changeAt = 10;
    const delayOf = (i: number) => (i < changeAt * FS ? from : to);
    const rest = run(music, delayOf, eqc, true, changeAt);
    const busy = run(music, delayOf, eqc, false, changeAt);
    assert.is(rest.stable, to);
    assert.ok(rest.followed >= 0 && rest.followed <= 3, `followed after ${rest.followed} s`);
    assert.ok(rest.wakes >= 1 && rest.wakes <= 2, `${rest.wakes} wakes`);
    assert.ok(rest.restingShare > 0.6, `rested ${(rest.restingShare * 100).toFixed(1)} %`);
    table.push(`${from} -> ${to} at ${changeAt} s: followed after ${rest.followed.toFixed(2)} s with rest, ${busy.followed.toFixed(2)} s running; ${rest.wakes} wakes, resting ${(rest.restingShare * 100).toFixed(1)} %`);
  });
}

/** Two steady tones with a slow tremolo: no latency can be told from it (every lag of a tone looks alike). */
function tones(seconds: number): Float32Array {
  const x = new Float32Array(Math.round(seconds * FS));
  for (let i = 0; i < x.length; i++) {
    const t = i / FS;
    x[i] = (0.6 + 0.4 * Math.sin(2 * Math.PI * 0.7 * t)) * (0.25 * Math.sin(2 * Math.PI * 220 * t) + 0.12 * Math.sin(2 * Math.PI * 1375 * t));
  }
  return x;
}

Rest('steady tones through a plain gain: never confident, but the applied latency (0) lines up, so it rests', () => {
  const busy = run(tones(SECONDS), () => 0, (x) => x.map((v) => v * 0.5), false);
  const rest = run(tones(SECONDS), () => 0, (x) => x.map((v) => v * 0.5), true);
  assert.is(busy.stable, -1, 'no confident estimate on steady tones');
  assert.is(rest.stable, -1);
  assert.ok(busy.estimates >= 45, `running: ${busy.estimates} estimates`);
  assert.ok(rest.estimates <= 4, `with rest: ${rest.estimates} estimates`);
  table.push(`steady tones x 0.5 (never confident): ${busy.estimates} estimates running, ${rest.estimates} with rest`);
});

Rest('uncorrelated input: never applied; it rests unsure and re-verifies after 10 s, then 20, 40, 60 s', () => {
  const other = whiteNoise(music.length, -20, 5);
  const rest = run(music, () => 0, () => other, true);
  const busy = run(music, () => 0, () => other, false);
  assert.is(rest.stable, -1, 'nothing applied');
  assert.ok(busy.estimates >= 45, `running: ${busy.estimates} estimates`);
  // Rests after 4 unsure estimates (~2 s), wakes 10 s later (UNSURE_REVERIFY_SECONDS) for 4 more (~14 s), and
  // then waits 20 s (34 s: past the 28 s): one re-verification, about 8 estimates.
  assert.is(rest.wakes, 1, `${rest.wakes} wakes`);
  assert.ok(rest.estimates <= 10, `with rest: ${rest.estimates} estimates`);
  table.push(`uncorrelated noise: ${busy.estimates} estimates running, ${rest.estimates} with rest (${rest.wakes} re-verifications)`);
  // 130 s: the waits double (10, 20, 40 s): wakes near 12, 34 and 76 s; the next would be at 138 s. Without the
  // doubling it would wake every 12 s: 10 times.
  const long = programme({ sampleRate: FS, seconds: 130, channels: 1, seed: 9 })[0]!;
  const noise = whiteNoise(long.length, -20, 6);
  const longRest = run(long, () => 0, () => noise, true);
  assert.is(longRest.stable, -1, 'nothing applied');
  assert.is(longRest.wakes, 3, `130 s uncorrelated: ${longRest.wakes} wakes`);
  table.push(`uncorrelated noise, 130 s: ${longRest.wakes} re-verifications (10 without the doubling), ${longRest.estimates} estimates`);
});

Rest('at rest the reference ring is filled from the aligned reference; on waking the decimated rings are made again, equal to the bit to streamed ones', () => {
  // Two detectors on the same audio: A rests (watch on), B never does. A change 300 -> 1791 at 10 s wakes A.
  const a = instantiateDsp(module) as unknown as LatencyExports;
  const b = instantiateDsp(module) as unknown as LatencyExports;
  const ha = a.createLatencyDetector(FS, QUANTUM);
  const hb = b.createLatencyDetector(FS, QUANTUM);
  a.latencySetWatchEnabled(ha, 1);
  const delay = (i: number) => (i < 10 * FS ? 300 : 1791);
  const inp = eqc(Float32Array.from(music, (_, i) => (i >= delay(i) ? music[i - delay(i)]! : 0)));
  const aligned = new Float32Array(QUANTUM);
  let wakes = 0;
  let sinceWake = -1;
  let compared = 0;
  for (let s = 0; s + QUANTUM <= music.length; s += QUANTUM) {
    const lag = Math.max(0, a.latencyStable(ha));
    for (let i = 0; i < QUANTUM; i++) aligned[i] = s + i >= lag ? music[s + i - lag]! : 0;
    for (const [e, h] of [[a, ha], [b, hb]] as const) {
      e.latencySetLag(h, lag);
      new Float32Array(e.memory.buffer, e.latencyInput(h), QUANTUM).set(inp.subarray(s, s + QUANTUM));
      new Float32Array(e.memory.buffer, e.latencyReference(h), QUANTUM).set(music.subarray(s, s + QUANTUM));
      new Float32Array(e.memory.buffer, e.latencyWatchAligned(h), QUANTUM).set(aligned);
      e.latencyPushAligned(h, QUANTUM);
    }
    if (a.latencyWakes(ha) > wakes) {
      wakes = a.latencyWakes(ha);
      sinceWake = 0;
    } else if (sinceWake >= 0) sinceWake++;
    // 40 quanta after a wake (the remaking takes about 16) and still awake: every sample the coarse stage reads.
    if (sinceWake === 40 && a.latencyResting(ha) === 0) {
      for (let back = 1; back <= 16384; back++) {
        assert.is(a.latencyDecimated(ha, back, 0), b.latencyDecimated(hb, back, 0), `reference, ${back} back`);
        if (back <= 8000) assert.is(a.latencyDecimated(ha, back, 1), b.latencyDecimated(hb, back, 1), `input, ${back} back`);
      }
      compared++;
    }
  }
  assert.ok(wakes >= 1, 'the change woke it');
  assert.ok(compared >= 1, `compared after ${compared} of ${wakes} wakes`);
  assert.is(a.latencyStable(ha), 1791);
  table.push(`decimated rings remade after ${compared} wake(s): equal to the streamed ones (16384 reference, 8000 input samples)`);
});

Rest.after(() => {
  console.log(`\n[latency detector at rest]\n${table.map((l) => `  ${l}`).join('\n')}`);
});

Rest.run();
