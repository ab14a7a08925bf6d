// Link rings in the engines' WebAssembly memory (issue 16, link-bus.ts FrameRing "Storage"): the same frames
// come out as from a ring of its own, across the ring's end and across a memory growth; copyStrided and
// copyWithin read into the same memory, element copies into another; the SIMD sanitising pass replaces and counts non-finite samples.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileDsp } from '../lib/wasm.ts';
import type { EngineExports } from './engine-abi.ts';
import { EnginePool } from './engine-pool.ts';
import { FrameRing, LinkBus } from './link-bus.ts';
import { LevelMatchCore } from './core.ts';
import { P, S } from './engine-abi.ts';

const module = await compileDsp();
const newPool = () => new EnginePool(() => new WebAssembly.Instance(module, {}).exports as unknown as EngineExports);

/** Channel c of frame f carries c * 1e6 + f (exact in float32 below 2^24). */
const frames = (f0: number, n: number, channels: number): Float32Array[] =>
  Array.from({ length: channels }, (_, c) => Float32Array.from({ length: n }, (_, i) => c * 1e6 + ((f0 + i) % 1e6)));

test('a ring in the WebAssembly memory holds what a ring of its own holds, across its end and a memory growth', () => {
  const pool = newPool();
  const lease = pool.acquire(48000, 128);
  if (typeof lease === 'string') throw new Error(lease);
  const shard = lease.shard;
  const shared = new FrameRing(1024, 2, (floats) => pool.allocateFloats(floats));
  const own = new FrameRing(1024, 2);
  assert.ok(shared.shared, 'in the WebAssembly memory');
  assert.not.ok(own.shared);
  // Frames 1000.. in quanta of 128: the ring's end (1024) is crossed inside a quantum at 1920.
  // A reader's destination in the same memory: two channels of 1024 slots.
  const block = pool.allocateFloats(2048)!;
  assert.is(block.heap, shard);
  const dest = new Int32Array([block.at, block.at + 1024]);
  for (let f = 1000; f < 1000 + 128 * 12; f += 128) {
    const src = frames(f, 128, 2);
    assert.is(shared.writeSanitized(f, src, 2, 128), 0, 'clean input: nothing replaced');
    own.write(f, src, 2, 0, 128);
    if (f === 1000 + 128 * 6) {
      // Grow the memory (another ring's worth and more): every view is detached and rebuilt.
      const before = shard.generation;
      assert.ok(pool.allocateFloats(4 * 1024 * 1024) !== null);
      assert.ok(shard.generation > before, 'the memory grew');
    }
  }
  assert.is(shared.start, own.start);
  assert.is(shared.end, own.end);
  for (const [at, n] of [[1000 + 128 * 12 - 1024, 1024], [1900, 200], [2050, 77]] as const) {
    shard.refresh();
    const heap = shard.f32;
    assert.is(shared.readTo(at, n, heap, dest, 2), 2);
    const expect = [new Float32Array(n), new Float32Array(n)];
    assert.is(own.read(at, n, expect), 2);
    for (let c = 0; c < 2; c++) assert.equal(Array.from(heap.subarray(dest[c], dest[c] + n)), Array.from(expect[c]), `frames ${at}+${n}, channel ${c}`);
    // Evenly spaced destinations: one copyStrided call per segment for both channels, the same frames.
    heap.fill(0, dest[0], dest[0] + 2048);
    assert.is(shared.readTo(at, n, heap, dest, 2, 1024), 2);
    for (let c = 0; c < 2; c++) assert.equal(Array.from(heap.subarray(dest[c], dest[c] + n)), Array.from(expect[c]), `strided, frames ${at}+${n}, channel ${c}`);
    // Into another heap (a reader in another WebAssembly instance): element copies, the same frames.
    const other = new Float32Array(4096);
    assert.is(shared.readTo(at, n, other, new Int32Array([0, 2048]), 2), 2);
    assert.equal(Array.from(other.subarray(0, n)), Array.from(expect[0]));
    assert.equal(Array.from(other.subarray(2048, 2048 + n)), Array.from(expect[1]));
  }
  assert.is(shared.readTo(0, 10, shard.f32, dest, 2), 0, 'frames not held: nothing');
});

