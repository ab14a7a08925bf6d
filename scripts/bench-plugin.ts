// Cost of the plugin (dist/plugin, as built) per 128-frame render quantum at 48 kHz, stereo, through the headless
// WAM host (host-test/harness): a reference instance and a match instance on one link, programme -> reference
// -> -8 dB -> match. The match instance's process() is timed alone (harness call + processor glue + link bus +
// engine); the reference's is reported separately. Rows are compared with references measured in the same run:
//
//   bare engine          : the WASM gain engine alone (lib/wasm.ts), match mode: input and reference copied in,
//                          engineProcess, output copied out; what the glue adds shows against it
//   LoudnessMeter push   : the library's stereo meter (with true peak) on the same quantum
//   harness floor        : a processor that only copies input to output, through the same harness call
//   latency detection    : the bare engine with autoLatency on (the reference fed unaligned, 300 frames ahead),
//                          and the detector alone (dsp/latency.ts): its mean and its worst single quantum
//
// Then JS heap: bytes allocated per quantum (measureAllocation), and heap used after a full GC before and after
// 100k quanta of both instances. Run with `npm run bench` (after scripts/bench.mjs), i.e.
// `node --import tsx --expose-gc scripts/bench-plugin.ts`. Timings belong here, never in tests.
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import v8 from 'node:v8';
import { createHost, type Instance } from '../host-test/harness/host.ts';
import { LoudnessMeter } from '../lib/index.ts';
import { compileDsp, instantiateDsp } from '../lib/wasm.ts';
import { P } from '../wam/engine-abi.ts';
import { defaultParameterValues } from '../wam/parameters.ts';
// @ts-expect-error: a plain JS module without declarations
import { programme } from './programme.mjs';

const SR = 48000;
const Q = 128;
const QUANTA = Number(process.env.BENCH_QUANTA ?? 20000); // per timed run (53 s of audio)
const REPEATS = 5;
const WARM_UP = 4000; // quanta before anything is timed (JIT tiers, meters filled, gain settled)
const HEAP_QUANTA = 100_000;
const BUDGET_US = (Q / SR) * 1e6; // 2666.7 µs of audio per quantum
const EFFECT_GAIN = 0.4; // -7.96 dB between reference and match

const [left, right] = programme(SR, 60) as [Float32Array, Float32Array];
const input = [new Float32Array(Q), new Float32Array(Q)];
let cursor = 0;
/** The programme's level: 1, or tiny for the denormal rows at the end. */
let inputScale = 1;
function nextInput(): void {
  if (cursor + Q > left.length) cursor = 0;
  for (let i = 0; i < Q; i++) {
    input[0][i] = left[cursor + i] * inputScale;
    input[1][i] = right[cursor + i] * inputScale;
  }
  cursor += Q;
}

// ---- the plugin in the harness ----

const host = await createHost({ sampleRate: SR, quantum: Q, quiet: true });
const [groupId] = await host.initializeWamHost();
const { default: LevelMatch } = await host.importPlugin();
const state = (parameters: Record<string, number>) => ({ format: 'levelmatch', version: 1, parameters });
const refWam = await LevelMatch.createInstance(groupId, host.context, state({ mode: 0, link: 1 }));
const matchWam = await LevelMatch.createInstance(groupId, host.context, state({ mode: 1, link: 1 }));
const ref: Instance = host.instanceOf(refWam.audioNode);
const match: Instance = host.instanceOf(matchWam.audioNode);
const copyUrl = URL.createObjectURL(new Blob([`registerProcessor('bench-copy', class extends AudioWorkletProcessor {
  process(inputs, outputs) { const i = inputs[0], o = outputs[0];
    for (let c = 0; c < o.length; c++) if (i[c]) o[c].set(i[c]); return true; } });`], { type: 'text/javascript' }));
await host.context.audioWorklet.addModule(copyUrl);
const copy: Instance = host.instanceOf(new AudioWorkletNode(host.context, 'bench-copy', { outputChannelCount: [2] }));
await host.flush();

