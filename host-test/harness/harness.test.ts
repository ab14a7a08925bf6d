// The headless WAM host (host-test/harness) on a fixture plugin bundled like the real one: an SDK-based ES module
// and an iife processor script, loaded into an emulated AudioWorkletGlobalScope and run quantum by quantum.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHost, measureAllocation, type Host, type Instance, type WamConstructor } from './host.ts';
import { buildGainPlugin, MODULE_ID } from './fixtures/gain-plugin.ts';

const Q = 128;
let dir: string;
let pluginPath: string;
let Plugin: WamConstructor;
const hosts: Host[] = [];

async function newHost(opts: Parameters<typeof createHost>[0] = {}): Promise<{ host: Host; groupId: string }> {
  const host = await createHost({ sampleRate: 48000, quantum: Q, quiet: true, ...opts });
  hosts.push(host);
  const [groupId] = await host.initializeWamHost();
  return { host, groupId };
}

async function newGain(host: Host, groupId: string, state?: unknown): Promise<{ wam: any; inst: Instance }> {
  const wam = await Plugin.createInstance(groupId, host.context, state);
  return { wam, inst: host.instanceOf(wam.audioNode) };
}

const ramp = (n: number, scale = 1 / 1024) => Float32Array.from({ length: n }, (_, i) => (i + 1) * scale);

/** A bare AudioWorkletProcessor script (no SDK) added through a blob: URL, as addFunctionModule does. */
async function addScript(host: Host, source: string): Promise<void> {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  await host.context.audioWorklet.addModule(url);
}

test.before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'levelmatch-harness-'));
  pluginPath = await buildGainPlugin(dir);
  const importer = await createHost({ quiet: true });
  hosts.push(importer);
  ({ default: Plugin } = await importer.importPlugin(pluginPath));
});

test.after(async () => {
  for (const h of hosts) h.close();
  await rm(dir, { recursive: true, force: true });
});

test('loads the bundle, creates an instance and processes audio at unity gain', async () => {
  const { host, groupId } = await newHost();
  assert.ok(Plugin.isWebAudioModuleConstructor);
  const { wam, inst } = await newGain(host, groupId);
  assert.is(wam.moduleId, MODULE_ID);
  assert.is(inst.name, MODULE_ID);
  assert.is(inst.state, 'running');
  assert.is(inst.processor.flavour, 'fixture');
  assert.ok(inst.processor.optionsFromThisRealm, 'processorOptions were rebuilt in the worklet realm');
  const l = ramp(Q);
  const r = ramp(Q, -1 / 512);
  const out = inst.process([[l, r]]);
  assert.is(out.length, 2);
  assert.ok(out[0] instanceof Float32Array, 'host-realm views');
  assert.equal(Array.from(out[0]!), Array.from(l));
  assert.equal(Array.from(out[1]!), Array.from(r));
  assert.is(inst.processor.sawRealmArrays, true, 'process() got worklet-realm arrays');
  assert.is(inst.processor.sidechainChannels, 0, 'an unconnected input is []');
  assert.throws(() => inst.process([[l, r]]), /already processed/);
  host.advance();
  assert.is(host.currentFrame, Q);
  assert.is(host.evaluate('currentFrame'), Q);
  assert.is(host.evaluate('currentTime'), Q / 48000);
  assert.is(host.context.currentTime, Q / 48000);
  assert.equal(host.errors, []);
});

test('a mono source into the explicit 2-channel node is up-mixed; outputs are stable buffers', async () => {
  const { host, groupId } = await newHost();
  const { inst } = await newGain(host, groupId);
  const x = ramp(Q);
  const a = inst.process([[x], [x, x]]);
  assert.is(inst.processor.inputChannels, 2);
  assert.is(inst.processor.sidechainChannels, 2);
  assert.equal(Array.from(a[1]!), Array.from(x));
  host.advance();
  const b = inst.process([[new Float32Array(Q)]]);
  assert.is(b, a, 'same output list');
  assert.is(b[0], a[0], 'same channel buffers');
  assert.is(a[0]![5], 0, 'overwritten by the next quantum');
});

