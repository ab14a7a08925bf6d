// Speed of the loudness core, printed as ratios against a reference measured in the same run.
// Run with `npm run bench` (it builds first). Timings belong here, never in tests.
//
//   levelmatch full       : LoudnessMeter (M, S, I, LRA, true peak, sample peak), 128-frame pushes
//   levelmatch no TP      : the same without the true-peak oversampler
//   ebur128-wasm I + TP   : npm ebur128-wasm (Rust ebur128 crate in WASM), integrated + true peak, whole buffers
import { performance } from 'node:perf_hooks';
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

async function meterRun(truePeak) {
  const meter = await LoudnessMeter.create({ sampleRate: SR, channels: 2, truePeak });
  let sink = 0;
  const ms = best(() => {
    meter.reset();
    for (const q of quanta) meter.push(q);
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

const row = (name, ms) => {
  const ns = (ms * 1e6) / frames;
  const xrt = (SECONDS * 1000) / ms;
  return `${name.padEnd(24)} ${ns.toFixed(1).padStart(8)} ns/frame ${xrt.toFixed(0).padStart(7)} x real time   ${(refMs / ms).toFixed(2).padStart(6)} x ebur128-wasm`;
};
console.log(`stereo, ${SR} Hz, ${SECONDS} s of programme, ${QUANTUM}-frame pushes, best of ${REPEATS}`);
console.log(row('levelmatch full', full.ms));
console.log(row('levelmatch no true peak', noTp.ms));
console.log(row('ebur128-wasm I + TP', refMs));
if (!Number.isFinite(full.sink + noTp.sink + refSink)) console.log('(a reading was not finite)');
