// The EnginePool (engine-pool.ts) with the real DSP module: engines share one WebAssembly instance, are reused
// (reset) after release, views are rebuilt once per memory growth, and a second instance is started only when
// the first cannot take another engine (its memory could not grow: emulated by a createEngine that traps).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileDsp, instantiateDsp } from '../lib/wasm.ts';
import type { EngineExports } from './engine-abi.ts';
import { EnginePool, type EngineLease } from './engine-pool.ts';

const module = await compileDsp();
const lease = (x: EngineLease | string): EngineLease => {
  if (typeof x === 'string') throw new Error(x);
  return x;
};

test('engines share one instance; released engines are reset and reused by key (sample rate / maxFrames)', () => {
  const pool = new EnginePool(() => instantiateDsp(module));
  const a = lease(pool.acquire(48000, 128));
  const b = lease(pool.acquire(48000, 128));
  const c = lease(pool.acquire(44100, 128));
  assert.is(a.shard, b.shard);
  assert.is(a.shard, c.shard);
  assert.is.not(a.handle, b.handle);
  pool.release(a);
  pool.release(c);
  pool.release(c); // twice: still one free entry
  assert.equal({ ...pool.stats(), bytes: 0 }, { shards: 1, engines: 3, inUse: 1, free: 2, bytes: 0, generations: pool.stats().generations });
  const d = lease(pool.acquire(44100, 128));
  assert.is(d.handle, c.handle, 'same key: the free engine');
  const e = lease(pool.acquire(96000, 128));
  assert.ok(e.handle !== a.handle, 'another key: a new engine');
  assert.is(pool.stats().engines, 4);
});

test('views: one rebuild per growth, for every lease of the shard', () => {
  const pool = new EnginePool(() => instantiateDsp(module));
  const first = lease(pool.acquire(48000, 128));
  const view = first.shard.f32;
  const gen = first.shard.generation;
  for (let i = 0; i < 40; i++) lease(pool.acquire(48000, 128));
  assert.ok(first.shard.generation > gen, 'the memory grew');
  assert.is.not(first.shard.f32, view);
  assert.is(view.length, 0, 'the old view is detached');
  assert.is(first.shard.f32.length * 4, first.shard.exports.memory.buffer.byteLength);
  assert.is(first.shard.refresh(), false, 'nothing to do until the next growth');
});

test('a second instance only when the first cannot grow; an instance that cannot be made is a clear error', () => {
  let made = 0;
  const pool = new EnginePool(() => {
    made++;
    const dsp = instantiateDsp(module) as EngineExports;
    let n = 0;
    const create = dsp.createEngine.bind(dsp);
    // The first instance "runs out of memory" at its third engine (a trap, as a failed memory.grow gives).
    return { ...dsp, memory: dsp.memory, createEngine: (sr: number, f: number) => {
      if (made === 1 && ++n > 2) throw new WebAssembly.RuntimeError('unreachable');
      return create(sr, f);
    } } as EngineExports;
  });
  const leases = [0, 1, 2, 3].map(() => lease(pool.acquire(48000, 128)));
  assert.is(leases[0].shard, leases[1].shard);
  assert.is.not(leases[2].shard, leases[0].shard);
  assert.is(leases[3].shard, leases[2].shard);
  assert.is(pool.stats().shards, 2);
  const broken = new EnginePool(() => {
    throw new RangeError('WebAssembly.Instance(): Out of memory: Cannot allocate Wasm memory for new instance');
  });
  const r = broken.acquire(48000, 128);
  assert.type(r, 'string');
  assert.match(r as string, /did not instantiate: WebAssembly.Instance\(\): Out of memory/);
  assert.type(new EnginePool(() => instantiateDsp(module)).acquire(1000, 128), 'string', 'a rejected sample rate');
});

test.run();