test('a wam-automation event at an exact sample offset takes effect at that sample', async () => {
  const { host, groupId } = await newHost();
  const { inst } = await newGain(host, groupId);
  const x = ramp(Q);
  inst.process([[x, x]]);
  host.advance();
  // Inside the next quantum, 37 samples in.
  await host.scheduleAutomation(inst, 'gain', 0.5, host.currentFrame + 37, false);
  let out = inst.process([[x, x]]);
  for (let i = 0; i < Q; i++) {
    const want = Math.fround(x[i]! * (i < 37 ? 1 : 0.5));
    if (out[0]![i] !== want || out[1]![i] !== want) assert.unreachable(`sample ${i}: ${out[0]![i]} != ${want}`);
  }
  host.advance();
  // Two quanta ahead, without `normalized` (as wam-studio sends it); and a normalized one in the same quantum.
  const at = host.currentFrame + Q + 100;
  await host.scheduleAutomation(inst, 'gain', 2, at);
  await host.scheduleAutomation(inst, 'gain', 0.125, at + 10, true); // normalized 0.125 of [0, 4] = 0.5
  out = inst.process([[x, x]]);
  assert.ok(out[0]!.every((v, i) => v === Math.fround(x[i]! * 0.5)), 'nothing yet in this quantum');
  host.advance();
  out = inst.process([[x, x]]);
  assert.is(out[0]![99], Math.fround(x[99]! * 0.5));
  assert.is(out[0]![100], Math.fround(x[100]! * 2));
  assert.is(out[0]![109], Math.fround(x[109]! * 2));
  assert.is(out[0]![110], Math.fround(x[110]! * 0.5));
  const values = await (inst.node as any).getParameterValues(false, 'gain');
  assert.is(values.gain.value, 0.5);
  assert.equal(host.errors, []);
});

test('getState / setState round trip through the node (and initialState)', async () => {
  const { host, groupId } = await newHost();
  const { wam } = await newGain(host, groupId);
  const initial = await wam.audioNode.getState();
  assert.equal(initial, { parameterValues: { gain: { id: 'gain', value: 1, normalized: false } }, explode: false });
  const wanted = { parameterValues: { gain: { id: 'gain', value: 0.25, normalized: false } }, explode: false };
  await wam.audioNode.setState(wanted);
  const back = await wam.audioNode.getState();
  assert.equal(back, wanted);
  assert.ok(Object.getPrototypeOf(back) === Object.prototype, 'state reaches the main thread as host-realm data');
  // The same state as initialState of a new instance (a host cloning a plugin for a bounce).
  const { host: offline, groupId: g2 } = await newHost({ offline: { length: 48000, numberOfChannels: 2 } });
  const { wam: clone, inst } = await newGain(offline, g2, back);
  assert.equal(await clone.audioNode.getState(), wanted);
  const out = inst.process([[ramp(Q), ramp(Q)]]);
  assert.is(out[0]![3], Math.fround(ramp(Q)[3]! * 0.25));
  assert.equal(host.errors, []);
  assert.equal(offline.errors, []);
});

test('destroy: after a flush the processor returns false and the node renders silence', async () => {
  const { host, groupId } = await newHost();
  const { wam, inst } = await newGain(host, groupId);
  const scope = () => host.evaluate<number>(`webAudioModules.getModuleScope(${JSON.stringify(MODULE_ID)}).instances.size`);
  assert.is(scope(), 1);
  const x = ramp(Q);
  inst.process([[x, x]]);
  host.advance();
  wam.audioNode.destroy();
  assert.ok((wam.audioNode.port as any).closed);
  const delivered = await host.flush();
  assert.ok(delivered >= 1);
  assert.is(scope(), 0);
  const out = inst.process([[x, x]]);
  assert.is(inst.state, 'finished');
  assert.ok(out[0]!.every((v) => v === 0));
  host.advance();
  const calls = inst.processCalls;
  inst.process([[x, x]]);
  assert.is(inst.processCalls, calls, 'a finished processor is not called again');
  assert.equal(host.errors, []);
});

