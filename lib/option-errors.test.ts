// Bad options and buffers get the promised RangeError naming the problem, never a TypeError from inside the
// library (issue 11's fuzzing found these): null-prototype objects where numbers or roles belong, a foreign
// `module` for createSync, Proxies and look-alikes as channel buffers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import vm from 'node:vm';
import { LoudnessMeter } from './index.ts';

function rangeError(fn: () => unknown, pattern: RegExp, what: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RangeError, `${what}: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
    assert.match((e as Error).message, pattern, what);
    return;
  }
  assert.unreachable(`${what}: no error`);
}

const bare = () => Object.create(null) as object;

test('null-prototype objects, symbols and throwing Proxies as sampleRate, channels, truePeak or a role', () => {
  const hostile = new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } });
  for (const [label, v] of [['null-prototype object', bare()], ['symbol', Symbol('x')], ['throwing Proxy', hostile]] as const) {
    rangeError(() => LoudnessMeter.createSync({ sampleRate: v as any, channels: 2 }), /sampleRate must be/, `sampleRate: ${label}`);
    rangeError(() => LoudnessMeter.createSync({ sampleRate: 48000, channels: v as any }), /channels must be/, `channels: ${label}`);
    rangeError(() => LoudnessMeter.createSync({ sampleRate: 48000, channels: 2, truePeak: v as any }), /truePeak must be/, `truePeak: ${label}`);
    rangeError(() => LoudnessMeter.createSync({ sampleRate: 48000, channels: 2, layout: ['L', v as any] }), /unknown channel role/, `role: ${label}`);
  }
  rangeError(() => LoudnessMeter.createSync({ sampleRate: 48000, channels: 2, layout: bare() as any }), /layout must be/, 'layout: null-prototype object');
});

test('the async create() rejects with the same RangeErrors', async () => {
  try {
    await LoudnessMeter.create({ sampleRate: bare() as any, channels: 2 });
    assert.unreachable('no error');
  } catch (e) {
    assert.ok(e instanceof RangeError, String(e));
  }
});

test('createSync(options, module): anything but a compiled core is a RangeError', () => {
  const options = { sampleRate: 48000, channels: 2 };
  // The smallest valid module (magic + version): compiles, exports nothing.
  const empty = new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  for (const [label, m] of [['{}', {}], ['null-prototype object', bare()], ['a number', 3], ['null', null], ['an empty module', empty]] as const) {
    rangeError(() => LoudnessMeter.createSync(options, m as any), /module/, `module: ${label}`);
  }
  // undefined still means "compile the core": works.
  assert.is(LoudnessMeter.createSync(options, undefined).channels, 2);
});

test('push(): a Proxy, a subclass-faked or array-like channel is a RangeError; genuine Float32Arrays of any realm work', () => {
  const m = LoudnessMeter.createSync({ sampleRate: 48000, channels: 2 });
  const real = new Float32Array(256);
  const proxy = new Proxy(new Float32Array(256), {});
  rangeError(() => m.push([real, proxy]), /channel 1 is not a Float32Array/, 'Proxy channel');
  rangeError(() => m.push([proxy, real]), /channel 0 is not a Float32Array/, 'Proxy channel 0');
  const fake = Object.setPrototypeOf({ length: 256 }, Float32Array.prototype);
  rangeError(() => m.push([real, fake]), /channel 1 is not a Float32Array/, 'an object with Float32Array.prototype');
  rangeError(() => m.push([real, new Float64Array(256) as any]), /channel 1 is not a Float32Array/, 'Float64Array');
  rangeError(() => m.push([real, new Float32Array(255)]), /255 frames but channel 0 has 256/, 'length mismatch');
  rangeError(() => m.push([real, bare() as any]), /channel 1 is not a Float32Array/, 'null-prototype object');
  m.push([real, new Float32Array(256)]);
  const other = vm.runInNewContext('new Float32Array(256).fill(0.5)') as Float32Array;
  m.push([other, other]);
  assert.ok(m.result().samplePeak > -6.1 && m.result().samplePeak < -6, 'a Float32Array from another realm is metered');
});

test.run();