const refInputs = [input];
const matchInputs: Float32Array[][] = [[]];
let matchUs = 0;
let refUs = 0;
let copyUs = 0;

/** One quantum of the graph, untimed (for the heap measurements: performance.now() itself allocates). */
function plainQuantum(): void {
  nextInput();
  const out = ref.process(refInputs);
  for (let c = 0; c < out.length; c++) {
    const x = out[c];
    for (let i = 0; i < Q; i++) x[i] *= EFFECT_GAIN;
  }
  matchInputs[0] = out;
  match.process(matchInputs);
  host.advance();
}

/** One quantum of the graph (plus the copy processor); accumulates the time of each process() call. */
function graphQuantum(): void {
  nextInput();
  let t0 = performance.now();
  const out = ref.process(refInputs);
  let t1 = performance.now();
  refUs += t1 - t0;
  for (let c = 0; c < out.length; c++) {
    const x = out[c];
    for (let i = 0; i < Q; i++) x[i] *= EFFECT_GAIN;
  }
  matchInputs[0] = out;
  t0 = performance.now();
  match.process(matchInputs);
  t1 = performance.now();
  matchUs += t1 - t0;
  t0 = performance.now();
  copy.process(refInputs);
  t1 = performance.now();
  copyUs += t1 - t0;
  host.advance();
}

async function runGraph(quanta: number, step = graphQuantum): Promise<void> {
  for (let n = 0; n < quanta; n++) {
    step();
    if (n % 2000 === 1999) await host.flush(); // deliver the readouts, as a page's event loop would
  }
  await host.flush();
}

await runGraph(WARM_UP);
const readout = (matchWam.audioNode as unknown as { readout: { gain: { applied: number }; status: { linked: boolean } } | null }).readout;
if (readout === null || !readout.status.linked || Math.abs(readout.gain.applied + 20 * Math.log10(EFFECT_GAIN)) > 0.5) {
  console.log(`(warning: the match instance is not matching as expected: ${JSON.stringify(readout)})`);
}
let bestMatch = Infinity;
let bestRef = Infinity;
let bestCopy = Infinity;
for (let r = 0; r < REPEATS; r++) {
  matchUs = refUs = copyUs = 0;
  await runGraph(QUANTA);
  bestMatch = Math.min(bestMatch, (matchUs * 1000) / QUANTA);
  bestRef = Math.min(bestRef, (refUs * 1000) / QUANTA);
  bestCopy = Math.min(bestCopy, (copyUs * 1000) / QUANTA);
}

// ---- denormal / tiny input: the graph with the programme scaled (gain established on programme first) ----

const tinyRows: [string, number, number][] = [];
for (const [name, scale] of [['subnormal (x 1e-40)', 1e-40], ['tiny (x 1e-37)', 1e-37], ['tiny (x 1e-30)', 1e-30], ['silence', 0]] as const) {
  let bestTinyMatch = Infinity;
  let bestTinyRef = Infinity;
  for (let r = 0; r < 3; r++) {
    inputScale = 1;
    await runGraph(1000, plainQuantum); // back to programme: the gain settles where it was
    inputScale = scale;
    matchUs = refUs = copyUs = 0;
    await runGraph(QUANTA / 4);
    bestTinyMatch = Math.min(bestTinyMatch, (matchUs * 1000) / (QUANTA / 4));
    bestTinyRef = Math.min(bestTinyRef, (refUs * 1000) / (QUANTA / 4));
  }
  tinyRows.push([name, bestTinyMatch, bestTinyRef]);
}
inputScale = 1;

// ---- references: the bare engine and the library meter on the same quanta ----

