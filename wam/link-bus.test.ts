import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { S } from './engine-abi.ts';
import { FrameRing, LINK_CHANNELS, LinkBus, LinkReader, ringCapacity } from './link-bus.ts';

/** Channel c of frame f carries c * 1e6 + f (exact in float32 below 2^24). */
const frames = (f0: number, n: number, channels: number): Float32Array[] =>
  Array.from({ length: channels }, (_, c) => Float32Array.from({ length: n }, (_, i) => c * 1e6 + ((f0 + i) % 1e6)));
const buffers = (channels: number, n: number) => Array.from({ length: channels }, () => new Float32Array(n));

test('ring capacity: a power of two covering 1 s of latency plus margin', () => {
  assert.is(ringCapacity(48000), 65536);
  assert.is(ringCapacity(44100), 65536);
  assert.is(ringCapacity(96000), 131072);
  assert.is(ringCapacity(8000), 32768);
  assert.throws(() => new FrameRing(1000), /power of two/);
});

test('ring: write and read by absolute frame, across the wrap', () => {
  const ring = new FrameRing(256, 2);
  assert.ok(ring.empty);
  assert.not.ok(ring.has(0, 1));
  for (let f = 1000; f < 1000 + 10 * 100; f += 100) ring.write(f, frames(f, 100, 2), 2, 0, 100);
  assert.is(ring.end, 2000);
  assert.is(ring.start, 2000 - 256, 'only capacity frames are held');
  assert.ok(ring.has(1744, 256));
  assert.not.ok(ring.has(1743, 2));
  assert.not.ok(ring.has(1990, 11));
  const out = buffers(2, 200);
  assert.is(ring.read(1790, 200, out), 2);
  for (let i = 0; i < 200; i++) {
    assert.is(out[0][i], 1790 + i);
    assert.is(out[1][i], 1e6 + 1790 + i);
  }
  assert.is(ring.read(1000, 10, out), 0, 'overwritten frames are gone');
});

test('ring: writes from an offset, sanitises, restarts on a gap, an overlap or a channel change', () => {
  const ring = new FrameRing(1024, 1);
  const src = [Float32Array.from([9, 9, 1, NaN, Infinity, -Infinity, 2])];
  ring.write(50, src, 1, 2, 5);
  const out = buffers(1, 5);
  assert.is(ring.read(50, 5, out), 1);
  assert.equal([...out[0]], [1, 0, 0, 0, 2]);
  ring.write(60, frames(60, 10, 1), 1, 0, 10); // gap 55..59
  assert.is(ring.start, 60);
  assert.not.ok(ring.has(54, 7));
  ring.write(65, frames(65, 10, 1), 1, 0, 10); // overlap
  assert.is(ring.start, 65);
  assert.is(ring.end, 75);
  ring.write(75, frames(75, 10, 3), 3, 0, 10); // more channels: allocated, new run
  assert.is(ring.allocatedChannels, 3);
  assert.is(ring.channels, 3);
  assert.is(ring.start, 75);
  const three = buffers(3, 10);
  assert.is(ring.read(75, 10, three), 3);
  assert.is(three[2][9], 2e6 + 84);
  assert.is(ring.read(75, 10, buffers(2, 10)), 2, 'limited by the destination');
  ring.write(85, [], 0, 0, 10);
  assert.is(ring.end, 85, 'no channels: nothing written');
  ring.reset();
  assert.ok(ring.empty);
});

test('bus: claims, duplicates, release, generations, clamped link numbers', () => {
  const bus = new LinkBus(48000);
  const a = {};
  const b = {};
  assert.is(bus.capacity, 65536);
  assert.ok(bus.claim(3, a));
  assert.is(bus.channel(3).generation, 1);
  assert.ok(bus.claim(3, a), 'idempotent');
  assert.is(bus.channel(3).generation, 1);
  assert.not.ok(bus.claim(3, b), 'a second reference is a duplicate');
  assert.ok(bus.claim(4, b));
  bus.release(3, b);
  assert.is(bus.channel(3).owner, a, 'only the owner releases');
  bus.release(3, a);
  assert.is(bus.channel(3).owner, null);
  assert.is(bus.channel(3).generation, 2);
  const ring = bus.channel(3).ring!;
  ring.write(0, frames(0, 10, 2), 2, 0, 10);
  assert.ok(bus.claim(3, b));
  assert.is(bus.channel(3).ring, ring, 'the ring is reused...');
  assert.ok(ring.empty, '...and emptied');
  bus.releaseAll(b);
  assert.is(bus.channel(4).owner, null);
  assert.is(bus.channel(0), bus.channel(1));
  assert.is(bus.channel(9999), bus.channel(LINK_CHANNELS));
  assert.is(LINK_CHANNELS, 256);
  assert.ok(bus.channel(17) !== bus.channel(1) && bus.channel(17) !== bus.channel(16), 'channels past the 16 of earlier versions are channels of their own');
});