test('instances of one host share the module scope; hosts (an offline one too) have separate scopes', async () => {
  const { host: a, groupId: ga } = await newHost();
  const { host: b, groupId: gb } = await newHost({ offline: true });
  const one = await newGain(a, ga);
  const two = await newGain(a, ga);
  const three = await newGain(b, gb);
  const sizeIn = (h: Host) => h.evaluate<number>(`webAudioModules.getModuleScope(${JSON.stringify(MODULE_ID)}).instances.size`);
  assert.is(sizeIn(a), 2);
  assert.is(sizeIn(b), 1);
  const scopeOf = (i: Instance) => i.processor.constructor; // GainProcessor, one class per realm
  assert.is(scopeOf(one.inst), scopeOf(two.inst));
  assert.is.not(scopeOf(one.inst), scopeOf(three.inst));
  const setA = a.evaluate<Set<unknown>>(`webAudioModules.getModuleScope(${JSON.stringify(MODULE_ID)}).instances`);
  assert.ok(setA.has(one.inst.processor) && setA.has(two.inst.processor) && !setA.has(three.inst.processor));
  assert.is.not(a.workletGlobal, b.workletGlobal);
  assert.is.not(a.evaluate('Float32Array'), b.evaluate('Float32Array'));
  assert.is((b.context as any).length, 48000);
  assert.equal(a.errors, []);
  assert.equal(b.errors, []);
});

test('the worklet realm has only what Chromium\'s AudioWorkletGlobalScope has', async () => {
  const { host } = await newHost();
  const types = host.evaluate<Record<string, string>>(`({
    atob: typeof atob, btoa: typeof btoa, URL: typeof URL, fetch: typeof fetch, setTimeout: typeof setTimeout,
    setInterval: typeof setInterval, queueMicrotask: typeof queueMicrotask, structuredClone: typeof structuredClone,
    TextDecoder: typeof TextDecoder, TextEncoder: typeof TextEncoder, performance: typeof performance,
    SharedArrayBuffer: typeof SharedArrayBuffer, self: typeof self, DOMException: typeof DOMException,
    process: typeof process, require: typeof require, Buffer: typeof Buffer, gc: typeof gc,
    registerProcessor: typeof registerProcessor, AudioWorkletProcessor: typeof AudioWorkletProcessor,
    sampleRate: typeof sampleRate, currentFrame: typeof currentFrame, currentTime: typeof currentTime,
    WebAssembly: typeof WebAssembly, console: typeof console, MessagePort: typeof MessagePort,
    webAudioModules: typeof webAudioModules,
  })`);
  for (const absent of ['atob', 'btoa', 'URL', 'fetch', 'setTimeout', 'setInterval', 'queueMicrotask', 'structuredClone',
    'TextDecoder', 'TextEncoder', 'performance', 'SharedArrayBuffer', 'self', 'DOMException', 'process', 'require',
    'Buffer', 'gc']) {
    assert.is(types[absent], 'undefined', `${absent} must be absent`);
  }
  for (const present of ['registerProcessor', 'AudioWorkletProcessor', 'WebAssembly', 'console', 'MessagePort']) {
    assert.is(types[present], present === 'console' || present === 'WebAssembly' ? 'object' : 'function', `${present} must be present`);
  }
  assert.is(types.webAudioModules, 'object', 'initializeWamHost installed the WamEnv');
  assert.is(host.evaluate('sampleRate'), 48000);
  // Module-like evaluation: strict, `this` undefined, top-level declarations stay local; globals are read-only.
  await addScript(host, `var leaked = 1; globalThis.probe = { thisIsUndefined: this === undefined,
    strict: (function () { return this === undefined; })() };
    try { currentFrame = 5; probe.assign = 'no error'; } catch (e) { probe.assign = e.name; }
    try { new AudioWorkletProcessor(); } catch (e) { probe.direct = e.name; }
    class P extends AudioWorkletProcessor { process() { return true; } }
    registerProcessor('probe-a', P);
    try { registerProcessor('probe-a', P); } catch (e) { probe.duplicate = e.name; }
    try { registerProcessor('', P); } catch (e) { probe.empty = e.name; }
    try { registerProcessor('probe-b', () => {}); } catch (e) { probe.arrow = e instanceof TypeError; }`);
  assert.equal({ ...host.evaluate<object>('probe') }, {
    thisIsUndefined: true, strict: true, assign: 'TypeError', direct: 'TypeError', duplicate: 'NotSupportedError',
    empty: 'NotSupportedError', arrow: true,
  });
  assert.is(host.evaluate('typeof leaked'), 'undefined');
  // SharedArrayBuffer only on a cross-origin-isolated "page".
  const { host: isolated } = await newHost({ crossOriginIsolated: true });
  assert.is(isolated.evaluate('typeof SharedArrayBuffer'), 'function');
});

