import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { levelToFraction, scaleRange, scaleStep, scaleTicks, scaleWarnFrom, SCALE_LABELS, isScaleName } from './meter-scale.ts';

test('EBU +9 scale: −18..+9 LU around −23 LUFS, ticks every 3 LU', () => {
  assert.equal(scaleRange('ebu9'), { min: -41, max: -14 });
  assert.equal(scaleTicks('ebu9'), [-41, -38, -35, -32, -29, -26, -23, -20, -17, -14]);
  assert.is(scaleStep('ebu9'), 3);
  assert.is(scaleWarnFrom('ebu9'), -17);
});

test('EBU +18 scale: −36..+18 LU around −23 LUFS, ticks every 6 LU', () => {
  assert.equal(scaleRange('ebu18'), { min: -59, max: -5 });
  assert.equal(scaleTicks('ebu18'), [-59, -53, -47, -41, -35, -29, -23, -17, -11, -5]);
  assert.is(scaleStep('ebu18'), 6);
  assert.is(scaleWarnFrom('ebu18'), -11);
});

test('levelToFraction: linear in LU, clamped, silence empty', () => {
  assert.is(levelToFraction(-41, 'ebu9'), 0);
  assert.is(levelToFraction(-14, 'ebu9'), 1);
  // −23 is 18 LU up a 27 LU scale: 2/3.
  assert.ok(Math.abs(levelToFraction(-23, 'ebu9') - 2 / 3) < 1e-12);
  // −32 on +18: 27 LU up a 54 LU scale.
  assert.is(levelToFraction(-32, 'ebu18'), 0.5);
  assert.is(levelToFraction(-23, 'ebu18'), 36 / 54);
  assert.is(levelToFraction(-70, 'ebu9'), 0, 'below the scale: empty');
  assert.is(levelToFraction(-3, 'ebu9'), 1, 'above the scale: full');
  assert.is(levelToFraction(-Infinity, 'ebu9'), 0);
  assert.is(levelToFraction(NaN, 'ebu18'), 0);
  assert.is(levelToFraction(Infinity, 'ebu18'), 1);
});

test('labels and name check; an unknown name falls back to +9', () => {
  assert.equal(SCALE_LABELS, { ebu9: 'EBU +9', ebu18: 'EBU +18' });
  assert.ok(isScaleName('ebu18'));
  assert.not.ok(isScaleName('ebu12'));
  assert.equal(scaleRange('nonsense' as 'ebu9'), { min: -41, max: -14 });
});

test.run();
