// Speed of the loudness core, printed as ratios against a reference measured in the same run.
// Run with `npm run bench` (it builds first). Timings belong here, never in tests.
//
//   levelmatch full       : LoudnessMeter (M, S, I, LRA, true peak, sample peak), 128-frame pushes
//   levelmatch no TP      : the same without the true-peak oversampler
//   ebur128-wasm I + TP   : npm ebur128-wasm (Rust ebur128 crate in WASM), integrated + true peak, whole buffers
//   libebur128 I + TP     : native libebur128 (C, -O2), 128-frame blocks, when libebur128-dev and cc are present
// Then the full meter on the same programme scaled to subnormal floats (x 1e-40), to tiny normal floats (x 1e-37,
// x 1e-30) and on silence, as a ratio to the programme: WebAssembly has no flush-to-zero, and before issue 11
// these cost 27-73x (the true-peak FIR's products underflowed).
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoudnessMeter } from '../dist/index.js';
import * as ref from 'ebur128-wasm/ebur128_wasm.js';
import { programme } from './programme.mjs';

const SR = 48000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const QUANTUM = 128;
const REPEATS = 5;

function best(fn) {
  fn(); // warm up (JIT tiers, first-touch memory)
  let min = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min; // ms
}

const frames = SR * SECONDS;
const [l, r] = programme(SR, SECONDS);
const quanta = [];
for (let o = 0; o + QUANTUM <= frames; o += QUANTUM) quanta.push([l.subarray(o, o + QUANTUM), r.subarray(o, o + QUANTUM)]);

async function meterRun(truePeak, blocks = quanta) {
  const meter = await LoudnessMeter.create({ sampleRate: SR, channels: 2, truePeak });
  let sink = 0;
  const ms = best(() => {
    meter.reset();
    for (const q of blocks) meter.push(q);
    sink += meter.result().integrated;
  });
  return { ms, sink };
}

const full = await meterRun(true);
const noTp = await meterRun(false);
let refSink = 0;
const refMs = best(() => {
  refSink += ref.ebur128_integrated_stereo(SR, l, r);
  refSink += Number(ref.ebur128_true_peak_stereo(SR, l, r));
});

/** Native libebur128 on the same audio, or undefined (with the reason printed) when it cannot be built here. */
function nativeMs() {
  const dir = mkdtempSync(path.join(tmpdir(), 'levelmatch-bench-'));
  try {
    const exe = path.join(dir, 'bench-libebur128');
    const src = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench-libebur128.c');
    execFileSync('cc', ['-O2', '-o', exe, src, '-lebur128', '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const raw = Buffer.alloc(8 + frames * 8);
    raw.writeUInt32LE(SR, 0);
    raw.writeUInt32LE(2, 4);
    const interleaved = new Float32Array(raw.buffer, raw.byteOffset + 8, frames * 2);
    for (let i = 0; i < frames; i++) {
      interleaved[2 * i] = l[i];
      interleaved[2 * i + 1] = r[i];
    }
    writeFileSync(path.join(dir, 'audio.raw'), raw);
    const out = JSON.parse(execFileSync(exe, [path.join(dir, 'audio.raw')], { encoding: 'utf8' }));
    return (out.nsPerFrame * frames) / 1e6;
  } catch (e) {
    console.log(`(native libebur128 not measured: ${String(e.message).split('\n')[0]}; install libebur128-dev and cc)`);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const native = nativeMs();

const row = (name, ms) => {
  const ns = (ms * 1e6) / frames;
  const xrt = (SECONDS * 1000) / ms;
  const vsNative = native === undefined ? '' : `   ${(native / ms).toFixed(2).padStart(6)} x libebur128`;
  return `${name.padEnd(24)} ${ns.toFixed(1).padStart(8)} ns/frame ${xrt.toFixed(0).padStart(7)} x real time   ${(refMs / ms).toFixed(2).padStart(6)} x ebur128-wasm${vsNative}`;
};
console.log(`stereo, ${SR} Hz, ${SECONDS} s of programme, ${QUANTUM}-frame pushes, best of ${REPEATS}`);
console.log(row('levelmatch full', full.ms));
console.log(row('levelmatch no true peak', noTp.ms));
console.log(row('ebur128-wasm I + TP', refMs));
if (native !== undefined) console.log(row('libebur128 I + TP', native));
console.log('(ratios > 1 mean faster than that reference)');

// Denormal and tiny input: the same programme scaled, in the same 128-frame pushes. Each case alternates with
// the programme itself (best of REPEATS each), so that a busy machine slows both sides of the ratio alike.
const tinyCases = [['subnormal (x 1e-40)', 1e-40], ['tiny (x 1e-37)', 1e-37], ['tiny (x 1e-30)', 1e-30], ['silence', 0]];
console.log(`\nlevelmatch full on scaled programme (${SECONDS} s, stereo), relative to the programme measured alternately`);
const tinyMeter = await LoudnessMeter.create({ sampleRate: SR, channels: 2 });
const runBlocks = (blocks) => {
  tinyMeter.reset();
  for (const q of blocks) tinyMeter.push(q);
};
for (const [name, scale] of tinyCases) {
  const blocks = quanta.map(([a, b]) => [a.map((v) => v * scale), b.map((v) => v * scale)]);
  let bestCase = Infinity;
  let bestProgramme = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    let t0 = performance.now();
    runBlocks(quanta);
    bestProgramme = Math.min(bestProgramme, performance.now() - t0);
    t0 = performance.now();
    runBlocks(blocks);
    bestCase = Math.min(bestCase, performance.now() - t0);
  }
  console.log(`${name.padEnd(24)} ${((bestCase * 1e6) / frames).toFixed(1).padStart(8)} ns/frame   ${(bestCase / bestProgramme).toFixed(2).padStart(6)} x programme`);
}
if (!Number.isFinite(full.sink + noTp.sink + refSink)) console.log('(a reading was not finite)');