test('addModule: same URL once, bad URL and throwing scripts reject, unknown processor names throw', async () => {
  const { host } = await newHost();
  const url = URL.createObjectURL(new Blob(['globalThis.count = (globalThis.count ?? 0) + 1;']));
  await host.context.audioWorklet.addModule(url);
  await host.context.audioWorklet.addModule(url);
  assert.is(host.evaluate('count'), 1);
  await addScript(host, 'globalThis.count += 1;');
  assert.is(host.evaluate('count'), 2);
  try {
    await host.context.audioWorklet.addModule('file:///nonexistent/processor.js');
    assert.unreachable('should reject');
  } catch (e) {
    assert.is((e as DOMException).name, 'AbortError');
  }
  try {
    await addScript(host, 'this is not javascript');
    assert.unreachable('should reject');
  } catch (e) {
    assert.is((e as Error).name, 'SyntaxError');
  }
  try {
    await addScript(host, 'throw new Error("top-level boom")');
    assert.unreachable('should reject');
  } catch (e) {
    assert.match(String(e), /top-level boom/);
  }
  assert.is(host.errors.length, 3);
  assert.ok(host.errors.every((e) => e.kind === 'script'));
  assert.throws(() => new AudioWorkletNode(host.context, 'no-such-processor'),
    (e: Error) => e.name === 'InvalidStateError' && /'no-such-processor' is not defined/.test(e.message));
});

test('process() errors are recorded, the processor dies, the node renders silence', async () => {
  const { host, groupId } = await newHost();
  const { wam, inst } = await newGain(host, groupId, { explode: true });
  let fired = 0;
  wam.audioNode.onprocessorerror = () => { fired++; };
  const x = ramp(Q);
  const out = inst.process([[x, x]]);
  assert.is(inst.state, 'errored');
  assert.is(inst.errors.length, 1);
  assert.match(String(inst.errors[0]), /exploded on purpose/);
  assert.is(host.errors.length, 1);
  assert.is(host.errors[0]!.kind, 'process');
  assert.is(host.errors[0]!.instance, inst);
  assert.ok(out[0]!.every((v) => v === 0));
  await host.flush();
  assert.is(fired, 1);
  host.advance();
  const calls = inst.processCalls;
  inst.process([[x, x]]);
  assert.is(inst.processCalls, calls);
});

test('bare processors: messages are rebuilt in the worklet realm, falsy return finishes, handler errors recorded', async () => {
  const { host } = await newHost();
  await addScript(host, `
    class Echo extends AudioWorkletProcessor {
      constructor(options) {
        super();
        this.n = 0;
        this.answer = new WebAssembly.Instance(options.processorOptions.wasm).exports.f();
        this.port.onmessage = (e) => {
          if (e.data === 'throw') throw new Error('handler boom');
          const d = e.data;
          this.port.postMessage({ isObject: d instanceof Object, isF32: d.f instanceof Float32Array,
            isMap: d.m instanceof Map, bytes: Array.from(new Uint8Array(d.b)), opts: options.processorOptions.tag,
            frame: currentFrame, answer: this.answer });
        };
      }
      process(inputs, outputs) { this.n++; outputs[0][0].fill(inputs[0].length); return this.n < 2 ? true : undefined; }
    }
    registerProcessor('echo', Echo);`);
  // (module (func (export "f") (result i32) i32.const 42)), passed compiled, as a plugin may pass its DSP.
  const wasm = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0,
    7, 5, 1, 1, 102, 0, 0, 10, 6, 1, 4, 0, 65, 42, 11]));
  const node = new AudioWorkletNode(host.context, 'echo', { processorOptions: { tag: 'x', wasm } });
  const inst = host.instanceOf(node);
  const got = new Promise<any>((resolve) => { node.port.onmessage = (e) => resolve(e.data); });
  const b = new Uint8Array([1, 2, 3]).buffer;
  node.port.postMessage({ f: new Float32Array(2), m: new Map([[1, 2]]), b }, [b]);
  assert.is(b.byteLength, 0, 'transferred buffer detached');
  assert.equal(await got, { isObject: true, isF32: true, isMap: true, bytes: [1, 2, 3], opts: 'x', frame: 0, answer: 42 });
  // addEventListener('message') alone does not start a port (browser semantics); start() does.
  const seen: unknown[] = [];
  await addScript(host, `registerProcessor('talker', class extends AudioWorkletProcessor {
    constructor() { super(); this.port.postMessage('hello'); } process() { return true; } });`);
  const talker = new AudioWorkletNode(host.context, 'talker');
  talker.port.addEventListener('message', (e) => seen.push(e.data));
  await host.flush();
  assert.equal(seen, []);
  talker.port.start();
  await host.flush();
  assert.equal(seen, ['hello']);
  node.port.postMessage('throw');
  await host.flush();
  assert.is(host.errors.length, 1);
  assert.is(host.errors[0]!.kind, 'message');
  assert.is(inst.state, 'running', 'a throwing message handler does not kill the processor');
  // 1 in / 1 out without outputChannelCount: the output follows the input's channels.
  let out = inst.process([[ramp(Q), ramp(Q), ramp(Q)]]);
  assert.is(out.length, 3);
  assert.is(out[0]![0], 3);
  host.advance();
  out = inst.process();
  assert.is(out.length, 1, 'unconnected input: one output channel');
  assert.is(out[0]![0], 0);
  assert.is(inst.state, 'finished', 'returning undefined finishes the processor (as in Chromium)');
});

