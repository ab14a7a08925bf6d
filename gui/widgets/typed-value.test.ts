import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseTypedValue } from './typed-value.ts';

const value = (text: string, units: string): number => {
  const r = parseTypedValue(text, units);
  if (!r.ok) throw new Error(`"${text}" in ${units} refused: ${r.reason}`);
  return r.value;
};
const refused = (text: string, units: string): string => {
  const r = parseTypedValue(text, units);
  assert.not.ok(r.ok, `"${text}" in ${units} should be refused, got ${r.ok ? r.value : ''}`);
  return r.ok ? '' : r.reason;
};

test('a number alone is in the control unit', () => {
  assert.is(value('2.5', 's'), 2.5);
  assert.is(value('-23', 'LUFS'), -23);
  assert.is(value('  7 ', ''), 7);
});

test('time units convert: ms and s', () => {
  assert.is(value('500 ms', 's'), 0.5);
  assert.is(value('500ms', 's'), 0.5);
  assert.is(value('100 MS', 's'), 0.1);
  assert.is(value('1.2 s', 'ms'), 1200);
  assert.is(value('0,05 sec', 'ms'), 50);
  assert.is(value('20 ms', 'ms'), 20);
  assert.is(value('3 s', 's'), 3);
});

test('level units are one scale: dB, dBFS, dBTP, LU, LUFS, LKFS', () => {
  assert.is(value('-6,5 dB', 'dB'), -6.5);
  assert.is(value('\u22126.5 dB', 'dB'), -6.5);
  assert.is(value('+2 LU', 'dB'), 2);
  assert.is(value('-1 dBTP', 'dBTP'), -1);
  assert.is(value('-1 db', 'dBTP'), -1);
  assert.is(value('-23 LUFS', 'LUFS'), -23);
  assert.is(value('-23 lkfs', 'LUFS'), -23);
  assert.is(value('1e-1 dB', 'dB'), 0.1);
});

test('what cannot be understood is refused with a reason', () => {
  assert.match(refused('abc', 's'), /Not a number: type a number in s/);
  assert.match(refused('', 'dB'), /Type a number in dB/);
  assert.match(refused('3 dB', 's'), /“dB” is not a unit here/);
  assert.match(refused('500 ms', 'dB'), /“ms” is not a unit here/);
  assert.match(refused('5 apples', 'dB'), /“apples”/);
  assert.match(refused('2 dB', ''), /type a number/);
  refused('-', 'dB');
  refused('1e999', 'dB');
});

test.run();
