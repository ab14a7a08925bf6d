import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gainAxisRange, gainToFraction } from './gain-scale.ts';

test('gain axis: at least ±6 dB, else the extent rounded up to 6 dB steps', () => {
  assert.is(gainAxisRange(0), 6);
  assert.is(gainAxisRange(4.2), 6);
  assert.is(gainAxisRange(6), 6);
  assert.is(gainAxisRange(6.01), 12);
  assert.is(gainAxisRange(12), 12);
  assert.is(gainAxisRange(13.5), 18);
  assert.is(gainAxisRange(NaN), 6);
  assert.is(gainAxisRange(Infinity), 6);
});

test('gain bar: −maxCut at 0, +maxBoost at 1, clamped', () => {
  // −12..+12: 0 dB in the middle, +3 dB 15/24 of the way.
  assert.is(gainToFraction(0, 12, 12), 0.5);
  assert.is(gainToFraction(3, 12, 12), 0.625);
  assert.is(gainToFraction(-12, 12, 12), 0);
  assert.is(gainToFraction(20, 12, 12), 1);
  // −24..+6: 0 dB at 24/30.
  assert.is(gainToFraction(0, 24, 6), 0.8);
  assert.is(gainToFraction(0, -24, 6), 0.8, 'a signed cut reads as its magnitude');
  assert.is(gainToFraction(NaN, 24, 6), 0.8, 'NaN sits at 0 dB');
  assert.is(gainToFraction(-Infinity, 24, 6), 0);
  // No range at all: ±0.5 dB around zero.
  assert.is(gainToFraction(0, 0, 0), 0.5);
  assert.is(gainToFraction(0.25, 0, 0), 0.75);
});

test.run();