test('publishing into the WebAssembly memory replaces NaN and infinities by 0 and counts them', () => {
  const pool = newPool();
  const ring = new FrameRing(512, 2, (floats) => pool.allocateFloats(floats));
  const src = frames(0, 128, 2);
  src[0][5] = NaN;
  src[1][0] = Infinity;
  src[1][127] = -Infinity;
  src[1][64] = 1e-40; // subnormal: finite, kept
  assert.is(ring.writeSanitized(0, src, 2, 128), 3);
  const out = [new Float32Array(128), new Float32Array(128)];
  assert.is(ring.read(0, 128, out), 2);
  assert.is(out[0][5], 0);
  assert.is(out[1][0], 0);
  assert.is(out[1][127], 0);
  assert.is(out[1][64], Math.fround(1e-40));
  assert.is(out[0][6], 6);
  // A ring of its own cannot: -1, nothing written.
  const own = new FrameRing(512, 2);
  assert.is(own.writeSanitized(0, src, 2, 128), -1);
  assert.ok(own.empty);
  // Arrays that are not one quantum long: -1.
  assert.is(ring.writeSanitized(128, [new Float32Array(64), new Float32Array(64)], 2, 128), -1);
});

test('the sanitising pass: clean blocks stay bit for bit; one NaN or infinity is found at every position of every length; strided channels in one call', () => {
  const e = new WebAssembly.Instance(module, {}).exports as unknown as EngineExports;
  const at = e.allocateFloats!(3 * 300) >>> 2;
  const f32 = new Float32Array((e.memory as WebAssembly.Memory).buffer);
  const u32 = new Uint32Array(f32.buffer);
  // Finite values that a sum of x * 0 must not mistake for a bad one: -0, subnormals, the largest floats.
  const clean = [0, -0, 1e-45, -1e-40, 3.4028234663852886e38, -3.4028234663852886e38, 0.5, -1];
  for (let n = 1; n <= 40; n++) {
    for (let i = 0; i < n; i++) f32[at + i] = clean[(i * 5 + n) % clean.length];
    const bits = Array.from(u32.subarray(at, at + n));
    assert.is(e.sanitizeBlock!(at << 2, n), 0, `clean, ${n} samples`);
    assert.equal(Array.from(u32.subarray(at, at + n)), bits, `left bit for bit, ${n} samples`);
    for (let i = 0; i < n; i++) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        f32[at + i] = bad;
        assert.is(e.sanitizeBlock!(at << 2, n), 1, `${bad} at ${i} of ${n}`);
        assert.is(f32[at + i], 0, `${bad} at ${i} of ${n} replaced`);
        u32[at + i] = bits[i];
      }
    }
  }
  // Three channels 300 floats apart, 128 each: bad samples in the first and the last, counted in one call.
  for (let c = 0; c < 3; c++) f32.fill(0.25, at + c * 300, at + c * 300 + 128);
  f32[at + 127] = NaN;
  f32[at + 600] = -Infinity;
  f32[at + 600 + 77] = NaN;
  f32[at + 128] = NaN; // past channel 0's run: not part of the call
  assert.is(e.sanitizeChannels!(at << 2, 300 * 4, 128, 3), 3);
  assert.is(f32[at + 127], 0);
  assert.is(f32[at + 677], 0);
  assert.ok(Number.isNaN(f32[at + 128]), 'outside the runs: untouched');
  assert.is(e.sanitizeChannels!(at << 2, 300 * 4, 128, 3), 0, 'clean now');
});