const module = await compileDsp();
const dsp = instantiateDsp(module);
const h = dsp.createEngine(SR, Q);
dsp.engineSetChannels(h, 2, 2);
const values = defaultParameterValues();
values[P.mode] = 1;
values[P.autoLatency] = 0; // the bare engine as before automatic latency; detection has its own rows
values.forEach((v, slot) => dsp.engineSetParam(h, slot, v));
const mem = dsp.memory.buffer;
const engIn = [0, 1].map((c) => new Float32Array(mem, dsp.engineInput(h, c), Q));
const engRef = [0, 1].map((c) => new Float32Array(mem, dsp.engineReference(h, c), Q));
const engOut = [0, 1].map((c) => new Float32Array(mem, dsp.engineOutput(h, c), Q));
const sink = [new Float32Array(Q), new Float32Array(Q)];
function engineQuantum(): void {
  nextInput();
  for (let c = 0; c < 2; c++) {
    const x = input[c];
    const d = engIn[c];
    for (let i = 0; i < Q; i++) d[i] = x[i] * EFFECT_GAIN;
    engRef[c].set(x);
  }
  dsp.engineProcess(h, Q, 1);
  sink[0].set(engOut[0]);
  sink[1].set(engOut[1]);
}
let sinceReadout = 0;
function engineWithReadoutsQuantum(): void {
  engineQuantum();
  // What the processor adds every 40 ms (1920 frames = 15 quanta): the engine's readout.
  if (++sinceReadout === 15) {
    sinceReadout = 0;
    dsp.engineUpdateReadout(h);
  }
}
// The engine with automatic latency: the unaligned reference (the input is it 300 frames later) at
// engineLatencyReference, as the processor writes it.
const dspA = instantiateDsp(module);
const hA = dspA.createEngine(SR, Q);
dspA.engineSetChannels(hA, 2, 2);
defaultParameterValues().forEach((v, slot) => dspA.engineSetParam(hA, slot, slot === P.mode ? 1 : v));
const memA = dspA.memory.buffer;
const aIn = [0, 1].map((c) => new Float32Array(memA, dspA.engineInput(hA, c), Q));
const aRef = [0, 1].map((c) => new Float32Array(memA, dspA.engineReference(hA, c), Q));
const aOut = [0, 1].map((c) => new Float32Array(memA, dspA.engineOutput(hA, c), Q));
const aRaw = new Float32Array(memA, dspA.engineLatencyReference(hA), Q);
const LAG = 300;
const lagLine = [new Float32Array(1024), new Float32Array(1024)];
let lagPos = 0;
function engineAutoQuantum(): void {
  nextInput();
  for (let c = 0; c < 2; c++) {
    const x = input[c];
    const line = lagLine[c];
    const d = aIn[c];
    for (let i = 0; i < Q; i++) {
      const w = (lagPos + i) & 1023;
      line[w] = x[i];
      d[i] = EFFECT_GAIN * line[(w - LAG + 1024) & 1023];
    }
    aRef[c].set(x); // (not aligned: the meters do not matter here)
  }
  lagPos = (lagPos + Q) & 1023;
  for (let i = 0; i < Q; i++) aRaw[i] = 0.5 * (input[0][i] + input[1][i]);
  dspA.engineProcess(hA, Q, 1);
  sink[0].set(aOut[0]);
  sink[1].set(aOut[1]);
}
interface DetectorExports {
  memory: WebAssembly.Memory;
  createLatencyDetector(sampleRate: number, maxFrames: number): number;
  latencyInput(h: number): number;
  latencyReference(h: number): number;
  latencyPush(h: number, frames: number): void;
  latencyStable(h: number): number;
}
const det = instantiateDsp(module) as unknown as DetectorExports;
const hD = det.createLatencyDetector(SR, Q);
const dIn = new Float32Array(det.memory.buffer, det.latencyInput(hD), Q);
const dRef = new Float32Array(det.memory.buffer, det.latencyReference(hD), Q);
const dLine = new Float32Array(1024);
let dPos = 0;
/**
 * µs per quantum of the detector alone over `quanta`: the mean, the 99th / 99.9th percentiles and the worst single
 * quantum (each the best of REPEATS runs). On a shared machine the worst is dominated by preemption, so the same
 * statistics of a constant-work control (the bare engine, which has no spread-out work) are measured alike.
 */