/** A reference writing quantum after quantum, and a reader, run in a given order. */
function session(order: 'reference first' | 'reader first', quantum = 128, latency = 0) {
  const bus = new LinkBus(48000);
  const ref = {};
  bus.claim(1, ref, 2);
  const ch = bus.channel(1);
  const reader = new LinkReader();
  const dest = buffers(2, quantum);
  let frame = 0;
  const statuses: number[] = [];
  const firsts: number[] = [];
  const step = (writing = true) => {
    const write = () => writing && ch.owner === ref && ch.ring!.write(frame, frames(frame, quantum, 2), 2, 0, quantum);
    if (order === 'reference first') write();
    statuses.push(reader.begin(ch, frame, quantum));
    const got = reader.read(ch, frame, quantum, latency, dest);
    firsts.push(got ? dest[0][0] : NaN);
    if (order === 'reader first') write();
    frame += quantum;
  };
  return { bus, ref, ch, reader, step, statuses, firsts, frame: () => frame };
}

test('reader: a reference upstream (processed first) is read with no skew', () => {
  const s = session('reference first');
  for (let q = 0; q < 10; q++) s.step();
  assert.is(s.reader.skew, 0);
  assert.ok(s.statuses.every((x) => x === S.linked));
  assert.equal(s.firsts, s.firsts.map((_, q) => q * 128), 'frame-aligned');
});

test('reader: a reference processed after the reader is read one quantum late (skew), stably', () => {
  const s = session('reader first');
  for (let q = 0; q < 10; q++) s.step();
  assert.is(s.reader.skew, 128);
  assert.is(s.statuses[0], S.noReference, 'nothing written yet');
  assert.ok(s.statuses.slice(1).every((x) => x === S.linked));
  // Quantum 1 sees the reference one quantum behind but cannot tell a late reference from a stopped one yet;
  // from quantum 2 on the reference has proved it is writing: skew = one quantum.
  assert.ok(Number.isNaN(s.firsts[0]) && Number.isNaN(s.firsts[1]));
  assert.equal(s.firsts.slice(2), s.firsts.slice(2).map((_, q) => (q + 1) * 128), 'one quantum behind');
});

test('reader: latency delays the reference by whole frames; skew adds on top', () => {
  const lat = 1000;
  const s = session('reader first', 128, lat);
  for (let q = 0; q < 20; q++) s.step();
  assert.is(s.reader.skew, 128);
  s.firsts.forEach((v, q) => {
    const want = q * 128 - lat - 128;
    if (want >= 0 && q >= 2) assert.is(v, want, `quantum ${q}`);
    else assert.ok(Number.isNaN(v), `quantum ${q}: not written yet`);
  });
  assert.ok(s.statuses.slice(1).every((x) => x === S.linked), 'linked while the delay line fills');
});

test('reader: other quantum sizes (skew follows the quantum)', () => {
  for (const q of [64, 256, 441]) {
    const s = session('reader first', q);
    for (let i = 0; i < 12; i++) s.step();
    assert.is(s.reader.skew, q);
    assert.is(s.firsts[11], 10 * q);
  }
});

test('reader: a reference that stops writing is lost after the grace period, and comes back', () => {
  const s = session('reference first');
  for (let q = 0; q < 5; q++) s.step();
  for (let q = 0; q < 5; q++) s.step(false);
  // Missing quanta: the first ones are within the grace period (but their frames are not valid).
  assert.equal(s.statuses.slice(5), [S.linked, S.linked, S.referenceLost, S.referenceLost, S.referenceLost]);
  assert.ok(s.firsts.slice(5).every(Number.isNaN));
  for (let q = 0; q < 3; q++) s.step();
  assert.equal(s.statuses.slice(10), [S.linked, S.linked, S.linked]);
  assert.is(s.firsts[12], 12 * 128 - s.reader.skew);
});

test('reader: a released channel is lost at once; a new reference resets the skew', () => {
  const s = session('reader first');
  for (let q = 0; q < 4; q++) s.step();
  assert.is(s.reader.skew, 128);
  s.bus.release(1, s.ref);
  s.step();
  assert.is(s.statuses.at(-1), S.referenceLost);
  assert.ok(Number.isNaN(s.firsts.at(-1)!));
  // A new reference upstream of the reader: no skew needed any more.
  const other = {};
  assert.ok(s.bus.claim(1, other));
  const f = s.frame();
  s.ch.ring!.write(f, frames(f, 128, 2), 2, 0, 128);
  assert.is(s.reader.begin(s.ch, f, 128), S.linked);
  assert.is(s.reader.skew, 0);
  const dest = buffers(2, 128);
  assert.is(s.reader.read(s.ch, f, 128, 0, dest), 2);
  assert.is(dest[1][0], 1e6 + f);
});

test('reader: several readers share one reference; reset forgets the history', () => {
  const s = session('reference first');
  const other = new LinkReader();
  for (let q = 0; q < 3; q++) {
    s.step();
    const f = s.frame() - 128;
    assert.is(other.begin(s.ch, f, 128), S.linked);
    const dest = buffers(2, 128);
    assert.is(other.read(s.ch, f, 128, 0, dest), 2);
    assert.is(dest[0][5], f + 5);
  }
  s.bus.release(1, s.ref);
  assert.is(other.begin(s.ch, s.frame(), 128), S.referenceLost);
  other.reset();
  assert.is(other.begin(s.ch, s.frame(), 128), S.noReference);
});

test.run();
