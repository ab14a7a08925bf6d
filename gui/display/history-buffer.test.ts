import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HistoryBuffer } from './history-buffer.ts';

test('stores oldest to newest until full', () => {
  const h = new HistoryBuffer(4);
  assert.is(h.capacity, 4);
  assert.is(h.length, 0);
  assert.is(h.gainExtent(), 0);
  h.push(-20, -24, 4);
  h.push(-19.5, -22, 2.5);
  assert.is(h.length, 2);
  assert.is(h.ref(0), -20);
  assert.is(h.out(0), -24);
  assert.is(h.gain(0), 4);
  assert.is(h.ref(1), -19.5);
  assert.is(h.gain(1), 2.5);
  assert.ok(Number.isNaN(h.ref(2)), 'past the newest: NaN');
  assert.ok(Number.isNaN(h.ref(-1)));
});

test('wraps around: keeps the last `capacity` readings in order', () => {
  const h = new HistoryBuffer(3);
  for (let k = 1; k <= 7; k++) h.push(-k, -10 - k, k / 4);
  // Pushed 1..7; the last three are 5, 6, 7.
  assert.is(h.length, 3);
  assert.equal([h.ref(0), h.ref(1), h.ref(2)], [-5, -6, -7]);
  assert.equal([h.out(0), h.out(1), h.out(2)], [-15, -16, -17]);
  assert.equal([h.gain(0), h.gain(1), h.gain(2)], [1.25, 1.5, 1.75]);
  assert.is(h.gainExtent(), 1.75, 'only stored readings count: 1.0 (the 4th) has been overwritten');
});

test('non-finite values are gaps (NaN); the gain extent skips them', () => {
  const h = new HistoryBuffer(5);
  h.push(-Infinity, NaN, -7.5);
  h.push(-18, -18.5, NaN);
  h.push(-18, Infinity, 3);
  assert.ok(Number.isNaN(h.ref(0)));
  assert.ok(Number.isNaN(h.out(0)));
  assert.is(h.gain(0), -7.5);
  assert.ok(Number.isNaN(h.gain(1)));
  assert.ok(Number.isNaN(h.out(2)));
  assert.is(h.gainExtent(), 7.5, 'largest magnitude, sign dropped');
});

test('clear empties it; it fills again from the start', () => {
  const h = new HistoryBuffer(2);
  h.push(-1, -2, 6);
  h.push(-3, -4, -9);
  h.push(-5, -6, 1);
  h.clear();
  assert.is(h.length, 0);
  assert.is(h.gainExtent(), 0);
  assert.ok(Number.isNaN(h.ref(0)));
  h.push(-30, -31, 0.5);
  assert.is(h.length, 1);
  assert.is(h.ref(0), -30);
  assert.is(h.gainExtent(), 0.5);
});

test('Float32 storage: values round to single precision', () => {
  const h = new HistoryBuffer(1);
  h.push(-18.3, -18.3, 0.1);
  assert.is(h.ref(0), Math.fround(-18.3));
  assert.is(h.gain(0), Math.fround(0.1));
});

test('column + oldestSlot walk the readings like the accessors do', () => {
  const h = new HistoryBuffer(4);
  for (let i = 0; i < 6; i++) h.push(-30 + i, -20 + i, i);
  // Readings 2..5 remain; the oldest (reading 2) sits in slot 2 after the wrap.
  assert.is(h.oldestSlot, 2);
  const walk = (col: number) => {
    const d = h.column(col);
    const out: number[] = [];
    for (let i = 0, s = h.oldestSlot; i < h.length; i++, s = (s + 1) % h.capacity) out.push(d[s]);
    return out;
  };
  assert.equal(walk(0), [-28, -27, -26, -25]);
  assert.equal(walk(1), [-18, -17, -16, -15]);
  assert.equal(walk(2), [2, 3, 4, 5]);
  assert.equal(walk(0), [0, 1, 2, 3].map((i) => h.ref(i)));
  h.clear();
  h.push(1, 2, 3);
  assert.is(h.oldestSlot, 0);
});

test('a capacity below one is refused', () => {
  assert.throws(() => new HistoryBuffer(0), RangeError);
  assert.throws(() => new HistoryBuffer(NaN), RangeError);
  assert.is(new HistoryBuffer(3.7).capacity, 3);
});

test.run();