function perQuantumStats(quanta: number, fn: () => void, before: () => void): { mean: number; p99: number; p999: number; worst: number } {
  const best = { mean: Infinity, p99: Infinity, p999: Infinity, worst: Infinity };
  const times = new Float64Array(quanta);
  for (let r = 0; r < REPEATS; r++) {
    let sum = 0;
    for (let n = 0; n < quanta; n++) {
      before();
      const t0 = performance.now();
      fn();
      const dt = (performance.now() - t0) * 1000;
      times[n] = dt;
      sum += dt;
    }
    times.sort();
    best.mean = Math.min(best.mean, sum / quanta);
    best.p99 = Math.min(best.p99, times[Math.floor(quanta * 0.99)]);
    best.p999 = Math.min(best.p999, times[Math.floor(quanta * 0.999)]);
    best.worst = Math.min(best.worst, times[quanta - 1]);
  }
  return best;
}
/** The detector alone: µs per quantum, mean and worst single quantum over `quanta` (best of REPEATS runs). */
function detectorCost(quanta: number): { mean: number; worst: number; stable: number } {
  let mean = Infinity;
  let worst = Infinity;
  for (let r = 0; r < REPEATS; r++) {
    let sum = 0;
    let max = 0;
    for (let n = 0; n < quanta; n++) {
      nextInput();
      for (let i = 0; i < Q; i++) {
        const x = 0.5 * (input[0][i] + input[1][i]);
        const w = (dPos + i) & 1023;
        dLine[w] = x;
        dRef[i] = x;
        dIn[i] = dLine[(w - LAG + 1024) & 1023];
      }
      dPos = (dPos + Q) & 1023;
      const t0 = performance.now();
      det.latencyPush(hD, Q);
      const dt = performance.now() - t0;
      sum += dt;
      if (dt > max) max = dt;
    }
    mean = Math.min(mean, (sum * 1000) / quanta);
    worst = Math.min(worst, max * 1000);
  }
  return { mean, worst, stable: det.latencyStable(hD) };
}
const meter = await LoudnessMeter.create({ sampleRate: SR, channels: 2 });
function meterQuantum(): void {
  nextInput();
  meter.push(input);
}
/** µs per quantum of `fn`, best of REPEATS runs of QUANTA calls, minus the input-copy cost measured alike. */
function bestOf(fn: () => void): number {
  for (let i = 0; i < WARM_UP; i++) fn();
  let best = Infinity;
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < QUANTA; i++) fn();
    best = Math.min(best, ((performance.now() - t0) * 1000) / QUANTA);
  }
  return best;
}
const inputOnly = bestOf(nextInput);
const bareEngine = bestOf(engineQuantum) - inputOnly;
const bareWithReadouts = bestOf(engineWithReadoutsQuantum) - inputOnly;
const meterPush = bestOf(meterQuantum) - inputOnly;
const engineAuto = bestOf(engineAutoQuantum) - inputOnly;
detectorCost(WARM_UP);
const detector = detectorCost(QUANTA);
const feedDetector = (): void => {
  nextInput();
  for (let i = 0; i < Q; i++) {
    const x = 0.5 * (input[0][i] + input[1][i]);
    const w = (dPos + i) & 1023;
    dLine[w] = x;
    dRef[i] = x;
    dIn[i] = dLine[(w - LAG + 1024) & 1023];
  }
  dPos = (dPos + Q) & 1023;
};
const detStats = perQuantumStats(QUANTA, () => det.latencyPush(hD, Q), feedDetector);
const engStats = perQuantumStats(QUANTA, () => dsp.engineProcess(h, Q, 1), () => engineQuantum());

// ---- JS heap ----