test('the bus prepares a ring before any claim, in the engines memory; a claim with more channels reallocates it', () => {
  const pool = newPool();
  const bus = new LinkBus(48000, (floats) => pool.allocateFloats(floats));
  bus.prepare(3, 2);
  const ring = bus.channel(3).ring!;
  assert.ok(ring.shared);
  assert.is(ring.allocatedChannels, 2);
  const owner = {};
  assert.ok(bus.claim(3, owner, 6));
  assert.is(bus.channel(3).ring, ring, 'the same ring');
  assert.is(ring.allocatedChannels, 6);
  assert.ok(ring.shared);
  assert.is(ring.writeSanitized(0, frames(0, 128, 6), 6, 128), 0);
  const out = Array.from({ length: 6 }, () => new Float32Array(128));
  assert.is(ring.read(0, 128, out), 6);
  assert.is(out[5][17], 5e6 + 17);
  // Without an allocator: a ring of its own.
  const plain = new LinkBus(48000);
  plain.prepare(1, 2);
  assert.not.ok(plain.channel(1).ring!.shared);
});

/** Fills the shard's memory up to its end, so that the next allocation must grow it (detaching every view). */
function fillMemory(pool: EnginePool): void {
  const probe = pool.allocateFloats(4)!;
  const left = probe.heap.f32.length - (probe.at + 4);
  if (left > 64) pool.allocateFloats(left - 64);
}

test('the memory grows inside a quantum (a reference claims a new link, or gets more channels): its output and its link stay right', () => {
  const pool = newPool();
  const bus = new LinkBus(48000, (floats) => pool.allocateFloats(floats));
  const ref = new LevelMatchCore({ sampleRate: 48000, channels: 2, bus, engine: null, pool, watched: true, initialState: { format: 'levelmatch', version: 1, parameters: { mode: 0, link: 1 } } as never });
  const match = new LevelMatchCore({ sampleRate: 48000, channels: 2, bus, engine: null, pool, watched: true, initialState: { format: 'levelmatch', version: 1, parameters: { mode: 1, link: 3 } } as never });
  const shard = ref.engineLease!.shard;
  const sig = (f: number, c: number) => Math.sin(f * 0.01 + c) * 0.25;
  const block = (f0: number, n: number, channels: number) => Array.from({ length: channels }, (_, c) => Float32Array.from({ length: n }, (_, i) => sig(f0 + i, c)));
  const out = [new Float32Array(128), new Float32Array(128)];
  let grew = 0;
  for (let q = 0; q < 200; q++) {
    const f0 = q * 128;
    // Quantum 50: link 1 -> 9 by an event at frame 64, with the memory full (link 9 has no ring yet); the match
    // instance follows it to link 9 at quantum 60.
    // Quantum 120: four input channels on a two-channel ring (a new block), the memory full again.
    if (q === 50 || q === 120) fillMemory(pool);
    const before = shard.generation;
    const input = [block(f0, 128, q >= 120 ? 4 : 2)];
    ref.beginQuantum(input, f0, 128);
    if (q === 50) {
      ref.processSlice(input, [out], 0, 64);
      ref.setParameter(P.link, 9);
      ref.processSlice(input, [out], 64, 128);
    } else ref.processSlice(input, [out], 0, 128);
    ref.endQuantum();
    if (shard.generation > before) grew++;
    assert.is(ref.error, null, `quantum ${q}: the engine is still there`);
    for (let c = 0; c < 2; c++) for (let i = 0; i < 128; i += 17) assert.is(out[c][i], Math.fround(sig(f0 + i, c)), `quantum ${q}, channel ${c}, frame ${i}: the reference passes its input`);
    if (q === 60) match.setParameter(P.link, 9);
    match.beginQuantum([block(f0, 128, 2)], f0, 128);
    match.processSlice([block(f0, 128, 2)], [out.map((x) => new Float32Array(x.length))], 0, 128);
    match.endQuantum();
  }
  assert.ok(grew >= 2, `the memory grew inside ${grew} quanta`);
  assert.ok(bus.channel(9).ring!.shared, 'link 9 rings in the WebAssembly memory');
  assert.is(match.linkStatus & S.linked, S.linked, 'the match instance on link 9 hears the reference');
});

test.run();
