import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatGain, formatLevel, formatRange, formatSeconds, parseTyped } from './format.ts';

test('levels: one decimal, a true minus sign, −∞ for silence', () => {
  assert.is(formatLevel(-23.04), '\u221223.0');
  assert.is(formatLevel(-0.04), '0.0', 'no negative zero');
  assert.is(formatLevel(-Infinity), '\u2212\u221e');
  assert.is(formatLevel(NaN), '\u2212\u221e');
  assert.is(formatLevel(1.25, 2), '1.25');
});

test('gains carry an explicit sign; zero has none', () => {
  assert.is(formatGain(3.21), '+3.2');
  assert.is(formatGain(-12), '\u221212.0');
  assert.is(formatGain(0.04), '0.0');
  assert.is(formatGain(-0.04), '0.0');
  assert.is(formatGain(NaN), '\u2014');
});

test('ranges and seconds', () => {
  assert.is(formatRange(7.44), '7.4');
  assert.is(formatRange(NaN), '\u2014');
  assert.is(formatSeconds(12.9), '12 s');
  assert.is(formatSeconds(125), '2 min 05 s');
  assert.is(formatSeconds(NaN), '0 s');
});

test('typed values: signs, units, decimal comma, exponent; garbage is NaN', () => {
  assert.is(parseTyped('-3.5 dB'), -3.5);
  assert.is(parseTyped('\u22123.5'), -3.5);
  assert.is(parseTyped('+2'), 2);
  assert.is(parseTyped(' 2,5 s'), 2.5);
  assert.is(parseTyped('.5'), 0.5);
  assert.is(parseTyped('1e-3'), 0.001);
  assert.ok(Number.isNaN(parseTyped('loud')));
  assert.ok(Number.isNaN(parseTyped('')));
});

test.run();