// The processors' own garbage: their port.postMessage replaced by a counter (in a browser the worklet
// serialises a message outside the JS heap; this harness clones it into the main-thread realm, same heap).
const ports = [ref.processor.port, match.processor.port];
let posts = 0;
for (const port of ports) port.postMessage = () => { posts++; };
const ownBytes = host.measureAllocation(plainQuantum, 6000);
for (const port of ports) delete port.postMessage;
const withHarnessPosts = host.measureAllocation(plainQuantum, 6000);
await host.flush();

const gc = (globalThis as { gc?: () => void }).gc;
const heapUsed = (): number => {
  gc?.();
  gc?.();
  return v8.getHeapStatistics().used_heap_size;
};
const heapBefore = heapUsed();
await runGraph(HEAP_QUANTA, plainQuantum);
const heapAfter = heapUsed();
host.close();

// ---- report ----

const pct = (us: number) => (us / BUDGET_US) * 100;
const row = (name: string, us: number) =>
  `${name.padEnd(34)} ${us.toFixed(2).padStart(7)} µs/quantum ${pct(us).toFixed(3).padStart(7)} % of a core ${(us / bareEngine).toFixed(2).padStart(6)} x bare engine`;
console.log(`\nplugin (${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}): stereo, ${SR} Hz, ${Q}-frame quanta (budget ${BUDGET_US.toFixed(1)} µs), ${QUANTA} quanta per run, best of ${REPEATS}`);
console.log(row('match instance process()', bestMatch));
console.log(row('reference instance process()', bestRef));
console.log(row('bare engine (WASM, I/O copies)', bareEngine));
console.log(row('bare engine + readout every 40 ms', bareWithReadouts));
console.log(row('bare engine + latency detection', engineAuto));
console.log(row('latency detector alone, mean', detector.mean));
console.log(row('latency detector, 99th pct quantum', detStats.p99));
console.log(row('latency detector, 99.9th pct quantum', detStats.p999));
console.log(row('latency detector, worst quantum', detStats.worst));
console.log(`latency detection adds ${(engineAuto - bareEngine).toFixed(2)} µs/quantum on average (found ${detector.stable} frames, true ${LAG}); ` +
  `per quantum, detector p99 / p99.9 / worst ${detStats.p99.toFixed(1)} / ${detStats.p999.toFixed(1)} / ${detStats.worst.toFixed(1)} µs ` +
  `(limit 500 µs) vs the bare engine's own engineProcess ${engStats.p99.toFixed(1)} / ${engStats.p999.toFixed(1)} / ${engStats.worst.toFixed(1)} µs ` +
  `(constant work: its tail is this machine's preemption)`);
console.log(row('LoudnessMeter push (stereo, TP)', meterPush));
console.log(row('harness floor (copy processor)', bestCopy));
for (const [name, m, r] of tinyRows) {
  console.log(`${`match instance, ${name}`.padEnd(34)} ${m.toFixed(2).padStart(7)} µs/quantum ${(m / bestMatch).toFixed(2).padStart(7)} x programme   (reference instance ${(r / bestRef).toFixed(2)} x)`);
}
console.log(`match instance over the bare engine with readouts: ${(bestMatch - bareWithReadouts).toFixed(2)} µs/quantum ` +
  `(processor + core + link bus + the harness's call, whose floor is the last row)`);
console.log(`JS heap allocated per quantum, reference + match: ${ownBytes.toFixed(3)} B (processors' own, ${posts} readouts posted), ` +
  `${withHarnessPosts.toFixed(1)} B with this harness's postMessage clones`);
const mb = (b: number) => (b / 1048576).toFixed(2);
console.log(`JS heap used after GC: ${mb(heapBefore)} MB before, ${mb(heapAfter)} MB after ${HEAP_QUANTA} quanta ` +
  `(${((heapAfter - heapBefore) / 1024).toFixed(1)} KB difference)${gc ? '' : ' (no gc: run with --expose-gc)'}`);