test('runChain: a generator through two instances; the harness itself allocates nothing per quantum', async () => {
  const { host, groupId } = await newHost();
  const first = await newGain(host, groupId, { parameterValues: { gain: { id: 'gain', value: 0.5, normalized: false } } });
  const second = await newGain(host, groupId, { parameterValues: { gain: { id: 'gain', value: 3, normalized: false } } });
  const sine = (c: number, f: number) => Math.sin((2 * Math.PI * 997 * f) / 48000) * (c === 0 ? 1 : -1);
  const start = host.currentFrame;
  const out = host.runChain([first.inst, second.inst], { input: sine, quanta: 10 });
  assert.is(host.currentFrame, start + 10 * Q);
  assert.is(out.length, 2);
  assert.is(out[0]!.length, 10 * Q);
  for (const f of [0, 1, 500, 1279]) {
    assert.is(out[0]![f], Math.fround(Math.fround(Math.fround(sine(0, start + f)) * 0.5) * 3));
    assert.is(out[1]![f], Math.fround(Math.fround(Math.fround(sine(1, start + f)) * 0.5) * 3));
  }
  // Buffers as input, longer than a whole number of quanta: zero-padded.
  const buf = [ramp(300), ramp(300)];
  const out2 = host.runChain([first.inst], { input: buf });
  assert.is(out2[0]!.length, 3 * Q);
  assert.is(out2[0]![299], Math.fround(buf[0]![299]! * 0.5));
  assert.is(out2[0]![300], 0);

  // Allocation: a bare copy processor (no SDK) costs ~nothing per quantum; the SDK's WamProcessor does allocate
  // (its event slicing builds arrays every quantum), which shows the measurement can see garbage.
  await addScript(host, `registerProcessor('copy', class extends AudioWorkletProcessor {
    process(inputs, outputs) { const i = inputs[0], o = outputs[0];
      for (let c = 0; c < o.length; c++) if (i[c]) o[c].set(i[c]); return true; } });`);
  const copy = host.instanceOf(new AudioWorkletNode(host.context, 'copy', { outputChannelCount: [2] }));
  const x = [ramp(Q), ramp(Q)];
  const inputs = [x];
  const bare = measureAllocation(() => { copy.process(inputs); host.advance(); }, 2000);
  const wam = measureAllocation(() => { first.inst.process(inputs); host.advance(); }, 2000);
  assert.ok(bare < 1, `harness + bare processor allocate ${bare} B/quantum`);
  assert.ok(wam > 50, `the SDK processor allocates ${wam} B/quantum`);
  if (process.env.HARNESS_VERBOSE) console.log(`allocation per quantum: bare ${bare} B, SDK WamProcessor ${wam} B`);
  assert.equal(host.errors, []);
});

test('several hosts at once keep their own time, and close() stops everything', async () => {
  const { host: a, groupId: ga } = await newHost();
  const { host: b } = await newHost({ sampleRate: 44100 });
  const one = await newGain(a, ga);
  a.advance(3);
  assert.is(a.evaluate('currentFrame'), 3 * Q);
  assert.is(b.evaluate('currentFrame'), 0);
  assert.is(b.evaluate('sampleRate'), 44100);
  a.close();
  assert.is(a.context.state, 'closed');
  assert.throws(() => one.inst.process([[ramp(Q)]]), /closed host/);
  assert.throws(() => new AudioWorkletNode(a.context, MODULE_ID), /not a live harness context/);
});

test.run();
